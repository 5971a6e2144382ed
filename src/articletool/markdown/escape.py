"""Escaping for Markdown: text, destinations, titles, code spans, line starts.

Text is escaped only where CommonMark (or GFM, which Hexo's renderer speaks)
would read it as syntax. Destinations are checked for schemes that run code
and written so that nothing in them can end the link early.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote

from articletool import urls

#: ASCII white space as HTML collapses it (no-break spaces are kept).
#: The white space HTML collapses to one space (no-break spaces are kept).
HTML_SPACE_CHARS: Final = " \t\n\r\f"
HTML_SPACE: Final = re.compile(r"[ \t\n\r\f]+")
ASCII_PUNCT: Final = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SPECIAL = re.compile(r"[\\`*_\[\]<&~{}]")
#: Characters :func:`escape_text` would change: white space HTML collapses
#: to a space, or a special character (a run of spaces is looked for apart:
#: a class alone scans faster than an alternation).
_CHANGES = re.compile(r"[\t\n\r\f\\`*_\[\]<&~{}]")
#: First characters :func:`escape_line_start` may have to escape.
_LINE_START_CHARS = frozenset("#>-+=0123456789")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_LINE_START = re.compile(r"(?:#{1,6}(?=[ \t]|$)|[>]|[-+](?=[ \t]|$)|=+[ \t]*$|-+[ \t]*$)")
_ORDERED = re.compile(r"([0-9]{1,9})([.)])(?=[ \t]|$)")
_BACKTICKS = re.compile(r"`+")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\\]+")
#: What a bare destination cannot hold: control characters, space, ``<>()``.
_NEEDS_BRACKETS = re.compile(r"[\x00-\x20<>()]")
#: What :func:`escape_url` rewrites: white space, brackets, entities, backslashes.
_URL_SPECIAL = re.compile(r"[\x00-\x20<>()&\\]")


def escape_text(text: str, entity_braces: bool = True) -> str:
    """Collapse HTML white space and escape what CommonMark would interpret inline."""
    if _CHANGES.search(text) is None and "  " not in text:
        return text  # most text nodes
    if not text.strip(HTML_SPACE_CHARS):
        return " "  # white space between blocks
    if HTML_SPACE.search(text) is not None:
        text = HTML_SPACE.sub(" ", text)
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(_escape_entity if entity_braces else _escape_literal, text)


def escape_alt(text: str, entity_braces: bool = True) -> str:
    """An image's alt text: white space collapsed, edges trimmed, escaped."""
    if _CHANGES.search(text) is None and "  " not in text:
        return text.strip(" ")  # nothing to collapse or escape (most alt texts)
    return escape_text(HTML_SPACE.sub(" ", text).strip(" "), entity_braces)


def _escape_literal(match: re.Match[str]) -> str:
    char = match.group()
    if char in "{}":
        return char
    return _escape_entity(match)


def _escape_entity(match: re.Match[str]) -> str:
    char, text, at = match.group(), match.string, match.start()
    if char == "{":
        return "&#123;"
    if char == "}":
        return "&#125;"
    after = text[at + 1 : at + 2]
    if char == "_":
        before = text[at - 1 : at] if at else ""
        return "_" if before.isalnum() and after.isalnum() else "\\_"
    if char == "\\":
        keep = after and after != " " and after not in ASCII_PUNCT
        return "\\" if keep else "\\\\"
    if char == "&":
        return "\\&" if not after or _ENTITY.match(text, at) else "&"
    if char == "<":
        return "<" if after == " " or after.isdigit() else "\\<"
    return "\\" + char


def escape_url(url: str) -> str:
    """A link destination that no content can break out of."""
    if url and _URL_SPECIAL.search(url) is None:
        return url  # nothing below would change it
    url = HTML_SPACE.sub(" ", url).strip(" ")
    url = _ENTITY.sub(lambda m: "\\" + m.group(), url.replace("\\", "\\\\"))
    if not url or _NEEDS_BRACKETS.search(url):
        return "<" + url.replace("<", "\\<").replace(">", "\\>") + ">"
    return url


def safe_url(
    url: str | None, image: bool, prefixes: tuple[str, ...] = urls.PROXY_PREFIXES
) -> str | None:
    """``url`` unproxied, or ``None`` when it is empty or could run code.

    Beyond :func:`articletool.urls.is_dangerous`, links (not images) to any
    ``data:`` address go, and so does an address whose scheme is dangerous
    once percent-decoded or stripped of backslashes.
    """
    if url is None:
        return None
    url = url.strip()
    if urls.is_plain_web(url, tuple(prefixes)):
        return url  # the usual link or image: unproxy leaves it, and it is safe
    url = urls.unproxy(url, prefixes)
    if not url or urls.is_dangerous(url, prefixes):
        return None
    if url[:4].lower() == "http":
        # Every reading of the scheme below starts with "http" (entities,
        # controls and percent-escapes cannot reach the first characters).
        return url
    bare = _CONTROL.sub("", urls.scheme_text(url))
    for form in (bare, _CONTROL.sub("", unquote(bare))):
        if form.startswith(urls.DANGEROUS_SCHEMES) or (not image and form.startswith("data:")):
            return None
    return url


def escape_title(title: str, entity_braces: bool = True) -> str:
    """A link title in double quotes."""
    title = HTML_SPACE.sub(" ", title).strip(" ").replace("\\", "\\\\").replace('"', '\\"')
    title = _ENTITY.sub(lambda m: "\\" + m.group(), title)
    if entity_braces:
        title = title.replace("{", "&#123;").replace("}", "&#125;")
    return '"' + title + '"'


def code_span(content: str) -> str:
    """``content`` as a code span whose fence no backtick inside can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if content.startswith("`") or content.endswith("`"):
        content = " " + content + " "
    return fence + content + fence


def escape_line_start(line: str) -> str:
    """Escape what would make a paragraph line a heading, list, quote or rule."""
    if line[:1] not in _LINE_START_CHARS:
        return line
    match = _LINE_START.match(line)
    if match is not None:
        return "\\" + line
    match = _ORDERED.match(line)
    if match is not None:
        return match.group(1) + "\\" + line[match.end(1) :]
    return line
