"""Pipelines: extract's JSON Lines back into convert and clean, stdin, file lists."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.errors import InputError
from articletool.post.decode import Decoded
from articletool.post.load import parse_text
from articletool.post.records import Record, post_text, read_records, source_fields

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
GOLDEN = REPO / "tests" / "golden" / "posts"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def jq_compact(stream: bytes) -> bytes:
    """What ``jq -c .`` does to JSON Lines: parse each record and write it compactly."""
    lines = [json.loads(line) for line in stream.splitlines() if line.strip()]
    dumped = (json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in lines)
    return "".join(d + "\n" for d in dumped).encode("utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    """The seed and the golden corpus posts, one in a subfolder."""
    folder = tmp_path / "posts"
    (folder / "more").mkdir(parents=True)
    for post in GOLDEN.glob("*.md"):
        shutil.copyfile(post, folder / post.name)
    shutil.copyfile(SEEDS / "000_7d40135e7ed69f29.txt", folder / "more" / "seed.txt")
    return folder


def test_extract_jq_convert_gives_the_same_markdown_as_convert(posts: Path, tmp_path: Path) -> None:
    code, records, err = run("extract", "--format", "jsonl", str(posts))
    assert code == 0, err
    out, direct = tmp_path / "out", tmp_path / "out2"
    code, stdout, err = run(
        "convert", "--from", "jsonl", "--to", "md", "-o", str(out), stdin=jq_compact(records)
    )
    assert code == 0 and stdout == b"", err
    code, _, err = run("convert", "--to", "md", "-o", str(direct), str(posts))
    assert code == 0, err
    produced = tree(out)
    assert produced == tree(direct)
    assert "more/seed.md" in produced and len(produced) == len(list(GOLDEN.glob("*.md"))) + 1


def test_the_same_through_a_file_and_to_json(posts: Path, tmp_path: Path) -> None:
    code, records, _ = run("extract", "--format", "jsonl", str(posts))
    stream = tmp_path / "records.jsonl"
    stream.write_bytes(records)
    code, from_records, _ = run("convert", "--from", "jsonl", "--to", "json", str(stream))
    assert code == 0
    code, direct, _ = run("convert", "--to", "json", str(posts))
    rows = [json.loads(line) for line in from_records.splitlines()]
    expected = [json.loads(line) for line in direct.splitlines()]
    assert [r["markdown"] for r in rows] == [r["markdown"] for r in expected]
    assert [r["path"] for r in rows] == [r["path"] for r in expected]


def test_extract_clean_gives_the_same_posts_as_clean(posts: Path, tmp_path: Path) -> None:
    _, records, _ = run("extract", "--format", "jsonl", str(posts))
    code, _, err = run("clean", "--from", "jsonl", "-o", str(tmp_path / "a"), stdin=records)
    assert code == 0, err
    code, _, _ = run("clean", "-o", str(tmp_path / "b"), str(posts))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    code, listed, _ = run("clean", "--from", "jsonl", "--check", stdin=records)
    assert code == 1 and str(posts).encode() in listed
    code, _, err = run("clean", "--from", "jsonl", "--in-place", stdin=records)
    assert code == 2 and "in place" in err


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_with_real_jq_in_a_shell(posts: Path, tmp_path: Path) -> None:
    tool = shlex.quote(str(Path(sys.executable).with_name("articletool")))
    out, direct = tmp_path / "out", tmp_path / "out2"
    script = (
        f"{tool} extract --format jsonl {shlex.quote(str(posts))} | jq -c . "
        f"| {tool} convert --from jsonl --to md -o {shlex.quote(str(out))} && "
        f"{tool} convert --to md -o {shlex.quote(str(direct))} {shlex.quote(str(posts))}"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert tree(out) == tree(direct) and tree(out)


def test_a_record_edited_in_the_pipe(posts: Path) -> None:
    _, records, _ = run("extract", "--format", "jsonl", str(posts / "more" / "seed.txt"))
    record = json.loads(records)
    record["body_html"] = "<p>Hello <b>there</b></p>\n"
    code, out, _ = run("convert", "--from", "jsonl", stdin=json.dumps(record).encode())
    assert code == 0 and out.decode().endswith("---\n\nHello **there**\n")
    made = {"path": "new.md", "front_matter": {"title": "新", "tags": ["a"]}, "body": "<p>x</p>"}
    code, out, _ = run("convert", "--from", "jsonl", stdin=json.dumps(made).encode())
    assert code == 0 and out.decode() == "---\ntitle: 新\ntags:\n- a\n---\n\nx\n"


def test_bad_records_are_reported_and_the_rest_converted(tmp_path: Path) -> None:
    good = {"path": "a.md", "front_matter_text": "---\ntitle: a\n---\n", "body_html": "<p>a</p>"}
    lines = [
        json.dumps(good),
        "not json",
        "[1, 2]",
        json.dumps({"path": "b.md", "images": []}),
        json.dumps({**good, "relative": "../escape.md"}),
        json.dumps(good),
    ]
    code, _, err = run(
        "convert", "--from", "jsonl", "-o", str(tmp_path / "o"), stdin="\n".join(lines).encode()
    )
    assert code == 2
    errors = err.splitlines()
    assert errors[0].startswith("<stdin>:2:1: not a JSON record")
    assert errors[1] == "<stdin>:3: a record must be a JSON object"
    assert errors[2].startswith("<stdin>:4: record has no 'body_html'")
    assert errors[3].startswith("<stdin>:5: record 'relative' path '../escape.md' leaves")
    assert errors[4] == "a.md: a second record for a.md"
    assert tree(tmp_path / "o") == {"a.md": b"---\ntitle: a\n---\n\na\n"}
    assert not (tmp_path / "escape.md").exists()


def test_files_from_newlines_nul_and_stdin(posts: Path, tmp_path: Path) -> None:
    names = sorted(str(p) for p in posts.rglob("*") if p.is_file())
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(names) + "\n")
    code, _, err = run("validate", "--files-from", str(listing))
    assert code == 0 and f"{len(names)} files checked" in err
    code, _, err = run(
        "validate", "--files-from", "-", "-0", stdin="\0".join(names).encode() + b"\0"
    )
    assert code == 0 and f"{len(names)} files checked" in err
    code, _, err = run("validate", "--files-from", str(listing), str(posts / "more"))
    assert code == 0 and f"{len(names) + 1} files checked" in err
    code, _, err = run("validate", "-0", str(posts))
    assert code == 2 and "--files-from" in err
    code, _, err = run("validate", "--files-from", "-", "-", stdin=b"")
    assert code == 2 and "only once" in err
    code, _, err = run("validate", "--files-from", str(tmp_path / "missing"))
    assert code == 2 and "cannot read" in err
    code, _, err = run("validate")
    assert code == 2 and "no PATH given" in err


@pytest.mark.skipif(shutil.which("find") is None, reason="needs find")
def test_find_print0_in_a_real_process(posts: Path) -> None:
    tool = shlex.quote(str(Path(sys.executable).with_name("articletool")))
    find = f"find {shlex.quote(str(posts))} -name '*.md' -print0"
    script = f"{find} | {tool} extract -f jsonl --files-from - -0"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(list(posts.glob("*.md")))


@pytest.mark.parametrize("command", ["validate", "clean", "extract", "convert"])
def test_dash_is_stdin_everywhere(command: str) -> None:
    data = (SEEDS / "000_7d40135e7ed69f29.txt").read_bytes()
    code, out, err = run(command, "-", stdin=data)
    assert code == 0, err
    assert out


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["---", "...", "", " ", "title: x", "a: [b", "<p>x</p>", "---  "]),
            st.text(st.characters(blacklist_characters="\r\x00", blacklist_categories=("Cs",))),
        ),
        max_size=8,
    )
)
def test_source_fields_rebuild_any_post(lines: list[str]) -> None:
    text = "\n".join(lines)
    post = parse_text(Decoded(text), "p.md")
    fields = source_fields(post, Path("dir/p.md"))
    assert fields["relative"] == "dir/p.md"
    assert post_text(fields, "p.md") == text
    [record] = read_records(json.dumps({"path": "p.md", **fields}).encode(), "<stdin>")
    assert isinstance(record, Record) and record.text == text


def test_read_records_skips_blank_lines_and_names_lines() -> None:
    data = b'\n{"path": "x/a.md", "body_html": "<p>a</p>"}\r\n\n{"path": 3}\n'
    first, second = read_records(data, "r.jsonl")
    assert isinstance(first, Record) and str(first.relative) == "a.md"
    assert isinstance(second, InputError) and second.line == 4
