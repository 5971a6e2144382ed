"""Plain text from a body tree, laid out the way a browser shows it.

Paragraphs (every block element, and bare text between blocks) are
separated by one blank line; ``<br>`` ends a line; ``<pre>`` keeps its white
space. Elsewhere white space collapses as in a browser: a run of spaces, tabs
and newlines becomes one space, except that a line break between two East
Asian wide characters disappears (CSS Text 3's segment-break rule, extended
to Chinese quotation marks, which Unicode calls ambiguous), so
Chinese and Japanese text comes out exactly as written, with no spaces
inserted. No-break and ideographic spaces are kept.
"""

from __future__ import annotations

import re
import unicodedata

from lxml.html import HtmlElement

from articletool.html.tree import BLOCK_TAGS, HIDDEN_TAGS, tag

#: Elements whose inner text is fallback content, not shown.
_OPAQUE: frozenset[str] = HIDDEN_TAGS | {"iframe", "video", "audio", "object", "canvas", "img"}
#: Elements that start their own paragraph: the shared block tags, less the
#: ones this module treats on their own (cells, preformatted text, media) and
#: the document wrappers the parser never leaves in a body.
_BLOCKS: frozenset[str] = BLOCK_TAGS - {"td", "th", "pre", "video", "iframe", "body", "html"}
_CELLS = frozenset({"td", "th"})
_BREAK = "\x00"  # a hard line break while a paragraph is being built (never in text)
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _width(char: str) -> str:
    """East Asian width class of ``char``: ``W`` wide, ``A`` ambiguous, ``N`` other."""
    if not char:
        return "N"
    code = ord(char)
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xAC00 <= code <= 0xD7AF:
        return "N"  # Hangul separates words with spaces
    width = unicodedata.east_asian_width(char)
    return "W" if width in ("W", "F", "H") else "A" if width == "A" else "N"


def _joins(before: str, after: str) -> bool:
    """A line break between these two characters disappears: both are wide, or
    one is wide and the other ambiguous (Chinese quotes such as ``“”``)."""
    pair = {_width(before), _width(after)}
    return pair <= {"W", "A"} and "W" in pair


def collapse(text: str) -> str:
    """Collapse white space like a browser (see the module's description)."""

    def replace(match: re.Match[str]) -> str:
        run = match.group()
        if "\n" in run or "\r" in run:
            before = text[match.start() - 1] if match.start() else ""
            after = text[match.end()] if match.end() < len(text) else ""
            if _joins(before, after):
                return ""
        return " "

    if "\n" not in text and "\r" not in text:
        return _COLLAPSIBLE.sub(" ", text)  # no line break to judge: the quick way
    return _COLLAPSIBLE.sub(replace, text)


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.pieces: list[str] = []

    def add(self, text: str | None) -> None:
        if text:  # never holds _BREAK: lxml text cannot hold NUL
            self.pieces.append(text)

    def hard_break(self) -> None:
        self.pieces.append(_BREAK)

    def flush(self) -> None:
        if not self.pieces:
            return
        soft = collapse("".join(self.pieces))
        self.pieces = []
        lines = [line.strip(" ") for line in soft.split(_BREAK)]
        paragraph = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
        if paragraph.strip():
            self.blocks.append(paragraph)

    def verbatim(self, text: str) -> None:
        self.flush()
        text = text.strip("\n").rstrip()
        if text.strip():
            self.blocks.append(text)


def _pre_text(el: HtmlElement) -> str:
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        name = tag(node)
        if name == "br":
            parts.append("\n")
        elif name not in _OPAQUE and node.text:
            parts.append(node.text)
        if name not in _OPAQUE:
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
                if child.tail:
                    parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _walk(el: HtmlElement, out: _Builder) -> None:
    name = el.tag  # the parser gives lower-case names
    if name == "br":
        out.hard_break()
        return
    if name in _OPAQUE:
        return
    if name == "pre":
        out.verbatim(_pre_text(el))
        return
    block = name in _BLOCKS
    if block:
        out.flush()
    elif name in _CELLS:
        out.add(" ")
    out.add(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, out)  # a block child flushes its own paragraph
        out.add(child.tail)
    if block:
        out.flush()


def to_text(root: HtmlElement) -> str:
    """The plain text of ``root`` (from :func:`~articletool.html.parse.parse_body`)."""
    out = _Builder()
    _walk(root, out)
    out.flush()
    return "\n\n".join(out.blocks)
