"""One error hierarchy and the exit codes of every command.

Every error carries the file it is about and, where there is one, the line and
column, so it can be reported as a single ``path:line:col: message`` line.
Exit codes are decided here and documented in the README.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the process tells its caller."""

    OK = 0
    #: Findings: a validation error, a file ``clean --check`` would change,
    #: a file the safety check refused to rewrite.
    FINDINGS = 1
    #: Usage error, or an input that could not be read, decoded or parsed.
    INPUT = 2
    #: Interrupted by SIGINT or SIGTERM (files are left either old or new).
    INTERRUPTED = 130


class ArticleToolError(Exception):
    """Base of every error articletool raises on purpose."""

    exit_code: ExitCode = ExitCode.INPUT

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def located(self, path: str) -> ArticleToolError:
        """Return this error with ``path`` filled in if it had none."""
        if self.path is None:
            self.path = path
        return self

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class UsageError(ArticleToolError):
    """The command line or configuration asks for something impossible."""


class InputError(ArticleToolError):
    """A file could not be read: missing, unreadable, too large, binary."""


class DecodeError(InputError):
    """The bytes are not text in any encoding we recognise."""


class ParseError(ArticleToolError):
    """The HTML body cannot be parsed (lxml refuses it)."""


class FrontMatterError(ArticleToolError):
    """The front matter cannot be split from the body or loaded as YAML."""


class LimitError(ArticleToolError):
    """An input exceeds a configured safety limit (size, YAML aliases)."""


class SafetyError(ArticleToolError):
    """A rewrite would lose text or is not stable; the file is left alone."""

    exit_code = ExitCode.FINDINGS
