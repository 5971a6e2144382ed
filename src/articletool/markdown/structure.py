"""The tree as the Markdown converter reads it: tag tables and small readers.

The tables say which elements vanish, which hold no text, which a browser
would take out of an ``<svg>``; the readers get a ``<pre>``'s code, the text
of an element, and the rows of a table that a GFM pipe table can hold.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

Element = etree._Element

#: Elements whose content never shows as text.
SKIP_TAGS: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "video", "audio",
        "object", "embed", "canvas", "head", "title", "meta", "link", "base", "source",
        "track", "param", "map", "area",
    }
)  # fmt: skip
#: HTML elements a browser takes out of an ``<svg>`` (HTML's "breakout" tags);
#: lxml leaves them inside, so an unclosed ``<svg>`` would swallow the body.
BREAKOUT_TAGS: frozenset[str] = frozenset(
    {
        "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt",
        "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "listing",
        "menu", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
        "sub", "sup", "table", "tt", "u", "ul", "var", "font", "a",
    }
)  # fmt: skip
#: Elements whose text a code span or block never takes.
NO_TEXT_TAGS = SKIP_TAGS | {"svg"}
#: Elements that start and end a paragraph and otherwise vanish.
CONTAINER_TAGS: frozenset[str] = frozenset(
    {
        "div", "p", "section", "article", "main", "header", "footer", "aside", "nav",
        "figure", "figcaption", "center", "address", "details", "summary", "form",
        "fieldset", "legend", "body", "html", "dl", "dt", "dd", "caption", "hgroup",
        "tbody", "thead", "tfoot", "tr", "td", "th", "colgroup", "col",
    }
)  # fmt: skip
#: Block structures that become plain text where only inline content fits
#: (headings, table cells, link text).
STRUCTURE_TAGS: frozenset[str] = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dir", "menu", "li", "table", "pre",
     "blockquote", "hr"}
)  # fmt: skip


def code_classes(el: Element) -> Iterator[str]:
    yield el.get("class") or ""
    for code in el.iterchildren("code"):
        yield code.get("class") or ""


def text_nodes(el: Element) -> Iterator[str]:
    """Every text node below ``el`` that would show, in document order."""
    walk = etree.iterwalk(el, events=("start", "end"))
    for event, node in walk:
        skipped = not isinstance(node.tag, str) or node.tag.lower() in NO_TEXT_TAGS
        if event == "start":
            if skipped:
                walk.skip_subtree()
            elif node.text:
                yield node.text
        elif node is not el and node.tail:
            yield node.tail


def pre_text(el: Element) -> Iterator[str]:
    """A ``<pre>``'s code: text as written, ``<br>`` as a line break.

    Pages such as Dockone's write ``<br>`` *and* a newline after each line;
    that pair counts as one line break.
    """
    walk = etree.iterwalk(el, events=("start", "end"))
    for event, node in walk:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if not tag or tag in NO_TEXT_TAGS:
                walk.skip_subtree()
            elif tag == "br":
                yield "\n"
            elif node.text:
                yield node.text
        elif node is not el and node.tail:
            tail = node.tail
            yield tail[1:] if tag == "br" and tail.startswith("\n") else tail


_TABLE_PARTS = {
    "table": ("caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"),
    "thead": ("tr",),
    "tbody": ("tr",),
    "tfoot": ("tr",),
    "tr": ("td", "th"),
    "colgroup": ("col",),
}


def table_rows(table: Element) -> Iterator[list[Element]]:
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in ("thead", "tbody", "tfoot"):
            yield from table_rows(child)
        elif tag == "tr":
            cells = [c for c in child if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            if cells:
                yield cells


#: Blocks a GFM cell cannot hold (its content is one line).
_COMPLEX_IN_CELL = (
    "table", "ul", "ol", "dl", "pre", "blockquote", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
)  # fmt: skip
#: Paragraphs a cell may hold one of (two would run together on one line).
_PARAGRAPHS = ("p", "div", "section")


def is_grid(rows: list[list[Element]]) -> bool:
    """Whether a table's rows make a data grid: two rows or more, one of them
    with two cells or more. A table of one cell, one row or one column lays
    out a page (forum posts, site builders) and holds blocks, not data."""
    return len(rows) >= 2 and max(len(cells) for cells in rows) >= 2


def span(value: str | None) -> int:
    """A ``colspan``/``rowspan`` as a browser reads it (1 when absent or
    unreadable; at most 1000)."""
    text = (value or "").strip()
    return min(int(text), 1000) if text.isdigit() and int(text) > 0 else 1


def well_formed(el: Element) -> bool:
    """Table parts hold only the parts they may (``td`` straight in ``table``
    or text between rows would be lost to the pipe table)."""
    allowed = _TABLE_PARTS[str(el.tag).lower()]
    if el.text and el.text.strip():
        return False
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if child.tail and child.tail.strip():
            return False
        if not tag:
            continue
        if tag not in allowed:
            return False
        if tag in _TABLE_PARTS and not well_formed(child):
            return False
    return True


def simple_table(table: Element, rows: list[list[Element]]) -> bool:
    """A table GFM can hold: well formed, no spans, no block structures in
    cells, no cell with two paragraphs."""
    if not well_formed(table):
        return False
    for cells in rows:
        for cell in cells:
            if span(cell.get("rowspan")) != 1 or span(cell.get("colspan")) != 1:
                return False
            if next(cell.iter(*_COMPLEX_IN_CELL), None) is not None:
                return False
            paragraphs = cell.iter(*_PARAGRAPHS)
            if next(paragraphs, None) is not None and next(paragraphs, None) is not None:
                return False
    return True
