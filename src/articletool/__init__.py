"""articletool: validate, clean, extract and convert scraped Hexo posts.

The library API::

    import articletool
    post = articletool.read_post("seeds/000_7d40135e7ed69f29.txt")
    post.meta["title"], post.body
"""

from __future__ import annotations

from pathlib import Path

from .errors import ArticleToolError, ExitCode
from .files import MAX_BYTES, Input, read_bytes
from .post import Post, parse_post, parse_text
from .source import Decoded, decode


def __getattr__(name: str) -> str:
    """``__version__``, read from the package metadata on first use.

    importlib.metadata costs about 30 ms to import: too much for every start.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("articletool")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        found = "0+unknown"
    globals()["__version__"] = found
    return found


def read_post(path: str | Path, max_bytes: int = MAX_BYTES) -> Post:
    """Read and parse the post at ``path``."""
    path = Path(path)
    return parse_post(read_bytes(Input(str(path), path), max_bytes), str(path))


__all__ = [
    "ArticleToolError",
    "Decoded",
    "ExitCode",
    "Post",
    "__version__",
    "decode",
    "parse_post",
    "parse_text",
    "read_post",
]
