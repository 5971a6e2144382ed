"""The command line: a thin layer that reads options, calls the core, renders.

Each subcommand lives in ``articletool.commands.<name>`` and imports what it
needs when it runs, so ``articletool --help`` and ``validate`` start fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import runner
from .commands import clean, convert, extract, validate
from .errors import ArticleToolError, ExitCode

app = typer.Typer(
    name="articletool",
    help="Validate, clean, extract and convert scraped Hexo posts.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        sys.stdout.write(f"articletool {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate, clean, extract and convert scraped Hexo posts."""


app.command("validate")(validate.command)
app.command("clean")(clean.command)
app.command("extract")(extract.command)
app.command("convert")(convert.command)


def main() -> None:
    """Entry point of the ``articletool`` script."""
    runner.interrupt_on_sigterm()
    runner.progress_on_terminal = True
    try:
        app()
    except ArticleToolError as exc:
        sys.stderr.write(f"articletool: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("articletool: interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
