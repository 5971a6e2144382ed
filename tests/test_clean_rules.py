"""Each cleaning rule on a minimal bad body (it fires) and a good one (it does not)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from articletool.cleaning.body import (
    Change,
    CleanSettings,
    clean_tree,
    serialize_body,
    visible_text,
)
from articletool.cleaning.rules import RULES
from articletool.errors import UsageError
from articletool.html.parse import parse_body
from articletool.html.tree import Selector

PROXY = "https://cors.zfour.workers.dev/?"


def clean(body: str, **options: object) -> tuple[str, list[Change]]:
    root = parse_body(body)
    changes = clean_tree(root, CleanSettings(**options))  # type: ignore[arg-type]
    return serialize_body(root, body), changes


def rules_of(changes: list[Change]) -> set[str]:
    return {c.rule for c in changes}


# (rule, body that triggers it, fragment expected in the output or None, fragment gone)
CASES = [
    ("scripts", "<p>a</p><script>alert(1)</script>", "<p>a</p>", "<script"),
    ("styles", "<div><style>.a&#123;color:red&#125;</style><p>a</p></div>", "<p>a</p>", "<style"),
    (
        "active-content",
        '<p>a</p><embed src="x.swf"><meta http-equiv="refresh">',
        "<p>a</p>",
        "<embed",
    ),
    ("event-handlers", '<p onclick="x()" onmouseover="y">a</p>', "<p>a</p>", "onclick"),
    ("dangerous-urls", '<p><a href="javascript:alert(1)">a</a></p>', "<a>a</a>", "javascript"),
    (
        "lazy-images",
        '<p><img class="lazy opacity_0" data-original="http://a/b.jpg" '
        'src="data:image/gif;base64,R0" data-width="10" data-height="20"></p>',
        '<img src="http://a/b.jpg" width="10" height="20">',
        "data-original",
    ),
    (
        "proxies",
        f'<p><a href="{PROXY}http://a/b">x</a></p>',
        '<a href="http://a/b">x</a>',
        "workers.dev",
    ),
    (
        "image-wrappers",
        '<div><div class="img_box"><div class="content_img_div"><img src="http://a/b.jpg"></div></div>text</div>',
        '<div><p><img src="http://a/b.jpg"></p>text</div>',
        "img_box",
    ),
    (
        "video-embeds",
        '<div><div class="iframe_video" style="x">'
        '<iframe src="//v.qq.com/x" style="y"></iframe></div></div>',
        '<div><p><iframe src="//v.qq.com/x"></iframe></p></div>',
        "iframe_video",
    ),
    (
        "promo-links",
        '<p>来自<a class="project-link" href="https://36kr.com/p">微信</a></p>',
        "<p>来自微信</p>",
        "project-link",
    ),
    ("tracking-attrs", '<p data-vmark="1a48">a</p>', "<p>a</p>", "data-vmark"),
    ("styled-spans", '<p><span style="color: red">a</span>b</p>', "<p>ab</p>", "<span"),
    ("pre-line-breaks", "<pre>a<br>\nb<br>c</pre>", "<pre>a\nb\nc</pre>", "<br"),
    (
        "copy-buttons",
        '<pre><code>x<span class="copy-code-btn">复制代码</span></code></pre>',
        "<code>x</code>",
        "复制代码",
    ),
    (
        "empty-paragraphs",
        "<div><p>a</p><p></p><p> <br></p></div>",
        "<div><p>a</p></div>",
        "<p></p>",
    ),
    (
        "empty-blocks",
        '<div><p>a</p><div id="recommend_bottom"></div><ul class="x"></ul></div>',
        "<div><p>a</p></div>",
        "recommend_bottom",
    ),
    (
        "layout-wrappers",
        '<div><div class="zaker_div"><div class="zk_decsimg"><p>caption</p></div></div></div>',
        "<div><p>caption</p></div>",
        "zaker_div",
    ),
]


@pytest.mark.parametrize(("rule", "body", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires(rule: str, body: str, present: str, absent: str) -> None:
    out, changes = clean(body, select=(rule,))
    assert rules_of(changes) == {rule}
    assert present in out
    assert absent not in out
    again, more = clean(out, select=(rule,))
    assert more == [] and again == out


@pytest.mark.parametrize(
    "body",
    [
        "<div><p>Plain <strong>text</strong> with <a href='http://a/b'>a link</a>.</p></div>",
        '<div><p><img src="http://a/b.jpg" width="10"></p><pre>code\nlines</pre></div>',
        "<div><table><tr><td></td><td>x</td></tr></table><ul><li>a</li></ul></div>",
        '<div><span class="accentTextColor">kept</span><a name="anchor"></a></div>',
    ],
)
def test_clean_body_is_left_alone(body: str) -> None:
    _, changes = clean(body)
    assert changes == []


def test_upgrade_http_is_opt_in() -> None:
    body = '<p><img src="http://a/b.jpg"><a href="http://a/page">x</a></p>'
    out, changes = clean(body)
    assert changes == [] and out == body
    out, changes = clean(body, upgrade_http=True)
    assert rules_of(changes) == {"upgrade-http"}
    assert 'src="https://a/b.jpg"' in out
    assert 'href="http://a/page"' in out  # links are not embedded resources


def test_lazy_image_from_srcset_and_noscript() -> None:
    out, _ = clean('<p><img data-srcset="http://a/s.jpg 1x, http://a/l.jpg 2x" src="data:,"></p>')
    assert 'src="http://a/l.jpg"' in out
    out, _ = clean(
        '<p><img src="data:image/gif;base64,R0"><noscript><img src="http://a/n.jpg"></noscript></p>'
    )
    assert 'src="http://a/n.jpg"' in out and "noscript" not in out


def test_lazy_attribute_from_settings() -> None:
    body = '<p><img data-echo="http://a/e.jpg" src="http://a/blank.gif"></p>'
    assert 'src="http://a/e.jpg"' not in clean(body)[0]
    assert 'src="http://a/e.jpg"' in clean(body, extra_lazy_attrs=("data-echo",))[0]


def test_extra_proxy_prefix_from_settings() -> None:
    body = '<p><img src="https://p.example/?u=http://a/b.jpg"></p>'
    assert clean(body)[1] == []
    out, _ = clean(body, extra_proxy_prefixes=("https://p.example/?u=",))
    assert 'src="http://a/b.jpg"' in out


def test_dockone_lightbox_becomes_a_paragraph() -> None:
    body = (
        '<div><div class="aw-upload-img-list active">\n'
        '<a href="http://d/1.jpeg" data-fancybox-group="thumb" rel="lightbox">'
        f'<img src="{PROXY}http://d/1.jpeg" class="img-polaroid" alt="1.jpeg"></a>\n'
        "</div>\n</div>"
    )
    out, _ = clean(body)
    assert (
        out == '<div><p><img src="http://d/1.jpeg" class="img-polaroid" alt="1.jpeg"></p>\n</div>'
    )


def test_zaker_upload_video_becomes_a_video() -> None:
    info = quote('{"imgUrl":"http://z/p.jpeg","videoUrl":"http://z/v.mp4","width":854}', safe="")
    out, changes = clean(f'<div><div class="zk_upvideo" data-zkinfo="{info}"></div></div>')
    assert (
        '<video controls preload="none" src="http://z/v.mp4" poster="http://z/p.jpeg" width="854">'
        in out
    )
    assert "video-embeds" in rules_of(changes)


@pytest.mark.parametrize(
    ("body", "kept", "changes"),
    [
        (
            '<p>a</p><object data="x.swf"><param name="movie" value="x.swf"><p>b</p></object>',
            "<p>a</p><p>b</p>",
            ["removed <object>"],
        ),
        ('<p>a<embed src="x.swf"><param name="q" value="1"></p>', "<p>a</p>", ["removed <embed>"]),
        ('<p>a</p><param name="q">', "<p>a</p>", ["removed <param>"]),
    ],
)
def test_params_go_with_their_object(body: str, kept: str, changes: list[str]) -> None:
    """A <param> removed with its <object> is not removed (or reported) again."""
    out, done = clean(body)
    assert out == kept
    assert [(c.rule, c.detail) for c in done] == [("active-content", d) for d in changes]


def test_hidden_span_is_not_unwrapped() -> None:
    body = '<p><span style="display: none">secret</span>shown</p>'
    assert "styled-spans" not in rules_of(clean(body)[1])


def test_text_is_never_lost_by_the_default_rules() -> None:
    body = (
        '<div><p></p><div class="img_box" onclick><div class="content_img_div"><img class="lazy" '
        f'data-original="http://a/b.jpg" src="{PROXY}http://a/b.jpg"></div></div>bare text'
        '<p><span style="color:red">红色</span><a class="s_tag" href="/">IT之家</a></p>'
        '<div id="article_bottom"></div></div>'
    )
    root = parse_body(body)
    before = visible_text(root)
    clean_tree(root)
    assert visible_text(parse_body(serialize_body(root, body))) == before


def test_braces_stay_escaped_when_the_original_escaped_them() -> None:
    body = "<div><p></p><pre><code>f() &#123; return 1; &#125;</code></pre></div>"
    out, _ = clean(body)
    assert "&#123; return 1; &#125;" in out and "{" not in out
    literal = "<div><p></p><p>{{ hexo }}</p></div>"
    assert "{{ hexo }}" in clean(literal)[0]


def test_serialize_keeps_leading_white_space() -> None:
    body = "\n<div>   \n<p></p><p>a</p>  \n</div>\n            "
    out, _ = clean(body)
    assert out == "\n<div>   \n<p>a</p>  \n</div>\n            "


def test_rule_selection() -> None:
    settings = CleanSettings(ignore=("styles",))
    assert "styles" not in {r.name for r in settings.rules}
    assert "upgrade-http" not in {r.name for r in CleanSettings().rules}
    assert [r.name for r in CleanSettings(select=("proxies", "scripts")).rules] == [
        "scripts",
        "proxies",
    ]
    with pytest.raises(UsageError, match="unknown clean rule nope"):
        CleanSettings(select=("nope",))


def test_every_rule_has_a_case_and_a_summary() -> None:
    # upgrade-http has tests of its own; hexo-layout, a text rule, is tested in test_layout.py
    covered = {case[0] for case in CASES} | {"upgrade-http", "hexo-layout"}
    assert covered == set(RULES)
    assert all(rule.summary for rule in RULES.values())
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in RULES)


@pytest.mark.parametrize(
    ("selector", "html", "matches"),
    [
        ("div.img_box", '<div class="img_box x">', True),
        ("div.img_box", '<span class="img_box">', False),
        ("a[data-fancybox-group]", '<a data-fancybox-group="t">', True),
        ("a[rel=lightbox]", '<a rel="nofollow">', False),
        ("#recommend_bottom", '<div id="recommend_bottom">', True),
    ],
)
def test_selectors(selector: str, html: str, matches: bool) -> None:
    el = parse_body(html)[0]
    assert Selector.parse(selector).matches(el) is matches


def test_bad_selector_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        Selector.parse("div > p")


EVASIONS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<a href="jav&#x09;ascript:alert(1)">t</a>',
    '<a href="&#106;avascript:alert(1)">t</a>',
    '<a href="java\nscript:alert(1)">t</a>',
    '<a href=" JaVaScRiPt:alert(1)">t</a>',
    '<a href="\x01javascript:alert(1)">t</a>',
    '<a href="javascript&colon;alert(1)">t</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">t</a>',
    '<a href="vbscript:msgbox(1)">t</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">t</a>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
    '<object data="javascript:alert(1)">fallback</object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    f'<img src="{PROXY}javascript:alert(1)">',
    f'<a href="{PROXY}JavaScript:alert(1)">t</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    '<img data-original="javascript:alert(1)" src="data:image/gif;base64,R0">',
    '<img srcset="javascript:alert(1) 1x">',
    '<video poster="javascript:alert(1)"><source src="javascript:alert(1)"></video>',
    '<p ONCLICK="x" OnMouseOver="y">t</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">t</p></noscript>',
    '<p title="<script>alert(1)</script>">t</p>',
]
EXECUTABLE = re.compile(
    r"<script|<(?:embed|object|base|meta)\b|javascript:|vbscript:|data:text/html|srcdoc",
    re.IGNORECASE,
)


@pytest.mark.parametrize("vector", EVASIONS)
def test_nothing_executable_comes_out(vector: str) -> None:
    out, _ = clean(f"<div><p>keep</p>{vector}</div>")
    assert not EXECUTABLE.search(out), out
    for el in parse_body(out).iter():
        assert not [name for name in el.attrib if name.lower().startswith("on")], out
    assert "keep" in out


def test_lazy_image_changes_name_the_image_as_it_is_after_each_change() -> None:
    body = '<p><img class="lazy x" id="i" data-src="https://a/b.jpg" data-width="3"></p>'
    _, changes = clean(body, extra_lazy_attrs=("class", "id"), select=("lazy-images",))
    assert [c.detail for c in changes] == [
        "img#i.lazy.x: src from class",
        "img#i: removed class",
        "img: removed id",
        "img: removed data-src",
        "img: width=3 from data-width",
    ]
