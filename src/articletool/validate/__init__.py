"""Validation of posts: rules with stable codes (:mod:`.rules`) and the engine
that runs them (:mod:`.engine`)."""

from __future__ import annotations

from articletool.validate.checks import RULES, Rule, Severity
from articletool.validate.engine import (
    FileResult,
    Finding,
    Settings,
    check_input,
    check_post,
    select_codes,
)

__all__ = [
    "RULES",
    "FileResult",
    "Finding",
    "Rule",
    "Settings",
    "Severity",
    "check_input",
    "check_post",
    "select_codes",
]
