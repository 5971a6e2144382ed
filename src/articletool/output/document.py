"""Whole posts as Markdown documents or JSON records: the core of ``convert``.

Each post is parsed once, cleaned by the same rules as ``clean``, then
written by the Markdown converter; the JSON record is ``extract``'s record
plus the Markdown body. :func:`markdown_bodies` does this for several posts
at once, stage by stage, which is faster than one post at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from lxml.html import HtmlElement

from articletool.cleaning.body import CleanSettings
from articletool.cleaning.rewrite import clean_bodies, clean_front_matter_text
from articletool.errors import ArticleToolError
from articletool.markdown.writer import MarkdownOptions, convert
from articletool.output.record import extract_record
from articletool.post.load import Post


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
    Stage by stage, as :func:`~articletool.cleaning.rewrite.clean_bodies`: every
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


# --- what Hexo's template pass makes of a document --------------------------

#: What Hexo hands Nunjucks as a tag (its own test, hexo/lib/hexo/post.ts).
_TEMPLATE_TAG = re.compile(r"\{\{.+?\}\}|\{#.+?#\}|\{%.+?%\}", re.DOTALL)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


class TemplateTag(NamedTuple):
    """A Nunjucks tag Hexo would render in a Markdown document: its line
    (1-based, in the document) and the tag as written."""

    line: int
    text: str


def hexo_template_tags(post: Post, body: str) -> tuple[TemplateTag, ...]:
    """The ``{{ }}``, ``{% %}`` and ``{# #}`` that Hexo's template engine
    would render (and so drop or change) in ``body``, ``post``'s Markdown
    body with literal braces; lines are counted in ``body``. Hexo keeps
    fenced code blocks out of that pass, and the whole of a post whose front
    matter says ``disableNunjucks: true``; inline code it does not."""
    if "{" not in body or post.meta.get("disableNunjucks") is True:
        return ()
    outside: list[str] = []
    fence = ""
    for line in body.split("\n"):
        mark = _FENCE.match(line)
        if fence:  # inside a fenced code block, until its closing fence
            rest = line[mark.end() :] if mark else ""
            if mark and mark[1][0] == fence[0] and len(mark[1]) >= len(fence) and not rest.strip():
                fence = ""
            outside.append("")
        elif mark and not (mark[1][0] == "`" and "`" in line[mark.end() :]):
            fence = mark[1]
            outside.append("")
        else:
            outside.append(line)
    text = "\n".join(outside)
    return tuple(
        TemplateTag(text.count("\n", 0, match.start()) + 1, match[0][:40])
        for match in _TEMPLATE_TAG.finditer(text)
    )
