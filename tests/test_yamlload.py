"""yamlload's shortcuts give PyYAML's own answers: the same tags for every node
and the same data for every document, or the same refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from articletool.post import yamlload
from articletool.post.frontmatter import split

CORPUS = sorted((Path(__file__).parent / "golden" / "posts").glob("*.md"))


class Reference(yaml.CSafeLoader):
    """PyYAML's C safe loader with articletool's one constructor change and
    none of its shortcuts."""


Reference.add_constructor(
    "tag:yaml.org,2002:timestamp",
    yamlload.PostLoader.yaml_constructors["tag:yaml.org,2002:timestamp"],
)


def _outcome(load: Any, raw: str) -> str:
    """``repr`` of the data (NaN equals NaN there), or the error."""
    try:
        return repr(load(raw))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, LookupError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _tags(loader_class: type[yaml.CSafeLoader], raw: str) -> list[str]:
    loader = loader_class(raw)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    tags: list[str] = []
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tags.append(current.tag)
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
    return tags


def _same_as_pyyaml(raw: str) -> None:
    reference = _outcome(lambda text: yaml.load(text, Loader=Reference), raw)
    assert _outcome(yamlload.load_data, raw) == reference
    if "Error: " not in reference:
        assert _tags(yamlload.PostLoader, raw) == _tags(Reference, raw)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_front_matter_loads_as_pyyaml_loads_it(path: Path) -> None:
    raw = split(path.read_text(encoding="utf-8", errors="replace")).raw
    assert raw is not None
    _same_as_pyyaml(raw)


SCALARS = [
    "yes", "No", "on", "OFF", "true", "~", "null", "", "0", "-12", "0x1F", "0o17", "017",
    "1_000", "3.5", "1e3", "1.0e+3", ".inf", "-.Inf", ".nan", "1:30", "190:20:30.15",
    "2021-10-28", "2021-10-28 14:08:07", "2021-04-31", "2022-08-18T19:08:00Z",
    "Thu, 18 Aug 2022 19:08:00 GMT", "<<", "=", "a b", "新媒体", "http://a/b.jpg?x=1",
]  # fmt: skip
VALUE = st.one_of(st.sampled_from(SCALARS), st.text(alphabet="01.:-+_eE xyo ", max_size=8))


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    value = draw(VALUE)
    style = draw(st.sampled_from(["plain", "single", "double", "tagged"]))
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value + '"'
    if style == "tagged":
        tag = draw(st.sampled_from(["!!str", "!!int", "!!bool", "!!timestamp", "!local"]))
        return f"{tag} {value}"
    return value


@st.composite
def _document(draw: st.DrawFn) -> str:
    lines = []
    anchored = False
    for index in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(st.sampled_from(["title", "date", "<<", "=", "1", "~"]), _scalar()))
        kinds = ["scalar", "scalar", "flow", "block", "map", "anchor", "alias"]
        kind = draw(st.sampled_from(kinds))
        if kind == "scalar":
            lines.append(f"{key}: {draw(_scalar())}")
        elif kind == "flow":
            items = draw(st.lists(_scalar(), max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        elif kind == "block":
            lines.append(f"{key}:")
            lines.extend(f" - {item}" for item in draw(st.lists(_scalar(), max_size=3)))
        elif kind == "map":
            lines.append(f"{key}: {{k{index}: {draw(_scalar())}}}")
        elif kind == "anchor":
            lines.append(f"{key}: &a{index} {draw(_scalar())}")
            anchored = True
        elif anchored:
            lines.append(f"{key}: *a{index - 1}")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(_document())
def test_any_document_loads_as_pyyaml_loads_it(raw: str) -> None:
    _same_as_pyyaml(raw)


def test_a_document_that_is_not_a_mapping_goes_through_pyyaml() -> None:
    for raw in ("- a\n- 1\n", "just text\n", "!!set {a, b}\n", "? [a]\n: b\n"):
        _same_as_pyyaml(raw)
