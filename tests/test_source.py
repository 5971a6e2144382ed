"""source.decode: encodings, byte-order marks and newline styles, and back again."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articletool.errors import DecodeError
from articletool.post.decode import decode

POST = "\n---\ntitle: '在新时代东北振兴'\n---\n<p>中文正文，国家发展与改革。</p>\n"


def test_utf8_plain() -> None:
    decoded = decode(POST.encode())
    assert (decoded.text, decoded.encoding, decoded.bom, decoded.newline) == (
        POST,
        "utf-8",
        b"",
        "\n",
    )
    assert decoded.encode(decoded.text) == POST.encode()


def test_utf8_bom_is_kept_apart_and_restored() -> None:
    data = codecs.BOM_UTF8 + POST.encode()
    decoded = decode(data)
    assert decoded.text == POST
    assert decoded.bom == codecs.BOM_UTF8
    assert not decoded.text.startswith("\ufeff")
    assert decoded.encode(decoded.text) == data


@pytest.mark.parametrize(
    ("codec", "name"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
def test_utf16_with_bom(codec: str, name: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + POST.encode(codec)
    decoded = decode(data)
    assert (decoded.text, decoded.encoding, decoded.bom) == (POST, name, bom)
    assert decoded.encode(decoded.text) == data


def test_gbk_without_declaration() -> None:
    data = POST.encode("gbk")
    decoded = decode(data)
    assert decoded.text == POST
    assert decoded.encoding in ("gb18030", "gbk", "gb2312")
    assert decoded.encode(decoded.text) == data


def test_gb18030_only_characters() -> None:
    text = POST + "<p>䶮 𠀀 €</p>\n"  # outside GBK: needs GB18030
    data = text.encode("gb18030")
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.encoding == "gb18030"
    assert decoded.encode(decoded.text) == data


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newline_styles(newline: str) -> None:
    data = POST.replace("\n", newline).encode()
    decoded = decode(data)
    assert decoded.text == POST
    assert "\r" not in decoded.text
    assert decoded.newline == newline
    assert decoded.encode(decoded.text) == data


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.md")


def test_binary_error_names_the_file() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"abc\x00def", "x.md")
    assert str(info.value).startswith("x.md: ")


def test_bad_bytes_after_utf16_bom() -> None:
    with pytest.raises(DecodeError, match="utf-16"):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate


def test_empty_input() -> None:
    decoded = decode(b"")
    assert (decoded.text, decoded.encoding, decoded.newline) == ("", "utf-8", "\n")


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00\ufeff"),
    max_size=200,
)


@given(_TEXT, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_round_trip(text: str, newline: str, bom: bool) -> None:
    data = (codecs.BOM_UTF8 if bom else b"") + text.replace("\n", newline).encode()
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.encode(decoded.text) == data


@given(st.binary(max_size=300))
def test_any_bytes_decode_or_refuse(data: bytes) -> None:
    try:
        decoded = decode(data)
    except DecodeError:
        return
    assert "\r" not in decoded.text
    assert "\x00" not in decoded.text
