"""`articletool clean` and `articletool extract` from the command line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
GOLDEN = Path(__file__).parent / "golden" / "posts"
PROXY = "https://cors.zfour.workers.dev/?"
DIRTY = (
    f"---\ntitle: 'T'\nheadimg: '{PROXY}http://a/h.jpg'\n---\n\n<div>\n<p></p><p>text</p>\n</div>"
)
CLEAN = "---\ntitle: 'T'\nheadimg: 'http://a/h.jpg'\n---\n\n<div>\n<p>text</p>\n</div>"
TIDY = "---\ntitle: 'T'\n---\n\n<div><p>already clean</p></div>"


@pytest.fixture(autouse=True)
def _no_project_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    (root / "sub").mkdir(parents=True)
    (root / "dirty.md").write_text(DIRTY)
    (root / "sub" / "tidy.md").write_text(TIDY)
    return root


def test_one_input_goes_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(DIRTY)
    status, out, err = invoke("clean", "p.md")
    assert (status, out, err) == (0, CLEAN, "")
    assert (tmp_path / "p.md").read_text() == DIRTY


def test_stdin_to_stdout() -> None:
    status, out, _ = invoke("clean", "-", stdin=DIRTY.encode())
    assert (status, out) == (0, CLEAN)


def test_several_inputs_need_a_mode(tmp_path: Path) -> None:
    status, out, err = invoke("clean", str(tree(tmp_path)))
    assert status == 2 and out == ""
    assert "several inputs" in err


def test_check_lists_files_that_would_change(tmp_path: Path) -> None:
    root = tree(tmp_path)
    status, out, err = invoke("clean", "--check", str(root))
    assert status == 1
    assert out == f"{root / 'dirty.md'}\n"
    assert "1 file would be cleaned, 1 unchanged" in err
    assert (root / "dirty.md").read_text() == DIRTY
    status, out, _ = invoke("clean", "--check", str(root / "sub"))
    assert (status, out) == (0, "")


def test_diff_is_unified_and_writes_nothing(tmp_path: Path) -> None:
    root = tree(tmp_path)
    status, out, _ = invoke("clean", "--diff", str(root / "dirty.md"))
    assert status == 0
    assert out.startswith(f"--- {root / 'dirty.md'}\n+++ {root / 'dirty.md'}\n@@")
    assert f"-headimg: '{PROXY}http://a/h.jpg'\n+headimg: 'http://a/h.jpg'\n" in out
    assert (root / "dirty.md").read_text() == DIRTY


def test_explain_goes_to_stderr(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(DIRTY)
    status, out, err = invoke("clean", "--explain", "p.md")
    assert status == 0 and out == CLEAN
    assert err.splitlines() == [
        "p.md: proxies: front matter headimg",
        "p.md: empty-paragraphs: removed empty <p>",
    ]


def test_in_place_keeps_permissions_bytes_and_newlines(tmp_path: Path) -> None:
    root = tree(tmp_path)
    crlf = root / "crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf" + DIRTY.replace("\n", "\r\n").encode())
    os.chmod(crlf, 0o640)
    tidy_before = (root / "sub" / "tidy.md").stat()
    status, out, err = invoke("clean", "--in-place", str(root))
    assert status == 0 and out == ""
    assert "2 files cleaned, 1 unchanged" in err
    assert crlf.read_bytes() == b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o640
    assert (root / "dirty.md").read_text() == CLEAN
    tidy_after = (root / "sub" / "tidy.md").stat()
    assert tidy_after.st_mtime_ns == tidy_before.st_mtime_ns  # untouched, not rewritten
    assert sorted(p.name for p in root.rglob("*")) == ["crlf.md", "dirty.md", "sub", "tidy.md"]
    status, _, err = invoke("clean", "--in-place", str(root))
    assert status == 0 and "0 files cleaned, 3 unchanged" in err


def test_output_dir_mirrors_the_tree(tmp_path: Path) -> None:
    root = tree(tmp_path)
    out_dir = root / "out"  # inside the input: must not be cleaned itself
    status, _, err = invoke("clean", "-o", str(out_dir), str(root))
    assert status == 0, err
    assert (out_dir / "dirty.md").read_text() == CLEAN
    assert (out_dir / "sub" / "tidy.md").read_text() == TIDY
    assert (root / "dirty.md").read_text() == DIRTY
    status, _, err = invoke("clean", "-o", str(out_dir), str(root))
    assert status == 0 and not (out_dir / "out").exists()


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(DIRTY)
    status, out, err = invoke("clean", "-o", "p.md", "p.md")
    assert status == 2 and out == ""
    assert "exists and is not a folder" in err


def test_conflicting_modes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(DIRTY)
    assert invoke("clean", "--check", "--in-place", "p.md")[0] == 2
    assert invoke("clean", "--in-place", "-o", "out", "p.md")[0] == 2
    status, _, err = invoke("clean", "--select", "nope", "p.md")
    assert status == 2 and "unknown clean rule nope" in err


def test_bad_inputs_are_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "bad.md").write_text("---\ntitle: [x\n---\n<p></p>")
    (root / "binary.md").write_bytes(b"\x00\x01\x02")
    status, _, err = invoke("clean", "--in-place", str(root))
    assert status == 2
    lines = err.splitlines()
    assert any(
        line.startswith(f"{root / 'bad.md'}:3:") and "invalid YAML" in line for line in lines
    )
    assert any(line.startswith(f"{root / 'binary.md'}: binary file") for line in lines)
    assert (root / "dirty.md").read_text() == CLEAN
    assert (root / "bad.md").read_text() == "---\ntitle: [x\n---\n<p></p>"
    assert invoke("clean", "missing.md")[0] == 2


def test_settings_file_and_flags(tmp_path: Path) -> None:
    post = tmp_path / "p.md"
    post.write_text('<p><img src="https://p.example/?u=http://a/b.jpg"></p>')
    assert invoke("clean", "p.md")[1] == post.read_text()
    (tmp_path / "articletool.toml").write_text(
        '[clean]\nproxy-prefixes = ["https://p.example/?u="]\n'
    )
    assert invoke("clean", "p.md")[1] == '<p><img src="http://a/b.jpg"></p>'
    assert invoke("clean", "--upgrade-http", "p.md")[1] == '<p><img src="https://a/b.jpg"></p>'
    (tmp_path / "articletool.toml").write_text("[clean]\nbogus = 1\n")
    status, _, err = invoke("clean", "p.md")
    assert status == 2 and "bogus" in err


def test_list_rules() -> None:
    status, out, _ = invoke("clean", "--list-rules")
    assert status == 0
    assert out.splitlines()[0].startswith("scripts\t")
    assert "upgrade-http\t" in out and "(off by default)" in out


def test_extract_formats(tmp_path: Path) -> None:
    root = tree(tmp_path)
    status, out, _ = invoke("extract", "--format", "jsonl", str(root))
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in records] == [str(root / "dirty.md"), str(root / "sub" / "tidy.md")]
    status, out, _ = invoke("extract", "--format", "json", str(root))
    assert json.loads(out) == records
    status, out, _ = invoke("extract", "--format", "json", str(root / "dirty.md"))
    assert json.loads(out) == records[0]
    status, out, _ = invoke("extract", str(root / "dirty.md"))
    assert out == "text\n"
    status, out, _ = invoke("extract", str(root))
    assert (
        out == f"==> {root / 'dirty.md'} <==\ntext\n\n"
        f"==> {root / 'sub' / 'tidy.md'} <==\nalready clean\n\n"
    )


def test_extract_images_only() -> None:
    status, out, _ = invoke("extract", "--images-only", str(SEED))
    assert status == 0
    assert (
        out.splitlines()[0]
        == "http://zkres1.myzaker.com/202208/62fed8928e9f0973af7870e2_1024.jpg\t1620x1080\t"
    )
    status, out, _ = invoke("extract", "--images-only", "--format", "json", str(SEED))
    record = json.loads(out)
    assert list(record) == ["path", "images"] and len(record["images"]) == 3


def test_extract_reports_bad_input_and_goes_on(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "bad.md").write_text("---\ntitle: [x\n---\n<p>body</p>")
    status, out, err = invoke("extract", "--format", "jsonl", str(root))
    assert status == 2
    assert len(out.splitlines()) == 3
    assert f"{root / 'bad.md'}:3:1: invalid YAML" in err


def _script() -> list[str]:
    script = Path(sys.executable).with_name("articletool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "articletool"]


def test_real_process_cleans_a_copy_in_place(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(GOLDEN, work, ignore=shutil.ignore_patterns("*.clean", "*.json"))
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    first = subprocess.run(
        [*_script(), "clean", "-i", "-j", "2", str(work)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    for post in work.iterdir():
        assert post.read_bytes() == GOLDEN.joinpath(post.name + ".clean").read_bytes(), post.name
    second = subprocess.run(
        [*_script(), "clean", "--check", str(work)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (second.returncode, second.stdout) == (0, "")


def test_output_dir_that_is_the_input_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path)
    status, _, err = invoke("clean", "-o", str(root), str(root))
    assert status == 2 and "use --in-place" in err
    assert (root / "dirty.md").read_text() == DIRTY


def test_in_place_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text(DIRTY)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    status, _, _ = invoke("clean", "--in-place", str(link))
    assert status == 0
    assert link.is_symlink()
    assert target.read_text() == CLEAN


def test_workers_and_results_pickle(tmp_path: Path) -> None:
    """The workers run in other processes: job, work and outcome must pickle."""
    import pickle
    from functools import partial

    from articletool.cleaning.body import CleanSettings
    from articletool.cli.clean_command import Job, Mode, Outcome, clean_input
    from articletool.cli.extract_command import Job as ExtractJob
    from articletool.cli.extract_command import extract_input
    from articletool.run.files import Input

    post = tmp_path / "p.md"
    post.write_text("---\ntitle: [x\n---\n<p></p>")
    settings = CleanSettings(ignore=("styles",), extra_proxy_prefixes=("https://p.example/?",))
    work = pickle.loads(pickle.dumps(partial(clean_input, Job(settings, Mode.CHECK))))
    outcome = pickle.loads(pickle.dumps(work(Input(str(post), post, None))))
    assert isinstance(outcome, Outcome)
    assert outcome.error is not None and str(outcome.error).startswith(f"{post}:3:")
    extract = pickle.loads(pickle.dumps(partial(extract_input, ExtractJob(settings))))
    result = pickle.loads(pickle.dumps(extract(Input(str(post), post, None))))
    assert result.record is not None and result.record["front_matter"] is None
