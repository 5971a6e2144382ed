"""Small helpers over the lxml tree: element kinds, tiny selectors, edits.

The selectors are deliberately tiny (``tag``, ``.class``, ``#id``,
``[attr]``, ``[attr=value]``, combined without spaces) so that rule tables
stay readable and users can extend them without a CSS engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

#: Elements whose content browsers never show as text.
HIDDEN_TAGS: frozenset[str] = frozenset(
    {"script", "style", "template", "noscript", "svg", "head", "title", "meta", "link"}
)

#: Elements that show something without holding text.
MEDIA_TAGS: frozenset[str] = frozenset(
    {
        "img",
        "picture",
        "video",
        "audio",
        "iframe",
        "embed",
        "object",
        "svg",
        "canvas",
        "source",
        "input",
        "textarea",
        "select",
        "button",
        "hr",
        "table",
        "math",
    }
)

#: Block-level elements: they start a new line of text.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "video",
        "iframe",
    }
)

#: Blocks that may hold a paragraph (where an image wrapper can become ``<p>``).
FLOW_CONTAINERS: frozenset[str] = frozenset(
    {
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "dialog",
        "div",
        "figure",
        "footer",
        "header",
        "li",
        "main",
        "nav",
        "section",
        "td",
        "th",
    }
)

_SELECTOR = re.compile(
    r"(?P<tag>[a-zA-Z][\w-]*)?"
    r"(?P<rest>(?:\.[\w-]+|#[\w-]+|\[[\w:-]+(?:=[^\]]*)?\])*)$"
)
_PART = re.compile(r"\.([\w-]+)|#([\w-]+)|\[([\w:-]+)(?:=([^\]]*))?\]")


@dataclass(frozen=True, slots=True)
class Selector:
    """``tag.class#id[attr][attr=value]``: every part given must match."""

    text: str
    tag: str | None
    classes: frozenset[str]
    id: str | None
    attrs: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Selector:
        match = _SELECTOR.match(text.strip())
        if match is None or not text.strip():
            raise ValueError(f"unsupported selector: {text!r}")
        classes: set[str] = set()
        ident: str | None = None
        attrs: list[tuple[str, str | None]] = []
        for klass, hashed, attr, value in _PART.findall(match.group("rest")):
            if klass:
                classes.add(klass)
            elif hashed:
                ident = hashed
            else:
                attrs.append((attr.lower(), value.strip("\"'") if value else None))
        tag = match.group("tag")
        return cls(text, tag.lower() if tag else None, frozenset(classes), ident, tuple(attrs))

    def matches(self, el: HtmlElement) -> bool:
        if not isinstance(el.tag, str):
            return False
        if self.tag is not None and el.tag.lower() != self.tag:
            return False
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes and not self.classes <= set((el.get("class") or "").split()):
            return False
        for name, value in self.attrs:
            have = el.get(name)
            if have is None or (value is not None and have != value):
                return False
        return True


def selectors(texts: Iterable[str]) -> tuple[Selector, ...]:
    """Parse a table of selector strings."""
    return tuple(Selector.parse(text) for text in texts)


def matching(root: HtmlElement, table: Iterable[Selector]) -> list[HtmlElement]:
    """Elements under ``root`` (not ``root`` itself) matching any selector, in order."""
    rules = tuple(table)
    return [el for el in elements(root) if el is not root and any(s.matches(el) for s in rules)]


def elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Every element (no comments or processing instructions), in document order."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def tag(el: HtmlElement) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def label(el: HtmlElement) -> str:
    """``div#id.class1.class2``: how an element is named in ``--explain``."""
    out = tag(el) or "comment"
    ident = el.get("id")
    if ident:
        out += f"#{ident}"
    classes = (el.get("class") or "").split()
    if classes:
        out += "." + ".".join(classes[:3])
    return out


def is_blank(text: str | None) -> bool:
    """Nothing but white space (including no-break and ideographic spaces)."""
    return not text or not text.strip()


def text_content(el: HtmlElement) -> Iterator[str]:
    """The text nodes a reader sees inside ``el`` (hidden elements skipped)."""
    if tag(el) in HIDDEN_TAGS:
        return
    if el.text and isinstance(el.tag, str):
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            yield from text_content(child)
        if child.tail:
            yield child.tail


def has_text(el: HtmlElement) -> bool:
    return any(not is_blank(part) for part in text_content(el))


def has_media(el: HtmlElement, also: frozenset[str] = frozenset()) -> bool:
    wanted = MEDIA_TAGS | also
    return any(tag(d) in wanted for d in el.iter() if d is not el) or tag(el) in wanted


def remove(el: HtmlElement) -> None:
    """Remove ``el`` and its content, keeping the text that follows it."""
    el.drop_tree()


def unwrap(el: HtmlElement) -> None:
    """Replace ``el`` with its content (text, children and tail are kept)."""
    el.drop_tag()


def replace_with_paragraph(el: HtmlElement) -> str:
    """Turn a wrapper into a plain ``<p>`` holding its children (when its parent
    may hold a paragraph), or unwrap it in place. Returns what was done."""
    parent = el.getparent()
    if parent is not None and tag(parent) in FLOW_CONTAINERS:
        tail = el.tail
        attrs = list(el.attrib)
        for name in attrs:
            del el.attrib[name]
        el.tag = "p"
        el.tail = tail
        if is_blank(el.text):
            el.text = None
        for child in el:
            if is_blank(child.tail):
                child.tail = None
        return "became <p>"
    unwrap(el)
    return "unwrapped"


def is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)
