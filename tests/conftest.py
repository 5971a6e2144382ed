"""Shared pytest settings: the switch that rewrites golden files.

Run ``pytest --update-golden`` (or set ``ARTICLETOOL_UPDATE_GOLDEN=1``) to
write the expected files from the current output instead of comparing; then
review the diff before committing it.
"""

from __future__ import annotations

import os

import pytest


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
