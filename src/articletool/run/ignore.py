"""Leaving files out: ``exclude`` patterns and ``.gitignore``.

``exclude`` patterns are gitignore patterns (``pathspec`` matches them),
relative to the settings file's folder. A pattern without ``/`` matches any
one name along the path (``drafts``, ``*.bak.md``); a pattern with ``/``
matches from the start of the relative path, ``**`` standing for any number
of folders (``source/_drafts``, ``**/tmp/*.md``). A matching folder leaves
out everything below it. As in ``.gitignore``, a trailing ``/`` matches
folders only, ``!`` takes a path back and ``\\`` escapes the next character.

What a named folder holds is matched by its path from the settings file's
folder, except by a pattern that matches the named folder itself (or a
folder above it): without ``/`` (``drafts``, ``_*``, ``**/tmp``) it is
matched against the path below the named folder, so that naming a folder
``exclude`` lists takes what it holds while ``_*`` still leaves out an
``_old`` folder inside it; with ``/`` (``source/_drafts``, ``source/**``) it
leaves nothing inside the named folder out.

``.gitignore`` is git's business, so git decides: the files found in folders
are passed to ``git check-ignore --stdin -z`` once per run, which applies
every ``.gitignore`` on the way, ``.git/info/exclude`` and the user's global
excludes, negations included, and never ignores a tracked file. Outside a
git work tree, or without git, nothing is left out this way.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on use: git_ignored, which every run asks, needs none of it
    from pathspec import GitIgnoreSpec

#: A spec and, for each of its patterns, its place in the ``exclude`` list.
_Part = tuple["GitIgnoreSpec", tuple[int, ...]]


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec  # ~20 ms to import

    return GitIgnoreSpec.from_lines(patterns)


def _unanchored(pattern: str) -> str:
    """``pattern`` without leading ``**/`` (which match in any folder, as no ``/`` does)."""
    while pattern.startswith("**/"):
        pattern = pattern[3:]
    return pattern


@functools.lru_cache(maxsize=256)
def _split(patterns: tuple[str, ...], folder: str) -> tuple[_Part, _Part]:
    """``patterns`` in two specs: those that do not match the named ``folder``
    (or a folder above it), matched against the path from the settings
    file's folder, and those without ``/`` (but a leading ``**/``) that do,
    matched against the path below ``folder``. Those with ``/`` that do are
    left out."""
    outer: list[int] = []
    inner: list[int] = []
    for i, pattern in enumerate(patterns):
        if not _spec((pattern,)).match_file(folder + "/"):
            outer.append(i)
        elif "/" not in _unanchored(pattern).rstrip("/"):
            inner.append(i)
    return (
        (_spec(tuple(patterns[i] for i in outer)), tuple(outer)),
        (_spec(tuple(patterns[i] for i in inner)), tuple(inner)),
    )


@dataclass(frozen=True, slots=True)
class Excluder:
    """Is a path left out by one of ``patterns`` (relative to ``base``)?"""

    patterns: tuple[str, ...]
    base: Path

    def __call__(self, path: Path, below: int = 0) -> bool:
        """Whether ``path`` is left out. With ``below``, its first ``below``
        names are a folder named on the command line (see :meth:`depth`):
        only what lies inside that folder can be left out."""
        if not self.patterns:
            return False
        parts = self._parts(path)
        if parts is None:
            parts, below = (path.name,), 0
        full = "/".join(parts)
        if below == 0:
            return _spec(self.patterns).match_file(full)
        folder, inside = "/".join(parts[:below]), "/".join(parts[below:])
        last, include = -1, False
        for (spec, places), text in zip(_split(self.patterns, folder), (full, inside), strict=True):
            found = spec.check_file(text)
            if found.index is not None and places[found.index] > last:
                last, include = places[found.index], bool(found.include)
        return include

    def depth(self, folder: Path) -> int:
        """How many names ``folder`` has below ``base`` (0 when outside it)."""
        parts = self._parts(folder)
        return 0 if parts is None else len(parts)

    def _parts(self, path: Path) -> tuple[str, ...] | None:
        try:
            relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.base))
        except ValueError:
            return None
        return PurePosixPath(*relative.parts).parts


def _work_tree(folder: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return Path(os.fsdecode(done.stdout.rstrip(b"\n")))


def git_ignored(paths: Sequence[Path], folder: Path) -> frozenset[Path]:
    """Those of ``paths`` that git ignores, asking the work tree that holds
    ``folder`` (none when it is not in one or git is missing)."""
    if not paths:
        return frozenset()
    top = _work_tree(folder)
    if top is None:
        return frozenset()
    inside = [p for p in paths if _is_below(p, top)]
    if not inside:
        return frozenset()
    payload = b"".join(os.fsencode(os.path.abspath(p)) + b"\0" for p in inside)
    done = subprocess.run(
        ["git", "check-ignore", "--stdin", "-z"],
        cwd=top,
        input=payload,
        capture_output=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        return frozenset()
    ignored = {os.fsdecode(n) for n in done.stdout.split(b"\0") if n}
    return frozenset(p for p in inside if os.path.abspath(p) in ignored)


def _is_below(path: Path, top: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(top))
    except ValueError:
        return False
    return True
