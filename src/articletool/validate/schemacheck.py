"""The front matter against a JSON Schema, with jsonschema: every violation a
hit at its place in the file, under the ``FM5xx`` code of its kind.

jsonschema rather than fastjsonschema: ``iter_errors`` gives every
violation, not only the first, each with the path of the value concerned
(``absolute_path``) and the keyword it broke (``validator``), which is what
places a finding on its line and column and picks its code; it knows every
draft (4 to 2020-12, chosen by ``$schema``; 2020-12 without one) and checks a
schema against its metaschema. fastjsonschema is about 25 times faster per
post (8 against 180 us for a 7-key schema over the corpus), but it stops at
the first error, reports a path as text and knows no draft after 7.

What the schema sees is the front matter as loaded, in its JSON view
(:func:`articletool.post.frontmatter.json_safe`): a YAML timestamp is ISO 8601
text (``2021-04-15T08:08:37``, ``...Z`` for UTC) that ``format: date-time``
accepts, a YAML date ``2022-01-01`` (``format: date``), never the text as
written; a quoted date stays the text it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import jsonschema
import referencing.exceptions
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import validator_for

from articletool.errors import UsageError
from articletool.post.dates import iso_form
from articletool.post.frontmatter import FrontMatter, json_safe
from articletool.validate.checks import Context, Hit
from articletool.validate.schema import Schema
from articletool.validate.yamlnodes import describe, position

#: Codes by the keyword a violation broke (see :mod:`.schema`); FM506 otherwise.
_CODES: dict[str | None, str] = {
    "required": "FM501",
    "dependentRequired": "FM501",
    "dependencies": "FM501",
    "additionalProperties": "FM502",
    "unevaluatedProperties": "FM502",
    "propertyNames": "FM502",
    None: "FM502",  # a ``false`` schema: nothing may stand there
    "type": "FM503",
    "enum": "FM504",
    "const": "FM504",
    "pattern": "FM505",
    "format": "FM505",
}
_OTHER = "FM506"
#: How many of an enum's values a message shows.
_SHOWN_VALUES = 5


class Compiled(NamedTuple):
    validator: Any
    source: str


def _format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checks, with ``date-time`` and ``date`` read as
    articletool reads dates (an ISO 8601 date and time, the offset optional:
    a naive YAML timestamp is the site's local time)."""
    checker = jsonschema.FormatChecker()
    for name in ("date-time", "date"):
        checker.checks(name)(
            lambda value, name=name: not isinstance(value, str) or iso_form(value) == name
        )
    return checker


def _unresolved_pointers(schema: Any) -> Iterator[str]:
    """Each ``$ref`` to ``#/...`` that points nowhere in ``schema`` (checked
    only when no inner ``$id`` changes what ``#`` means)."""
    refs: list[str] = []
    nested_ids = False

    def walk(node: Any, depth: int) -> None:
        nonlocal nested_ids
        if isinstance(node, dict):
            if depth and "$id" in node:
                nested_ids = True
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                refs.append(ref)
            for value in node.values():
                walk(value, depth + 1)
        elif isinstance(node, list):
            for value in node:
                walk(value, depth + 1)

    walk(schema, 0)
    if nested_ids:
        return
    for ref in refs:
        node = schema
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                yield ref
                break


@lru_cache(maxsize=4)
def compiled(schema: Schema) -> Compiled:
    """The validator for ``schema``, made once per process. Raises
    :class:`UsageError` naming the schema's file when it is not a valid
    schema under its metaschema, or a ``$ref`` points nowhere in it."""
    data = json.loads(schema.text)
    cls = validator_for(data, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(data)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        raise UsageError(
            f"not a valid JSON Schema: at #/{where}: {exc.message}", schema.source
        ) from None
    for ref in _unresolved_pointers(data):
        raise UsageError(f"not a valid JSON Schema: $ref {ref!r} points nowhere", schema.source)
    return Compiled(cls(data, format_checker=_format_checker()), schema.source)


def schema_hits(ctx: Context, schema: Schema) -> dict[str, list[Hit]]:
    """Where the post's front matter leaves ``schema``, by code. Front matter
    that is missing or is not a mapping is not checked (FM001, FM005 and
    FM008 say why); empty front matter is checked as ``{}``."""
    fm = ctx.fm
    if fm is None:
        return {}
    checker = compiled(schema)
    instance = json_safe(fm.data) if fm.data is not None else {}
    try:
        errors = list(checker.validator.iter_errors(instance))
    except referencing.exceptions.Unresolvable as exc:
        raise UsageError(f"the schema's $ref cannot be resolved: {exc}", checker.source) from None
    found: dict[str, list[Hit]] = {}
    for code, hit in _explain_all(errors, _Where(ctx, fm, fm.data)):
        found.setdefault(code, []).append(hit)
    return found


class _Where:
    """Places and words for a post's violations."""

    def __init__(self, ctx: Context, fm: FrontMatter, data: Any) -> None:
        self.ctx, self.fm, self.data = ctx, fm, data

    def at(self, path: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        if not path:
            return self.ctx.top()
        return position(self.fm, path, key)

    def loaded(self, path: Sequence[str | int]) -> Any:
        """The value at ``path`` as YAML loaded it (a datetime, not its text)."""
        value = self.data
        for part in path:
            if isinstance(value, dict):
                value = next((v for k, v in value.items() if str(k) == part), None)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        return value


def _label(path: Sequence[str | int]) -> str:
    """``categories[0]``, ``a.b``; ``front matter`` for the whole mapping."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front matter"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        short = value if len(value) <= 60 else value[:59] + "…"
        return f"the text {short!r}"
    return describe(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _keyword(error: ValidationError) -> str | None:
    """The keyword ``error`` broke (``None``: a ``false`` schema)."""
    return error.validator if isinstance(error.validator, str) else None


def _phrase(error: ValidationError) -> str:
    """What ``error`` says about its value, after the value is named."""
    keyword, expected = _keyword(error), error.validator_value
    if keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        return "is not of type " + " or ".join(str(name) for name in names)
    if keyword == "enum" and isinstance(expected, list):
        values = ", ".join(_json(v) for v in expected[:_SHOWN_VALUES])
        more = f" and {len(expected) - _SHOWN_VALUES} more" if len(expected) > _SHOWN_VALUES else ""
        return f"is not one of the schema's values: {values}{more}"
    if keyword == "const":
        return f"is not {_json(expected)}"
    if keyword == "pattern":
        return f"does not match the pattern {expected!r}"
    if keyword == "format":
        return f"is not a {expected}"
    return f"breaks {keyword}: {error.message}"


def _choices(error: ValidationError, where: _Where) -> Iterator[tuple[str, Hit]]:
    """An ``anyOf``/``oneOf`` that no choice fits. When all but one choice
    fail on their type, the one that has the value's type explains it;
    otherwise one finding lists why each choice fails."""
    path = list(error.absolute_path)
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    typed = {
        index: subs
        for index, subs in branches.items()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    }
    if len(typed) == 1:
        yield from _explain_all(next(iter(typed.values())), where)
        return
    shallow = [subs[0] for subs in (typed or branches).values()]
    codes = {_CODES.get(_keyword(sub), _OTHER) for sub in shallow}
    code = codes.pop() if len(codes) == 1 else _OTHER
    if not typed:
        names = [s.validator_value for s in shallow]
        flat = [n for name in names for n in (name if isinstance(name, list) else [name])]
        reasons = "is not of type " + " or ".join(dict.fromkeys(str(n) for n in flat))
    else:
        reasons = "fits none of the schema's choices: " + "; ".join(_phrase(s) for s in shallow)
    line, column = where.at(path)
    shown = _shown(where.loaded(path))
    yield code, Hit(line, column, f"{_label(path)}: {shown} {reasons}")


def _explain(error: ValidationError, where: _Where) -> Iterator[tuple[str, Hit]]:
    keyword = _keyword(error)
    path = list(error.absolute_path)
    if keyword in ("anyOf", "oneOf") and error.context:
        yield from _choices(error, where)
        return
    code = _CODES.get(keyword, _OTHER)
    if keyword == "required" and isinstance(error.instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        line, column = where.at(path)
        inside = f" in {_label(path)}" if path else ""
        for name in (name for name in wanted if name not in error.instance):
            yield code, Hit(line, column, f"the schema requires {name!r}{inside}, which is missing")
        return
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        for name in error.instance:
            if name in known or any(re.search(p, name) for p in patterns):
                continue
            line, column = where.at([*path, name], key=True)
            message = f"{_label([*path, name])}: the schema allows no such key"
            yield code, Hit(line, column, message + " (additionalProperties is false)")
        return
    if keyword is None:  # the false schema
        line, column = where.at(path, key=True)
        yield code, Hit(line, column, f"{_label(path)}: the schema allows nothing here")
        return
    line, column = where.at(path)
    if keyword in ("type", "enum", "const", "pattern", "format"):
        message = f"{_label(path)}: {_shown(where.loaded(path))} {_phrase(error)}"
    else:
        message = f"{_label(path)}: {error.message}"
    yield code, Hit(line, column, message)


def _explain_all(errors: Iterable[ValidationError], where: _Where) -> Iterator[tuple[str, Hit]]:
    """Every error explained, once: a value of the wrong type is reported for
    its type alone, not also for the enum or pattern beside it, and the keys
    a ``required`` misses once per mapping."""
    errors = list(errors)
    typed = {
        (tuple(e.absolute_path), tuple(e.absolute_schema_path)[:-1])
        for e in errors
        if e.validator == "type"
    }
    seen: set[tuple[Any, ...]] = set()
    for error in errors:
        parent = (tuple(error.absolute_path), tuple(error.absolute_schema_path)[:-1])
        if error.validator != "type" and parent in typed:
            continue
        if error.validator == "required":
            if parent in seen:
                continue
            seen.add(parent)
        yield from _explain(error, where)
