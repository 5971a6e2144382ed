"""Property tests: on any HTML built from the tags the corpus uses, the
converter raises nothing, and the Markdown it writes, rendered again by a
CommonMark renderer, shows the same text (white space aside) and the same
image addresses."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement
from markdown_it import MarkdownIt

from articletool.cleaning.body import clean_tree
from articletool.html.parse import parse_body
from articletool.markdown.writer import SKIP_TAGS, MarkdownOptions, convert
from articletool.post.load import parse_post

RENDERER = MarkdownIt("commonmark").enable("table")
GOLDEN = Path(__file__).parent / "golden" / "convert"
GOLDEN_POSTS = sorted(
    p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt") and "." not in p.stem
)
SPACE = re.compile(r"\s+")
PROXY = "https://cors.zfour.workers.dev/?"

CHARS = list("ab xyz中文字，。“”（）：！*_`[]<>&\\#-+.!|{}~()\"'=:;/?1 2\n\t\u00a0\u3000")
#: Pieces that mean something at a line start or inside Markdown syntax.
FRAGMENTS = ["1.", "- ", "# ", "> ", "===", "---", "|-|", "](", "![", "&amp;", "&#123;", "http://"]
words = st.lists(st.sampled_from(CHARS + FRAGMENTS), max_size=8).map("".join)
paths = st.text(alphabet=st.sampled_from(list("abcxyz019/._-")), min_size=1, max_size=8)


def _text(value: str) -> str:
    return html_lib.escape(value, quote=False)


def _attr(value: str) -> str:
    return html_lib.escape(value, quote=True)


@st.composite
def images(draw: st.DrawFn) -> str:
    src = "http://img.example/" + draw(paths)
    if draw(st.booleans()):
        src = PROXY + src
    alt = draw(words)
    return f'<img src="{_attr(src)}" alt="{_attr(alt)}">'


@st.composite
def links(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    href = draw(
        st.sampled_from(
            ["http://x.example/a b", "http://x.example/(p)", "javascript:alert(1)", "#top", "/r"]
        )
    )
    return f'<a href="{_attr(href)}">{"".join(draw(st.lists(inner, max_size=3)))}</a>'


leaves = st.one_of(
    words.map(_text),
    st.just("<br>"),
    st.just("<hr>"),
    images(),
    words.map(lambda w: f"<code>{_text(w)}</code>"),
)


def _wrap(tag: str, parts: list[str]) -> str:
    inner = "".join(parts)
    if tag in ("ul", "ol"):
        return f"<{tag}>" + "".join(f"<li>{p}</li>" for p in parts) + f"</{tag}>"
    if tag == "table":
        rows = "".join(f"<tr><td>{p}</td><td>{p[:3]}</td></tr>" for p in parts)
        return f"<table>{rows}</table>"
    return f"<{tag}>{inner}</{tag}>"


TAGS = [
    "p", "div", "span", "b", "strong", "em", "i", "u", "h1", "h2", "h3", "ul", "ol", "li",
    "blockquote", "pre", "table", "tr", "td", "th", "tbody", "section", "script", "dl", "dt",
    "dd", "figure", "figcaption", "sup", "del", "kbd", "center", "font", "a",
]  # fmt: skip

trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(_wrap, st.sampled_from(TAGS), st.lists(children, max_size=4)),
        links(children),
    ),
    max_leaves=25,
)
documents = st.lists(trees, max_size=6).map("".join)


def visible_text(html: str) -> str:
    root = parse_body(html)
    parts: list[str] = []

    def walk(el: object) -> None:
        tag = getattr(el, "tag", None)
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            return
        if el.text:  # type: ignore[attr-defined]
            parts.append(el.text)  # type: ignore[attr-defined]
        for child in el:  # type: ignore[attr-defined]
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(root)
    return SPACE.sub("", "".join(parts))


def image_sources(html: str) -> list[str]:
    return [(img.get("src") or "").removeprefix(PROXY) for img in parse_body(html).iter("img")]


@settings(max_examples=400, deadline=None)
@given(documents)
def test_convert_loses_no_text_and_renders_back(html: str) -> None:
    markdown = convert(parse_body(html))
    rendered = RENDERER.render(markdown)
    assert visible_text(rendered) == visible_text(html)
    assert image_sources(rendered) == image_sources(html)
    assert "<div" not in markdown


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"
        )
        | st.sampled_from(" \t\n"),
        max_size=200,
    )
)
def test_any_text_survives(text: str) -> None:
    html = _text(text)
    markdown = convert(parse_body(html))
    assert visible_text(RENDERER.render(markdown)) == visible_text(html)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/abpdiv\"'= &;#*_`[]!")), max_size=80))
def test_no_crash_on_tag_soup(html: str) -> None:
    convert(parse_body(html))


# -- no executable output -----------------------------------------------------

VECTORS = [
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&lt;javascript:alert(1)&gt;",
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x]: javascript:alert(1)",
    "&amp;#106;avascript:alert(1)",
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href="&#106;avascript:alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>',
    '<a href="https://cors.zfour.workers.dev/?javascript:alert(1)">a</a>',
    '<a href="http://x/&quot;onmouseover=&quot;alert(1)">a</a>',
    '<a href="http://x/)[y](javascript:alert(1)">a</a>',
    '<a href="http://x/>&lt;script&gt;">a</a>',
    '<img src="javascript:alert(1)" alt="x">',
    '<img src="http://x/a.png" alt="](javascript:alert(1))">',
    '<img src="http://x/a.png" alt="&lt;script&gt;">',
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">t</p>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<iframe src="//v.example/p.html" srcdoc="&lt;b onmouseover=alert(1)&gt;x"></iframe>',
    '<iframe src="data:text/html;base64,PHNjcmlwdD4="></iframe>',
    '<video src="javascript:alert(1)"></video>',
    '<video src="http://x/v.mp4" onplay="alert(1)" onerror="alert(1)"></video>',
    '<video poster="javascript:alert(1)"><source src="vbscript:x"></video>',
    '<video src="http://x/v.mp4" poster="http://x/&quot; onload=&quot;alert(1)"></video>',
    '<audio><source src="http://x/a.mp3" onerror="alert(1)" type="x&quot;onerror=x"></audio>',
    '<iframe src="http://x/p" allow="&quot; onload=&quot;alert(1)" width="1 onload=x"></iframe>',
    "<sup><script>alert(1)</script>2</sup>",
    "<sub onclick='alert(1)'>2</sub>",
    "<style>*{x:expression(alert(1))}</style>",
    "&lt;!-- x --&gt;",
    "&lt;![CDATA[x]]&gt;",
]
MARKDOWN_TAGS = frozenset(
    [
        "div",
        "p",
        "em",
        "strong",
        "a",
        "img",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        # inline HTML and media players the converter writes
        "sup",
        "sub",
        "u",
        "mark",
        "ins",
        "kbd",
        "del",
        "s",
        "video",
        "audio",
        "source",
        "iframe",
    ]
)
#: The attributes the converter may write, on any element.
MARKDOWN_ATTRS = frozenset(
    {"href", "src", "alt", "title", "poster", "type", "controls", "width", "height", "allow"}
    | {"allowfullscreen", "frameborder", "colspan", "rowspan", "start", "class"}
)
UNSAFE = ("javascript:", "vbscript:", "data:text/html")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(VECTORS), trees), min_size=1, max_size=6))
def test_output_never_executes(parts: list[str]) -> None:
    markdown = convert(parse_body("".join(parts)))
    root = parse_body(RENDERER.render(markdown))
    for el in root.iter():
        if not isinstance(el.tag, str):
            raise AssertionError(f"raw HTML comment or instruction in {markdown!r}")
        assert el.tag in MARKDOWN_TAGS, markdown
        for name, value in el.attrib.items():
            assert name in MARKDOWN_ATTRS, markdown
            assert not value.strip().lower().startswith(UNSAFE), markdown


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab中文字")), min_size=1, max_size=3),
    st.text(alphabet=st.sampled_from(list("xy粗体“”（）。 ")), min_size=1, max_size=6),
    st.text(alphabet=st.sampled_from(list("ab中文字")), min_size=1, max_size=3),
    st.sampled_from(["strong", "em"]),
)
def test_emphasis_always_renders_as_markdown_where_its_marks_can(
    before: str, inner: str, after: str, tag: str
) -> None:
    """Letters on both sides: the emphasis is written with ``*`` exactly when
    each end of its content is a letter or has a space outside it, else as
    HTML; either way it renders, over the same text, and pure Markdown drops
    what ``*`` cannot hold."""
    html = f"<p>{before}<{tag}>{inner}</{tag}>{after}</p>"
    markdown = convert(parse_body(html))
    rendered = RENDERER.render(markdown)
    core = inner.strip(" ")
    letters = "xy粗体"
    safe = (
        bool(core)
        and (core[0] in letters or inner.startswith(" "))
        and (core[-1] in letters or inner.endswith(" "))
    )
    assert ("*" in markdown) == safe, markdown
    assert (f"<{tag}>" in rendered) == bool(core), rendered
    assert visible_text(rendered) == visible_text(html)
    pure = RENDERER.render(convert(parse_body(html), MarkdownOptions(html=False)))
    assert (f"<{tag}>" in pure) == safe, pure
    assert visible_text(pure) == visible_text(html)


# -- structure: what the Markdown marks, against what the cleaned tree marks --

#: Kinds of markup a reader sees, and the tags that make them.
MARKS = {
    "emphasis": frozenset({"strong", "b", "em", "i"}),
    "supsub": frozenset({"sup", "sub"}),
}
#: Where Markdown cannot carry emphasis or sup/sub (code is code).
CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "tt"})


def _data_cells(root: HtmlElement) -> set[HtmlElement]:
    """Cells of data grids: two rows or more, one of them with two cells or more."""
    cells: set[HtmlElement] = set()
    for table in root.iter("table"):
        rows = [r.xpath("./td|./th") for r in table.xpath("./tr|./*/tr")]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            cells.update(c for r in rows for c in r)
    return cells


def marked_text(root: HtmlElement) -> dict[str, str]:
    """The text under each kind of markup (white space removed), read from a tree."""
    out: dict[str, list[str]] = {"emphasis": [], "supsub": [], "table": []}
    cells = _data_cells(root)

    def walk(el: HtmlElement, inside: frozenset[str], in_code: bool) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in SKIP_TAGS:
            return
        here = set(inside)
        in_code = in_code or tag in CODE_TAGS
        for kind, tags in MARKS.items():
            if tag in tags and not in_code:
                here.add(kind)
        if el in cells:
            here.add("table")
        kinds = frozenset(here)
        for kind in kinds:
            out[kind].append(el.text or "")
        for child in el:
            walk(child, kinds, in_code)
            for kind in kinds:
                out[kind].append(child.tail or "")

    walk(root, frozenset(), False)
    return {kind: SPACE.sub("", "".join(parts)) for kind, parts in out.items()}


def rendered_marks(markdown: str) -> dict[str, str]:
    return marked_text(parse_body(RENDERER.render(markdown)))


#: Inline content only inside the marks (a mark around blocks is split by
#: them: the part of the property the converter does not promise).
inline_leaves = st.one_of(
    words.map(_text),
    st.just("<br>"),
    images(),
    words.map(lambda w: f"<code>{_text(w)}</code>"),
)
INLINE_TAGS = ["b", "strong", "em", "i", "sup", "sub", "u", "span", "a", "del"]
inline_trees = st.recursive(
    inline_leaves,
    lambda children: st.builds(_wrap, st.sampled_from(INLINE_TAGS), st.lists(children, max_size=4)),
    max_leaves=12,
)
BLOCK_TAGS = ["p", "div", "li", "h2", "blockquote", "td"]


@st.composite
def marked_documents(draw: st.DrawFn) -> str:
    """Blocks of inline content, some of them in tables (grids or layout)."""
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        inner = "".join(draw(st.lists(inline_trees, min_size=1, max_size=4)))
        shape = draw(st.sampled_from(["block", "grid", "spans", "one-cell"]))
        if shape == "block":
            blocks.append(_wrap(draw(st.sampled_from(BLOCK_TAGS)), [inner]))
        elif shape == "one-cell":
            blocks.append(f"<table><tr><td><p>{inner}</p><p>{inner}</p></td></tr></table>")
        else:
            span = " colspan='2'" if shape == "spans" else ""
            blocks.append(
                f"<table><tr><th{span}>{inner}</th><th>x</th></tr>"
                f"<tr><td>{inner}</td><td><p>a</p>{inner}</td></tr></table>"
            )
    return "".join(blocks)


@settings(max_examples=300, deadline=None)
@given(marked_documents())
def test_markdown_marks_the_text_the_tree_marks(html: str) -> None:
    """Emphasis, sup/sub and data-table cells: the Markdown, rendered by
    markdown-it, marks the same text as the cleaned tree does."""
    root = parse_body(html)
    clean_tree(root)
    expected = marked_text(root)
    assert rendered_marks(convert(root)) == expected


@pytest.mark.parametrize("post_path", GOLDEN_POSTS, ids=[p.name for p in GOLDEN_POSTS])
def test_golden_markdown_marks_the_text_the_tree_marks(post_path: Path) -> None:
    post = parse_post(post_path.read_bytes(), post_path.name)
    root = parse_body(post.body)
    clean_tree(root)
    assert rendered_marks(convert(root)) == marked_text(root)
