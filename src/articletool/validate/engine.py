"""Run the selected rules over posts and collect findings.

:func:`check_post` is the pure core: a parsed post in, findings out.
:func:`check_input` is the per-file worker for
:func:`articletool.run.runner.map_inputs`: a module-level function that, bound
to frozen :class:`Settings` with :func:`functools.partial`, can be pickled
and sent to another process. It never raises for bad input; the error comes
back inside the :class:`FileResult`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from articletool.errors import ArticleToolError, UsageError
from articletool.post.frontmatter import MAX_YAML_NODES
from articletool.post.load import Post, parse_post
from articletool.run.files import MAX_BYTES, Input, read_bytes
from articletool.urls import PROXY_PREFIXES
from articletool.validate.checks import DEFAULT_REQUIRED, RULES, Check, Context, Severity
from articletool.validate.schema import SCHEMA_CODES, Schema

# The records here are named tuples rather than frozen dataclasses: a
# dataclass costs about 0.7 ms to create at import, which every start pays.


class Finding(NamedTuple):
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }


#: The rules that run when ``select`` is not given: all but the opt-in ones.
DEFAULT_CODES: frozenset[str] = frozenset(code for code, rule in RULES.items() if rule.default)


class Settings(NamedTuple):
    """Everything a validation run needs to know, picklable."""

    #: The current time; dates after it are in the future (FM202).
    now: datetime
    required: tuple[str, ...] = DEFAULT_REQUIRED
    #: The codes of the rules to run (default: every rule but the opt-in ones).
    codes: frozenset[str] = DEFAULT_CODES
    #: Image proxies whose addresses ``clean`` unwraps (FM302).
    proxy_prefixes: tuple[str, ...] = PROXY_PREFIXES
    max_bytes: int = MAX_BYTES
    max_yaml_nodes: int = MAX_YAML_NODES
    #: The JSON Schema every post's front matter must satisfy (``FM5xx``).
    schema: Schema | None = None


class FileResult(NamedTuple):
    """The findings for one input, or the error that kept it from being checked."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: ArticleToolError | None = None


def select_codes(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> frozenset[str]:
    """The rule codes in effect: those matching a ``select`` prefix, minus ``ignore``.

    Prefixes work as in ruff: ``FM`` is every rule, ``FM1`` the field rules,
    ``FM003`` one rule. An empty ``select`` means every rule that is on by
    default (all but ``FM003``); a prefix or ``ALL`` takes opt-in rules too. A
    prefix that matches no rule is a :class:`UsageError`.
    """

    def matching(prefixes: Iterable[str], option: str) -> set[str]:
        found: set[str] = set()
        for prefix in prefixes:
            wanted = prefix.strip().upper()
            if wanted in ("ALL", ""):
                found.update(RULES)
                continue
            codes = {code for code in RULES if code.startswith(wanted)}
            if not codes:
                raise UsageError(f"{option}: no rule code starts with {prefix!r}")
            found |= codes
        return found

    chosen = matching(select, "select") if select else set(DEFAULT_CODES)
    return frozenset(chosen - matching(ignore, "ignore"))


@lru_cache(maxsize=8)
def _selected(codes: frozenset[str], schema: bool) -> tuple[tuple[str, Severity, Check], ...]:
    """The rules to run for ``codes``, in registry order (worked out once per
    run); the schema rules only when there is a ``schema``."""
    if not schema:
        codes = codes - SCHEMA_CODES
    return tuple((code, rule.severity, rule.check) for code, rule in RULES.items() if code in codes)


def _order(finding: Finding) -> tuple[int, int, str]:
    return finding.line, finding.column, finding.code


def check_post(post: Post, settings: Settings) -> tuple[Finding, ...]:
    """Run the selected rules over ``post``; findings in file order."""
    schema = settings.schema
    ctx = Context(post, settings.required, settings.now, settings.proxy_prefixes, schema)
    path = post.path
    findings = [
        Finding(path, hit.line, hit.column, code, severity, hit.message)
        for code, severity, check in _selected(settings.codes, schema is not None)
        for hit in check(ctx)
    ]
    if len(findings) > 1:
        findings.sort(key=_order)
    return tuple(findings)


def check_input(settings: Settings, item: Input) -> FileResult:
    """Read, parse and check one input (the worker for ``map_inputs``)."""
    try:
        data = read_bytes(item, settings.max_bytes)
        post = parse_post(data, item.display, settings.max_yaml_nodes)
    except ArticleToolError as exc:
        return FileResult(item.display, error=exc.located(item.display))
    return FileResult(item.display, check_post(post, settings))
