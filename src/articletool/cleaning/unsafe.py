"""Cleaning rules that keep executable content out: scripts, styles, active
elements, event handlers and addresses with dangerous schemes.

Each rule takes the tree and the settings, edits the tree in place and
returns one line per change (see :mod:`articletool.cleaning.rules`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree
from lxml.html import HtmlElement

from articletool import urls
from articletool.html.tree import Attribute, attributes_of, label, remove, tag, tagged, unwrap

if TYPE_CHECKING:
    from articletool.cleaning.body import CleanSettings

#: Elements that execute or pull in active content; removed with their content.
ACTIVE_TAGS: frozenset[str] = frozenset(
    {"applet", "base", "embed", "frame", "frameset", "link", "meta", "param", "object"}
    # SVG animation can set an <a>'s href to javascript: (values=, to=)
    | {"animate", "animatemotion", "animatetransform", "set"}
)
#: Active elements whose content is ordinary markup (fallback content, or what
#: the parser put inside a void <embed>): the element goes, the content stays.
_KEEP_CONTENT: frozenset[str] = frozenset(
    {"object", "applet", "embed", "animate", "animatemotion", "animatetransform", "set"}
)
#: Attributes holding one address.
URL_ATTRS: frozenset[str] = frozenset(
    {
        "action",
        "background",
        "cite",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "src",
        "xlink:href",
    }
)
_URLISH_SUFFIXES = ("href", "src", "url", "original", "srcset", "action", "poster")


def _strip_tags(root: HtmlElement, names: Iterable[str]) -> list[str]:
    wanted = frozenset(names)
    done = []
    for el in tagged(root, *wanted):
        if el.getparent() is None:
            continue  # a <param> already removed with its <object> or <embed>
        done.append(f"removed <{label(el)}>")
        if tag(el) in _KEEP_CONTENT:
            for param in [p for p in el.iter() if tag(p) == "param"]:
                remove(param)
            unwrap(el)  # an object's fallback content is ordinary markup
        else:
            remove(el)
    return done


def scripts(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ("script",))


def styles(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ("style",))


def active_content(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ACTIVE_TAGS)


_STYLE_THREATS = ("expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:")


def event_handlers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return event_handlers_in(attributes_of(root.iter(etree.Element)), settings)


def event_handlers_in(attributes: Iterable[Attribute], settings: CleanSettings) -> list[str]:
    """:func:`event_handlers` over a tree's attributes (:func:`attributes_of`)."""
    done = []
    for el, name, _ in attributes:
        if name[:2].lower() == "on":
            del el.attrib[name]
            done.append(f"{label(el)}: removed {name}")
    return done


def _is_url_attr(name: str) -> bool:
    return name in URL_ATTRS or name.endswith(_URLISH_SUFFIXES)


_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)


def _css_unescape(match: re.Match[str]) -> str:
    if match[1] is None:
        return match[2] or ""
    code = int(match[1], 16)
    return chr(code) if 0 < code < 0x110000 else ""


def _css_plain(value: str) -> str:
    """A style value as CSS reads it: entities and escapes decoded, comments
    gone (``expr/**/ession(``, ``\\65xpression(``, ``java\\script:``)."""
    if "&" not in value and "\\" not in value and "/*" not in value:
        return value  # nothing to decode: the usual inline style
    text = html.unescape(value)
    return _CSS_COMMENT.sub("", _CSS_ESCAPE.sub(_css_unescape, text))


#: Every threat holds one of these (lower case): a style without any of them
#: (and no entity that could spell one) holds no threat however spaced.
STYLE_MARKS: tuple[str, ...] = ("(", "v", "z")


def _style_is_bad(value: str) -> bool:
    plain = _css_plain(value)
    lowered = plain.lower()
    if "&" not in lowered and not any(mark in lowered for mark in STYLE_MARKS):
        return False  # the usual inline style (text-align, font-size...)
    text = urls.scheme_text(plain)
    return any(threat in text for threat in _STYLE_THREATS)


def _is_bad(name: str, value: str, prefixes: tuple[str, ...]) -> bool:
    if name == "srcdoc":
        return True
    if name == "style":
        return _style_is_bad(value)
    if name in urls.SRCSET_ATTRS:
        return any(urls.is_dangerous(u, prefixes) for u, _ in urls.split_srcset(value))
    return _is_url_attr(name) and urls.is_dangerous(value, prefixes)


#: Attribute names (lower case) :func:`_is_bad` can object to, besides those
#: :func:`_is_url_attr` accepts.
_CHECKED: frozenset[str] = URL_ATTRS | urls.SRCSET_ATTRS | {"srcdoc", "style"}


def _checked_as(name: str) -> str | None:
    """``name`` in lower case when its value can be dangerous, else None: most
    attributes are not addresses and are decided by the name alone."""
    lowered = name.lower()
    return lowered if lowered in _CHECKED or lowered.endswith(_URLISH_SUFFIXES) else None


# _checked_as by attribute name, as met (a dict lookup is cheaper than an
# lru_cache call); bounded for hostile input
_CHECKED_AS: dict[str, str | None] = {}
_CHECKED_AS_MAX = 4096


def dangerous_urls(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return dangerous_urls_in(attributes_of(root.iter(etree.Element)), settings)


def dangerous_urls_in(attributes: Iterable[Attribute], settings: CleanSettings) -> list[str]:
    """:func:`dangerous_urls` over a tree's attributes (:func:`attributes_of`)."""
    prefixes = settings.proxy_prefixes
    known = _CHECKED_AS
    done = []
    for el, name, value in attributes:
        lowered = known.get(name, "")
        if lowered == "":
            lowered = _checked_as(name)
            if len(known) < _CHECKED_AS_MAX:
                known[name] = lowered
        if lowered is not None and _is_bad(lowered, value, prefixes):
            del el.attrib[name]
            done.append(f"{label(el)}: removed {name}")
    return done
