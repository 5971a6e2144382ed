"""`articletool extract`: front matter, text and images of posts, as data."""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Annotated, Any

import typer
from lxml.html import HtmlElement

from articletool.cleaning.body import CleanSettings
from articletool.cleaning.rewrite import clean_bodies
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
from articletool.output.record import extract_record
from articletool.post.load import Post, read_posts
from articletool.post.records import source_fields
from articletool.run.files import Input
from articletool.run.runner import map_inputs


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class Job:
    settings: CleanSettings
    images_only: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES


@dataclass(frozen=True, slots=True)
class Extracted:
    display: str
    record: dict[str, Any] | None = None
    error: ArticleToolError | None = None


def extract_input(job: Job, item: Input) -> Extracted:
    """Read one input and build its record: a batch of one."""
    return extract_inputs(job, [item])[0]


def extract_inputs(job: Job, items: list[Input]) -> list[Extracted]:
    """:func:`extract_input` for each of ``items``, their bodies parsed and
    cleaned stage by stage (:func:`~articletool.cleaning.rewrite.clean_bodies`): the
    worker for ``map_inputs``."""
    done = read_posts(
        items, lambda posts: clean_bodies(posts, job.settings), job.max_bytes, job.max_yaml_nodes
    )
    return [
        Extracted(item.display, error=result)
        if isinstance(result, ArticleToolError)
        else _extracted(job, item, *result)
        for item, result in zip(items, done, strict=True)
    ]


def _extracted(job: Job, item: Input, post: Post, tree: HtmlElement) -> Extracted:
    """The record of ``post``, whose body is the cleaned ``tree``."""
    record = extract_record(post, tree, job.settings, cleaned=True)
    record.update(source_fields(post, item.relative))  # enough to rebuild the post
    if job.images_only:
        record = {"path": record["path"], "images": record["images"]}
    return Extracted(item.display, record, post.error)


def _dumps(record: Any, indent: int | None = None) -> str:
    return json.dumps(record, ensure_ascii=False, indent=indent)


def _write_text(record: dict[str, Any], several: bool, images_only: bool) -> None:
    out = sys.stdout
    if several:
        out.write(f"==> {record['path']} <==\n")
    if images_only:
        for image in record["images"]:
            size = f"{image['width'] or ''}x{image['height'] or ''}"
            out.write(f"{image['src']}\t{size if size != 'x' else ''}\t{image['alt'] or ''}\n")
    else:
        text = record["text"]
        out.write(text + "\n" if text else "")
    if several:
        out.write("\n")


def run(context: RunContext, paths: list[str], job: Job, fmt: Format) -> ExitCode:
    status = Status()
    # Whether there are several inputs is known after at most two of them:
    # the rest stream on (listing them all first held every path in memory).
    found = context.discover(paths)
    head: list[Input | InputError] = []
    inputs = 0
    for item in found:
        head.append(item)
        inputs += isinstance(item, Input)
        if inputs > 1:
            break
    several = inputs > 1
    items = itertools.chain(head, found)
    count = done = 0
    for result in map_inputs(
        partial(extract_inputs, job), items, context.jobs, context.progress_display()
    ):
        if not isinstance(result, Extracted):
            status.error(result)
            continue
        if result.error is not None:
            status.error(result.error)
        if result.record is None:
            continue
        done += 1
        if fmt is Format.JSONL:
            sys.stdout.write(_dumps(result.record) + "\n")
        elif fmt is Format.JSON:
            if several:  # an array, streamed
                body = _dumps(result.record, indent=2).replace("\n", "\n  ")
                sys.stdout.write(("[\n  " if count == 0 else ",\n  ") + body)
            else:
                sys.stdout.write(_dumps(result.record, indent=2) + "\n")
            count += 1
        else:
            _write_text(result.record, several, job.images_only)
    if fmt is Format.JSON and several:
        sys.stdout.write("\n]\n" if count else "[]\n")
    sys.stdout.flush()  # a closed pipe is found here, before the summary
    status.summary([files_count(done, "extracted")])
    return status.code


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text: plain text; json: one object (an array for several inputs); "
        "jsonl: one object per line.",
    ),
]
ImagesOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--images-only",
        help="Only the images: src, size and alt per line (text), or {path, images} records.",
    ),
]


def command(
    context: RunContext,
    paths: PathsArg,
    output_format: FormatOpt = Format.TEXT,
    images_only: ImagesOnlyOpt = False,
) -> None:
    """Print each post's text, or its record (path, title, date, front_matter,
    text, images) as JSON.

    Proxies and lazy-load attributes follow [tool.articletool.clean].

    Example: articletool extract --format jsonl source/_posts | jq .title
    """
    try:
        settings = settings_from_config(context.config)
        job = Job(settings, images_only, context.max_bytes, context.max_yaml_nodes)
        code = run(context, paths, job, output_format)
    except UsageError as exc:
        where = f"{exc.path}: " if exc.path else ""
        sys.stderr.write(f"articletool extract: {where}{exc.message}\n")
        raise typer.Exit(int(ExitCode.INPUT)) from None
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
