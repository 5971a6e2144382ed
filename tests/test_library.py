"""The library API gives what the commands write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import articletool

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
GOLDEN = REPO / "tests" / "golden" / "posts"


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "articletool", *args],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    return done.stdout


def test_library_functions_match_the_commands() -> None:
    post = articletool.read_post(SEED)
    assert post.meta["author"] == "ZAKER"
    markdown = articletool.to_markdown(post)
    assert cli("convert", "--to", "md", str(SEED)).rstrip("\n") == markdown.rstrip("\n")
    assert "workers.dev" not in markdown and "<div" not in markdown
    record = articletool.to_record(post)
    assert json.loads(cli("convert", "--to", "json", str(SEED))) == record
    assert [image["src"] for image in record["images"]] == [
        "http://zkres1.myzaker.com/202208/62fed8928e9f0973af7870e2_1024.jpg",
        "http://zkres2.myzaker.com/202208/62fed8928e9f0973af7870e3_1024.jpg",
        "http://zkres2.myzaker.com/202208/62fed8928e9f0973af7870e4_1024.jpg",
    ]
    cleaned = articletool.clean(post)
    assert post.source.encode(cleaned.text).decode("utf-8") == cli("clean", str(SEED))
    assert {change.rule for change in cleaned.changes} >= {"lazy-images", "proxies"}


def test_a_clean_post_is_stable() -> None:
    post = articletool.parse_post(articletool.clean(articletool.read_post(SEED)).text.encode())
    assert articletool.clean(post).changes == ()
