"""articletool: validate, clean, extract and convert scraped Hexo posts.

The library API::

    import articletool
    post = articletool.read_post("seeds/000_7d40135e7ed69f29.txt")
    post.meta["title"], post.body
    articletool.to_markdown(post)    # the Markdown document `convert --to md` writes
    articletool.to_record(post)      # the JSON record `convert --to json` writes
    articletool.clean(post).text     # the cleaned file `clean` writes

The heavier modules (lxml, the cleaning rules, the converter) are imported on
first use of these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from articletool.errors import ArticleToolError, ExitCode
from articletool.post.decode import Decoded, decode
from articletool.post.load import Post, parse_post, parse_text
from articletool.run.files import MAX_BYTES, Input, read_bytes

if TYPE_CHECKING:
    from articletool.cleaning.rewrite import CleanResult


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


def to_markdown(post: Post) -> str:
    """``post`` as the Markdown document ``convert --to md`` writes."""
    from articletool.output.document import to_markdown as convert

    return convert(post)


def to_record(post: Post) -> dict[str, Any]:
    """``post`` as the JSON record ``convert --to json`` writes."""
    from articletool.output.document import to_record as convert

    return convert(post)


def clean(post: Post) -> CleanResult:
    """``post`` cleaned by the default rules, after the safety check.

    Raises :class:`~articletool.errors.SafetyError` when cleaning would lose
    text or is not stable; ``result.text`` is the whole file (``\\n`` newlines).
    """
    from articletool.cleaning.rewrite import clean_post, verify

    result = clean_post(post)
    verify(post, result)
    return result


__all__ = [
    "ArticleToolError",
    "Decoded",
    "ExitCode",
    "Post",
    "__version__",
    "clean",
    "decode",
    "parse_post",
    "parse_text",
    "read_post",
    "to_markdown",
    "to_record",
]
