"""The validation rules: one small function per rule, registered with a stable code.

Codes never change meaning once published. ``FM0xx`` are about the front
matter block itself, ``FM1xx`` about fields and their types, ``FM2xx`` dates,
``FM3xx`` image fields and ``FM4xx`` YAML 1.1 conversions. Each rule yields
:class:`Hit` records (a place in the file and a message); the engine turns
them into findings with the rule's code and severity.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import StrEnum
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

from articletool.errors import LimitError
from articletool.post.dates import is_future, read_date
from articletool.post.frontmatter import FrontMatter, KeyInfo
from articletool.post.load import Post

if TYPE_CHECKING:
    from articletool.validate.schema import Schema
    from articletool.validate.yamlnodes import Item

#: Fields every post must have unless configured otherwise.
DEFAULT_REQUIRED: tuple[str, ...] = ("title", "date")
#: Fields that name an image and must hold a URL.
IMAGE_FIELDS: tuple[str, ...] = ("headimg", "thumbnail", "cover")
#: Fields that hold a date.
DATE_FIELDS: tuple[str, ...] = ("date", "updated")
#: Fields whose values are text: a plain scalar YAML turns into something
#: else there is a trap (FM401).
TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "author",
    "description",
    "excerpt",
    "subtitle",
    "keywords",
    "layout",
    "permalink",
    "lang",
)
#: Fields that hold a name or a list of names.
TAXONOMY_FIELDS: tuple[str, ...] = ("categories", "tags")

# A number as people write it: YAML reading it as a number is no surprise.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# The records below are named tuples, not dataclasses: a frozen dataclass
# costs about 0.7 ms to create at import (its methods are compiled from
# source), and `articletool validate` on one file should start fast.


class Hit(NamedTuple):
    """Where a rule found a problem (1-based line and column in the file) and what."""

    line: int
    column: int
    message: str


class Context:
    """What a rule looks at: the post and the settings that concern rules.

    What several rules ask of a post (its front matter, the fields present,
    each date read) is worked out once, when the context is made or first
    asked; a key's position only when a rule reports it.
    """

    __slots__ = (
        "_dates",
        "_schema_hits",
        "data",
        "fm",
        "now",
        "post",
        "proxy_prefixes",
        "required",
        "schema",
        "values",
    )

    def __init__(
        self,
        post: Post,
        required: tuple[str, ...],
        now: datetime,
        proxy_prefixes: tuple[str, ...],
        schema: Schema | None = None,
    ) -> None:
        self.post = post
        self.required = required
        self.now = now
        self.proxy_prefixes = proxy_prefixes
        #: The JSON Schema the front matter must satisfy (``FM5xx``), if any.
        self.schema = schema
        self._schema_hits: dict[str, list[Hit]] | None = None
        fm = post.front_matter
        is_mapping = fm is not None and isinstance(fm.data, dict)
        #: The loaded front matter, when it is a mapping (or empty).
        self.fm = fm if fm is not None and (fm.data is None or is_mapping) else None
        #: The front matter's mapping; empty when there is none.
        self.data: dict[Any, Any] = fm.data if fm is not None and is_mapping else {}
        data = self.data
        #: The fields written in the mapping itself (not brought in by a
        #: merge), the ones that have a position, by name.
        self.values: dict[str, Any] = (
            {name: data[name] for name in fm.keys if name in data}
            if fm is not None and is_mapping
            else {}
        )
        self._dates: dict[str, datetime | str] = {}

    def fields(self, names: tuple[str, ...]) -> list[tuple[str, Any]]:
        """``(name, value)`` for each of ``names`` present in the front matter."""
        values = self.values
        return [(name, values[name]) for name in names if name in values]

    def where(self, name: str) -> KeyInfo:
        """The position of a field :meth:`fields` gave."""
        fm = self.post.front_matter
        assert fm is not None
        return fm.keys[name]

    def date(self, name: str) -> datetime | str:
        """Field ``name`` read as a date, or why it is not one (read once per post)."""
        result = self._dates.get(name)
        if result is None:
            result = self._dates[name] = read_date(self.values[name])
        return result

    def schema_hits(self, code: str) -> list[Hit]:
        """Where the front matter leaves the schema, for rule ``code`` (the
        schema is applied once per post, when the first ``FM5xx`` rule asks)."""
        hits = self._schema_hits
        if hits is None:
            hits = {}
            if self.schema is not None:
                from articletool.validate.schemacheck import schema_hits

                hits = schema_hits(self, self.schema)
            self._schema_hits = hits
        return hits.get(code, [])

    def top(self) -> tuple[int, int]:
        """The opening fence, or line 1."""
        return (self.post.parts.fence_line or 1), 1


Check = Callable[[Context], Iterator[Hit]]


class Rule(NamedTuple):
    """A registered check and what the findings it makes are called."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: Check
    #: Whether the rule runs when ``select`` is not given; an opt-in rule
    #: runs only when ``select`` names it (by its code or a prefix).
    default: bool = True


RULES: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, summary: str, *, default: bool = True
) -> Callable[[Check], Check]:
    """Register a check under ``code``."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, name, severity, summary, check, default)
        return check

    return register


# The YAML node helpers are needed only once a rule has found something to
# explain: imported then, not with the rules.


def describe(value: object) -> str:
    """How YAML read ``value``, in words (see :func:`.yamlnodes.describe`)."""
    from articletool.validate.yamlnodes import describe as words

    return words(value)


def written(fm: FrontMatter, key: str) -> str | None:
    """:func:`.yamlnodes.written`: ``key``'s value as written, if a plain scalar."""
    from articletool.validate.yamlnodes import written as text

    return text(fm, key)


def item_nodes(fm: FrontMatter, key: str) -> list[Item] | None:
    """:func:`.yamlnodes.item_nodes`: where each item of ``key``'s list stands."""
    from articletool.validate.yamlnodes import item_nodes as items

    return items(fm, key)


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_trap(value: object, text: str | None) -> bool:
    """Whether a plain scalar written as ``text`` was silently read as ``value``.

    ``no``/``on`` as booleans, ``10:00`` as 600, ``012`` as 10, ``1.0e+3``,
    ``.inf`` and timestamps are traps; ``2022`` read as a number is not (it
    is just the wrong type, which the type rules report).
    """
    if isinstance(value, (bool, date)):
        return True
    if isinstance(value, (int, float)) and text is not None:
        return _PLAIN_NUMBER.fullmatch(text) is None
    return False


def _all_of(items: list[Any], kind: type) -> bool:
    """Whether every item is a ``kind`` (one C-level pass, no generator)."""
    return all(map(isinstance, items, repeat(kind)))


def _any_of(items: list[Any], kind: type) -> bool:
    """Whether some item is a ``kind``."""
    return any(map(isinstance, items, repeat(kind)))


def _is_empty(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, dict)) and not value)


# -- FM0xx: the front matter block -------------------------------------------------


@rule("FM001", "no-front-matter", Severity.ERROR, "the file has no YAML front matter")
def no_front_matter(ctx: Context) -> Iterator[Hit]:
    parts = ctx.post.parts
    if not parts.has_front_matter and not parts.unterminated:
        yield Hit(1, 1, "no YAML front matter: the file does not start with a '---' line")


@rule("FM002", "unterminated-front-matter", Severity.ERROR, "an opening '---' is never closed")
def unterminated(ctx: Context) -> Iterator[Hit]:
    parts = ctx.post.parts
    if parts.unterminated:
        yield Hit(
            parts.fence_line,
            1,
            f"front matter opened on line {parts.fence_line} is never closed by a '---' line",
        )


@rule(
    "FM003",
    "front-matter-not-at-top",
    Severity.WARNING,
    "blank lines before the opening '---' (Hexo accepts them; Jekyll, remark, markdownlint do not)",
    # the RSS bot starts every post with a blank line, which Hexo reads fine
    default=False,
)
def not_at_top(ctx: Context) -> Iterator[Hit]:
    parts = ctx.post.parts
    if parts.fence_line > 1:
        blank = parts.fence_line - 1
        lines = "line" if blank == 1 else "lines"
        yield Hit(
            1,
            1,
            f"front matter starts on line {parts.fence_line}, after {blank} blank {lines} "
            "(Hexo accepts this; Jekyll, remark and markdownlint do not)",
        )


@rule("FM004", "byte-order-mark", Severity.WARNING, "a byte-order mark before the front matter")
def byte_order_mark(ctx: Context) -> Iterator[Hit]:
    source, parts = ctx.post.source, ctx.post.parts
    if source.bom and (parts.has_front_matter or parts.unterminated):
        yield Hit(
            1,
            1,
            f"byte-order mark ({source.encoding}) before the front matter; "
            "many tools then do not see the front matter",
        )


@rule("FM005", "yaml-syntax", Severity.ERROR, "the front matter is not valid YAML")
def yaml_syntax(ctx: Context) -> Iterator[Hit]:
    error = ctx.post.error
    if error is not None and not isinstance(error, LimitError):
        yield Hit(error.line or ctx.top()[0], error.column or 1, error.message)


@rule("FM006", "yaml-limit", Severity.ERROR, "YAML aliases or nesting past the safety limits")
def yaml_limit(ctx: Context) -> Iterator[Hit]:
    error = ctx.post.error
    if isinstance(error, LimitError):
        yield Hit(error.line or ctx.top()[0], error.column or 1, error.message)


@rule("FM007", "duplicate-key", Severity.ERROR, "a key written twice (YAML keeps the last)")
def duplicate_key(ctx: Context) -> Iterator[Hit]:
    fm = ctx.post.front_matter
    for name, first, again in fm.duplicates if fm is not None else ():
        yield Hit(
            again.line,
            again.column,
            f"duplicate key {name!r} (first on line {first.line}); YAML keeps only this one",
        )


@rule("FM008", "not-a-mapping", Severity.ERROR, "the front matter is not a key: value mapping")
def not_a_mapping(ctx: Context) -> Iterator[Hit]:
    fm = ctx.post.front_matter
    if fm is not None and fm.data is not None and not fm.is_mapping:
        yield Hit(fm.start_line, 1, f"front matter is {describe(fm.data)}, not key: value pairs")


# -- FM1xx: fields and their types -------------------------------------------------


@rule("FM101", "required-missing", Severity.ERROR, "a required field is missing")
def required_missing(ctx: Context) -> Iterator[Hit]:
    if ctx.fm is None:
        return
    data = ctx.data
    for name in ctx.required:
        if name not in data:
            line, column = ctx.top()
            yield Hit(line, column, f"required field {name!r} is missing")


@rule("FM102", "required-empty", Severity.ERROR, "a required field is empty")
def required_empty(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.fields(ctx.required):
        if _is_empty(value):
            info = ctx.where(name)
            yield Hit(info.line, info.column, f"required field {name!r} is empty")


@rule("FM103", "title-type", Severity.ERROR, "the title is not text (e.g. 'title: 2022')")
def title_type(ctx: Context) -> Iterator[Hit]:
    if "title" not in ctx.values:
        return
    value = ctx.values["title"]
    if value is not None and not isinstance(value, str):
        info = ctx.where("title")
        fm = ctx.fm
        if info.style == "" and fm is not None and is_trap(value, written(fm, "title")):
            return  # FM401 explains the conversion
        yield Hit(
            info.value_line,
            info.value_column,
            f"title is {describe(value)}, not text; quote it",
        )


def _bad_names(ctx: Context, name: str, value: object, nested: bool) -> Iterator[Hit]:
    """Why a categories/tags value is not a name or a list of names."""
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, list):
        info = ctx.where(name)
        message = f"{name} is {describe(value)}, not a name or a list of names"
        yield Hit(info.value_line, info.value_column, message)
        return
    if _all_of(value, str) and all(map(str.strip, value)):
        return  # names only, none blank: the usual case, checked without a Python loop
    fm = ctx.fm
    items: list[Item] | None = None  # found only when an item is wrong
    for index, item in enumerate(value, 1):
        if isinstance(item, str) and item.strip():
            continue
        if nested and isinstance(item, list) and all(isinstance(x, str) for x in item):
            continue  # a Hexo category hierarchy
        if items is None:
            items = (item_nodes(fm, name) if fm is not None else None) or []
        where = items[index - 1] if index <= len(items) else None
        if where is not None:
            line, column = where.line, where.column
        else:
            info = ctx.where(name)
            line, column = info.value_line, info.value_column
        if where is not None and where.text is not None and is_trap(item, where.text):
            continue  # FM401 explains the conversion
        if item is None or isinstance(item, str):
            yield Hit(line, column, f"{name} item {index} is empty")
        else:
            yield Hit(line, column, f"{name} item {index} is {describe(item)}, not a name")


@rule(
    "FM104",
    "taxonomy-type",
    Severity.ERROR,
    "categories or tags not a name or a list of names",
)
def taxonomy_type(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.fields(TAXONOMY_FIELDS):
        yield from _bad_names(ctx, name, value, nested=name == "categories")


@rule("FM105", "comments-type", Severity.ERROR, "'comments' is not true or false")
def comments_type(ctx: Context) -> Iterator[Hit]:
    if "comments" not in ctx.values:
        return
    value = ctx.values["comments"]
    if not isinstance(value, bool):
        what = f"the text {_short(value)!r}" if isinstance(value, str) else describe(value)
        info = ctx.where("comments")
        yield Hit(info.value_line, info.value_column, f"comments is {what}, not true or false")


@rule(
    "FM106",
    "categories-mixed",
    Severity.WARNING,
    "categories mix names and nested lists (Hexo then reads each as a separate top category)",
)
def categories_mixed(ctx: Context) -> Iterator[Hit]:
    value = ctx.values.get("categories")
    if isinstance(value, list) and _any_of(value, list):
        lists = [index for index, item in enumerate(value) if isinstance(item, list)]
        if len(lists) == len(value):
            return
        fm = ctx.fm
        items = (item_nodes(fm, "categories") if fm is not None else None) or []
        where = items[lists[0]] if lists[0] < len(items) else None
        if where is not None:
            line, column = where.line, where.column
        else:
            info = ctx.where("categories")
            line, column = info.value_line, info.value_column
        yield Hit(
            line,
            column,
            f"categories mix names and nested lists (item {lists[0] + 1}): Hexo then makes "
            "each entry a separate top-level category instead of one hierarchy",
        )


# -- FM2xx: dates ------------------------------------------------------------------


@rule("FM201", "date-invalid", Severity.ERROR, "a date that cannot be parsed")
def date_invalid(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.fields(DATE_FIELDS):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # empty: FM102 when required
        if not isinstance(value, (str, date)):
            info = ctx.where(name)
            message = f"{name} is {describe(value)}, not a date"
            yield Hit(info.value_line, info.value_column, message)
            continue
        when = ctx.date(name)
        if isinstance(when, str):
            info = ctx.where(name)
            yield Hit(info.value_line, info.value_column, f"{name}: {when}")


@rule("FM202", "date-future", Severity.WARNING, "a date in the future")
def date_future(ctx: Context) -> Iterator[Hit]:
    for name, _ in ctx.fields(DATE_FIELDS):
        when = ctx.date(name)
        if not isinstance(when, str) and is_future(when, ctx.now):
            info = ctx.where(name)
            yield Hit(info.value_line, info.value_column, f"{name} is in the future")


# -- FM3xx: image fields -----------------------------------------------------------

_URL = re.compile(r"(?:https?:)?//[^\s/?#\"<>]+[^\s\"<>]*|/[^/\s\"<>][^\s\"<>]*", re.IGNORECASE)


@rule("FM301", "image-not-url", Severity.ERROR, "an image field that is not an http(s) URL")
def image_not_url(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.fields(IMAGE_FIELDS):
        if isinstance(value, str) and _URL.fullmatch(value.strip()):
            continue
        shown = repr(_short(value)) if isinstance(value, str) else describe(value)
        info = ctx.where(name)
        yield Hit(info.value_line, info.value_column, f"{name} is not an image URL: {shown}")


@functools.lru_cache(maxsize=8)
def _lowered(prefixes: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Each prefix with its lower case, and the lower cases alone (one
    ``startswith`` call tells whether any of them matches)."""
    pairs = tuple((prefix, prefix.lower()) for prefix in prefixes)
    return pairs, tuple(lowered for _, lowered in pairs)


@rule("FM302", "image-proxied", Severity.WARNING, "an image field through a known image proxy")
def image_proxied(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.fields(IMAGE_FIELDS):
        if not isinstance(value, str):
            continue
        lowered = value.strip().lower()
        pairs, any_of = _lowered(ctx.proxy_prefixes)
        if not lowered.startswith(any_of):
            continue
        for prefix, prefix_lowered in pairs:
            if lowered.startswith(prefix_lowered):
                info = ctx.where(name)
                yield Hit(
                    info.value_line,
                    info.value_column,
                    f"{name} goes through the image proxy {prefix}; 'articletool clean' unwraps it",
                )
                break


# -- FM4xx: YAML 1.1 conversions ---------------------------------------------------


def _trap_message(name: str, text: str, value: object) -> str:
    return f"{name}: YAML reads the unquoted {text!r} as {describe(value)}, not text; quote it"


_LIST_TEXT_FIELDS = (*TAXONOMY_FIELDS, "keywords")


@rule(
    "FM401",
    "yaml11-trap",
    Severity.ERROR,
    "a text field YAML 1.1 silently converts (no, on, 10:00, 012, 2022-01-01)",
)
def yaml11_trap(ctx: Context) -> Iterator[Hit]:
    fm = ctx.fm
    if fm is None:
        return
    for name, value in ctx.fields(TEXT_FIELDS):
        if value is None or isinstance(value, str):
            continue
        info = ctx.where(name)
        if info.style == "":
            text = written(fm, name)
            if text is not None and is_trap(value, text):
                yield Hit(info.value_line, info.value_column, _trap_message(name, text, value))
    for name, value in ctx.fields(_LIST_TEXT_FIELDS):
        if not isinstance(value, list) or _all_of(value, str):
            continue
        items = item_nodes(fm, name) or []
        for index, (item, where) in enumerate(zip(value, items, strict=False), 1):
            if where.text is not None and is_trap(item, where.text):
                message = _trap_message(f"{name} item {index}", where.text, item)
                yield Hit(where.line, where.column, message)
