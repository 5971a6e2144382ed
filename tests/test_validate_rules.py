"""Each rule: a minimal bad post that triggers it, a near miss that does not."""

from __future__ import annotations

import codecs
import pickle
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articletool.post.load import parse_post
from articletool.run.files import Input
from articletool.validate import (
    RULES,
    Finding,
    Settings,
    Severity,
    check_input,
    check_post,
    select_codes,
)
from articletool.validate.schema import SCHEMA_CODES

NOW = datetime(2025, 1, 1, tzinfo=UTC)
SETTINGS = Settings(now=NOW, codes=select_codes(("ALL",)))  # every rule, opt-in ones too

# Line numbers:    1    2               3              4      5      6
GOOD = """---
title: 'Hello [world]'
categories:
 - a
 - b
tags: [x, y]
author: me
comments: false
date: Thu, 18 Aug 2022 19:08:00 GMT
updated: 2022-08-19 10:00:00
headimg: 'https://example.com/a.jpg'
thumbnail: 'http://example.com/a.jpg'
cover: /images/cover.png
description: 'ok'
---
<p>body</p>
"""


def sub(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def check(data: str | bytes, settings: Settings = SETTINGS) -> tuple[Finding, ...]:
    raw = data.encode() if isinstance(data, str) else data
    return check_post(parse_post(raw, "post.md", settings.max_yaml_nodes), settings)


BOMB = "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

# (code, bad post, line, column, near miss that must not trigger the code)
CASES: list[tuple[str, str | bytes, int, int, str | bytes]] = [
    ("FM001", "<p>just a body</p>\n", 1, 1, GOOD),
    ("FM002", "---\ntitle: x\ndate: 2022-01-01\n<p>body</p>\n", 1, 1, GOOD),
    ("FM002", "\n\n---\ntitle: x\n", 3, 1, "\n\n---\ntitle: x\n...\n"),
    ("FM003", "\n\n" + GOOD, 1, 1, GOOD),
    ("FM004", codecs.BOM_UTF8 + GOOD.encode(), 1, 1, GOOD.encode()),
    ("FM005", sub("author: me", "author: a: b"), 7, 10, sub("author: me", "author: 'a: b'")),
    ("FM006", "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + BOMB + "---\n", 2, 1, GOOD),
    ("FM007", sub("description: 'ok'", "description: 'ok'\ntitle: again"), 15, 1, GOOD),
    ("FM008", "---\n- a\n- b\n---\nbody\n", 2, 1, "---\n---\nbody\n"),
    ("FM101", sub("date: Thu, 18 Aug 2022 19:08:00 GMT\n", ""), 1, 1, GOOD),
    ("FM101", "\n---\ntitle: x\n---\n", 2, 1, "\n---\ntitle: x\ndate: 2022-01-01\n---\n"),
    (
        "FM102",
        sub("title: 'Hello [world]'", "title: ''"),
        2,
        1,
        sub("title: 'Hello [world]'", "title: '0'"),
    ),
    ("FM102", sub("title: 'Hello [world]'", "title:"), 2, 1, GOOD),
    (
        "FM103",
        sub("title: 'Hello [world]'", "title: 2022"),
        2,
        8,
        sub("title: 'Hello [world]'", "title: '2022'"),
    ),
    ("FM103", sub("title: 'Hello [world]'", "title: [a, b]"), 2, 8, GOOD),
    ("FM104", sub("tags: [x, y]", "tags: 3"), 6, 7, sub("tags: [x, y]", "tags: solo")),
    ("FM104", sub("tags: [x, y]", "tags: [x, 3]"), 6, 11, sub("tags: [x, y]", "tags: [x, '3']")),
    ("FM104", sub("tags: [x, y]", "tags: {a: b}"), 6, 7, sub("tags: [x, y]", "tags: []")),
    (
        "FM104",
        sub(" - b\n", " -\n"),
        5,
        3,
        sub(" - b\n", " - [b, c]\n - [d]\n").replace(" - a\n", ""),
    ),
    (
        "FM105",
        sub("comments: false", "comments: 'no'"),
        8,
        11,
        sub("comments: false", "comments: true"),
    ),
    ("FM106", sub(" - b\n", " - [b, c]\n"), 5, 4, sub(" - a\n - b\n", " - [a, b]\n - [c]\n")),
    (
        "FM201",
        sub("Thu, 18 Aug", "Thu, 32 Aug"),
        9,
        7,
        sub("date: Thu, 18 Aug 2022 19:08:00 GMT", "date: 2022-08-18"),
    ),
    ("FM201", sub("updated: 2022-08-19 10:00:00", "updated: soon"), 10, 10, GOOD),
    ("FM201", sub("date: Thu, 18 Aug 2022 19:08:00 GMT", "date: 20220818"), 9, 7, GOOD),
    (
        "FM202",
        sub("updated: 2022-08-19 10:00:00", "updated: 2099-01-01 00:00:00"),
        10,
        10,
        sub("updated: 2022-08-19 10:00:00", "updated: 2024-12-31T23:59:00Z"),
    ),
    (
        "FM301",
        sub("headimg: 'https://example.com/a.jpg'", "headimg: not a url"),
        11,
        10,
        sub("headimg: 'https://example.com/a.jpg'", "headimg: '//cdn.example.com/a.jpg'"),
    ),
    ("FM301", sub("cover: /images/cover.png", "cover: true"), 13, 8, GOOD),
    ("FM301", sub("cover: /images/cover.png", "cover: 'javascript:alert(1)'"), 13, 8, GOOD),
    (
        "FM302",
        sub(
            "headimg: 'https://example.com/a.jpg'",
            "headimg: 'https://cors.zfour.workers.dev/?http://a.com/b.jpg'",
        ),
        11,
        10,
        sub(
            "headimg: 'https://example.com/a.jpg'",
            "headimg: 'http://a.com/b.jpg?https://cors.zfour.workers.dev/?'",
        ),
    ),
    ("FM401", sub("author: me", "author: no"), 7, 9, sub("author: me", "author: 'no'")),
    (
        "FM401",
        sub("title: 'Hello [world]'", "title: 10:00"),
        2,
        8,
        sub("title: 'Hello [world]'", "title: '10:00'"),
    ),
    (
        "FM401",
        sub("description: 'ok'", "description: 012"),
        14,
        14,
        sub("description: 'ok'", "description: '012'"),
    ),
    ("FM401", sub("tags: [x, y]", "tags: [x, on]"), 6, 11, sub("tags: [x, y]", "tags: [x, 'on']")),
    ("FM401", sub(" - b\n", " - 2022-01-01\n"), 5, 4, sub(" - b\n", " - '2022-01-01'\n")),
]


@pytest.mark.parametrize(
    ("code", "bad", "line", "column", "good"),
    CASES,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)],
)
def test_rule(code: str, bad: str | bytes, line: int, column: int, good: str | bytes) -> None:
    hits = [f for f in check(bad) if f.code == code]
    assert [(f.line, f.column) for f in hits] == [(line, column)], check(bad)
    assert hits[0].severity is RULES[code].severity
    assert hits[0].path == "post.md"
    assert not [f for f in check(good) if f.code == code], check(good)


def test_every_rule_has_a_case() -> None:
    # The schema rules (FM5xx) have theirs in test_validate_schema.py.
    assert {case[0] for case in CASES} == set(RULES) - SCHEMA_CODES


def test_good_post_is_clean() -> None:
    assert check(GOOD) == ()


def test_findings_in_file_order() -> None:
    post = sub("author: me", "author: no").replace("comments: false", "comments: 1")
    findings = check("\n" + post)
    assert [f.line for f in findings] == sorted(f.line for f in findings)
    assert [f.code for f in findings] == ["FM003", "FM401", "FM105"]


def test_type_rules_defer_to_the_trap_rule() -> None:
    codes = [f.code for f in check(sub("title: 'Hello [world]'", "title: no"))]
    assert codes == ["FM401"]
    message = check(sub("title: 'Hello [world]'", "title: 10:00"))[0].message
    assert "'10:00'" in message and "the integer 600" in message


def test_required_is_configurable() -> None:
    settings = Settings(now=NOW, required=("title", "date", "slug"))
    findings = check(GOOD, settings)
    assert [(f.code, f.message) for f in findings] == [
        ("FM101", "required field 'slug' is missing")
    ]
    assert check(sub("title: 'Hello [world]'\n", ""), Settings(now=NOW, required=())) == ()


def test_future_depends_on_the_injected_clock() -> None:
    post = sub("date: Thu, 18 Aug 2022 19:08:00 GMT", "date: 2030-01-01T00:00:00Z")
    assert [f.code for f in check(post)] == ["FM202"]
    assert check(post, Settings(now=datetime(2031, 1, 1, tzinfo=UTC))) == ()


def test_bom_without_front_matter_is_not_reported() -> None:
    assert [f.code for f in check(codecs.BOM_UTF8 + b"<p>x</p>")] == ["FM001"]


def test_yaml_error_stops_field_rules() -> None:
    codes = [f.code for f in check(sub("author: me", "author: [a"))]
    assert codes == ["FM005"]


def test_severities() -> None:
    warnings = {code for code, rule in RULES.items() if rule.severity is Severity.WARNING}
    assert warnings == {"FM003", "FM004", "FM106", "FM202", "FM302"}


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        ((), (), set(RULES) - {"FM003"}),  # FM003 is opt-in
        (("ALL",), (), set(RULES)),
        (("FM1",), (), {c for c in RULES if c.startswith("FM1")}),
        (("FM003", "fm302"), (), {"FM003", "FM302"}),
        (("FM",), ("FM003",), set(RULES) - {"FM003"}),
        (("ALL",), ("FM0", "FM1", "FM2", "FM3", "FM5"), {"FM401"}),
    ],
)
def test_select_codes(select: tuple[str, ...], ignore: tuple[str, ...], expected: set[str]) -> None:
    assert select_codes(select, ignore) == expected


def test_select_unknown_code() -> None:
    from articletool.errors import UsageError

    with pytest.raises(UsageError, match="XY"):
        select_codes(("XY",))


def test_selection_limits_findings() -> None:
    settings = Settings(now=NOW, codes=select_codes(("ALL",), ("FM003",)))
    assert check("\n" + GOOD, settings) == ()


def test_blank_line_before_front_matter_is_opt_in() -> None:
    """FM003 fires on every post the bot writes, which Hexo reads fine: off
    unless selected."""
    assert [rule.code for rule in RULES.values() if not rule.default] == ["FM003"]
    assert check("\n" + GOOD, Settings(now=NOW)) == ()
    selected = Settings(now=NOW, codes=select_codes(("FM0",)))
    assert [f.code for f in check("\n" + GOOD, selected)] == ["FM003"]


@given(st.text(max_size=300))
def test_never_crashes(text: str) -> None:
    for finding in check(text.replace("\x00", "")):
        assert finding.line >= 1 and finding.column >= 1
        assert finding.code in RULES


@given(
    st.dictionaries(
        st.sampled_from(["title", "date", "tags", "categories", "headimg", "comments", "author"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3),
            max_leaves=6,
        ),
    )
)
def test_never_crashes_on_any_front_matter(data: dict[str, object]) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nbody\n"
    lines = text.count("\n")
    for finding in check(text):
        assert 1 <= finding.line <= lines


@given(st.binary(max_size=400))
def test_never_crashes_on_any_bytes(data: bytes) -> None:
    from articletool.errors import DecodeError

    try:
        post = parse_post(b"---\ntitle: x\n" + data, "post.md")
    except DecodeError:
        return
    for finding in check_post(post, SETTINGS):
        assert finding.code in RULES


def test_date_of_the_wrong_type_is_named() -> None:
    findings = check(sub("date: Thu, 18 Aug 2022 19:08:00 GMT", "date: 20220818"))
    assert [f.message for f in findings] == ["date is the integer 20220818, not a date"]


def test_worker_and_results_survive_pickling(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD.replace("title: 'Hello [world]'", "title: 2022"), encoding="utf-8")
    bad.write_bytes(b"\x00binary")
    work = pickle.loads(pickle.dumps(partial(check_input, SETTINGS)))
    found = pickle.loads(pickle.dumps(work(Input(str(good), good))))
    failed = pickle.loads(pickle.dumps(work(Input(str(bad), bad))))
    assert [(f.code, f.line) for f in found.findings] == [("FM103", 2)]
    assert found.error is None
    assert failed.findings == ()
    assert failed.error is not None and str(failed.error).startswith(f"{bad}: binary file")
