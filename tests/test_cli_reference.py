"""docs/cli-reference.md is every command's ``--help``, as the CLI prints it.

The reference is generated from the CLI itself, so it cannot drift from it:
this test fails when the file is stale. Rewrite it with
``pytest tests/test_cli_reference.py --update-golden`` and commit the diff.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from articletool.cli.app import COMMANDS, app

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli-reference.md"

HEADER = """# Command reference

Every command's `--help`, as `articletool` prints it (generated from the
CLI by `tests/test_cli_reference.py`, which fails when this file is stale;
rewrite it with `pytest tests/test_cli_reference.py --update-golden`).
"""


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout.rstrip() + "\n"


def render_reference() -> str:
    parts = [HEADER, "## articletool\n", "```text\n" + _help() + "```\n"]
    for name in COMMANDS:
        parts += [f"## articletool {name}\n", "```text\n" + _help(name) + "```\n"]
    return "\n".join(parts)


def test_cli_reference_is_current(update_golden: bool) -> None:
    text = render_reference()
    if update_golden:
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.is_file(), "docs/cli-reference.md is missing: run with --update-golden"
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        "docs/cli-reference.md is stale: run pytest tests/test_cli_reference.py --update-golden"
    )


def test_reference_names_every_option() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## articletool {name}\n" in text
    assert "--files-from" in text and "--html / --no-html" in text
