"""Validation of posts: rules with stable codes (:mod:`.rules`) and the engine
that runs them (:mod:`.engine`)."""

from __future__ import annotations

from .engine import FileResult, Finding, Settings, check_input, check_post, select_codes
from .rules import RULES, Rule, Severity

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
