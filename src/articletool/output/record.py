"""One record per post: front matter, title, date, plain text and images.

::

    import articletool
    from articletool.output.record import extract_record
    from articletool.html.parse import parse_body

    post = articletool.read_post("post.md")
    record = extract_record(post, parse_body(post.body))
    record["title"], record["date"], record["text"], record["images"], record["media"]

The record is JSON-safe: dates are ISO 8601 strings everywhere.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from articletool import urls
from articletool.cleaning.body import CleanSettings, clean_tree
from articletool.html.images import Image, images
from articletool.html.media import Player, players
from articletool.html.parse import parse_body
from articletool.html.text import to_text
from articletool.post.dates import parse_date, to_iso
from articletool.post.frontmatter import json_safe
from articletool.post.load import Post


def _title(value: Any) -> str | None:
    if value is None:
        return None
    safe = json_safe(value)
    return safe if isinstance(safe, str) else str(value)


def iso_date(value: Any) -> str | None:
    """A front-matter date as ISO 8601 when it can be read, else as written."""
    if value is None:
        return None
    try:
        return to_iso(parse_date(value))
    except ValueError:
        return _title(value)


def clean_meta(data: Any, settings: CleanSettings) -> Any:
    """Front matter as JSON-safe data, image fields unproxied like ``clean`` does."""
    safe = json_safe(data)
    if not isinstance(safe, dict):
        return safe
    names = settings.rule_names
    for name in settings.image_fields:
        value = safe.get(name)
        if not isinstance(value, str):
            continue
        if "proxies" in names:
            value = urls.unproxy(value, settings.proxy_prefixes)
        if "upgrade-http" in names:
            value = urls.upgrade_http(value)
        safe[name] = value
    return safe


def image_dict(image: Image) -> dict[str, Any]:
    return {"src": image.src, "alt": image.alt, "width": image.width, "height": image.height}


def media_dict(player: Player) -> dict[str, Any]:
    return {"kind": player.kind, "src": player.address, "poster": player.poster}


def extract_record(
    post: Post,
    root: HtmlElement | None = None,
    settings: CleanSettings | None = None,
    *,
    cleaned: bool = False,
) -> dict[str, Any]:
    """The record for ``post``: ``path``, ``title``, ``date``, ``front_matter``,
    ``text``, ``images`` (``{src, alt, width, height}`` each) and ``media``
    (the players: ``{kind, src, poster}`` each, as :mod:`.html.media` reads
    them; ``kind`` is ``video``, ``audio`` or ``iframe``). Image
    fields of the front matter are unproxied as ``clean`` would.

    ``root`` is the parsed body (parsed here when omitted). Unless
    ``cleaned`` says it already was, it is cleaned in place with
    ``settings`` first, so the text and images are those of the clean post.
    A post whose front matter could not be loaded gets ``front_matter: null``
    and an ``error`` key.
    """
    settings = settings or CleanSettings()
    if root is None:
        root = parse_body(post.body)
    if not cleaned:
        clean_tree(root, settings)
    meta = post.meta
    record: dict[str, Any] = {
        "path": post.path,
        "title": _title(meta.get("title")),
        "date": iso_date(meta.get("date")),
        "front_matter": clean_meta(post.front_matter.data, settings) if post.front_matter else None,
        "text": to_text(root),
        "images": [
            image_dict(i) for i in images(root, settings.lazy_attrs, settings.proxy_prefixes)
        ],
        "media": [media_dict(p) for p in players(root, settings.proxy_prefixes)],
    }
    if post.front_matter is None and post.parts.raw is None:
        record["front_matter"] = {}
    if post.error is not None:
        record["error"] = post.error.message
    return record
