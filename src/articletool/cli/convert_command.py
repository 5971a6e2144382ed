"""`articletool convert`: posts as Markdown (front matter kept) or JSON records."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from lxml.html import HtmlElement

from articletool.cleaning.body import CleanSettings
from articletool.cli.clean_command import settings_from_config
from articletool.cli.context import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_YAML_NODES,
    PathsArg,
    RunContext,
    Status,
    files_count,
)
from articletool.errors import ArticleToolError, ExitCode, InputError, UsageError
from articletool.markdown.writer import MarkdownOptions
from articletool.output.document import (
    hexo_template_tags,
    markdown_bodies,
    markdown_body,
    markdown_document,
    markdown_record,
)
from articletool.post.load import Post, read_posts
from articletool.run.files import Input, check_output_dir, output_path, plan_outputs, write_atomic
from articletool.run.runner import map_inputs


class Target(StrEnum):
    MD = "md"
    JSON = "json"


class Braces(StrEnum):
    ENTITY = "entity"
    LITERAL = "literal"


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs: frozen and picklable."""

    to: Target
    settings: CleanSettings
    markdown: MarkdownOptions
    out_dir: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES

    @property
    def suffix(self) -> str:
        """The suffix of the files written below ``out_dir``."""
        return "." + self.to.value


@dataclass(frozen=True, slots=True)
class Converted:
    """What happened to one input: its output (when not written) or its error."""

    display: str
    output: str | None = None
    written: bool = False
    error: ArticleToolError | None = None
    #: Warnings about the output, one line each (without the path).
    warnings: tuple[str, ...] = ()


def convert_post(post: Post, job: Job) -> str:
    """``post`` as a Markdown document or a JSON record (without final newline)."""
    return _render(job, post, *markdown_body(post, job.settings, job.markdown))


def _render(job: Job, post: Post, body: str, root: HtmlElement) -> str:
    """``post``, whose cleaned tree ``root`` is ``body`` in Markdown, as the
    document or record ``job`` asks for (without final newline)."""
    if job.to is Target.MD:
        return markdown_document(post, body, job.settings)
    return json.dumps(markdown_record(post, body, root, job.settings), ensure_ascii=False)


def convert_input(job: Job, item: Input) -> Converted:
    """Read, convert and (with ``-o``) write one input: a batch of one."""
    return convert_inputs(job, [item])[0]


def convert_inputs(job: Job, items: list[Input]) -> list[Converted]:
    """:func:`convert_input` for each of ``items``, the conversion stage by
    stage over all of them (:func:`~articletool.output.document.markdown_bodies`):
    the worker for ``map_inputs``."""
    done = read_posts(
        items,
        lambda posts: markdown_bodies(posts, job.settings, job.markdown),
        job.max_bytes,
        job.max_yaml_nodes,
    )
    return [
        Converted(item.display, error=result)
        if isinstance(result, ArticleToolError)
        else _converted(job, item, *result)
        for item, result in zip(items, done, strict=True)
    ]


def _converted(job: Job, item: Input, post: Post, made: tuple[str, HtmlElement]) -> Converted:
    """``post``, whose cleaned tree is ``made[1]`` and its Markdown ``made[0]``,
    rendered and written (or handed back) as ``job`` asks."""
    text = _render(job, post, *made)
    converted = _output(job, item, post, text)
    if job.to is Target.MD and job.markdown.braces == Braces.LITERAL.value:
        warnings = _template_warnings(post, made[0], text)
        if warnings:
            return replace(converted, warnings=warnings)
    return converted


def _template_warnings(post: Post, body: str, document: str) -> tuple[str, ...]:
    """With ``--braces literal``: a warning when Hexo's template engine would
    render part of the document (``{{ x }}`` shown as nothing)."""
    tags = hexo_template_tags(post, body)
    if not tags:
        return ()
    offset = document[: len(document) - len(body)].count("\n") if document.endswith(body) else 0
    first = tags[0]
    more = f" (and {len(tags) - 1} more)" if len(tags) > 1 else ""
    return (
        f"warning: Hexo's template engine would render {first.text!r}{more} (line "
        f"{offset + first.line} of the Markdown) and drop it: use --braces entity, or "
        "disableNunjucks: true in the post's front matter",
    )


def _output(job: Job, item: Input, post: Post, text: str) -> Converted:
    """``text`` (without final newline) written below ``job.out_dir``, or
    handed back for stdout when there is none."""
    if job.out_dir is None:
        return Converted(item.display, text, error=post.error)
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
    try:
        write_atomic(output_path(item, job.out_dir, job.suffix), data)
    except OSError as exc:
        failure = ArticleToolError(f"cannot write: {exc.strerror or exc}", item.display)
        return Converted(item.display, error=failure)
    return Converted(item.display, written=True, error=post.error)


def run(context: RunContext, paths: list[str], job: Job) -> ExitCode:
    """Convert ``paths`` as ``job`` says; report errors; return the exit code."""
    status = Status()
    skip = [job.out_dir] if job.out_dir is not None else []
    found = context.discover(paths, skip=skip)
    items: Iterable[Input | InputError] = found
    if job.out_dir is not None:  # every output known before the first is written
        items = list(found)
        plan_outputs([i for i in items if isinstance(i, Input)], job.out_dir, job.suffix)
    elif job.to is Target.MD:
        items = list(found)
        if sum(isinstance(i, Input) for i in items) > 1:
            raise UsageError("several inputs: use -o DIR (or --to json for JSON Lines)")
    out = sys.stdout.buffer
    done = 0
    for result in map_inputs(
        partial(convert_inputs, job), items, context.jobs, context.progress_display()
    ):
        if not isinstance(result, Converted):
            status.error(result)
            continue
        if result.error is not None:
            status.error(result.error)
        done += result.written or result.output is not None
        for warning in result.warnings:
            sys.stderr.write(f"{result.display}: {warning}\n")
        if result.output is not None:
            text = result.output
            out.write((text if text.endswith("\n") else text + "\n").encode("utf-8"))
            out.flush()
    status.summary([files_count(done, "written" if job.out_dir is not None else "converted")])
    return status.code


ToOpt = Annotated[
    Target,
    typer.Option(
        "--to",
        "-t",
        case_sensitive=False,
        help="md: front matter over a CommonMark/GFM body; json: the extract record "
        "plus a 'markdown' key (JSON Lines when several inputs go to stdout).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="DIR",
        help="Write one .md or .json file per input below DIR, mirroring the input tree.",
        show_default=False,
    ),
]
BracesOpt = Annotated[
    Braces,
    typer.Option(
        "--braces",
        case_sensitive=False,
        help="entity: write { and } in text as &#123; and &#125; (safe for Hexo's "
        "templates; Markdown renderers decode them); literal: write them as they are.",
    ),
]
TablesOpt = Annotated[
    bool,
    typer.Option("--tables/--no-tables", help="GFM pipe tables for simple tables."),
]
HtmlOpt = Annotated[
    bool,
    typer.Option(
        "--html/--no-html",
        help="Inline HTML where Markdown has no syntax (emphasis CommonMark cannot "
        "close, sup/sub, media players, tables with spans); --no-html writes pure "
        "Markdown (plain text, ^ and _, a link to each player).",
    ),
]


def command(
    context: RunContext,
    paths: PathsArg,
    to: ToOpt = Target.MD,
    output: OutputOpt = None,
    braces: BracesOpt = Braces.ENTITY,
    tables: TablesOpt = True,
    html: HtmlOpt = True,
) -> None:
    """Convert posts to Markdown (front matter kept) or to JSON records.

    The body is cleaned first (lazy images resolved, proxies unwrapped, debris
    removed; settings from [tool.articletool.clean]), then written as
    CommonMark with GFM tables. One input goes to stdout; use -o DIR for many.

    Example: articletool convert --to md -o out/ source/_posts
    """
    try:
        settings = settings_from_config(context.config)
        options = MarkdownOptions(
            braces=braces.value,
            tables=tables,
            html=html,
            proxy_prefixes=settings.proxy_prefixes,
        )
        if output is not None:
            check_output_dir(output)
        job = Job(to, settings, options, output, context.max_bytes, context.max_yaml_nodes)
        code = run(context, paths, job)
    except UsageError as exc:
        where = f"{exc.path}: " if exc.path else ""
        sys.stderr.write(f"articletool convert: {where}{exc.message}\n")
        raise typer.Exit(int(ExitCode.INPUT)) from None
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
