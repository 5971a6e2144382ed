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
words = st.text(alphabet=st.sampled_from(CHARS), max_size=10)
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
    "p", "div", "span", "b", "strong", "em", "i", "u", "h2", "h3", "ul", "ol", "blockquote",
    "pre", "table", "section", "script",
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
