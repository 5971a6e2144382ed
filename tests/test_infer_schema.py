"""`validate --infer-schema`: a draft schema every post satisfies, as tight as
they allow; validating the archive with it finds nothing, and a post in
another shape is flagged.

``tests/data/corpus`` holds the 189 real posts of ``../shared/corpus/posts``
(Rock-Candy-Tea/RSSHUB-PAGE, unedited), copied so the tests never read
outside the project.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from articletool.cli.app import app

CORPUS = Path(__file__).parent / "data" / "corpus"
RFC1123 = (
    "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    " [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$"
)
NAIVE_TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?$"


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def infer(*paths: Path) -> dict[str, Any]:
    code, out, err = invoke("--infer-schema", *map(str, paths))
    assert code == 0, err
    schema: dict[str, Any] = json.loads(out)
    return schema


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus_schema() -> dict[str, Any]:
    return infer(CORPUS)


def test_corpus_schema_is_as_tight_as_the_posts(corpus_schema: dict[str, Any]) -> None:
    schema = corpus_schema
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == ["title", "categories", "author", "comments", "date", "thumbnail"]
    props = schema["properties"]
    assert list(props) == [*schema["required"][:2], "headimg", *schema["required"][2:]]
    assert props["headimg"]["$comment"] == "in 181 of 189 posts"
    assert props["title"] == {"type": "string", "minLength": 1, "$comment": "in 189 of 189 posts"}
    assert props["comments"] == {
        "type": "boolean",
        "enum": [False],
        "$comment": "in 189 of 189 posts: false 189",
    }
    assert props["author"]["enum"][:3] == ["ZAKER", "人人都是产品经理", "Bangumi"]
    assert props["author"]["$comment"].startswith(
        "in 189 of 189 posts: ZAKER 55, 人人都是产品经理 40"
    )
    first = props["categories"]["items"][0]
    assert first["enum"] == ["新媒体", "二次元", "编程", "金融", "游戏", "博客"]
    assert props["categories"]["minItems"] == 2 and props["categories"]["maxItems"] == 3
    assert props["headimg"]["pattern"] == "^https://[^\\s]+$"
    dates = props["date"]["anyOf"]
    assert [(d["pattern"], d.get("format"), d["$comment"]) for d in dates] == [
        (RFC1123, None, "RFC 1123 date (a feed's pubDate): 165"),
        (NAIVE_TIMESTAMP, "date-time", "YAML timestamp without a time zone: 24"),
    ]


def test_validating_the_corpus_with_its_schema_finds_nothing(
    corpus_schema: dict[str, Any], tmp_path: Path
) -> None:
    schema = write(tmp_path / "post.schema.json", json.dumps(corpus_schema, ensure_ascii=False))
    code, out, err = invoke(
        "--format", "json", "--schema", str(schema), "--select", "FM5", str(CORPUS)
    )
    assert (code, json.loads(out), err) == (0, [], ""), out


def test_a_post_in_another_shape_is_flagged(corpus_schema: dict[str, Any], tmp_path: Path) -> None:
    schema = write(tmp_path / "post.schema.json", json.dumps(corpus_schema, ensure_ascii=False))
    text = (CORPUS / "zaker_1.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[8:11] == [
        "author: ZAKER",
        "comments: false",
        "date: Mon, 31 Jan 2022 20:18:20 GMT",
    ]
    changed = (
        text.replace("author: ZAKER\n", "author: ZAKER\nsubtitle: new\n")
        .replace("comments: false", "comments: 'false'")
        .replace("date: Mon, 31 Jan 2022 20:18:20 GMT", "date: Invalid Date")
    )
    post = write(tmp_path / "drifted.md", changed)
    local = write(
        tmp_path / "local.md",
        text.replace("Mon, 31 Jan 2022 20:18:20 GMT", "2022-01-31 20:18:20+08:00"),
    )
    code, out, _ = invoke(
        "--format", "json", "--schema", str(schema), "--select", "FM5", str(post), str(local)
    )
    assert code == 1
    found = [(Path(f["path"]).name, f["code"], f["line"], f["column"]) for f in json.loads(out)]
    assert found == [
        ("drifted.md", "FM502", 10, 1),
        ("drifted.md", "FM503", 11, 11),
        ("drifted.md", "FM505", 12, 7),
        ("local.md", "FM505", 11, 7),  # a date the bot never writes: with an offset
    ]


def test_hand_made_posts(tmp_path: Path) -> None:
    for index, (tags, extra) in enumerate(
        [("[a, b]", "weight: 1\n"), ("[a]", "weight: 2.5\nmeta:\n  x: 1\n"), ("c", "")] * 2
    ):
        write(
            tmp_path / f"{index}.md",
            f"---\ntitle: t{index}\ndate: 2022-01-0{index + 1}\ntags: {tags}\n{extra}---\nbody\n",
        )
    write(tmp_path / "no-front-matter.md", "<p>only a body</p>\n")
    code, out, err = invoke("--infer-schema", str(tmp_path))
    assert code == 0
    assert err == "schema inferred from 6 posts (1 without front matter left out)\n"
    schema = json.loads(out)
    assert schema["required"] == ["title", "date", "tags"]
    props = schema["properties"]
    assert props["title"] == {"type": "string", "minLength": 1, "$comment": "in 6 of 6 posts"}
    assert props["date"] == {
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "format": "date",
        "$comment": "in 6 of 6 posts",
    }
    assert props["weight"] == {
        "type": "number",
        "enum": [1, 2.5],
        "$comment": "in 4 of 6 posts: 1 2, 2.5 2",
    }
    assert props["meta"]["required"] == ["x"] and props["meta"]["additionalProperties"] is False
    assert props["meta"]["properties"]["x"]["$comment"] == "in 2 of 2 mappings: 1 2"
    tags = props["tags"]
    assert tags["$comment"] == "in 6 of 6 posts: array 4, string 2"
    assert [branch["type"] for branch in tags["anyOf"]] == ["string", "array"]
    array = tags["anyOf"][1]
    assert (array["minItems"], array["maxItems"]) == (1, 2)
    assert [item["enum"] for item in array["items"]] == [["a"], ["b"]]


def test_unreadable_posts_are_reported_and_left_out(tmp_path: Path) -> None:
    write(tmp_path / "good.md", "---\ntitle: a\n---\n")
    write(tmp_path / "broken.md", "---\ntitle: [a\n---\n")
    write(tmp_path / "list.md", "---\n- a\n---\n")
    code, out, err = invoke("--infer-schema", str(tmp_path))
    assert code == 2
    assert json.loads(out)["required"] == ["title"]
    lines = err.splitlines()
    assert lines[-1] == "schema inferred from 1 post (2 that could not be read left out)"
    assert any(line.startswith(f"{tmp_path / 'broken.md'}:3:1: invalid YAML") for line in lines)
    assert f"{tmp_path / 'list.md'}:2: front matter is not key: value pairs" in lines


def test_nothing_to_infer_from(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "<p>no front matter</p>\n")
    code, out, err = invoke("--infer-schema", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == "articletool validate: no front matter to infer a schema from\n"


def test_a_configured_schema_not_yet_written_does_not_stop_inference(tmp_path: Path) -> None:
    write(tmp_path / "articletool.toml", '[validate]\nschema = "post.schema.json"\n')
    write(tmp_path / "a.md", "---\ntitle: a\n---\n")
    assert invoke(str(tmp_path / "a.md"))[0] == 2  # checking needs the file...
    assert infer(tmp_path / "a.md")["required"] == ["title"]  # ...inferring writes it


def test_infer_then_validate_in_real_processes(tmp_path: Path) -> None:
    posts = tmp_path / "source" / "_posts"
    shutil.copytree(CORPUS, posts)
    env = dict(os.environ, NO_COLOR="1")
    tool = [sys.executable, "-m", "articletool", "validate"]
    done = subprocess.run(
        [*tool, "--infer-schema", str(posts)], capture_output=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"schema inferred from 189 posts\n"
    (tmp_path / "post.schema.json").write_bytes(done.stdout)
    write(
        tmp_path / "articletool.toml", '[validate]\nschema = "post.schema.json"\nselect = ["FM5"]\n'
    )
    done = subprocess.run([*tool, str(posts)], capture_output=True, env=env, check=False)
    assert (done.returncode, done.stdout) == (0, b""), done.stdout
    write(posts / "new.md", "---\ntitle: x\ndate: 2022-01-01 10:00:00\n---\n")
    done = subprocess.run([*tool, str(posts)], capture_output=True, env=env, check=False)
    assert done.returncode == 1
    assert done.stdout.decode().count(" FM501 ") == 4  # categories, author, comments, thumbnail


def test_the_example_schema_is_the_corpus_schema(corpus_schema: dict[str, Any]) -> None:
    """examples/post.schema.json is what --infer-schema makes of the corpus
    (to remake it: articletool validate --infer-schema tests/data/corpus)."""
    example = Path(__file__).resolve().parent.parent / "examples" / "post.schema.json"
    assert json.loads(example.read_text(encoding="utf-8")) == corpus_schema


def test_schema_drift_through_the_pre_commit_hook(tmp_path: Path) -> None:
    """The README's workflow: infer, commit the schema and the setting, and
    the validate hook (run as pre-commit runs it) flags a post that leaves it."""
    blog = tmp_path / "blog"
    posts = blog / "source" / "_posts"
    shutil.copytree(CORPUS, posts)
    env = dict(os.environ, NO_COLOR="1")
    tool = str(Path(sys.executable).with_name("articletool"))
    inferred = subprocess.run(
        [tool, "validate", "--infer-schema", "source/_posts"],
        cwd=blog,
        capture_output=True,
        env=env,
        check=True,
    )
    (blog / "post.schema.json").write_bytes(inferred.stdout)
    write(blog / "pyproject.toml", '[tool.articletool.validate]\nschema = "post.schema.json"\n')
    manifest = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"
    hooks = {hook["id"]: hook for hook in yaml.safe_load(manifest.read_text(encoding="utf-8"))}
    entry = hooks["articletool-validate"]["entry"].split()
    assert entry[0] == "articletool"

    def hook(*names: str) -> subprocess.CompletedProcess[bytes]:
        argv = [tool, *entry[1:], *names]
        return subprocess.run(argv, cwd=blog, capture_output=True, env=env, check=False)

    every = sorted(p.relative_to(blog).as_posix() for p in posts.glob("*.md"))
    done = hook(*every)
    assert b" FM5" not in done.stdout and b"189 files checked" in done.stderr
    text = (posts / "zaker_1.md").read_text(encoding="utf-8")
    drifted = text.replace("date: Mon, 31 Jan 2022 20:18:20 GMT", "date: Invalid Date").replace(
        "author: ZAKER\n", "author: ZAKER\nwordcount: 1200\n"
    )
    write(posts / "zaker_new.md", drifted)
    done = hook("source/_posts/zaker_new.md")
    assert done.returncode == 1
    flagged = [line.split(" ")[1] for line in done.stdout.decode().splitlines() if " FM5" in line]
    assert flagged == ["FM502", "FM505"]


def test_the_ci_example_checks_the_schema_and_shows_the_drift() -> None:
    workflow = Path(__file__).resolve().parent.parent / "examples" / "github-actions.yml"
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["articletool"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    drift = "articletool validate --infer-schema source/_posts | diff -u post.schema.json - || true"
    assert drift in runs
    assert runs.index(drift) > runs.index("articletool validate --format github source/_posts")
    readme = (workflow.parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"      - run: {drift}\n" in readme
