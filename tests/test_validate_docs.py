"""The README's validate section documents every rule, option and format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from articletool.report import Format
from articletool.validate import RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## validate\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no '## validate' section"
    return match.group(1)


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
    monkeypatch.chdir(README.parent)
    exec(code.group(1), {})
    assert "FM302" in capsys.readouterr().out
