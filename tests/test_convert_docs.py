"""docs/convert.md convert section documents every option of the command."""

from __future__ import annotations

import typing
from pathlib import Path

from typer.models import OptionInfo

from articletool.cli import convert_command

PAGE = Path(__file__).resolve().parent.parent / "docs" / "convert.md"


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    assert text.startswith("# convert\n"), "docs/convert.md is not the convert page"
    return text


def _options() -> list[str]:
    """The options ``cli.convert_command.command`` itself declares (the shared
    settings and pipeline options the CLI adds are documented with those)."""
    names: list[str] = []
    for hint in typing.get_type_hints(convert_command.command, include_extras=True).values():
        for extra in getattr(hint, "__metadata__", ()):
            if isinstance(extra, OptionInfo):
                # in Annotated[...] form typer keeps the first name in ``default``
                decls = [
                    d for d in (extra.default, *(extra.param_decls or ())) if isinstance(d, str)
                ]
                names.append(max(decls, key=len).split("/")[0])
    return names


def test_every_option_is_documented() -> None:
    section = _section()
    options = _options()
    assert "--to" in options and "--output" in options
    assert {"--to", "--output", "--braces", "--tables", "--html"} <= set(options)
    missing = [o for o in options if o not in section]
    assert missing == ["--output"] and "-o DIR" in section


def test_every_target_is_documented() -> None:
    section = _section()
    for target in ("--to md", "--to json"):
        assert target in section
