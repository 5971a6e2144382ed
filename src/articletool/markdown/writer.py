"""HTML body to CommonMark/GFM Markdown, in one pass over an lxml tree.

:class:`MarkdownConverter` has one ``convert_<tag>`` method per element,
found by name through a dispatch table built once per class; the options live
in one frozen :class:`MarkdownOptions`. The tree is the one
:func:`articletool.html.parse.parse_body` gave (cleaned or not): nothing here
parses HTML again.

What comes out:

* wrapper elements (``div``, ``section``...) vanish; text that sits bare
  between blocks becomes its own paragraph; nothing is hard-wrapped;
* text is escaped only where CommonMark would read it as syntax;
  emphasis is ``**``/``*`` where that renders and ``<strong>``/``<em>``
  where CommonMark's flanking rules refuse it (``文**“引号”**文``);
* what Markdown has no syntax for is inline HTML: ``<sup>``, ``<sub>``,
  ``<u>``, ``<mark>``, ``<kbd>``, ``<del>``, ``<s>``; media players are HTML
  blocks written by :func:`.media.player_html` from what the tree says
  (addresses unproxied and checked, only the attributes a player needs);
  a data table GFM cannot hold (spans, blocks in a cell) is an HTML table
  whose cells are Markdown; a table that lays out a page (one cell, one row
  or one column) is unwrapped into its blocks. With ``html=False`` no HTML
  is written at all: plain text, ``^``/``_``/``~~``, a link to the player;
* link and image destinations are escaped so no text can end them early,
  and ``javascript:``, ``vbscript:`` and ``data:`` links never appear (the
  link goes, its text stays);
* ``{`` and ``}`` outside code become ``&#123;``/``&#125;`` by default, as
  the posts write them, which keeps Hexo's template engine away and which
  CommonMark decodes back; code keeps them literal (entities do not work
  there).

Helpers: :mod:`.md_escape` (escaping, safe destinations), :mod:`.md_inline`
(a paragraph's tokens and its emphasis), :mod:`.md_tree` (tag tables, code
text, table shapes).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from lxml import etree

from articletool import urls
from articletool.html.media import PLAYER_TAGS, Player, player_html, player_of
from articletool.markdown.escape import (
    HTML_SPACE,
    HTML_SPACE_CHARS,
    escape_alt,
    escape_line_start,
    escape_text,
    escape_title,
    escape_url,
    safe_url,
)
from articletool.markdown.inline import BREAK, Code, Delim, Tag, Token, resolve
from articletool.markdown.structure import (
    BREAKOUT_TAGS,
    CONTAINER_TAGS,
    SKIP_TAGS,
    STRUCTURE_TAGS,
    code_classes,
    is_grid,
    pre_text,
    simple_table,
    span,
    table_rows,
    text_nodes,
    well_formed,
)

Element = etree._Element
Handler = Callable[["MarkdownConverter", Element, "_Builder"], None]
_UNKNOWN: Handler = lambda self, el, out: None  # noqa: E731 - a sentinel of the handlers' type

__all__ = ["SKIP_TAGS", "MarkdownConverter", "MarkdownOptions", "convert", "safe_url"]

#: A ``]:`` inside a link's text (from a code span) would make a paragraph
#: that starts with the link read as a link reference definition.
_REFERENCE_LIKE = re.compile(r"(?<!\\)\]:")
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)")


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    """How the Markdown is written."""

    #: Bullet for unordered lists (the other one separates adjacent lists).
    bullet: Literal["-", "*", "+"] = "-"
    #: ``entity`` writes ``{``/``}`` in text as ``&#123;``/``&#125;`` (safe for
    #: Hexo's template engine; CommonMark decodes them); ``literal`` keeps them.
    braces: Literal["entity", "literal"] = "entity"
    #: GFM pipe tables for simple tables; ``False`` writes every cell as a paragraph.
    tables: bool = True
    #: Inline HTML where Markdown has no syntax (emphasis that cannot close,
    #: sup/sub, players, tables with spans); ``False``: pure Markdown.
    html: bool = True
    #: Keep ``title`` attributes of links and images.
    titles: bool = True
    #: Deeper elements are written as plain text (keeps the stack bounded).
    max_depth: int = 120
    #: Proxy prefixes still stripped from addresses (the clean rules strip
    #: them first; this catches what reaches the converter uncleaned).
    proxy_prefixes: tuple[str, ...] = urls.PROXY_PREFIXES


#: A finished block: its text; its kind ("p", "code", "hr"...; lists:
#: "list:<marker>"); whether it may follow a paragraph line directly (lists).
#: A plain tuple: paragraphs are made by the thousand.
_Block = tuple[str, str, bool]


class _Builder:
    """Where one container's output accumulates: finished blocks, pending inline tokens."""

    __slots__ = ("blocks", "in_link", "inline_only", "tokens")

    def __init__(self, inline_only: bool = False, in_link: bool = False) -> None:
        self.blocks: list[_Block] = []
        self.tokens: list[Token] = []
        self.inline_only = inline_only
        self.in_link = in_link

    def flush(self) -> None:
        """End the current paragraph (a space where only inline content fits)."""
        tokens = self.tokens
        if self.inline_only:
            tokens.append(" ")
        elif tokens:
            if len(tokens) == 1 and tokens[0].__class__ is str:  # plain text: most paragraphs
                text = tokens[0].strip(" ")
                if text and not text.isspace():
                    self.blocks.append((escape_line_start(text), "p", False))
            else:
                self.blocks.extend([(p, "p", False) for p in resolve(tokens)])
            self.tokens = []

    def add(self, block: _Block) -> None:
        self.flush()
        self.blocks.append(block)

    def inline(self, before: str = "", after: str = "", line_starts: bool = False) -> str:
        return " ".join(resolve(self.tokens, before, after, line_starts))


def _handlers(cls: type[MarkdownConverter]) -> dict[str, Handler]:
    """The dispatch table: ``convert_<tag>`` methods, containers to ``convert_div``."""
    table: dict[str, Handler] = {tag: cls.convert_div for tag in CONTAINER_TAGS}
    table.update(
        (name.removeprefix("convert_"), getattr(cls, name))
        for name in dir(cls)
        if name.startswith("convert_")
    )
    return table


#: Where each tag goes in a container and where only inline content fits:
#: its handler, or ``None`` for what never shows (derived from ``dispatch``).
Routes = tuple[dict[object, Handler | None], dict[object, Handler | None]]


def _routes(cls: type[MarkdownConverter]) -> Routes:
    # Tags are looked up lower-cased, so a name with capitals never matches.
    block: dict[object, Handler | None] = {
        tag: handler for tag, handler in cls.dispatch.items() if tag == tag.lower()
    }
    block.update(dict.fromkeys(SKIP_TAGS - PLAYER_TAGS))
    inline = dict(block)
    inline.update(dict.fromkeys(STRUCTURE_TAGS, cls._flatten))
    return block, inline


class MarkdownConverter:
    """Converts an lxml tree to Markdown. One instance per thread."""

    #: tag -> ``convert_<tag>``, filled in for each class (subclasses add tags
    #: by defining methods; the table is read once, when the class is made).
    dispatch: ClassVar[dict[str, Handler]] = {}
    _routes: ClassVar[Routes] = ({}, {})
    #: Whether :meth:`children` may skip :meth:`node` and :meth:`text` (false
    #: when a subclass replaces either, so that it sees every element and text).
    _direct: ClassVar[bool] = True

    def __init_subclass__(cls) -> None:
        cls.dispatch = _handlers(cls)
        cls._routes = _routes(cls)
        cls._direct = cls.node is MarkdownConverter.node and cls.text is MarkdownConverter.text

    def __init__(self, options: MarkdownOptions | None = None) -> None:
        self.options = options or MarkdownOptions()
        self._entity = self.options.braces == "entity"
        self._html = self.options.html
        self._max_depth = self.options.max_depth
        self._pairs = itertools.count()
        self._depth = 0
        self._strong = 0
        self._em = 0

    # -- driving -------------------------------------------------------------

    def convert(self, root: Element) -> str:
        """The Markdown for ``root``'s content (``root`` itself is a wrapper)."""
        self._depth = self._strong = self._em = 0
        out = _Builder()
        self.children(root, out)
        out.flush()
        return _join_blocks(out.blocks) + "\n" if out.blocks else ""

    def children(self, el: Element, out: _Builder) -> None:
        """Convert ``el``'s text and children (not ``el`` itself)."""
        if not self._direct:
            if el.text:
                self.text(el.text, out)
            for child in el:
                self.node(child, out)
                if child.tail:
                    self.text(child.tail, out)
            return
        # What node() and text() would do, inlined: this loop is most of the time.
        entity = self._entity
        text = el.text
        if text:
            # white space between blocks is most text nodes: decided without a call
            space = text.isspace() and not text.strip(HTML_SPACE_CHARS)
            out.tokens.append(" " if space else escape_text(text, entity))
        route = self._routes[out.inline_only]
        for child in el:
            tag = child.tag
            handler = route.get(tag, _UNKNOWN)
            if handler is _UNKNOWN:
                handler = self._route(tag, route)
            if handler is not None:
                if self._depth >= self._max_depth:
                    out.tokens.append(escape_text(" ".join(text_nodes(child)), entity))
                elif handler is _CONTAINER and not out.inline_only and not len(child):
                    # what convert_div does for a paragraph of text alone (most <p>)
                    if out.tokens:
                        out.flush()
                    leaf = child.text
                    if leaf and not (leaf.isspace() and not leaf.strip(HTML_SPACE_CHARS)):
                        leaf = escape_text(leaf, entity).strip(" ")
                        if leaf and not leaf.isspace():
                            out.blocks.append((escape_line_start(leaf), "p", False))
                else:
                    self._depth += 1
                    try:
                        handler(self, child, out)
                    finally:
                        self._depth -= 1
            tail = child.tail
            if tail:
                space = tail.isspace() and not tail.strip(HTML_SPACE_CHARS)
                out.tokens.append(" " if space else escape_text(tail, entity))

    def node(self, el: Element, out: _Builder) -> None:
        """Convert ``el`` itself, as its tag says."""
        tag = el.tag
        route = self._routes[out.inline_only]
        handler = route.get(tag, _UNKNOWN)
        if handler is _UNKNOWN:
            handler = self._route(tag, route)
        if handler is None:
            return
        if self._depth >= self._max_depth:
            self.text(" ".join(text_nodes(el)), out)
            return
        self._depth += 1
        try:
            handler(self, el, out)
        finally:
            self._depth -= 1

    def _route(self, tag: object, route: dict[object, Handler | None]) -> Handler | None:
        """A tag not in the table: upper case, unknown (its content shows), or no
        element at all (a comment or processing instruction)."""
        if not isinstance(tag, str):
            return None
        lower = tag.lower()
        found = route.get(lower, _UNKNOWN) if lower != tag else _UNKNOWN
        return type(self).children if found is _UNKNOWN else found

    def _flatten(self, el: Element, out: _Builder) -> None:
        """A block structure where only inline content fits: its text, spaced."""
        out.flush()
        self.children(el, out)
        out.flush()

    def text(self, text: str, out: _Builder) -> None:
        out.tokens.append(escape_text(text, self._entity))

    def _sub(self, el: Element, inline_only: bool = False, in_link: bool = False) -> _Builder:
        sub = _Builder(inline_only, in_link)
        self.children(el, sub)
        if not inline_only:
            sub.flush()
        return sub

    # -- blocks --------------------------------------------------------------

    def convert_div(self, el: Element, out: _Builder) -> None:
        if out.tokens or out.inline_only:
            out.flush()
        self.children(el, out)
        if out.tokens or out.inline_only:
            out.flush()

    def convert_h1(self, el: Element, out: _Builder) -> None:
        level = int(str(el.tag)[1])
        text = self._sub(el, inline_only=True).inline()
        if not text.strip():
            return
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        out.add(("#" * level + " " + text, "heading", False))

    convert_h2 = convert_h3 = convert_h4 = convert_h5 = convert_h6 = convert_h1

    def convert_svg(self, el: Element, out: _Builder) -> None:
        """An SVG shows none of its own text; HTML inside it is converted."""
        walk = etree.iterwalk(el, events=("start",))
        for _event, node in walk:
            tag = node.tag.lower() if isinstance(node.tag, str) else ""
            if node is not el and tag in BREAKOUT_TAGS:
                walk.skip_subtree()
                self.node(node, out)
                if node.tail:
                    self.text(node.tail, out)

    def convert_hr(self, el: Element, out: _Builder) -> None:
        out.add(("---", "hr", False))

    def convert_blockquote(self, el: Element, out: _Builder) -> None:
        sub = self._sub(el)
        if not sub.blocks:
            return
        body = _join_blocks(sub.blocks)
        quoted = "\n".join("> " + line if line else ">" for line in body.split("\n"))
        out.add((quoted, "p", False))

    def convert_pre(self, el: Element, out: _Builder) -> None:
        code = "".join(pre_text(el)).lstrip("\n").rstrip()
        pictures = _Builder()
        for img in el.iter("img"):
            self.convert_img(img, pictures)
        if not code:
            out.flush()
            self._images_after(pictures, out)
            return
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        found = _LANGUAGE.search(" ".join(code_classes(el)))
        info = found.group(1) if found else ""
        out.add((f"{fence}{info}\n{code}\n{fence}", "code", False))
        self._images_after(pictures, out)

    def _images_after(self, pictures: _Builder, out: _Builder) -> None:
        """Images found where Markdown cannot hold them (code) follow as a paragraph."""
        for token in pictures.tokens:
            out.tokens.extend((token, " "))
        out.flush()

    def convert_ul(self, el: Element, out: _Builder) -> None:
        self._list(el, out, ordered=False)

    convert_dir = convert_menu = convert_ul

    def convert_ol(self, el: Element, out: _Builder) -> None:
        self._list(el, out, ordered=True)

    def convert_li(self, el: Element, out: _Builder) -> None:
        blocks = self._sub(el).blocks
        if blocks:
            out.add(self._render_list([blocks], False, 1, self.options.bullet))

    def _list(self, el: Element, out: _Builder, ordered: bool) -> None:
        items: list[list[_Block]] = []
        text = el.text
        if text and text.strip():
            items.append(self._text_blocks(text))
        for child in el:
            tag = child.tag
            tag = tag.lower() if isinstance(tag, str) else ""
            if tag in ("ul", "ol", "dir", "menu") and items:
                nested = _Builder()
                self.node(child, nested)
                items[-1].extend(nested.blocks)
            elif tag == "li":
                blocks = self._sub(child).blocks
                if blocks:
                    items.append(blocks)
            elif tag and tag not in SKIP_TAGS:
                stray = _Builder()
                self.node(child, stray)
                stray.flush()
                if stray.blocks:
                    items.append(stray.blocks)
            tail = child.tail
            if tail and tail.strip():
                items.append(self._text_blocks(tail))
        if not items:
            return
        start = 1
        if ordered:
            try:
                start = min(max(int(el.get("start") or 1), 0), 999_999_999 - len(items))
            except ValueError:
                start = 1
        marker: str = "." if ordered else self.options.bullet
        out.flush()
        if out.blocks and out.blocks[-1][1] == "list:" + marker:
            marker = ")" if ordered else ("*" if marker != "*" else "-")
        out.add(self._render_list(items, ordered, start, marker))

    def _text_blocks(self, text: str) -> list[_Block]:
        return [(p, "p", False) for p in resolve([escape_text(text, self._entity)])]

    def _render_list(
        self, items: list[list[_Block]], ordered: bool, start: int, marker: str
    ) -> _Block:
        lines: list[str] = []
        for number, blocks in enumerate(items, start):
            bullet = f"{number}{marker}" if ordered else marker
            if len(blocks) == 1:
                body = blocks[0][0].split("\n")
            else:
                body = _join_blocks(blocks, tight=True).split("\n") if blocks else [""]
            if blocks and blocks[0][1] == "hr":
                body[0] = "___"  # "- ---" or "* ***" would be one rule, not an item
            indent = " " * (len(bullet) + 1)
            lines.append(f"{bullet} {body[0]}".rstrip(" "))
            lines.extend(indent + line if line else "" for line in body[1:])
        first_empty = not items[0]
        interrupts = not first_empty and (not ordered or start == 1)
        return ("\n".join(lines), "list:" + marker, interrupts)

    def convert_table(self, el: Element, out: _Builder) -> None:
        """A data grid as a GFM table, or as an HTML table where GFM cannot
        hold it; a table that lays out a page as the blocks it holds."""
        rows = list(table_rows(el))
        if not self.options.tables or not is_grid(rows) or not well_formed(el):
            self.convert_div(el, out)
            return
        if not simple_table(el, rows):
            if self._html:
                self._html_table(el, rows, out)
            else:
                self.convert_div(el, out)
            return
        for caption in el.iterchildren("caption"):
            self.convert_div(caption, out)
        width = max(len(cells) for cells in rows)
        lines: list[str] = []
        for index, cells in enumerate(rows):
            texts = [
                self._sub(cell, inline_only=True).inline().replace("|", "\\|") for cell in cells
            ]
            texts += [""] * (width - len(texts))
            lines.append("| " + " | ".join(texts) + " |")
            if index == 0:
                lines.append("|" + " --- |" * width)
        out.add(("\n".join(lines), "table", False))

    def _html_table(self, el: Element, rows: list[list[Element]], out: _Builder) -> None:
        """An HTML table whose cells hold Markdown: a blank line after each
        cell's start tag and before its end tag, so that renderers read the
        content between as Markdown and the tags as HTML blocks."""
        for caption in el.iterchildren("caption"):
            self.convert_div(caption, out)
        lines = ["<table>"]
        for cells in rows:
            lines.append("<tr>")
            for cell in cells:
                name = "th" if str(cell.tag).lower() == "th" else "td"
                attrs = "".join(
                    f' {attr}="{count}"'
                    for attr in ("colspan", "rowspan")
                    if (count := span(cell.get(attr))) > 1
                )
                blocks = self._sub(cell).blocks
                if blocks:
                    lines.extend((f"<{name}{attrs}>", "", _join_blocks(blocks), "", f"</{name}>"))
                else:
                    lines.append(f"<{name}{attrs}></{name}>")
            lines.append("</tr>")
        lines.append("</table>")
        out.add(("\n".join(lines), "html", False))

    # -- inline --------------------------------------------------------------

    def convert_br(self, el: Element, out: _Builder) -> None:
        out.tokens.append(" " if out.inline_only else BREAK)

    def convert_strong(self, el: Element, out: _Builder) -> None:
        if self._strong:
            self.children(el, out)
            return
        self._strong += 1
        try:
            self._emphasis(el, out, strong=True)
        finally:
            self._strong -= 1

    convert_b = convert_strong

    def convert_em(self, el: Element, out: _Builder) -> None:
        if self._em:
            self.children(el, out)
            return
        self._em += 1
        try:
            self._emphasis(el, out, strong=False)
        finally:
            self._em -= 1

    convert_i = convert_em

    def _emphasis(self, el: Element, out: _Builder, strong: bool) -> None:
        pair = next(self._pairs)
        out.tokens.append(Delim(pair, strong, True, self._html))
        self.children(el, out)
        out.tokens.append(Delim(pair, strong, False, self._html))

    def _inline_html(self, el: Element, out: _Builder, name: str, mark: str = "") -> None:
        """``el`` inside ``<name>`` tags, or without HTML between ``mark``s
        (before the content alone when ``mark`` is ``^`` or ``_``)."""
        if self._html:
            out.tokens.append(Tag(f"<{name}>"))
            self.children(el, out)
            out.tokens.append(Tag(f"</{name}>"))
            return
        if mark == "~~":  # GFM strikethrough; one run for adjacent ones
            tokens = out.tokens
            if tokens and tokens[-1] == "~~":
                tokens.pop()
            else:
                tokens.append(mark)
            self.children(el, out)
            out.tokens.append(mark)
            return
        if mark:
            out.tokens.append(escape_text(mark, self._entity))
        self.children(el, out)

    def convert_sup(self, el: Element, out: _Builder) -> None:
        self._inline_html(el, out, "sup", "^")

    def convert_sub(self, el: Element, out: _Builder) -> None:
        self._inline_html(el, out, "sub", "_")

    def convert_u(self, el: Element, out: _Builder) -> None:
        self._inline_html(el, out, str(el.tag).lower())

    convert_mark = convert_ins = convert_u

    def convert_del(self, el: Element, out: _Builder) -> None:
        name = "s" if str(el.tag).lower() in ("s", "strike") else "del"
        self._inline_html(el, out, name, "~~")

    convert_s = convert_strike = convert_del

    def convert_kbd(self, el: Element, out: _Builder) -> None:
        if self._html:
            self._inline_html(el, out, "kbd")
        else:
            self.convert_code(el, out)

    def convert_video(self, el: Element, out: _Builder) -> None:
        """A player: an HTML block (inline HTML where only inline content
        fits), or without HTML its poster linked to its address."""
        player = player_of(el, self.options.proxy_prefixes)
        if player is None:
            return
        if not self._html:
            link = self._player_link(player)
            if out.inline_only:
                out.tokens.append(link)
            else:
                out.add((link, "p", False))
        elif out.inline_only:
            out.tokens.append(player_html(player, self._entity, block=False))
        else:
            out.add((player_html(player, self._entity), "html", False))

    convert_audio = convert_iframe = convert_video

    def _player_link(self, player: Player) -> str:
        """A player in pure Markdown: its poster linked to its address."""
        target = player.address
        poster = f"![]({escape_url(player.poster)})" if player.poster else ""
        if target is None:
            return poster
        label = poster or escape_text(target, self._entity)
        return f"[{label}]({escape_url(target)})"

    def convert_code(self, el: Element, out: _Builder) -> None:
        """A code span; images inside (which a span cannot hold) follow it."""
        content = HTML_SPACE.sub(" ", "".join(text_nodes(el)))
        if not content.strip(" "):
            out.tokens.append(content)
        else:
            if content.startswith(" "):
                out.tokens.append(" ")
            out.tokens.append(Code(content.strip(" ")))
            if content.endswith(" "):
                out.tokens.append(" ")
        for img in el.iter("img"):
            self.convert_img(img, out)

    convert_samp = convert_tt = convert_code

    def convert_a(self, el: Element, out: _Builder) -> None:
        href = safe_url(el.get("href"), False, self.options.proxy_prefixes)
        sub = self._sub(el, inline_only=True, in_link=True)
        if href is None or out.in_link:
            out.tokens.extend(sub.tokens)
            return
        label = sub.inline("[", "]")
        if not label.strip() or _REFERENCE_LIKE.search(label):
            out.tokens.extend(sub.tokens)
            return
        out.tokens.append(f"[{label}]({escape_url(href)}{self._title(el)})")

    def convert_img(self, el: Element, out: _Builder) -> None:
        src = safe_url(el.get("src"), True, self.options.proxy_prefixes)
        if src is None:
            return
        alt = el.get("alt")
        if alt:
            alt = escape_alt(alt, self._entity)
        out.tokens.append(f"![{alt or ''}]({escape_url(src)}{self._title(el)})")

    def _title(self, el: Element) -> str:
        title = el.get("title")
        if not self.options.titles or not title or not title.strip():
            return ""
        return " " + escape_title(title, self._entity)


MarkdownConverter.dispatch = _handlers(MarkdownConverter)
MarkdownConverter._routes = _routes(MarkdownConverter)
#: The container handler whose work on a leaf :meth:`MarkdownConverter.children`
#: does inline (a subclass that replaces it is routed to its own method).
_CONTAINER: Handler = MarkdownConverter.convert_div


def convert(root: Element, options: MarkdownOptions | None = None) -> str:
    """Markdown for the content of ``root`` (a :func:`parse_body` wrapper)."""
    return MarkdownConverter(options).convert(root)


def _join_blocks(blocks: list[_Block], tight: bool = False) -> str:
    """Blocks separated by blank lines; with ``tight`` (inside a list item) a
    list that may interrupt a paragraph follows it directly."""
    if not tight:
        return "\n\n".join([block[0] for block in blocks])
    parts: list[str] = []
    for index, (text, _kind, interrupts) in enumerate(blocks):
        if index:
            close = interrupts and blocks[index - 1][1] == "p"
            parts.append("\n" if close else "\n\n")
        parts.append(text)
    return "".join(parts)
