"""Whole posts as Markdown documents or JSON records: the core of ``convert``.

Each post is parsed once, cleaned by the same rules as ``clean``, then
written by the Markdown converter; the JSON record is ``extract``'s record
plus the Markdown body.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from .cleaning import clean_front_matter_text
from .extract import extract_record
from .html.clean import CleanSettings, clean_tree
from .html.markdown import MarkdownOptions, convert
from .html.parse import parse_body
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


def markdown_body(
    post: Post, settings: CleanSettings | None = None, options: MarkdownOptions | None = None
) -> tuple[str, HtmlElement]:
    """The cleaned body as Markdown, and the cleaned tree it came from."""
    root = parse_body(post.body)
    clean_tree(root, settings or CleanSettings())
    return convert(root, options or MarkdownOptions()), root


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
    settings = settings or CleanSettings()
    body, root = markdown_body(post, settings, options)
    record: dict[str, Any] = extract_record(post, root, settings, cleaned=True)
    record["markdown"] = body
    return record
