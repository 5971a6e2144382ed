"""Clean a parsed body in place with named rules, and write it back out.

::

    from articletool.html.parse import parse_body
    from articletool.cleaning.body import CleanSettings, clean_tree, serialize_body

    root = parse_body(post.body)
    changes = clean_tree(root, CleanSettings())
    for change in changes:
        print(change.rule, change.detail)
    html = serialize_body(root, post.body)

Every edit is made by a rule of :data:`~articletool.cleaning.rules.RULES` and
reported as a :class:`Change`, so ``clean --explain`` can say per file what
each rule did.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from articletool import urls
from articletool.cleaning.rules import DEBRIS, RULES, Rule
from articletool.errors import UsageError
from articletool.html.tree import (
    HIDDEN_TAGS,
    Attribute,
    Census,
    Selector,
    Selectors,
    attributes_of,
    tag,
)

#: Front-matter fields that hold an image address.
IMAGE_FIELDS: tuple[str, ...] = ("headimg", "thumbnail", "cover")

_WS = re.compile(r"\s+")
# HTML5 void elements the parser does not know as void: their end tags are
# noise (browsers ignore them), so they are not written.
_VOID_END_TAGS = re.compile(r"</(?:source|track|wbr)>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """What ``clean`` does. Frozen and picklable, so workers can share it.

    ``select`` names the rules to run (empty: every default rule); ``ignore``
    removes rules from that set. ``extra_proxy_prefixes`` and
    ``extra_lazy_attrs`` extend :data:`articletool.urls.PROXY_PREFIXES` and
    :data:`articletool.urls.LAZY_ATTRS` (they are tried first).
    ``upgrade_http`` turns on the ``upgrade-http`` rule (off by default).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extra_proxy_prefixes: tuple[str, ...] = ()
    extra_lazy_attrs: tuple[str, ...] = ()
    upgrade_http: bool = False
    image_fields: tuple[str, ...] = IMAGE_FIELDS

    def __post_init__(self) -> None:
        unknown = sorted(n for n in {*self.select, *self.ignore} if n not in RULES)
        if unknown:
            raise UsageError(f"unknown clean rule {', '.join(unknown)}; known: {', '.join(RULES)}")

    @property
    def proxy_prefixes(self) -> tuple[str, ...]:
        return _merged(self.extra_proxy_prefixes, urls.PROXY_PREFIXES)

    @property
    def lazy_attrs(self) -> tuple[str, ...]:
        return _merged(self.extra_lazy_attrs, urls.LAZY_ATTRS)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules that run, in registry order."""
        return _chosen(self.select, self.ignore, self.upgrade_http)

    @property
    def tree_rules(self) -> tuple[Rule, ...]:
        """The rules of :attr:`rules` that edit the tree (what :func:`clean_tree` runs)."""
        return _tree_rules(self.select, self.ignore, self.upgrade_http)

    @property
    def text_rules(self) -> tuple[Rule, ...]:
        """The rules of :attr:`rules` that lay out the written body text."""
        return _text_rules(self.select, self.ignore, self.upgrade_http)

    @property
    def rule_names(self) -> frozenset[str]:
        """The names of :attr:`rules`."""
        return _chosen_names(self.select, self.ignore, self.upgrade_http)


# The settings' derived tables are asked for once per post (or per rule):
# built once per distinct settings instead.
@functools.lru_cache(maxsize=64)
def _merged(extra: tuple[str, ...], table: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*extra, *table)))


@functools.lru_cache(maxsize=64)
def _chosen(select: tuple[str, ...], ignore: tuple[str, ...], upgrade: bool) -> tuple[Rule, ...]:
    chosen = set(select) if select else {n for n, r in RULES.items() if r.default}
    if upgrade:
        chosen.add("upgrade-http")
    chosen -= set(ignore)
    return tuple(rule for name, rule in RULES.items() if name in chosen)


@functools.lru_cache(maxsize=64)
def _tree_rules(
    select: tuple[str, ...], ignore: tuple[str, ...], upgrade: bool
) -> tuple[Rule, ...]:
    return tuple(rule for rule in _chosen(select, ignore, upgrade) if rule.fn is not None)


@functools.lru_cache(maxsize=64)
def _text_rules(
    select: tuple[str, ...], ignore: tuple[str, ...], upgrade: bool
) -> tuple[Rule, ...]:
    return tuple(rule for rule in _chosen(select, ignore, upgrade) if rule.text is not None)


@functools.lru_cache(maxsize=64)
def _chosen_names(
    select: tuple[str, ...], ignore: tuple[str, ...], upgrade: bool
) -> frozenset[str]:
    return frozenset(rule.name for rule in _chosen(select, ignore, upgrade))


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: the rule that made it and what it did, in a few words."""

    rule: str
    detail: str


def clean_tree(root: HtmlElement, settings: CleanSettings | None = None) -> list[Change]:
    """Run the selected rules over ``root`` (from :func:`parse_body`), in place.

    Returns every change made, in the order made; an empty list means the
    tree is untouched. Rules that lay out the written text (``hexo-layout``)
    are not run here: :func:`articletool.cleaning.rewrite.clean_post` runs them on the
    body it writes.
    """
    settings = settings or CleanSettings()
    # The list keeps lxml's Python proxies of the elements alive while the
    # rules run: their walks then reuse them instead of creating new ones.
    elements = list(root.iter(etree.Element))
    census = Census.of_elements(elements)
    changes: list[Change] = []
    # Rules over attributes walk a list of them, not the tree: the census's
    # while no rule changed anything; after changes that only removed
    # attributes or changed values, read again from the census's elements
    # with attributes (still all the tree's); else from the tree.
    attributes: Sequence[Attribute] | None = census.attributes
    attributed: Iterable[HtmlElement] | None = census.attributed
    for rule in settings.tree_rules:
        if rule.needs(census):
            walk, fn = rule.walk, rule.fn
            if walk is not None:
                if attributes is None:
                    attributes = attributes_of(
                        attributed if attributed is not None else root.iter(etree.Element)
                    )
                details = walk(attributes, settings)
            elif fn is not None:
                details = fn(root, settings)
            else:
                continue
            if details:
                attributes = None
                if not rule.keeps_attributed:
                    attributed = None
                name = rule.name
                changes.extend([Change(name, detail) for detail in details])
    return changes


def serialize_body(root: HtmlElement, original: str) -> str:
    """Write a (cleaned) tree back as body text.

    Leading white space the parser dropped is restored. When the original
    body holds no literal ``{`` or ``}`` (the scraper writes them as
    ``&#123;``/``&#125;`` so Hexo's template engine leaves them alone), braces
    in the output are written that way too. End tags of ``<source>``,
    ``<track>`` and ``<wbr>`` (void elements) are not written.
    """
    parts = [root.text or ""]
    parts.extend(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in root
    )
    out = _VOID_END_TAGS.sub("", "".join(parts))
    lead = original[: len(original) - len(original.lstrip())]
    if lead and not out.startswith(lead):
        out = lead + out.lstrip()
    if "{" not in original and "}" not in original:
        out = out.replace("{", "&#123;").replace("}", "&#125;")
    return out


# Markup tokens: comments, tags, text runs (and a stray "<").
_TOKEN = re.compile(r"<!--.*?(?:-->|$)|<[^<>]*>|[^<]+|<", re.DOTALL)
#: How far ahead the alignment of two token streams looks to get back in step.
SPLICE_WINDOW = 24


_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)(.*?)/?>\Z", re.DOTALL)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _tag_meaning(token: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
    """A tag token as (end slash, name, attributes): quoting, case, order and
    escapes of its attributes aside."""
    match = _TAG.match(token)
    if match is None:
        return None
    attributes: dict[str, str] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(match[3]):
        attributes.setdefault(name.lower(), html.unescape(double or single or bare))
    return match[1], match[2].lower(), tuple(sorted(attributes.items()))


def _same_meaning(original: str, written: str) -> bool:
    """Whether two tokens mean the same markup: equal, or a text run or tag
    written with other escapes, quotes, case or attribute order."""
    if original == written:
        return True
    if original[:1] == "<" and written[:1] == "<":
        meaning = _tag_meaning(written)
        return meaning is not None and _tag_meaning(original) == meaning
    return html.unescape(original) == html.unescape(written)


def _align(
    a: list[str], b: list[str], same: Callable[[str, str], bool]
) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``same(a[i], b[j])``, in order, found greedily:
    in step while tokens agree, else the nearest exact match within
    :data:`SPLICE_WINDOW`. Linear in the length; any alignment is correct,
    a better one only keeps more of the original bytes."""
    i = j = 0
    end_a, end_b = len(a), len(b)
    while i < end_a and j < end_b:
        if same(a[i], b[j]):
            yield i, j
            i, j = i + 1, j + 1
            continue
        step = next(
            (
                (da, distance - da)
                for distance in range(1, SPLICE_WINDOW)
                for da in range(distance + 1)
                if i + da < end_a
                and j + distance - da < end_b
                and a[i + da] == b[j + distance - da]
            ),
            (1, 1),
        )
        i, j = i + step[0], j + step[1]


def splice(original: str, before: str, after: str) -> str:
    """``after`` with what no rule touched written as in ``original``.

    ``before`` is the serialisation of ``original``'s tree before cleaning,
    ``after`` that of the cleaned tree. Tokens that cleaning left alone
    (paired between ``before`` and ``after``) are taken from ``original``
    wherever its token means the same (differing only in how characters are
    escaped: ``&`` against ``&amp;``); everything else comes from ``after``.
    Every token written means what the token of ``after`` in its place
    means, so the result parses to the same tree as ``after``.
    """
    source, old, new = (_TOKEN.findall(text) for text in (original, before, after))
    if "".join(source) != original:
        return after
    kept = {j: source[i] for i, j in _align(source, old, _same_meaning)}
    out: list[str] = []
    last = 0
    for i, j in _align(old, new, str.__eq__):
        out.extend(new[last:j])
        out.append(kept.get(i, new[j]))
        last = j + 1
    out.extend(new[last:])
    return "".join(out)


def _visible(el: HtmlElement, skip: Selectors, out: list[str]) -> None:
    """Append the text nodes a reader sees inside ``el`` to ``out``, in order."""
    if tag(el) in HIDDEN_TAGS or skip.matches(el):
        return
    if el.text and isinstance(el.tag, str):
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _visible(child, skip, out)
        if child.tail:
            out.append(child.tail)


def visible_text(root: HtmlElement, skip: Iterable[Selector] = DEBRIS) -> str:
    """The text a reader sees, with all white space removed: what the safety
    check compares. Elements matching ``skip`` (interactive debris such as
    "copy code" buttons) do not count."""
    out: list[str] = []
    _visible(root, skip if isinstance(skip, Selectors) else Selectors(skip), out)
    return _WS.sub("", "".join(out))
