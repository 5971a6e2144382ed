"""Hostile inputs through the real command line, over every command.

Each case is one bad file placed next to a good post in its own folder. For
every command the bad file gets at most one error line on stderr naming it
(and its line where there is one), the exit code is the documented one, the
good post is still processed, and no traceback appears. Inputs are bounded so
nothing can hang; where a hang is possible (a named pipe) a real process runs
under a timeout.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.run.files import display_path

GOOD = (
    "---\n"
    "title: Good post\n"
    "date: 2022-08-18 19:08:00\n"
    "headimg: https://cors.zfour.workers.dev/?http://img.example/head.jpg\n"
    "---\n"
    "<p></p><p>good text 好文</p>\n"
)
GOOD_TEXT = "good text 好文"
#: GOOD as ``clean`` leaves it: the proxy unwrapped, the empty paragraph gone.
CLEANED_GOOD = (
    "---\n"
    "title: Good post\n"
    "date: 2022-08-18 19:08:00\n"
    "headimg: http://img.example/head.jpg\n"
    "---\n"
    "<p>good text 好文</p>\n"
)
POST = "---\ntitle: {title}\ndate: 2022-08-18 19:08:00\n---\n{body}\n"


def _post(body: str, title: str = "Hostile") -> str:
    return POST.format(title=title, body=body)


def _billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "---\n" + "\n".join(lines) + "\n---\n<p>bomb</p>\n"


def _images(count: int) -> str:
    return "".join(
        f'<p><img src="https://cors.zfour.workers.dev/?http://a.example/{i}.jpg" '
        f'data-original="http://a.example/{i}.jpg" alt="{i}"></p>'
        for i in range(count)
    )


@dataclass(frozen=True)
class Case:
    """One hostile file. ``kind``: ``ok`` (processed), ``yaml`` (front matter
    refused: validate reports a finding, the others an error), ``refused``
    (no command reads it)."""

    name: str
    data: Callable[[], bytes]
    kind: str = "ok"
    #: What the error line says after ``path[:line[:col]]: ``.
    message: str = ""
    #: Whether the error names a line.
    line: bool = False
    filename: bytes = b"bad.md"
    #: Heavy cases run only through the commands marked ``heavy``.
    heavy: bool = False
    #: Text of the bad file that extract and convert must keep.
    keeps: str = ""


CASES: tuple[Case, ...] = (
    Case("empty", lambda: b""),
    Case("only-dashes", lambda: b"---"),
    Case("only-dashes-newline", lambda: b"---\n"),
    Case("unterminated", lambda: b"---\ntitle: x\n<p>body</p>\n"),
    Case(
        "invalid-yaml",
        lambda: b"---\ntitle: [x\ndate: 2022-01-01\n---\n<p>t</p>\n",
        "yaml",
        r"invalid YAML",
        line=True,
    ),
    Case(
        "invalid-yaml-tab",
        lambda: b"---\ntitle: a\n\tdate: b\n---\n<p>t</p>\n",
        "yaml",
        r"invalid YAML",
        line=True,
    ),
    Case(
        "bad-tag",
        lambda: b"---\ntitle: !!float x\n---\n<p>t</p>\n",
        "yaml",
        r"invalid YAML",
        line=True,
    ),
    Case(
        "bad-bool",
        lambda: b"---\ntitle: !!bool ~\n---\n<p>t</p>\n",
        "yaml",
        r"invalid YAML",
        line=True,
    ),
    Case(
        "python-tag",
        lambda: b"---\ntitle: !!python/object/apply:os.system ['true']\n---\n<p>t</p>\n",
        "yaml",
        r"invalid YAML",
        line=True,
    ),
    Case(
        "billion-laughs",
        lambda: _billion_laughs().encode(),
        "yaml",
        r"expands to more than \d+ YAML nodes.*--max-yaml-nodes",
        line=True,
    ),
    Case(
        "500000-yaml-keys",
        lambda: ("---\n" + "".join(f"k{i}: v\n" for i in range(500_000)) + "---\n").encode(),
        "yaml",
        r"expands to more than \d+ YAML nodes.*--max-yaml-nodes",
        line=True,
    ),
    Case(
        "1000000-item-list",
        lambda: ("---\nx: [" + "1," * 1_000_000 + "1]\n---\n<p>t</p>\n").encode(),
        "yaml",
        r"expands to more than \d+ YAML nodes.*--max-yaml-nodes",
        line=True,
    ),
    Case(
        "recursive-alias",
        lambda: b"---\na: &a [*a]\n---\n<p>t</p>\n",
        "yaml",
        r"recursive YAML alias",
    ),
    Case(
        "deep-yaml",
        lambda: ("---\nt: " + "[" * 5000 + "]" * 5000 + "\n---\n<p>t</p>\n").encode(),
        "yaml",
        r"nested too deeply|invalid YAML|YAML nodes",
        line=True,
    ),
    Case(
        "html-20000-deep",
        lambda: _post("<div>" * 20_000 + "deep" + "</div>" * 20_000).encode(),
        "refused",
        r"nested more than \d+ levels",
    ),
    Case(
        "html-600-deep",
        lambda: _post("<span>" * 600 + "deep" + "</span>" * 600).encode(),
        "refused",
        r"nested more than \d+ levels",
    ),
    Case(
        "html-513-deep-unclosed",
        lambda: _post("<span>" * 513 + "deep").encode(),
        "refused",
        r"nested more than \d+ levels",
    ),
    Case(
        "html-400-deep",
        lambda: _post("<span>" * 400 + "deep" + "</span>" * 400).encode(),
        keeps="deep",
    ),
    Case(
        "50-MB",
        lambda: _post("<p>" + "x" * 100 + "</p>\n").encode() * (50 * 1024 * 1024 // 150),
        "refused",
        r"larger than the [\d,]+-byte limit.*--max-bytes",
        heavy=True,
    ),
    Case(
        "5-MB-line",
        lambda: _post("<p>" + "長" * 1_700_000 + "</p>").encode(),
        heavy=True,
        keeps="長" * 1000,
    ),
    Case("20000-images", lambda: _post(_images(20_000)).encode(), heavy=True),
    Case(
        "100000-attributes",
        lambda: _post("<p " + " ".join(f"a{i}=x" for i in range(100_000)) + ">t</p>").encode(),
        "refused",
        r"more than \d+ attributes",
    ),
    Case(
        "200-attributes",
        lambda: _post("<p " + " ".join(f"a{i}" for i in range(200)) + ">kept</p>").encode(),
        keeps="kept",
    ),
    Case(
        "257-attributes",
        lambda: _post("<p " + " ".join(f"a{i}" for i in range(257)) + ">t</p>").encode(),
        "refused",
        r"more than 256 attributes",
    ),
    Case(
        "long-tag-few-attributes",
        lambda: _post('<p title="' + "x" * 5000 + '">kept</p>').encode(),
        keeps="kept",
    ),
    Case(
        "srcset-100000-commas",
        lambda: _post('<img src="a.jpg" srcset="' + "a," * 100_000 + '"><p>kept</p>').encode(),
        keeps="kept",
    ),
    Case(
        "lazy-srcset-100000-commas",
        lambda: _post('<img data-srcset="' + "a," * 100_000 + '"><p>kept</p>').encode(),
        keeps="kept",
    ),
    Case("binary", lambda: bytes(range(256)) * 64, "refused", r"binary file"),
    Case(
        "random-bytes",
        lambda: bytes(random.Random(3).choices(range(1, 256), k=3000)),
        "refused",
        r"not text in UTF-8 or any recognised encoding",
    ),
    Case(
        "newline-in-name",
        lambda: b"\x00binary",
        "refused",
        r"binary file",
        filename=b"bad\nname.md",
    ),
    Case(
        "tab-in-name",
        lambda: _post("<p>tabbed name</p>").encode(),
        filename=b"bad\tname.md",
        keeps="tabbed name",
    ),
    Case("png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "refused", "binary"),
    Case("nul-byte", lambda: _post("<p>a\x00b</p>").encode(), "refused", r"NUL"),
    Case("invalid-utf8", lambda: b"---\ntitle: \xff\xfe\xfd\x80\x81\n---\n<p>\xc3\x28</p>\n"),
    Case("utf-16-bom", lambda: _post("<p>你好 UTF-16</p>", "标题").encode("utf-16"), keeps="你好"),
    Case("utf-16-be-bom", lambda: b"\xfe\xff" + _post("<p>big end</p>").encode("utf-16-be")),
    Case(
        "utf-16-odd-length",
        lambda: "---\n".encode("utf-16") + b"\x00",
        "refused",
        r"invalid utf-16",
    ),
    Case("utf-8-bom", lambda: b"\xef\xbb\xbf" + _post("<p>bom</p>").encode()),
    Case(
        "gbk",
        lambda: _post("<p>这是一篇用GBK编码的中文文章，没有声明编码。</p>", "中文标题").encode(
            "gbk"
        ),
        keeps="这是一篇用GBK编码的中文文章",
    ),
    Case(
        "gb18030",
        lambda: _post("<p>这是GB18030编码的文章€𠀀，没有声明编码。</p>", "标题𠀀").encode(
            "gb18030"
        ),
        keeps="这是GB18030编码的文章€𠀀",
    ),
    Case("crlf", lambda: _post("<p></p><p>windows</p>").replace("\n", "\r\n").encode()),
    Case("lone-cr", lambda: _post("<p></p><p>old mac</p>").replace("\n", "\r").encode()),
    Case("mixed-newlines", lambda: b"---\r\ntitle: m\n---\r<p></p><p>mixed</p>\r\n"),
    Case(
        "unclosed-tags",
        lambda: _post("<p>a<b>bold<i>it<div><table><tr><td>x<ul><li>yz").encode(),
        keeps="yz",
    ),
    Case(
        "stray-end-tags",
        lambda: _post("<p>a</p></html><p>after html</p></body>tail").encode(),
        keeps="after html",
    ),
    Case("full-document", lambda: _post("<html><head><title>t</title></head></html>").encode()),
    Case("doctype-only", lambda: _post("<!DOCTYPE html>").encode()),
    Case("control-chars", lambda: _post("<p>a\x01\x02\x1b[31mred\x7f</p>").encode()),
    Case(
        "control-chars-before-tags",
        lambda: _post("\x1b[1mbold\x1b[0m <p>after the escape</p>").encode(),
        keeps="after the escape",
    ),
    Case("lone-surrogate-escape", lambda: _post("<p>&#xD800; &#0; &#x110000;</p>").encode()),
    Case(
        "not-utf8-name",
        lambda: _post("<p>odd name</p>").encode(),
        filename=b"bad\xff\xfe.md",
        keeps="odd name",
    ),
)

Run = tuple[int, str, str]


def invoke(args: list[str]) -> Run:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: exception escaped: {result.exception!r}")
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def cases_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for case in CASES:
        folder = root / case.name
        folder.mkdir()
        (folder / "good.md").write_text(GOOD, encoding="utf-8")
        (Path(os.fsdecode(folder)) / os.fsdecode(case.filename)).write_bytes(case.data())
    return root


@pytest.fixture(autouse=True)
def _empty_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)


def _bad_path(folder: Path, case: Case) -> Path:
    return folder / os.fsdecode(case.filename)


def _error_lines(err: str, shown: str) -> list[str]:
    return [line for line in err.splitlines() if shown in line]


def _assert_error(err: str, shown: str, case: Case) -> None:
    lines = _error_lines(err, shown)
    assert len(lines) == 1, err
    where = re.escape(shown) + (r":\d+(?::\d+)?" if case.line else r"(?::\d+(?::\d+)?)?")
    assert re.fullmatch(rf"{where}: .*(?:{case.message}).*", lines[0]), lines[0]


def _assert_run(code: int, err: str, shown: str, case: Case, ok_code: int) -> None:
    if case.kind in ("refused", "yaml"):
        assert code == 2, err
        _assert_error(err, shown, case)
    else:
        assert code == ok_code, err
        assert not _error_lines(err, shown), err


#: The command lines run over each case (``{dir}`` the case folder, ``{bad}``
#: the bad file, ``{out}`` a fresh output folder); ``heavy`` ones also run the
#: heavy cases.
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "validate": (["validate", "-j", "1", "{dir}"], True),
    "clean-stdout": (["clean", "{bad}"], True),
    "clean-check": (["clean", "--check", "-j", "1", "{dir}"], False),
    "clean-in-place": (["clean", "--in-place", "-j", "1", "{dir}"], False),
    "clean-output": (["clean", "-o", "{out}", "{dir}"], False),
    "extract-jsonl": (["extract", "--format", "jsonl", "{dir}"], True),
    "convert-md": (["convert", "--to", "md", "-o", "{out}", "{dir}"], True),
    "convert-json": (["convert", "--to", "json", "{dir}"], False),
}


def _params() -> list[object]:
    return [
        pytest.param(case, command, id=f"{case.name}-{command}")
        for case in CASES
        for command, (_, heavy) in COMMANDS.items()
        if heavy or not case.heavy
    ]


@pytest.mark.parametrize(("case", "command"), _params())
def test_hostile_input(cases_root: Path, tmp_path: Path, case: Case, command: str) -> None:
    folder = cases_root / case.name
    if command == "clean-in-place":
        folder = tmp_path / "work"
        shutil.copytree(cases_root / case.name, folder)
    bad = _bad_path(folder, case)
    shown = display_path(bad)
    before = bad.read_bytes()
    out = tmp_path / "out"
    args = [a.format(dir=folder, bad=bad, out=out) for a in COMMANDS[command][0]]
    code, stdout, err = invoke(args)
    assert "Traceback" not in err + stdout
    if command == "validate":
        _check_validate(code, stdout, err, shown, case)
        return
    # clean --check exits 1 because the good post would change.
    _assert_run(code, err, shown, case, ok_code=1 if command == "clean-check" else 0)
    # Nothing else reaches stderr: every line names a file, but for clean's summary.
    stray = [line for line in err.splitlines() if not line.startswith(str(folder))]
    assert stray == [] or (command.startswith("clean") and stray == err.splitlines()[-1:]), err
    good = folder / "good.md"
    if command == "clean-check":
        assert f"{good}\n" in stdout
    elif command == "clean-in-place":
        assert "<p></p>" not in good.read_text(encoding="utf-8")
        if code != 0:
            assert bad.read_bytes() == before  # a refused file is never touched
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    elif command == "clean-output":
        assert (out / "good.md").read_text(encoding="utf-8").count(GOOD_TEXT) == 1
        assert (out / os.fsdecode(case.filename)).exists() == (code == 0)
    elif command == "convert-md":
        assert GOOD_TEXT in (out / "good.md").read_text(encoding="utf-8")
    elif command in ("extract-jsonl", "convert-json"):
        records = [json.loads(line) for line in stdout.splitlines()]
        assert any(r["path"] == str(good) and GOOD_TEXT in r["text"] for r in records)
        if case.keeps:
            (record,) = [r for r in records if r["path"] == shown]
            assert case.keeps in record["text"]
    assert bad.read_bytes() == before or command == "clean-in-place"


def _check_validate(code: int, out: str, err: str, shown: str, case: Case) -> None:
    # The good post has a warning (a proxied headimg): seeing it proves it was checked.
    assert re.search(r"good\.md:\d+:\d+: FM302 ", out), out
    # validate reads no HTML: a body the parser refuses is no error there.
    if case.kind == "refused" and not re.search("nested|attributes", case.message):
        assert code == 2, err
        _assert_error(err, shown, case)
    elif case.kind == "yaml":
        assert code == 1
        (line,) = [x for x in out.splitlines() if x.startswith(shown + ":")][:1]
        assert re.match(re.escape(shown) + r":\d+:\d+: FM00[56] ", line), line
    else:
        assert code in (0, 1), err
        assert not _error_lines(err, shown), err


# --- what clean keeps ---------------------------------------------------------

ENCODED = {
    "crlf": ("utf-8", "\r\n", b""),
    "lone-cr": ("utf-8", "\r", b""),
    "gbk": ("gb18030", "\n", b""),
    "gb18030": ("gb18030", "\n", b""),
    "utf-16": ("utf-16-le", "\r\n", b"\xff\xfe"),
    "utf-8-bom": ("utf-8", "\n", b"\xef\xbb\xbf"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_clean_keeps_encoding_bom_and_newlines(tmp_path: Path, name: str) -> None:
    encoding, newline, bom = ENCODED[name]
    text = _post("<p></p><p>中文 text</p>\n<p>second</p>", "标题")
    path = tmp_path / "post.md"
    path.write_bytes(bom + text.replace("\n", newline).encode(encoding))
    code, _, err = invoke(["clean", "--in-place", str(path)])
    assert code == 0, err
    data = path.read_bytes()
    assert data.startswith(bom)
    new = data[len(bom) :].decode(encoding)
    assert "<p></p>" not in new
    assert new == text.replace("<p></p>", "").replace("\n", newline)


# --- output folders -----------------------------------------------------------


@pytest.mark.parametrize("command", [["clean"], ["convert", "--to", "md"]])
def test_output_pointing_at_a_file_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    target = tmp_path / "out.md"
    target.write_text("keep me")
    code, out, err = invoke([*command, "-o", str(target), str(tmp_path / "good.md")])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "exists and is not a folder" in err, err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("command", [["clean"], ["convert", "--to", "md"]])
def test_output_folder_inside_the_input_is_not_read_back(
    tmp_path: Path, command: list[str]
) -> None:
    tree = tmp_path / "posts"
    (tree / "sub").mkdir(parents=True)
    (tree / "good.md").write_text(GOOD, encoding="utf-8")
    (tree / "sub" / "two.md").write_text(GOOD, encoding="utf-8")
    before = {p: p.read_bytes() for p in tree.rglob("*.md")}
    for _ in range(2):
        code, _, err = invoke([*command, "-o", str(tree / "out"), str(tree)])
        assert code == 0, err
    written = sorted(p.relative_to(tree / "out").as_posix() for p in (tree / "out").rglob("*.md"))
    assert written == ["good.md", "sub/two.md"]
    assert {p: p.read_bytes() for p in before} == before


# --- folders that fight back --------------------------------------------------


def test_symlink_loops_end_and_each_post_is_read_once(tmp_path: Path) -> None:
    tree = tmp_path / "posts"
    (tree / "a").mkdir(parents=True)
    (tree / "good.md").write_text(GOOD, encoding="utf-8")
    (tree / "a" / "loop").symlink_to("..")
    (tree / "a" / "self").symlink_to("self")
    (tree / "a" / "other").symlink_to(tree / "a")
    (tree / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    code, out, err = invoke(["extract", "--format", "jsonl", str(tree)])
    assert "Traceback" not in err
    texts = [json.loads(line)["text"] for line in out.splitlines()]
    assert texts == [GOOD_TEXT]
    assert code in (0, 2)


def _unprivileged() -> list[str] | None:
    """A prefix that runs a command without the power to read any file."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    probe = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "true"]
    if subprocess.run(probe, capture_output=True, timeout=30).returncode != 0:
        return None
    return probe[:-1]


ARTICLETOOL = [sys.executable, "-m", "articletool"]


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["clean", "--check"],
        ["clean", "--in-place"],
        ["extract", "--format", "jsonl"],
        ["convert", "--to", "json"],
    ],
)
def test_unreadable_file(tmp_path: Path, command: list[str]) -> None:
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root without setpriv: file permissions do not stop reads")
    tree = tmp_path / "posts"
    tree.mkdir()
    (tree / "good.md").write_text(GOOD, encoding="utf-8")
    secret = tree / "secret.md"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    run = subprocess.run(
        [*prefix, *ARTICLETOOL, *command, "-j", "1", str(tree)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    (line,) = _error_lines(run.stderr, str(secret))
    assert line == f"{secret}: cannot read: Permission denied"
    # The readable post beside it is still processed, each command its way.
    good = tree / "good.md"
    if command == ["clean", "--in-place"]:
        assert good.read_text(encoding="utf-8") == CLEANED_GOOD
    else:  # a finding (validate), its name (clean --check), its record (extract, convert)
        assert str(good) in run.stdout, run.stdout
        assert good.read_text(encoding="utf-8") == GOOD
    secret.chmod(0o644)
    assert secret.read_text(encoding="utf-8") == GOOD


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", ["validate", "clean", "extract", "convert"])
def test_named_pipe_is_refused_without_waiting(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    run = subprocess.run(
        [*ARTICLETOOL, command, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == f"{fifo}: not a regular file"


# --- standard input, as bytes ---------------------------------------------------


def test_stdin_bytes_in_gbk_come_back_in_gbk(tmp_path: Path) -> None:
    text = _post("<p></p><p>标准输入的中文</p>", "中文")
    run = subprocess.run(
        [*ARTICLETOOL, "clean", "-"],
        input=text.replace("\n", "\r\n").encode("gbk"),
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    expected = text.replace("<p></p>", "").replace("\n", "\r\n").encode("gbk")
    assert run.stdout == expected


@pytest.mark.parametrize("command", ["validate", "clean", "extract", "convert"])
def test_binary_stdin_is_one_error_line(tmp_path: Path, command: str) -> None:
    run = subprocess.run(
        [*ARTICLETOOL, command, "-"],
        input=bytes(range(256)) * 16,
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 2
    assert run.stdout == b""
    assert run.stderr.splitlines()[0] == b"<stdin>: binary file (NUL byte), not a text post"


# --- limits ---------------------------------------------------------------------

LIMITED = {
    "validate": ["validate"],
    "clean": ["clean", "--check"],
    "extract": ["extract", "--format", "jsonl"],
    "convert-md": ["convert", "--to", "md"],
    "convert-json": ["convert", "--to", "json"],
}


@pytest.mark.parametrize("command", sorted(LIMITED))
def test_max_bytes_on_every_command(tmp_path: Path, command: str) -> None:
    path = tmp_path / "post.md"
    path.write_text(GOOD, encoding="utf-8")
    size = path.stat().st_size
    code, _, err = invoke([*LIMITED[command], "--max-bytes", str(size - 1), str(path)])
    assert code == 2
    (line,) = _error_lines(err, str(path))
    assert line == (f"{path}: larger than the {size - 1:,}-byte limit; raise it with --max-bytes")
    code, _, err = invoke([*LIMITED[command], "--max-bytes", str(size), str(path)])
    assert code in (0, 1) and not _error_lines(err, str(path)), err


@pytest.mark.parametrize("command", sorted(LIMITED))
def test_max_yaml_nodes_on_every_command(tmp_path: Path, command: str) -> None:
    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: t\ndate: 2022-01-01\nx: &x [1, 2, 3, 4]\ny: [*x, *x, *x, *x]\n---\n<p>t</p>\n",
        encoding="utf-8",
    )
    code, out, err = invoke([*LIMITED[command], "--max-yaml-nodes", "20", str(path)])
    message = "front matter expands to more than 20 YAML nodes"
    if command == "validate":
        assert code == 1
        assert re.match(rf"{re.escape(str(path))}:2:1: FM006 .*20", out), out
    else:
        assert code == 2
        (line,) = _error_lines(err, str(path))
        assert line.startswith(f"{path}:2: {message}"), line
        assert "--max-yaml-nodes" in line
    code, out, err = invoke([*LIMITED[command], "--max-yaml-nodes", "100", str(path)])
    assert code in (0, 1) and "YAML nodes" not in out + err, out + err


def test_a_leading_rule_is_not_read_back_as_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text("<hr>\n<p>kept</p>\n<hr>\n", encoding="utf-8")
    code, out, err = invoke(["convert", "--to", "md", str(path)])
    assert code == 0, err
    assert not out.startswith("---")
    assert "kept" in out


@pytest.mark.parametrize("command", ["validate", "clean", "extract", "convert"])
def test_undecodable_bytes_are_one_line_in_a_real_process(tmp_path: Path, command: str) -> None:
    """No library message reaches stderr (pytest captures logging; a process does not)."""
    path = tmp_path / "noise.md"
    path.write_bytes(bytes(random.Random(3).choices(range(1, 256), k=3000)))
    run = subprocess.run(
        [*ARTICLETOOL, command, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert lines[0] == f"{path}: not text in UTF-8 or any recognised encoding"
    assert len(lines) == 1 or (command == "validate" and len(lines) == 2), run.stderr
