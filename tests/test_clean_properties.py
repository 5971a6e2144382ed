"""Property tests over generated posts built from the markup the corpus uses:
cleaning never raises, never changes the visible text, is idempotent, and
never leaves executable markup; extract never raises and keeps the text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articletool.cleaning.body import clean_tree, serialize_body, splice, visible_text
from articletool.cleaning.rewrite import clean_post, verify
from articletool.cleaning.rules import DEBRIS
from articletool.errors import ArticleToolError
from articletool.html.parse import parse_body
from articletool.html.tree import HIDDEN_TAGS, Selector, tag
from articletool.output.record import extract_record
from articletool.post.load import parse_post

PROXY = "https://cors.zfour.workers.dev/?"

words = st.text(
    alphabet=st.sampled_from(list("abcXYZ 中文字，。“”\n\t\u00a0\u3000{}&<>'\"#:-")), max_size=12
)
addresses = st.sampled_from(
    [
        "http://a.example/1.jpg",
        PROXY + "http://a.example/2.jpg",
        "javascript:alert(1)",
        "JaVa\tScript:alert(1)",
        "data:image/gif;base64,R0lGOD",
        "data:text/html,<script>x</script>",
        "//v.qq.com/x",
        "",
    ]
)
classes = st.sampled_from(
    [
        "",
        "img_box",
        "content_img_div",
        "lazy opacity_0",
        "project-link",
        "s_tag",
        "zaker_div",
        "zk_decsimg",
        "aw-upload-img-list",
        "copy-code-btn",
        "edi_oper",
        "iframe_video",
        "card",
    ]
)
containers = st.sampled_from(
    [
        "p",
        "div",
        "span",
        "strong",
        "em",
        "a",
        "h2",
        "ul",
        "li",
        "blockquote",
        "pre",
        "code",
        "section",
        "td",
        "noscript",
        "font",
    ]
)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    parts = []
    klass = draw(classes)
    if klass:
        parts.append(f'class="{klass}"')
    if draw(st.booleans()):
        parts.append(f'href="{html.escape(draw(addresses))}"')
    if draw(st.integers(0, 4)) == 0:
        parts.append('onclick="evil()"')
    if draw(st.integers(0, 4)) == 0:
        parts.append('style="color: red"')
    if draw(st.integers(0, 6)) == 0:
        parts.append('data-fancybox-group="thumb"')
    return (" " + " ".join(parts)) if parts else ""


@st.composite
def leaves(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        src = html.escape(draw(addresses))
        lazy = html.escape(draw(addresses))
        alt = html.escape(draw(words))
        return f'<img src="{src}" data-original="{lazy}" data-width="10" alt="{alt}">'
    if kind == 1:
        return "<br>"
    if kind == 2:
        return f"<script>{html.escape(draw(words))}</script>"
    if kind == 3:
        return f'<iframe src="{html.escape(draw(addresses))}"></iframe>'
    return html.escape(draw(words))


def nodes(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return leaves()
    child = nodes(depth - 1)

    @st.composite
    def element(draw: st.DrawFn) -> str:
        name = draw(containers)
        inner = "".join(draw(st.lists(child, max_size=4)))
        return f"<{name}{draw(attributes())}>{inner}</{name}>"

    return st.one_of(leaves(), element())


bodies = st.lists(nodes(3), max_size=6).map(
    lambda parts: "\n<div>   \n" + "".join(parts) + "  \n</div>\n  "
)
front = st.sampled_from(
    ["", "---\ntitle: 'x'\n---\n", f"\n---\ntitle: t\nheadimg: '{PROXY}http://a/h.jpg'\n---\n"]
)
EXECUTABLE = re.compile(r"<script|\son[a-z]+\s*=|javascript:|vbscript:|data:text/html", re.I)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front, bodies)
def test_clean_is_safe_idempotent_and_keeps_text(head: str, body: str) -> None:
    post = parse_post((head + body).encode(), "gen.md")
    result = clean_post(post)
    verify(post, result)  # same visible text, and a second pass changes nothing
    again = parse_post(result.text.encode(), "gen.md")
    assert clean_post(again).changes == ()
    assert visible_text(parse_body(again.body)) == visible_text(parse_body(post.body))
    assert not EXECUTABLE.search(again.body)


@settings(max_examples=200, deadline=None)
@given(front, bodies)
def test_extract_never_raises_and_keeps_text(head: str, body: str) -> None:
    post = parse_post((head + body).encode(), "gen.md")
    record = extract_record(post)
    squashed = re.sub(r"\s+", "", record["text"])
    assert squashed == visible_text(parse_body(post.body))
    for image in record["images"]:
        assert "workers.dev" not in image["src"]
        assert not image["src"].lower().startswith(("javascript", "data:"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_cleans_without_error(text: str) -> None:
    """Any text: cleaned and verified, or refused with one of articletool's errors."""
    post = parse_post(text.replace("\x00", "").encode(), "any.md")
    if post.error is not None:
        return
    try:
        result = clean_post(post)
    except ArticleToolError as exc:
        assert str(exc)
        return
    verify(post, result)
    extract_record(post)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_splice_gives_the_cleaned_tree(body: str) -> None:
    """Keeping the original's bytes where no rule acted never changes the result's tree."""
    root = parse_body(body)
    before = serialize_body(root, body)
    clean_tree(root)
    after = serialize_body(root, body)
    out = splice(body, before, after)
    assert serialize_body(parse_body(out), out) == serialize_body(parse_body(after), after)


def _plain_visible(el: Any, skip: tuple[Selector, ...]) -> Iterator[str]:
    """visible_text's reading written the plain way: the oracle for its faster walk."""
    if tag(el) in HIDDEN_TAGS or any(s.matches(el) for s in skip):
        return
    if el.text and isinstance(el.tag, str):
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            yield from _plain_visible(child, skip)
        if child.tail:
            yield child.tail


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies,
    st.sampled_from(["", "<!-- c -->", "<?pi x?>", '<span class="copy-code-btn">复制</span>']),
)
def test_visible_text_reads_what_a_plain_walk_reads(body: str, extra: str) -> None:
    root = parse_body(extra + body + extra)
    plain = re.sub(r"\s+", "", "".join(_plain_visible(root, tuple(DEBRIS))))
    assert visible_text(root) == plain
    assert visible_text(root, DEBRIS.items) == plain
    if extra.startswith("<span"):
        assert "复制" not in plain
