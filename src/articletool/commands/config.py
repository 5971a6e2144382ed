"""`articletool config`: the settings in effect, and the file they came from."""

from __future__ import annotations

import inspect
import json
import sys
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any

import typer

from ..config import Config, find_config
from ..errors import ExitCode, UsageError
from . import clean, convert, extract, validate
from .common import PathsArg, coerce_setting

#: Options that ``[tool.articletool.extract]`` / ``.convert`` may set: key -> parameter.
OPTION_KEYS: dict[str, dict[str, str]] = {
    "extract": {"format": "output_format", "images-only": "images_only"},
    "convert": {"to": "to", "braces": "braces", "tables": "tables", "html": "html"},
}


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def _options(name: str, func: Callable[..., None], config: Config) -> dict[str, Any]:
    signature = inspect.signature(func, eval_str=True)
    section = config.section(name)
    out: dict[str, Any] = {}
    for key, param in OPTION_KEYS[name].items():
        parameter = signature.parameters[param]
        value = parameter.default
        if key in section:
            kind = typing.get_args(parameter.annotation)[0]
            value = coerce_setting(kind, section[key], key, name, config.where)
        out[key] = value.value if isinstance(value, Enum) else value
    return out


def effective(config: Config) -> dict[str, Any]:
    """Every setting in effect under ``config``, defaults filled in."""
    files = config.files
    checks, strict = validate.build_settings(
        config.section("validate"),
        config.where,
        required=None,
        select=None,
        ignore=None,
        strict=None,
        now=datetime.now(UTC),
    )
    cleaning = clean.build_settings(config.section("clean"), config.where)
    return {
        "config_file": str(config.path) if config.path is not None else None,
        "suffixes": list(files.suffixes),
        "exclude": list(files.exclude),
        "respect-gitignore": files.respect_gitignore,
        "validate": {
            "required": list(checks.required),
            "rules": sorted(checks.codes),
            "strict": strict,
        },
        "clean": {
            "rules": [rule.name for rule in cleaning.rules],
            "proxy-prefixes": list(cleaning.proxy_prefixes),
            "lazy-attrs": list(cleaning.lazy_attrs),
            "upgrade-http": cleaning.upgrade_http,
        },
        "extract": _options("extract", extract.command, config),
        "convert": _options("convert", convert.command, config),
    }


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def render_text(settings: dict[str, Any]) -> str:
    """The settings as TOML, the file they came from in a comment on top. The
    lists are the effective ones (``rules`` rather than ``select``/``ignore``),
    so this is a report, not a settings file to copy."""
    origin = settings["config_file"]
    lines = [f"# settings from {origin}" if origin else "# no settings file: defaults"]
    tables: list[str] = []
    for key, value in settings.items():
        if key == "config_file":
            continue
        if isinstance(value, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {_toml(v)}" for k, v in value.items())
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines + tables) + "\n"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text: TOML with the file named in a comment; json: one object.",
    ),
]


def command(paths: PathsArg, output_format: FormatOpt = Format.TEXT) -> None:
    """Print the settings in effect for PATHs (default: the current folder)
    and the file they came from.

    The file is found as every command finds it: walking up from the common
    folder of the PATHs to the nearest articletool.toml or pyproject.toml
    with [tool.articletool]; --config FILE names it, --isolated ignores it.
    """
    try:
        settings = effective(find_config())
    except UsageError as exc:
        where = f"{exc.path}: " if exc.path else ""
        sys.stderr.write(f"articletool config: {where}{exc.message}\n")
        raise typer.Exit(int(ExitCode.INPUT)) from None
    if output_format is Format.JSON:
        sys.stdout.write(json.dumps(settings, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(settings))
