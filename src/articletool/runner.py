"""Run one command's work over many inputs, in input order.

``work`` is a picklable callable (a module-level function, or a
``functools.partial`` of one over frozen settings) that turns one
:class:`~articletool.files.Input` into a result and never raises for bad
input: it returns its error inside the result. Errors found while discovering
inputs pass through unchanged, in their place.

With ``jobs > 1`` and enough inputs to pay for it, the work runs in a pool of
worker processes (``fork`` where the platform has it, ``spawn`` elsewhere).
Inputs are read lazily from the iterator and sent in chunks; at most a few
chunks per worker are in flight, so memory stays flat however many files
there are. Results come back in input order as soon as they are ready.

On SIGINT (and SIGTERM, which the command line turns into the same thing) the
workers are stopped, each finishing nothing and leaving no temporary file, and
:class:`KeyboardInterrupt` reaches the caller.
"""

from __future__ import annotations

import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .errors import InputError
from .files import Input

if TYPE_CHECKING:  # multiprocessing is imported only when a pool is needed
    from multiprocessing.pool import AsyncResult, Pool

T = TypeVar("T")
Item = Input | InputError

#: Most inputs sent to a worker in one message. Each message costs the
#: parent about 0.1 ms of its own time (which it takes from the workers on a
#: machine with as many cores as workers), so big chunks scale better; the
#: first chunks are smaller so every worker starts at once on short runs.
CHUNK_SIZE = 64
FIRST_CHUNK_SIZE = 8
#: Chunks in flight per worker: keeps every worker busy while the parent
#: takes results, and bounds the memory held by unfinished work.
CHUNKS_PER_WORKER = 2
#: Below this many inputs a pool costs more than it saves: run in-process.
MIN_INPUTS_FOR_POOL = 24
#: With a progress display, discovery runs this far ahead to size the bar.
PROGRESS_LOOKAHEAD = 100_000

#: Set by the command line's entry point: show progress when stderr is a terminal.
progress_on_terminal = False


class Progress(Protocol):
    """What :func:`map_inputs` tells a progress display."""

    def total(self, count: int | None) -> None:
        """How many inputs there are (``None``: not known yet)."""

    def advance(self, count: int) -> None:
        """``count`` more inputs are finished."""

    def close(self) -> None:
        """The run is over (or interrupted): take the display down."""


def interrupt_on_sigterm() -> None:
    """Make SIGTERM stop the process the way Ctrl-C does (``KeyboardInterrupt``)."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def start_method() -> str:
    """``fork`` where it exists (workers start in about a millisecond), else ``spawn``."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"


def map_inputs(
    work: Callable[[Input], T],
    items: Iterable[Item],
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[T | InputError]:
    """Apply ``work`` to every input and yield the results in input order.

    ``jobs`` is the number of worker processes (1: run here, no pool).
    ``progress``, when given, is told how many inputs there are and how many
    are done; without one, a bar is shown on a terminal when the command line
    asked for it (see :mod:`articletool.progress`).
    """
    source = iter(items)
    if progress is None and progress_on_terminal:
        from .progress import for_terminal

        progress = for_terminal()
    head: list[Item] = []
    if progress is not None:
        head = list(islice(source, PROGRESS_LOOKAHEAD))
        progress.total(len(head) if len(head) < PROGRESS_LOOKAHEAD else None)
    elif jobs > 1:
        head = _peek_inputs(source, MIN_INPUTS_FOR_POOL)
    inputs_ahead = sum(isinstance(item, Input) for item in head)
    stream = _chain(head, source)
    try:
        if jobs > 1 and inputs_ahead >= MIN_INPUTS_FOR_POOL:
            yield from _parallel(work, stream, jobs, progress)
        else:
            yield from _sequential(work, stream, progress)
    finally:
        if progress is not None:
            progress.close()


def _peek_inputs(source: Iterator[Item], wanted: int) -> list[Item]:
    """Read from ``source`` until ``wanted`` inputs (not errors) are in hand, or it ends."""
    head: list[Item] = []
    found = 0
    for item in source:
        head.append(item)
        found += isinstance(item, Input)
        if found >= wanted:
            break
    return head


def _chain(head: list[Item], rest: Iterator[Item]) -> Iterator[Item]:
    buffer = deque(head)
    head.clear()  # hand the items over one by one so each can be freed once done
    while buffer:
        yield buffer.popleft()
    yield from rest


def _sequential(
    work: Callable[[Input], T], items: Iterator[Item], progress: Progress | None
) -> Iterator[T | InputError]:
    for item in items:
        yield item if isinstance(item, InputError) else work(item)
        if progress is not None:
            progress.advance(1)


# -- the pool -------------------------------------------------------------------------

_work: Callable[[Input], Any] | None = None


def _init_worker(work: Callable[[Input], Any]) -> None:
    """Runs once in each worker: remember the work; let the parent handle Ctrl-C."""
    global _work
    _work = work
    # Ctrl-C reaches every process in the terminal's group; only the parent acts on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent stops workers with SIGTERM: leave quietly, through ``finally``
    # blocks, so a file being written atomically leaves no temporary behind.
    signal.signal(signal.SIGTERM, _leave)


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _run_chunk(chunk: list[Input]) -> list[Any]:
    assert _work is not None, "worker not initialised"
    return [_work(item) for item in chunk]


def _parallel(
    work: Callable[[Input], T], items: Iterator[Item], jobs: int, progress: Progress | None
) -> Iterator[T | InputError]:
    import multiprocessing

    context = multiprocessing.get_context(start_method())
    pool: Pool = context.Pool(jobs, initializer=_init_worker, initargs=(work,))
    pending: deque[tuple[list[Item], AsyncResult[list[Any]]]] = deque()
    limit = jobs * CHUNKS_PER_WORKER
    sent = 0
    finished = False
    try:
        while True:
            while len(pending) < limit:
                size = min(CHUNK_SIZE, FIRST_CHUNK_SIZE << (sent // jobs))
                chunk = list(islice(items, size))
                sent += 1
                if not chunk:
                    break
                inputs = [item for item in chunk if isinstance(item, Input)]
                pending.append((chunk, pool.apply_async(_run_chunk, (inputs,))))
            if not pending:
                break
            chunk, result = pending.popleft()
            done = iter(result.get())
            for item in chunk:
                yield item if isinstance(item, InputError) else next(done)
            if progress is not None:
                progress.advance(len(chunk))
        finished = True
    finally:
        if finished:
            pool.close()
        else:  # interrupted, the consumer stopped early, or a worker raised
            pool.terminate()
        pool.join()
