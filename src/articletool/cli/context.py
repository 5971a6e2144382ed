"""Options and bookkeeping every subcommand shares."""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import os
import sys
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from articletool.config import Config, FileSettings, config_for
from articletool.errors import ArticleToolError, ExitCode, InputError, UsageError
from articletool.post.frontmatter import MAX_YAML_NODES
from articletool.run import files
from articletool.run.files import MAX_BYTES, Input

if TYPE_CHECKING:
    from articletool.run.runner import Progress

PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Post files, folders (searched recursively), or - for stdin.", show_default=False
    ),
]
JobsOpt = Annotated[
    int,
    typer.Option("--jobs", "-j", min=0, help="Worker processes; 0 means one per core."),
]
MaxBytesOpt = Annotated[
    int,
    typer.Option("--max-bytes", min=1, help="Refuse inputs larger than this many bytes."),
]
MaxYamlNodesOpt = Annotated[
    int,
    typer.Option(
        "--max-yaml-nodes",
        min=1,
        help="Refuse front matter that expands past this many YAML nodes.",
    ),
]
DEFAULT_JOBS = 0
DEFAULT_MAX_BYTES = MAX_BYTES
DEFAULT_MAX_YAML_NODES = MAX_YAML_NODES


def resolve_jobs(jobs: int) -> int:
    """``0`` means one worker per available core."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Status:
    """Collects the run's exit code; reports per-file errors as one line on stderr."""

    def __init__(self) -> None:
        self.code = ExitCode.OK
        self.errors = 0
        self.started = time.monotonic()

    def raise_to(self, code: ExitCode) -> None:
        if code == ExitCode.INPUT or self.code == ExitCode.OK:
            self.code = code

    def error(self, exc: ArticleToolError) -> None:
        self.errors += 1
        sys.stderr.write(f"{exc}\n")
        self.raise_to(exc.exit_code)

    def exit(self) -> None:
        if self.code != ExitCode.OK:
            raise typer.Exit(int(self.code))

    def summary(self, counts: Sequence[str], *, always: bool = False) -> None:
        """End the run with one line on stderr: ``counts`` (``3 files
        written``), the failures and, on a terminal, the time taken. Only on
        a terminal unless ``always``; a pipe or a log gets none."""
        terminal = _is_terminal(sys.stderr)
        if not (terminal or always):
            return
        line = ", ".join(counts)
        if self.errors or terminal:
            line += f", {self.errors} failed"
        if terminal:
            line += f" in {time.monotonic() - self.started:.1f}s"
        sys.stderr.write(line + "\n")


def files_count(count: int, what: str) -> str:
    """``1 file written``, ``3 files written``."""
    return f"{count} file{'' if count == 1 else 's'} {what}"


def _is_terminal(stream: typing.TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --- the run's context: settings, input selection, limits, progress ---------
# The command line builds one :class:`RunContext` per run (see :func:`wire`)
# and hands it to the command, which passes it down.


class Source(StrEnum):
    """What the inputs hold: posts, or the JSON Lines records ``extract`` writes."""

    POSTS = "posts"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class RunContext:
    """One run as the command line chose it: the settings file in effect,
    which inputs to take, the limits, the workers and the progress display."""

    config: Config = Config()  # noqa: RUF009 - an immutable named tuple
    #: ``None``: the defaults (made when first needed: they read the current folder).
    files: FileSettings | None = None
    source: Source = Source.POSTS
    #: Where ``--from jsonl`` writes the rebuilt posts for this run.
    spool: Path | None = None
    #: ``--force-exclude``: ``exclude`` and ``.gitignore`` apply to named paths too.
    force_exclude: bool = False
    #: Worker processes (already resolved: at least 1).
    jobs: int = 1
    max_bytes: int = DEFAULT_MAX_BYTES
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES
    #: Show a progress bar when stderr is a terminal (the script does; tests do not).
    progress: bool = False

    def progress_display(self) -> Progress | None:
        """The bar to show, when this run shows one and stderr is a terminal."""
        if not self.progress:
            return None
        from articletool.run.progress import for_terminal

        return for_terminal()

    def discover(
        self, paths: Sequence[str], suffixes: Iterable[str] | None = None, skip: Iterable[Path] = ()
    ) -> Iterator[Input | InputError]:
        """:func:`articletool.run.inputs.select` with this run's settings: suffixes,
        ``exclude`` globs and ``.gitignore`` from the configuration,
        ``--force-exclude``; with ``--from jsonl``, one input per record read
        from ``paths``."""
        if self.source is Source.JSONL:
            return _records(paths, self.spool)
        from articletool.run.inputs import select

        settings = self.files or FileSettings()
        return select(
            paths, settings, suffixes=suffixes, skip=skip, force_exclude=self.force_exclude
        )


def _records(paths: Sequence[str], folder: Path | None) -> Iterator[Input | InputError]:
    from articletool.post.records import read_records, spool  # only pipelines need it

    if folder is None:  # pragma: no cover - wire() sets it for --from jsonl
        raise UsageError("--from jsonl: no folder for the records")
    for item in files.discover(paths or [files.STDIN], (".jsonl", ".ndjson")):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            data = sys.stdin.buffer.read() if item.path is None else item.path.read_bytes()
        except OSError as exc:
            yield InputError(f"cannot read: {exc.strerror}", item.display)
            continue
        yield from spool(read_records(data, item.display), folder)


def read_file_list(name: str, null: bool) -> list[str]:
    """The paths listed in file ``name`` (``-``: stdin), one a line or, with
    ``null``, NUL-separated as ``find -print0`` writes them."""
    try:
        if name == files.STDIN:
            data = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        raise UsageError(f"--files-from: cannot read: {exc.strerror}", name) from None
    shown = "<stdin>" if name == files.STDIN else name
    if not null and b"\0" in data:
        raise UsageError("NUL byte in the file list; use -0", shown)
    parts = data.split(b"\0") if null else data.splitlines()
    return [os.fsdecode(p) for p in parts if p and (null or p.strip())]


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Read settings from FILE instead of looking for pyproject.toml / articletool.toml.",
        show_default=False,
    ),
]
IsolatedOpt = Annotated[
    bool,
    typer.Option("--isolated", "--no-config", help="Ignore every settings file."),
]
FilesFromOpt = Annotated[
    str | None,
    typer.Option(
        "--files-from",
        metavar="FILE",
        help="Also read PATHs from FILE (- for stdin), one a line.",
        show_default=False,
    ),
]
NullOpt = Annotated[
    bool,
    typer.Option("--null", "-0", help="--files-from holds NUL-separated paths (find -print0)."),
]
FromOpt = Annotated[
    Source,
    typer.Option(
        "--from",
        case_sensitive=False,
        help="posts: PATHs are posts; jsonl: PATHs (default: stdin) hold the records "
        "'extract --format jsonl' writes, each rebuilt into its post.",
    ),
]

ForceExcludeOpt = Annotated[
    bool,
    typer.Option(
        "--force-exclude",
        help="Apply exclude and .gitignore to the PATHs named too, not only to what "
        "folders hold (for pre-commit, which names every changed file).",
    ),
]

#: The limits every command over posts takes: passed down in the :class:`RunContext`.
_LIMITS: dict[str, tuple[Any, Any]] = {
    "jobs": (JobsOpt, DEFAULT_JOBS),
    "max_bytes": (MaxBytesOpt, DEFAULT_MAX_BYTES),
    "max_yaml_nodes": (MaxYamlNodesOpt, DEFAULT_MAX_YAML_NODES),
}
_EXTRA: dict[str, tuple[Any, Any]] = {
    "config_file": (ConfigOpt, None),
    "isolated": (IsolatedOpt, False),
    "files_from": (FilesFromOpt, None),
    "null": (NullOpt, False),
    "force_exclude": (ForceExcludeOpt, False),
}


def _section_defaults(
    ctx: typer.Context,
    name: str,
    config: Config,
    signature: inspect.Signature,
    kwargs: dict[str, Any],
) -> None:
    """Let ``[tool.articletool.NAME]`` supply the options the command line left alone."""
    section = config.section(name) if name in ("extract", "convert") else {}
    if not section:
        return
    by_flag = {opt: param.name for param in ctx.command.params for opt in param.opts if param.name}
    for key, value in section.items():
        param = by_flag.get(f"--{key}")
        source = ctx.get_parameter_source(param) if param is not None else None
        if param is None or source is None or source.name != "DEFAULT":
            continue
        kind = typing.get_args(signature.parameters[param].annotation)[0]
        kwargs[param] = coerce_setting(kind, value, key, config.header(name), config.where)


def coerce_setting(kind: Any, value: Any, key: str, table: str, where: str) -> Any:
    """A settings-file ``value`` as the option of type ``kind`` takes it
    (``table``: the table as the file spells it, for the message)."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        choices = [m.value for m in kind]
        if isinstance(value, str) and value.lower() in choices:
            return kind(value.lower())
        wanted = " or ".join(repr(c) for c in choices)
    elif kind is bool:
        if isinstance(value, bool):
            return value
        wanted = "true or false"
    else:  # pragma: no cover - every configurable option is an enum or a flag
        return value
    raise UsageError(f"{table} '{key}' must be {wanted}", where)


def wire(
    name: str,
    func: Callable[..., None],
    *,
    records: bool = False,
    limits: bool = True,
    progress: bool = False,
) -> Callable[..., None]:
    """``func`` with the options every command shares added: ``--jobs``,
    ``--max-bytes`` and ``--max-yaml-nodes`` (with ``limits``), ``--config``,
    ``--isolated``, ``--files-from``, ``-0`` (and ``--from`` with
    ``records``). PATH becomes optional (stdin for ``--from jsonl``). The
    wrapper finds the settings for the inputs, lets the command's section
    fill in its options, builds the run's :class:`RunContext` (``progress``:
    show a bar on a terminal) and calls ``func`` with it first."""
    signature = inspect.signature(func, eval_str=True)
    extra = {**(_LIMITS if limits else {}), **_EXTRA}
    if records:
        extra["from_format"] = (FromOpt, Source.POSTS)
    params = [
        p.replace(default=None) if p.name == "paths" else p
        for p in signature.parameters.values()
        if p.name != "context"
    ]
    params += [
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for key, (kind, default) in extra.items()
    ]
    params.append(
        inspect.Parameter("wired_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    )

    @functools.wraps(func)
    def command(**kwargs: Any) -> None:
        ctx: typer.Context = kwargs.pop("wired_ctx")
        options = {key: kwargs.pop(key) for key in extra}
        source = options.get("from_format", Source.POSTS)
        try:
            paths = list(kwargs.get("paths") or [])
            if options["files_from"] is not None:
                paths += read_file_list(options["files_from"], options["null"])
            elif options["null"]:
                raise UsageError("-0/--null goes with --files-from")
            if not paths and source is Source.POSTS and name != "config":
                raise UsageError("no PATH given (files, folders, - for stdin, or --files-from)")
            if paths.count(files.STDIN) + (options["files_from"] == files.STDIN) > 1:
                raise UsageError("stdin (-) can be read only once")
            if source is Source.JSONL and kwargs.get("in_place"):
                raise UsageError("--from jsonl cannot rewrite in place: use -o DIR")
            config = config_for(paths, options["config_file"], options["isolated"])
            _section_defaults(ctx, name, config, signature, kwargs)
            files_settings = config.files
        except ArticleToolError as exc:
            where = f"{exc.path}: " if exc.path else ""
            sys.stderr.write(f"articletool {name}: {where}{exc.message}\n")
            raise typer.Exit(int(ExitCode.INPUT)) from None
        kwargs["paths"] = paths
        with contextlib.ExitStack() as stack:
            folder = None
            if source is Source.JSONL:
                import tempfile  # only pipelines need it

                made = stack.enter_context(tempfile.TemporaryDirectory(prefix="articletool-"))
                folder = Path(made)
            context = RunContext(
                config,
                files_settings,
                source,
                folder,
                options["force_exclude"],
                resolve_jobs(options.get("jobs", 1)),
                options.get("max_bytes", DEFAULT_MAX_BYTES),
                options.get("max_yaml_nodes", DEFAULT_MAX_YAML_NODES),
                progress,
            )
            try:
                func(context, **kwargs)
            except BrokenPipeError:
                if not _stdout_closed():
                    raise
                # The reader went away (| head): end quietly, as cat does.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise typer.Exit(int(ExitCode.OK)) from None
            except KeyboardInterrupt as exc:
                sys.stderr.write(interrupted_message(exc))
                raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (what a
    :class:`BrokenPipeError` from anything else must not be taken for)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no file descriptor behind stdout
        return False


def interrupted_message(exc: KeyboardInterrupt) -> str:
    """The line a run stopped by Ctrl-C or SIGTERM ends with."""
    from articletool.run.runner import Interrupted

    done = ""
    if isinstance(exc, Interrupted):
        done = f" after {exc.done} file{'' if exc.done == 1 else 's'}"
    return f"articletool: interrupted{done}; no file is half-written (each is old or new)\n"


#: The ``Examples:`` shown at the end of each command's ``--help``.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "validate": (
        "articletool validate source/_posts",
        "articletool validate --required title,date,author --format github source/_posts",
        "git diff --name-only -z | articletool validate --files-from - -0",
        "articletool validate --infer-schema source/_posts > post.schema.json",
    ),
    "clean": (
        "articletool clean --check --explain source/_posts",
        "articletool clean --in-place source/_posts",
        "articletool clean post.md > cleaned.md",
    ),
    "extract": (
        "articletool extract post.md",
        "articletool extract --format jsonl source/_posts | jq -r .title",
        "articletool extract --images-only post.md",
    ),
    "convert": (
        "articletool convert --to md -o out/ source/_posts",
        "articletool extract -f jsonl source/_posts | jq -c . | "
        "articletool convert --from jsonl -o out/",
        "find source -name '*.md' -print0 | articletool convert --files-from - -0 -o out/",
    ),
    "config": (
        "articletool config",
        "articletool config --format json source/_posts | jq .validate.required",
    ),
}


def epilog(name: str) -> str:
    """The examples of command ``name`` as a help epilog (kept as written)."""
    # "\b" keeps click from rewrapping the paragraph.
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[name])
