"""`articletool clean`."""

from __future__ import annotations

from .common import PathsArg


def command(paths: PathsArg) -> None:
    """Not yet available."""
    raise NotImplementedError
