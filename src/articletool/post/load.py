"""A post: decoded text, front matter and body, parsed once for every command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from articletool.errors import ArticleToolError
from articletool.post import frontmatter
from articletool.post.decode import Decoded, decode
from articletool.post.frontmatter import FrontMatter, Split
from articletool.run.files import Input, read_bytes

_Made = TypeVar("_Made")


@dataclass(frozen=True, slots=True)
class Post:
    """One post as read from a file or stdin.

    ``front_matter`` is ``None`` when there is none or it could not be loaded;
    in the second case ``error`` says why (with its line in the file).
    """

    path: str
    source: Decoded
    parts: Split
    front_matter: FrontMatter | None = None
    error: ArticleToolError | None = None

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def body(self) -> str:
        return self.parts.body

    @property
    def meta(self) -> dict[str, Any]:
        """The front matter as a mapping (empty when it is missing or not one)."""
        fm = self.front_matter
        return fm.data if fm is not None and isinstance(fm.data, dict) else {}


def parse_text(
    source: Decoded, path: str = "<stdin>", max_yaml_nodes: int = frontmatter.MAX_YAML_NODES
) -> Post:
    """Split and load an already decoded post. Never raises for bad YAML."""
    parts = frontmatter.split(source.text)
    if parts.raw is None:
        return Post(path, source, parts)
    try:
        fm = frontmatter.load(parts.raw, parts.start_line, max_yaml_nodes)
    except ArticleToolError as exc:
        return Post(path, source, parts, error=exc.located(path))
    return Post(path, source, parts, fm)


def reparse(post: Post, source: Decoded) -> Post:
    """``source`` (a rewrite of ``post``) parsed like :func:`parse_text`, with
    ``post``'s loaded front matter reused when the text before the body is
    the same: the same YAML at the same lines loads the same. The safety
    check re-reads every rewritten post; loading its front matter again was
    about 7% of ``clean --check``'s time."""
    parts = frontmatter.split(source.text)
    if (
        parts.raw is not None
        and parts.raw == post.parts.raw
        and parts.leading == post.parts.leading
    ):
        return Post(post.path, source, parts, post.front_matter, post.error)
    return parse_text(source, post.path)


def parse_post(
    data: bytes, path: str = "<stdin>", max_yaml_nodes: int = frontmatter.MAX_YAML_NODES
) -> Post:
    """Decode and parse a post's bytes. Raises :class:`DecodeError` for non-text."""
    try:
        source = decode(data, path)
    except ArticleToolError as exc:
        raise exc.located(path) from None
    return parse_text(source, path, max_yaml_nodes)


def read_posts(
    items: list[Input],
    stage: Callable[[list[Post]], list[_Made | ArticleToolError]],
    max_bytes: int,
    max_yaml_nodes: int = frontmatter.MAX_YAML_NODES,
) -> list[tuple[Post, _Made] | ArticleToolError]:
    """Each input read and parsed, then ``stage`` run over all the posts at
    once (stage by stage is faster than one post at a time): for each input,
    its post with what ``stage`` made of it, or the error (located in the
    input) that stopped it."""
    read: list[Post | ArticleToolError] = []
    for item in items:
        try:
            read.append(parse_post(read_bytes(item, max_bytes), item.display, max_yaml_nodes))
        except ArticleToolError as exc:
            read.append(exc.located(item.display))
    made = iter(stage([post for post in read if isinstance(post, Post)]))
    results: list[tuple[Post, _Made] | ArticleToolError] = []
    for item, post in zip(items, read, strict=True):
        if isinstance(post, ArticleToolError):
            results.append(post)
            continue
        result = next(made)
        results.append(
            result.located(item.display) if isinstance(result, ArticleToolError) else (post, result)
        )
    return results
