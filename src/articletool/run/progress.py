"""A progress bar on stderr for long runs: files done, rate, time left.

It appears only when stderr is a terminal, and only once a run has lasted
:data:`DELAY` seconds, so short runs (one file from a shell loop) never import
rich at all. When stderr is not a terminal nothing is shown or imported.
Lines written to stderr while the bar is up (one-line errors) are printed
above it; stdout, which carries data, is left alone unless it is the terminal.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

#: Seconds a run must last before the bar appears.
DELAY = 0.5
#: Seconds between two updates of the bar's numbers.
INTERVAL = 0.1


def for_terminal(stream: TextIO | None = None) -> TerminalProgress | None:
    """A progress display for ``stream`` (stderr), or ``None`` when it is not a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced by something odd
        return None
    if not interactive or os.environ.get("TERM") == "dumb":
        return None
    return TerminalProgress(stream)


class TerminalProgress:
    """Counts finished inputs; draws a rich bar once the run is long enough.

    Implements :class:`articletool.run.runner.Progress`.
    """

    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._delay = delay
        self._count: int | None = None
        self._done = 0
        self._shown = 0
        self._last = 0.0
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    @property
    def done(self) -> int:
        return self._done

    @property
    def visible(self) -> bool:
        return self._bar is not None

    def total(self, count: int | None) -> None:
        self._count = count
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=count)

    def advance(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if now - self._last < INTERVAL:
            return
        self._last = now
        if self._bar is None:
            if now - self._started < self._delay:
                return
            self._show()  # from the count reached, which is no rate sample
            return
        self._push()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _push(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, self._done - self._shown)
            self._shown = self._done

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            """Files per second, from rich's moving estimate."""

            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text("    - files/s" if speed is None else f"{speed:>6,.0f} files/s")

        console = Console(file=self._stream, stderr=self._stream is sys.stderr)
        self._bar = Progress(
            TextColumn("files"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            redirect_stdout=_is_tty(sys.stdout),
            redirect_stderr=self._stream is sys.stderr,
        )
        # The files done before the bar appeared are its starting count, not
        # one sample of its rate (they would read as thousands of files in an
        # instant); the first frame shows that count, never 0.
        self._task = self._bar.add_task("files", total=self._count, completed=self._done)
        self._shown = self._done
        self._bar.start()


def _is_tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False
