"""`validate` against a JSON Schema (FM5xx): the setting, each kind of
violation at its line and column, the formats, and schemas that are not one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.validate import RULES
from articletool.validate.schema import SCHEMA_CODES

POST = """---
title: 'Hello'
categories:
 - 新媒体
 - ZAKER
author: ZAKER
comments: false
date: Thu, 18 Aug 2022 19:08:00 GMT
headimg: 'https://example.com/a.jpg'
---
<p>body</p>
"""

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "date", "author"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "categories": {
            "type": "array",
            "prefixItems": [{"enum": ["新媒体", "二次元"]}],
            "items": {"type": "string"},
        },
        "author": {"type": "string"},
        "comments": {"type": "boolean"},
        "date": {
            "anyOf": [
                {"type": "string", "pattern": "^[A-Z][a-z]{2}, [0-9]{2} "},
                {"type": "string", "format": "date-time"},
            ]
        },
        "headimg": {"type": "string", "pattern": "^https://"},
    },
}


@pytest.fixture(autouse=True)
def _in_a_blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in an empty folder; settings only where a test writes them."""
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def schema_file(folder: Path, schema: Any = SCHEMA, name: str = "post.schema.json") -> Path:
    return write(folder / name, json.dumps(schema, ensure_ascii=False, indent=2))


def schema_findings(post: Path, schema: Path, *extra: str) -> tuple[int, list[tuple[Any, ...]]]:
    code, out, _ = invoke("--format", "json", "--schema", str(schema), *extra, str(post))
    found = [
        (f["code"], f["line"], f["column"], f["message"])
        for f in json.loads(out)
        if f["code"].startswith("FM5")
    ]
    return code, found


def sub(old: str, new: str) -> str:
    assert old in POST
    return POST.replace(old, new, 1)


def test_a_post_that_fits_has_no_schema_finding(tmp_path: Path) -> None:
    code, found = schema_findings(write(tmp_path / "ok.md", POST), schema_file(tmp_path))
    assert (code, found) == (0, [])


# (code, post, line, column, words in the message)
CASES = [
    ("FM501", sub("author: ZAKER\n", ""), 1, 1, "requires 'author'"),
    ("FM502", sub("comments: false\n", "comments: false\nsubtitle: x\n"), 8, 1, "subtitle"),
    ("FM503", sub("comments: false", "comments: 'false'"), 7, 11, "not of type boolean"),
    ("FM503", sub("title: 'Hello'", "title: 2022"), 2, 8, "the integer 2022"),
    ("FM504", sub(" - 新媒体", " - 科技"), 4, 4, "categories[0]: the text '科技'"),
    ("FM505", sub("https://example", "http://example"), 9, 10, "pattern '^https://'"),
    ("FM505", sub("date: Thu, 18 Aug 2022 19:08:00 GMT", "date: Invalid Date"), 8, 7, "none"),
    ("FM506", sub("title: 'Hello'", "title: ''"), 2, 8, "title:"),
    ("FM503", sub(" - ZAKER", " - 3"), 5, 4, "categories[1]: the integer 3"),
]


@pytest.mark.parametrize(("code", "post", "line", "column", "words"), CASES)
def test_each_violation_at_its_line_and_column(
    tmp_path: Path, code: str, post: str, line: int, column: int, words: str
) -> None:
    status, found = schema_findings(write(tmp_path / "p.md", post), schema_file(tmp_path))
    assert status == 1
    assert [(c, li, co) for c, li, co, _ in found] == [(code, line, column)], found
    assert words in found[0][3]


def test_every_schema_rule_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(SCHEMA_CODES)
    assert all(RULES[code].name.startswith("schema-") for code in SCHEMA_CODES)


def test_several_violations_in_one_post_in_file_order(tmp_path: Path) -> None:
    post = (
        POST.replace("author: ZAKER\n", "")
        .replace("comments: false", "comments: 'no'")
        .replace("headimg: 'https://example.com/a.jpg'\n", "headimg: x\nlayout: post\n")
    )
    status, found = schema_findings(write(tmp_path / "p.md", post), schema_file(tmp_path))
    assert status == 1
    assert [(c, li, co) for c, li, co, _ in found] == [
        ("FM501", 1, 1),
        ("FM503", 6, 11),
        ("FM505", 8, 10),
        ("FM502", 9, 1),
    ]


def test_a_wrong_type_is_not_also_reported_for_its_enum(tmp_path: Path) -> None:
    schema = {"properties": {"comments": {"type": "boolean", "enum": [False]}}}
    post = write(tmp_path / "p.md", sub("comments: false", "comments: 'false'"))
    _, found = schema_findings(post, schema_file(tmp_path, schema))
    assert [c for c, *_ in found] == ["FM503"]


def test_nested_values_and_keys_are_located(tmp_path: Path) -> None:
    schema = {
        "properties": {
            "meta": {
                "type": "object",
                "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
                "additionalProperties": False,
            }
        }
    }
    post = write(tmp_path / "p.md", sub("author: ZAKER\n", "meta:\n  tags: [a, 2]\n  x: 1\n"))
    _, found = schema_findings(post, schema_file(tmp_path, schema))
    assert [(c, li, co) for c, li, co, _ in found] == [("FM503", 7, 13), ("FM502", 8, 3)]
    assert found[0][3].startswith("meta.tags[1]: the integer 2")


def test_text_and_github_formats_and_the_summary(tmp_path: Path) -> None:
    post = write(tmp_path / "p.md", sub("comments: false", "comments: 'false'"))
    schema = str(schema_file(tmp_path))
    code, out, err = invoke("--schema", schema, "--select", "FM5", str(post))
    assert code == 1
    assert out == f"{post}:7:11: FM503 error: comments: the text 'false' is not of type boolean\n"
    assert "FM503  error        1  schema-type" in err
    assert "1 file checked: 1 error, 0 warnings in 1 file." in err
    code, out, _ = invoke("--schema", schema, "--select", "FM5", "-f", "github", str(post))
    assert code == 1
    assert out.startswith(f"::error file={post},line=7,col=11,title=FM503::comments")


def test_select_and_ignore_apply_to_schema_rules(tmp_path: Path) -> None:
    post = write(tmp_path / "p.md", sub("author: ZAKER\n", "subtitle: x\n"))
    schema = schema_file(tmp_path)
    assert [c for c, *_ in schema_findings(post, schema)[1]] == ["FM501", "FM502"]
    assert [c for c, *_ in schema_findings(post, schema, "--ignore", "FM501")[1]] == ["FM502"]
    code, found = schema_findings(post, schema, "--ignore", "FM5")
    assert (code, found) == (0, [])
    code, out, _ = invoke("--schema", str(schema), "--select", "FM502", str(post))
    assert code == 1 and [line.split()[1] for line in out.splitlines()] == ["FM502"]


def test_dates_are_checked_as_the_loader_reads_them(tmp_path: Path) -> None:
    # An unquoted date is a YAML timestamp: the schema sees ISO 8601 text
    # ('2021-04-15T08:08:37'), not the text written; a quoted one stays text.
    schema = schema_file(
        tmp_path,
        {"properties": {"date": {"type": "string", "pattern": "T", "format": "date-time"}}},
    )
    date_line = "date: Thu, 18 Aug 2022 19:08:00 GMT"
    timestamp = write(tmp_path / "a.md", sub(date_line, "date: 2021-04-15 08:08:37"))
    assert schema_findings(timestamp, schema) == (0, [])
    quoted = write(tmp_path / "b.md", sub(date_line, "date: '2021-04-15 08:08:37'"))
    _, found = schema_findings(quoted, schema)
    assert [c for c, *_ in found] == ["FM505"] and "pattern 'T'" in found[0][3]
    invalid = write(tmp_path / "c.md", sub(date_line, "date: 'Invalid DateT'"))
    _, found = schema_findings(invalid, schema)
    assert [(c, m.endswith("is not a date-time")) for c, *_, m in found] == [("FM505", True)]
    typed = schema_file(tmp_path, {"properties": {"date": {"type": "integer"}}}, "int.json")
    _, found = schema_findings(timestamp, typed)
    assert "the timestamp 2021-04-15T08:08:37 is not of type integer" in found[0][3]


def test_schema_setting_is_relative_to_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog = tmp_path / "blog"
    post = write(blog / "source" / "_posts" / "p.md", sub("author: ZAKER\n", ""))
    schema_file(blog / "schemas")
    write(
        blog / "pyproject.toml",
        '[tool.articletool.validate]\nschema = "schemas/post.schema.json"\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = invoke(str(post))
    assert code == 1 and ": FM501 error: the schema requires 'author'" in out
    assert invoke("--schema", "", str(post))[0] == 0  # the flag clears the setting


def test_schema_inline_in_articletool_toml(tmp_path: Path) -> None:
    write(
        tmp_path / "articletool.toml",
        '[validate.schema]\nrequired = ["title", "slug"]\n'
        '[validate.schema.properties.title]\ntype = "string"\nmaxLength = 3\n',
    )
    post = write(tmp_path / "p.md", POST)
    code, out, _ = invoke(str(post))
    assert code == 1
    assert [line.split(": ", 1)[1] for line in out.splitlines() if " FM5" in line] == [
        "FM501 error: the schema requires 'slug', which is missing",
        "FM506 error: title: 'Hello' is too long",
    ]
    result = CliRunner().invoke(app, ["config", str(tmp_path)])
    assert result.exit_code == 0
    assert 'schema = {required = ["title", "slug"], properties = {title = ' in result.stdout


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "not a valid JSON Schema"),
        ('{"required": "title"}', "at #/required: 'title' is not of type 'array'"),
        ('{"type": "object",\n  "properties": {"a": }}', ":2:23: invalid JSON: Expecting value"),
        ('{"properties": {"a": {"$ref": "#/$defs/nope"}}}', "$ref '#/$defs/nope' points nowhere"),
        (None, "cannot read the schema: No such file or directory"),
    ],
)
def test_a_schema_that_is_not_one_is_one_line_naming_it(
    tmp_path: Path, content: str | None, fragment: str
) -> None:
    path = tmp_path / "bad.schema.json"
    if content is not None:
        path.write_text(content)
    write(tmp_path / "articletool.toml", '[validate]\nschema = "bad.schema.json"\n')
    post = write(tmp_path / "p.md", POST)
    code, out, err = invoke(str(post))
    assert (code, out) == (2, "")
    assert err.startswith(f"articletool validate: {path}") and err.count("\n") == 1, err
    assert fragment in err, err


def test_a_setting_of_the_wrong_type(tmp_path: Path) -> None:
    write(tmp_path / "articletool.toml", "[validate]\nschema = 3\n")
    code, _, err = invoke(str(write(tmp_path / "p.md", POST)))
    assert code == 2 and "'schema' must be a file name or a table" in err


def test_without_a_schema_jsonschema_is_never_imported(tmp_path: Path) -> None:
    # Start-up is benchmarked: neither jsonschema (~130 ms) nor json (~1.5 ms)
    # is loaded by validate when the settings file names no schema.
    post = write(tmp_path / "p.md", POST)
    probe = (
        "import atexit, sys\n"
        "loaded = lambda name: f'{name}={name in sys.modules}'\n"
        "atexit.register(lambda: sys.stderr.write(loaded('json') + ' ' + loaded('jsonschema')))\n"
        f"sys.argv = ['articletool', 'validate', {str(post)!r}] + sys.argv[1:]\n"
        "from articletool.cli.app import main\nmain()\n"
    )
    env = dict(os.environ, NO_COLOR="1")
    run = [sys.executable, "-c", probe]
    done = subprocess.run(run, capture_output=True, env=env, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().endswith("json=False jsonschema=False")
    with_schema = [*run, "--schema", str(schema_file(tmp_path))]
    done = subprocess.run(with_schema, capture_output=True, env=env, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().endswith("json=True jsonschema=True")


def test_schema_rules_run_in_worker_processes(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    for index in range(40):
        write(folder / f"{index:02}.md", POST if index % 10 else sub("author: ZAKER\n", ""))
    code, out, _ = invoke(
        "-j", "2", "--schema", str(schema_file(tmp_path)), "--select", "FM5", str(folder)
    )
    assert code == 1
    assert sorted(Path(line.split(":")[0]).name for line in out.splitlines()) == [
        "00.md",
        "10.md",
        "20.md",
        "30.md",
    ]
