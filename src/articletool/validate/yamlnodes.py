"""What the front matter looked like as written, and what YAML made of it.

:mod:`articletool.post.frontmatter` keeps each key's position and scalar style;
some rules also need the text of a plain scalar (to say "``10:00`` is read as
600") or the place of each list item. Those are read from the node tree
:func:`articletool.post.frontmatter.load` keeps, or, for front matter built
without one, by composing the raw YAML again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import yaml

from articletool.post.dates import to_iso
from articletool.post.frontmatter import FrontMatter

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Item:
    """One list item: where it stands in the file and, if a plain scalar, its text."""

    line: int
    column: int
    text: str | None


@lru_cache(maxsize=8)
def _compose(raw: str) -> yaml.Node | None:
    try:
        return yaml.compose(raw, Loader=_Loader)
    except yaml.YAMLError:
        return None


def _value_node(fm: FrontMatter, key: str) -> yaml.Node | None:
    root = fm.node if fm.node is not None else _compose(fm.raw)
    if not isinstance(root, yaml.MappingNode):
        return None
    found = None
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == key:
            found = value_node  # the last one wins, as in YAML
    return found


def _plain_text(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and not node.style:
        return str(node.value)
    return None


def written(fm: FrontMatter, key: str) -> str | None:
    """The text of ``key``'s value as written, when it is a plain scalar."""
    node = _value_node(fm, key)
    return _plain_text(node) if node is not None else None


def item_nodes(fm: FrontMatter, key: str) -> list[Item] | None:
    """The items of ``key``'s list value, in order (``None`` if it is not a list)."""
    node = _value_node(fm, key)
    if not isinstance(node, yaml.SequenceNode):
        return None
    return [
        Item(fm.start_line + child.start_mark.line, child.start_mark.column + 1, _plain_text(child))
        for child in node.value
    ]


def position(fm: FrontMatter, path: Sequence[str | int], key: bool = False) -> tuple[int, int]:
    """Line and column in the file of the value at ``path`` (keys and list
    indexes from the top of the front matter), or with ``key`` of the key
    that holds it. Where the path leaves what was written (a key brought in
    by a merge), the nearest place above it."""
    node = fm.node if fm.node is not None else _compose(fm.raw)
    if node is None:
        return fm.start_line, 1
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == str(part):
                    found = key_node, value_node  # the last one wins, as in YAML
            if found is None:
                break
            node = found[0] if key and depth == len(path) - 1 else found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
        else:
            break
    return fm.start_line + node.start_mark.line, node.start_mark.column + 1


def describe(value: object) -> str:
    """How YAML read a value, in words: ``the integer 600``, ``the boolean false``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, datetime):
        return f"the timestamp {to_iso(value)}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
