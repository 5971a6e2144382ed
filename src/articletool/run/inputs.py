"""What counts as an input: the posts a run's PATH arguments name.

The one place that decides it, for every command:

- A path named explicitly (on the command line, or in ``--files-from``) is
  always processed: ``exclude`` and ``.gitignore`` apply to what discovery
  finds inside a named folder, not to the folder or file named. With
  ``force_exclude`` (``--force-exclude``, for pre-commit, which names every
  changed file) they apply to the named paths too.
- When git ignores a named folder itself, git's rules say nothing about what
  is inside it (git never looks inside an ignored folder): every post found
  there is taken, ``exclude`` still applies below it.
- A named folder that contributes no post is an error,
  ``PATH: no posts found (N files skipped: ...)``, so that a wrong path does
  not pass as a clean run.

Files are found by :func:`articletool.run.files.walk`; git is asked in batches
(:func:`articletool.run.ignore.git_ignored`), so memory stays bounded however
large the archive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from articletool.config import FileSettings
from articletool.errors import InputError
from articletool.run.files import STDIN, Input, display_path, mirror_base, walk

if TYPE_CHECKING:
    from articletool.run.ignore import Excluder

Item = Input | InputError

#: Inputs asked about in one ``git check-ignore`` run.
IGNORE_BATCH = 2048
#: Suffixes named in a "no posts found" message, the most common first.
SHOWN_SUFFIXES = 4


class _Rules(NamedTuple):
    """The run's rules for leaving files out."""

    suffixes: tuple[str, ...]
    excluder: Excluder | None
    gitignore: bool
    force: bool
    skip: frozenset[Path]


def select(
    paths: Sequence[str],
    settings: FileSettings | None = None,
    *,
    suffixes: Iterable[str] | None = None,
    skip: Iterable[Path] = (),
    force_exclude: bool = False,
) -> Iterator[Item]:
    """The inputs ``paths`` name under ``settings``, in a stable order, with
    errors (a missing path, a folder with no post) in their places.

    ``suffixes`` overrides the settings' (what folders contribute); folders
    in ``skip`` (an output folder inside the input) are never entered."""
    settings = settings or FileSettings()
    excluder = None
    if settings.exclude:
        from articletool.run.ignore import Excluder  # imported on use: most runs exclude nothing

        excluder = Excluder(settings.exclude, settings.base or Path.cwd())
    rules = _Rules(
        tuple(s.lower() for s in (suffixes or settings.suffixes)),
        excluder,
        settings.respect_gitignore,
        force_exclude,
        frozenset(p.resolve() for p in skip),
    )
    base = mirror_base(paths)
    named: list[Input] = []  # named files waiting for git (with force_exclude)
    for name in paths:
        if name == STDIN:
            yield from _named_files(named, rules)
            yield Input("<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            yield from _named_files(named, rules)
            yield from _folder(path, base, rules)
        elif path.exists():
            item = Input(display_path(path), path, base)
            if not rules.force:
                yield item
            elif rules.excluder is None or not rules.excluder(path):
                named.append(item)
                if not rules.gitignore or len(named) >= IGNORE_BATCH:
                    yield from _named_files(named, rules)
        else:
            yield from _named_files(named, rules)
            yield InputError("no such file or folder", display_path(path))
    yield from _named_files(named, rules)


def _named_files(named: list[Input], rules: _Rules) -> Iterator[Input]:
    """The named files held back for git, less those it ignores; empties ``named``."""
    if not named:
        return
    batch = list(named)
    named.clear()
    ignored: frozenset[Path] = frozenset()
    if rules.gitignore:
        from articletool.run.ignore import git_ignored

        files = [i.path for i in batch if i.path is not None]
        ignored = git_ignored(files, files[0].parent)
    yield from (i for i in batch if i.path not in ignored)


def _folder(folder: Path, base: Path, rules: _Rules) -> Iterator[Item]:
    """The posts found in the named ``folder``; an error when there is none."""
    skipped: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    found = walk(folder, rules.suffixes, rules.skip, base, skipped)
    below = 0
    if rules.excluder is not None:
        below = 0 if rules.force else rules.excluder.depth(folder)
    #: None: git is still to be asked whether it ignores the folder itself.
    ask_git: bool | None = None if rules.gitignore else False
    kept = failed = 0
    batch: list[Item] = []
    for item in found:
        if _excluded(item, rules.excluder, below):
            left_out["excluded"] += 1
            continue
        batch.append(item)
        if len(batch) >= IGNORE_BATCH:
            ask_git = yield from _not_ignored(batch, folder, ask_git, rules.force, left_out)
            kept, failed = _counted(batch, kept, failed)
            batch = []
    if batch:
        ask_git = yield from _not_ignored(batch, folder, ask_git, rules.force, left_out)
        kept, failed = _counted(batch, kept, failed)
    if not kept and not failed:
        yield InputError(f"no posts found ({_why(skipped, left_out, rules)})", display_path(folder))


def _excluded(item: Item, excluder: Excluder | None, below: int) -> bool:
    if excluder is None or not isinstance(item, Input) or item.path is None:
        return False
    return excluder(item.path, below)


def _counted(batch: list[Item], kept: int, failed: int) -> tuple[int, int]:
    errors = sum(isinstance(i, InputError) for i in batch)
    return kept + len(batch) - errors, failed + errors


def _not_ignored(
    batch: list[Item], folder: Path, ask_git: bool | None, force: bool, left_out: Counter[str]
) -> Generator[Item, None, bool | None]:
    """Yield ``batch`` less what git ignores; leave in ``batch`` what was
    yielded. Returns whether git is still to be asked for the next batch of
    ``folder`` (not when git ignores the folder itself and ``force`` is off,
    nor outside a work tree)."""
    paths = [i.path for i in batch if isinstance(i, Input) and i.path is not None]
    if ask_git is False or not paths:
        yield from batch
        return ask_git
    from articletool.run.ignore import git_ignored

    asked = paths if ask_git else [folder, *paths]
    ignored = git_ignored(asked, folder)
    if ask_git is None and folder in ignored and not force:
        yield from batch  # the folder itself is ignored: named, so taken whole
        return False
    kept = [i for i in batch if not (isinstance(i, Input) and i.path in ignored)]
    left_out["ignored by git"] += len(batch) - len(kept)
    batch[:] = kept
    yield from kept
    return True


def _why(skipped: Counter[str], left_out: Counter[str], rules: _Rules) -> str:
    """What a folder without posts held: ``3 files skipped: 2 .mdx, 1 excluded``."""
    hidden = skipped.pop("hidden", 0)
    parts = []
    suffixes = skipped.most_common()
    for suffix, count in suffixes[:SHOWN_SUFFIXES]:
        parts.append(f"{count} {suffix or 'without suffix'}")
    if len(suffixes) > SHOWN_SUFFIXES:
        parts.append(f"{sum(c for _, c in suffixes[SHOWN_SUFFIXES:])} other")
    parts.extend(f"{count} {why}" for why, count in left_out.items() if count)
    if hidden:
        parts.append(f"{hidden} hidden")
    total = sum(skipped.values()) + sum(left_out.values()) + hidden
    if not total:
        return "the folder is empty"
    noun = "file" if total == 1 else "files"
    text = f"{total} {noun} skipped: {', '.join(parts)}"
    if skipped:
        text += f"; posts end in {', '.join(rules.suffixes)}"
    return text
