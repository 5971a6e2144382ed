"""Nothing lost: atomic in-place writes, interrupted runs, errors kept to their file.

The interrupt tests start a real ``articletool clean --in-place`` over a copy
of corpus posts, wait until it has rewritten some files, send SIGINT (to the
process group, as Ctrl-C does) or SIGTERM (to the process), and then compare
every file with the original and with the fully cleaned version.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.run import files

#: Corpus posts kept beside their golden files.
CORPUS = Path(__file__).parent / "golden" / "posts"
ARTICLETOOL = [sys.executable, "-m", "articletool"]
#: Copies of those posts in one run: enough that a run takes a few seconds.
COPIES = 40


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _inodes(root: Path, names: set[str]) -> dict[str, int]:
    """The inode of each of ``names`` (a rewritten file gets a new one)."""
    return {name: (root / name).stat().st_ino for name in names}


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "posts"
    for copy in range(COPIES):
        shutil.copytree(
            CORPUS, root / f"copy{copy}", ignore=shutil.ignore_patterns("*.clean", "*.json")
        )
    (root / "config").mkdir()
    (root / "config" / "articletool.toml").write_text("")
    return root


@pytest.fixture(scope="module")
def cleaned(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What every file looks like after an uninterrupted run."""
    work = tmp_path_factory.mktemp("cleaned") / "posts"
    shutil.copytree(corpus_copy, work)
    run = subprocess.run(
        [*ARTICLETOOL, "clean", "--in-place", "-j", "2", str(work)],
        capture_output=True,
        timeout=600,
        cwd=work / "config",
    )
    assert run.returncode in (0, 1), run.stderr  # 1: a file the safety check refused
    return _snapshot(work)


@pytest.mark.parametrize(
    ("signum", "jobs", "after"),
    [
        (signal.SIGINT, 1, 0),
        (signal.SIGINT, 1, 1),
        (signal.SIGTERM, 1, 40),
        (signal.SIGINT, 2, 1),
        (signal.SIGTERM, 2, 60),
        (signal.SIGTERM, 1, 100),
    ],
    ids=["int-at-start", "int-first-file", "term-j1-40", "int-j2-first", "term-j2-60", "term-100"],
)
def test_interrupted_run_leaves_every_file_old_or_new(
    corpus_copy: Path,
    cleaned: dict[str, bytes],
    tmp_path: Path,
    signum: signal.Signals,
    jobs: int,
    after: int,
) -> None:
    work = tmp_path / "posts"
    shutil.copytree(corpus_copy, work)
    old = _snapshot(work)
    changing = {name for name in old if old[name] != cleaned[name]}
    assert len(changing) > after + 50
    inodes = _inodes(work, changing)
    proc = subprocess.Popen(
        [*ARTICLETOOL, "clean", "--in-place", "-j", str(jobs), str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=work / "config",
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while after and proc.poll() is None and time.monotonic() < deadline:
            now = _inodes(work, changing)
            if sum(now.get(name) != inodes[name] for name in changing) >= after:
                break
            time.sleep(0.002)
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)  # Ctrl-C reaches the whole group
        else:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert b"Traceback" not in err
    if after:
        assert proc.returncode == 130, err
    else:  # so early the handlers may not be in place yet: killed by the signal
        assert proc.returncode in (130, -signum), err
    new = _snapshot(work)
    assert sorted(new) == sorted(old), "temporary files left behind, or files lost"
    mixed = [name for name in new if new[name] not in (old[name], cleaned[name])]
    assert mixed == []
    done = [name for name in changing if new[name] == cleaned[name]]
    if after:
        assert len(done) >= after
        assert len(done) < len(changing), "the run finished before the signal"


# --- atomic writes ----------------------------------------------------------------


def test_write_atomic_keeps_permissions_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    files.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_write_atomic_new_file_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        files.write_atomic(tmp_path / "sub" / "new.md", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "sub" / "new.md").stat().st_mode) == 0o640


def test_write_atomic_steps_around_a_temporary_file_left_with_our_pid(tmp_path: Path) -> None:
    # A killed process with the same pid may have left the first name tried:
    # it is neither used nor removed, and the write still lands.
    left = tmp_path / f".post.md.{os.getpid()}.tmp"
    left.write_bytes(b"someone else's")
    path = tmp_path / "post.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    files.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert left.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([left.name, "post.md"])


def test_write_atomic_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")

    def refuse(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError):
        files.write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_write_atomic_interrupted_mid_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX only")
def test_a_signal_during_a_write_waits_for_the_rename(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"old")
    real_replace = os.replace

    def replace_after_signal(src: str, dst: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the write
        real_replace(src, dst)  # type: ignore[arg-type]

    os_replace = files.os.replace
    files.os.replace = replace_after_signal  # type: ignore[assignment]
    try:
        with pytest.raises(KeyboardInterrupt):
            files.write_atomic(path, b"new")
    finally:
        files.os.replace = os_replace  # type: ignore[assignment]
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


# --- one file's error stays with it -------------------------------------------------

GOOD = "---\ntitle: good\ndate: 2022-01-01\n---\n<p></p><p>good {n}</p>\n"


@pytest.mark.parametrize(
    "bad",
    [
        b"---\ntitle: [broken\n---\n<p></p><p>bad</p>\n",
        b"\x00\x01binary",
        b"---\na: &a [*a]\n---\n<p></p>\n",
        ("---\ntitle: t\n---\n<p></p>" + "<i>" * 600 + "deep" + "</i>" * 600).encode(),
    ],
    ids=["bad-yaml", "binary", "recursive-alias", "too-deep"],
)
def test_an_error_on_one_file_touches_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: bytes
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articletool.toml").write_text("")
    tree = tmp_path / "posts"
    tree.mkdir()
    for n in range(3):
        (tree / f"good{n}.md").write_text(GOOD.format(n=n))
    (tree / "good1.md").chmod(0o600)
    (tree / "bad.md").write_bytes(bad)
    result = CliRunner().invoke(app, ["clean", "--in-place", "-j", "1", str(tree)])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count(str(tree / "bad.md")) == 1
    assert (tree / "bad.md").read_bytes() == bad
    for n in range(3):
        assert (tree / f"good{n}.md").read_text() == GOOD.format(n=n).replace("<p></p>", "")
    assert stat.S_IMODE((tree / "good1.md").stat().st_mode) == 0o600
    assert sorted(p.name for p in tree.iterdir()) == ["bad.md", "good0.md", "good1.md", "good2.md"]


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "post.md"
    target.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    files.write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["post.md"]
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    files.write_atomic(dangling, b"x")
    assert not dangling.is_symlink() and dangling.read_bytes() == b"x"


def _without_file_permissions_override() -> list[str] | None:
    """A command prefix under which file permissions apply (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    if subprocess.run([*prefix, "true"], capture_output=True, timeout=30).returncode != 0:
        return None
    return prefix


def test_a_folder_that_cannot_be_written_keeps_its_files(tmp_path: Path) -> None:
    prefix = _without_file_permissions_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions do not stop writes")
    folder = tmp_path / "posts"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        (folder / name).write_text(GOOD.format(n=name))
    folder.chmod(0o555)
    try:
        run = subprocess.run(
            [*prefix, *ARTICLETOOL, "clean", "--in-place", "-j", "1", str(folder)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    finally:
        folder.chmod(0o755)
    assert run.returncode == 2
    assert run.stderr.splitlines()[:2] == [
        f"{folder / 'a.md'}: cannot write: Permission denied",
        f"{folder / 'b.md'}: cannot write: Permission denied",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "b.md"]
    assert all((folder / n).read_text() == GOOD.format(n=n) for n in ("a.md", "b.md"))
