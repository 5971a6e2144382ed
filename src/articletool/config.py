"""Settings from ``pyproject.toml`` (``[tool.articletool]``) or ``articletool.toml``.

The file is found by walking up from the inputs (the common parent of the
PATH arguments; the current folder for ``-``), as ruff and black do: in each
folder an ``articletool.toml`` wins over a ``pyproject.toml``, and a
``pyproject.toml`` without ``[tool.articletool]`` is passed over; when there
is none above the inputs, the one above the current folder applies. Top-level
keys are shared by every command; each subcommand reads its own section
(``[tool.articletool.validate]``, ``.clean``, ``.extract``, ``.convert``);
command-line flags override the file. An unknown key is a :class:`UsageError`
naming the file and the key.

::

    from articletool.config import find_config

    config = find_config(Path("source/_posts"))
    config.path, config.section("validate"), config.files.exclude
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import UsageError
from .files import POST_SUFFIXES, STDIN

#: Top-level keys every command shares.
SHARED_KEYS: tuple[str, ...] = (
    "suffixes",
    "exclude",
    "respect-gitignore",
    "proxy-prefixes",
    "lazy-attrs",
)
#: The keys each command's section understands.
SECTION_KEYS: Mapping[str, tuple[str, ...]] = {
    "validate": ("required", "select", "ignore", "strict"),
    "clean": ("select", "ignore", "proxy-prefixes", "lazy-attrs", "upgrade-http"),
    "extract": ("format", "images-only"),
    "convert": ("to", "braces", "tables", "html"),
}
#: Shared keys that extend the list of the same name in ``[clean]`` (which
#: ``extract`` and ``convert`` use too).
_CLEAN_LISTS: tuple[str, ...] = ("proxy-prefixes", "lazy-attrs")


# Named tuples rather than frozen dataclasses: a dataclass costs about 0.7 ms
# to create at import, which every start of the command line pays.


class FileSettings(NamedTuple):
    """Which files a folder contributes: ``suffixes``, ``exclude`` globs
    (relative to ``base``, the settings file's folder; ``None``: the current
    folder) and ``.gitignore``."""

    suffixes: tuple[str, ...] = POST_SUFFIXES
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    base: Path | None = None


class Config(NamedTuple):
    """The settings table in effect and the file it came from (if any)."""

    path: Path | None = None
    table: Mapping[str, Any] = MappingProxyType({})

    @property
    def where(self) -> str:
        """The file, as error messages name it."""
        return str(self.path) if self.path is not None else "configuration"

    def section(self, name: str) -> dict[str, Any]:
        """The ``[tool.articletool.NAME]`` table (empty when absent).

        ``[clean]`` also receives the shared ``proxy-prefixes`` and
        ``lazy-attrs`` (after its own)."""
        value = self.table.get(name, {})
        if not isinstance(value, dict):
            raise UsageError(f"[tool.articletool.{name}] must be a table", self.where)
        if name != "clean":
            return value
        merged = dict(value)
        for key in _CLEAN_LISTS:
            if key in self.table:
                merged[key] = [*_strings(value, key, self.where), *self.strings(key)]
        return merged

    def strings(self, key: str) -> tuple[str, ...]:
        """A top-level list of strings (empty when absent)."""
        return _strings(self.table, key, self.where)

    @property
    def files(self) -> FileSettings:
        """The shared file-selection settings."""
        suffixes = self.strings("suffixes") or POST_SUFFIXES
        gitignore = self.table.get("respect-gitignore", True)
        base = self.path.parent if self.path is not None else Path.cwd()
        return FileSettings(
            tuple(s if s.startswith(".") else "." + s for s in suffixes),
            self.strings("exclude"),
            bool(gitignore),
            base,
        )


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"'{key}' must be a list of strings", where)
    return tuple(value)


def check_table(table: Mapping[str, Any], where: str) -> None:
    """Refuse unknown keys and shared settings of the wrong type."""
    for key, value in table.items():
        if key in SECTION_KEYS:
            if not isinstance(value, dict):
                raise UsageError(f"[tool.articletool.{key}] must be a table", where)
            unknown = sorted(set(value) - set(SECTION_KEYS[key]))
            if unknown:
                raise UsageError(
                    f"unknown key '{unknown[0]}' in [tool.articletool.{key}] "
                    f"(known: {', '.join(SECTION_KEYS[key])})",
                    where,
                )
        elif key not in SHARED_KEYS:
            known = ", ".join((*SHARED_KEYS, *(f"[{s}]" for s in SECTION_KEYS)))
            raise UsageError(f"unknown key '{key}' in [tool.articletool] (known: {known})", where)
    for key in ("suffixes", "exclude", "proxy-prefixes", "lazy-attrs"):
        _strings(table, key, where)
    if not isinstance(table.get("respect-gitignore", True), bool):
        raise UsageError("'respect-gitignore' must be true or false", where)


def _read(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """Parse the settings file ``path`` (its bytes ``data`` when already read)."""
    import tomllib  # only when a settings file is there to parse

    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        return tomllib.loads(data.decode())
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", str(path)) from None
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror}", str(path)) from None


def _may_hold_ours(data: bytes) -> bool:
    """Whether TOML ``data`` can hold a ``[tool.articletool]`` table: every
    spelling of its name holds the bytes ``articletool``, or a backslash
    escape. The many pyproject.toml files without (a Python project's own)
    are passed over without being parsed."""
    return b"articletool" in data or b"\\" in data


def _pyproject(path: Path) -> dict[str, Any] | None:
    """The parsed ``pyproject.toml`` at ``path``, or ``None`` when it cannot
    hold a ``[tool.articletool]`` table (it is not parsed then)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror}", str(path)) from None
    return _read(path, data) if _may_hold_ours(data) else None


def _table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The articletool table of a settings file, or ``None`` if it has none."""
    nested = document.get("tool", {})
    own = nested.get("articletool") if isinstance(nested, dict) else None
    if path.name == "pyproject.toml":
        return own if isinstance(own, dict) else None
    if isinstance(own, dict) and set(document) == {"tool"}:
        return own  # an articletool.toml written with [tool.articletool] headers
    return document


def load_config(path: Path) -> Config:
    """Read the settings file ``path`` (``--config FILE``). A
    ``pyproject.toml`` gives its ``[tool.articletool]`` table; any other file
    is read as an ``articletool.toml`` (top-level keys and sections)."""
    table = _table(path, _read(path))
    config = Config(path, table or {})
    check_table(config.table, config.where)
    return config


def find_config(start: Path | None = None) -> Config:
    """Find the nearest settings file at or above ``start``.

    Without ``start``: the settings chosen for this run by :func:`choose`
    (the command line does that from the inputs, ``--config`` and
    ``--isolated``), else the search starts in the current folder.
    """
    if start is None and _chosen is not None:
        return _chosen
    return _search((start or Path.cwd()).resolve())


def _search(folder: Path) -> Config:
    """:func:`find_config` from ``folder``, a resolved path."""
    for candidate in (folder, *folder.parents):
        for name in ("articletool.toml", "pyproject.toml"):
            path = candidate / name
            if path.is_file():
                document = _pyproject(path) if name == "pyproject.toml" else _read(path)
                table = _table(path, document) if document is not None else None
                if table is not None:
                    config = Config(path, table)
                    check_table(config.table, config.where)
                    return config
    return Config()


def common_parent(paths: Iterable[str]) -> Path:
    """The folder the search for settings starts from: the deepest folder
    holding every input (a file counts as its folder; ``-`` as the current
    folder)."""
    folders: list[str] = []
    for name in paths:
        if name == STDIN:
            folders.append(os.getcwd())
            continue
        path = Path(name).absolute()
        folders.append(str(path if path.is_dir() else path.parent))
    if not folders:
        return Path.cwd()
    return Path(os.path.commonpath(folders))


def config_for(paths: Iterable[str], config_file: Path | None, isolated: bool) -> Config:
    """The settings a run over ``paths`` uses: none with ``isolated``, the
    named file with ``config_file``, else the nearest one above the inputs,
    else the nearest one above the current folder."""
    if isolated:
        if config_file is not None:
            raise UsageError("--config and --isolated exclude each other")
        return Config()
    if config_file is not None:
        return load_config(config_file)
    start = common_parent(paths).resolve()
    found = _search(start)
    here = Path.cwd().resolve()
    if found.path is not None or here == start or here in start.parents:
        return found  # the folders above the current one were searched already
    return _search(here)


_chosen: Config | None = None


def choose(config: Config | None) -> None:
    """Make ``config`` what :func:`find_config` returns without ``start``
    (``None`` forgets the choice)."""
    global _chosen
    _chosen = config
