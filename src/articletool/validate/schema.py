"""A JSON Schema for the front matter: the ``schema`` setting and the rules
(``FM5xx``) that report where a post leaves it.

The setting names a JSON file (relative to the settings file's folder) or
holds the schema itself as a table. :func:`read_schema` reads it, checks it
against its metaschema and keeps it as JSON text in a :class:`Schema`, small
and picklable like the rest of the settings; :mod:`.schemacheck` compiles it
with jsonschema once per process. jsonschema takes about 130 ms to import,
so neither it nor :mod:`.schemacheck` is imported unless a schema is
configured, and without one the ``FM5xx`` rules are not even run.

Each violation becomes a finding whose code says what kind of constraint it
broke; the codes never change meaning::

    FM501 a key the schema requires is missing (required)
    FM502 a key the schema does not allow (additionalProperties: false)
    FM503 a value of a type the schema does not allow (type)
    FM504 a value not among the schema's values (enum, const)
    FM505 text that does not match the schema's pattern or format
    FM506 any other constraint (lengths, ranges, items, not, ...)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from articletool.errors import UsageError
from articletool.validate.checks import Check, Context, Hit, Severity, rule


class Schema(NamedTuple):
    """A JSON Schema to check every post's front matter against."""

    #: What messages name: the schema's file, or the settings file holding it.
    source: str
    #: The schema as JSON text: what is compiled (in each worker process).
    text: str


def read_schema(value: Any, base: Path, where: str, setting: str = "'schema'") -> Schema | None:
    """The schema a ``schema`` setting gives: none for ``""``; the JSON file
    it names (relative to ``base``, the settings file's folder); or, for a
    table, the table itself (``where`` names the settings file).

    Raises :class:`UsageError` naming the file for a file that cannot be
    read, text that is not JSON (with its line and column) and a schema that
    is not valid under its metaschema."""
    if isinstance(value, str) and not value.strip():
        return None
    import json  # only when a schema is configured (~1.5 ms at start-up)

    if isinstance(value, str):
        path = Path(value).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise UsageError(f"cannot read the schema: {exc.strerror}", str(path)) from None
        except UnicodeDecodeError:
            raise UsageError("the schema is not UTF-8 text", str(path)) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"invalid JSON: {exc.msg}", str(path), exc.lineno, exc.colno) from None
        source = str(path)
    elif isinstance(value, Mapping):
        data, source = value, where
    else:
        raise UsageError(f"{setting} must be a file name or a table (the schema itself)", where)
    try:
        schema = Schema(source, json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError):  # a TOML date or time in an inline schema
        raise UsageError("the schema holds a value JSON cannot (a TOML date?)", source) from None
    from articletool.validate.schemacheck import compiled

    compiled(schema)  # refuses a schema that is not one, before any post is read
    return schema


# -- FM5xx: the configured JSON Schema -------------------------------------------------


def _reported(code: str) -> Check:
    def check(ctx: Context) -> Iterator[Hit]:
        return iter(ctx.schema_hits(code))

    return check


_RULES = (
    ("FM501", "schema-required", "a key the schema requires is missing (required)"),
    ("FM502", "schema-unknown-key", "a key the schema does not allow (additionalProperties)"),
    ("FM503", "schema-type", "a value of a type the schema does not allow (type)"),
    ("FM504", "schema-enum", "a value that is not one of the schema's (enum, const)"),
    ("FM505", "schema-pattern", "text that does not match the schema's pattern or format"),
    ("FM506", "schema-constraint", "another constraint of the schema (lengths, items, not, ...)"),
)
for _code, _name, _summary in _RULES:
    rule(_code, _name, Severity.ERROR, _summary)(_reported(_code))

#: The codes of the schema rules: run only when a schema is configured.
SCHEMA_CODES: frozenset[str] = frozenset(code for code, _, _ in _RULES)
