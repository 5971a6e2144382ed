"""The file layer: finding posts, reading them, writing results safely.

Only this module touches the file system. A PATH argument may be a file, a
folder (searched recursively, hidden entries skipped, symlink loops broken) or
``-`` for standard input. Writes are atomic: a temporary file in the target's
folder, flushed, given the original permissions, then renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, LimitError, UsageError

POST_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".txt", ".html", ".htm")
STDIN = "-"
#: Default ceiling on one input's size.
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Input:
    """One post to read: a file found under ``root``, or standard input."""

    display: str
    path: Path | None = None
    root: Path | None = None

    @property
    def is_stdin(self) -> bool:
        return self.path is None

    @property
    def relative(self) -> Path:
        """The path below the folder it was found in (for mirroring to ``-o``)."""
        if self.path is None:
            return Path("stdin")
        if self.root is None:
            return Path(self.path.name)
        return self.path.relative_to(self.root)


def display_path(path: Path) -> str:
    """A path as people should see it: with undecodable bytes escaped."""
    text = os.fsdecode(path) if not isinstance(path, str) else path
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _walk(
    root: Path, suffixes: tuple[str, ...], skip: frozenset[Path]
) -> Iterator[Input | InputError]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            yield InputError(f"cannot read folder: {exc.strerror}", display_path(folder))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue  # a symlink loop, or a folder linked twice
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield InputError(f"cannot list folder: {exc.strerror}", display_path(folder))
            continue
        folders: list[Path] = []
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if path.resolve() not in skip:
                    folders.append(path)
            elif is_file and path.suffix.lower() in suffixes:
                yield Input(display_path(path), path, root)
        stack.extend(reversed(folders))


def discover(
    paths: Sequence[str],
    suffixes: Iterable[str] = POST_SUFFIXES,
    skip: Iterable[Path] = (),
) -> Iterator[Input | InputError]:
    """Yield the posts named by ``paths`` in a stable order, and errors inline.

    A file named on the command line is taken whatever its suffix; folders
    contribute files with one of ``suffixes``. Folders in ``skip`` (an output
    folder inside the input, say) are not entered.
    """
    wanted = tuple(s.lower() for s in suffixes)
    skipped = frozenset(p.resolve() for p in skip)
    for name in paths:
        if name == STDIN:
            yield Input("<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            yield from _walk(path, wanted, skipped)
        elif path.exists():
            yield Input(display_path(path), path, None)
        else:
            yield InputError("no such file or folder", display_path(path))


def read_bytes(item: Input, max_bytes: int = MAX_BYTES) -> bytes:
    """Read an input's bytes, refusing anything larger than ``max_bytes``."""
    if item.path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            # O_NONBLOCK: opening a named pipe must not wait for a writer.
            fd = os.open(item.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
            with open(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise InputError("not a regular file", item.display)
                data = handle.read(max_bytes + 1)
        except IsADirectoryError:
            raise InputError("is a folder, not a post", item.display) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", item.display) from None
    if len(data) > max_bytes:
        raise LimitError(
            f"larger than the {max_bytes:,}-byte limit; raise it with --max-bytes", item.display
        )
    return data


def check_output_dir(out_dir: Path) -> None:
    """Make sure ``out_dir`` can be used as an output folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {display_path(out_dir)}: exists and is not a folder")


def output_path(item: Input, out_dir: Path, suffix: str | None = None) -> Path:
    """Where ``item``'s result goes below ``out_dir``, mirroring the input tree."""
    target = out_dir / item.relative
    return target.with_suffix(suffix) if suffix is not None else target


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done (main thread, POSIX).

    A signal that arrives meanwhile is delivered when the block ends, so an
    interrupted run stops between two files, never halfway through a write.
    """
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - not on POSIX
        yield
        return
    wanted = {signal.SIGINT, signal.SIGTERM}
    previous = mask(signal.SIG_BLOCK, wanted)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one.

    The temporary file lives in the same folder (so the rename is atomic) and
    takes the permissions of the file it replaces. SIGINT and SIGTERM wait
    until the file is in place and no temporary file is left. A symbolic link
    at ``path`` stays: the file it points to is the one rewritten.
    """
    with _signals_deferred():
        _write_atomic(_through_link(path), data)


def _through_link(path: Path) -> Path:
    """The file a symbolic link at ``path`` leads to, or ``path`` itself."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop: replace the link itself
        return path


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    import tempfile  # only writers need it (with random and math: ~3 ms at start-up)

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
