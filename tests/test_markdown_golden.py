"""Golden tests: real posts (at least one per source of the corpus) and the
Markdown ``convert --to md`` writes for each.

For ``golden/convert/<name>`` the expected output is ``<name>.convert.md``
(and, for the sample post, ``<name>.convert.json``). Rewrite them with
``pytest --update-golden`` (or ``ARTICLETOOL_UPDATE_GOLDEN=1``) and review
the diff before committing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from articletool.cleaning.body import CleanSettings, clean_tree
from articletool.cli.convert_command import Job, Target, convert_post
from articletool.html.parse import parse_body
from articletool.html.text import to_text
from articletool.markdown.writer import MarkdownOptions
from articletool.post.load import parse_post

GOLDEN = Path(__file__).parent / "golden" / "convert"
POSTS = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt") and "." not in p.stem)
SOURCES = {p.name.rsplit("_", 1)[0] for p in POSTS}
SPACE = re.compile(r"\s+")


def _job(to: Target) -> Job:
    return Job(to, CleanSettings(), MarkdownOptions())


def _check(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path.name}: run with --update-golden"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("post_path", POSTS, ids=[p.name for p in POSTS])
def test_convert_md_golden(post_path: Path, update_golden: bool) -> None:
    post = parse_post(post_path.read_bytes(), post_path.name)
    actual = convert_post(post, _job(Target.MD))
    _check(post_path.with_name(post_path.name + ".convert.md"), actual, update_golden)


def test_convert_json_golden(update_golden: bool) -> None:
    post_path = GOLDEN / "000_7d40135e7ed69f29.txt"
    post = parse_post(post_path.read_bytes(), post_path.name)
    actual = convert_post(post, _job(Target.JSON)) + "\n"
    _check(post_path.with_name(post_path.name + ".convert.json"), actual, update_golden)


@pytest.mark.parametrize("post_path", POSTS, ids=[p.name for p in POSTS])
def test_rendered_markdown_keeps_the_clean_text(post_path: Path) -> None:
    """The Markdown, rendered by a CommonMark renderer, shows the cleaned body's text."""
    post = parse_post(post_path.read_bytes(), post_path.name)
    root = parse_body(post.body)
    clean_tree(root, CleanSettings())
    expected = SPACE.sub("", to_text(root))
    markdown = convert_post(post, _job(Target.MD)).split("\n---\n", 1)[1]
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    rendered = SPACE.sub("", to_text(parse_body(html)))
    assert rendered == expected
    assert "<div" not in markdown
    assert "workers.dev/?" not in markdown


def test_golden_covers_every_source() -> None:
    expected = {
        "000",  # the users' sample post
        "199it", "36kr", "3dm", "acfun", "acm", "aiyanxishe", "animen", "bangumi", "cls",
        "cnbeta", "dockone", "eventernote", "hexo", "ithome", "juejin", "oschina", "woshipm",
        "xiaoheihe", "zaker",
    }  # fmt: skip
    assert expected <= SOURCES
