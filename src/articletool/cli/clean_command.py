"""`articletool clean`: rewrite posts without scraper debris, safely."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from articletool.cleaning.body import Change, CleanSettings
from articletool.cleaning.rewrite import clean_post, verify
from articletool.cleaning.rules import RULES
from articletool.cli.context import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_YAML_NODES,
    PathsArg,
    RunContext,
    Status,
    files_count,
)
from articletool.config import SECTION_KEYS, Config, check_section
from articletool.errors import ArticleToolError, ExitCode, InputError, UsageError
from articletool.post.load import parse_post
from articletool.run import files
from articletool.run.files import (
    Input,
    check_output_dir,
    output_path,
    plan_outputs,
    read_bytes,
    write_atomic,
)
from articletool.run.runner import map_inputs

#: Keys understood in ``[tool.articletool.clean]``.
CONFIG_KEYS = SECTION_KEYS["clean"]


class Mode(StrEnum):
    STDOUT = "stdout"
    IN_PLACE = "in-place"
    OUTPUT_DIR = "output-dir"
    CHECK = "check"
    DIFF = "diff"


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs to clean one input (frozen, picklable)."""

    settings: CleanSettings
    mode: Mode
    out_dir: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input."""

    display: str
    changes: tuple[Change, ...] = ()
    error: ArticleToolError | None = None
    #: The cleaned bytes, for stdout mode.
    output: bytes | None = None
    diff: str = ""
    written: bool = field(default=False)


def _diff(path: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), path, path
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def clean_input(job: Job, item: Input) -> Outcome:
    """Read, clean, check and (in the writing modes) write one input: a batch of one."""
    return clean_inputs(job, [item])[0]


def clean_inputs(job: Job, items: list[Input]) -> list[Outcome]:
    """Read, clean, check and (in the writing modes) write each of ``items``.

    The worker for :func:`map_inputs`: never raises for bad input."""
    return [_clean(job, item) for item in items]


def _clean(job: Job, item: Input) -> Outcome:
    try:
        data = read_bytes(item, job.max_bytes)
        post = parse_post(data, item.display, job.max_yaml_nodes)
        result = clean_post(post, job.settings)
        verify(post, result, job.settings)
    except ArticleToolError as exc:
        return Outcome(item.display, error=exc.located(item.display))
    new = post.source.encode(result.text) if result.changed else data
    if job.mode is Mode.STDOUT:
        return Outcome(item.display, result.changes, output=new)
    if job.mode is Mode.DIFF:
        return Outcome(
            item.display, result.changes, diff=_diff(item.display, post.text, result.text)
        )
    if job.mode is Mode.CHECK:
        return Outcome(item.display, result.changes)
    try:
        if job.mode is Mode.OUTPUT_DIR and job.out_dir is not None:
            write_atomic(output_path(item, job.out_dir), new)
        elif result.changed and item.path is not None:
            write_atomic(item.path.resolve(), new)  # through a symlink, not over it
        else:
            return Outcome(item.display, result.changes)
    except OSError as exc:
        failure = ArticleToolError(f"cannot write: {exc.strerror or exc}", item.display)
        return Outcome(item.display, result.changes, error=failure)
    return Outcome(item.display, result.changes, written=True)


# --- settings ---------------------------------------------------------------


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


def _strings(section: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    return tuple(section.get(key, []))


def build_settings(
    section: dict[str, Any],
    where: str,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    proxy_prefixes: list[str] | None = None,
    lazy_attrs: list[str] | None = None,
    upgrade: bool | None = None,
) -> CleanSettings:
    """Merge ``[tool.articletool.clean]`` and the flags (flags win; extra
    prefixes and attributes from both are used, the flags' first)."""
    check_section("clean", section, where)
    file_upgrade = section.get("upgrade-http", False)
    return CleanSettings(
        select=_split(select) if select else _strings(section, "select", where),
        ignore=_split(ignore) if ignore else _strings(section, "ignore", where),
        extra_proxy_prefixes=(*_split(proxy_prefixes), *_strings(section, "proxy-prefixes", where)),
        extra_lazy_attrs=(*_split(lazy_attrs), *_strings(section, "lazy-attrs", where)),
        upgrade_http=file_upgrade if upgrade is None else upgrade,
    )


def settings_from_config(config: Config, **flags: Any) -> CleanSettings:
    """Settings from the run's settings file ``config`` plus ``flags``."""
    return build_settings(config.section("clean"), str(config.path or "configuration"), **flags)


# --- the command ------------------------------------------------------------


def _explain(outcome: Outcome) -> None:
    for change in outcome.changes:
        sys.stderr.write(f"{outcome.display}: {change.rule}: {change.detail}\n")


def _mode(in_place: bool, out_dir: Path | None, check: bool, diff: bool) -> Mode:
    chosen = [
        m for m, on in ((Mode.IN_PLACE, in_place), (Mode.OUTPUT_DIR, out_dir is not None)) if on
    ]
    if check or diff:
        if chosen:
            raise UsageError("--check and --diff never write: drop --in-place / -o")
        return Mode.DIFF if diff else Mode.CHECK
    if len(chosen) > 1:
        raise UsageError("choose one of --in-place and -o")
    return chosen[0] if chosen else Mode.STDOUT


def run(context: RunContext, paths: list[str], job: Job, explain: bool, check: bool) -> ExitCode:
    """Clean ``paths`` as ``job`` says; report; return the exit code."""
    status = Status()
    if job.out_dir is not None and any(
        Path(p).resolve() == job.out_dir.resolve() for p in paths if p != "-"
    ):
        raise UsageError("-o names an input folder: use --in-place to rewrite the inputs")
    if job.mode is Mode.IN_PLACE and files.STDIN in paths:
        raise UsageError("--in-place cannot rewrite stdin (-): drop --in-place, or use -o DIR")
    skip = [job.out_dir] if job.out_dir is not None else []
    found = context.discover(paths, skip=skip)
    items: Iterable[Input | InputError] = found
    if job.mode is Mode.STDOUT:
        items = list(found)
        if sum(isinstance(i, Input) for i in items) > 1:
            raise UsageError("several inputs: use --in-place, -o DIR, --check or --diff")
    elif job.out_dir is not None:  # every output known before the first is written
        items = list(found)
        plan_outputs([i for i in items if isinstance(i, Input)], job.out_dir)
    changed = unchanged = 0
    for outcome in map_inputs(
        partial(clean_inputs, job), items, context.jobs, context.progress_display()
    ):
        if not isinstance(outcome, Outcome):
            status.error(outcome)
            continue
        if outcome.error is not None:
            status.error(outcome.error)
            continue
        if explain:
            _explain(outcome)
        if outcome.changes:
            changed += 1
        else:
            unchanged += 1
        if outcome.output is not None:
            sys.stdout.buffer.write(outcome.output)
            sys.stdout.flush()
        elif job.mode is Mode.DIFF and outcome.diff:
            sys.stdout.write(outcome.diff)
        elif job.mode is Mode.CHECK and outcome.changes:
            sys.stdout.write(f"{outcome.display}\n")
    verb = "would be cleaned" if job.mode in (Mode.CHECK, Mode.DIFF) else "cleaned"
    status.summary(
        [files_count(changed, verb), f"{unchanged} unchanged"], always=job.mode is not Mode.STDOUT
    )
    if check and changed:
        status.raise_to(ExitCode.FINDINGS)
    return status.code


def _list_rules(value: bool) -> None:
    if value:
        for rule in RULES.values():
            default = "" if rule.default else " (off by default)"
            sys.stdout.write(f"{rule.name}\t{rule.summary}{default}\n")
        raise typer.Exit()


InPlaceOpt = Annotated[
    bool, typer.Option("--in-place", "-i", help="Rewrite the files themselves (atomically).")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="DIR",
        help="Write cleaned posts below DIR, mirroring the input tree.",
        show_default=False,
    ),
]
CheckOpt = Annotated[
    bool,
    typer.Option("--check", help="Write nothing; list files that would change; exit 1 if any."),
]
DiffOpt = Annotated[bool, typer.Option("--diff", help="Write nothing; print a unified diff.")]
ExplainOpt = Annotated[
    bool, typer.Option("--explain", help="List on stderr, per file, what each rule changed.")
]
RulesOpt = Annotated[
    list[str] | None,
    typer.Option(metavar="RULES", help="Comma-separated rule names.", show_default=False),
]
ProxyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--proxy-prefix",
        metavar="PREFIX",
        help="Another image-proxy prefix to strip (repeatable).",
        show_default=False,
    ),
]
LazyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lazy-attr",
        metavar="ATTR",
        help="Another attribute holding a lazy image's address (repeatable).",
        show_default=False,
    ),
]
UpgradeOpt = Annotated[
    bool | None,
    typer.Option(
        "--upgrade-http/--no-upgrade-http",
        help="Rewrite http:// image addresses to https:// (off by default).",
        show_default=False,
    ),
]
ListRulesOpt = Annotated[
    bool,
    typer.Option(
        "--list-rules", callback=_list_rules, is_eager=True, help="List the rules and exit."
    ),
]


def command(
    context: RunContext,
    paths: PathsArg,
    in_place: InPlaceOpt = False,
    output: OutputOpt = None,
    check: CheckOpt = False,
    diff: DiffOpt = False,
    explain: ExplainOpt = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="RULES", help="Run only these rules (comma-separated)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="RULES", help="Skip these rules (comma-separated)."),
    ] = None,
    proxy_prefix: ProxyOpt = None,
    lazy_attr: LazyOpt = None,
    upgrade_http: UpgradeOpt = None,
    list_rules: ListRulesOpt = False,
) -> None:
    """Remove scraper debris from posts; one input goes to stdout.

    Every file passes a safety check first (same visible text, and a second
    cleaning changes nothing); a file that fails is reported and left alone.
    Settings come from [tool.articletool.clean]; flags override them.

    Example: articletool clean --check --explain source/_posts
    """
    try:
        settings = settings_from_config(
            context.config,
            select=select,
            ignore=ignore,
            proxy_prefixes=proxy_prefix,
            lazy_attrs=lazy_attr,
            upgrade=upgrade_http,
        )
        mode = _mode(in_place, output, check, diff)
        if output is not None:
            check_output_dir(output)
        job = Job(settings, mode, output, context.max_bytes, context.max_yaml_nodes)
        code = run(context, paths, job, explain, check)
    except UsageError as exc:
        where = f"{exc.path}: " if exc.path else ""
        sys.stderr.write(f"articletool clean: {where}{exc.message}\n")
        raise typer.Exit(int(ExitCode.INPUT)) from None
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
