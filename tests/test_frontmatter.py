"""frontmatter.split and frontmatter.load: parts, positions in the file, refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articletool.errors import FrontMatterError, LimitError
from articletool.post.frontmatter import KeyInfo, load, split

SEED_LIKE = "\n".join(
    [
        "",
        "---",
        "title: 'A [bracketed] title'",
        "categories: ",
        " - 新媒体",
        " - ZAKER",
        "comments: false",
        "date: Thu, 18 Aug 2022 19:08:00 GMT",
        "---",
        "",
        "<div>   ",
        "<p>body</p>",
        "</div>  ",
    ]
)


def test_split_blank_line_before_fence() -> None:
    parts = split(SEED_LIKE)
    assert parts.has_front_matter
    assert parts.leading == "\n"
    assert parts.fence_line == 2
    assert parts.start_line == 3
    assert parts.raw is not None and parts.raw.startswith("title:")
    assert parts.raw.endswith("GMT\n")
    assert parts.body_line == 10
    assert parts.body == SEED_LIKE.split("\n", 9)[9]
    assert not parts.unterminated


def test_split_keeps_every_character() -> None:
    parts = split(SEED_LIKE)
    assert parts.raw is not None
    assert parts.leading + "---\n" + parts.raw + "---\n" + parts.body == SEED_LIKE


def test_split_at_top() -> None:
    parts = split("---\na: 1\n---\nbody\n")
    assert (parts.leading, parts.raw, parts.body, parts.fence_line) == ("", "a: 1\n", "body\n", 1)


def test_split_dots_close_front_matter() -> None:
    parts = split("---\na: 1\n...\nbody")
    assert parts.raw == "a: 1\n"
    assert parts.body == "body"


def test_split_no_front_matter() -> None:
    text = "<p>only a body</p>\n---\n"
    parts = split(text)
    assert parts.raw is None
    assert not parts.unterminated
    assert parts.body == text
    assert parts.fence_line == 0


def test_split_unterminated() -> None:
    text = "\n\n---\ntitle: x\n<p>body</p>\n"
    parts = split(text)
    assert parts.raw is None
    assert parts.unterminated
    assert parts.fence_line == 3
    assert parts.body == text


def test_split_empty_front_matter() -> None:
    parts = split("---\n---\nbody")
    assert parts.raw == ""
    assert load(parts.raw, parts.start_line).data is None


def test_split_fence_needs_its_own_line() -> None:
    assert split("--- title: x\n---\n").raw is None
    assert split("----\na: 1\n----\n").raw is None


def test_load_positions_are_in_the_file() -> None:
    parts = split(SEED_LIKE)
    assert parts.raw is not None
    fm = load(parts.raw, parts.start_line)
    assert fm.is_mapping
    assert fm.data["title"] == "A [bracketed] title"
    assert fm.keys["title"] == KeyInfo(3, 1, 3, 8, "'")
    assert fm.keys["categories"].line == 4
    assert fm.keys["categories"].value_line == 5
    assert fm.keys["categories"].style is None
    assert fm.keys["comments"] == KeyInfo(7, 1, 7, 11, "")
    assert fm.keys["date"].value_column == 7
    assert fm.raw == parts.raw
    assert fm.start_line == 3


def test_load_styles() -> None:
    fm = load('a: plain\nb: "double"\nc: |\n  block\nd: >\n  folded\n')
    assert [fm.keys[k].style for k in "abcd"] == ["", '"', "|", ">"]


def test_load_duplicates() -> None:
    fm = load("title: one\ndate: 2022-01-01\ntitle: two\n", start_line=5)
    assert fm.data["title"] == "two"
    assert len(fm.duplicates) == 1
    name, first, again = fm.duplicates[0]
    assert name == "title"
    assert (first.line, again.line) == (5, 7)
    assert fm.keys["title"].line == 7


def test_key_positions_looked_up_one_by_one_match_the_whole_table() -> None:
    raw = "title: one\n1: number\ndate: 2022-01-01\ntitle: two\nx: {y: 1}\n"
    one_by_one = load(raw, start_line=2).keys
    assert one_by_one["title"].line == 5  # the last of a repeated key, as YAML keeps
    assert one_by_one["x"] == KeyInfo(6, 1, 6, 4, None)
    assert one_by_one.get("missing") is None and "missing" not in one_by_one
    whole = dict(load(raw, start_line=2).keys)
    assert list(whole) == ["title", "1", "date", "x"]
    assert all(one_by_one[name] == info for name, info in whole.items())
    assert len(one_by_one) == 4 and one_by_one["title"] == whole["title"]


def test_load_invalid_yaml_is_located_in_the_file() -> None:
    text = "\n---\ntitle: ok\nauthor: a: b\n---\nbody"
    parts = split(text)
    assert parts.raw is not None
    with pytest.raises(FrontMatterError) as info:
        load(parts.raw, parts.start_line)
    assert info.value.line == 4
    assert info.value.column == 10
    assert "invalid YAML" in info.value.message


def test_load_unclosed_quote_is_located() -> None:
    with pytest.raises(FrontMatterError) as info:
        load("title: 'open\ndate: x\n", start_line=2)
    assert info.value.line is not None and info.value.line >= 2


BOMB = "\n".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]",
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]",
        "i: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]",
    ]
)


def test_load_refuses_alias_bomb() -> None:
    # 10**9 nodes once expanded: refused by counting, never expanded.
    with pytest.raises(LimitError, match="alias bomb") as info:
        load(BOMB, start_line=2)
    assert info.value.line == 2


def test_load_allows_honest_aliases() -> None:
    fm = load("a: &x [1, 2]\nb: *x\n")
    assert fm.data == {"a": [1, 2], "b": [1, 2]}


def test_load_limit_is_configurable() -> None:
    with pytest.raises(LimitError):
        load("a: [1, 2, 3, 4, 5]\n", max_nodes=3)


def test_load_deep_nesting_is_refused() -> None:
    with pytest.raises((FrontMatterError, LimitError)):
        load("a: " + "[" * 5000 + "]" * 5000)


def test_load_not_a_mapping() -> None:
    fm = load("- a\n- b\n")
    assert not fm.is_mapping
    assert fm.keys == {}
    assert fm.get("a") is None


@given(st.text(max_size=200))
def test_split_never_loses_text(text: str) -> None:
    text = text.replace("\r", "")
    parts = split(text)
    if parts.raw is None:
        assert parts.body == text
    else:
        assert text.startswith(parts.leading)
        assert not parts.leading.strip(" \t\n")
        assert text.endswith(parts.body)
        fences = len(text) - len(parts.leading) - len(parts.raw) - len(parts.body)
        assert fences >= len("---\n---")
        assert text[len(parts.leading) : len(parts.leading) + 3] == "---"


@given(st.text(max_size=200))
def test_load_raises_only_our_errors(raw: str) -> None:
    try:
        load(raw, start_line=3)
    except (FrontMatterError, LimitError) as exc:
        assert exc.line is None or exc.line >= 3


def test_load_keeps_impossible_timestamps_as_text() -> None:
    fm = load("date: 2021-04-31 08:08:37\nok: 2021-04-30\nodd: !!timestamp x\n")
    assert fm.data["date"] == "2021-04-31 08:08:37"
    assert str(fm.data["ok"]) == "2021-04-30"
    assert fm.data["odd"] == "x"


@pytest.mark.parametrize(
    "raw", ["a: !!float x\n", "a: !!int 1.5\n", "a: !!bool ~\n", "a: !!int\n", "? [a]\n: b\n"]
)
def test_load_bad_values_are_our_errors(raw: str) -> None:
    with pytest.raises(FrontMatterError) as info:
        load(raw, start_line=4)
    assert info.value.line is not None and info.value.line >= 4
