"""Shared pytest settings: the switch that rewrites golden files, and inputs
several test files use.

Run ``pytest --update-golden`` (or set ``ARTICLETOOL_UPDATE_GOLDEN=1``) to
write the expected files from the current output instead of comparing; then
review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articletool.run.files import Input

GOLDEN_POSTS = Path(__file__).parent / "golden" / "convert"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden tests should write their expected files."""
    flag = bool(request.config.getoption("--update-golden"))
    return flag or os.environ.get("ARTICLETOOL_UPDATE_GOLDEN") == "1"


@pytest.fixture
def mixed_inputs(tmp_path: Path) -> list[Input]:
    """Real posts with bad ones among them (a body nested too deep, a binary
    file, one that is missing, invalid YAML): for work done over a chunk."""
    bad = {
        "deep.md": b"---\ntitle: t\n---\n" + b"<div>" * 600 + b"x",
        "binary.md": bytes(range(256)),
        "bad_yaml.md": b"---\ntitle: [\n---\n<p>kept</p>",
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    posts = sorted(
        p for p in GOLDEN_POSTS.iterdir() if p.suffix in (".md", ".txt") and "." not in p.stem
    )
    paths = [*posts[:5], tmp_path / "deep.md", *posts[5:9], tmp_path / "binary.md"]
    paths += [tmp_path / "missing.md", tmp_path / "bad_yaml.md", *posts[9:]]
    return [Input(str(path), path) for path in paths]
