"""The hexo-layout rule: bodies laid out so that Hexo's Markdown pass (marked)
passes them through, with nothing a browser shows changed; and the model of
marked's block pass the safety check reads them with. Hexo itself renders the
corpus in test_hexo.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from articletool import read_post
from articletool.cleaning.body import CleanSettings
from articletool.cleaning.hexo_layout import hexo_view, lay_out, markdown_blocks
from articletool.cleaning.rewrite import CleanResult, clean_post, verify
from articletool.cli.app import app
from articletool.errors import SafetyError
from articletool.html.parse import parse_body
from articletool.post.decode import Decoded
from articletool.post.load import parse_post

GOLDEN = Path(__file__).parent / "golden" / "posts"


@pytest.mark.parametrize(
    ("body", "laid_out"),
    [
        # blank lines and indentation between blocks: one line break each
        ("<div>\n\n    <p>a</p>\n   \n</div>", "<div>\n<p>a</p>\n</div>"),
        # trailing spaces before the first line break stay; so does the end of the body
        (
            "<div>   \n\n    <p>a</p>\n</div>\n            ",
            "<div>   \n<p>a</p>\n</div>\n            ",
        ),
        ("    <div>a</div>", "<div>a</div>"),
        # what Hexo passes through already stays as written: indentation inside a
        # block, a blank line before a line that opens a block
        (
            "   <div>\n    <p>a</p>\n\n<p>b</p></div>",
            "   <div>\n    <p>a</p>\n\n<p>b</p></div>",
        ),
        # inside <pre>: the line break that would end a blank line becomes &#10;
        (
            "<div><pre>a\n\n  b\n   \nc</pre>\n\n</div>",
            "<div><pre>a\n&#10;  b\n   &#10;c</pre>\n</div>",
        ),
        ("<div><pre>\n\nx</pre></div>", "<div><pre>\n&#10;x</pre></div>"),
        ("<div><textarea>a\n\nb</textarea></div>", "<div><textarea>a\n&#10;b</textarea></div>"),
        (
            '<div><p style="white-space: pre-wrap">a\n\n b</p></div>',
            '<div><p style="white-space: pre-wrap">a\n&#10; b</p></div>',
        ),
        # tags, attribute values, comments
        (
            '<div><img\n\n   alt="a\n\nb" src="x"></div>',
            '<div><img\nalt="a\n&#10;b" src="x"></div>',
        ),
        ("<div><!-- a\n\n\nb -->x</div>", "<div><!-- a\nb -->x</div>"),
        # Hexo's code fences, in text and in <pre>
        ("<div>\n```js\nx\n```\n</div>", "<div>\n&#96;``js\nx\n&#96;``\n</div>"),
        ("<div><pre>a\n  ~~~\n</pre></div>", "<div><pre>a\n  &#126;~~\n</pre></div>"),
        # script content is raw text: character references mean nothing there
        ("<div><script>a\n\nb</script></div>", "<div><script>a\n\nb</script></div>"),
        # nothing to do
        ("<div>\n<p>a</p>\n</div>", "<div>\n<p>a</p>\n</div>"),
        (
            "<div>中文\u3000\n\u3000\u3000全角缩进</div>",
            "<div>中文\u3000\n\u3000\u3000全角缩进</div>",
        ),
        ("<div>a&nbsp;\n\u00a0\n</div>", "<div>a&nbsp;\n\u00a0\n</div>"),
    ],
)
def test_lay_out(body: str, laid_out: str) -> None:
    new, details = lay_out(body)
    assert new == laid_out
    assert bool(details) is (new != body)
    assert lay_out(new) == (new, [])


def test_details_say_what_changed() -> None:
    _, details = lay_out("<div>\n\n\n    <p>a</p><pre>x\n\ny</pre>\n</div>")
    assert details == [
        "blank line removed (2)",
        "indentation removed (1)",
        "<pre>: blank line written as &#10; (1)",
    ]


def _shown(body: str) -> tuple[str, ...]:
    """What a browser shows of a body, as far as white space goes: each text
    node (white-space runs collapsed, except where white space counts) and
    every attribute."""
    root = parse_body(body)
    out = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            out.append(f"<!-- {' '.join((node.text or '').split())} -->")
            continue
        inside = any(a.tag in ("pre", "textarea") for a in node.iterancestors())
        keep_text = inside or node.tag in ("pre", "textarea", "script")
        out.append(f"<{node.tag} {sorted(node.attrib.items())}>")
        for text, keep in ((node.text, keep_text), (node.tail, inside)):
            text = text or ""
            out.append(text if keep else re.sub(r"[ \t\n\r\f]+", " ", text))
    return tuple(out)


pieces = st.sampled_from(
    [
        "\n",
        "\n\n",
        "   ",
        "\t",
        "\n    ",
        " \n \n ",
        "文字",
        "a b",
        "\u3000",
        "&nbsp;",
        "<p>",
        "</p>",
        "<br>",
        '<img src="x.jpg" alt="a\n\nb">',
        "<span>",
        "</span>",
        "<pre>",
        "</pre>",
        "<code>",
        "</code>",
        "<textarea>",
        "</textarea>",
        "<!-- c\n\n -->",
        "```",
        "*a*",
        "&lt;&gt;",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=30))
def test_laid_out_body_passes_marked_and_shows_the_same(parts: list[str]) -> None:
    body = "\n<div>" + "".join(parts) + "</div>\n"
    new, _ = lay_out(body)
    assert markdown_blocks(new) == ()
    assert _shown(new) == _shown(body)
    assert lay_out(new) == (new, [])


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        ("<div>\n<p>a</p>\n</div>", []),
        ("\n<div>\n<div>\n   \n        <p>a</p>\n</div>", [(5, "indented code")]),
        ("<div><pre>a\n\n*b*</pre></div>", [(3, "paragraph")]),
        ("<div>\n<pre>a\n\n*b*</pre>\n<p>c</p>", [(4, "paragraph")]),
        # a <pre> that opens its own block holds blank lines safely
        ("<div>\n\n<pre>a\n\n*b*</pre>\n<p>c</p>", []),
        ("text\n<div>a</div>", [(1, "paragraph")]),
        ("<span>a</span>\n\n<div>b</div>", [(1, "paragraph")]),
        ("<br>\n\n<div>b</div>", []),  # a tag alone on its line opens a block
        ("\t<div>a</div>", [(1, "indented code")]),
        ("<!-- x\n\ny -->\n<p>a</p>", []),
    ],
)
def test_markdown_blocks(body: str, kinds: list[tuple[int, str]]) -> None:
    assert [(b.line, b.kind) for b in markdown_blocks(body)] == kinds


def test_corpus_posts_hexo_misreads_and_their_cleaned_copies() -> None:
    oschina = read_post(GOLDEN / "oschina_1.md")
    assert [b.kind for b in markdown_blocks(oschina.body)][:1] == ["indented code"]
    assert "<p>本次更新内容如下:</p>" in markdown_blocks(oschina.body)[0].text
    juejin = read_post(GOLDEN / "juejin_1.md")
    assert '["*"]' in "".join(b.text for b in markdown_blocks(juejin.body))
    for cleaned in sorted(GOLDEN.glob("*.clean")):
        post = parse_post(cleaned.read_bytes(), str(cleaned))
        assert markdown_blocks(post.body) == (), cleaned.name


def test_pre_content_is_exact_after_cleaning() -> None:
    post = read_post(GOLDEN / "juejin_1.md")
    result = clean_post(post, CleanSettings(ignore=("copy-buttons",)))
    assert "&#10;module.exports" in result.text

    def code(text: str) -> list[str]:
        root = parse_body(text)
        return [etree.tostring(p, encoding="unicode", method="text") for p in root.iter("pre")]

    assert code(result.text) == code(post.body)


def test_ignoring_the_rule_keeps_the_layout() -> None:
    post = read_post(GOLDEN / "oschina_1.md")
    kept = clean_post(post, CleanSettings(ignore=("hexo-layout",)))
    assert "hexo-layout" not in {c.rule for c in kept.changes}
    assert markdown_blocks(kept.text[len(kept.text) - len(post.body) - 200 :]) != ()
    laid_out = clean_post(post)
    assert "hexo-layout" in {c.rule for c in laid_out.changes}


def test_safety_check_reads_the_result_as_hexo_does() -> None:
    text = "---\ntitle: T\n---\n<div>\n<p>a</p>\n</div>\n"
    post = parse_post(text.encode(), "p.md")
    # same HTML, but indented after a blank line: Hexo would show the markup as code
    bad = CleanResult("---\ntitle: T\n---\n\n\n    <div>\n<p>a</p>\n</div>\n", (), parse_body(""))
    bad = CleanResult(bad.text, (clean_post(parse_post(b"<p></p>", "x")).changes), bad.tree)
    with pytest.raises(SafetyError, match=r"p\.md: not rewritten: Hexo would read line 6 on"):
        verify(post, bad)
    verify(post, bad, CleanSettings(ignore=("hexo-layout",)))  # not asked without the rule
    assert Decoded(text).text == text


def test_cli_explains_and_lists_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.md").write_bytes((GOLDEN / "oschina_1.md").read_bytes())
    result = CliRunner().invoke(app, ["clean", "--explain", "--check", "--isolated", "p.md"])
    assert result.exit_code == 1
    assert result.stdout == "p.md\n"
    assert "p.md: hexo-layout: blank line removed (" in result.stderr
    result = CliRunner().invoke(
        app, ["clean", "--check", "--isolated", "--ignore", "hexo-layout,empty-blocks", "p.md"]
    )
    assert (result.exit_code, result.stdout) == (0, "")
    listed = CliRunner().invoke(app, ["clean", "--list-rules"]).stdout
    assert listed.splitlines()[-1].startswith("hexo-layout\t")


@pytest.mark.parametrize(
    ("body", "view"),
    [
        ("<div>\n<p>a</p>\n</div>", "<div>\n<p>a</p>\n</div>"),
        ("\n<div>\n\n    <p>a</p>\n</div>", "\n<div>\n\n    &lt;p&gt;a&lt;/p&gt;\n</div>"),
        ("<div><pre>a\n\n*b* x_y</pre></div>", "<div><pre>a\n\nb xy</pre></div>"),
    ],
)
def test_hexo_view(body: str, view: str) -> None:
    assert hexo_view(body) == view


@pytest.mark.parametrize("body", ["\t\x1b", "    <b>x</b> y", "a*b*\n\n    c"])
def test_bodies_hexo_reads_as_markdown_anyway_still_clean(body: str) -> None:
    """A body that opens with no block element is read as Markdown however
    it is laid out: cleaning it is refused only if Hexo would show it worse."""
    post = parse_post(body.encode(), "p.md")
    result = clean_post(post)
    verify(post, result)
