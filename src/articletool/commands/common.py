"""Options and bookkeeping every subcommand shares."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from ..errors import ArticleToolError, ExitCode
from ..files import MAX_BYTES
from ..frontmatter import MAX_YAML_NODES

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
