"""Property tests over whole generated posts, through the commands' workers.

Posts get random front matter (keys the corpus uses, quoted in different
ways, sometimes broken) over random HTML built from the markup the corpus
uses: lazy images, proxied addresses, wrapper divs with ``onclick``, empty
paragraphs, ``br``, ``pre``, tables, lists, CJK text, entities and braces.
They are encoded as UTF-8 (with or without BOM), GB18030 or UTF-16 with
CRLF, LF or CR newlines. Then:

* no exception but articletool's own errors escapes clean, extract or convert,
  for these posts and for any bytes at all;
* cleaning the cleaned bytes changes nothing (idempotence);
* clean and convert keep every character of visible text (white space
  aside), measured the way ``fidelity.py`` measures it: the text nodes of
  the body, script/style/template/svg/noscript left out; the Markdown is
  rendered with markdown-it-py first.
"""

from __future__ import annotations

import atexit
import html
import json
import re
import shutil
import tempfile
from functools import partial
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from articletool.cleaning.body import CleanSettings
from articletool.cli.clean_command import Job as CleanJob
from articletool.cli.clean_command import Mode, Outcome, clean_input
from articletool.cli.convert_command import Job as ConvertJob
from articletool.cli.convert_command import Target, convert_input
from articletool.cli.extract_command import Job as ExtractJob
from articletool.cli.extract_command import extract_input
from articletool.markdown.writer import MarkdownOptions
from articletool.post.decode import decode
from articletool.post.frontmatter import split
from articletool.run.files import Input

PROXY = "https://cors.zfour.workers.dev/?"
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the reference text, as fidelity.py reads it ---------------------------------

_SKIP = {"script", "style", "template", "svg", "noscript"}
_WS = re.compile(r"\s+")
RENDERER = MarkdownIt("commonmark").enable("table")


def reference_text(body: str) -> str:
    """Every text node of ``body`` outside script/style/template/svg/noscript,
    white space removed."""
    if not body.strip():
        return ""
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if isinstance(el.tag, str) and el.tag.lower() in _SKIP:
            return
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(root)
    return _WS.sub("", "".join(parts).replace("\u00a0", " ").replace("\u3000", " "))


# --- generated posts ----------------------------------------------------------------

CHARS = list("abc XYZ 中文字，。“”（）：！*_`[]<>&\\#-+.|{}~()\"'=:;/?1 2\t\u00a0\u3000€𠀀")
words = st.text(alphabet=st.sampled_from(CHARS), min_size=1, max_size=10)
paths = st.text(alphabet=st.sampled_from(list("abcxyz019/._-")), min_size=1, max_size=8)


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


@st.composite
def images(draw: st.DrawFn) -> str:
    real = "http://img.example/" + draw(paths) + ".jpg"
    shown = PROXY + real if draw(st.booleans()) else real
    alt = _attr(draw(words))
    style = draw(st.integers(0, 3))
    if style == 0:
        return f'<img src="{_attr(shown)}" alt="{alt}">'
    if style == 1:  # lazy, with a placeholder
        return f'<img src="/img/loading.gif" data-original="{_attr(shown)}" alt="{alt}">'
    if style == 2:  # lazy, no src
        return f'<img data-src="{_attr(shown)}" class="lazy" width="10">'
    return f'<img src="{_attr(shown)}" onclick="zoom(this)" style="width:100%">'


@st.composite
def links(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    href = draw(
        st.sampled_from(
            [
                "http://x.example/a b",
                "http://x.example/(p)",
                "javascript:alert(1)",
                "#top",
                PROXY + "http://x.example/p",
            ]
        )
    )
    return f'<a href="{_attr(href)}">{"".join(draw(st.lists(inner, min_size=1, max_size=3)))}</a>'


leaves = st.one_of(
    words.map(_text),
    st.sampled_from(
        ["<br>", "&nbsp;", "&amp;", "&lt;tag&gt;", "&#123;&#123; x &#125;&#125;", "{% raw %}", "…"]
    ),
    images(),
    words.map(lambda w: f"<code>{_text(w)}</code>"),
)


def _wrap(tag: str, inner: list[str]) -> str:
    return f"<{tag}>{''.join(inner)}</{tag}>"


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    many = st.lists(children, min_size=1, max_size=4)
    return st.one_of(
        st.tuples(
            st.sampled_from(["p", "strong", "em", "span", "h2", "h3", "blockquote"]), many
        ).map(lambda t: _wrap(*t)),
        many.map(lambda c: f'<div class="img_box" onclick="open()">{"".join(c)}</div>'),
        many.map(lambda c: "<ul>" + "".join(f"<li>{x}</li>" for x in c) + "</ul>"),
        many.map(lambda c: "<ol>" + "".join(f"<li>{x}</li>" for x in c) + "</ol>"),
        many.map(
            lambda c: (
                "<table><tr><th>h</th></tr>"
                + "".join(f"<tr><td>{x}</td></tr>" for x in c)
                + "</table>"
            )
        ),
        links(children),
        many.map(lambda c: f"<figure>{''.join(c)}<figcaption>cap</figcaption></figure>"),
    )


blocks = st.recursive(leaves, _extend, max_leaves=12)
specials = st.sampled_from(
    [
        "<p></p>",
        "<p> </p>",
        "<p><br></p>",
        "<div></div>",
        "<pre><code>if (a &lt; b) { return &quot;x&quot;; }\n  indented\n</code></pre>",
        "<pre>line 1\n\nline 3 {{ braces }}</pre>",
        "<script>alert(1)</script>",
        "<p>unclosed <b>bold",
        "<hr>",
    ]
)
bodies = st.lists(st.one_of(blocks, specials), max_size=8).map("\n".join)

fm_values = st.one_of(
    words.map(lambda w: json.dumps(w, ensure_ascii=False)),
    words.map(lambda w: "'" + w.replace("'", "''") + "'"),
    st.sampled_from(["2022-08-18 19:08:00", "Thu, 18 Aug 2022 19:08:00 GMT", "yes", "012", ""]),
    st.sampled_from(["[a, b]", "\n  - 中文\n  - x", "{a: 1}", "&a x", "*a", "[unclosed"]),
)
fm_keys = st.sampled_from(["title", "date", "tags", "categories", "author", "description"])


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    lines = [f"{key}: {draw(fm_values)}" for key in draw(st.lists(fm_keys, max_size=5))]
    if draw(st.booleans()):
        image = "http://img.example/h.jpg"
        lines.append(f"headimg: {PROXY + image if draw(st.booleans()) else image}")
    head = draw(st.sampled_from(["", "\n", "\n\n"]))
    return head + "---\n" + "".join(line + "\n" for line in lines) + "---\n"


@st.composite
def posts(draw: st.DrawFn) -> tuple[bytes, str]:
    """A post's bytes and its text (``\\n`` newlines)."""
    front = draw(st.one_of(front_matters(), st.just("")))
    text = front + draw(bodies) + draw(st.sampled_from(["", "\n"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return text.replace("\n", newline).encode(encoding), text


# --- running the workers ------------------------------------------------------------

SETTINGS = CleanSettings()
CLEAN = partial(clean_input, CleanJob(SETTINGS, Mode.STDOUT))
TO_MD = partial(convert_input, ConvertJob(Target.MD, SETTINGS, MarkdownOptions()))
TO_JSON = partial(convert_input, ConvertJob(Target.JSON, SETTINGS, MarkdownOptions()))


_FOLDER = Path(tempfile.mkdtemp(prefix="articletool-properties-"))
atexit.register(shutil.rmtree, _FOLDER, True)


def _input(data: bytes) -> Input:
    """``data`` as a file to read (each example overwrites the last)."""
    path = _FOLDER / "gen.md"
    path.write_bytes(data)
    return Input("gen.md", path)


def _clean(data: bytes) -> Outcome:
    return CLEAN(_input(data))


def _body(text: str) -> str:
    return split(text).body


@EXAMPLES
@given(posts())
def test_no_exception_escapes_and_clean_is_idempotent(post: tuple[bytes, str]) -> None:
    data, _ = post
    first = _clean(data)  # an uncaught exception fails the test
    for convert in (TO_MD, TO_JSON):
        convert(_input(data))
    if first.error is not None or first.output is None:
        return
    second = _clean(first.output)
    assert second.error is None, second.error
    assert second.output == first.output
    assert second.changes == ()


@EXAMPLES
@given(posts())
def test_clean_keeps_the_visible_text(post: tuple[bytes, str]) -> None:
    data, text = post
    outcome = _clean(data)
    if outcome.error is not None:
        return  # refused (bad front matter, safety check): nothing written
    assert outcome.output is not None
    cleaned = decode(outcome.output).text
    assert reference_text(_body(cleaned)) == reference_text(_body(text))


@EXAMPLES
@given(posts())
def test_convert_keeps_the_visible_text(post: tuple[bytes, str]) -> None:
    data, text = post
    result = TO_MD(_input(data))
    if result.output is None:
        return  # bad front matter: reported, no document
    markdown = _body(result.output)
    rendered = RENDERER.render(markdown)
    assert reference_text(rendered) == reference_text(_body(text)), markdown


# --- anything at all --------------------------------------------------------------

MARKUP = [
    *"<>/=\"' -!&#;:[]{}*`\n\r\t\x00\x0c\x1bab中",
    "<p>",
    "</p>",
    "<div ",
    "<img src=",
    "<a href=",
    "<script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "</body>",
    "<html>",
    "<svg",
    "<table><tr><td>",
    "---\n",
    "title: ",
    "&a ",
    "*a",
    "!!python/",
    "&#x6A;",
    "javascript:",
    PROXY,
]
anything = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from(MARKUP), max_size=60).map(lambda parts: "".join(parts).encode()),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
EXTRACT = partial(extract_input, ExtractJob(SETTINGS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_no_input_makes_an_exception_escape(data: bytes) -> None:
    """Every worker returns a result or articletool's own error, whatever the bytes."""
    item = _input(data)
    for work in (CLEAN, TO_MD, TO_JSON, EXTRACT):
        work(item)
