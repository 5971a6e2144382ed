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
import functools
import os
import re
import signal
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from articletool.errors import InputError, LimitError, UsageError

POST_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".txt", ".html", ".htm")
STDIN = "-"
#: Default ceiling on one input's size.
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Input:
    """One post to read: a file at ``path``, or standard input (no path).

    ``root`` is the folder its path is mirrored below (in ``-o DIR`` and in
    the records' ``relative``): the common folder of the run's PATHs (see
    :func:`mirror_base`), so that every input has its own output."""

    display: str
    path: Path | None = None
    root: Path | None = None

    @property
    def is_stdin(self) -> bool:
        return self.path is None

    @property
    def relative(self) -> Path:
        """The path below ``root`` (for mirroring to ``-o``); the file's name
        alone when it lies outside ``root`` or has none."""
        if self.path is None:
            return Path("stdin")
        if self.root is not None:
            below = _below(os.fspath(self.path), os.fspath(self.root))
            if below is not None:
                return Path(below)
        return Path(self.path.name)


def _below(full: str, base: str) -> str | None:
    """``full`` relative to the folder ``base`` (``None`` when outside it).

    Worked out on the path's text where it starts with the folder's own (the
    case of every file found by walking a folder), else from absolute paths."""
    if full.startswith(base) and full[len(base) : len(base) + 1] == os.sep and base != ".":
        return full[len(base) + 1 :]
    try:
        relative = os.path.relpath(os.path.abspath(full), os.path.abspath(base))
    except ValueError:  # pragma: no cover - another drive, on Windows
        return None
    if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative


def mirror_base(paths: Iterable[str]) -> Path:
    """The folder outputs mirror the inputs below: the deepest folder holding
    every PATH (a folder counts as itself, a file as its folder; ``-`` and
    missing paths do not count), spelled as the PATHs are where they agree
    (all relative or all absolute)."""
    folders: list[str] = []
    for name in paths:
        if name == STDIN:
            continue
        if os.path.isdir(name):
            folders.append(name)
        elif os.path.lexists(name):
            folders.append(os.path.dirname(name) or os.curdir)
    if not folders:
        return Path(os.curdir)
    try:
        common = os.path.commonpath(folders)
    except ValueError:  # absolute and relative mixed
        common = os.path.commonpath([os.path.abspath(f) for f in folders])
    return Path(common or os.curdir)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_path(path: Path) -> str:
    """A path as people should see it: undecodable bytes and control characters
    (a newline in a file name would split a one-line message) escaped."""
    text = os.fsdecode(path) if not isinstance(path, str) else path
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def walk(
    folder: Path,
    suffixes: tuple[str, ...],
    skip: frozenset[Path] = frozenset(),
    root: Path | None = None,
    skipped: Counter[str] | None = None,
) -> Iterator[Input | InputError]:
    """The posts below ``folder`` (files with one of ``suffixes``, lower
    case), mirrored below ``root`` (default: ``folder``), in a stable order:
    a folder's files before its subfolders'. Hidden entries and the folders
    in ``skip`` (resolved) are not entered. ``skipped``, when given, counts
    what was passed over: each suffix (``""``: none) and ``"hidden"``."""
    root = folder if root is None else root
    seen: set[tuple[int, int]] = set()
    stack = [folder]
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
                if skipped is not None:
                    skipped["hidden"] += 1
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
            elif is_file:
                suffix = path.suffix.lower()
                if suffix in suffixes:
                    yield Input(display_path(path), path, root)
                elif skipped is not None:
                    skipped[suffix] += 1
        stack.extend(reversed(folders))


def discover(
    paths: Sequence[str],
    suffixes: Iterable[str] = POST_SUFFIXES,
    skip: Iterable[Path] = (),
) -> Iterator[Input | InputError]:
    """Yield the posts named by ``paths`` in a stable order, and errors inline.

    A file named on the command line is taken whatever its suffix; folders
    contribute files with one of ``suffixes``. Folders in ``skip`` (an output
    folder inside the input, say) are not entered. Every input is mirrored
    below :func:`mirror_base` of ``paths``. (The command line's choice of
    inputs, with ``exclude`` and ``.gitignore``, is
    :func:`articletool.run.inputs.select`.)
    """
    wanted = tuple(s.lower() for s in suffixes)
    skipped = frozenset(p.resolve() for p in skip)
    base = mirror_base(paths)
    for name in paths:
        if name == STDIN:
            yield Input("<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            yield from walk(path, wanted, skipped, base)
        elif path.exists():
            yield Input(display_path(path), path, base)
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
    """Make sure ``out_dir`` can be used as an output folder, before any post
    is read: it is a folder or can be made one (no file on its way), and the
    nearest folder of it that exists takes a new file (tried, then removed).
    A :class:`UsageError` naming the folder otherwise."""
    shown = f"-o {display_path(out_dir)}"
    folder = out_dir
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        if folder == out_dir:
            raise UsageError(f"{shown}: exists and is not a folder")
        raise UsageError(f"{shown}: {display_path(folder)} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".articletool-probe-", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        where = "" if folder == out_dir else f" (in {display_path(folder)})"
        raise UsageError(f"{shown}: cannot write{where}: {exc.strerror}") from None


def plan_outputs(items: Sequence[Input], out_dir: Path, suffix: str | None = None) -> None:
    """Refuse (:class:`UsageError`, one line naming both) a run in which two
    inputs would be written to one output below ``out_dir``, or an output
    would replace its own input; before anything is written."""
    shown = f"-o {display_path(out_dir)}"
    sources = {os.path.abspath(i.path) for i in items if i.path is not None}
    taken: dict[str, str] = {}
    for item in items:
        written = output_path(item, out_dir, suffix)
        target = os.path.abspath(written)
        if target in taken:
            raise UsageError(
                f"{taken[target]} and {item.display} would both be written to "
                f"{display_path(Path(written))}",
                shown,
            )
        if target in sources:
            raise UsageError(
                f"{item.display} would be replaced by its own output: "
                "choose another folder (or --in-place)",
                shown,
            )
        taken[target] = item.display


def output_path(item: Input, out_dir: Path, suffix: str | None = None) -> str:
    """Where ``item``'s result goes below ``out_dir``: its path below its
    ``root`` (see :attr:`Input.relative`), with its suffix (``Path.suffix``
    of the input) replaced when one is given, as ``Path.with_suffix`` would.
    The one rule for output paths: :func:`plan_outputs` checks a run's
    outputs with it.

    The relative path ends with the input's name, so its suffix is cut off
    the text rather than by a new ``Path(relative).with_suffix(suffix)``: that
    costs ~6 us against ~0.5 us, and output_path runs twice per post (plan
    and write), ~1.6% of ``convert -j 1``, which its budget could not spare."""
    path, root = item.path, item.root
    relative = None
    if path is not None and root is not None:
        relative = _below(os.fspath(path), os.fspath(root))
    if relative is None:
        relative = os.fspath(item.relative)
    if suffix is not None:
        old = "" if path is None else path.suffix
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


@functools.lru_cache(maxsize=1024)
def _make_folder(folder: str) -> None:
    """Make sure ``folder`` exists, once per folder rather than once per file
    (``os.makedirs`` on a folder that exists costs ~11 us, ~2% of a post)."""
    os.makedirs(folder, exist_ok=True)


_ABSENT = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}


_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def _open_temp(folder: str, name: str) -> tuple[int, str]:
    """Create a new temporary file beside ``name`` in ``folder`` (hidden, so
    that no walk takes it for a post); return (fd, path).

    The name is the target's and the process id: a process writes one file
    at a time, so the name is free unless a killed process with our id left
    it, or another thread writes the same target; then ``tempfile.mkstemp``
    picks one. Trying the plain name first is a shortcut that earns its
    place: ``mkstemp`` for every file made ``convert -j 1`` about 5% slower
    (CPU time over the 10,000-post work corpus, 5.84 s against 5.55 s)."""
    tmp = f"{folder}{os.sep}.{name}.{os.getpid()}.tmp"
    try:
        return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
    except FileExistsError:
        return tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)


def _umask() -> int:
    """The process's umask. ``os.umask`` can only read it by setting it, so it
    is set to the strictest mask while it is read and put back at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


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
    _make_folder(folder)
    # The file is made 0o600; it takes the replaced file's permissions, or
    # (a new file) 0o666 less the umask, as open() would have made it.
    if mode is None:
        mode = 0o666 & ~_umask()
        replacing = False
    else:
        replacing = True
    try:
        fd, tmp = _open_temp(folder, name)
    except FileNotFoundError:  # the folder went away since we made it
        os.makedirs(folder, exist_ok=True)
        fd, tmp = _open_temp(folder, name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if replacing:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
