"""Runs that never lose, overwrite or silently skip a post: what counts as an
input, where outputs go, and how a run ends, through the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli import app

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
