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

from articletool.errors import UsageError
from articletool.run.files import POST_SUFFIXES, STDIN


class Setting(NamedTuple):
    """One key of the settings file: the one description the checks,
    ``articletool config``'s output and the README's table are made from."""

    key: str
    #: ``""``: a top-level key every command shares; else its section.
    table: str
    #: ``strings`` (a list of strings), ``bool``, ``choice`` (one of ``choices``),
    #: or ``schema`` (a file name, or a table holding a JSON Schema).
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("suffixes", "", "strings", list(POST_SUFFIXES), "suffixes of the files a folder contributes (a file named on the command line is taken whatever its suffix)"),  # noqa: E501
    Setting("exclude", "", "strings", [], "globs of files and folders to leave out, relative to the settings file's folder (`drafts`, `source/**/*.bak.md`); they apply to what named folders hold, and to the named paths too with `--force-exclude`"),  # noqa: E501
    Setting("respect-gitignore", "", "bool", True, "leave out the files git ignores in the folders searched"),  # noqa: E501
    Setting("proxy-prefixes", "", "strings", [], "more image-proxy prefixes to unwrap, for `validate`, `clean`, `extract` and `convert`"),  # noqa: E501
    Setting("lazy-attrs", "", "strings", [], "more attributes holding a lazy image's address, for `clean`, `extract` and `convert`"),  # noqa: E501
    Setting("required", "validate", "strings", ["title", "date"], "fields every post must have (`FM101`)"),  # noqa: E501
    Setting("select", "validate", "strings", [], "rule codes or prefixes to run (empty: every rule)"),  # noqa: E501
    Setting("ignore", "validate", "strings", [], "rule codes or prefixes to skip"),
    Setting("strict", "validate", "bool", False, "let warnings fail the run too"),
    Setting("schema", "validate", "schema", "", "a JSON Schema every post's front matter must satisfy (`FM5xx`): a JSON file, relative to the settings file's folder, or the schema itself as a table; empty: none"),  # noqa: E501
    Setting("select", "clean", "strings", [], "cleaning rules to run (empty: the default ones; `articletool clean --list-rules`)"),  # noqa: E501
    Setting("ignore", "clean", "strings", [], "cleaning rules to skip"),
    Setting("proxy-prefixes", "clean", "strings", [], "image-proxy prefixes to unwrap, before the top-level ones (`clean`, `extract`, `convert`)"),  # noqa: E501
    Setting("lazy-attrs", "clean", "strings", [], "lazy-image attributes, before the top-level ones (`clean`, `extract`, `convert`)"),  # noqa: E501
    Setting("upgrade-http", "clean", "bool", False, "rewrite `http://` image addresses to `https://`"),
    Setting("format", "extract", "choice", "text", "the default of `--format`", ("text", "json", "jsonl")),  # noqa: E501
    Setting("images-only", "extract", "bool", False, "the default of `--images-only`"),
    Setting("to", "convert", "choice", "md", "the default of `--to`", ("md", "json")),
    Setting("braces", "convert", "choice", "entity", "the default of `--braces`", ("entity", "literal")),  # noqa: E501
    Setting("tables", "convert", "bool", True, "the default of `--tables/--no-tables`"),
    Setting("html", "convert", "bool", True, "the default of `--html/--no-html` (false: pure Markdown, no inline HTML)"),  # noqa: E501
)  # fmt: skip

#: Top-level keys every command shares.
SHARED_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS if not s.table)
#: The keys each command's section understands.
SECTION_KEYS: Mapping[str, tuple[str, ...]] = {
    name: tuple(s.key for s in SETTINGS if s.table == name)
    for name in ("validate", "clean", "extract", "convert")
}
#: Shared keys that extend the list of the same name in ``[clean]`` (which
#: ``extract`` and ``convert`` use too).
_CLEAN_LISTS: tuple[str, ...] = ("proxy-prefixes", "lazy-attrs")


def header(table: str, nested: bool = True) -> str:
    """The table ``table`` (``""``: the top level) as the file spells it:
    ``[tool.articletool.validate]`` in a pyproject.toml (or an articletool.toml
    written with those headers), ``[validate]`` in a plain articletool.toml."""
    if nested:
        return f"[tool.articletool.{table}]" if table else "[tool.articletool]"
    return f"[{table}]" if table else "the top level"


def check_value(setting: Setting, value: Any, where: str, nested: bool = True) -> None:
    """Refuse a value of the wrong type for ``setting`` (naming its table as written)."""
    name = (
        f"{header(setting.table, nested)} '{setting.key}'" if setting.table else f"'{setting.key}'"
    )
    if setting.kind == "strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{name} must be a list of strings", where)
    elif setting.kind == "bool":
        if not isinstance(value, bool):
            raise UsageError(f"{name} must be true or false", where)
    elif setting.kind == "schema":
        if not isinstance(value, str | dict):
            raise UsageError(f"{name} must be a file name or a table (the schema itself)", where)
    elif not isinstance(value, str) or value.lower() not in setting.choices:
        wanted = " or ".join(repr(c) for c in setting.choices)
        raise UsageError(f"{name} must be {wanted}", where)


def check_section(table: str, section: Mapping[str, Any], where: str, nested: bool = True) -> None:
    """Refuse unknown keys and values of the wrong type in ``section``."""
    known = {s.key: s for s in SETTINGS if s.table == table}
    for key, value in section.items():
        if key not in known:
            names = ", ".join(known)
            raise UsageError(
                f"unknown key '{key}' in {header(table, nested)} (known: {names})", where
            )
        check_value(known[key], value, where, nested)


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
    #: Whether the file spells its tables ``[tool.articletool.NAME]``.
    nested: bool = True

    def header(self, name: str) -> str:
        """Table ``name`` as this file spells it (for messages)."""
        return header(name, self.nested)

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
            raise UsageError(f"{self.header(name)} must be a table", self.where)
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


def check_table(table: Mapping[str, Any], where: str, nested: bool = True) -> None:
    """Refuse unknown keys and settings of the wrong type (:data:`SETTINGS`)."""
    top = {key: value for key, value in table.items() if key not in SECTION_KEYS}
    for key in SECTION_KEYS:
        if key in table:
            if not isinstance(table[key], dict):
                raise UsageError(f"{header(key, nested)} must be a table", where)
            check_section(key, table[key], where, nested)
    unknown = [key for key in top if key not in SHARED_KEYS]
    if unknown:
        known = ", ".join((*SHARED_KEYS, *(header(s, nested) for s in SECTION_KEYS)))
        raise UsageError(
            f"unknown key '{unknown[0]}' in {header('', nested)} (known: {known})", where
        )
    check_section("", top, where, nested)


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


def _table(path: Path, document: dict[str, Any]) -> Config | None:
    """The settings of a settings file, or ``None`` if it has none (checked)."""
    tool = document.get("tool", {})
    own = tool.get("articletool") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml":
        config = Config(path, own, True) if isinstance(own, dict) else None
    elif isinstance(own, dict) and set(document) == {"tool"}:
        config = Config(path, own, True)  # an articletool.toml with [tool.articletool] headers
    else:
        config = Config(path, document, False)
    if config is not None:
        check_table(config.table, config.where, config.nested)
    return config


def load_config(path: Path) -> Config:
    """Read the settings file ``path`` (``--config FILE``). A
    ``pyproject.toml`` gives its ``[tool.articletool]`` table; any other file
    is read as an ``articletool.toml`` (top-level keys and sections)."""
    return _table(path, _read(path)) or Config(path, {})


def find_config(start: Path | None = None) -> Config:
    """Find the nearest settings file at or above ``start`` (default: the
    current folder). A command's run has its settings in its context
    (:func:`config_for` chooses them from the inputs, ``--config`` and
    ``--isolated``)."""
    return _search((start or Path.cwd()).resolve())


def _search(folder: Path) -> Config:
    """:func:`find_config` from ``folder``, a resolved path."""
    for candidate in (folder, *folder.parents):
        for name in ("articletool.toml", "pyproject.toml"):
            path = candidate / name
            if path.is_file():
                document = _pyproject(path) if name == "pyproject.toml" else _read(path)
                config = _table(path, document) if document is not None else None
                if config is not None:
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
