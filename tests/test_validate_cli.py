"""`articletool validate` from the command line: exit codes, streams, formats, settings."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.validate import Finding, Severity
from articletool.validate.report import Tally, github_line, write_summary

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
DATA = Path(__file__).parent / "data" / "validate"
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>FM\d{3}) (?P<msg>.+)$")


@pytest.fixture(autouse=True)
def _no_project_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty folder with an empty articletool.toml."""
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def codes(out: str) -> list[str]:
    """The rule codes of text-format lines, in order; fails on a line of another shape."""
    found = []
    for line in out.splitlines():
        match = LINE.match(line)
        assert match is not None, line
        found.append(match["code"])
    return found


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["validate", *args], input=stdin)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_seed_text() -> None:
    code, out, err = invoke(str(SEED))
    assert code == 0
    lines = out.splitlines()
    assert codes(out) == ["FM302", "FM302"]  # FM003 is opt-in
    assert lines[0].startswith(f"{SEED}:8:10: FM302 warning: headimg")
    assert "1 file checked: no errors, 2 warnings" in err
    assert "FM302" not in err.split("\n")[-2]  # the last line is the total
    code, out, err = invoke("--select", "ALL", str(SEED))
    assert codes(out) == ["FM003", "FM302", "FM302"]
    assert out.splitlines()[0].startswith(f"{SEED}:1:1: FM003 warning: front matter starts")


@pytest.mark.parametrize(
    ("name", "code", "line", "column"),
    [
        ("bad_duplicate_key.md", "FM007", 10, 1),
        ("bad_number_title.md", "FM103", 3, 8),
        ("bad_date.md", "FM201", 11, 7),
    ],
)
def test_json_errors_exit_1_on_the_right_line(name: str, code: str, line: int, column: int) -> None:
    status, out, err = invoke("--format", "json", str(DATA / name))
    assert status == 1
    findings = json.loads(out)
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == [
        {
            "path": str(DATA / name),
            "line": line,
            "column": column,
            "code": code,
            "severity": "error",
            "message": errors[0]["message"],
        }
    ]
    assert err == ""  # no summary in json mode; stderr only for unreadable inputs


def test_json_empty_is_an_array() -> None:
    status, out, _ = invoke("--format", "json", "--ignore", "FM003,FM302", str(SEED))
    assert status == 0
    assert json.loads(out) == []


def test_stdin() -> None:
    data = (DATA / "bad_number_title.md").read_bytes()
    status, out, _ = invoke("--format", "json", "-", stdin=data)
    assert status == 1
    assert {(f["path"], f["code"]) for f in json.loads(out)} >= {("<stdin>", "FM103")}


def test_unreadable_inputs_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\x00\x00")
    status, out, err = invoke(str(tmp_path / "missing.md"), str(binary), str(SEED))
    assert status == 2
    assert f"{tmp_path / 'missing.md'}: no such file or folder" in err
    assert f"{binary}: binary file" in err
    assert "2 inputs could not be read" in err
    assert len(out.splitlines()) == 2  # the seed was still checked
    assert "Traceback" not in err


def test_input_error_beats_findings(tmp_path: Path) -> None:
    status, _, _ = invoke(str(DATA / "bad_date.md"), str(tmp_path / "missing.md"))
    assert status == 2


def test_too_large(tmp_path: Path) -> None:
    status, _, err = invoke("--max-bytes", "100", str(SEED))
    assert status == 2
    assert "--max-bytes" in err


def test_yaml_node_limit() -> None:
    status, out, _ = invoke("--max-yaml-nodes", "5", "--format", "json", str(SEED))
    assert status == 1
    assert [f["code"] for f in json.loads(out) if f["severity"] == "error"] == ["FM006"]


def test_strict_makes_warnings_fail() -> None:
    assert invoke("--strict", str(SEED))[0] == 1
    assert invoke("--strict", "--ignore", "FM003,FM302", str(SEED))[0] == 0


def test_select_and_ignore() -> None:
    _, out, _ = invoke("--select", "FM3", str(SEED))
    assert set(codes(out)) == {"FM302"}
    _, out, _ = invoke("--ignore", "fm0", str(SEED))
    assert "FM003" not in out and "FM302" in out


def test_unknown_rule_is_a_usage_error() -> None:
    status, out, err = invoke("--select", "XY1", str(SEED))
    assert status == 2
    assert out == ""
    assert "no rule code starts with 'XY1'" in err


def test_bad_format_is_a_usage_error() -> None:
    status, out, _ = invoke("--format", "xml", str(SEED))
    assert status == 2
    assert out == ""


def test_required_flag() -> None:
    status, out, _ = invoke("--required", "title,date,slug", str(DATA / "eventernote_1.md"))
    assert status == 1
    assert "FM101 error: required field 'slug' is missing" in out
    status, out, _ = invoke("--required", "", str(DATA / "eventernote_1.md"))
    assert status == 0


def test_settings_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "posts").mkdir(parents=True)
    shutil.copy(DATA / "eventernote_1.md", project / "posts")
    (project / "pyproject.toml").write_text(
        '[tool.articletool.validate]\nrequired = ["title", "date", "slug"]\n'
        'select = ["ALL"]\nignore = ["FM003"]\n'
    )
    monkeypatch.chdir(project / "posts")  # found by walking up
    status, out, _ = invoke("eventernote_1.md")
    assert status == 1
    assert out.splitlines() == [
        "eventernote_1.md:2:1: FM101 error: required field 'slug' is missing"
    ]
    status, out, _ = invoke("--required", "title", "eventernote_1.md")  # the flag wins
    assert (status, out) == (0, "")
    status, out, _ = invoke("--ignore", "", "eventernote_1.md")  # so does an empty one
    assert "FM003" in out


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ('required = "title"', "'required' must be a list of strings"),
        ("strict = 1", "'strict' must be true or false"),
        ("colour = true", "unknown key"),
        ('select = ["ZZ"]', "no rule code starts with 'ZZ'"),
    ],
)
def test_bad_settings(tmp_path: Path, table: str, fragment: str) -> None:
    (tmp_path / "articletool.toml").write_text(f"[validate]\n{table}\n")
    status, out, err = invoke(str(SEED))
    assert status == 2
    assert out == ""
    assert fragment in err
    assert "Traceback" not in err


def test_strict_from_settings_and_flag_override(tmp_path: Path) -> None:
    (tmp_path / "articletool.toml").write_text("[validate]\nstrict = true\n")
    assert invoke(str(SEED))[0] == 1
    assert invoke("--no-strict", str(SEED))[0] == 0


def test_github_format() -> None:
    status, out, err = invoke("--format", "github", str(DATA / "bad_number_title.md"))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"::error file={str(DATA / 'bad_number_title.md').replace(':', '%3A').replace(',', '%2C')}"
        ",line=3,col=8,title=FM103::title is the integer 2022, not text; quote it"
    )
    assert err == ""


def test_github_escaping() -> None:
    finding = Finding("a,b:c%.md", 2, 3, "FM005", Severity.ERROR, "50% bad:\r\nnext, line")
    assert github_line(finding) == (
        "::error file=a%2Cb%3Ac%25.md,line=2,col=3,title=FM005::50%25 bad:%0D%0Anext, line"
    )


def test_many_inputs_in_parallel_match_one_job(tmp_path: Path) -> None:
    for index in range(3):
        folder = tmp_path / f"copy{index}"
        shutil.copytree(DATA, folder)
    one = invoke("--jobs", "1", "--format", "json", "--select", "ALL", str(tmp_path))
    many = invoke("--jobs", "3", "--format", "json", "--select", "ALL", str(tmp_path))
    assert one == many
    assert one[0] == 1
    assert len({f["path"] for f in json.loads(one[1])}) == 33


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _summary() -> Tally:
    tally = Tally()
    tally.add([Finding("x.md", 1, 1, "FM103", Severity.ERROR, "[bold]title[/bold]")])
    return tally


def test_summary_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal, plain = _Terminal(), io.StringIO()
    write_summary(_summary(), terminal)
    write_summary(_summary(), plain)
    assert "\x1b[" in terminal.getvalue()
    assert "\x1b[" not in plain.getvalue()
    expected = "1 file checked: 1 error, 0 warnings in 1 file.\n"
    assert plain.getvalue().endswith(expected)
    assert plain.getvalue().startswith("  FM103  error        1  title-type: ")
    monkeypatch.setenv("NO_COLOR", "1")
    no_color = _Terminal()
    write_summary(_summary(), no_color)
    assert no_color.getvalue() == plain.getvalue()


def test_summary_reads_the_same_with_and_without_rich() -> None:
    terminal, plain = _Terminal(), io.StringIO()
    write_summary(_summary(), terminal)
    write_summary(_summary(), plain)
    assert re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue()) == plain.getvalue()


def test_brackets_in_text_stay_brackets(tmp_path: Path) -> None:
    post = tmp_path / "[red]post[bold].md"
    post.write_text("---\ntitle: 2022\ndate: 2022-01-01\n---\n")
    status, out, err = invoke(str(tmp_path))
    assert status == 1
    assert f"{post}:2:8: FM103" in out
    assert "1 file checked: 1 error" in err


def _script() -> list[str]:
    script = Path(sys.executable).with_name("articletool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "articletool"]


def test_real_process_on_seeds() -> None:
    proc = subprocess.run(
        [*_script(), "validate", "seeds/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        "seeds/000_7d40135e7ed69f29.txt:8:10: FM302 warning: headimg goes through the image "
        "proxy https://cors.zfour.workers.dev/?; 'articletool clean' unwraps it"
    )
    assert len(proc.stdout.splitlines()) == 2
    assert "1 file checked: no errors, 2 warnings in 1 file." in proc.stderr
    assert "\x1b[" not in proc.stderr


def test_validate_does_not_load_html_libraries() -> None:
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from articletool.cli.context import RunContext\n"
        "from articletool.cli.validate_command import run\n"
        "from articletool.validate.report import Format\n"
        "from articletool.validate import Settings\n"
        "settings = Settings(now=datetime.now(UTC))\n"
        f"code = run(RunContext(), [{str(SEED)!r}], settings, Format.JSON, False)\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(int(code), sorted(loaded & {'bs4', 'lxml', 'rich', 'html5lib'}), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stderr.strip() == "0 []"
    assert len(json.loads(proc.stdout)) == 2
