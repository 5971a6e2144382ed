"""Clean a whole post: front matter edited as text, body through the rules.

::

    import articletool
    from articletool.cleaning.rewrite import clean_post, verify
    from articletool.cleaning.body import CleanSettings

    post = articletool.read_post("post.md")
    result = clean_post(post, CleanSettings())
    verify(post, result)             # raises SafetyError if text would be lost
    data = post.source.encode(result.text)

Only what a rule changes is rewritten. In the front matter that is the
proxied image fields (``headimg``, ``thumbnail``, ``cover``), replaced in
place so key order, quoting and comments stay as written. The body is
serialised from the cleaned tree only when a rule changed it; otherwise its
text (and so its bytes) stays identical.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml
from lxml.html import HtmlElement

from articletool import urls
from articletool.cleaning import hexo_layout
from articletool.cleaning.body import (
    Change,
    CleanSettings,
    clean_tree,
    serialize_body,
    splice,
    visible_text,
)
from articletool.cleaning.hexo_layout import hexo_view, markdown_blocks
from articletool.errors import ArticleToolError, SafetyError
from articletool.html.parse import parse_body
from articletool.post import frontmatter
from articletool.post.decode import Decoded
from articletool.post.frontmatter import FrontMatter, KeyInfo
from articletool.post.load import Post, reparse

#: Extra rounds of cleaning the re-read output before giving up (the safety
#: check then refuses the file).
SETTLE_ROUNDS = 2


@dataclass(frozen=True)
class CleanResult:
    """The cleaned file text (``\\n`` newlines), every change made, and the
    cleaned body tree (for callers that go on to extract or convert)."""

    text: str
    changes: tuple[Change, ...]
    tree: HtmlElement = field(compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# --- front matter -----------------------------------------------------------

_PLAIN_UNSAFE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: |\s#|\s$|^$")


def _line_start(text: str, line: int) -> int:
    """Offset of 1-based ``line`` in ``text``."""
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos


# A quoted scalar on one line: '' escapes a single quote, \ any character.
_QUOTED_END = {
    "'": re.compile(r"'(?:[^'\n]|'')*'"),
    '"': re.compile(r'"(?:[^"\\\n]|\\[^\n])*"'),
}
_COMMENT = re.compile(r"\s#")


def _token_end(text: str, start: int, style: str) -> int | None:
    """End offset of the single-line scalar starting at ``start``, or ``None``."""
    if style in _QUOTED_END:
        match = _QUOTED_END[style].match(text, start)
        return match.end() if match else None
    if style == "":
        line_end = text.find("\n", start)
        line = text[start : len(text) if line_end < 0 else line_end]
        comment = _COMMENT.search(line)
        return start + len((line[: comment.start()] if comment else line).rstrip())
    return None


def _token(value: str, style: str) -> str:
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "" and not _PLAIN_UNSAFE.search(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def _new_image_value(
    value: str, rules: frozenset[str], prefixes: tuple[str, ...]
) -> tuple[str, list[str]]:
    """The rewritten value of an image field and the rules that changed it."""
    made = []
    new = value
    if "proxies" in rules:
        unwrapped = urls.unproxy(new, prefixes)
        if unwrapped != new:
            new = unwrapped
            made.append("proxies")
    if "upgrade-http" in rules:
        upgraded = urls.upgrade_http(new)
        if upgraded != new:
            new = upgraded
            made.append("upgrade-http")
    return new, made


def _edit_front_matter(post: Post, settings: CleanSettings) -> tuple[str, list[Change]]:
    """The post's text with image fields rewritten, and the changes made."""
    text = post.text
    fm = post.front_matter
    if fm is None or not fm.is_mapping:
        return text, []
    rules = settings.rule_names
    prefixes = settings.proxy_prefixes
    edits: list[_Edit] = []
    changes: list[Change] = []
    for name in settings.image_fields:
        value = fm.get(name)
        if not isinstance(value, str):
            continue
        new, made = _new_image_value(value, rules, prefixes)
        if not made:
            continue
        # where the value is written: only for fields that change
        info = fm.keys.get(name)
        if info is None or info.style is None:
            continue
        start = _line_start(text, info.value_line) + info.value_column - 1
        end = _token_end(text, start, info.style)
        if end is None:
            continue
        edits.append(_Edit(name, info, start, end, value, new, _token(new, info.style)))
        changes.extend(Change(rule, f"front matter {name}") for rule in made)
    if not edits:
        return text, []
    new_text = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        new_text = new_text[: edit.start] + edit.token + new_text[edit.end :]
    if not (_tokens_prove(fm, text, edits) or _same_but(fm, new_text, edits)):
        return text, []  # the edit would change more than meant: leave it be
    return new_text, changes


class _Edit(NamedTuple):
    """One image field rewritten: ``text[start:end]`` (which held ``old``)
    becomes ``token`` (which means ``new``)."""

    name: str
    info: KeyInfo
    start: int
    end: int
    old: str
    new: str
    token: str


#: A quoted scalar of printable ASCII without its quote or a backslash inside:
#: YAML reads it as the text between the quotes (most image fields).
_LITERAL_QUOTED = re.compile(r"'[ -&(-~]*'|\"[ !#-\[\]-~]*\"")


def _means(token: str, value: str) -> bool:
    """Whether ``token``, read as a YAML document of its own, is the string ``value``."""
    if _LITERAL_QUOTED.fullmatch(token):
        return token[1:-1] == value
    try:
        return bool(frontmatter.reload_data(token) == value)
    except ArticleToolError:
        return False


#: What may open a value besides the scalar itself: an anchor (other nodes
#: may refer to it), a tag or an alias.
_NODE_PROPERTIES = "&!*"


def _tokens_prove(fm: FrontMatter, text: str, edits: list[_Edit]) -> bool:
    """The cheap proof that the edits change nothing but their fields.

    It holds when the front matter is a block mapping and each edit replaces
    a value written on its key's line: the old span, read alone, is the old
    value (so the parser's scalar was exactly that span: a scalar that went on
    past it, onto the next line say, would have read differently), and the
    new token, read alone, is the new value. The text around the spans is
    unchanged, and the new token is a single-line scalar of the old one's
    kind (quoted stays quoted; a plain one is written plain only when nothing
    in it can end or extend it), so it ends where it ends on its own. A value
    written with an anchor or a tag is left to the other proof (an alias
    elsewhere may name the anchor). When it does not hold, the whole front
    matter is loaded again instead.
    """
    node = fm.node
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return False
    return all(
        edit.info.value_line == edit.info.line
        and text[edit.start] not in _NODE_PROPERTIES
        and _means(text[edit.start : edit.end], edit.old)
        and _means(edit.token, edit.new)
        for edit in edits
    )


def _same_but(fm: FrontMatter, new_text: str, edits: list[_Edit]) -> bool:
    """Whether ``new_text``'s front matter loads to ``fm``'s data with only
    the edited fields changed: the proof that an edit touched nothing else."""
    parts = frontmatter.split(new_text)
    if parts.raw is None:
        return False
    try:
        loaded = frontmatter.reload_data(parts.raw)
    except ArticleToolError:
        return False
    expected = dict(fm.data)
    expected.update((edit.name, edit.new) for edit in edits)
    return bool(loaded == expected)


def clean_front_matter_text(post: Post, settings: CleanSettings | None = None) -> str:
    """The front matter block as written, fences included, with proxied image
    fields unwrapped (and upgraded when ``settings.upgrade_http``). Empty
    when the post has none. Leading blank lines are not part of the block."""
    if post.parts.raw is None:
        return ""
    text, _ = _edit_front_matter(post, settings or CleanSettings())
    return text[len(post.parts.leading) : len(text) - len(post.body)]


# --- the whole post ---------------------------------------------------------


def clean_bodies(
    posts: Sequence[Post], settings: CleanSettings | None = None
) -> list[HtmlElement | ArticleToolError]:
    """Each post's body parsed and cleaned (:func:`~articletool.cleaning.body.clean_tree`),
    or the error that stopped it (a body past the parser's limits).

    The work goes stage by stage: every body is parsed, then every tree
    cleaned. The trees are those of one post at a time; over a few dozen
    posts, working on them stage by stage (here and in whatever the caller
    does next) is about a sixth faster, as each stage's code and tables stay
    in the processor's caches while it runs.
    """
    settings = settings or CleanSettings()
    trees: list[HtmlElement | ArticleToolError] = []
    for post in posts:
        try:
            trees.append(parse_body(post.body))
        except ArticleToolError as exc:
            trees.append(exc)
    for tree in trees:
        if not isinstance(tree, ArticleToolError):
            clean_tree(tree, settings)
    return trees


def _rewrite(body: str, cleaned: HtmlElement) -> str:
    """The cleaned tree as body text, keeping ``body``'s own bytes wherever
    no rule changed anything (see :func:`~articletool.cleaning.body.splice`)."""
    before = serialize_body(parse_body(body), body)
    return splice(body, before, serialize_body(cleaned, body))


def clean_post(post: Post, settings: CleanSettings | None = None) -> CleanResult:
    """Clean ``post``: front matter image fields and body. Pure: no I/O.

    Raises the post's front-matter error (invalid YAML, limits) when it has
    one: a file whose front matter cannot be read is not rewritten.
    """
    return _clean(post, settings or CleanSettings(), None)


def _clean(post: Post, settings: CleanSettings, root: HtmlElement | None) -> CleanResult:
    """:func:`clean_post`, with the body already parsed as ``root`` when given
    (it is cleaned in place)."""
    if post.error is not None:
        raise post.error
    text, changes = _edit_front_matter(post, settings)
    if root is None:
        root = parse_body(post.body)
    body_changes = clean_tree(root, settings)
    body = post.body
    if body_changes:
        body = _rewrite(post.body, root)
        for _ in range(SETTLE_ROUNDS):
            # The parser may read the written body a little differently (odd
            # nesting): clean that reading too, until nothing changes.
            again = parse_body(body)
            more = clean_tree(again, settings)
            if not more:
                break
            body_changes += more
            root, body = again, _rewrite(body, again)
    for rule in settings.text_rules:  # the layout of what is written (hexo-layout)
        lay_out = rule.text
        if lay_out is not None:
            body, details = lay_out(body)
            body_changes.extend(Change(rule.name, detail) for detail in details)
    if body_changes:
        prefix = text[: len(text) - len(post.body)]
        text = prefix + body
    return CleanResult(text, tuple(changes + body_changes), root)


def _first_difference(a: str, b: str) -> str:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            return f"{a[i1:i2][:30]!r} became {b[j1:j2][:30]!r}"
    return "no visible difference"


def _check_hexo_reading(post: Post, result: Post, shown: str) -> None:
    """Raise :class:`SafetyError` when Hexo's Markdown pass would read a part
    of ``result``'s body as Markdown and so show other text than ``shown``
    (the text of ``post``'s HTML) and than it showed of ``post`` itself: the
    cleaned post must reach a Hexo reader as its HTML reads, or no worse
    than the original did (a body that does not open with a block element
    is read as Markdown however it is laid out)."""
    read = markdown_blocks(result.body)
    if not read:
        return
    seen = visible_text(parse_body(hexo_view(result.body)))
    if seen == shown or seen == visible_text(parse_body(hexo_view(post.body))):
        return
    block = read[0]
    line = result.text.count("\n", 0, len(result.text) - len(result.body)) + block.line
    raise SafetyError(
        f"not rewritten: Hexo would read line {line} on as Markdown ({block.kind}: "
        f"{block.text.strip()[:30]!r})",
        post.path,
    )


def verify(post: Post, result: CleanResult, settings: CleanSettings | None = None) -> None:
    """The safety check: raise :class:`SafetyError` unless the cleaned post
    shows the same text as the original (white space aside), Hexo's Markdown
    pass reads no part of it as Markdown that it did not read so in the
    original (with the ``hexo-layout`` rule on), and cleaning it again changes
    nothing."""
    settings = settings or CleanSettings()
    if not result.changes:
        return
    again = reparse(post, Decoded(result.text))
    before = visible_text(parse_body(post.body))
    tree = parse_body(again.body)  # read for its text, then cleaned a second time
    after = visible_text(tree)
    if before != after:
        raise SafetyError(
            f"not rewritten: cleaning would change the text ({_first_difference(before, after)})",
            post.path,
        )
    if hexo_layout.NAME in settings.rule_names:
        _check_hexo_reading(post, again, before)
    second = _clean(again, settings, tree)
    if second.changes or second.text != result.text:
        rules = ", ".join(sorted({c.rule for c in second.changes})) or "serialisation"
        raise SafetyError(
            f"not rewritten: cleaning is not stable (a second pass changes: {rules})", post.path
        )
