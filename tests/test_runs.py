"""Runs that never lose, overwrite or silently skip a post: what counts as an
input, where outputs go, and how a run ends, through the real command line."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app

REPO = Path(__file__).resolve().parent.parent
POSTS = sorted((REPO / "tests" / "golden" / "posts").glob("*.md"))
COMMANDS = ("validate", "clean", "extract", "convert")


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def script() -> str:
    beside = Path(sys.executable).with_name("articletool")
    found = str(beside) if beside.exists() else shutil.which("articletool")
    assert found, "articletool is not installed"
    return found


def same_names(root: Path, folders: tuple[str, ...] = ("a", "b"), count: int = 6) -> list[str]:
    """``folders`` below ``root``, each holding ``count`` real posts under the
    same names (each folder a different post under each name)."""
    names = [f"post-{n}.md" for n in range(count)]
    for shift, folder in enumerate(folders):
        (root / folder).mkdir(parents=True)
        for n, name in enumerate(names):
            shutil.copy(POSTS[(n + shift * count) % len(POSTS)], root / folder / name)
    return names


def files_below(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- 1. -o DIR never overwrites same-named posts --------------------------------


def test_convert_o_dir_keeps_same_named_posts_of_two_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = same_names(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("convert", "--to", "md", "-o", "out", "a/", "b/", "-j", "1")
    assert (code, out, err) == (0, "", "")
    written = files_below(tmp_path / "out")
    assert sorted(written) == sorted(f"{f}/{n}" for f in "ab" for n in names)
    assert written["a/post-0.md"] != written["b/post-0.md"]
    # One folder is mirrored below itself, as before.
    assert run("convert", "-o", "one", "a/")[0] == 0
    assert sorted(files_below(tmp_path / "one")) == sorted(names)


def test_clean_o_dir_keeps_same_named_posts_of_two_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = same_names(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("clean", "-o", "out", "a", "b")
    assert code == 0, err
    written = files_below(tmp_path / "out")
    assert sorted(written) == sorted(f"{f}/{n}" for f in "ab" for n in names)
    assert written["a/post-1.md"] != written["b/post-1.md"]


def test_files_from_print0_mirrors_the_tree_below_the_common_folder(tmp_path: Path) -> None:
    names = same_names(tmp_path / "source", ("x", "y", "z"), count=9)  # 27 posts, 9 names
    listed = sorted(str(p) for p in (tmp_path / "source").rglob("*.md"))
    done = subprocess.run(
        [script(), "convert", "--files-from", "-", "-0", "-o", "out/", "-j", "2"],
        input=b"".join(os.fsencode(p) + b"\0" for p in listed),
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = files_below(tmp_path / "out")
    assert len(written) == 27
    assert sorted(written) == sorted(f"{f}/{n}" for f in "xyz" for n in names)


def test_two_inputs_for_one_output_are_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "posts").mkdir()
    shutil.copy(POSTS[0], tmp_path / "posts" / "a.md")
    shutil.copy(POSTS[1], tmp_path / "posts" / "a.txt")
    shutil.copy(POSTS[2], tmp_path / "posts" / "b.md")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("convert", "-o", "out", "posts")
    assert code == 2 and out == ""
    assert err == (
        "articletool convert: -o out: posts/a.md and posts/a.txt would both be "
        "written to out/a.md\n"
    )
    assert not (tmp_path / "out").exists() or files_below(tmp_path / "out") == {}
    # clean keeps suffixes, but a file named twice is refused too.
    code, _, err = run("clean", "-o", "out", "posts/b.md", "posts/b.md")
    assert code == 2 and "posts/b.md and posts/b.md would both be written to out/b.md" in err
    assert err.count("\n") == 1
    # An output that would replace its own input is refused.
    code, _, err = run("clean", "-o", "posts", "posts/b.md")
    assert code == 2 and "posts/b.md would be replaced by its own output" in err
    assert (tmp_path / "posts" / "b.md").read_bytes() == POSTS[2].read_bytes()


# --- 2. a folder named on the command line is processed even when ignored -------


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree whose .gitignore lists drafts/ and *.bak.md; two
    drafts, one post."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("drafts/\n*.bak.md\n")
    (tmp_path / "drafts").mkdir()
    shutil.copy(POSTS[0], tmp_path / "drafts" / "one.md")
    shutil.copy(POSTS[1], tmp_path / "drafts" / "two.md")
    (tmp_path / "posts").mkdir()
    shutil.copy(POSTS[2], tmp_path / "posts" / "kept.md")
    shutil.copy(POSTS[3], tmp_path / "posts" / "old.bak.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_named_folder_that_git_ignores_is_checked(repository: Path) -> None:
    code, _, err = run("validate", "drafts/")
    assert code in (0, 1), err
    assert "2 files checked" in err
    # Rules still apply to what folders hold: old.bak.md is left out of posts/.
    code, _, err = run("validate", "posts")
    assert "1 file checked" in err, err
    # --force-exclude applies them to the named paths too.
    code, _, err = run("validate", "--force-exclude", "posts", "drafts/two.md")
    assert "1 file checked" in err, err


def test_a_named_file_is_taken_unless_force_exclude(repository: Path) -> None:
    (repository / "articletool.toml").write_text('exclude = ["posts/kept.md"]\n')
    code, _, err = run("validate", "posts/kept.md", "posts/old.bak.md")
    assert "2 files checked" in err, err
    code, _, err = run("validate", "--force-exclude", "posts/kept.md", "posts/old.bak.md")
    assert code == 0 and "0 files checked" in err, err


# --- 3. nothing found is not success ----------------------------------------------


def test_a_folder_without_posts_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "mdx").mkdir()
    for name in ("a.mdx", "b.mdx", "c.json"):
        (tmp_path / "mdx" / name).write_text("# x\n")
    (tmp_path / "drafts").mkdir()
    shutil.copy(POSTS[0], tmp_path / "drafts" / "d.md")
    (tmp_path / "articletool.toml").write_text('exclude = ["drafts/*.md"]\n')
    code, out, err = run("validate", "empty/")
    assert (code, out) == (2, "")
    assert err.startswith("empty: no posts found (the folder is empty)\n")
    code, out, err = run("validate", "mdx")
    assert code == 2
    assert err.startswith(
        "mdx: no posts found (3 files skipped: 2 .mdx, 1 .json; "
        "posts end in .md, .markdown, .txt, .html, .htm)\n"
    )
    code, out, err = run("validate", "drafts")
    assert code == 2
    assert err.startswith("drafts: no posts found (1 file skipped: 1 excluded)\n")
    for command in ("clean", "extract", "convert"):
        args = ["--check"] if command == "clean" else []
        code, out, err = run(command, *args, "empty")
        assert (code, out) == (2, ""), command
        assert "empty: no posts found" in err
    # A folder with posts beside it: the posts are still processed.
    shutil.copy(POSTS[1], tmp_path / "post.md")
    code, out, err = run("extract", "mdx", "post.md")
    assert code == 2 and out and "mdx: no posts found" in err


# --- 4. NUL-separated names without -0 ---------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_nul_separated_names_without_dash_0(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(POSTS[0], tmp_path / "a.md")
    shutil.copy(POSTS[1], tmp_path / "b.md")
    args = ["--check"] if command == "clean" else []
    code, out, err = run(command, *args, "--files-from", "-", stdin=b"a.md\0b.md\0")
    assert (code, out) == (2, "")
    assert err == f"articletool {command}: <stdin>: NUL byte in the file list; use -0\n"


def test_nul_separated_names_without_dash_0_in_a_real_process(tmp_path: Path) -> None:
    shutil.copy(POSTS[0], tmp_path / "a.md")
    done = subprocess.run(
        [script(), "validate", "--files-from", "-"],
        input=b"a.md\0",
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert done.stderr == b"articletool validate: <stdin>: NUL byte in the file list; use -0\n"


# --- 5. an output folder that cannot be written --------------------------------------


@pytest.mark.parametrize("command", ["clean", "convert"])
def test_o_under_a_regular_file_is_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    same_names(tmp_path, ("posts",))
    (tmp_path / "file").write_text("not a folder\n")
    code, out, err = run(command, "-o", "file/out", "posts")
    assert (code, out) == (2, "")
    assert err == f"articletool {command}: -o file/out: file is a file, not a folder\n"
    assert (tmp_path / "file").read_text() == "not a folder\n"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes into a read-only folder: nothing to refuse",
)
def test_o_in_a_read_only_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    same_names(tmp_path, ("posts",))
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0o555)
    try:
        code, out, err = run("convert", "-o", "locked/out", "posts")
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert (code, out) == (2, "")
    assert err == (
        "articletool convert: -o locked/out: cannot write (in locked): Permission denied\n"
    )
    assert list((tmp_path / "locked").iterdir()) == []


# --- 6. clean --in-place - ------------------------------------------------------------


def test_clean_in_place_refuses_stdin(tmp_path: Path) -> None:
    data = POSTS[0].read_bytes()
    code, out, err = run("clean", "--in-place", "-", stdin=data)
    assert (code, out) == (2, "")
    assert err == (
        "articletool clean: --in-place cannot rewrite stdin (-): drop --in-place, or use -o DIR\n"
    )


# --- 7. a closed pipe is not a failure ---------------------------------------------


@pytest.fixture(scope="module")
def many_posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 real posts (40 copies of each golden post)."""
    root = tmp_path_factory.mktemp("many") / "posts"
    for copy in range(40):
        (root / f"c{copy:02}").mkdir(parents=True)
        for post in POSTS:
            shutil.copy(post, root / f"c{copy:02}" / post.name)
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_pipe_ends_the_run_quietly(many_posts: Path, jobs: str) -> None:
    proc = subprocess.Popen(
        [script(), "extract", "--format", "jsonl", "-j", jobs, str(many_posts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # what `| head -1` reads, before it exits
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(b'{"path": ')
    assert (proc.returncode, err) == (0, b"")


# --- 8. Ctrl-C says so ----------------------------------------------------------------


def test_ctrl_c_says_how_many_files_were_done(many_posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [script(), "convert", "-j", "1", "-o", str(out), str(many_posts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if out.exists() and sum(1 for _ in out.rglob("*.md")) >= 20:
                break
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        stdout, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and stdout == b""
    found = re.fullmatch(
        rb"articletool: interrupted after (\d+) files; no file is half-written "
        rb"\(each is old or new\)\n",
        err,
    )
    assert found, err
    written = sorted(out.rglob("*"))
    # Counted as they are reported (a chunk of posts at a time): never more
    # than were written, and every one written is whole.
    assert 1 <= int(found.group(1)) <= sum(1 for p in written if p.is_file()) < 1000
    assert not [p for p in written if p.name.endswith(".tmp")]


# --- 10. progress and the end of a run ----------------------------------------------


def on_a_terminal(argv: list[str], cwd: Path | None = None) -> tuple[int, str]:
    """Run ``argv`` with stderr on a pseudo-terminal; its exit code and what
    the terminal showed, escape sequences removed."""
    import pty

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=cwd
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    code = proc.wait(timeout=60)
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def posts_for_a_second(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 real posts (120 copies of each golden post): a run that lasts
    past the half second after which the progress bar is drawn, even with
    -j 2 on a fast machine (1,000 posts could end before it)."""
    root = tmp_path_factory.mktemp("more") / "posts"
    for copy in range(120):
        (root / f"c{copy:03}").mkdir(parents=True)
        for post in POSTS:
            shutil.copy(post, root / f"c{copy:03}" / post.name)
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_counts_up_from_the_first_frame_at_a_true_rate(
    posts_for_a_second: Path, tmp_path: Path, jobs: str
) -> None:
    started = time.monotonic()
    code, shown = on_a_terminal(
        [script(), "convert", "-j", jobs, "-o", str(tmp_path / "out"), str(posts_for_a_second)]
    )
    elapsed = time.monotonic() - started
    assert code == 0, shown
    frames = [
        (int(m[1]), m[3])
        for m in re.finditer(r"(\d+)/(\d+)\s+(\S+) files/s", shown.replace("\r", "\n"))
    ]
    assert frames, shown
    counts = [count for count, _ in frames]
    assert counts == sorted(counts), counts  # never back, never 0 after files were done
    assert counts[0] > 0
    rates = [float(rate.replace(",", "")) for _, rate in frames if rate != "-"]
    assert rates or jobs != "1", shown  # -j 2 may end before its rate is known
    assert max(rates, default=0) < 5 * 3000 / elapsed, (rates, elapsed)
    assert re.search(r"3000 files written, 0 failed in \d+\.\ds\r?\n$", shown), shown[-200:]


@pytest.mark.parametrize(
    ("command", "summary"),
    [
        (["convert", "-o", "out"], r"6 files written, 0 failed in \d+\.\ds"),
        (["convert", "--to", "json"], r"6 files converted, 0 failed in \d+\.\ds"),
        (["extract", "--format", "jsonl"], r"6 files extracted, 0 failed in \d+\.\ds"),
        (["clean", "--check"], r"\d files would be cleaned, \d unchanged, 0 failed in \d+\.\ds"),
    ],
)
def test_a_run_on_a_terminal_ends_with_a_summary_and_a_pipe_gets_none(
    tmp_path: Path, command: list[str], summary: str
) -> None:
    same_names(tmp_path, ("posts",))
    code, shown = on_a_terminal([script(), *command, "posts"], tmp_path)
    assert code in (0, 1) and re.fullmatch(summary + r"\r?\n", shown), shown
    done = subprocess.run(
        [script(), *command, "posts"], capture_output=True, check=False, cwd=tmp_path
    )
    expected = b"" if command[0] != "clean" else done.stderr
    assert done.stderr == expected and b"failed" not in done.stderr
