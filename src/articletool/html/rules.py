"""The cleaning rules: each takes the tree and the settings, edits the tree in
place and returns one line per change it made (what ``--explain`` shows).

:data:`RULES` is the registry, in the order rules run. The tables each rule
reads (selectors, attribute names) are module constants users can extend
through the settings where it makes sense (proxy prefixes, lazy attributes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

import lxml.html
from lxml.html import HtmlElement

from .lazy import lazy_images, proxies, upgrade_http
from .safety import active_content, dangerous_urls, event_handlers, scripts, styles
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
    video = lxml.html.fragment_fromstring('<video controls preload="none"></video>')
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
