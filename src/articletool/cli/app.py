"""The command line: a thin layer that reads options, calls the core, renders.

Each subcommand lives in ``articletool.cli.<name>_command``. The script imports
only the module of the subcommand it runs (``articletool validate`` never loads
the HTML converters); ``app``, with every subcommand, is built when asked for.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from articletool.cli.context import epilog, wire
from articletool.errors import ArticleToolError, ExitCode
from articletool.run import runner

#: The subcommands, each ``articletool.commands.<name>:command``.
COMMANDS = ("validate", "clean", "extract", "convert", "config")


def _version(value: bool) -> None:
    if value:
        from articletool import __version__

        sys.stdout.write(f"articletool {__version__}\n")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate, clean, extract and convert scraped Hexo posts."""


def build_app(names: Sequence[str] = COMMANDS, *, progress: bool = False) -> typer.Typer:
    """The typer application with the subcommands ``names`` (``progress``:
    their runs show a bar when stderr is a terminal)."""
    app = typer.Typer(
        name="articletool",
        help="Validate, clean, extract and convert scraped Hexo posts.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for name in names:
        module = importlib.import_module(f"{__package__}.{name}_command")
        command = wire(
            name,
            module.command,
            records=name in ("clean", "convert"),
            limits=name != "config",
            progress=progress,
        )
        app.command(name, epilog=epilog(name))(command)
    return app


def __getattr__(name: str) -> typer.Typer:
    """``app``: the application with every subcommand, built when asked for."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return build_app()


def _invoked(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` runs, when it names one (``None``: help, version, typos)."""
    if any(key.endswith("_COMPLETE") for key in os.environ):  # shell completion
        return None
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main() -> None:
    """Entry point of the ``articletool`` script."""
    runner.interrupt_on_sigterm()
    command = _invoked(sys.argv[1:])
    try:
        app = build_app(COMMANDS if command is None else (command,), progress=True)
        # What is loaded by now lives as long as the process: kept out of the
        # garbage collector's walks, it no longer costs every collection (the
        # one at exit included: about 5 ms of each start) a pass over it.
        gc.freeze()
        app()
    except ArticleToolError as exc:
        sys.stderr.write(f"articletool: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("articletool: interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
