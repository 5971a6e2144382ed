"""Inline Markdown: a paragraph's tokens resolved so that its emphasis renders.

The converter collects a paragraph as a flat list of tokens: escaped text
(``str``), raw inline HTML tags (:class:`Tag`), emphasis delimiters
(:class:`Delim`), code spans (:class:`Code`) and hard breaks (:data:`BREAK`).
:func:`resolve` turns that list into Markdown lines: it settles white space,
writes emphasis that CommonMark would not render as ``**``/``*`` (its
flanking rules refuse ``文**“引号”**文``) as ``<strong>``/``<em>`` instead, or
drops those marks and keeps the text when the writer may not use HTML, and
escapes what a line start would turn into a block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple

from articletool.markdown.escape import ASCII_PUNCT, code_span, escape_line_start

#: A line a GFM renderer would take for a table's delimiter row.
_DELIMITER_ROW = re.compile(r"^[ \t|:-]*$")


class Delim(NamedTuple):
    """One side of an emphasis pair: ``**`` (strong) or ``*`` (a named tuple:
    immutable, and made faster than a frozen dataclass). Where the marks
    would not render, ``html`` says whether the pair becomes ``<strong>`` or
    ``<em>`` (else the marks go and the text stays)."""

    pair: int
    strong: bool
    opening: bool
    html: bool = True

    @property
    def mark(self) -> str:
        return "**" if self.strong else "*"

    @property
    def tag(self) -> Tag:
        name = "strong" if self.strong else "em"
        return Tag(f"<{name}>" if self.opening else f"</{name}>")


class Tag(str):
    """A raw inline HTML tag (``<sup>``, ``</strong>``...), written as it is.

    Tags are markup, not content: a paragraph of tags alone is empty, and
    they never hold the spaces around words.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Code:
    """A code span's text; adjacent spans are merged when rendered."""

    content: str


class _Break:
    __slots__ = ()

    def __repr__(self) -> str:
        return "BREAK"


BREAK: Final = _Break()
Token = str | Delim | Code | _Break


# -- emphasis ------------------------------------------------------------------


def _ws_spec(char: str) -> bool:
    return not char or char in "\t\n\f\r" or unicodedata.category(char) == "Zs"


def _ws_wide(char: str) -> bool:
    return not char or char.isspace() or char == "\v"


def _punct_p(char: str) -> bool:
    return char in ASCII_PUNCT or unicodedata.category(char).startswith("P")


def _punct_ps(char: str) -> bool:
    return char in ASCII_PUNCT or unicodedata.category(char).startswith(("P", "S"))


CharTest = Callable[[str], bool]
Model = tuple[CharTest, CharTest]
#: The readings of "white space" and "punctuation" that renderers use
#: (CommonMark 0.30, 0.31, markdown-it); emphasis is kept only if all agree.
_MODELS: Final[tuple[Model, ...]] = tuple(
    (ws, p) for ws in (_ws_spec, _ws_wide) for p in (_punct_p, _punct_ps)
)


def _flanking(before: str, after: str, is_ws: CharTest, is_punct: CharTest) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) for a ``*`` run between two characters."""
    left = not is_ws(after) and (not is_punct(after) or is_ws(before) or is_punct(before))
    right = not is_ws(before) and (not is_punct(before) or is_ws(after) or is_punct(after))
    return left, right


def _edge(token: Token | None, last: bool, default: str) -> str:
    if token is None:
        return default
    if isinstance(token, str):
        return token[-1] if last else token[0]
    if isinstance(token, Code):
        return "`"
    if isinstance(token, Delim):
        return "*"
    return "\n"


def _is_opener(token: Token) -> bool:
    """An emphasis mark or HTML tag that opens (a space before it goes outside)."""
    if token.__class__ is Tag:
        return token[1:2] != "/"
    return isinstance(token, Delim) and token.opening


def _normalise_space(tokens: list[Token]) -> tuple[list[Token], bool, bool, bool]:
    """One space between words, none at line edges, none inside emphasis edges.

    Also says whether the tokens hold emphasis marks, hard breaks and any
    visible content.
    """
    seq: list[Token] = []
    pending = content = False
    marks = breaks = visible = False
    for token in tokens:
        if token.__class__ is Tag:
            seq.append(token)  # markup: neither content nor a place for a space
        elif isinstance(token, str):
            if not token:
                continue
            if token[:1] == " ":
                pending = True
                token = token.lstrip(" ")
                if not token:
                    continue
            trailing = token[-1] == " "
            if trailing:
                token = token.rstrip(" ")
            if pending and content:
                at = len(seq)
                while at and _is_opener(seq[at - 1]):
                    at -= 1
                seq.insert(at, " ")
            seq.append(token)
            content, pending = True, trailing
            if not visible and not token.isspace():
                visible = True
        elif isinstance(token, Code):
            if pending and content:
                seq.append(" ")
            seq.append(token)
            content, pending, visible = True, False, True
        elif token is BREAK:
            seq.append(token)
            content = pending = False
            breaks = True
        else:
            seq.append(token)
            marks = True
    return seq, marks, breaks, visible


def _split_paragraphs(seq: list[Token]) -> list[list[Token]]:
    """Cut at two or more hard breaks in a row (emphasis marks between them do not
    count); drop breaks at paragraph edges, where a renderer would show a ``\\``.
    Emphasis and tags open at a cut are closed before it and opened again after."""
    paragraphs: list[list[Token]] = []
    current: list[Token] = []
    opened: list[Token] = []  # the marks and tags open at the end of ``current``
    content = False  # whether ``current`` holds anything visible yet
    waiting: list[Token] = []  # marks and tags between breaks
    breaks = 0
    for token in seq:
        if token is BREAK:
            breaks += 1
            continue
        if breaks and (isinstance(token, Delim) or token.__class__ is Tag):
            waiting.append(token)
            continue
        if breaks:
            waiting = _without_empty_pairs(waiting)
            for mark in waiting:
                if not _is_opener(mark):
                    _track(opened, mark)
                    current.append(mark)
            if breaks > 1 and content:
                current.extend(_closer(mark) for mark in reversed(opened))
                paragraphs.append(_trim_breaks(current))
                current = list(opened)
                content = False
            elif content:
                current.append(BREAK)
            for mark in waiting:
                if _is_opener(mark):
                    _track(opened, mark)
                    current.append(mark)
            waiting, breaks = [], 0
        if isinstance(token, Delim) or token.__class__ is Tag:
            _track(opened, token)
        current.append(token)
        if not content and _is_content(token):
            content = True
    current.extend(waiting)
    if content:
        paragraphs.append(_trim_breaks(current))
    return paragraphs


def _without_empty_pairs(marks: list[Token]) -> list[Token]:
    """``marks`` without the pairs opened and closed among them (around nothing)."""
    kept: list[Token] = []
    for mark in marks:
        if _is_opener(mark) or not _close(kept, mark):
            kept.append(mark)
    return kept


def _track(opened: list[Token], mark: Token) -> None:
    """Keep ``opened`` the list of marks and tags open after ``mark``."""
    if _is_opener(mark):
        opened.append(mark)
    else:
        _close(opened, mark)


def _close(marks: list[Token], closer: Token) -> bool:
    """Remove the last opener in ``marks`` that ``closer`` closes; whether there was one."""
    for at in range(len(marks) - 1, -1, -1):
        if _is_opener(marks[at]) and _closer(marks[at]) == closer:
            del marks[at]
            return True
    return False


def _closer(mark: Token) -> Token:
    """The mark or tag that closes the opening ``mark``."""
    if isinstance(mark, Delim):
        return mark._replace(opening=False)
    return Tag("</" + mark[1:])  # type: ignore[index]


def _is_content(token: Token) -> bool:
    if token.__class__ is Tag:
        return False
    return isinstance(token, Code) or (isinstance(token, str) and bool(token.strip()))


def _trim_breaks(tokens: list[Token]) -> list[Token]:
    """No hard break after the last visible character (none comes before the
    first: :func:`_split_paragraphs` adds one only after content)."""
    end = len(tokens)
    while not _is_content(tokens[end - 1]):
        end -= 1
    if end == len(tokens) or BREAK not in tokens[end:]:
        return tokens
    return tokens[:end] + [t for t in tokens[end:] if t is not BREAK]


def _demote(seq: list[Token], pairs: set[int] | None = None) -> list[Token]:
    """The marks of ``pairs`` (``None``: all) as HTML tags, or gone where the
    pair may not use HTML."""
    out: list[Token] = []
    for token in seq:
        if isinstance(token, Delim) and (pairs is None or token.pair in pairs):
            if token.html:
                out.append(token.tag)
        else:
            out.append(token)
    return out


def _pair_up(seq: list[Token]) -> list[Token]:
    """Keep pairs that have both sides and text between; merge ``**a****b**``."""
    opened: dict[int, int] = {}
    keep: set[int] = set()
    seen = 0  # text and code tokens so far (a lone space does not count)
    same = True  # every mark kept and none merged: ``seq`` comes back as it is
    last: Token | None = None
    for token in seq:
        if isinstance(token, Delim):
            if token.opening:
                opened[token.pair] = seen
                if (
                    same
                    and isinstance(last, Delim)
                    and not last.opening
                    and last.strong == token.strong
                ):
                    same = False
            elif opened.get(token.pair, seen) < seen:
                keep.add(token.pair)
            else:
                same = False
        elif token is not BREAK and token != " ":
            seen += 1
        last = token
    if same and len(keep) == len(opened):
        return seq
    merged: list[Token] = []
    rename: dict[int, int] = {}
    for token in seq:
        if isinstance(token, Delim):
            if token.pair not in keep:
                continue
            pair = rename.get(token.pair, token.pair)
            if pair != token.pair:
                token = token._replace(pair=pair)
            prev = merged[-1] if merged else None
            if (
                token.opening
                and isinstance(prev, Delim)
                and not prev.opening
                and prev.strong == token.strong
            ):
                merged.pop()
                rename[token.pair] = prev.pair
                continue
        merged.append(token)
    return merged


@dataclass(slots=True)
class _Run:
    """A delimiter run as a renderer sees it, and the marks we meant it to be."""

    meant: list[Delim]
    can_open: bool
    can_close: bool
    length: int
    left: int


def _run_edges(seq: list[Token], before: str, after: str) -> list[tuple[list[Delim], str, str]]:
    """Each run of marks with the characters just before and after it."""
    edges: list[tuple[list[Delim], str, str]] = []
    meant: list[Delim] = []
    last: Token | None = None  # the token just read
    ahead: Token | None = None  # the token before the current run
    for token in seq:
        if isinstance(token, Delim):
            if not meant:
                ahead = last
            meant.append(token)
        elif meant:
            # text on both sides is the usual case: its characters without a call
            prev = ahead[-1] if ahead.__class__ is str else _edge(ahead, True, before)
            follow = token[0] if token.__class__ is str else _edge(token, False, after)
            edges.append((meant, prev, follow))
            meant = []
        last = token
    if meant:
        edges.append((meant, _edge(ahead, True, before), after))
    return edges


#: How each model reads a run between two characters, kept across paragraphs
#: (the pairs of characters around marks repeat a lot).
_FLANKING: dict[tuple[str, str], tuple[tuple[bool, bool], ...]] = {}
_FLANKING_MAX = 4096


def _readings(edges: list[tuple[list[Delim], str, str]]) -> list[list[tuple[bool, bool]]]:
    """How each model reads every run (can open, can close), without repeats."""
    if len(_FLANKING) > _FLANKING_MAX:
        _FLANKING.clear()
    knowns: list[tuple[tuple[bool, bool], ...]] = []
    agree = True  # every model reads every run alike: one reading (the usual case)
    for _meant, prev_char, next_char in edges:
        key = (prev_char, next_char)
        known = _FLANKING.get(key)
        if known is None:
            known = tuple(_flanking(prev_char, next_char, *model) for model in _MODELS)
            _FLANKING[key] = known
        knowns.append(known)
        if agree and known.count(known[0]) != len(known):
            agree = False
    if agree:
        return [[known[0] for known in knowns]]
    readings: dict[tuple[tuple[bool, bool], ...], None] = {}
    for index in range(len(_MODELS)):
        readings[tuple(known[index] for known in knowns)] = None
    return [list(reading) for reading in readings]


def _misread(runs: list[_Run]) -> int | None:
    """Run CommonMark's emphasis algorithm over ``runs``; return a pair it reads
    otherwise than meant (``None`` when every mark comes out as meant)."""
    stack = list(runs)
    at = 0
    while at < len(stack):
        closer = stack[at]
        if not closer.can_close or not closer.left:
            at += 1
            continue
        found = None
        for back in range(at - 1, -1, -1):
            opener = stack[back]
            if not opener.can_open or not opener.left:
                continue
            both = opener.can_close or closer.can_open
            total = opener.length + closer.length
            if both and total % 3 == 0 and (opener.length % 3 or closer.length % 3):
                continue
            found = back
            break
        if found is None:
            if not closer.can_open:
                del stack[at]
            else:
                at += 1
            continue
        opener = stack[found]
        use = 2 if opener.left >= 2 and closer.left >= 2 else 1
        inner_open, inner_close = opener.meant[-1:], closer.meant[:1]
        if not inner_open or not inner_close:
            return (inner_open or inner_close)[0].pair
        first, second = inner_open[0], inner_close[0]
        if (
            first.pair != second.pair
            or not first.opening
            or second.opening
            or len(first.mark) != use
        ):
            return second.pair
        opener.meant.pop()
        closer.meant.pop(0)
        opener.left -= use
        closer.left -= use
        del stack[found + 1 : at]
        at = found + 1
        if not opener.left:
            del stack[found]
            at -= 1
        if not closer.left:
            del stack[at]
    for run in runs:
        if run.meant:
            return run.meant[0].pair
    return None


#: Pairs demoted one at a time before the rest of a paragraph's marks go to
#: HTML at once (keeps hostile input linear).
MAX_EMPHASIS_RETRIES = 32


def _settle_emphasis(seq: list[Token], before: str, after: str) -> list[Token]:
    """Demote the pairs a CommonMark renderer would not read as meant to HTML
    tags (:func:`_demote`).

    First every pair whose own marks cannot open or close goes, all at once;
    then the renderer's algorithm runs under each reading of white space and
    punctuation in :data:`_MODELS`, demoting one misread pair at a time. A
    pair stays Markdown only if all readings agree.
    """
    edges = _run_edges(seq, before, after)
    readings = _readings(edges)
    bad = _unflanked(edges, readings)
    if bad:
        seq = _pair_up(_demote(seq, bad))
        edges = _run_edges(seq, before, after)
        readings = _readings(edges)
    elif _one_after_another(edges):
        return seq
    for _attempt in range(MAX_EMPHASIS_RETRIES):
        if not edges:
            return seq
        lengths = [sum(2 if d.strong else 1 for d in meant) for meant, _p, _n in edges]
        for reading in readings:
            runs = [
                _Run(list(meant), can_open, can_close, length, length)
                for (meant, _p, _n), (can_open, can_close), length in zip(
                    edges, reading, lengths, strict=True
                )
            ]
            bad_pair = _misread(runs)
            if bad_pair is not None:
                seq = _pair_up(_demote(seq, {bad_pair}))
                edges = _run_edges(seq, before, after)
                readings = _readings(edges)
                break
        else:
            return seq
    return _demote(seq)


def _one_after_another(edges: list[tuple[list[Delim], str, str]]) -> bool:
    """Whether the runs are pairs one after another, one mark a run (``*a* **b**``).

    With every mark flanking as meant, each closer's nearest opener is its own
    (the pairs before it are used up) and two runs of one length never meet
    the rule of three: the renderer reads them all as meant.
    """
    if len(edges) % 2:
        return False
    opener: Delim | None = None
    for meant, _p, _n in edges:
        if len(meant) != 1:
            return False
        mark = meant[0]
        if opener is None:
            if not mark.opening:
                return False
            opener = mark
        elif mark.opening or mark.pair != opener.pair:
            return False
        else:
            opener = None
    return True


def _unflanked(
    edges: list[tuple[list[Delim], str, str]], readings: list[list[tuple[bool, bool]]]
) -> set[int]:
    """Pairs with an opening mark that cannot open or a closing one that cannot close."""
    bad: set[int] = set()
    for reading in readings:
        for (meant, _p, _n), (can_open, can_close) in zip(edges, reading, strict=True):
            if can_open and can_close:
                continue
            for mark in meant:
                if not (can_open if mark.opening else can_close):
                    bad.add(mark.pair)
    return bad


def _render(seq: list[Token]) -> str:
    parts: list[str] = []
    code: str | None = None  # adjacent code spans, merged
    for token in seq:
        if token.__class__ is str and code is None:  # most tokens: text as it is
            if token[:1] == "[" and parts and parts[-1].endswith("!"):
                parts[-1] = parts[-1][:-1] + "\\!"
            parts.append(token)
            continue
        if isinstance(token, Code):
            code = token.content if code is None else code + token.content
            continue
        if code is not None:
            parts.append(code_span(code))
            code = None
        if isinstance(token, Delim):
            piece = "**" if token.strong else "*"
        elif token is BREAK:
            piece = "\\\n"
        else:
            piece = str(token)
        if parts and piece[:1] == "[" and parts[-1].endswith("!"):
            parts[-1] = parts[-1][:-1] + "\\!"
        parts.append(piece)
    if code is not None:
        parts.append(code_span(code))
    return "".join(parts)


def resolve(
    tokens: list[Token], before: str = "", after: str = "", line_starts: bool = True
) -> list[str]:
    """Turn a paragraph's tokens into Markdown paragraphs (lines joined by ``\\n``).

    ``before`` and ``after`` are the characters around the text in the
    Markdown (``[`` and ``]`` for a link's text); empty means a line edge.
    """
    if len(tokens) == 1 and tokens[0].__class__ is str:  # the common case: plain text
        text = tokens[0].strip(" ")
        if not text.strip():
            return []
        return [escape_line_start(text) if line_starts else text]
    seq, marks, breaks, visible = _normalise_space(tokens)
    if not visible:
        return []
    if marks:
        seq = _pair_up(seq)
    if breaks:
        parts = _split_paragraphs(seq)
        if marks:
            parts = [_pair_up(part) for part in parts]
    else:
        parts = [seq]
    paragraphs: list[str] = []
    for part in parts:
        text = _render(_settle_emphasis(part, before, after) if marks else part)
        if not text.strip():
            continue
        if "\n" not in text:
            paragraphs.append(escape_line_start(text) if line_starts else text)
            continue
        lines = text.split("\n")
        lines = [
            line.replace("|", "\\|")
            if "|" in line and _DELIMITER_ROW.match(line.removesuffix("\\"))
            else line
            for line in lines
        ]
        if line_starts:
            lines = [escape_line_start(line) for line in lines]
        paragraphs.append("\n".join(lines))
    return paragraphs
