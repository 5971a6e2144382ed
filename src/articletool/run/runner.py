"""Run one command's work over many inputs, in input order.

``work`` is a picklable callable (a module-level function, or a
``functools.partial`` of one over frozen settings) that turns a list of
:class:`~articletool.run.files.Input` into their results, in the same order, and
never raises for bad input: it returns each error inside its result. It is
the one shape of work: a command's stages run over a whole chunk of posts
before the next stage (faster than one post at a time), and one input is a
chunk of one. Errors found while discovering inputs pass through unchanged,
in their place.

With ``jobs > 1`` and enough inputs to pay for it, the work runs in worker
processes (:mod:`articletool.run.pool`: a ``ProcessPoolExecutor``, forked where
there is ``fork``).
Inputs are read lazily from the iterator and sent in chunks; at most a few
chunks per worker are in flight, so memory stays flat however many files
there are. Results come back in input order as soon as they are ready.

On SIGINT (and SIGTERM, which the command line turns into the same thing) the
workers are stopped, each leaving through its ``finally`` blocks (so no
temporary file is left behind), and :class:`KeyboardInterrupt` reaches the
caller. A worker that dies on its own ends the run with
:class:`~articletool.run.pool.WorkerError` (exit code 2) instead of a hang.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from itertools import islice
from typing import Protocol, TypeVar

from articletool.errors import InputError
from articletool.run.files import Input

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
#: Inputs the work takes at a time in-process: enough for its
#: stages to pay (16 to 32 measured best), few enough to keep memory flat.
SEQUENTIAL_CHUNK_SIZE = 16
#: Below this many inputs a pool costs more than it saves: run in-process.
MIN_INPUTS_FOR_POOL = 24
#: With a progress display, discovery runs this far ahead to size the bar.
PROGRESS_LOOKAHEAD = 100_000


class Progress(Protocol):
    """What :func:`map_inputs` tells a progress display."""

    def total(self, count: int | None) -> None:
        """How many inputs there are (``None``: not known yet)."""

    def advance(self, count: int) -> None:
        """``count`` more inputs are finished."""

    def close(self) -> None:
        """The run is over (or interrupted): take the display down."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped :func:`map_inputs` after ``done`` inputs
    were finished (each finished file is complete: writes hold the signals
    back until the file is in place)."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


#: The work: inputs in, their results out, in the same order.
Work = Callable[[list[Input]], list[T]]


def interrupt_on_sigterm() -> None:
    """Make SIGTERM stop the process the way Ctrl-C does (``KeyboardInterrupt``)."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def map_inputs(
    work: Work[T],
    items: Iterable[Item],
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[T | InputError]:
    """Apply ``work`` to every input and yield the results in input order.

    ``jobs`` is the number of worker processes (1: run here, no pool).
    ``progress``, when given, is told how many inputs there are and how many
    are done (see :mod:`articletool.run.progress`).
    """
    source = iter(items)
    head: list[Item] = []
    if progress is not None:
        head = list(islice(source, PROGRESS_LOOKAHEAD))
        progress.total(len(head) if len(head) < PROGRESS_LOOKAHEAD else None)
    elif jobs > 1:
        head = _peek_inputs(source, MIN_INPUTS_FOR_POOL)
    inputs_ahead = sum(isinstance(item, Input) for item in head)
    stream = _chain(head, source)
    results = _results(
        work, stream, jobs >= 2 and inputs_ahead >= MIN_INPUTS_FOR_POOL, jobs, progress
    )
    done = 0
    try:
        for result in results:
            yield result
            done += 1
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise
        raise Interrupted(done) from None
    finally:
        results.close()
        if progress is not None:
            progress.close()


def _results(
    work: Work[T], stream: Iterator[Item], pool: bool, jobs: int, progress: Progress | None
) -> Generator[T | InputError, None, None]:
    """Each chunk's results, in the pool or here, with the errors in their places."""
    if pool:
        from articletool.run import pool as workers  # only runs with workers need it

        chunks = _chunks(stream, FIRST_CHUNK_SIZE, CHUNK_SIZE, jobs)
        window = jobs * (CHUNKS_PER_WORKER + 1)
        yield from _in_order(workers.run(work, chunks, jobs, window), progress)
        return
    chunks = _chunks(stream, SEQUENTIAL_CHUNK_SIZE, SEQUENTIAL_CHUNK_SIZE, 1)
    done = ((chunk, work(inputs) if inputs else []) for chunk, inputs in chunks)
    yield from _in_order(done, progress)


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


def _chunks(
    items: Iterator[Item], first: int, most: int, jobs: int
) -> Iterator[tuple[list[Item], list[Input]]]:
    """Cut ``items`` into chunks that grow from ``first`` to ``most`` items
    (doubling after every ``jobs`` chunks); each with the inputs among them."""
    sent = 0
    while True:
        chunk = list(islice(items, min(most, first << (sent // jobs))))
        if not chunk:
            return
        sent += 1
        yield chunk, [item for item in chunk if isinstance(item, Input)]


def _in_order(
    batches: Iterable[tuple[list[Item], list[T]]], progress: Progress | None
) -> Iterator[T | InputError]:
    """Each chunk's results, with its discovery errors in their places."""
    for chunk, results in batches:
        done = iter(results)
        for item in chunk:
            yield item if isinstance(item, InputError) else next(done)
        if progress is not None:
            progress.advance(len(chunk))
