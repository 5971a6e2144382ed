"""The runner: input order, errors in place, the pool, interruption, progress."""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from articletool.errors import InputError
from articletool.html.parse import parse_body
from articletool.post.load import parse_post
from articletool.run import pool, runner
from articletool.run.files import Input, discover, read_bytes
from articletool.run.progress import TerminalProgress, for_terminal

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "posts"


def corpus_or_skip() -> Path:
    if not CORPUS.is_dir():  # pragma: no cover - shared/ is laid beside the repo
        pytest.skip(f"no corpus at {CORPUS}")
    return CORPUS


# Workers are module-level so they can be pickled for the pool.


def names_of(chunk: list[Input]) -> list[str]:
    return [item.display for item in chunk]


def tagged(tag: str, chunk: list[Input]) -> list[tuple[str, str, int]]:
    return [(tag, item.display, os.getpid()) for item in chunk]


def digest(item: Input) -> tuple[str, str, int, str]:
    """Read, parse and re-serialise one real post."""
    post = parse_post(read_bytes(item), item.display)
    tree = parse_body(post.body)
    html = etree.tostring(tree, encoding="unicode")
    return (item.display, str(post.meta.get("title", "")), len(post.body), html)


def digests(chunk: list[Input]) -> list[tuple[str, str, int, str]]:
    return [digest(item) for item in chunk]


def boom(chunk: list[Input]) -> list[str]:
    if any(item.display == "post-00150.md" for item in chunk):
        raise ZeroDivisionError("a bug in the work")
    return names_of(chunk)


PARENT = os.getpid()


def die_in_worker(chunk: list[Input]) -> list[str]:
    if any(item.display == "post-00150.md" for item in chunk) and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return names_of(chunk)


def children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def fake_inputs(count: int) -> list[Input]:
    return [Input(f"post-{n:05}.md") for n in range(count)]


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_input_order(jobs: int) -> None:
    items = fake_inputs(500)
    out = list(runner.map_inputs(names_of, items, jobs))
    assert out == [item.display for item in items]


@pytest.mark.parametrize("jobs", [1, 2])
def test_discovery_errors_pass_through_in_place(jobs: int) -> None:
    items: list[Input | InputError] = []
    for n, item in enumerate(fake_inputs(200)):
        items.append(item)
        if n % 7 == 3:
            items.append(InputError("no such file or folder", f"missing-{n}"))
    out = list(runner.map_inputs(names_of, items, jobs))
    assert len(out) == len(items)
    for got, item in zip(out, items, strict=True):
        if isinstance(item, InputError):
            assert got is item
        else:
            assert got == item.display


def test_parallel_equals_sequential_on_real_posts() -> None:
    paths = [str(corpus_or_skip())]
    sequential = list(runner.map_inputs(digests, discover(paths), 1))
    parallel = list(runner.map_inputs(digests, discover(paths), 2))
    assert len(sequential) >= runner.MIN_INPUTS_FOR_POOL
    assert parallel == sequential


def test_partial_workers_run_in_the_pool() -> None:
    work = functools.partial(tagged, "settings")
    out = list(runner.map_inputs(work, fake_inputs(300), 2))
    assert [(tag, name) for tag, name, _ in out] == [
        ("settings", item.display) for item in fake_inputs(300)
    ]
    assert os.getpid() not in {pid for _, _, pid in out}


def forbid_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(multiprocessing, "get_context", no_pool)
    monkeypatch.setattr(os, "fork", no_pool)


def test_one_job_runs_in_process_without_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_workers(monkeypatch)
    out = list(runner.map_inputs(functools.partial(tagged, "x"), fake_inputs(100), 1))
    assert {pid for _, _, pid in out} == {os.getpid()}


def test_few_inputs_run_in_process_whatever_the_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_workers(monkeypatch)
    items: list[Input | InputError] = [InputError("gone", "a"), Input("only.md")]
    out = list(runner.map_inputs(functools.partial(tagged, "x"), items, 8))
    assert out[0] is items[0]
    assert out[1] == ("x", "only.md", os.getpid())


def test_inputs_are_read_lazily() -> None:
    pulled = 0

    def endless() -> Iterator[Input]:
        nonlocal pulled
        while True:
            pulled += 1
            yield Input(f"post-{pulled}.md")

    results = runner.map_inputs(names_of, endless(), 2)
    first = [next(results) for _ in range(10)]
    results.close()
    assert first == [f"post-{n}.md" for n in range(1, 11)]
    window = 2 * (runner.CHUNKS_PER_WORKER + 1)
    assert pulled <= runner.MIN_INPUTS_FOR_POOL + (window + 1) * runner.CHUNK_SIZE
    assert not children_left()


def test_stopping_early_shuts_the_pool_down() -> None:
    results = runner.map_inputs(names_of, fake_inputs(1000), 2)
    assert next(results) == "post-00000.md"
    results.close()
    assert not children_left()


def test_a_bug_in_the_work_is_raised_in_the_parent() -> None:
    with pytest.raises(ZeroDivisionError, match="a bug in the work"):
        list(runner.map_inputs(boom, fake_inputs(300), 2))
    assert not children_left()


def test_a_worker_that_dies_ends_the_run_with_an_error() -> None:
    results = runner.map_inputs(die_in_worker, fake_inputs(300), 2)
    with pytest.raises(pool.WorkerError, match="died"):
        list(results)
    assert not children_left()


def test_without_fork_a_spawned_pool_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "start_method", lambda: "spawn")
    monkeypatch.setattr(os, "fork", None)
    items = fake_inputs(100)
    assert list(runner.map_inputs(names_of, items, 2)) == [item.display for item in items]


class Recorder:
    def __init__(self) -> None:
        self.totals: list[int | None] = []
        self.done = 0
        self.closed = False

    def total(self, count: int | None) -> None:
        self.totals.append(count)

    def advance(self, count: int) -> None:
        self.done += count

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_is_told_the_total_and_every_finished_input(jobs: int) -> None:
    recorder = Recorder()
    items: list[Input | InputError] = [*fake_inputs(120), InputError("gone", "x")]
    out = list(runner.map_inputs(names_of, items, jobs, progress=recorder))
    assert len(out) == 121
    assert recorder.totals == [121]
    assert recorder.done == 121
    assert recorder.closed


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), max_size=60))
def test_any_mix_of_inputs_and_errors_keeps_its_shape(shape: list[bool]) -> None:
    items: list[Input | InputError] = [
        Input(f"p{n}") if ok else InputError("bad", f"e{n}") for n, ok in enumerate(shape)
    ]
    expected = [item.display if isinstance(item, Input) else item for item in items]
    assert list(runner.map_inputs(names_of, items, 1)) == expected


def test_start_method_is_fork_on_linux() -> None:
    if sys.platform.startswith("linux"):
        assert pool.start_method() == "fork"
    else:  # pragma: no cover
        assert pool.start_method() in multiprocessing.get_all_start_methods()


# -- progress ----------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    assert for_terminal(io.StringIO()) is None


def test_progress_on_a_terminal_draws_after_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    assert isinstance(for_terminal(FakeTerminal()), TerminalProgress)
    screen = FakeTerminal()
    bar = TerminalProgress(screen, delay=0.0)
    bar.total(10)
    bar.advance(4)
    assert bar.visible
    bar.close()
    assert not bar.visible
    assert bar.done == 4
    assert "4/10" in screen.getvalue()


def test_a_short_run_never_shows_a_bar() -> None:
    screen = FakeTerminal()
    bar = TerminalProgress(screen, delay=3600.0)
    bar.total(3)
    bar.advance(3)
    bar.close()
    assert not bar.visible
    assert screen.getvalue() == ""


def test_dumb_terminal_gets_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert for_terminal(FakeTerminal()) is None


# -- interruption (a real process) -------------------------------------------------

INTERRUPTED_RUN = textwrap.dedent(
    """
    import sys, time
    from articletool.run import runner
    from articletool.run.files import Input

    def slow(chunk):
        time.sleep(0.05 * len(chunk))
        return [item.display for item in chunk]

    if __name__ == "__main__":
        runner.interrupt_on_sigterm()
        items = (Input(str(i)) for i in range(10**6))
        try:
            for n, _ in enumerate(runner.map_inputs(slow, items, 2)):
                if n == 0:
                    print("started", flush=True)
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\\n")
            sys.exit(130)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_workers_quietly(tmp_path: Path, signum: int) -> None:
    script = tmp_path / "run.py"
    script.write_text(INTERRUPTED_RUN)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "started\n"
    os.killpg(proc.pid, signum)  # as a terminal's Ctrl-C does: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == "interrupted\n"
    leftover = subprocess.run(
        ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True, check=False
    )
    assert leftover.stdout == ""
