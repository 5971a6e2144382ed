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

    def possible(self, census: Census) -> bool:
        return (
            (self.tag is None or self.tag in census.tags)
            and self.classes <= census.classes
            and (self.id is None or self.id in census.ids)
            and all(name in census.attrs for name, _ in self.attrs)
        )

    def matches(self, el: HtmlElement) -> bool:
        name = el.tag
        if not isinstance(name, str):
            return False
        if self.tag is not None and name.lower() != self.tag:
            return False
        return self.matches_rest(el, None)

    def matches_rest(self, el: HtmlElement, classes: set[str] | None) -> bool:
        """:meth:`matches` for an element of the right tag; ``classes``, when
        given, is the set of its classes (computed once for several selectors)."""
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes:
            if classes is None:
                classes = set((el.get("class") or "").split())
            if not self.classes <= classes:
                return False
        for name, value in self.attrs:
            have = el.get(name)
            if have is None or (value is not None and have != value):
                return False
        return True


#: One attribute of a tree: (element, name, value).
Attribute = tuple[HtmlElement, str, str]


@dataclass(frozen=True, slots=True)
class Census:
    """What a tree holds, gathered in one pass: lets rules that cannot apply be
    skipped without searching the tree."""

    tags: frozenset[str]
    classes: frozenset[str]
    attrs: frozenset[str]
    ids: frozenset[str]
    #: The elements that have attributes, in document order.
    attributed: tuple[HtmlElement, ...] = ()
    #: Every attribute as (element, name, value), in document order.
    attributes: tuple[Attribute, ...] = ()

    @classmethod
    def of_elements(cls, elements: Iterable[HtmlElement]) -> Census:
        """The census of these elements (a tree's: ``root.iter(etree.Element)``)."""
        listed = elements if isinstance(elements, list) else list(elements)
        # comprehensions: cheaper than one loop of method calls on small trees
        tags = frozenset([el.tag for el in listed])  # the parser gives lower-case names
        found = [(el, items) for el in listed if (items := el.items())]
        attributes = tuple([(el, name, value) for el, items in found for name, value in items])
        classes = " ".join([value for _, name, value in attributes if name == "class"]).split()
        return cls(
            tags,
            frozenset(classes),
            frozenset([name for _, name, _ in attributes]),
            frozenset([value for _, name, value in attributes if name == "id" and value]),
            tuple([el for el, _ in found]),
            attributes,
        )

    def has_tag(self, *names: str) -> bool:
        return not self.tags.isdisjoint(names)


class Selectors:
    """A table of selectors, found in a tree with one walk.

    Each element is tried only against the selectors naming its tag (exactly:
    the parser gives lower-case names) and those naming none.
    """

    __slots__ = ("_by_tag", "_tags", "_untagged", "_untagged_attrs", "items")

    def __init__(self, items: Iterable[Selector]) -> None:
        self.items: tuple[Selector, ...] = tuple(items)
        self._untagged = tuple(s for s in self.items if s.tag is None)
        # Every selector without a tag needs one of these attributes.
        self._untagged_attrs = frozenset(
            name
            for s in self._untagged
            for name in (
                *(name for name, _ in s.attrs),
                *(("class",) if s.classes else ()),
                *(("id",) if s.id is not None else ()),
            )
        )
        by_tag: dict[str, tuple[Selector, ...]] = {}
        for s in self.items:
            if s.tag is not None:
                by_tag[s.tag] = (*by_tag.get(s.tag, ()), s)
        self._by_tag = {name: (*found, *self._untagged) for name, found in by_tag.items()}
        # Only these tags can match when every selector names one: lxml
        # walks just them.
        self._tags = tuple(sorted(by_tag)) if not self._untagged else None

    def __iter__(self) -> Iterator[Selector]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def matches(self, el: HtmlElement) -> bool:
        name = el.tag
        if not isinstance(name, str):
            return False
        # the selectors found by the lower-case tag match the tag
        return _any_matches(el, self._by_tag.get(name.lower(), self._untagged))

    def possible(self, census: Census) -> bool:
        """Whether anything in a tree with this census could match."""
        return any(s.possible(census) for s in self.items)

    def find(self, root: HtmlElement) -> list[HtmlElement]:
        """Matching elements below ``root``, in document order."""
        by_tag, untagged, needed = self._by_tag, self._untagged, self._untagged_attrs
        walk = root.iter(*self._tags) if self._tags is not None else root.iter(etree.Element)
        out = []
        for el in walk:
            if el is root or not isinstance(el, HtmlElement):
                continue
            # by the exact tag, so the selectors found by it match the tag
            found = by_tag.get(el.tag)
            if found is None:
                if needed.isdisjoint(el.keys()):
                    continue  # none of the selectors without a tag can match
                found = untagged
            if _any_matches(el, found):
                out.append(el)
        return out


def _any_matches(el: HtmlElement, candidates: tuple[Selector, ...]) -> bool:
    """Whether one of ``candidates`` (selectors of ``el``'s tag, or of none)
    matches ``el``; its classes are read once for all of them."""
    classes = None
    for s in candidates:
        if s.classes and classes is None:
            classes = set((el.get("class") or "").split())
        if s.matches_rest(el, classes):
            return True
    return False


def selectors(texts: Iterable[str]) -> Selectors:
    """Parse a table of selector strings."""
    return Selectors(Selector.parse(text) for text in texts)


def matching(root: HtmlElement, table: Iterable[Selector]) -> list[HtmlElement]:
    """Elements under ``root`` (not ``root`` itself) matching any selector, in
    document order."""
    rules = table if isinstance(table, Selectors) else Selectors(table)
    return rules.find(root) if len(rules) else []


def attributes_of(elements: Iterable[HtmlElement]) -> list[Attribute]:
    """Every attribute of these elements as (element, name, value), in order."""
    return [(el, name, value) for el in elements for name, value in el.items()]


def elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Every element (no comments or processing instructions), in document order."""
    return root.iter(etree.Element)  # type: ignore[no-any-return]


#: Beyond this many names, testing each element's tag in Python is cheaper
#: than lxml's ``iter(*names)``, which builds a matcher for them on every call.
_FEW_NAMES = 4


def tagged(root: HtmlElement, *names: str) -> list[HtmlElement]:
    """Elements below ``root`` with one of these tag names, in document order."""
    if len(names) <= _FEW_NAMES:
        return [el for el in root.iter(*names) if el is not root]
    wanted = frozenset(names)
    return [el for el in root.iter(etree.Element) if el.tag in wanted and el is not root]


def tag(el: HtmlElement) -> str:
    name = el.tag
    return name.lower() if isinstance(name, str) else ""


def label(el: HtmlElement) -> str:
    """``div#id.class1.class2``: how an element is named in ``--explain``."""
    name = el.tag
    out = (name.lower() if isinstance(name, str) else "") or "comment"
    ident = el.get("id")
    if ident:
        out += f"#{ident}"
    value = el.get("class")
    if value:
        classes = value.split()
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


def _shows_text(el: HtmlElement) -> bool:
    """Whether an element (not a hidden one) holds visible text: the first
    non-blank text node found decides, so a full element stops early."""
    text = el.text
    if text and not text.isspace():
        return True
    for child in el:
        name = child.tag
        if isinstance(name, str) and name.lower() not in HIDDEN_TAGS and _shows_text(child):
            return True
        tail = child.tail
        if tail and not tail.isspace():
            return True
    return False


def has_text(el: HtmlElement) -> bool:
    """Whether a reader sees any text (not just white space) inside ``el``."""
    name = el.tag
    if not isinstance(name, str):
        return not is_blank(el.text)  # a comment's or instruction's own text
    return name.lower() not in HIDDEN_TAGS and _shows_text(el)


def has_media(el: HtmlElement, also: frozenset[str] = frozenset()) -> bool:
    """Whether ``el`` is or holds an image, a player, a form control, a table..."""
    names = MEDIA_TAGS | also if also else MEDIA_TAGS
    # Testing each element's tag: lxml's iter(*names) builds a matcher for
    # the names on every call, which costs more than walking a small subtree.
    for node in el.iter(etree.Element):  # noqa: SIM110 - a loop is faster than any() here
        if node.tag in names:
            return True
    return False


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
        el.attrib.clear()
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
