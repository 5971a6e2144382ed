"""The one place that chooses the HTML parser. Everything downstream gets the tree.

lxml is the fast path: a 5 KB body parses in about 0.04 ms. The body is parsed
as a fragment inside a ``<div>`` wrapper that is not part of the document.

A body nested deeper than :data:`MAX_DEPTH` elements is refused with a
:class:`~articletool.errors.LimitError`: libxml2 silently drops everything
past about 2,000 levels, and code that walks the tree recursively would run
out of stack long before that. So is an element with more than
:data:`MAX_ATTRIBUTES` attributes, which libxml2 parses in quadratic time. No
real post comes near either limit.

Document-level tags (``<html>``, ``<head>``, ``<body>`` and their end tags)
mean nothing inside a post body and are dropped before parsing (attributes
of a start tag are kept on an empty ``<span>`` for the rules to judge): libxml2 would
otherwise discard everything after a stray ``</html>`` or ``</body>``. So are
control characters, which lxml refuses in text before the first tag.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from articletool.errors import LimitError, ParseError

_PARSER = lxml.html.HTMLParser(recover=True, remove_comments=False, huge_tree=True)
# lxml.html asks a Python method for the class of every element it hands out
# (forms, inputs and labels get their own); nothing here needs more than
# HtmlElement, and a lookup done in C saves that call per element.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
# Characters an lxml text node cannot hold (control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# ``[^<>]*`` stops at the next tag, so hostile input cannot make this quadratic.
_DOCUMENT_TAGS = re.compile(r"<(/?)(?:html|head|body)(?=[\s/>])([^<>]*)>", re.IGNORECASE)


def _document_tag(match: re.Match[str]) -> str:
    """Drop a document-level tag; keep the attributes of a start tag on an empty
    ``<span>``, where the cleaning rules see them (a browser would move
    ``<body onload=...>``'s handler onto the page)."""
    attributes = match[2].strip().rstrip("/").strip()
    return f"<span {attributes}></span>" if attributes and not match[1] else ""


#: Deepest element nesting accepted below the wrapper ``<div>``.
MAX_DEPTH = 512
#: Levels the parser may add without a tag of their own (html, body, p...),
#: with room to spare.
_IMPLIED_LEVELS = 16
#: Most attributes accepted on one element (libxml2 compares each new
#: attribute with all earlier ones: 100,000 on one tag take minutes).
MAX_ATTRIBUTES = 256

# A whole start tag, quoted values included; possessive, so it stays linear.
_START_TAG = re.compile(r"<[A-Za-z][^\s/<>]*+(?:[^<>\"']++|\"[^\"]*+\"|'[^']*+')*+>")
_ATTRIBUTE = re.compile(r"[^\s\"'=<>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")


def _too_many_attributes(markup: str, limit: int = MAX_ATTRIBUTES) -> bool:
    """Whether a start tag in ``markup`` has more than ``limit`` attributes.

    Only tags long enough to hold that many are counted: in a post, none."""
    tags = _START_TAG.findall(markup)
    if max(map(len, tags), default=0) <= 2 * limit:
        return False
    return any(len(tag) > 2 * limit and len(_ATTRIBUTE.findall(tag)) - 1 > limit for tag in tags)


def _deeper_than(depth: int) -> etree.XPath:
    """An XPath that finds elements more than ``depth`` levels below its context."""
    return etree.XPath("/".join(["*"] * (depth + 1)))


_TOO_DEEP = _deeper_than(MAX_DEPTH)


def depth_exceeds(root: etree._Element, depth: int = MAX_DEPTH) -> bool:
    """Whether any element lies more than ``depth`` levels below ``root``."""
    finder = _TOO_DEEP if depth == MAX_DEPTH else _deeper_than(depth)
    return bool(finder(root))


def _fragment(markup: str) -> lxml.html.HtmlElement:
    """``lxml.html.fragment_fromstring(markup, create_parent="div")``, except that
    the wrapper belongs to our parser (whose class lookup then serves the tree)."""
    elements = lxml.html.fragments_fromstring(markup, no_leading_text=False, parser=_PARSER)
    root: lxml.html.HtmlElement = _PARSER.makeelement("div")
    if elements:
        if isinstance(elements[0], str):
            root.text = elements[0]
            del elements[0]
        root.extend(elements)
    return root


def parse_body(body: str, max_depth: int = MAX_DEPTH) -> lxml.html.HtmlElement:
    """Parse an HTML body into a wrapper ``<div>`` holding its content.

    Raises :class:`LimitError` (without a path: the caller knows it) when
    elements nest more than ``max_depth`` levels deep.
    """
    if not body.strip():
        return lxml.html.Element("div")
    # libxml2 drops these characters inside elements anyway; before the first
    # tag lxml would refuse the whole body for them.
    markup = _NOT_XML.sub("", _DOCUMENT_TAGS.sub(_document_tag, body))
    if _too_many_attributes(markup):
        raise LimitError(
            f"an HTML element with more than {MAX_ATTRIBUTES} attributes; not processed"
        )
    try:
        root = _fragment(markup)
    except etree.ParserError:  # "Document is empty": only a doctype, comments and the like
        return lxml.html.Element("div")
    except ValueError:
        wrapper = lxml.html.Element("div")
        wrapper.text = _NOT_XML.sub("\ufffd", body)
        return wrapper
    except AssertionError as exc:  # lxml's own check on odd documents
        raise ParseError(f"cannot parse the HTML body: {exc}") from None
    # Each level needs a tag of its own (the parser adds only a few implied
    # ones): a body with fewer tags than the limit cannot nest that deep.
    if markup.count("<") + _IMPLIED_LEVELS > max_depth and depth_exceeds(root, max_depth):
        raise LimitError(f"HTML elements nested more than {max_depth} levels deep; not processed")
    return root
