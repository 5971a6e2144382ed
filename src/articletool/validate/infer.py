"""A draft JSON Schema inferred from an archive: one that every post read satisfies.

:func:`read_front_matter` is the per-file worker (for
:func:`articletool.run.runner.map_inputs`): a post in, its front matter's JSON
view out (:func:`articletool.post.frontmatter.json_safe`, what a schema checks).
:class:`Inference` folds those views together and :meth:`Inference.schema`
writes the tightest schema the data allows:

- every key seen, ``required`` when every post has it, no other key
  (``additionalProperties: false``);
- each value's JSON types; ``minLength: 1`` when no text is empty; lists'
  ``minItems``/``maxItems`` and, for lists of at most five items, each
  position's own schema (``categories``' first item apart from its last);
- an ``enum`` where the values are few: at most 30 distinct, each seen twice
  on average (``author``, ``comments``, ``categories``' items);
- otherwise a ``pattern`` when one of the forms below fits every text, or
  ``anyOf`` those forms when together they fit every text (the bot's two
  date forms);
- what was seen, in ``$comment``: in how many posts, and each value's count.

The schema is draft 7, which every JSON Schema tool reads (editors' YAML
language server, Ajv behind remark-lint-frontmatter-schema, jsonschema).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from articletool.errors import ArticleToolError, FrontMatterError
from articletool.post.frontmatter import json_safe
from articletool.post.load import parse_post
from articletool.run.files import Input, read_bytes

DRAFT = "http://json-schema.org/draft-07/schema#"
#: At most this many distinct values make an enum...
ENUM_MAX = 30
#: ...and only when each value is seen this many times on average.
ENUM_REPEAT = 2
#: Lists up to this long get a schema for each position.
TUPLE_MAX = 5


class Form(NamedTuple):
    """A shape of text a pattern describes (tried in this order: the first
    that fits every text of a field wins)."""

    name: str
    pattern: str
    format: str | None = None


_DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_YMD = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_HMS = "[0-9]{2}:[0-9]{2}:[0-9]{2}"
FORMS: tuple[Form, ...] = (
    Form("RFC 1123 date (a feed's pubDate)", f"^{_DAY}, [0-9]{{2}} {_MONTH} [0-9]{{4}} {_HMS} GMT$"),  # noqa: E501
    Form("RFC 2822 date", f"^({_DAY}, )?[0-9]{{1,2}} {_MONTH} [0-9]{{4}} {_HMS} ([+-][0-9]{{4}}|GMT|UT|UTC)$"),  # noqa: E501
    Form("YAML timestamp without a time zone", f"^{_YMD}T{_HMS}(\\.[0-9]+)?$", "date-time"),
    Form("YAML timestamp with a time zone", f"^{_YMD}T{_HMS}(\\.[0-9]+)?(Z|[+-][0-9]{{2}}:[0-9]{{2}})$", "date-time"),  # noqa: E501
    Form("YAML date", f"^{_YMD}$", "date"),
    Form("https address", "^https://[^\\s]+$"),
    Form("http or https address", "^https?://[^\\s]+$"),
)  # fmt: skip
_MATCHERS = tuple(re.compile(form.pattern).match for form in FORMS)


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class Shape:
    """What was seen at one place of the front matter, over every post."""

    __slots__ = (
        "count",
        "empty",
        "first",
        "fits",
        "items",
        "keys",
        "lists",
        "longest",
        "positions",
        "shortest",
        "types",
        "values",
    )

    def __init__(self) -> None:
        self.count = 0
        self.types: Counter[str] = Counter()
        #: Scalars by (type, value), until there are too many for an enum.
        self.values: Counter[tuple[str, Any]] | None = Counter()
        #: How many texts each form fits, and the first form fitting each
        #: (``None`` once a text fits no form: no pattern then).
        self.fits: list[int] | None = [0] * len(FORMS)
        self.first: list[int] = [0] * len(FORMS)
        self.empty = 0
        #: Lists: how many, and the shortest and longest seen.
        self.lists = 0
        self.shortest = self.longest = 0
        self.positions: list[Shape] = []
        self.items: Shape | None = None
        self.keys: dict[str, Shape] = {}

    def add(self, value: Any) -> None:
        kind = json_type(value)
        self.count += 1
        self.types[kind] += 1
        if kind == "object":
            for key, item in value.items():
                self.keys.setdefault(key, Shape()).add(item)
            return
        if kind == "array":
            self._add_list(value)
            return
        values = self.values
        if values is not None:
            values[kind, value] += 1
            if len(values) > ENUM_MAX:
                self.values = None
        if kind == "string":
            self._add_text(value)

    def _add_list(self, items: list[Any]) -> None:
        size = len(items)
        self.shortest = size if not self.lists else min(self.shortest, size)
        self.longest = max(self.longest, size)
        self.lists += 1
        if self.items is None:
            self.items = Shape()
        for index, item in enumerate(items):
            self.items.add(item)
            if index < TUPLE_MAX:
                if index == len(self.positions):
                    self.positions.append(Shape())
                self.positions[index].add(item)

    def _add_text(self, text: str) -> None:
        if not text:
            self.empty += 1
        fits = self.fits
        if fits is None:
            return
        first = None
        for index, match in enumerate(_MATCHERS):
            if match(text):
                fits[index] += 1
                first = index if first is None else first
        if first is None:
            self.fits = None
        else:
            self.first[first] += 1

    # -- writing the schema ---------------------------------------------------------

    def schema(self, seen_in: str) -> dict[str, Any]:
        """The tightest schema for what was seen; ``seen_in`` starts its ``$comment``."""
        branches = [branch for kind in _ORDER if kind in self.types for branch in self._of(kind)]
        schema: dict[str, Any] = branches[0] if len(branches) == 1 else {"anyOf": branches}
        enum = self._enum()
        if enum is not None:
            schema = {"type": _types(self.types), "enum": [value for (_, value), _ in enum]}
        return {**schema, "$comment": seen_in + _counts(self, enum)}

    def _enum(self) -> list[tuple[tuple[str, Any], int]] | None:
        values = self.values
        if not values or set(self.types) & {"array", "object"}:
            return None
        if len(values) * ENUM_REPEAT > self.count:
            return None
        return values.most_common()

    def _of(self, kind: str) -> list[dict[str, Any]]:
        if kind == "string":
            return self._texts()
        if kind == "array":
            return [self._list()]
        if kind == "object":
            return [self._mapping()]
        if kind == "number" and "integer" in self.types:
            return []  # written with "integer"
        if kind == "integer" and "number" in self.types:
            return [{"type": "number"}]
        return [{"type": kind}]

    def _texts(self) -> list[dict[str, Any]]:
        texts = self.types["string"]
        base: dict[str, Any] = {"type": "string"}
        if not self.empty:
            base["minLength"] = 1
        fits = self.fits
        if fits is None:
            return [base]
        for index, count in enumerate(fits):
            if count == texts:
                return [{"type": "string", **_form(index)}]
        return [
            {"type": "string", **_form(index), "$comment": f"{FORMS[index].name}: {count}"}
            for index, count in enumerate(self.first)
            if count
        ]

    def _list(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array"}
        schema["minItems"], schema["maxItems"] = self.shortest, self.longest
        items = self.items
        if items is None or not items.count:
            return schema
        if self.longest <= TUPLE_MAX:  # maxItems: no item beyond these
            schema["items"] = [
                shape.schema(f"in {shape.count} of {self.lists} lists") for shape in self.positions
            ]
        else:
            schema["items"] = items.schema(f"{items.count} items")
        return schema

    def _mapping(self, what: str = "mappings") -> dict[str, Any]:
        mappings = self.types["object"]
        required = [key for key, shape in self.keys.items() if shape.count == mappings]
        properties = {
            key: shape.schema(f"in {shape.count} of {mappings} {what}")
            for key, shape in self.keys.items()
        }
        schema: dict[str, Any] = {"type": "object"}
        if required:
            schema["required"] = required
        schema["properties"] = properties
        schema["additionalProperties"] = False
        return schema


_ORDER = ("string", "integer", "number", "boolean", "null", "array", "object")


def _types(types: Counter[str]) -> str | list[str]:
    names = [kind for kind in _ORDER if kind in types]
    if "integer" in names and "number" in names:
        names.remove("integer")
    return names[0] if len(names) == 1 else names


def _form(index: int) -> dict[str, Any]:
    form = FORMS[index]
    found: dict[str, Any] = {"pattern": form.pattern}
    if form.format is not None:
        found["format"] = form.format
    return found


def _counts(shape: Shape, enum: list[tuple[tuple[str, Any], int]] | None) -> str:
    """``: ZAKER 55, Bangumi 26`` for an enum; the types' counts when mixed."""
    if enum is not None:
        return ": " + ", ".join(f"{_plain(value)} {count}" for (_, value), count in enum)
    if len(shape.types) > 1:
        return ": " + ", ".join(f"{kind} {count}" for kind, count in shape.types.most_common())
    return ""


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return str(value)


class Inference:
    """Front matter folded together, post by post, into a draft schema."""

    def __init__(self) -> None:
        self.shape = Shape()
        #: Posts read that have no front matter (left out).
        self.without = 0

    def add(self, data: dict[str, Any] | None) -> None:
        """One post's front matter in its JSON view (``None``: it has none)."""
        if data is None:
            self.without += 1
        else:
            self.shape.add(data)

    @property
    def posts(self) -> int:
        return self.shape.count

    def schema(self) -> dict[str, Any]:
        """The draft schema (an empty object's when no post was added)."""
        posts = self.posts
        body = self.shape._mapping("posts") if posts else {"type": "object"}
        return {
            "$schema": DRAFT,
            "title": "Front matter",
            "description": (
                f"Inferred by 'articletool validate --infer-schema' from {posts} "
                f"post{'' if posts == 1 else 's'}: as tight as they allow. Loosen it "
                "by hand where new posts may differ ($comment says what was seen)."
            ),
            **body,
        }


class FrontMatterRead(NamedTuple):
    """One input's front matter as JSON data, or why there is none to use."""

    path: str
    #: The JSON view; ``None`` when the post has no front matter at all.
    data: dict[str, Any] | None = None
    error: ArticleToolError | None = None


def read_front_matters(limits: tuple[int, int], items: list[Input]) -> list[FrontMatterRead]:
    """:func:`read_front_matter` for each of ``items``: the worker for ``map_inputs``."""
    return [read_front_matter(limits, item) for item in items]


def read_front_matter(limits: tuple[int, int], item: Input) -> FrontMatterRead:
    """Read one input; ``limits`` are ``(max_bytes, max_yaml_nodes)``."""
    max_bytes, max_yaml_nodes = limits
    try:
        post = parse_post(read_bytes(item, max_bytes), item.display, max_yaml_nodes)
        if post.error is not None:
            raise post.error
        fm = post.front_matter
        if fm is None or fm.data is None:
            if post.parts.unterminated:
                raise FrontMatterError(
                    "front matter is never closed by a '---' line", line=post.parts.fence_line
                )
            return FrontMatterRead(item.display, None if fm is None else {})
        if not isinstance(fm.data, dict):
            raise FrontMatterError("front matter is not key: value pairs", line=fm.start_line)
    except ArticleToolError as exc:
        return FrontMatterRead(item.display, error=exc.located(item.display))
    return FrontMatterRead(item.display, json_safe(fm.data))
