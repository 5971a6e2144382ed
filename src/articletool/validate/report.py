"""Rendering findings: text lines, a JSON array or GitHub Actions annotations.

Findings are data and go to stdout, one file's worth at a time as files are
checked. The human summary goes to stderr through rich, imported only when
it is drawn; document text only ever enters rich as :class:`rich.text.Text`,
never as markup, so a ``[`` in a title stays a ``[``. Colour appears only on
a terminal and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import TextIO

from articletool.validate.checks import RULES, Severity
from articletool.validate.engine import Finding


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def text_line(finding: Finding) -> str:
    """``path:line:col: CODE severity: message`` (``error`` or ``warning``)."""
    f = finding
    return f"{f.path}:{f.line}:{f.column}: {f.code} {f.severity}: {f.message}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(finding: Finding) -> str:
    """A GitHub Actions workflow command that annotates the file at the finding."""
    f = finding
    level = "error" if f.severity is Severity.ERROR else "warning"
    props = (
        f"file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"title={_escape_property(f.code)}"
    )
    return f"::{level} {props}::{_escape_data(f.message)}"


def _json_record(finding: Finding) -> str:
    import json  # only this format needs it (~1.5 ms at start-up)

    return json.dumps(finding.as_dict(), ensure_ascii=False)


class Reporter:
    """Writes findings to ``out`` as they arrive, in one of the formats."""

    def __init__(self, fmt: Format, out: TextIO) -> None:
        self.format = fmt
        self.out = out
        self._first = True

    def findings(self, findings: Sequence[Finding]) -> None:
        """Write one file's findings (in one write, flushed so they stream)."""
        if not findings:
            return
        if self.format is Format.JSON:
            records = ",\n  ".join(_json_record(finding) for finding in findings)
            self.out.write(("[\n  " if self._first else ",\n  ") + records)
        elif self.format is Format.GITHUB:
            self.out.write("".join(github_line(finding) + "\n" for finding in findings))
        else:
            self.out.write("".join(text_line(finding) + "\n" for finding in findings))
        self._first = False
        self.out.flush()

    def close(self) -> None:
        if self.format is Format.JSON:
            self.out.write("[]\n" if self._first else "\n]\n")
            self.out.flush()


class Tally:
    """Counts for the summary and the exit code."""

    __slots__ = ("by_code", "errors", "files", "files_with_findings", "unreadable", "warnings")

    def __init__(self) -> None:
        self.files = 0
        self.unreadable = 0
        self.files_with_findings = 0
        self.errors = 0
        self.warnings = 0
        self.by_code: Counter[str] = Counter()

    def add(self, findings: Sequence[Finding]) -> None:
        self.files += 1
        if findings:
            self.files_with_findings += 1
        for finding in findings:
            self.by_code[finding.code] += 1
            if finding.severity is Severity.ERROR:
                self.errors += 1
            else:
                self.warnings += 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


#: A piece of the summary and its rich style ("" for none).
Segment = tuple[str, str]


def summary_lines(tally: Tally) -> list[list[Segment]]:
    """The summary as lines of styled segments: a count per rule, then the total."""
    lines: list[list[Segment]] = []
    for code, count in sorted(tally.by_code.items()):
        rule = RULES[code]
        style = "red" if rule.severity is Severity.ERROR else "yellow"
        lines.append(
            [
                ("  ", ""),
                (code, "bold"),
                (f"  {rule.severity:<7}  ", style),
                (f"{count:>5}  {rule.name}: {rule.summary}", ""),
            ]
        )
    total: list[Segment] = [(f"{_plural(tally.files, 'file')} checked: ", "")]
    if tally.errors:
        total.append((_plural(tally.errors, "error"), "bold red"))
    else:
        total.append(("no errors", "bold green"))
    total.append((", ", ""))
    total.append((_plural(tally.warnings, "warning"), "yellow" if tally.warnings else ""))
    if tally.files_with_findings:
        total.append((f" in {_plural(tally.files_with_findings, 'file')}", ""))
    if tally.unreadable:
        total.append(("; ", ""))
        total.append((f"{_plural(tally.unreadable, 'input')} could not be read", "bold red"))
    total.append((".", ""))
    lines.append(total)
    return lines


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal; ``NO_COLOR`` wins, ``FORCE_COLOR`` forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def write_summary(tally: Tally, stream: TextIO | None = None) -> None:
    """Write the run's summary on stderr (or ``stream``).

    Drawn with rich on a terminal; written as plain text otherwise, which
    reads the same and spares importing rich in pipes and CI.
    """
    out = stream or sys.stderr
    lines = summary_lines(tally)
    if not wants_colour(out):
        out.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        out.flush()
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=True)
    for line in lines:
        text = Text()
        for piece, style in line:
            text.append(piece, style=style)
        console.print(text)
