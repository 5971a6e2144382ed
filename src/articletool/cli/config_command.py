"""`articletool config`: the settings in effect, and the file they came from."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from articletool.cli import clean_command, validate_command
from articletool.cli.context import PathsArg, RunContext
from articletool.config import SECTION_KEYS, SETTINGS, Config, header
from articletool.errors import ExitCode, UsageError


class Format(StrEnum):
    TEXT = "text"
    PYPROJECT = "pyproject"
    JSON = "json"


def effective(config: Config) -> dict[str, Any]:
    """Every setting in effect under ``config`` as the settings file keys it
    (the file's value, else the default; :data:`articletool.config.SETTINGS`),
    after the same checks every command makes."""
    validate_command.build_settings(
        config.section("validate"),
        config.where,
        required=None,
        select=None,
        ignore=None,
        strict=None,
        now=datetime.now(UTC),
    )
    clean_command.build_settings(config.section("clean"), config.where)
    out: dict[str, Any] = {"config_file": str(config.path) if config.path is not None else None}
    for table in ("", *SECTION_KEYS):
        given = config.table if not table else config.table.get(table, {})
        values = out.setdefault(table, {}) if table else out
        for setting in SETTINGS:
            if setting.table == table:
                value = given.get(setting.key, setting.default)
                values[setting.key] = value.lower() if setting.kind == "choice" else value
    return out


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table (a schema given in the settings)
        pairs = (f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(value, ensure_ascii=False)


def _toml_key(key: str) -> str:
    """``key`` bare where TOML allows it, else quoted (``"$schema"``)."""
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return json.dumps(key, ensure_ascii=False)


def render_text(settings: dict[str, Any], nested: bool = False) -> str:
    """The settings as a settings file articletool reads back to the same
    settings: an ``articletool.toml``, or with ``nested`` the
    ``[tool.articletool]`` tables for a ``pyproject.toml``; each key under
    its help, the file they came from in a comment on top."""
    origin = settings["config_file"]
    lines = [f"# settings from {origin}" if origin else "# no settings file: defaults"]
    helps = {(s.table, s.key): s.help for s in SETTINGS}
    if nested:
        lines.append(header("", True))
    for table in ("", *SECTION_KEYS):
        values = settings[table] if table else settings
        if table:
            lines.append(f"\n{header(table, nested)}")
        for key, value in values.items():
            if (table, key) in helps:
                lines.append(f"# {helps[table, key]}")
                lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text: an articletool.toml; pyproject: the [tool.articletool] tables for a "
        "pyproject.toml; json: one object. Each reads back to the same settings.",
    ),
]


def command(context: RunContext, paths: PathsArg, output_format: FormatOpt = Format.TEXT) -> None:
    """Print the settings in effect for PATHs (default: the current folder),
    defaults filled in, as a settings file, and the file they came from.

    The file is found as every command finds it: walking up from the common
    folder of the PATHs to the nearest articletool.toml or pyproject.toml
    with [tool.articletool]; --config FILE names it, --isolated ignores it.
    """
    try:
        settings = effective(context.config)
    except UsageError as exc:
        where = f"{exc.path}: " if exc.path else ""
        sys.stderr.write(f"articletool config: {where}{exc.message}\n")
        raise typer.Exit(int(ExitCode.INPUT)) from None
    if output_format is Format.JSON:
        sys.stdout.write(json.dumps(settings, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(settings, nested=output_format is Format.PYPROJECT))
