"""The front matter's YAML loader: PyYAML's safe loader (its C loader where
libyaml is present), and a shortcut for building the flat mappings posts carry.

PyYAML's C parser composes the nodes, but every value is constructed in
Python, through ``construct_document``'s general machinery (generators for
every mapping and list, the recursion and alias checks). :func:`construct`
builds a mapping of text keys to scalars, or lists of scalars, directly,
calling PyYAML's own constructor for each tag other than text; every other
document goes through ``construct_document``.

The shortcut earns its place (``benchmarks/stages.py``, 10,000 posts): the
front matter stage took 106-110 us per post with plain PyYAML, 78-84 us with
this shortcut and a table-driven ``resolve`` for implicit tags, and 2-3 us
more without the latter: this one saves some 24-27 us of the 400-460 us
convert spends on a post, about 6%. (The resolver shortcut, under 1%, is
gone: PyYAML's own resolver does that again.)

A timestamp no calendar has (``2021-04-31``) stays text, so that ``validate``
can point at it instead of failing.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C loader is about ten times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_Scalar = yaml.ScalarNode
_Sequence = yaml.SequenceNode


class PostLoader(_Loader):
    """The safe loader, calendar-less timestamps as text."""


def _timestamp_or_text(loader: PostLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError, AttributeError):  # AttributeError: "!!timestamp x"
        return loader.construct_scalar(node)


PostLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

#: Scalar tags :func:`construct` hands to PyYAML's constructor for the tag.
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "bool", "int", "float", "null", "timestamp")
)


def _is_scalar(node: yaml.Node) -> bool:
    return type(node) is _Scalar and node.tag in _SCALAR_TAGS


def _is_simple(node: yaml.MappingNode) -> bool:
    """Whether every key of ``node`` is text and every value a scalar or a list of them."""
    for key, value in node.value:
        if type(key) is not _Scalar or key.tag != _STR:
            return False
        if type(value) is _Sequence:
            if value.tag != _SEQ or not all(_is_scalar(item) for item in value.value):
                return False
        elif not _is_scalar(value):
            return False
    return True


def _scalar(loader: PostLoader, node: yaml.ScalarNode) -> Any:
    tag = node.tag
    return node.value if tag == _STR else loader.yaml_constructors[tag](loader, node)


def construct(loader: PostLoader, node: yaml.Node) -> Any:
    """What ``loader.construct_document(node)`` returns, built directly when
    ``node`` is a mapping of text keys to scalars and lists of scalars.

    Values are made in PyYAML's order (the scalars, then each list's items),
    so a bad one raises the error PyYAML would have raised first."""
    if type(node) is not yaml.MappingNode or node.tag != _MAP or not _is_simple(node):
        return loader.construct_document(node)
    data: dict[str, Any] = {}
    lists: list[tuple[list[Any], list[yaml.ScalarNode]]] = []
    for key, value in node.value:
        if type(value) is _Sequence:
            items: list[Any] = []
            lists.append((items, value.value))
            data[key.value] = items
        else:
            data[key.value] = _scalar(loader, value)
    for items, nodes in lists:
        items.extend([_scalar(loader, item) for item in nodes])
    return data


def load_data(raw: str) -> Any:
    """``yaml.load(raw, Loader=PostLoader)``, through :func:`construct`."""
    loader = PostLoader(raw)
    try:
        node = loader.get_single_node()
        return None if node is None else construct(loader, node)
    finally:
        loader.dispose()
