"""Addresses: proxy unwrapping, lazy-load attributes, dangerous schemes.

The tables here are the ones users extend (``[tool.articletool.clean]`` in
``pyproject.toml`` or the ``clean`` flags): :data:`PROXY_PREFIXES` lists the
image proxies whose prefix is stripped from an address, :data:`LAZY_ATTRS`
the attributes where lazy-loading pages keep an image's real address.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from urllib.parse import unquote

#: Prefixes of image proxies, followed directly by the real address. The
#: query-parameter forms (``?url=``) may carry it percent-encoded. Longer
#: prefixes of the same proxy come first so that ``?url=`` wins over ``?``.
PROXY_PREFIXES: tuple[str, ...] = (
    "https://cors.zfour.workers.dev/?url=",
    "http://cors.zfour.workers.dev/?url=",
    "https://cors.zfour.workers.dev/?",
    "http://cors.zfour.workers.dev/?",
    "https://images.weserv.nl/?url=",
    "https://api.allorigins.win/raw?url=",
    "https://corsproxy.io/?url=",
    "https://corsproxy.io/?",
    "https://cors-anywhere.herokuapp.com/",
)

#: Attributes that hold an image's real address on lazy-loading pages, in
#: the order they are tried. ``srcset``-like values name several candidates.
LAZY_ATTRS: tuple[str, ...] = (
    "data-original",
    "data-src",
    "data-lazy-src",
    "data-actualsrc",
    "data-url",
    "data-srcset",
    "data-lazy-srcset",
)

#: Attributes whose value is a list of ``URL [descriptor]`` candidates.
SRCSET_ATTRS: frozenset[str] = frozenset({"srcset", "data-srcset", "data-lazy-srcset"})

#: Schemes (after normalisation) that run code when followed or loaded.
DANGEROUS_SCHEMES: tuple[str, ...] = (
    "javascript:",
    "vbscript:",
    "livescript:",
    "mocha:",
    "data:text/html",
    "data:application/xhtml",
    "data:image/svg+xml",
    "data:text/xml",
    "data:application/xml",
    "data:text/javascript",
    "data:application/javascript",
)

# What browsers ignore inside a URL's scheme: ASCII tab and newlines
# anywhere, C0 controls and spaces at the start.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
_WEB = re.compile(r"https?://[^\s&]", re.IGNORECASE)
# A comma directly followed by an address splits only outside the last run
# of non-space characters (see _srcset_parts: a lookahead over the rest of
# the run made this quadratic on "a,a,a,...").
_SRCSET_SPLIT = re.compile(r",\s+|,(?=\S)")


_Lowered = tuple[tuple[str, ...], int, frozenset[str], int]


@functools.lru_cache(maxsize=64)
def _lowered(prefixes: tuple[str, ...]) -> _Lowered:
    """The prefixes in lower case, the longest's length, and the set of their
    first ``shortest`` characters (an address whose start is not in it is
    no proxy's: one set lookup rejects most addresses)."""
    table = tuple(prefix.lower() for prefix in prefixes)
    shortest = min(map(len, table), default=0)
    heads = frozenset(prefix[:shortest] for prefix in table)
    return table, max(map(len, prefixes), default=0), heads, shortest


def _candidates(url: str, prefixes: tuple[str, ...]) -> str | None:
    table, longest, heads, shortest = _lowered(prefixes)
    head = url[:shortest]
    if head.isascii() and head.lower() not in heads:
        return None  # (lower case maps ASCII one character to one)
    lowered = url[:longest].lower()
    if not lowered.startswith(table):
        return None
    for prefix in table:
        if lowered.startswith(prefix):
            rest = url[len(prefix) :].strip()
            # lower() maps character by character: lowering the first 8 is enough
            if rest[:8].lower().startswith(("http%3a", "https%3a", "%2f%2f")):
                rest = unquote(rest)
            return rest
    return None  # pragma: no cover - startswith(table) found one


def unproxy(url: str, prefixes: Iterable[str] = PROXY_PREFIXES) -> str:
    """Strip known proxy prefixes from ``url``, repeatedly (proxies nest).

    ``https://cors.zfour.workers.dev/?http://a/b.jpg`` becomes
    ``http://a/b.jpg``; a percent-encoded address after ``?url=`` is decoded.
    An address that goes through no known proxy comes back unchanged, and
    so does a proxy prefix with nothing after it.
    """
    table = tuple(prefixes)
    current = url
    for _ in range(8):  # enough for any honest nesting, bounded for hostile input
        inner = _candidates(current.strip(), table)
        if not inner:
            break
        current = inner
    return current


def is_proxied(url: str, prefixes: Iterable[str] = PROXY_PREFIXES) -> bool:
    """Whether ``url`` goes through one of the known proxies."""
    return unproxy(url, prefixes) != url


def scheme_text(url: str) -> str:
    """``url`` as a browser reads its scheme: entities decoded, ignored characters
    removed, lower case. Only for deciding what the address is, never to output."""
    if "&" not in url and " " not in url and url.isprintable():
        # no entity to decode; the ignored characters other than the space
        # are all unprintable: the usual address, decided without a regex
        return url.lower()
    text = url
    for _ in range(3):  # entities may be encoded more than once
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return _IGNORED_IN_SCHEME.sub("", text).lower()


def is_plain_web(url: str, prefixes: tuple[str, ...] = PROXY_PREFIXES) -> bool:
    """Whether ``url`` is a web address (``http(s)://`` and a first character
    that spells no entity or space) through none of ``prefixes``: safe as it
    is, and left as it is by :func:`unproxy`."""
    # "https://" or "http://" in lower case, then what _WEB wants: settled
    # without the regex for the usual address
    after = url[8:9] if url[:8] == "https://" else url[7:8] if url[:7] == "http://" else None
    if after is not None:
        web = after != "" and after != "&" and not after.isspace()
    else:
        web = _WEB.match(url) is not None
    if not web:
        return False
    # no proxy's: one step of unproxy decides, as every step shortens the
    # address unless it changes nothing
    inner = _candidates(url.strip(), prefixes)
    return not inner or inner == url


def is_dangerous(url: str, prefixes: Iterable[str] = PROXY_PREFIXES) -> bool:
    """Whether following or loading ``url`` would run code.

    Catches ``javascript:``, ``vbscript:`` and script-bearing ``data:`` URLs
    however disguised: mixed case, character entities, tabs, newlines or
    control characters inside the scheme, or wrapped in a known proxy.
    """
    if ":" not in url and "&" not in url and "%" not in url:
        return False  # no way to spell a scheme: a relative address or plain text
    table = tuple(prefixes)
    if is_plain_web(url, table):
        return False  # the common case, decided without decoding anything
    text = scheme_text(url)
    if text.startswith(DANGEROUS_SCHEMES):
        return True
    return scheme_text(unproxy(text, table)).startswith(DANGEROUS_SCHEMES)


def is_placeholder(url: str) -> bool:
    """Whether an image ``src`` is a stand-in a lazy-loader replaces: empty,
    a ``data:`` URI, or a well-known blank or spinner image."""
    text = url.strip().lower()
    if not text or text.startswith(("data:", "about:blank")):
        return True
    name = text.rsplit("/", 1)[-1].split("?", 1)[0]
    return name in _PLACEHOLDER_NAMES


_PLACEHOLDER_NAMES: frozenset[str] = frozenset(
    {
        "blank.gif",
        "blank.png",
        "spacer.gif",
        "pixel.gif",
        "1x1.gif",
        "1x1.png",
        "transparent.gif",
        "transparent.png",
        "grey.gif",
        "loading.gif",
        "lazy.gif",
        "placeholder.png",
        "placeholder.gif",
    }
)


def upgrade_http(url: str) -> str:
    """``http://`` becomes ``https://``; anything else is returned as it is."""
    if url[:7].lower() == "http://":
        return "https://" + url[7:]
    return url


def _srcset_parts(text: str) -> list[str]:
    """``text`` cut at ``,\\s+`` or at ``,(?=\\S+\\s)``, in linear time."""
    rest = text.rsplit(None, 1)
    if len(rest) < 2:
        return [text]
    pieces = _SRCSET_SPLIT.split(text[: len(text) - len(rest[1])])
    pieces[-1] += rest[1]
    return pieces


def split_srcset(value: str) -> list[tuple[str, str]]:
    """``"a.jpg 1x, b.jpg 2x"`` -> ``[("a.jpg", "1x"), ("b.jpg", "2x")]``."""
    out: list[tuple[str, str]] = []
    for part in _srcset_parts(value.strip()):
        bits = part.strip().split(None, 1)
        if bits:
            out.append((bits[0], bits[1] if len(bits) > 1 else ""))
    return out


def join_srcset(candidates: Iterable[tuple[str, str]]) -> str:
    """The inverse of :func:`split_srcset`."""
    return ", ".join(f"{url} {descriptor}".strip() for url, descriptor in candidates)


def rewrite_srcset(value: str, prefixes: Iterable[str] = PROXY_PREFIXES) -> str:
    """Unwrap proxies in every candidate of a ``srcset`` value."""
    table = tuple(prefixes)
    parts = split_srcset(value)
    new = [(unproxy(url, table), descriptor) for url, descriptor in parts]
    return value if new == parts else join_srcset(new)
