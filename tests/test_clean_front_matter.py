"""The cheap proof that a front-matter edit touched nothing else
(``rewrite._tokens_prove``) never accepts an edit that loading the whole
edited front matter again would refuse."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articletool.cleaning import rewrite
from articletool.cleaning.body import CleanSettings
from articletool.cleaning.rewrite import clean_front_matter_text
from articletool.post.load import parse_post

PROXY = "https://cors.zfour.workers.dev/?"


def _edit_with(post_text: str, proof: str) -> str:
    """The front matter block ``clean`` writes, with one of the two proofs only."""
    post = parse_post(post_text.encode("utf-8"), "p.md")
    saved = rewrite._tokens_prove, rewrite._same_but
    try:
        if proof == "tokens":
            rewrite._same_but = lambda *args: False  # type: ignore[assignment]
        else:
            rewrite._tokens_prove = lambda *args: False  # type: ignore[assignment]
        return clean_front_matter_text(post, CleanSettings())
    finally:
        rewrite._tokens_prove, rewrite._same_but = saved


def _loaded(block: str) -> object:
    raw = block.strip().removeprefix("---").removesuffix("---")
    return yaml.load(raw, Loader=yaml.CSafeLoader)  # the loader articletool uses


@pytest.mark.parametrize(
    ("layout", "tokens_accept"),
    [
        ("headimg: {value}\n", True),
        ("headimg: '{value}'  # note\n", True),
        ('headimg: "{value}"\n', True),
        ("headimg: {value}\n  continued on the next line\n", False),
        ("headimg:\n  {value}\n", False),  # the value is not on its key's line
        ("{{headimg: '{value}', title: x}}\n", False),  # a flow mapping
        ("headimg: !!str {value}\n", False),  # a tag: the whole reload decides
        ("headimg: &a {value}\nsame: *a\n", False),  # the anchor must stay
    ],
)
def test_the_token_proof_takes_simple_layouts_and_leaves_the_rest(
    layout: str, tokens_accept: bool
) -> None:
    text = "---\ntitle: t\n" + layout.format(value=f"{PROXY}http://a/h.jpg") + "---\n<p>x</p>"
    by_tokens = _edit_with(text, "tokens")
    by_reload = _edit_with(text, "reload")
    assert (PROXY not in by_tokens) is tokens_accept
    if tokens_accept:
        assert by_tokens == by_reload
        assert _loaded(by_tokens)["headimg"] == "http://a/h.jpg"  # type: ignore[index]


_URL_TAIL = st.text(
    alphabet=st.sampled_from([*"abc/.:?#&=%-_ '\"\\,[]{}*!|>@`~", "长", "\t"]),
    max_size=12,
)
_STYLE = st.sampled_from(["plain", "single", "double"])
_AFTER = st.sampled_from(
    ["", "  # c", "\n  more", "\n\n  more", "\n# c", "\nnext: 1", "\nsame: *a"]
)
_PROPERTIES = st.sampled_from(["", "&a ", "!!str ", "!!str &a "])


def _written(value: str, style: str) -> str:
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(tail=_URL_TAIL, style=_STYLE, after=_AFTER, properties=_PROPERTIES)
def test_whatever_the_token_proof_accepts_the_whole_reload_accepts_too(
    tail: str, style: str, after: str, properties: str
) -> None:
    value = f"{PROXY}http://a/{tail}"
    written = properties + _written(value, style)
    text = f"---\ntitle: t\nheadimg: {written}{after}\n---\n<p>x</p>"
    post = parse_post(text.encode("utf-8"), "p.md")
    if post.front_matter is None or not isinstance(post.meta.get("headimg"), str):
        return  # not valid YAML, or not a string: nothing to edit
    by_tokens = _edit_with(text, "tokens")
    if PROXY in by_tokens.split("headimg", 1)[1].split("\n", 1)[0]:
        return  # the token proof refused: the whole reload decides
    assert by_tokens == _edit_with(text, "reload")
    expected = dict(post.meta)
    expected["headimg"] = rewrite.urls.unproxy(post.meta["headimg"])
    assert _loaded(by_tokens) == expected


@settings(max_examples=600, deadline=None)
@given(
    inner=st.text(alphabet=st.sampled_from([*" az/:?#&='\"\\~-", "长", "\t", "\u2028"])),
    quote=st.sampled_from(["'", '"']),
    value=st.sampled_from(["", "a", "http://a/h.jpg", " a "]),
)
def test_a_token_means_what_yaml_reads_it_as(inner: str, quote: str, value: str) -> None:
    token = quote + inner + quote
    try:
        read = yaml.load(token, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        read = None
    for expected in (value, inner, read if isinstance(read, str) else value):
        assert rewrite._means(token, expected) is (read == expected)
