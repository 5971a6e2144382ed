"""Leaving files out: ``exclude`` globs and ``.gitignore``.

``exclude`` patterns are matched against paths relative to the settings
file's folder. A pattern without ``/`` matches any one name along the path
(``drafts``, ``*.bak.md``); a pattern with ``/`` matches from the start of
the relative path, ``**`` standing for any number of folders
(``source/_drafts``, ``**/tmp/*.md``). A matching folder leaves out
everything below it.

``.gitignore`` is git's business, so git decides: the files found in folders
are passed to ``git check-ignore --stdin -z`` once per run, which applies
every ``.gitignore`` on the way, ``.git/info/exclude`` and the user's global
excludes, negations included, and never ignores a tracked file. Outside a
git work tree, or without git, nothing is left out this way.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over ``/``-separated relative paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> tuple[bool, re.Pattern[str]]:
    anchored = "/" in pattern.rstrip("/")
    return anchored, glob_regex(pattern.strip("/"))


@dataclass(frozen=True, slots=True)
class Excluder:
    """Is a path left out by one of ``patterns`` (relative to ``base``)?"""

    patterns: tuple[str, ...]
    base: Path

    def __call__(self, path: Path, below: int = 0) -> bool:
        """Whether ``path`` is left out. With ``below``, its first ``below``
        names (a folder named on the command line, see :meth:`depth`) are
        not matched: only what lies inside that folder can be left out."""
        if not self.patterns:
            return False
        parts = self._parts(path)
        if parts is None:
            parts, below = (path.name,), 0
        for pattern in self.patterns:
            anchored, regex = _compiled(pattern)
            if anchored:
                prefixes = range(below + 1, len(parts) + 1)
                if any(regex.fullmatch("/".join(parts[:n])) for n in prefixes):
                    return True
            elif any(regex.fullmatch(part) for part in parts[below:]):
                return True
        return False

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
