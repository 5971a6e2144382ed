"""Plain text, images and extract records."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from articletool.cleaning.body import CleanSettings
from articletool.cli.extract_command import Job, extract_input, extract_inputs
from articletool.html.images import Image, images
from articletool.html.parse import parse_body
from articletool.html.text import collapse, to_text
from articletool.output.record import extract_record, iso_date, json_safe
from articletool.post.load import parse_post
from articletool.run.files import Input

PROXY = "https://cors.zfour.workers.dev/?"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<div><p>a</p>bare text<p>b</p></div>", "a\n\nbare text\n\nb"),
        ("<p>line one<br>line two</p>", "line one\nline two"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>  many   spaces\n\tand tabs </p>", "many spaces and tabs"),
        ("<p>中文\n内容</p>", "中文内容"),  # no space between wide characters
        ("<p>English\n中文</p>", "English 中文"),
        ("<p>한국어\n문장</p>", "한국어 문장"),  # Korean separates words with spaces
        ("<p>a\u00a0\u00a0b\u3000c</p>", "a\u00a0\u00a0b\u3000c"),
        ("<p><strong>粗体</strong>和<em>斜体</em></p>", "粗体和斜体"),
        ("<pre>  code\n    indented\n</pre>", "  code\n    indented"),
        ("<pre>a<br>b</pre>", "a\nb"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"),
        ("<p>x<script>var a;</script><style>p{}</style>y</p>", "xy"),
        ("<p>see<img src='a.jpg' alt='ALT'>here</p>", "seehere"),
        ("<noscript>no</noscript><p>yes</p>", "yes"),
        ("", ""),
        ("just text", "just text"),
    ],
)
def test_to_text(body: str, text: str) -> None:
    assert to_text(parse_body(body)) == text


def test_collapse_keeps_chinese_exactly() -> None:
    assert collapse("人人都是\n产品经理") == "人人都是产品经理"
    assert collapse("“引号”\n。") == "“引号”。"
    assert collapse("a \n b") == "a b"


def test_images_in_document_order_with_real_addresses() -> None:
    root = parse_body(
        f'<p><img class="lazy" data-original="http://a/1.jpg" src="{PROXY}http://a/1.jpg" '
        'data-width="640" data-height="480"></p>'
        f'<p><img src="{PROXY}http://a/2.jpg" alt="two" width="10px" height="auto"></p>'
        '<p><img src="data:image/gif;base64,R0"><img src="javascript:alert(1)"><img></p>'
    )
    assert images(root) == [
        Image("http://a/1.jpg", None, 640, 480),
        Image("http://a/2.jpg", "two", 10, None),
    ]


def test_record_fields() -> None:
    text = (
        "\n---\ntitle: 'T: [x]'\ndate: Thu, 18 Aug 2022 19:08:00 GMT\n"
        f"headimg: '{PROXY}http://a/h.jpg'\nupdated: 2022-08-19 10:00:00\nn: 3\n---\n\n"
        f'<div><p>para</p><img src="{PROXY}http://a/b.jpg"></div>'
    )
    record = extract_record(parse_post(text.encode(), "dir/p.md"))
    assert list(record) == ["path", "title", "date", "front_matter", "text", "images", "media"]
    assert record["path"] == "dir/p.md"
    assert record["title"] == "T: [x]"
    assert record["date"] == "2022-08-18T19:08:00Z"
    assert record["front_matter"] == {
        "title": "T: [x]",
        "date": "Thu, 18 Aug 2022 19:08:00 GMT",
        "headimg": "http://a/h.jpg",
        "updated": "2022-08-19T10:00:00",
        "n": 3,
    }
    assert record["text"] == "para"
    assert record["images"] == [
        {"src": "http://a/b.jpg", "alt": None, "width": None, "height": None}
    ]
    json.dumps(record)  # JSON-safe


def test_record_of_post_without_or_with_bad_front_matter() -> None:
    bare = extract_record(parse_post(b"<p>only body</p>", "b.md"))
    assert bare["front_matter"] == {} and bare["title"] is None and bare["date"] is None
    broken = extract_record(parse_post(b"---\ntitle: [x\n---\n<p>body</p>", "x.md"))
    assert broken["front_matter"] is None
    assert broken["text"] == "body"
    assert "invalid YAML" in broken["error"]


def test_iso_date_forms() -> None:
    assert iso_date("2021-04-15 08:08:37") == "2021-04-15T08:08:37"
    assert iso_date(datetime(2021, 4, 15, tzinfo=UTC)) == "2021-04-15T00:00:00Z"
    assert iso_date("not a date") == "not a date"
    assert iso_date(None) is None


def test_json_safe() -> None:
    value = {1: float("nan"), "d": [datetime(2020, 1, 1)], "b": b"x", "s": {3}}
    assert json_safe(value) == {"1": "nan", "d": ["2020-01-01T00:00:00"], "b": "x", "s": [3]}


@pytest.mark.parametrize("images_only", [False, True])
def test_a_chunk_extracts_as_its_posts_do_one_at_a_time(
    images_only: bool, mixed_inputs: list[Input]
) -> None:
    job = Job(CleanSettings(), images_only)
    one_by_one = [extract_input(job, item) for item in mixed_inputs]
    together = extract_inputs(job, mixed_inputs)
    assert [(r.display, r.record, str(r.error)) for r in together] == [
        (r.display, r.record, str(r.error)) for r in one_by_one
    ]
    assert sum(r.record is None for r in together) >= 3
    assert sum(bool(r.record and r.record["images"]) for r in together) >= 5


def test_media_are_listed_as_they_play() -> None:
    text = (
        "---\ntitle: t\n---\n"
        f'<div><video poster="{PROXY}http://i/p.jpg" id="v"><source src="{PROXY}{PROXY}'
        'http://v/a.mp4"></video><iframe src="//v.qq.com/p.html?vid=1" srcdoc="x"></iframe>'
        '<audio src="javascript:alert(1)"></audio><iframe srcdoc="&lt;b&gt;x"></iframe>'
        '<audio src="http://a/b.mp3"></audio></div>'
    )
    record = extract_record(parse_post(text.encode(), "p.md"))
    assert record["media"] == [
        {"kind": "video", "src": "http://v/a.mp4", "poster": "http://i/p.jpg"},
        {"kind": "iframe", "src": "https://v.qq.com/p.html?vid=1", "poster": None},
        {"kind": "audio", "src": "http://a/b.mp3", "poster": None},
    ]
