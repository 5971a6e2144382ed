"""The cleaning rules: each takes the tree and the settings, edits the tree in
place and returns one line per change it made (what ``--explain`` shows).

:data:`RULES` is the registry, in the order rules run. The tables each rule
reads (selectors, attribute names) are module constants users can extend
through the settings where it makes sense (proxy prefixes, lazy attributes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

import lxml.html
from lxml.html import HtmlElement

from .. import urls
from .tree import (
    BLOCK_TAGS,
    Selector,
    elements,
    has_media,
    has_text,
    is_blank,
    label,
    matching,
    remove,
    replace_with_paragraph,
    selectors,
    tag,
    unwrap,
)

if TYPE_CHECKING:
    from .clean import CleanSettings

RuleFn = Callable[[HtmlElement, "CleanSettings"], list[str]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named cleaning rule. ``default`` rules run unless deselected."""

    name: str
    fn: RuleFn
    summary: str
    default: bool = True


# --- tables -----------------------------------------------------------------

#: Elements that execute or pull in active content; removed with their content.
ACTIVE_TAGS: frozenset[str] = frozenset(
    {"applet", "base", "embed", "frame", "frameset", "link", "meta", "param", "object"}
)
#: Attributes holding one address.
URL_ATTRS: frozenset[str] = frozenset(
    {
        "action",
        "background",
        "cite",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "src",
        "xlink:href",
    }
)
_URLISH_SUFFIXES = ("href", "src", "url", "original", "srcset", "action", "poster")
#: Classes lazy-loading scripts use to hide an image until it loads.
LAZY_CLASSES: frozenset[str] = frozenset(
    {"lazy", "lazyload", "lazyloaded", "lazyloading", "b-lazy", "js-lazy", "lozad", "opacity_0"}
)
#: Wrappers around a lone image: turned into a plain paragraph (or unwrapped).
IMAGE_WRAPPERS: tuple[Selector, ...] = selectors(
    (
        "div.img_box",  # ZAKER
        "div.content_img_div",  # ZAKER
        "div.aw-upload-img-list",  # Dockone
        "a[data-fancybox-group]",  # Dockone lightbox links
        "a[rel=lightbox]",
        "span.card-logo",  # IT之家 shopping cards
    )
)
#: Video embed wrappers (ZAKER): the player inside is kept.
VIDEO_WRAPPERS: tuple[Selector, ...] = selectors(("div.iframe_video", "div.video_container"))
#: Attributes of embedded players that only their scripts read.
PLAYER_ATTRS: frozenset[str] = frozenset({"style", "id", "data-setup", "webkit-playsinline"})
#: Links and spans that sites insert around ordinary words (company cards,
#: tag links, affiliate links): the words stay, the link goes.
PROMO_LINKS: tuple[Selector, ...] = selectors(
    (
        "a.project-link",  # 36氪
        "a.s_tag",  # IT之家
        "span.k_pendant",  # AI研习社
        "a[data-link]",  # cnBeta affiliate links
    )
)
#: Attributes only the source site's scripts read.
TRACKING_ATTRS: frozenset[str] = frozenset(
    {
        "contenteditable",
        "data-androidurl",
        "data-img-size-val",
        "data-iosurl",
        "data-jdid",
        "data-reader-unique-id",
        "data-uwpurl",
        "data-vmark",
        "data-wapurl",
        "data-wxmpurl",
    }
)
#: Interactive debris whose words are a control, not content ("复制代码").
DEBRIS: tuple[Selector, ...] = selectors(
    ("span.copy-code-btn", "button.copy-code-btn", "span.code-copy-btn", "button.code-copy-btn")
)
#: Site layout wrappers holding only blocks: unwrapped.
LAYOUT_WRAPPERS: tuple[Selector, ...] = selectors(("div.zaker_div", "div.zk_decsimg"))
#: Elements dropped when they hold nothing at all (no text, no media, no break).
EMPTY_DROPPABLE: frozenset[str] = frozenset(
    {
        "a",
        "article",
        "aside",
        "b",
        "div",
        "em",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "i",
        "ol",
        "section",
        "small",
        "span",
        "strong",
        "u",
        "ul",
    }
)
_HIDING_STYLE = ("display:none", "visibility:hidden")


# --- security ---------------------------------------------------------------


def _strip_tags(root: HtmlElement, names: Iterable[str]) -> list[str]:
    wanted = frozenset(names)
    done = []
    for el in [e for e in elements(root) if tag(e) in wanted and e is not root]:
        done.append(f"removed <{label(el)}>")
        if tag(el) == "object":
            for param in [p for p in el.iter() if tag(p) == "param"]:
                remove(param)
            unwrap(el)  # an object's fallback content is ordinary markup
        else:
            remove(el)
    return done


def scripts(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ("script",))


def styles(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ("style",))


def active_content(root: HtmlElement, settings: CleanSettings) -> list[str]:
    return _strip_tags(root, ACTIVE_TAGS)


def event_handlers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in elements(root):
        for name in [a for a in el.attrib if a.lower().startswith("on")]:
            del el.attrib[name]
            done.append(f"{label(el)}: removed {name}")
    return done


def _is_url_attr(name: str) -> bool:
    lowered = name.lower()
    return lowered in URL_ATTRS or lowered.endswith(_URLISH_SUFFIXES)


def dangerous_urls(root: HtmlElement, settings: CleanSettings) -> list[str]:
    prefixes = settings.proxy_prefixes
    done = []
    for el in elements(root):
        for name in list(el.attrib):
            value = el.get(name) or ""
            lowered = name.lower()
            if lowered == "srcdoc":
                bad = True
            elif lowered == "style":
                text = urls.scheme_text(value)
                bad = any(
                    s in text
                    for s in (
                        "expression(",
                        "javascript:",
                        "vbscript:",
                        "-moz-binding",
                        "behavior:",
                    )
                )
            elif lowered in urls.SRCSET_ATTRS:
                bad = any(urls.is_dangerous(u, prefixes) for u, _ in urls.split_srcset(value))
            else:
                bad = _is_url_attr(name) and urls.is_dangerous(value, prefixes)
            if bad:
                del el.attrib[name]
                done.append(f"{label(el)}: removed {name}")
    return done


# --- images -----------------------------------------------------------------


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


def _noscript_fallback(img: HtmlElement) -> tuple[HtmlElement, str] | None:
    """A ``<noscript>`` right after (or around) ``img`` holding the real image."""
    candidates = []
    sibling = img.getnext()
    if sibling is not None and tag(sibling) == "noscript" and is_blank(img.tail):
        candidates.append(sibling)
    parent = img.getparent()
    if parent is not None:
        candidates.extend(c for c in parent if tag(c) == "noscript")
    for noscript in candidates:
        for inner in noscript.iter("img"):
            src = (inner.get("src") or "").strip()
            if src and not urls.is_placeholder(src) and not urls.is_dangerous(src):
                return noscript, src
    return None


def _move_size(img: HtmlElement, done: list[str]) -> None:
    for dim in ("width", "height"):
        value = img.get(f"data-{dim}")
        if value is None:
            continue
        del img.attrib[f"data-{dim}"]
        if img.get(dim) is None and value.strip().isdigit():
            img.set(dim, value.strip())
            done.append(f"{label(img)}: {dim}={value.strip()} from data-{dim}")
        else:
            done.append(f"{label(img)}: removed data-{dim}")


def _drop_lazy_classes(img: HtmlElement, done: list[str]) -> None:
    classes = (img.get("class") or "").split()
    kept = [c for c in classes if c not in LAZY_CLASSES]
    if kept == classes:
        return
    where = label(img)
    if kept:
        img.set("class", " ".join(kept))
    else:
        del img.attrib["class"]
    done.append(f"{where}: removed class {' '.join(c for c in classes if c in LAZY_CLASSES)}")


def lazy_images(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done: list[str] = []
    lazy_attrs = settings.lazy_attrs
    prefixes = settings.proxy_prefixes
    for img in [e for e in elements(root) if tag(e) in ("img", "source")]:
        src = (img.get("src") or "").strip()
        found = lazy_address(img, lazy_attrs)
        if found is None and tag(img) == "img" and urls.is_placeholder(src):
            fallback = _noscript_fallback(img)
            if fallback is not None:
                noscript, real = fallback
                img.set("src", real)
                done.append(f"{label(img)}: src from <noscript>")
                if not has_text(noscript) and len(list(noscript.iter("img"))) == 1:
                    remove(noscript)
        if found is not None:
            real, attr = found
            if attr in urls.SRCSET_ATTRS and img.get("srcset") is None:
                img.set("srcset", img.get(attr) or "")
            if tag(img) == "img" and src != real:
                img.set("src", real)
                copy = urls.unproxy(src, prefixes) == urls.unproxy(real, prefixes)
                done.append(
                    f"{label(img)}: src from {attr}{' (was a proxied copy)' if copy else ''}"
                )
        for attr in [a for a in lazy_attrs if img.get(a) is not None]:
            value = img.get(attr) or ""
            if urls.is_placeholder(value) or found is not None:
                del img.attrib[attr]
                done.append(f"{label(img)}: removed {attr}")
        _move_size(img, done)
        _drop_lazy_classes(img, done)
    return done


def proxies(root: HtmlElement, settings: CleanSettings) -> list[str]:
    prefixes = settings.proxy_prefixes
    done = []
    for el in elements(root):
        for name, value in list(el.attrib.items()):
            if name in ("alt", "title") or "://" not in value:
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
    for el in [e for e in elements(root) if tag(e) in _EMBEDDED]:
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


# --- debris -----------------------------------------------------------------


def _only_images(el: HtmlElement, wrappers: tuple[Selector, ...]) -> bool:
    """``el`` holds one or more images and nothing else (nested wrappers aside)."""
    if has_text(el):
        return False
    images = 0
    for child in el.iterdescendants():
        if not isinstance(child.tag, str):
            return False
        if tag(child) == "img":
            images += 1
        elif not any(s.matches(child) for s in wrappers):
            return False
    return images > 0


def image_wrappers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    gone: set[int] = set()
    for el in matching(root, IMAGE_WRAPPERS):
        if id(el) in gone or not _only_images(el, IMAGE_WRAPPERS):
            continue
        name = label(el)
        for inner in [d for d in el.iterdescendants() if any(s.matches(d) for s in IMAGE_WRAPPERS)]:
            gone.add(id(inner))
            unwrap(inner)
        if tag(el) in BLOCK_TAGS:
            done.append(f"{name}: {replace_with_paragraph(el)}")
        else:
            unwrap(el)
            done.append(f"{name}: unwrapped")
    return done


def _zaker_video(el: HtmlElement) -> HtmlElement | None:
    try:
        info = json.loads(unquote(el.get("data-zkinfo") or ""))
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("videoUrl"), str):
        return None
    video = lxml.html.Element("video")
    video.set("controls", "")
    video.set("preload", "none")
    video.set("src", info["videoUrl"])
    if isinstance(info.get("imgUrl"), str):
        video.set("poster", info["imgUrl"])
    for dim in ("width", "height"):
        if isinstance(info.get(dim), int):
            video.set(dim, str(info[dim]))
    return video


def video_embeds(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in [
        e
        for e in elements(root)
        if tag(e) == "div" and "zk_upvideo" in (e.get("class") or "").split()
    ]:
        if has_text(el) or len(el):
            continue
        video = _zaker_video(el)
        parent = el.getparent()
        if video is not None and parent is not None:
            name = label(el)
            video.tail = el.tail
            parent.replace(el, video)
            done.append(f"{name}: became <video> from data-zkinfo")
    for el in matching(root, VIDEO_WRAPPERS):
        players = [p for p in el if tag(p) in ("iframe", "video")]
        if len(players) != 1 or has_text(el):
            continue
        done.append(f"{label(el)}: {replace_with_paragraph(el)}")
    for player in [e for e in elements(root) if tag(e) in ("iframe", "video", "source")]:
        for name in [a for a in player.attrib if a in PLAYER_ATTRS]:
            del player.attrib[name]
            done.append(f"{tag(player)}: removed {name}")
    return done


def promo_links(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in matching(root, PROMO_LINKS):
        done.append(f"{label(el)}: unwrapped {el.text_content().strip()[:30]!r}")
        unwrap(el)
    return done


def tracking_attrs(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in elements(root):
        for name in [a for a in el.attrib if a.lower() in TRACKING_ATTRS]:
            del el.attrib[name]
            done.append(f"{tag(el)}: removed {name}")
    return done


def styled_spans(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in [e for e in elements(root) if tag(e) in ("span", "font") and e is not root]:
        names = set(el.attrib) - {"style", "color", "face", "size"}
        style = (el.get("style") or "").replace(" ", "").lower()
        if names or any(h in style for h in _HIDING_STYLE):
            continue
        done.append(f"{tag(el)}: unwrapped (style only)")
        unwrap(el)
    return done


def pre_line_breaks(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for pre in [e for e in elements(root) if tag(e) == "pre"]:
        breaks = [b for b in pre.iterdescendants() if tag(b) == "br"]
        for br in breaks:
            if not (br.tail or "").startswith("\n"):
                br.tail = "\n" + (br.tail or "")
            remove(br)
        if breaks:
            done.append(f"{label(pre)}: {len(breaks)} <br> became newlines")
    return done


def copy_buttons(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in matching(root, DEBRIS):
        done.append(f"removed {label(el)} {el.text_content().strip()[:30]!r}")
        remove(el)
    return done


def _is_empty_paragraph(el: HtmlElement) -> bool:
    return not has_text(el) and not has_media(el) and el.get("name") is None


def empty_paragraphs(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in [e for e in elements(root) if tag(e) == "p" and e is not root]:
        if _is_empty_paragraph(el):
            done.append("removed empty <p>")
            remove(el)
    return done


def empty_blocks(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in reversed([e for e in elements(root) if tag(e) in EMPTY_DROPPABLE and e is not root]):
        if el.getparent() is None or el.get("name") is not None:
            continue
        if not has_text(el) and not has_media(el, frozenset({"br"})):
            done.append(f"removed empty <{label(el)}>")
            remove(el)
    return done


def layout_wrappers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in matching(root, LAYOUT_WRAPPERS):
        loose = not is_blank(el.text) or any(not is_blank(c.tail) for c in el)
        if loose or any(tag(c) not in BLOCK_TAGS for c in el):
            continue
        done.append(f"{label(el)}: unwrapped")
        unwrap(el)
    return done


#: Every rule, in the order they run.
RULES: Mapping[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("scripts", scripts, "remove <script> elements"),
        Rule("styles", styles, "remove <style> elements"),
        Rule("active-content", active_content, "remove <object>, <embed>, <meta>, <link>, <base>"),
        Rule("event-handlers", event_handlers, "remove on* attributes"),
        Rule(
            "dangerous-urls",
            dangerous_urls,
            "remove javascript:, vbscript:, data:text/html addresses",
        ),
        Rule("lazy-images", lazy_images, "take the real image address from lazy-load attributes"),
        Rule("proxies", proxies, "unwrap image-proxy addresses in src, href, srcset"),
        Rule("upgrade-http", upgrade_http, "http:// -> https:// for embedded media", default=False),
        Rule("image-wrappers", image_wrappers, "unwrap wrappers and lightbox links around images"),
        Rule("video-embeds", video_embeds, "unwrap video players from site wrappers"),
        Rule("promo-links", promo_links, "unwrap company-card, tag and affiliate links"),
        Rule("tracking-attrs", tracking_attrs, "remove attributes only site scripts read"),
        Rule("styled-spans", styled_spans, "unwrap spans that only carry inline style"),
        Rule("pre-line-breaks", pre_line_breaks, "<br> inside <pre> becomes a newline"),
        Rule("copy-buttons", copy_buttons, "remove 'copy code' buttons"),
        Rule("empty-paragraphs", empty_paragraphs, "remove paragraphs with no text or media"),
        Rule("empty-blocks", empty_blocks, "remove empty containers (junk blocks, empty lists)"),
        Rule("layout-wrappers", layout_wrappers, "unwrap site layout wrappers holding only blocks"),
    )
}
