"""Settings from ``pyproject.toml`` (``[tool.articletool]``) or ``articletool.toml``.

The file is found by walking up from the current folder, as ruff and black
do. Each subcommand reads its own section (``[tool.articletool.validate]``,
``[tool.articletool.clean]``, ...); command-line flags override the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError


@dataclass(frozen=True, slots=True)
class Config:
    """The settings table in effect and the file it came from (if any)."""

    path: Path | None = None
    table: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """The ``[tool.articletool.NAME]`` table (empty when absent)."""
        value = self.table.get(name, {})
        if not isinstance(value, dict):
            raise UsageError(f"[tool.articletool.{name}] must be a table", str(self.path))
        return value


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", str(path)) from None
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror}", str(path)) from None


def find_config(start: Path | None = None) -> Config:
    """Find the nearest settings file at or above ``start`` (default: cwd)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "articletool.toml"
        if own.is_file():
            return Config(own, _read(own))
        project = candidate / "pyproject.toml"
        if project.is_file():
            table = _read(project).get("tool", {}).get("articletool")
            if isinstance(table, dict):
                return Config(project, table)
    return Config()
