"""Lay a body out so that Hexo's Markdown pass hands it to the reader as written.

::

    from articletool.cleaning.hexo_layout import lay_out, markdown_blocks

    body, details = lay_out(body)      # details: one line per kind of change
    markdown_blocks(body)              # () when marked passes the whole body through

Hexo renders every post with hexo-renderer-marked, raw HTML included. marked
(CommonMark's HTML blocks) passes an HTML block through untouched only up to
the next blank line; after it, a line indented four spaces is a code block
(its markup shown as text) and any other line that does not open a block
element is a Markdown paragraph (emphasis, backslash escapes, smartypants,
and with Hexo's ``breaks: true`` a ``<br>`` for every newline). Hexo itself
turns a line starting with three backticks or tildes into a code block before
marked runs, inside HTML too. A body whose first line opens a block element
(the RSS bot wraps every body in ``<div>``) and that holds no blank line is
one HTML block: marked passes all of it through.

:func:`lay_out` writes a body that marked does not pass through whole (or that
holds a code fence) so, without changing what a browser shows:

- in text, a run of white space that holds a line break keeps only its first
  line break (and the spaces before it): blank lines and indentation go.
  Collapsible white space with a line break shows the same however long;
- inside ``<pre>``, ``<listing>``, ``<textarea>``, ``<title>`` and elements
  styled ``white-space: pre``/``pre-wrap``/``pre-line``/``break-spaces``,
  where every character counts, a line break that would end a blank line is
  written ``&#10;`` (the parser reads the same character back), and so is one
  inside an attribute value; indentation there stays;
- a line that starts (after its indentation) with `````` or ``~~~`` gets its
  first character written ``&#96;``/``&#126;``;
- blank lines inside comments and between a tag's attributes are dropped.

The content of ``<script>``, ``<style>``, ``<xmp>``, ``<noembed>``,
``<noframes>`` and ``<plaintext>`` is left as it is: character references mean
nothing there. :func:`markdown_blocks` then says what marked still reads as
Markdown, which is what the safety check asks.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import NamedTuple

#: The name of the cleaning rule that runs :func:`lay_out`.
NAME = "hexo-layout"

#: Elements whose content is raw text: left as written.
_RAW_TEXT = frozenset({"script", "style", "xmp", "noembed", "noframes", "plaintext"})
#: Elements whose content is text, character references read.
_ESCAPABLE_RAW_TEXT = frozenset({"textarea", "title"})
#: Elements whose content has no nested element of their own kind.
_FLAT = _RAW_TEXT | _ESCAPABLE_RAW_TEXT
#: An element whose content is text (or raw text), as a whole.
_TEXT_ONLY = (
    r"<(?P<text_only>textarea|title|script|style|xmp|noembed|noframes|plaintext)(?=[\s/>])"
    r"[^>]*>.*?(?:</(?P=text_only)\s*>|\Z)"
)
#: Markup that needs more than its text laid out: comments, elements whose
#: white space counts, tags spread over lines. Text between is for _TEXT_FIX.
_SCAN = re.compile(
    r"<(?:(?P<comment>!--.*?(?:-->|\Z))"
    r"|(?P<keep>pre|listing|textarea|title|script|style|xmp|noembed|noframes|plaintext)"
    r"(?=[\s/>])[^>]*>"
    r"|(?P<tag>[a-z/!?][^<>\n]*\n[^<>]*>))",
    re.IGNORECASE | re.DOTALL,
)
#: _SCAN, for a body that mentions ``white-space``: also an element styled
#: to keep its white space.
_SCAN_STYLED = re.compile(
    _SCAN.pattern[:-1]
    + r"|(?P<styled>[a-z][^\s/>]*)\s[^>]*white-space\s*:\s*(?:pre|break-spaces)[^>]*>)",
    re.IGNORECASE | re.DOTALL,
)
#: In text, what changes: a line break followed by more white space (blank
#: lines, indentation), or by a code fence.
_TEXT_FIX = re.compile(r"\n[ \t\n\r\f]*(?P<fence>```|~~~)|\n[ \t\n\r\f]+")
#: White space opening the body before its first line's content.
_LEAD = re.compile(r"[ \t\r\f]+(?=[^ \t\r\f\n])")
_RUN = re.compile(r"[ \t\r\f]*\n[ \t\n\r\f]*")
_QUOTED = re.compile(r"(\"[^\"]*\"|'[^']*')")
_BLANK_IN_COMMENT = re.compile(r"\n[ \t\r\f]*(?=\n)")
#: The markup inside an element that keeps its white space: elements whose
#: content is text, comments and tags.
_MARKUP = re.compile(
    r"(?P<rcopen><(?P<rc>textarea|title)(?=[\s/>])[^>]*>)(?P<rcbody>.*?)(?P<rcclose></(?P=rc)\s*>|\Z)"
    r"|<(?P<raw>script|style|xmp|noembed|noframes|plaintext)(?=[\s/>])[^>]*>.*?(?:</(?P=raw)\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)|<[^<>]*>",
    re.IGNORECASE | re.DOTALL,
)
#: Where a line's indentation (and blockquote marks, as Hexo reads them) ends
#: before a code fence.
_FENCE = re.compile(r"[ \t]*(?:>[ \t]*){0,3}(?=```|~~~)")
_FENCE_ENTITY = {"`": "&#96;", "~": "&#126;"}


def _end_of(body: str, name: str, start: int) -> tuple[int, int]:
    """Where the content of the element ``name`` opened just before ``start``
    ends, and where its end tag ends (``len(body)`` twice when it is not closed)."""
    if name.lower() in _FLAT:
        pattern = re.compile(rf"<(?P<end>/){re.escape(name)}(?=[\s/>])[^>]*>", re.IGNORECASE)
    else:  # nested elements of its kind count; text-only elements inside are skipped
        pattern = re.compile(
            rf"{_TEXT_ONLY}|<(?P<end>/?){re.escape(name)}(?=[\s/>])[^>]*>",
            re.IGNORECASE | re.DOTALL,
        )
    depth = 1
    for match in pattern.finditer(body, start):
        if match["end"] is None:
            continue  # a text-only element
        if match["end"]:
            depth -= 1
            if depth == 0:
                return match.start(), match.end()
        elif name.lower() not in _FLAT:
            depth += 1
    return len(body), len(body)


def _keep_lines(text: str, blank: bool, tally: Counter[str], what: str) -> tuple[str, bool]:
    """``text`` (where white space counts) with each line break that would end
    a line of spaces and tabs written ``&#10;``, and each line-opening code
    fence's first character as a character reference. ``blank`` says whether
    the line ``text`` starts in holds only spaces and tabs so far; returned
    for the line it ends in."""
    if "\n" not in text:
        return text, blank and not text.strip(" \t")
    pieces = text.split("\n")
    out = [pieces[0]]
    blank = blank and not pieces[0].strip(" \t")
    for piece in pieces[1:]:
        if blank:
            out.append("&#10;")
            tally[f"{what}: blank line written as &#10;"] += 1
            blank = False
        else:
            out.append("\n")
            fence = _FENCE.match(piece)
            if fence is not None:
                at = fence.end()
                piece = piece[:at] + _FENCE_ENTITY[piece[at]] + piece[at + 1 :]
                tally[f"{what}: code fence's first character written as a reference"] += 1
            blank = True
        out.append(piece)
        if piece.strip(" \t"):
            blank = False
    return "".join(out), blank


def _tag(token: str, tally: Counter[str]) -> str:
    """A tag spread over lines: no blank line or indentation between its
    attributes, blank lines inside its values written with ``&#10;``."""
    parts = _QUOTED.split(token)
    for i, part in enumerate(parts):
        if i % 2:
            parts[i] = _keep_lines(part, False, tally, "attribute value")[0]
        elif "\n" in part:
            parts[i] = _RUN.sub("\n", part)
    new = "".join(parts)
    if new != token:
        tally["tag: white space between attributes made one line break"] += 1
    return new


def _comment(token: str, tally: Counter[str]) -> str:
    new, n = _BLANK_IN_COMMENT.subn("", token)
    if n:
        tally["comment: blank line removed"] += n
    return new


def _kept(content: str, tally: Counter[str], what: str) -> str:
    """The content of an element that keeps its white space, laid out."""
    out = []
    blank = False  # the start tag stands on the content's first line
    pos = 0
    for match in _MARKUP.finditer(content):
        text, blank = _keep_lines(content[pos : match.start()], blank, tally, what)
        out.append(text)
        part = match[0]
        if match["rc"]:  # a textarea inside: text only
            inner, _ = _keep_lines(match["rcbody"], False, tally, what)
            part = match["rcopen"] + inner + match["rcclose"]
        elif "\n" in part and not match["raw"]:
            part = _comment(part, tally) if part.startswith("<!--") else _tag(part, tally)
        out.append(part)
        blank = False
        pos = match.end()
    out.append(_keep_lines(content[pos:], blank, tally, what)[0])
    return "".join(out)


def _text(text: str, tally: Counter[str], closes_body: bool) -> str:
    """Text outside the elements whose white space counts, laid out: each run
    of white space holding a line break keeps the spaces before its first
    line break and that line break; a line-opening code fence's first
    character is written as a reference. A run that closes the body, which
    nothing follows, stays."""

    def fix(match: re.Match[str]) -> str:
        if closes_body and match.end() == len(text):
            return match[0]
        run = match[0]
        fence = match["fence"]
        if fence:
            run = run[: -len(fence)]
            tally["code fence's first character written as a reference"] += 1
        blank = run.count("\n") - 1
        if blank:
            tally["blank line removed"] += blank
        if run[-1] != "\n":
            tally["indentation removed"] += 1
        return "\n" + (_FENCE_ENTITY[fence[0]] + fence[1:] if fence else "")

    return _TEXT_FIX.sub(fix, text)


def lay_out(body: str) -> tuple[str, list[str]]:
    """``body`` laid out so that Hexo's Markdown pass leaves it alone (see the
    module's docstring), and one line per kind of change, with its count.

    A body that marked already passes through whole (:func:`markdown_blocks`
    finds nothing) and that holds no code fence is returned as it is: its
    indentation means nothing to marked inside an HTML block, and leaving it
    spares the rewrite (and the safety check of a rewrite) of about one post
    in ten of the corpus, which otherwise made ``clean --check`` 10% slower.
    """
    if "```" not in body and "~~~" not in body and not markdown_blocks(body):
        return body, []  # Hexo passes it through as it is
    scan = _SCAN_STYLED if "white-space" in body else _SCAN
    tally: Counter[str] = Counter()
    out: list[str] = []
    pos = 0
    lead = _LEAD.match(body)
    if lead is not None:
        tally["indentation removed"] += 1
        pos = lead.end()
    while (match := scan.search(body, pos)) is not None:
        out.append(_text(body[pos : match.start()], tally, False))
        pos = match.end()
        kind = match.lastgroup
        token = match[0]
        if kind == "comment":
            out.append(_comment(token, tally))
        elif kind == "tag":
            out.append(_tag(token, tally))
        else:  # an element whose white space counts
            name = match[kind or "keep"]
            out.append(_tag(token, tally) if "\n" in token else token)
            end, after = _end_of(body, name, pos)
            content = body[pos:end]
            what = f"<{name.lower()}>"
            if name.lower() in _ESCAPABLE_RAW_TEXT:  # text only, markup and all
                content = _keep_lines(content, False, tally, what)[0]
            elif name.lower() not in _RAW_TEXT:
                content = _kept(content, tally, what)
            out.append(content)
            out.append(body[end:after])
            pos = after
    out.append(_text(body[pos:], tally, True))
    if not tally:
        return body, []
    return "".join(out), [f"{what} ({n})" for what, n in tally.items()]
    out.append(body[pos:])
    if not tally:
        return body, []
    return "".join(out), [f"{what} ({n})" for what, n in tally.items()]


# --- how marked reads a body ----------------------------------------------

#: marked's block elements (its HTML blocks of kind 6), as in marked 4.
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd"
    "|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset"
    "|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|meta|nav"
    "|noframes|ol|optgroup|option|p|param|section|source|summary|table|tbody|td|tfoot|th"
    "|thead|title|tr|track|ul"
)
_ATTR = r"""(?: +[a-zA-Z:_][\w.:-]*(?: *= *"[^"\n]*"| *= *'[^'\n]*'| *= *[^\s"'=<>`]+)?)"""
#: The start of an HTML block, by kind (CommonMark's seven, as marked 4 writes them).
_HTML_START = re.compile(
    r" {0,3}(?:"
    r"<(?P<raw>script|pre|style|textarea)[\s>]"
    r"|(?P<comment><!--(?!-?>))"
    r"|(?P<pi><\?)"
    r"|(?P<decl><![A-Z])"
    r"|(?P<cdata><!\[CDATA\[)"
    rf"|(?P<block></?(?:{_BLOCK_NAMES})(?: +|\n|/?>))"
    r"|(?P<alone>(?:<(?!script|pre|style|textarea)[a-z][\w-]*" + _ATTR + r"*? */?>"
    r"|</(?!script|pre|style|textarea)[a-z][\w-]*\s*>)[ \t]*(?:\n|\Z))"
    r")",
    re.IGNORECASE | re.ASCII,
)
#: What ends an HTML block of each kind (after it: the rest of the line, for some).
_HTML_END = {
    "comment": re.compile(r"-->[^\n]*(?:\n+|\Z)|\Z"),
    "pi": re.compile(r"\?>\n*|\Z"),
    "decl": re.compile(r">\n*|\Z"),
    "cdata": re.compile(r"\]\]>\n*|\Z"),
    "block": re.compile(r"(?:\n *)+\n|\Z"),
    "alone": re.compile(r"(?:\n *)+\n|\Z"),
}
#: A line that ends a Markdown paragraph: an HTML block of kinds 1, 2 or 6, or a blank line.
_INTERRUPT = re.compile(
    rf" {{0,3}}(?:</?(?:{_BLOCK_NAMES})(?: +|\n|/?>)|<(?:script|pre|style|textarea|!--))"
    r"| *(?:\n|\Z)",
    re.IGNORECASE | re.ASCII,
)
_SPACE = re.compile(r"(?: *\n)*")
_BLANK_LINE = re.compile(r" *(?:\n|\Z)")
_LEADING_TABS = re.compile(r"^( *)(\t+)", re.MULTILINE)
_BLANK = re.compile(r"\n *\n")
_MARKDOWN_SYNTAX = re.compile(r"[*_`\\~]")


class MarkdownBlock(NamedTuple):
    """A part of a body that marked reads as Markdown: the body line it
    starts on, ``"indented code"`` or ``"paragraph"``, its source, and
    where that starts in the body as marked reads it (line breaks as
    ``\\n``, leading tabs as four spaces each)."""

    line: int
    kind: str
    text: str
    start: int


def _skip_space(src: str, pos: int) -> int:
    """``pos`` past the blank lines that start there."""
    match = _SPACE.match(src, pos)
    return match.end() if match is not None else pos


def _raw_end(src: str, name: str, start: int) -> int:
    """Where an HTML block opened by ``<name`` (script, pre, style, textarea)
    ends: after the line of the first ``</name>`` that has a line break after it."""
    end = re.compile(rf"</{name}>[^\n]*\n+", re.IGNORECASE).search(src, start)
    return end.end() if end is not None else len(src)


def _markdown_end(src: str, start: int, indented: bool) -> int:
    """Where the Markdown block starting at ``start`` ends: an indented code
    block at the first line indented less than four spaces, anything else
    at a blank line or a line that opens an HTML block of kinds 1, 2 or 6."""
    pos = src.find("\n", start)
    while pos >= 0:
        line = pos + 1
        if indented:
            if not (src.startswith("    ", line) or _BLANK_LINE.match(src, line)):
                return line
        elif _INTERRUPT.match(src, line):
            return line
        pos = src.find("\n", line)
    return len(src)


def _marked_source(body: str) -> str:
    """``body`` as marked's block pass starts from: line breaks as ``\\n``,
    leading tabs as four spaces each."""
    src = body.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in src:
        src = _LEADING_TABS.sub(lambda m: m[1] + "    " * len(m[2]), src)
    return src


def hexo_view(body: str) -> str:
    """``body`` as HTML that shows what Hexo shows of it, roughly: each part
    marked reads as an indented code block escaped into text (its markup
    shown as written); in each part read as a Markdown paragraph the
    characters Markdown may read as syntax (``*``, ``_``, `````, ``\\``,
    ``~``) taken as lost; the rest, which Hexo passes through, as it is."""
    blocks = markdown_blocks(body)
    if not blocks:
        return body
    src = _marked_source(body)
    out = []
    pos = 0
    for block in blocks:
        out.append(src[pos : block.start])
        if block.kind == "indented code":
            out.append(html.escape(block.text, quote=False))
        else:
            out.append(_MARKDOWN_SYNTAX.sub("", block.text))
        pos = block.start + len(block.text)
    out.append(src[pos:])
    return "".join(out)


def markdown_blocks(body: str) -> tuple[MarkdownBlock, ...]:
    """The parts of ``body`` that marked (hexo-renderer-marked) reads as
    Markdown instead of passing through as HTML, in order; ``()`` when every
    part is an HTML block. A model of marked 4's block pass for HTML
    documents: its HTML blocks by the rules above, anything else Markdown."""
    src = _marked_source(body)
    pos = _skip_space(src, 0)
    first = _HTML_START.match(src, pos)
    if first is not None and first.lastgroup in ("block", "alone") and not _BLANK.search(src, pos):
        return ()  # the usual laid-out post: one HTML block
    found: list[MarkdownBlock] = []
    while pos < len(src):
        start = _HTML_START.match(src, pos)
        if start is not None:
            kind = start.lastgroup or ""
            if kind == "raw":
                pos = _raw_end(src, start["raw"], start.end())
            else:
                closing = _HTML_END[kind].search(src, start.end())
                pos = closing.end() if closing is not None else len(src)
        else:
            indented = src.startswith("    ", pos)
            end = _markdown_end(src, pos, indented)
            kind = "indented code" if indented else "paragraph"
            found.append(MarkdownBlock(src.count("\n", 0, pos) + 1, kind, src[pos:end], pos))
            pos = end
        pos = _skip_space(src, pos)
    return tuple(found)
