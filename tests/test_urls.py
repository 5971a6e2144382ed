"""Addresses: proxy unwrapping, dangerous schemes, placeholders, srcset."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articletool import urls

PROXY = "https://cors.zfour.workers.dev/?"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PROXY + "http://zkres1.myzaker.com/a.jpg", "http://zkres1.myzaker.com/a.jpg"),
        ("http://cors.zfour.workers.dev/?https://a.example/b.png", "https://a.example/b.png"),
        ("HTTPS://CORS.ZFOUR.WORKERS.DEV/?http://a/b.jpg", "http://a/b.jpg"),
        (PROXY + PROXY + "http://a/b.jpg", "http://a/b.jpg"),
        (
            "https://cors.zfour.workers.dev/?url=http%3A%2F%2Fa.example%2Fb.jpg",
            "http://a.example/b.jpg",
        ),
        ("https://images.weserv.nl/?url=https://a.example/b.jpg", "https://a.example/b.jpg"),
        ("  " + PROXY + "http://a/b.jpg  ", "http://a/b.jpg"),
        ("http://a.example/b.jpg", "http://a.example/b.jpg"),
        (PROXY, PROXY),  # nothing after the prefix: left alone
        ("", ""),
    ],
)
def test_unproxy(url: str, expected: str) -> None:
    assert urls.unproxy(url) == expected


def test_unproxy_with_extra_prefix() -> None:
    prefixes = ("https://my.proxy/fetch?u=", *urls.PROXY_PREFIXES)
    assert urls.unproxy("https://my.proxy/fetch?u=http://a/b", prefixes) == "http://a/b"
    assert (
        urls.unproxy("https://my.proxy/fetch?u=http://a/b") == "https://my.proxy/fetch?u=http://a/b"
    )
    assert urls.is_proxied(PROXY + "http://a/b")
    assert not urls.is_proxied("http://a/b")


DANGEROUS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
    "javascript&colon;alert(1)",
    "&amp;#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:TEXT/HTML,x",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "data:application/xhtml+xml,x",
    PROXY + "javascript:alert(1)",
    "javascript\u200b:alert(1)",
]


@pytest.mark.parametrize("url", DANGEROUS)
def test_dangerous_schemes(url: str) -> None:
    assert urls.is_dangerous(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://a.example/javascript:x",
        "https://a.example/?q=javascript:alert(1)",
        "/relative/path",
        "data:image/png;base64,iVBOR",
        "mailto:a@example.com",
        "javascript-guide.html",
        "",
    ],
)
def test_safe_schemes(url: str) -> None:
    assert not urls.is_dangerous(url)


@pytest.mark.parametrize(
    ("url", "placeholder"),
    [
        ("", True),
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", True),
        ("https://a.example/static/blank.gif", True),
        ("https://a.example/images/1x1.png?v=2", True),
        ("https://a.example/photo.jpg", False),
    ],
)
def test_is_placeholder(url: str, placeholder: bool) -> None:
    assert urls.is_placeholder(url) is placeholder


def test_upgrade_http() -> None:
    assert urls.upgrade_http("http://a/b.jpg") == "https://a/b.jpg"
    assert urls.upgrade_http("HTTP://a/b.jpg") == "https://a/b.jpg"
    assert urls.upgrade_http("https://a/b.jpg") == "https://a/b.jpg"
    assert urls.upgrade_http("//a/b.jpg") == "//a/b.jpg"


def test_srcset_round_trip_and_rewrite() -> None:
    value = f"{PROXY}http://a/1.jpg 1x, {PROXY}http://a/2.jpg 2x"
    assert urls.split_srcset(value) == [
        (PROXY + "http://a/1.jpg", "1x"),
        (PROXY + "http://a/2.jpg", "2x"),
    ]
    assert urls.rewrite_srcset(value) == "http://a/1.jpg 1x, http://a/2.jpg 2x"
    plain = "http://a/1.jpg 480w, http://a/2.jpg 800w"
    assert urls.rewrite_srcset(plain) is plain


@given(
    st.lists(st.sampled_from(urls.PROXY_PREFIXES[2:]), max_size=5),
    st.text(alphabet="abcdefghij/._-0123456789", max_size=40),
)
def test_unproxy_removes_any_nesting(prefixes: list[str], path: str) -> None:
    real = "http://img.example/" + path
    wrapped = "".join(prefixes) + real
    assert urls.unproxy(wrapped) == real
    assert urls.unproxy(urls.unproxy(wrapped)) == real


@given(st.text(max_size=100))
def test_is_dangerous_never_raises(url: str) -> None:
    urls.is_dangerous(url)
    urls.is_placeholder(url)
    urls.split_srcset(url)


def test_unproxy_matches_prefixes_of_any_length_and_case() -> None:
    # the quick rejection by the prefixes' first characters must not miss a
    # short user prefix, nor an address written in capitals
    table = ("https://cors.zfour.workers.dev/?url=", "p:")
    assert urls.unproxy("P:https://a/b.jpg", table) == "https://a/b.jpg"
    assert urls.unproxy("HTTPS://CORS.zfour.workers.dev/?url=https://a/b.jpg", table) == (
        "https://a/b.jpg"
    )
    assert urls.unproxy("q:https://a/b.jpg", table) == "q:https://a/b.jpg"
    assert urls.unproxy("p", table) == "p"


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        ("https://a.example/x.jpg", True),
        ("HTTP://a.example/x.jpg", True),
        ("https://cors.zfour.workers.dev/?http://a/b.jpg", False),  # through a proxy
        ("https://cors.zfour.workers.dev/?", True),  # a proxy with nothing after: as it is
        ("https://&#106;avascript:alert(1)", False),  # an entity right after the scheme
        ("javascript:alert(1)", False),
        ("/relative/x.jpg", False),
    ],
)
def test_is_plain_web_agrees_with_unproxy_and_is_dangerous(url: str, plain: bool) -> None:
    assert urls.is_plain_web(url) is plain
    if plain:
        assert urls.unproxy(url) == url and not urls.is_dangerous(url)
