"""The cleaning rules: each takes the tree and the settings, edits the tree in
place and returns one line per change it made (what ``--explain`` shows).

:data:`RULES` is the registry, in the order rules run. The tables each rule
reads (selectors, attribute names) are module constants users can extend
through the settings where it makes sense (proxy prefixes, lazy attributes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

import lxml.html
from lxml.html import HtmlElement

from articletool.cleaning import hexo_layout
from articletool.cleaning.lazy import lazy_images, proxies, proxies_in, upgrade_http
from articletool.cleaning.unsafe import (
    ACTIVE_TAGS,
    active_content,
    dangerous_urls,
    dangerous_urls_in,
    event_handlers,
    event_handlers_in,
    scripts,
    styles,
)
from articletool.html.tree import (
    BLOCK_TAGS,
    Attribute,
    Census,
    Selectors,
    has_media,
    has_text,
    is_blank,
    label,
    matching,
    remove,
    replace_with_paragraph,
    selectors,
    tag,
    tagged,
    unwrap,
)

if TYPE_CHECKING:
    from articletool.cleaning.body import CleanSettings

RuleFn = Callable[[HtmlElement, "CleanSettings"], list[str]]
WalkFn = Callable[[Sequence[Attribute], "CleanSettings"], list[str]]
TextFn = Callable[[str], tuple[str, list[str]]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named cleaning rule. ``default`` rules run unless deselected.

    Most rules edit the tree (``fn``, or ``walk``); a rule with ``text``
    instead lays out the body text ``clean`` writes, after every tree rule:
    ``text(body) -> (new_body, details)``. ``extract`` and ``convert``, which
    write no HTML, run the tree rules only.
    """

    name: str
    fn: RuleFn | None
    summary: str
    default: bool = True
    #: Whether the rule can apply to a tree with this census; rules that
    #: cannot are skipped without searching the tree. Must never say no
    #: when the rule would change something.
    needs: Callable[[Census], bool] = field(default=lambda census: True)
    #: ``fn`` over the tree's attributes (:func:`~.tree.attributes_of`)
    #: instead of the tree: run on the census's while they are still current.
    walk: WalkFn | None = None
    #: Whether the rule's changes only remove attributes or change their
    #: values: the census's elements with attributes then stay all of them.
    keeps_attributed: bool = False
    #: The rule's work on the written body text instead of the tree.
    text: TextFn | None = None


# --- tables -----------------------------------------------------------------

#: Wrappers around a lone image: turned into a plain paragraph (or unwrapped).
IMAGE_WRAPPERS: Selectors = selectors(
    (
        "div.img_box",  # ZAKER
        "div.content_img_div",  # ZAKER
        "div.aw-upload-img-list",  # Dockone
        "a[data-fancybox-group]",  # Dockone lightbox links
        "a[rel=lightbox]",
        "span.card-logo",  # IT之家 shopping cards
    )
)
#: ZAKER's uploaded videos: an empty div whose data-zkinfo names the file.
UPLOADED_VIDEOS: Selectors = selectors(("div.zk_upvideo[data-zkinfo]",))
#: Video embed wrappers (ZAKER): the player inside is kept.
VIDEO_WRAPPERS: Selectors = selectors(("div.iframe_video", "div.video_container"))
#: Attributes of embedded players that only their scripts read.
PLAYER_ATTRS: frozenset[str] = frozenset({"style", "id", "data-setup", "webkit-playsinline"})
#: Links and spans that sites insert around ordinary words (company cards,
#: tag links, affiliate links): the words stay, the link goes.
PROMO_LINKS: Selectors = selectors(
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
        "h",  # IT之家's copy of an image's size, beside width/height
        "w",
    }
)
_TRACKED = selectors(f"[{name}]" for name in sorted(TRACKING_ATTRS))
#: Interactive debris whose words are a control, not content ("复制代码").
DEBRIS: Selectors = selectors(
    ("span.copy-code-btn", "button.copy-code-btn", "span.code-copy-btn", "button.code-copy-btn")
)
#: Site layout wrappers holding only blocks: unwrapped.
LAYOUT_WRAPPERS: Selectors = selectors(("div.zaker_div", "div.zk_decsimg"))
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


def _only_images(el: HtmlElement, wrappers: Selectors) -> bool:
    """``el`` holds one or more images and nothing else (nested wrappers aside)."""
    if has_text(el):
        return False
    images = 0
    for child in el.iterdescendants():
        if not isinstance(child.tag, str):
            return False
        if tag(child) == "img":
            images += 1
        elif not wrappers.matches(child):
            return False
    return images > 0


def image_wrappers(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    gone: set[int] = set()
    for el in matching(root, IMAGE_WRAPPERS):
        if id(el) in gone or not _only_images(el, IMAGE_WRAPPERS):
            continue
        name = label(el)
        for inner in [d for d in el.iterdescendants() if IMAGE_WRAPPERS.matches(d)]:
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
    for el in matching(root, UPLOADED_VIDEOS):
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
    for player in tagged(root, "iframe", "video", "source"):
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
    for el in matching(root, _TRACKED):
        for name in [a for a in el.attrib if a.lower() in TRACKING_ATTRS]:
            del el.attrib[name]
            done.append(f"{tag(el)}: removed {name}")
    return done


def styled_spans(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in tagged(root, "span", "font"):
        names = set(el.attrib) - {"style", "color", "face", "size"}
        style = (el.get("style") or "").replace(" ", "").lower()
        if names or any(h in style for h in _HIDING_STYLE):
            continue
        done.append(f"{tag(el)}: unwrapped (style only)")
        unwrap(el)
    return done


def pre_line_breaks(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for pre in tagged(root, "pre"):
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


def empty_paragraphs(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in tagged(root, "p"):
        text = el.text
        if text and not text.isspace():
            continue  # text of its own: the usual paragraph, decided at once
        if not has_text(el) and not has_media(el) and el.get("name") is None:
            done.append("removed empty <p>")
            remove(el)
    return done


_BREAK = frozenset({"br"})


def empty_blocks(root: HtmlElement, settings: CleanSettings) -> list[str]:
    done = []
    for el in reversed(tagged(root, *EMPTY_DROPPABLE)):
        text = el.text
        if text and not text.isspace():
            continue  # text of its own: not empty
        if el.getparent() is None or el.get("name") is not None:
            continue
        if not has_text(el) and not has_media(el, _BREAK):
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
def _tags(*names: str) -> Callable[[Census], bool]:
    wanted = frozenset(names)
    return lambda census: not census.tags.isdisjoint(wanted)


def _tables(*tables: Selectors) -> Callable[[Census], bool]:
    return lambda census: any(table.possible(census) for table in tables)


#: Every rule, in the order they run.
RULES: Mapping[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("scripts", scripts, "remove <script> elements", needs=_tags("script")),
        Rule("styles", styles, "remove <style> elements", needs=_tags("style")),
        Rule(
            "active-content",
            active_content,
            "remove <object>, <embed>, <meta>, <link>, <base>",
            needs=_tags(*ACTIVE_TAGS),
        ),
        Rule(
            "event-handlers",
            event_handlers,
            "remove on* attributes",
            needs=lambda census: any(name.lower().startswith("on") for name in census.attrs),
            walk=event_handlers_in,
            keeps_attributed=True,
        ),
        Rule(
            "dangerous-urls",
            dangerous_urls,
            "remove javascript:, vbscript:, data:text/html addresses",
            walk=dangerous_urls_in,
            keeps_attributed=True,
        ),
        Rule(
            "lazy-images",
            lazy_images,
            "take the real image address from lazy-load attributes",
            needs=_tags("img", "source"),
        ),
        Rule(
            "proxies",
            proxies,
            "unwrap image-proxy addresses in src, href, srcset",
            walk=proxies_in,
            keeps_attributed=True,
        ),
        Rule(
            "upgrade-http",
            upgrade_http,
            "http:// -> https:// for embedded media",
            default=False,
            keeps_attributed=True,
        ),
        Rule(
            "image-wrappers",
            image_wrappers,
            "unwrap wrappers and lightbox links around images",
            needs=_tables(IMAGE_WRAPPERS),
        ),
        Rule(
            "video-embeds",
            video_embeds,
            "unwrap video players from site wrappers",
            needs=lambda census: (
                census.has_tag("iframe", "video", "source") or UPLOADED_VIDEOS.possible(census)
            ),
        ),
        Rule(
            "promo-links",
            promo_links,
            "unwrap company-card, tag and affiliate links",
            needs=_tables(PROMO_LINKS),
        ),
        Rule(
            "tracking-attrs",
            tracking_attrs,
            "remove attributes only site scripts read",
            needs=lambda census: not census.attrs.isdisjoint(TRACKING_ATTRS),
        ),
        Rule(
            "styled-spans",
            styled_spans,
            "unwrap spans that only carry inline style",
            needs=_tags("span", "font"),
        ),
        Rule(
            "pre-line-breaks",
            pre_line_breaks,
            "<br> inside <pre> becomes a newline",
            needs=lambda census: census.has_tag("pre") and census.has_tag("br"),
        ),
        Rule("copy-buttons", copy_buttons, "remove 'copy code' buttons", needs=_tables(DEBRIS)),
        Rule(
            "empty-paragraphs",
            empty_paragraphs,
            "remove paragraphs with no text or media",
            needs=_tags("p"),
        ),
        Rule(
            "empty-blocks",
            empty_blocks,
            "remove empty containers (junk blocks, empty lists)",
            needs=_tags(*EMPTY_DROPPABLE),
        ),
        Rule(
            "layout-wrappers",
            layout_wrappers,
            "unwrap site layout wrappers holding only blocks",
            needs=_tables(LAYOUT_WRAPPERS),
        ),
        Rule(
            hexo_layout.NAME,
            None,
            "lay the body out so Hexo's Markdown pass leaves it alone (no blank line or indent)",
            text=hexo_layout.lay_out,
        ),
    )
}
