"""Golden tests: real posts (at least one per source of the corpus) with the
expected ``clean`` output and ``extract`` record beside each.

For ``posts/<name>`` the expected files are ``<name>.clean`` (the cleaned
file, bytes as ``clean`` writes them) and ``<name>.extract.json``. Rewrite
them with ``pytest --update-golden`` (or ``ARTICLETOOL_UPDATE_GOLDEN=1``)
and review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from articletool.cleaning.body import CleanSettings
from articletool.cleaning.rewrite import clean_post, verify
from articletool.output.record import extract_record
from articletool.post.load import parse_post

GOLDEN = Path(__file__).parent / "golden" / "posts"
POSTS = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt"))
SOURCES = {p.name.rsplit("_", 1)[0] for p in POSTS}


def _check(path: Path, actual: bytes, update: bool) -> None:
    if update:
        path.write_bytes(actual)
    assert path.is_file(), f"missing golden file {path.name}: run with --update-golden"
    assert actual == path.read_bytes()


@pytest.mark.parametrize("post_path", POSTS, ids=[p.name for p in POSTS])
def test_clean_golden(post_path: Path, update_golden: bool) -> None:
    data = post_path.read_bytes()
    post = parse_post(data, post_path.name)
    result = clean_post(post, CleanSettings())
    verify(post, result)
    actual = post.source.encode(result.text) if result.changed else data
    _check(post_path.with_name(post_path.name + ".clean"), actual, update_golden)


@pytest.mark.parametrize("post_path", POSTS, ids=[p.name for p in POSTS])
def test_extract_golden(post_path: Path, update_golden: bool) -> None:
    post = parse_post(post_path.read_bytes(), post_path.name)
    record = extract_record(post, None, CleanSettings())
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    _check(post_path.with_name(post_path.name + ".extract.json"), text.encode(), update_golden)


def test_golden_covers_every_source() -> None:
    expected = {
        "000",  # the users' sample post
        "199it",
        "36kr",
        "3dm",
        "acfun",
        "acm",
        "aiyanxishe",
        "animen",
        "bangumi",
        "cls",
        "cnbeta",
        "dockone",
        "eventernote",
        "hexo",
        "ithome",
        "juejin",
        "oschina",
        "woshipm",
        "xiaoheihe",
        "zaker",
    }
    assert expected <= SOURCES


def test_cleaned_golden_posts_are_stable() -> None:
    """The expected outputs are themselves clean: a second pass changes nothing."""
    for expected in sorted(GOLDEN.glob("*.clean")):
        post = parse_post(expected.read_bytes(), expected.name)
        assert not clean_post(post).changes, expected.name
