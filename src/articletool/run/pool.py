"""The worker processes behind ``--jobs``, for :func:`articletool.run.runner.map_inputs`.

One :class:`concurrent.futures.ProcessPoolExecutor`, started with ``fork``
where there is one (a worker starts in about a millisecond) and ``spawn``
elsewhere. The parent submits chunks of inputs, keeps a bounded window of
them in flight and yields their results in input order.

- **Signals.** Ctrl-C reaches the whole terminal group: a worker ignores
  SIGINT and only the parent acts on it. The executor's parent runs threads
  of its own, and a signal may land on one of them while the main thread
  sleeps: the parent waits on a result in slices of :data:`POLL` seconds, so
  its ``KeyboardInterrupt`` comes at once whichever thread took the signal.
  Workers are forked with SIGINT and SIGTERM blocked and unblock them once
  their handlers are in place, so a signal at start-up prints no traceback.
- **Stopping.** On an interrupt, an early stop or a bug in the work, the
  pending chunks are cancelled and every worker gets SIGTERM, which it leaves
  by (raising :class:`SystemExit` through the work's ``finally`` blocks, so
  no temporary file is left behind; a write holds the signal back until its
  file is in place); one still alive after :data:`GRACE` seconds gets
  SIGKILL.
- **A worker that dies** (killed from outside, out of memory) breaks the
  executor, which fails every pending chunk with ``BrokenProcessPool``: the
  run ends with :class:`WorkerError` (exit code 2) instead of a hang.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NoReturn

from articletool.errors import ArticleToolError
from articletool.run.files import Input

ChunkFn = Callable[[list[Input]], list[Any]]

#: Seconds the parent waits for a result before it looks again (and lets a
#: pending Ctrl-C or SIGTERM through, whichever thread the signal landed on).
POLL = 0.1
#: Seconds stopped workers get to leave before they are killed.
GRACE = 2.0
#: How long to wait, after seeing a worker die, for our own interrupt to arrive.
SETTLE = 0.1

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class WorkerError(ArticleToolError):
    """A worker process died (killed from outside, out of memory): its inputs have no result."""


def start_method() -> str:
    """``fork`` where it exists (workers start in about a millisecond), else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"


# -- the worker side --------------------------------------------------------------------


def _leave(signum: int, frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def _init_worker() -> None:
    # Ctrl-C reaches the whole terminal group: only the parent acts on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _call(work: ChunkFn, chunk: list[Input]) -> list[Any]:
    """``work(chunk)`` in a worker; SIGTERM (once the work's ``finally``
    blocks have run) ends the worker instead of becoming the chunk's result."""
    try:
        return work(chunk)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)


# -- the parent side --------------------------------------------------------------------


def _done(results: list[Any]) -> Future[list[Any]]:
    future: Future[list[Any]] = Future()
    future.set_result(results)
    return future


def _result(future: Future[list[Any]]) -> list[Any]:
    while True:
        try:
            return future.result(timeout=POLL)
        except TimeoutError:
            continue
        except BrokenProcessPool:
            # Ctrl-C or a SIGTERM sent to the whole group reaches the workers
            # and this process at once: give our own KeyboardInterrupt the
            # chance to come first.
            time.sleep(SETTLE)
            raise WorkerError("a worker process died; the run is incomplete") from None


def _stop(executor: ProcessPoolExecutor, others: set[Any]) -> None:
    """Cancel what is pending, send every worker SIGTERM (SIGKILL after
    :data:`GRACE` seconds) and reap them."""
    workers = [p for p in multiprocessing.active_children() if p not in others]
    for process in workers:
        process.terminate()
    deadline = time.monotonic() + GRACE
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join()
    executor.shutdown(wait=True, cancel_futures=True)


def run(
    work: ChunkFn,
    chunks: Iterator[tuple[list[Any], list[Input]]],
    jobs: int,
    window: int,
) -> Iterator[tuple[list[Any], list[Any]]]:
    """Yield ``(chunk, results)`` in the order of ``chunks``.

    ``chunks`` yields ``(chunk, inputs)``: the items to give back and the
    inputs among them to run ``work`` on. At most ``window`` chunks are in
    flight or waiting to be yielded.
    """
    context = multiprocessing.get_context(start_method())
    others = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker)
    pending: deque[tuple[list[Any], Future[list[Any]]]] = deque()
    started = finished = False
    try:
        while True:
            while len(pending) < window:
                pair = next(chunks, None)
                if pair is None:
                    break
                chunk, inputs = pair
                if not inputs:
                    pending.append((chunk, _done([])))
                elif started:
                    pending.append((chunk, executor.submit(_call, work, inputs)))
                else:  # the first submit starts the workers: signals held until they can leave
                    pending.append((chunk, _first_submit(executor, work, inputs)))
                    started = True
            if not pending:
                break
            chunk, future = pending.popleft()
            yield chunk, _result(future)
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor, others)


def _first_submit(
    executor: ProcessPoolExecutor, work: ChunkFn, inputs: list[Input]
) -> Future[list[Any]]:
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - not on POSIX
        return executor.submit(_call, work, inputs)
    previous = mask(signal.SIG_BLOCK, _SIGNALS)
    try:
        return executor.submit(_call, work, inputs)
    finally:
        mask(signal.SIG_SETMASK, previous)
