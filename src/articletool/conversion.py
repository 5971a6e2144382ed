"""Whole posts as Markdown documents or JSON records: the core of ``convert``.

Each post is parsed once, cleaned by the same rules as ``clean``, then
written by the Markdown converter; the JSON record is ``extract``'s record
plus the Markdown body. :func:`markdown_bodies` does this for several posts
at once, stage by stage, which is faster than one post at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml.html import HtmlElement

from .cleaning import clean_bodies, clean_front_matter_text
from .errors import ArticleToolError
from .extract import extract_record
from .html.clean import CleanSettings
from .html.markdown import MarkdownOptions, convert
from .post import Post


def markdown_document(post: Post, body: str, settings: CleanSettings | None = None) -> str:
    """The front matter as written (proxied image fields unwrapped) over ``body``."""
    front = clean_front_matter_text(post, settings)
    if not front:
        # A leading "---" rule would be read back as the opening of front matter.
        return "***" + body[3:] if body == "---" or body.startswith("---\n") else body
    if not front.endswith("\n"):
        front += "\n"
    return front + "\n" + body if body else front


def markdown_bodies(
    posts: Sequence[Post],
    settings: CleanSettings | None = None,
    options: MarkdownOptions | None = None,
) -> list[tuple[str, HtmlElement] | ArticleToolError]:
    """Each post's cleaned body as Markdown with the cleaned tree it came
    from, or the error that stopped it (a body past the parser's limits).
    Stage by stage, as :func:`~articletool.cleaning.clean_bodies`: every
    tree is written once every tree is clean."""
    options = options or MarkdownOptions()
    return [
        tree if isinstance(tree, ArticleToolError) else (convert(tree, options), tree)
        for tree in clean_bodies(posts, settings)
    ]


def markdown_body(
    post: Post, settings: CleanSettings | None = None, options: MarkdownOptions | None = None
) -> tuple[str, HtmlElement]:
    """The cleaned body as Markdown, and the cleaned tree it came from."""
    result = markdown_bodies([post], settings, options)[0]
    if isinstance(result, ArticleToolError):
        raise result
    return result


def markdown_record(
    post: Post, body: str, root: HtmlElement, settings: CleanSettings | None = None
) -> dict[str, Any]:
    """``extract``'s record for ``post`` (whose cleaned tree is ``root``) with
    the Markdown ``body`` under ``markdown``."""
    record: dict[str, Any] = extract_record(post, root, settings, cleaned=True)
    record["markdown"] = body
    return record


def to_markdown(
    post: Post, settings: CleanSettings | None = None, options: MarkdownOptions | None = None
) -> str:
    """``post`` as a Markdown document: front matter as written over a CommonMark body."""
    body, _ = markdown_body(post, settings, options)
    return markdown_document(post, body, settings)


def to_record(
    post: Post, settings: CleanSettings | None = None, options: MarkdownOptions | None = None
) -> dict[str, Any]:
    """``extract``'s record for ``post`` with the Markdown body under ``markdown``."""
    body, root = markdown_body(post, settings, options)
    return markdown_record(post, body, root, settings)
