"""`articletool validate`: check posts' front matter against the rule registry."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from articletool.cli.context import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_YAML_NODES,
    PathsArg,
    RunContext,
    Status,
)
from articletool.config import SECTION_KEYS, check_section
from articletool.errors import ArticleToolError, ExitCode, UsageError
from articletool.run.files import Input
from articletool.run.runner import map_inputs
from articletool.urls import PROXY_PREFIXES
from articletool.validate.checks import DEFAULT_REQUIRED
from articletool.validate.engine import FileResult, Settings, check_input, select_codes
from articletool.validate.report import Format, Reporter, Tally, write_summary
from articletool.validate.schema import read_schema

#: Keys understood in ``[tool.articletool.validate]``.
CONFIG_KEYS = SECTION_KEYS["validate"]

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text: path:line:col: CODE message; json: one array; github: Actions annotations.",
    ),
]
RequiredOpt = Annotated[
    str | None,
    typer.Option(
        "--required",
        metavar="FIELDS",
        help="Comma-separated fields every post must have (default: title,date).",
        show_default=False,
    ),
]
SelectOpt = Annotated[
    str | None,
    typer.Option(
        "--select",
        metavar="CODES",
        help="Comma-separated rule codes or prefixes to run (default: all).",
        show_default=False,
    ),
]
IgnoreOpt = Annotated[
    str | None,
    typer.Option(
        "--ignore",
        metavar="CODES",
        help="Comma-separated rule codes or prefixes to skip.",
        show_default=False,
    ),
]
SchemaOpt = Annotated[
    str | None,
    typer.Option(
        "--schema",
        metavar="FILE",
        help="A JSON Schema every post's front matter must satisfy (FM5xx); '' for none.",
        show_default=False,
    ),
]
InferSchemaOpt = Annotated[
    bool,
    typer.Option(
        "--infer-schema",
        help="Print a JSON Schema the front matter of every post in PATHs satisfies, "
        "as tight as they allow (a draft to commit and loosen), instead of checking.",
    ),
]
StrictOpt = Annotated[
    bool | None,
    typer.Option(
        "--strict/--no-strict",
        help="Let warnings fail the run (exit 1) too.",
        show_default=False,
    ),
]


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _names(section: dict[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    value = section.get(key)
    return None if value is None else tuple(value)


def build_settings(
    section: dict[str, Any],
    where: str,
    *,
    required: str | None,
    select: str | None,
    ignore: str | None,
    strict: bool | None,
    now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES,
    extra_proxy_prefixes: tuple[str, ...] = (),
    schema: str | None = None,
    base: Path | None = None,
) -> tuple[Settings, bool]:
    """Merge the config file's section and the flags (flags win) into settings.

    ``schema`` (the ``--schema`` flag) is relative to the current folder; the
    section's ``schema`` to ``base``, the settings file's folder."""
    check_section("validate", section, where)
    if schema is not None:
        chosen_schema = read_schema(schema, Path.cwd(), where, "--schema")
    else:
        chosen_schema = read_schema(
            section.get("schema", ""), base or Path.cwd(), where, "[validate] 'schema'"
        )
    file_strict = section.get("strict", False)
    fields = _split(required) if required is not None else _names(section, "required", where)
    chosen = _split(select) if select is not None else _names(section, "select", where)
    skipped = _split(ignore) if ignore is not None else _names(section, "ignore", where)
    settings = Settings(
        now=now,
        required=DEFAULT_REQUIRED if fields is None else fields,
        codes=select_codes(chosen or (), skipped or ()),
        max_bytes=max_bytes,
        max_yaml_nodes=max_yaml_nodes,
        proxy_prefixes=(*PROXY_PREFIXES, *extra_proxy_prefixes),
        schema=chosen_schema,
    )
    return settings, file_strict if strict is None else strict


def check_inputs(settings: Settings, items: list[Input]) -> list[FileResult]:
    """Read, parse and check each of ``items``: the worker for ``map_inputs``."""
    return [check_input(settings, item) for item in items]


def _usage_exit(exc: ArticleToolError) -> NoReturn:
    shown = str(exc) if exc.path else exc.message  # path:line:col: message
    sys.stderr.write(f"articletool validate: {shown}\n")
    raise typer.Exit(int(ExitCode.INPUT))


def run(
    context: RunContext, paths: Sequence[str], settings: Settings, fmt: Format, strict: bool
) -> ExitCode:
    """Check ``paths``, write findings to stdout and the summary to stderr."""
    status = Status()
    tally = Tally()
    reporter = Reporter(fmt, sys.stdout)
    work = partial(check_inputs, settings)
    for result in map_inputs(
        work, context.discover(paths), context.jobs, context.progress_display()
    ):
        if isinstance(result, FileResult) and result.error is None:
            reporter.findings(result.findings)
            tally.add(result.findings)
            continue
        failure = result.error if isinstance(result, FileResult) else result
        if failure is not None:
            tally.unreadable += 1
            status.error(failure)
    reporter.close()
    if fmt is Format.TEXT:
        write_summary(tally)
    if tally.errors or (strict and tally.warnings):
        status.raise_to(ExitCode.FINDINGS)
    return status.code


def infer(context: RunContext, paths: Sequence[str]) -> ExitCode:
    """Read ``paths``, write the inferred schema to stdout and a line on stderr."""
    import json

    from articletool.validate.infer import FrontMatterRead, Inference, read_front_matters

    status = Status()
    inference = Inference()
    work = partial(read_front_matters, (context.max_bytes, context.max_yaml_nodes))
    for result in map_inputs(work, context.discover(paths), context.jobs):
        if isinstance(result, FrontMatterRead) and result.error is None:
            inference.add(result.data)
            continue
        failure = result.error if isinstance(result, FrontMatterRead) else result
        if failure is not None:
            status.error(failure)
    if not inference.posts:
        sys.stderr.write("articletool validate: no front matter to infer a schema from\n")
        return ExitCode.INPUT
    sys.stdout.write(json.dumps(inference.schema(), ensure_ascii=False, indent=2) + "\n")
    left_out = [f"{inference.without} without front matter"] if inference.without else []
    if status.errors:
        left_out.append(f"{status.errors} that could not be read")
    note = f" ({', '.join(left_out)} left out)" if left_out else ""
    posts = inference.posts
    sys.stderr.write(f"schema inferred from {posts} post{'' if posts == 1 else 's'}{note}\n")
    return status.code


def command(
    context: RunContext,
    paths: PathsArg,
    output_format: FormatOpt = Format.TEXT,
    required: RequiredOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    strict: StrictOpt = None,
    schema: SchemaOpt = None,
    infer_schema: InferSchemaOpt = False,
) -> None:
    """Check each post's front matter; exit 1 if any error is found.

    Settings come from [tool.articletool.validate] in pyproject.toml or
    articletool.toml (found by walking up from the inputs); the flags
    override them. With --infer-schema, print a JSON Schema that the posts'
    front matter satisfies instead.
    """
    if infer_schema:
        code = infer(context, paths)
        if code != ExitCode.OK:
            raise typer.Exit(int(code))
        return
    try:
        config = context.config
        settings, strict_mode = build_settings(
            config.section("validate"),
            str(config.path or "configuration"),
            required=required,
            select=select,
            ignore=ignore,
            strict=strict,
            now=datetime.now(UTC),
            max_bytes=context.max_bytes,
            max_yaml_nodes=context.max_yaml_nodes,
            extra_proxy_prefixes=config.strings("proxy-prefixes"),
            schema=schema,
            base=config.path.parent if config.path is not None else None,
        )
    except UsageError as exc:
        _usage_exit(exc)
    code = run(context, paths, settings, output_format, strict_mode)
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
