"""The file layer: finding posts, reading them, writing results safely.

Only this module touches the file system. A PATH argument may be a file, a
folder (searched recursively, hidden entries skipped, symlink loops broken) or
``-`` for standard input. Writes are atomic: a temporary file in the target's
folder, given the original permissions (and flushed to the disk when it
replaces a file), then renamed over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
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


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_path(path: Path) -> str:
    """A path as people should see it: undecodable bytes and control characters
    (a newline in a file name would split a one-line message) escaped."""
    text = os.fsdecode(path) if not isinstance(path, str) else path
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


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
            try:
                info = os.fstat(fd)
                if stat.S_ISDIR(info.st_mode):
                    raise IsADirectoryError
                if not stat.S_ISREG(info.st_mode):
                    raise InputError("not a regular file", item.display)
                # Asking for the size the file has (not the limit) spares a
                # buffer of max_bytes per read. Plain os.read on the
                # descriptor: no file object per input. Anything but the
                # size fstat gave (a file that grew, or a short read: over
                # 2 GiB, or on some network and FUSE file systems) is read
                # on to the end, up to the limit.
                size = min(info.st_size, max_bytes)
                data = os.read(fd, size + 1)
                if len(data) != size:
                    data = _read_on(fd, data, max_bytes + 1)
            finally:
                os.close(fd)
        except IsADirectoryError:
            raise InputError("is a folder, not a post", item.display) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", item.display) from None
    if len(data) > max_bytes:
        raise LimitError(
            f"larger than the {max_bytes:,}-byte limit; raise it with --max-bytes", item.display
        )
    return data


def _read_on(fd: int, data: bytes, limit: int) -> bytes:
    """Read on from ``fd`` after ``data`` while more comes, up to ``limit`` bytes."""
    while len(data) < limit:
        more = os.read(fd, limit - len(data))
        if not more:
            break
        data += more
    return data


def check_output_dir(out_dir: Path) -> None:
    """Make sure ``out_dir`` can be used as an output folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {display_path(out_dir)}: exists and is not a folder")


def output_path(item: Input, out_dir: Path, suffix: str | None = None) -> str:
    """Where ``item``'s result goes below ``out_dir``, mirroring the input tree
    (with its suffix replaced, as ``Path.with_suffix`` does, when one is given).

    Worked out on the path's text: for a file found in a folder, the path
    below it is the text after the folder's own."""
    path, root = item.path, item.root
    relative = None
    if path is not None and root is not None:
        full, base = os.fspath(path), os.fspath(root)
        if full.startswith(base) and full[len(base) : len(base) + 1] == os.sep:
            relative = full[len(base) + 1 :]
    if relative is None:
        relative = os.fspath(item.relative)
    if suffix is not None:
        name = relative[relative.rfind(os.sep) + 1 :]
        dot = name.rfind(".")
        old = name[dot:] if 0 < dot < len(name) - 1 else ""
        relative = relative[: len(relative) - len(old)] + suffix
    return os.path.join(out_dir, relative)


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one.

    The temporary file lives in the same folder (so the rename is atomic) and
    takes the permissions of the file it replaces. SIGINT and SIGTERM wait
    until the file is in place and no temporary file is left. A symbolic link
    at ``path`` stays: the file it points to is the one rewritten.

    When a file is replaced, its new content is flushed to the disk
    (``fsync``) before the rename, so that a crash cannot leave an empty
    file where the old one was. A new file has no old content to lose and is
    not flushed: that costs a disk round trip per file and buys nothing for
    the atomicity of the rename.
    """
    # SIGINT and SIGTERM are held back until the file is in place: a signal
    # that arrives meanwhile is delivered after, so an interrupted run stops
    # between two files, never halfway through a write.
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - not on POSIX
        _write_atomic(path, data)
        return
    previous = mask(signal.SIG_BLOCK, _DEFERRED)
    try:
        _write_atomic(path, data)
    finally:
        mask(signal.SIG_SETMASK, previous)


_DEFERRED = {signal.SIGINT, signal.SIGTERM}


def _through_link(path: Path) -> Path:
    """The file a symbolic link at ``path`` leads to, or ``path`` itself."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop: replace the link itself
        return path


#: Folders this process has made sure exist (one ``mkdir`` per folder, not per file).
_MADE: set[str] = set()
_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_temp_count = 0
_ABSENT = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}


def _open_temp(folder: str, name: str, mode: int) -> tuple[int, str]:
    """Create a new temporary file beside ``name`` in ``folder``; return (fd, path)."""
    global _temp_count
    while True:
        _temp_count += 1
        tmp = f"{folder}{os.sep}.{name}.{os.getpid()}-{_temp_count}.tmp"
        try:
            return os.open(tmp, _TEMP_FLAGS, mode), tmp
        except FileExistsError:  # left behind by a killed process with our pid
            continue


def _write_atomic(path: str | Path, data: bytes) -> None:
    target = os.fspath(path)
    try:
        info: os.stat_result | None = os.lstat(target)
    except OSError as exc:  # the errors Path.is_symlink() takes for "no"
        if exc.errno not in _ABSENT:
            raise
        info = None
    if info is not None and stat.S_ISLNK(info.st_mode):
        target = os.fspath(_through_link(Path(path)))
        try:
            info = os.stat(target)
        except FileNotFoundError:  # a dangling link: replaced itself
            info = None
    mode = None if info is None else stat.S_IMODE(info.st_mode)
    folder, name = os.path.split(target)
    folder = folder or "."
    if folder not in _MADE:
        os.makedirs(folder, exist_ok=True)
        _MADE.add(folder)
    # A new file is created with 0o666 less the umask, as open() would make it.
    create_mode = 0o600 if mode is not None else 0o666
    try:
        fd, tmp = _open_temp(folder, name, create_mode)
    except FileNotFoundError:  # the folder went away since we made it
        os.makedirs(folder, exist_ok=True)
        fd, tmp = _open_temp(folder, name, create_mode)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mode is not None:
                os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
