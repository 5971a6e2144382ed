"""Cleaning rules that keep executable content out: scripts, styles, active
elements, event handlers and addresses with dangerous schemes.

Each rule takes the tree and the settings, edits the tree in place and
returns one line per change (see :mod:`articletool.html.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

from .. import urls
from .tree import elements, label, remove, tag, unwrap

if TYPE_CHECKING:
    from .clean import CleanSettings

#: Elements that execute or pull in active content; removed with their content.
ACTIVE_TAGS: frozenset[str] = frozenset(
    {"applet", "base", "embed", "frame", "frameset", "link", "meta", "param", "object"}
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
    for el in [e for e in elements(root) if tag(e) in wanted and e is not root]:
        done.append(f"removed <{label(el)}>")
        if tag(el) == "object":
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


def event_handlers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in elements(root):
        for name in [a for a in el.attrib if a.lower().startswith("on")]:
            del el.attrib[name]
            done.append(f"{label(el)}: removed {name}")
    return done


def _is_url_attr(name: str) -> bool:
    lowered = name.lower()
    return lowered in URL_ATTRS or lowered.endswith(_URLISH_SUFFIXES)


def dangerous_urls(root: HtmlElement, settings: CleanSettings) -> list[str]:
    prefixes = settings.proxy_prefixes
    done = []
    for el in elements(root):
        for name in list(el.attrib):
            value = el.get(name) or ""
            lowered = name.lower()
            if lowered == "srcdoc":
                bad = True
            elif lowered == "style":
                text = urls.scheme_text(value)
                bad = any(
                    s in text
                    for s in (
                        "expression(",
                        "javascript:",
                        "vbscript:",
                        "-moz-binding",
                        "behavior:",
                    )
                )
            elif lowered in urls.SRCSET_ATTRS:
                bad = any(urls.is_dangerous(u, prefixes) for u, _ in urls.split_srcset(value))
            else:
                bad = _is_url_attr(name) and urls.is_dangerous(value, prefixes)
            if bad:
                del el.attrib[name]
                done.append(f"{label(el)}: removed {name}")
    return done
