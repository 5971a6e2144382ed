"""Cleaning rules for image addresses: lazy-load resolution, proxy unwrapping
and the opt-in http -> https upgrade.

Each rule takes the tree and the settings, edits the tree in place and
returns one line per change (see :mod:`articletool.cleaning.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree
from lxml.html import HtmlElement

from articletool import urls
from articletool.html.tree import (
    Attribute,
    attributes_of,
    has_media,
    has_text,
    is_blank,
    label,
    remove,
    tag,
    tagged,
)

if TYPE_CHECKING:
    from articletool.cleaning.body import CleanSettings

#: Classes lazy-loading scripts use to hide an image until it loads.
LAZY_CLASSES: frozenset[str] = frozenset(
    {"lazy", "lazyload", "lazyloaded", "lazyloading", "b-lazy", "js-lazy", "lozad", "opacity_0"}
)


def _best_candidate(value: str) -> str | None:
    best: tuple[float, str] | None = None
    for url, descriptor in urls.split_srcset(value):
        try:
            weight = float(descriptor[:-1]) if descriptor[-1:] in ("w", "x") else 1.0
        except ValueError:
            weight = 1.0
        if best is None or weight > best[0]:
            best = (weight, url)
    return best[1] if best else None


def lazy_address(img: HtmlElement, lazy_attrs: Iterable[str]) -> tuple[str, str] | None:
    """The real address a lazy-loading ``img`` names, and the attribute it is in."""
    for attr in lazy_attrs:
        value = (img.get(attr) or "").strip()
        if not value or urls.is_placeholder(value) or urls.is_dangerous(value):
            continue
        if attr in urls.SRCSET_ATTRS:
            best = _best_candidate(value)
            if best and not urls.is_placeholder(best):
                return best, attr
            continue
        return value, attr
    return None


def _noscript_fallback(
    img: HtmlElement, lazy_attrs: Iterable[str]
) -> tuple[HtmlElement, str] | None:
    """A ``<noscript>`` right after ``img`` (empty elements between are
    skipped: later rules remove them) holding the real image."""
    noscript = img.getnext()
    if not is_blank(img.tail):
        return None
    while (
        noscript is not None
        and tag(noscript) != "noscript"
        and is_blank(noscript.tail)
        and not has_text(noscript)
        and not has_media(noscript, _BREAK)
    ):
        noscript = noscript.getnext()
    if noscript is None or tag(noscript) != "noscript":
        return None
    for inner in noscript.iter("img"):
        found = lazy_address(inner, lazy_attrs)
        src = found[0] if found else (inner.get("src") or "").strip()
        if src and not urls.is_placeholder(src) and not urls.is_dangerous(src):
            return noscript, src
    return None


_BREAK = frozenset({"br"})


def _attached(el: HtmlElement, root: HtmlElement) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


_SIZES = (("width", "data-width"), ("height", "data-height"))


# A label names the tag, id and classes: changes to other attributes keep it,
# so each image's is built once (``where``: None until needed).
_LABELLED = ("id", "class")


def _move_size(
    img: HtmlElement, done: list[str], names: list[str], where: str | None
) -> str | None:
    for dim, attr in _SIZES:
        if attr not in names:
            continue
        value = (img.get(attr) or "").strip()
        del img.attrib[attr]
        where = where or label(img)
        if img.get(dim) is None and value.isdigit():
            img.set(dim, value)
            done.append(f"{where}: {dim}={value} from {attr}")
        else:
            done.append(f"{where}: removed {attr}")
    return where


def _drop_lazy_classes(img: HtmlElement, done: list[str], where: str | None) -> None:
    value = img.get("class")
    if not value:
        return
    classes = value.split()
    if LAZY_CLASSES.isdisjoint(classes):
        return
    kept = [c for c in classes if c not in LAZY_CLASSES]
    where = where or label(img)
    if kept:
        img.set("class", " ".join(kept))
    else:
        del img.attrib["class"]
    done.append(f"{where}: removed class {' '.join(c for c in classes if c in LAZY_CLASSES)}")


def lazy_images(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done: list[str] = []
    lazy_attrs = settings.lazy_attrs
    prefixes = settings.proxy_prefixes
    detached = False  # whether a <noscript> was removed (with the images in it)
    for img in tagged(root, "img", "source"):
        if detached and not _attached(img, root):
            continue  # inside a <noscript> already used and removed
        where: str | None = None
        names = img.keys()
        src = (img.get("src") or "").strip()
        # attributes it does not have name no address: only those it has are tried
        found = lazy_address(img, [a for a in lazy_attrs if a in names])
        if found is None and tag(img) == "img" and urls.is_placeholder(src):
            fallback = _noscript_fallback(img, lazy_attrs)
            if fallback is not None:
                noscript, real = fallback
                img.set("src", real)
                where = label(img)
                done.append(f"{where}: src from <noscript>")
                if not has_text(noscript) and len(list(noscript.iter("img"))) == 1:
                    remove(noscript)
                    detached = True
        if found is not None:
            real, attr = found
            if attr in urls.SRCSET_ATTRS and img.get("srcset") is None:
                img.set("srcset", img.get(attr) or "")
            if tag(img) == "img" and src != real:
                img.set("src", real)
                copy = urls.unproxy(src, prefixes) == urls.unproxy(real, prefixes)
                where = where or label(img)
                done.append(f"{where}: src from {attr}{' (was a proxied copy)' if copy else ''}")
        names = img.keys()
        for attr in [a for a in lazy_attrs if a in names]:
            value = img.get(attr) or ""
            if urls.is_placeholder(value) or found is not None:
                del img.attrib[attr]
                if where is None or attr in _LABELLED:
                    where = label(img)
                done.append(f"{where}: removed {attr}")
        where = _move_size(img, done, img.keys(), where)
        _drop_lazy_classes(img, done, where)
    return done


def proxies(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return proxies_in(attributes_of(root.iter(etree.Element)), settings)


def proxies_in(attributes: Iterable[Attribute], settings: CleanSettings) -> list[str]:
    """:func:`proxies` over a tree's attributes (:func:`attributes_of`)."""
    prefixes = settings.proxy_prefixes
    done = []
    for el, name, value in attributes:
        if "://" not in value or name in ("alt", "title"):
            continue
        if name in urls.SRCSET_ATTRS:
            new = urls.rewrite_srcset(value, prefixes)
        else:
            new = urls.unproxy(value, prefixes)
        if new != value:
            el.set(name, new)
            done.append(f"{label(el)}: {name} unproxied")
    return done


_EMBEDDED = frozenset({"img", "source", "video", "audio", "iframe", "embed", "track", "input"})


def upgrade_http(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in tagged(root, *_EMBEDDED):
        for name in ("src", "poster", "srcset"):
            value = el.get(name)
            if value is None:
                continue
            if name == "srcset":
                parts = urls.split_srcset(value)
                new = urls.join_srcset((urls.upgrade_http(u), d) for u, d in parts)
                if [(urls.upgrade_http(u), d) for u, d in parts] == parts:
                    new = value
            else:
                new = urls.upgrade_http(value)
            if new != value:
                el.set(name, new)
                done.append(f"{label(el)}: {name} http -> https")
    return done
