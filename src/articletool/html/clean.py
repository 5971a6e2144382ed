"""Clean a parsed body in place with named rules, and write it back out.

::

    from articletool.html.parse import parse_body
    from articletool.html.clean import CleanSettings, clean_tree, serialize_body

    root = parse_body(post.body)
    changes = clean_tree(root, CleanSettings())
    for change in changes:
        print(change.rule, change.detail)
    html = serialize_body(root, post.body)

Every edit is made by a rule of :data:`~articletool.html.rules.RULES` and
reported as a :class:`Change`, so ``clean --explain`` can say per file what
each rule did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from .. import urls
from ..errors import UsageError
from .rules import DEBRIS, RULES, Rule
from .tree import HIDDEN_TAGS, Census, Selector, tag

#: Front-matter fields that hold an image address.
IMAGE_FIELDS: tuple[str, ...] = ("headimg", "thumbnail", "cover")

_WS = re.compile(r"\s+")
# HTML5 void elements the parser does not know as void: their end tags are
# noise (browsers ignore them), so they are not written.
_VOID_END_TAGS = re.compile(r"</(?:source|track|wbr)>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """What ``clean`` does. Frozen and picklable, so workers can share it.

    ``select`` names the rules to run (empty: every default rule); ``ignore``
    removes rules from that set. ``extra_proxy_prefixes`` and
    ``extra_lazy_attrs`` extend :data:`articletool.urls.PROXY_PREFIXES` and
    :data:`articletool.urls.LAZY_ATTRS` (they are tried first).
    ``upgrade_http`` turns on the ``upgrade-http`` rule (off by default).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extra_proxy_prefixes: tuple[str, ...] = ()
    extra_lazy_attrs: tuple[str, ...] = ()
    upgrade_http: bool = False
    image_fields: tuple[str, ...] = IMAGE_FIELDS

    def __post_init__(self) -> None:
        unknown = sorted(n for n in {*self.select, *self.ignore} if n not in RULES)
        if unknown:
            raise UsageError(f"unknown clean rule {', '.join(unknown)}; known: {', '.join(RULES)}")

    @property
    def proxy_prefixes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.extra_proxy_prefixes, *urls.PROXY_PREFIXES)))

    @property
    def lazy_attrs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.extra_lazy_attrs, *urls.LAZY_ATTRS)))

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules that run, in registry order."""
        chosen = set(self.select) if self.select else {n for n, r in RULES.items() if r.default}
        if self.upgrade_http:
            chosen.add("upgrade-http")
        chosen -= set(self.ignore)
        return tuple(rule for name, rule in RULES.items() if name in chosen)


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: the rule that made it and what it did, in a few words."""

    rule: str
    detail: str


def clean_tree(root: HtmlElement, settings: CleanSettings | None = None) -> list[Change]:
    """Run the selected rules over ``root`` (from :func:`parse_body`), in place.

    Returns every change made, in the order made; an empty list means the
    tree is untouched.
    """
    settings = settings or CleanSettings()
    census = Census.of(root)
    changes: list[Change] = []
    for rule in settings.rules:
        if rule.needs(census):
            changes.extend(Change(rule.name, detail) for detail in rule.fn(root, settings))
    return changes


def serialize_body(root: HtmlElement, original: str) -> str:
    """Write a (cleaned) tree back as body text.

    Leading white space the parser dropped is restored. When the original
    body holds no literal ``{`` or ``}`` (the scraper writes them as
    ``&#123;``/``&#125;`` so Hexo's template engine leaves them alone), braces
    in the output are written that way too. End tags of ``<source>``,
    ``<track>`` and ``<wbr>`` (void elements) are not written.
    """
    parts = [root.text or ""]
    parts.extend(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in root
    )
    out = _VOID_END_TAGS.sub("", "".join(parts))
    lead = original[: len(original) - len(original.lstrip())]
    if lead and not out.startswith(lead):
        out = lead + out.lstrip()
    if "{" not in original and "}" not in original:
        out = out.replace("{", "&#123;").replace("}", "&#125;")
    return out


def _visible(el: HtmlElement, skip: tuple[Selector, ...]) -> Iterator[str]:
    if tag(el) in HIDDEN_TAGS or any(s.matches(el) for s in skip):
        return
    if el.text and isinstance(el.tag, str):
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            yield from _visible(child, skip)
        if child.tail:
            yield child.tail


def visible_text(root: HtmlElement, skip: Iterable[Selector] = DEBRIS) -> str:
    """The text a reader sees, with all white space removed: what the safety
    check compares. Elements matching ``skip`` (interactive debris such as
    "copy code" buttons) do not count."""
    return _WS.sub("", "".join(_visible(root, tuple(skip))))
