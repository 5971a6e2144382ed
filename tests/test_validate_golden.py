"""Golden tests: real posts from the corpus (and damaged copies) with the
findings expected beside each, as ``<name>.json``.

Rewrite the expected files with ``pytest --update-golden`` (or
``ARTICLETOOL_UPDATE_GOLDEN=1``) and review the diff. The empty
``articletool.toml`` in the data folder keeps any project settings out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app

DATA = Path(__file__).parent / "data" / "validate"
POSTS = sorted(p for p in DATA.iterdir() if p.suffix in (".md", ".txt"))


@pytest.mark.parametrize("post", POSTS, ids=[p.name for p in POSTS])
def test_golden(post: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    result = CliRunner().invoke(app, ["validate", "--format", "json", post.name])
    actual = {"exit_code": result.exit_code, "findings": json.loads(result.stdout)}
    expected_path = post.with_name(post.name + ".json")
    if update_golden:
        text = json.dumps(actual, ensure_ascii=False, indent=2) + "\n"
        expected_path.write_text(text, encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected
    assert all(f["path"] == post.name for f in actual["findings"])


def test_golden_set_is_complete() -> None:
    assert len(POSTS) >= 6
    for post in POSTS:
        assert post.with_name(post.name + ".json").is_file(), post.name
