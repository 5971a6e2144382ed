"""docs/validate.md validate section documents every rule, option and format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from articletool.validate import RULES
from articletool.validate.report import Format

PAGE = Path(__file__).resolve().parent.parent / "docs" / "validate.md"


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    assert text.startswith("# validate\n"), "docs/validate.md is not the validate page"
    return text


def test_rules_table_matches_the_registry() -> None:
    rows = re.findall(r"^\| `(FM\d{3})` \| ([\w-]+) \| (error|warning) \|", _section(), re.M)
    assert rows == [(code, rule.name, str(rule.severity)) for code, rule in RULES.items()]


@pytest.mark.parametrize(
    "option",
    [
        "--required",
        "--select",
        "--ignore",
        "--strict",
        "--format",
        "--jobs",
        "--max-bytes",
        "--max-yaml-nodes",
    ],
)
def test_options_are_documented(option: str) -> None:
    assert f"`{option}" in _section()


def test_formats_are_documented() -> None:
    for fmt in Format:
        assert f"`--format {fmt}`" in _section()


def test_python_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = re.search(r"```python\n(.*?)```", _section(), re.DOTALL)
    assert code is not None
    monkeypatch.chdir(PAGE.parent.parent)
    exec(code.group(1), {})
    assert "FM302" in capsys.readouterr().out
