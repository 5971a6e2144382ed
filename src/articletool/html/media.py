"""The media players of a body (``<video>``, ``<audio>``, ``<iframe>``), read
into what a reader needs of them and written back as safe HTML.

A :class:`Player` keeps only what plays: its addresses, unproxied, with
``//host/...`` made ``https://host/...`` and any address that could run code
left out; the ``<source>`` elements of a video or audio; and the attributes
a player needs (:data:`PLAYER_ATTRS`). Everything else a page put on it
(``srcdoc``, ``on*`` handlers, styles, ids, the site's script data) is never
read, so it can never be written. :func:`player_html` is the one place that
writes a player's HTML: the Markdown writer uses it, and ``extract`` lists
the same players' addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape

from lxml.html import HtmlElement

from articletool import urls
from articletool.markdown.escape import safe_url

#: The elements that are players.
PLAYER_TAGS: frozenset[str] = frozenset({"video", "audio", "iframe"})
#: The attributes a player needs, in the order they are written after
#: ``controls`` (which every video and audio gets); ``True`` for those that
#: are on or off (written bare).
PLAYER_ATTRS: dict[str, bool] = {
    "width": False,
    "height": False,
    "allow": False,
    "allowfullscreen": True,
    "frameborder": False,
}
#: A width, height or frame border: a number, in pixels or per cent.
_SIZE = re.compile(r"\s*(\d{1,5}(?:\.\d{1,3})?(?:px|%)?)\s*\Z")
#: What a permissions list (``allow``) holds: feature names and origins.
_ALLOW = re.compile(r"[\w\s;:'*./-]{1,500}\Z")
#: ASCII tab and newline, which a browser removes from an address.
_URL_IGNORED = re.compile(r"[\t\n\r]")


@dataclass(frozen=True, slots=True)
class Source:
    """One ``<source>`` of a video or audio: its address and media type."""

    src: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Player:
    """A ``<video>``, ``<audio>`` or ``<iframe>`` as it plays: ``src`` (and
    ``sources``) where it plays from, ``poster`` the picture a video shows
    first, ``attrs`` the player attributes kept (name, value; ``None`` for
    a bare attribute)."""

    kind: str
    src: str | None
    poster: str | None = None
    sources: tuple[Source, ...] = ()
    attrs: tuple[tuple[str, str | None], ...] = ()

    @property
    def address(self) -> str | None:
        """Where it plays from: its ``src``, else its first source's."""
        if self.src:
            return self.src
        return self.sources[0].src if self.sources else None


def address(value: str | None, image: bool, prefixes: tuple[str, ...]) -> str | None:
    """A player's address as written: unproxied, ``//`` made ``https://``,
    ``None`` when empty or unsafe (a ``data:`` address plays only as a poster)."""
    if value is None:
        return None
    found = safe_url(_URL_IGNORED.sub("", value), image, prefixes)
    if not found:
        return None
    if found.startswith("//"):
        found = "https:" + found
    return found.replace(" ", "%20").replace("|", "%7C")  # "|" would end a table cell


def _attrs(el: HtmlElement, kind: str) -> Iterator[tuple[str, str | None]]:
    if kind != "iframe":
        yield "controls", None  # with the page's scripts gone, nothing else starts it
    for name, bare in PLAYER_ATTRS.items():
        value = el.get(name)
        if value is None:
            continue
        if bare:
            yield name, None
        elif name == "allow":
            if _ALLOW.match(value):
                yield name, " ".join(value.split())
        else:
            size = _SIZE.match(value)
            if size:
                yield name, size.group(1)


def player_of(el: HtmlElement, prefixes: tuple[str, ...] = urls.PROXY_PREFIXES) -> Player | None:
    """The :class:`Player` ``el`` is, or ``None`` when it has nothing to play
    (a video with a poster alone gives a player with no address)."""
    kind = el.tag.lower() if isinstance(el.tag, str) else ""
    if kind not in PLAYER_TAGS:
        return None
    src = address(el.get("src"), False, prefixes)
    if kind == "iframe":
        return Player(kind, src, attrs=tuple(_attrs(el, kind))) if src else None
    sources = tuple(
        Source(found, (source.get("type") or "").strip() or None)
        for source in el.iter("source")
        if (found := address(source.get("src"), False, prefixes))
    )
    poster = address(el.get("poster"), True, prefixes)
    if not src and not sources and not poster:
        return None
    return Player(kind, src, poster, sources, tuple(_attrs(el, kind)))


def players(root: HtmlElement, prefixes: Iterable[str] = urls.PROXY_PREFIXES) -> list[Player]:
    """Every player under ``root``, in document order."""
    table = tuple(prefixes)
    found = (player_of(el, table) for el in root.iter(*PLAYER_TAGS))
    return [player for player in found if player is not None]


def _value(text: str, entity_braces: bool) -> str:
    text = escape(text, quote=True)
    if entity_braces:
        text = text.replace("{", "&#123;").replace("}", "&#125;")
    return text


def player_html(player: Player, entity_braces: bool = True, block: bool = True) -> str:
    """The player as HTML: ``<tag src poster attrs>`` with its sources, one
    per line (``block``: the open tag alone on its first line, so that
    CommonMark and Hexo's renderer take it all as one HTML block), or on
    one line for inline use. Braces in addresses are entities by default,
    out of reach of Hexo's template engine."""
    parts = [player.kind]
    if player.src:
        parts.append(f'src="{_value(player.src, entity_braces)}"')
    if player.poster:
        parts.append(f'poster="{_value(player.poster, entity_braces)}"')
    for name, value in player.attrs:
        parts.append(name if value is None else f'{name}="{_value(value, entity_braces)}"')
    lines = ["<" + " ".join(parts) + ">"]
    for source in player.sources:
        kind = f' type="{_value(source.type, entity_braces)}"' if source.type else ""
        lines.append(f'<source src="{_value(source.src, entity_braces)}"{kind}>')
    lines.append(f"</{player.kind}>")
    if block and player.kind == "iframe":
        return "".join(lines)  # an <iframe> line starts an HTML block of its own
    return ("\n" if block else "").join(lines)
