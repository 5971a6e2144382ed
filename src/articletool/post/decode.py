"""Bytes in, text out, and back again without changing what we did not touch.

A post is decoded once. We remember its encoding, byte-order mark and newline
style so that a rewrite can give back bytes in the same form. Inside
articletool every text uses ``\\n`` newlines.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from articletool.errors import DecodeError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Encodings tried, in order, when the bytes are not UTF-8. GB18030 is a
#: superset of GBK and GB2312, which this corpus's world uses.
FALLBACK_ENCODINGS: tuple[str, ...] = ("gb18030", "big5", "shift_jis", "euc-kr")

#: How many bytes we look at to decide a file is binary.
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded file: the text with ``\\n`` newlines and how to encode it back."""

    text: str
    encoding: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"

    def encode(self, text: str) -> bytes:
        """Encode ``text`` (``\\n`` newlines) the way the original was encoded."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return self.bom + text.encode(self.encoding)


def _newline_style(text: str) -> str:
    index = text.find("\r")
    if index < 0:
        return "\n"
    if text.startswith("\r\n", index):
        return "\r\n"
    return "\r"


def _normalise(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:_SNIFF]


def _dammit(data: bytes) -> tuple[str, str] | None:
    """Ask beautifulsoup4's UnicodeDammit, steered towards East Asian encodings."""
    import logging

    from bs4.dammit import UnicodeDammit  # imported here: costly, rarely needed

    # Its warning about replaced characters would reach stderr through
    # logging's last-resort handler; we refuse such bytes with our own message.
    logging.getLogger("bs4.dammit").setLevel(logging.ERROR)
    dammit = UnicodeDammit(
        data,
        known_definite_encodings=["utf-8"],
        user_encodings=list(FALLBACK_ENCODINGS),
        is_html=True,
    )
    if (
        dammit.unicode_markup is None
        or dammit.original_encoding is None
        or dammit.contains_replacement_characters
    ):
        return None
    return dammit.unicode_markup, str(dammit.original_encoding)


def decode(data: bytes, path: str | None = None) -> Decoded:
    """Decode a file's bytes, detecting BOM, encoding and newline style.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are recognised at
    once; other bytes go through UnicodeDammit, which tries the encodings a
    document declares and then :data:`FALLBACK_ENCODINGS`.
    """
    bom = b""
    encoding = "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    payload = data[len(bom) :]
    if not bom and _looks_binary(payload):
        raise DecodeError("binary file (NUL byte), not a text post", path)
    try:
        text = payload.decode(encoding)
    except UnicodeDecodeError as exc:
        if bom:
            raise DecodeError(
                f"invalid {encoding} after its byte-order mark: {exc.reason}", path
            ) from exc
        guessed = _dammit(payload)
        if guessed is None:
            raise DecodeError("not text in UTF-8 or any recognised encoding", path) from exc
        text, encoding = guessed
    if "\x00" in text:
        raise DecodeError("NUL character in text", path)
    return Decoded(_normalise(text), encoding, bom, _newline_style(text))
