"""The images of a body, in document order, with their real addresses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml.html import HtmlElement

from articletool import urls
from articletool.cleaning.lazy import lazy_address


@dataclass(frozen=True, slots=True)
class Image:
    """One ``<img>``: its real address (lazy-load attribute first, proxy
    removed), its alt text and its size in pixels where the page gives one."""

    src: str
    alt: str | None = None
    width: int | None = None
    height: int | None = None


def _pixels(value: str | None) -> int | None:
    text = (value or "").strip().removesuffix("px")
    return int(text) if text.isdigit() else None


def image_of(
    img: HtmlElement,
    lazy_attrs: Iterable[str] = urls.LAZY_ATTRS,
    prefixes: Iterable[str] = urls.PROXY_PREFIXES,
) -> Image | None:
    """The :class:`Image` an ``<img>`` shows, or ``None`` when it names no
    address (no ``src``, a placeholder, a ``data:`` URI, a dangerous scheme)."""
    found = lazy_address(img, lazy_attrs)
    src = found[0] if found else (img.get("src") or "").strip()
    if urls.is_placeholder(src) or urls.is_dangerous(src):
        return None
    return Image(
        src=urls.unproxy(src, prefixes),
        alt=img.get("alt"),
        width=_pixels(img.get("width") or img.get("data-width")),
        height=_pixels(img.get("height") or img.get("data-height")),
    )


def images(
    root: HtmlElement,
    lazy_attrs: Iterable[str] = urls.LAZY_ATTRS,
    prefixes: Iterable[str] = urls.PROXY_PREFIXES,
) -> list[Image]:
    """Every image under ``root`` in document order (cleaned or not: lazy-load
    attributes and proxies are resolved either way)."""
    lazy = tuple(lazy_attrs)
    table = tuple(prefixes)
    found = (image_of(el, lazy, table) for el in root.iter("img"))
    return [image for image in found if image is not None]
