"""Split YAML front matter from the body and load it, keeping positions.

Hexo accepts blank lines before the opening ``---``; so does :func:`split`,
and it records how many there were so ``validate`` can warn about them.
:func:`load` parses with PyYAML's C loader where it exists, reports errors at
their line *in the file*, finds duplicate keys (PyYAML keeps the last one
silently) and refuses alias bombs before anything expands them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import yaml

from articletool.errors import FrontMatterError, LimitError
from articletool.post.dates import to_iso
from articletool.post.yamlload import PostLoader, construct, load_data

#: What PyYAML's constructors raise for a value its tag cannot make
#: (``!!float x``, ``!!int`` with no digits, ``!!bool ~``).
_VALUE_ERRORS = (ValueError, OverflowError, TypeError, LookupError)

_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

#: Default ceiling on the nodes a front matter expands to once aliases are
#: followed (a "billion laughs" document expands to billions).
MAX_YAML_NODES = 10_000


@dataclass(frozen=True, slots=True)
class Split:
    """A post cut into its parts. Line numbers are 1-based, in the file."""

    #: Text before the opening fence: only blank lines, or the whole file
    #: when there is no front matter.
    leading: str
    #: The YAML between the fences, or ``None`` when there is no front matter.
    raw: str | None
    #: The body after the closing fence (the whole text without front matter).
    body: str
    #: Line of the opening fence (0 when there is none).
    fence_line: int = 0
    #: Line of the first body line.
    body_line: int = 1
    #: An opening fence without a closing one.
    unterminated: bool = False

    @property
    def has_front_matter(self) -> bool:
        return self.raw is not None

    @property
    def start_line(self) -> int:
        """Line of the first YAML line."""
        return self.fence_line + 1


def _first_content_line(text: str) -> tuple[int, int, int]:
    """Return (offset, end, line) of the first line that is not blank."""
    pos, line = 0, 1
    while True:
        end = text.find("\n", pos)
        if end < 0:
            return pos, len(text), line
        if text[pos:end].strip(" \t"):
            return pos, end, line
        pos, line = end + 1, line + 1


def split(text: str) -> Split:
    """Cut ``text`` (``\\n`` newlines) into leading blank lines, YAML and body."""
    pos, end, line = _first_content_line(text)
    if text[pos:end].rstrip(" \t") != "---":
        return Split(leading="", raw=None, body=text)
    leading = text[:pos]
    start = end + 1
    match = _CLOSING_FENCE.search(text, start) if start <= len(text) else None
    if match is None:
        return Split(leading=leading, raw=None, body=text, fence_line=line, unterminated=True)
    raw = text[start : match.start()]
    closing_line = line + 1 + raw.count("\n")
    body_start = match.end() + 1 if match.end() < len(text) else match.end()
    return Split(
        leading=leading,
        raw=raw,
        body=text[body_start:],
        fence_line=line,
        body_line=closing_line + 1,
    )


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """Where a top-level key and its value stand in the file (1-based)."""

    line: int
    column: int
    value_line: int
    value_column: int
    #: The value's YAML scalar style: ``""`` plain, ``"'"``, ``'"'``, ``"|"``,
    #: ``">"``; ``None`` for a sequence or mapping.
    style: str | None


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Loaded front matter: the raw text as written and what YAML made of it."""

    raw: str
    data: Any
    start_line: int
    keys: Mapping[str, KeyInfo] = field(default_factory=dict)
    #: ``(key, first, repeated)`` for every key written more than once.
    duplicates: tuple[tuple[str, KeyInfo, KeyInfo], ...] = ()
    #: The composed YAML node tree (``None`` when not kept), for rules that
    #: need what was written rather than what YAML made of it.
    node: yaml.Node | None = field(default=None, compare=False, repr=False)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.data, dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default


def _may_expand_past(raw: str, limit: int) -> bool:
    """Whether YAML text ``raw`` can compose to more than ``limit`` nodes.

    Only an alias (``*name``) makes a node count more than once; without one,
    every node needs at least one character of its own, and a document of a
    few characters per node cannot reach the limit. The walk that counts the
    nodes is then skipped.
    """
    return "*" in raw or 2 * len(raw) + 2 > limit


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _written_nodes_exceed(raw: str, limit: int) -> bool:
    """Whether ``raw`` writes more than ``limit`` nodes, counted from the parser's
    events before any node is built: a 5 MB mapping took 6 s and 400 MB to
    compose only to be refused. Syntax errors are left to :func:`load`, which
    reports them where they are."""
    loader = PostLoader(raw)
    count = 0
    try:
        while loader.check_event():
            if isinstance(loader.get_event(), _NODE_EVENTS):
                count += 1
                if count > limit:
                    return True
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return False


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """Count the nodes ``node`` expands to with aliases followed, up to ``limit``."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def walk(current: yaml.Node) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise LimitError("recursive YAML alias in front matter")
        active.add(key)
        total = 1
        if isinstance(current, yaml.SequenceNode):
            for child in current.value:
                total += walk(child)
                if total > limit:
                    break
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                total += walk(key_node) + walk(value_node)
                if total > limit:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    return walk(node)


def _info(start_line: int, key: yaml.Node, value: yaml.Node) -> KeyInfo:
    style = value.style or "" if isinstance(value, yaml.ScalarNode) else None
    return KeyInfo(
        line=start_line + key.start_mark.line,
        column=key.start_mark.column + 1,
        value_line=start_line + value.start_mark.line,
        value_column=value.start_mark.column + 1,
        style=style,
    )


_KeyNodes = dict[str, tuple[yaml.Node, yaml.Node]]


class _Positions(Mapping[str, KeyInfo]):
    """Each top-level key's position, worked out from its nodes when first
    asked for (most commands look at a few keys)."""

    __slots__ = ("_infos", "_nodes", "_start_line")

    def __init__(self, nodes: _KeyNodes, start_line: int) -> None:
        self._nodes = nodes
        self._start_line = start_line
        self._infos: dict[str, KeyInfo] = {}

    def __getitem__(self, name: str) -> KeyInfo:
        info = self._infos.get(name)
        if info is None:
            key, value = self._nodes[name]
            info = self._infos[name] = _info(self._start_line, key, value)
        return info

    def get(self, name: str, default: KeyInfo | None = None) -> KeyInfo | None:  # type: ignore[override]
        return self[name] if name in self._nodes else default

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _key_nodes(
    node: yaml.MappingNode, start_line: int
) -> tuple[_KeyNodes, tuple[tuple[str, KeyInfo, KeyInfo], ...]]:
    """The nodes of each scalar key and its value (YAML keeps the last of a
    repeated key; so do we), and ``(key, first, repeated)`` for every key
    written more than once."""
    nodes: _KeyNodes = {}
    duplicates = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        name = str(key.value)
        earlier = nodes.get(name)
        if earlier is not None:
            first, again = _info(start_line, *earlier), _info(start_line, key, value)
            duplicates.append((name, first, again))
        nodes[name] = (key, value)
    return nodes, tuple(duplicates)


def load(raw: str, start_line: int = 1, max_nodes: int = MAX_YAML_NODES) -> FrontMatter:
    """Load front matter YAML. ``start_line`` is the file line of its first line.

    Raises :class:`FrontMatterError` located in the file for invalid YAML, and
    :class:`LimitError` when aliases expand past ``max_nodes`` nodes.
    """
    if 2 * len(raw) + 2 > max_nodes and _written_nodes_exceed(raw, max_nodes):
        raise LimitError(
            f"front matter expands to more than {max_nodes} YAML nodes; "
            "raise the limit with --max-yaml-nodes",
            line=start_line,
        )
    loader = PostLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return FrontMatter(raw=raw, data=None, start_line=start_line)
        if _may_expand_past(raw, max_nodes) and _expanded_size(node, max_nodes) > max_nodes:
            raise LimitError(
                f"front matter expands to more than {max_nodes} YAML nodes "
                "(alias bomb?); raise the limit with --max-yaml-nodes",
                line=start_line + node.start_mark.line,
            )
        data = construct(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise FrontMatterError(
            f"invalid YAML: {problem}",
            line=start_line + mark.line if mark else start_line,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"invalid YAML: {exc}", line=start_line) from exc
    except _VALUE_ERRORS as exc:
        raise FrontMatterError(f"invalid YAML value: {exc}", line=start_line) from exc
    except RecursionError as exc:
        raise LimitError("front matter nested too deeply", line=start_line) from exc
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return FrontMatter(raw, data, start_line, {}, (), node)
    nodes, duplicates = _key_nodes(node, start_line)
    return FrontMatter(raw, data, start_line, _Positions(nodes, start_line), duplicates, node)


def reload_data(raw: str) -> Any:
    """What YAML makes of ``raw``, without positions or limits: only for text
    made from front matter :func:`load` accepted, changed in a scalar or two
    (to check the change). Raises :class:`FrontMatterError` for invalid YAML."""
    try:
        return load_data(raw)
    except (yaml.YAMLError, *_VALUE_ERRORS, RecursionError) as exc:
        raise FrontMatterError(f"invalid YAML: {exc}") from exc


def json_safe(value: Any) -> Any:
    """Loaded front matter as JSON data: the one view of it that records
    (``extract``, ``convert --to json``) and JSON Schemas see. A YAML
    timestamp becomes ISO 8601 text (``2021-04-15T08:08:37``, ``Z`` for UTC),
    a YAML date ``2022-01-01``; keys become text; the rest is JSON already."""
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
