"""Property tests: on any HTML built from the tags the corpus uses, the
converter raises nothing, and the Markdown it writes, rendered again by a
CommonMark renderer, shows the same text (white space aside) and the same
image addresses."""

from __future__ import annotations

import html as html_lib
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from articletool.html.markdown import SKIP_TAGS, convert
from articletool.html.parse import parse_body

RENDERER = MarkdownIt("commonmark").enable("table")
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
    ]
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
            assert not name.startswith("on"), markdown
            assert not value.strip().lower().startswith(UNSAFE), markdown


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab中文字")), min_size=1, max_size=3),
    st.text(alphabet=st.sampled_from(list("xy粗体“”（）。 ")), min_size=1, max_size=6),
    st.text(alphabet=st.sampled_from(list("ab中文字")), min_size=1, max_size=3),
    st.sampled_from(["strong", "em"]),
)
def test_emphasis_renders_whenever_its_marks_can(
    before: str, inner: str, after: str, tag: str
) -> None:
    """Letters on both sides: the emphasis is kept exactly when each end of its
    content is a letter or has a space outside it, and then it renders."""
    html = f"<p>{before}<{tag}>{inner}</{tag}>{after}</p>"
    rendered = RENDERER.render(convert(parse_body(html)))
    core = inner.strip(" ")
    letters = "xy粗体"
    safe = (
        bool(core)
        and (core[0] in letters or inner.startswith(" "))
        and (core[-1] in letters or inner.endswith(" "))
    )
    assert (f"<{tag}>" in rendered) == safe, rendered
    assert visible_text(rendered) == visible_text(html)
