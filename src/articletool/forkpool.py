"""Forked worker processes fed through pipes, for :func:`articletool.runner.map_inputs`.

Why not :class:`multiprocessing.pool.Pool`: its parent runs three threads, so a
signal may land on one of them while the main thread sleeps on a result; it
replaces a worker that dies, and the chunk that worker held never completes;
and a replacement forked from a threaded parent can hang. Here the parent has
one thread and waits in ``select``, so Ctrl-C and SIGTERM interrupt it at once;
a worker that dies ends the run with :class:`WorkerError`; stopping sends
SIGTERM (workers leave through ``finally`` blocks) and SIGKILL after a grace
period.

Each worker has a task pipe and a result pipe carrying length-prefixed pickles:
``(seq, inputs)`` in, ``(seq, ok, results-or-exception)`` out. The parent keeps
a bounded window of chunks in flight and yields results in input order.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import ArticleToolError
from .files import Input

_HEADER = struct.Struct("!Q")
#: Bytes of task frames a worker may have unread: below a pipe's 64 KiB buffer,
#: so writing a task never blocks while that worker is busy writing a result.
PIPE_BUDGET = 48 * 1024
#: Seconds stopped workers get to leave before they are killed.
GRACE = 2.0
#: How long to wait, after seeing a worker die, for our own interrupt to arrive.
SETTLE = 0.1


class WorkerError(ArticleToolError):
    """A worker process died (killed from outside, out of memory): its inputs have no result."""


@dataclass
class Worker:
    pid: int
    tasks: int  # write end of the task pipe
    results: int  # read end of the result pipe
    busy: deque[tuple[int, int]] = field(default_factory=deque)  # (seq, bytes) in flight

    @property
    def unread(self) -> int:
        return sum(size for _, size in self.busy)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes, or ``None`` at end of file."""
    parts: list[bytes] = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _frame(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _receive(fd: int) -> Any:
    header = _read(fd, _HEADER.size)
    if header is None:
        raise EOFError
    body = _read(fd, _HEADER.unpack(header)[0])
    if body is None:
        raise EOFError
    return pickle.loads(body)


# -- the worker side --------------------------------------------------------------------


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(work: Callable[[list[Input]], list[Any]], tasks: int, results: int) -> None:
    while True:
        try:
            seq, chunk = _receive(tasks)
        except EOFError:
            return
        try:
            reply: tuple[int, bool, Any] = (seq, True, work(chunk))
        except Exception as exc:  # a bug in ``work``: hand it to the parent to raise
            reply = (seq, False, exc)
        try:
            data = _frame(reply)
        except Exception as exc:
            data = _frame((seq, False, RuntimeError(f"unpicklable result: {exc!r}")))
        _write(results, data)


def _child(
    work: Callable[[list[Input]], list[Any]], tasks: int, results: int, inherited: list[int]
) -> None:
    """Runs in the forked process; never returns."""
    code = 0
    try:
        # Ctrl-C reaches the whole terminal group: only the parent acts on it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _leave)
        for fd in inherited:  # the other workers' pipes: keep their ends of file clean
            os.close(fd)
        _serve(work, tasks, results)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _start(work: Callable[[list[Input]], list[Any]], others: list[Worker]) -> Worker:
    task_r, task_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow)
        os.close(task_w)
        os.close(result_r)
        inherited = [fd for w in others for fd in (w.tasks, w.results)]
        _child(work, task_r, result_w, inherited)
    os.close(task_r)
    os.close(result_w)
    return Worker(pid, task_w, result_r)


# -- the parent side --------------------------------------------------------------------


def _stop(workers: list[Worker], graceful: bool) -> None:
    """Close the task pipes (graceful) or send SIGTERM, then reap every worker."""
    for worker in workers:
        os.close(worker.tasks)
        if not graceful:
            _signal(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    alive = {w.pid for w in workers}
    while alive:
        for pid in list(alive):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                alive.discard(pid)
        if alive and time.monotonic() > deadline:
            for pid in alive:
                _signal(pid, signal.SIGKILL)
            deadline = float("inf")
        if alive:
            time.sleep(0.005)
    for worker in workers:
        os.close(worker.results)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _died(worker: Worker) -> WorkerError:
    # Ctrl-C or a SIGTERM sent to the whole group reaches the workers and this
    # process at once: give our own KeyboardInterrupt the chance to come first.
    time.sleep(SETTLE)
    return WorkerError(f"worker process {worker.pid} died; the run is incomplete")


def run(
    work: Callable[[list[Input]], list[Any]],
    chunks: Iterator[tuple[list[Any], list[Input]]],
    jobs: int,
    window: int,
) -> Iterator[tuple[list[Any], list[Any]]]:
    """Yield ``(chunk, results)`` in the order of ``chunks``.

    ``chunks`` yields ``(chunk, inputs)``: the items to give back and the
    inputs among them to run ``work`` on. At most ``window`` chunks are in
    flight or waiting to be yielded.
    """
    workers: list[Worker] = []
    selector = selectors.DefaultSelector()
    graceful = False
    try:
        for _ in range(jobs):
            worker = _start(work, workers)
            workers.append(worker)
            selector.register(worker.results, selectors.EVENT_READ, worker)
        held: dict[int, list[Any]] = {}  # seq -> chunk, until yielded
        done: dict[int, list[Any]] = {}  # seq -> results, out of order
        staged: tuple[int, bytes] | None = None
        next_seq = next_out = 0
        exhausted = False
        while True:
            while next_seq - next_out < window:
                if staged is None:
                    if exhausted:
                        break
                    pair = next(chunks, None)
                    if pair is None:
                        exhausted = True
                        break
                    chunk, inputs = pair
                    held[next_seq] = chunk
                    if not inputs:
                        done[next_seq] = []
                        next_seq += 1
                        continue
                    staged = (next_seq, _frame((next_seq, inputs)))
                    next_seq += 1
                seq, data = staged
                worker = min(workers, key=lambda w: (w.unread, len(w.busy)))
                if worker.busy and worker.unread + len(data) > PIPE_BUDGET:
                    break  # every worker is full: wait for results first
                try:
                    _write(worker.tasks, data)
                except BrokenPipeError:  # it died before reading its tasks
                    raise _died(worker) from None
                worker.busy.append((seq, len(data)))
                staged = None
            if next_out in done:
                chunk, results = held.pop(next_out), done.pop(next_out)
                next_out += 1
                yield chunk, results
                continue
            if exhausted and staged is None and next_out == next_seq:
                break
            for key, _ in selector.select():
                worker = key.data
                try:
                    seq, ok, payload = _receive(worker.results)
                except EOFError:
                    raise _died(worker) from None
                worker.busy.popleft()
                if not ok:
                    raise payload
                done[seq] = payload
        graceful = True
    finally:
        selector.close()
        _stop(workers, graceful)
