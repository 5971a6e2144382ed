"""Cleaning whole posts: front matter edited as text, untouched bytes kept,
and the safety check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from articletool.cleaning import rules
from articletool.cleaning.body import CleanSettings, splice
from articletool.cleaning.rewrite import CleanResult, clean_front_matter_text, clean_post, verify
from articletool.errors import FrontMatterError, SafetyError
from articletool.post.load import parse_post

PROXY = "https://cors.zfour.workers.dev/?"


def post_of(text: str, path: str = "p.md"):  # type: ignore[no-untyped-def]
    return parse_post(text.encode("utf-8"), path)


def test_front_matter_fields_are_edited_in_place() -> None:
    text = (
        "\n---\n"
        "title: 'T'\n"
        "# a comment that must stay\n"
        f"headimg: '{PROXY}http://a/h.jpg'   # trailing comment\n"
        f'cover: "{PROXY}http://a/c.jpg"\n'
        f"thumbnail: {PROXY}http://a/t.jpg\n"
        f"other: '{PROXY}http://a/o.jpg'\n"
        "---\n\n<div>body</div>"
    )
    result = clean_post(post_of(text))
    assert result.text == (
        "\n---\n"
        "title: 'T'\n"
        "# a comment that must stay\n"
        "headimg: 'http://a/h.jpg'   # trailing comment\n"
        'cover: "http://a/c.jpg"\n'
        "thumbnail: http://a/t.jpg\n"
        f"other: '{PROXY}http://a/o.jpg'\n"
        "---\n\n<div>body</div>"
    )
    assert [(c.rule, c.detail) for c in result.changes] == [
        ("proxies", "front matter headimg"),
        ("proxies", "front matter thumbnail"),
        ("proxies", "front matter cover"),
    ]


def test_quotes_inside_values_are_kept_valid() -> None:
    text = f"---\nheadimg: '{PROXY}http://a/it''s.jpg'\n---\nx"
    result = clean_post(post_of(text))
    assert "headimg: 'http://a/it''s.jpg'\n" in result.text
    assert post_of(result.text).meta["headimg"] == "http://a/it's.jpg"


def test_multi_line_values_are_left_alone() -> None:
    text = f"---\nheadimg: >-\n  {PROXY}http://a/h.jpg\n---\nx"
    assert clean_post(post_of(text)).changes == ()


def test_upgrade_http_applies_to_front_matter_images() -> None:
    text = f"---\nheadimg: '{PROXY}http://a/h.jpg'\n---\nx"
    result = clean_post(post_of(text), CleanSettings(upgrade_http=True))
    assert "headimg: 'https://a/h.jpg'" in result.text


def test_clean_front_matter_text_is_the_block() -> None:
    text = f"\n\n---\ntitle: x\nheadimg: {PROXY}http://a/h.jpg\n---\n<p>body</p>"
    assert clean_front_matter_text(post_of(text)) == "---\ntitle: x\nheadimg: http://a/h.jpg\n---\n"
    assert clean_front_matter_text(post_of("<p>no front matter</p>")) == ""


def test_untouched_post_keeps_its_text_exactly() -> None:
    text = (
        "\n---\ntitle: 'T'\n---\n\n<div>\n<p>a&amp;b <a href='x?a=1&b=2'>l</a></p>  \n</div>\n   "
    )
    result = clean_post(post_of(text))
    assert result.changes == ()
    assert result.text == text


def test_body_only_post_without_front_matter() -> None:
    result = clean_post(post_of("<p></p><p>a</p>"))
    assert result.text == "<p>a</p>"


def test_bom_crlf_and_encoding_survive() -> None:
    raw = "\ufeff---\r\ntitle: 标题\r\n---\r\n<p></p><p>正文</p>\r\n".encode()
    post = parse_post(raw, "p.md")
    result = clean_post(post)
    out = post.source.encode(result.text)
    assert out == "\ufeff---\r\ntitle: 标题\r\n---\r\n<p>正文</p>\r\n".encode()
    gbk = "---\ntitle: 标题\n---\n<p></p><p>正文内容</p>\n".encode("gb18030")
    post = parse_post(gbk, "g.md")
    assert post.source.encode(
        clean_post(post).text
    ) == "---\ntitle: 标题\n---\n<p>正文内容</p>\n".encode("gb18030")


def test_bad_front_matter_is_refused() -> None:
    with pytest.raises(FrontMatterError):
        clean_post(post_of("---\ntitle: [unclosed\n---\n<p></p>"))


def test_verify_accepts_a_real_clean() -> None:
    post = post_of(f"---\nheadimg: {PROXY}http://a/h.jpg\n---\n<p></p><p>text</p>")
    result = clean_post(post)
    # A clean that changes something, or verify would have nothing to check.
    assert result.text == "---\nheadimg: http://a/h.jpg\n---\n<p>text</p>"
    assert [change.rule for change in result.changes] == ["proxies", "empty-paragraphs"]
    verify(post, result)


@pytest.fixture
def text_eating_rule() -> Iterator[None]:
    """A broken rule that drops a paragraph with text, to prove the check bites."""

    def eat(root, settings):  # type: ignore[no-untyped-def]
        gone = [p for p in root.iter("p") if "secret" in (p.text or "")]
        for p in gone:
            p.drop_tree()
        return ["ate a paragraph"] * len(gone)

    table = rules.RULES
    assert isinstance(table, dict)
    table["eat-text"] = rules.Rule("eat-text", eat, "test only")
    try:
        yield
    finally:
        del table["eat-text"]


@pytest.mark.usefixtures("text_eating_rule")
def test_verify_refuses_text_loss() -> None:
    post = post_of("<p>keep</p><p>secret words</p>")
    settings = CleanSettings(select=("eat-text",))
    result = clean_post(post, settings)
    with pytest.raises(SafetyError, match="would change the text") as info:
        verify(post, result, settings)
    assert info.value.path == "p.md"


def test_verify_refuses_an_unstable_result() -> None:
    post = post_of("<p></p><p>a</p>")
    fake = CleanResult("<p></p><p>a</p><p></p>", clean_post(post).changes, clean_post(post).tree)
    with pytest.raises(SafetyError, match="not stable"):
        verify(post, fake)


def test_untouched_markup_keeps_its_bytes() -> None:
    body = (
        "\n<div>   \n<p>a&b <a href='x?a=1&b=2'>l</a> -> </p><p></p>"
        '<p onclick="x()">t</p><br/>\n</div>\n  '
    )
    result = clean_post(post_of(body))
    assert (
        result.text
        == "\n<div>   \n<p>a&b <a href='x?a=1&b=2'>l</a> -> </p><p>t</p><br/>\n</div>\n  "
    )


def test_splice_falls_back_to_the_serialisation() -> None:
    assert splice("<p>x", "<p>x</p>", "<p>y</p>") == "<p>y</p>"
    assert splice("<p>a&b</p><p></p>", "<p>a&amp;b</p><p></p>", "<p>a&amp;b</p>") == "<p>a&b</p>"
