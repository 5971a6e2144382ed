"""The HTML to Markdown converter, tag by tag, checked against a CommonMark renderer."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from articletool.html.parse import parse_body
from articletool.markdown.writer import MarkdownConverter, MarkdownOptions, convert, safe_url

RENDERER = MarkdownIt("commonmark").enable("table")


def md(source: str, /, **options: object) -> str:
    return convert(parse_body(source), MarkdownOptions(**options))  # type: ignore[arg-type]


def render(markdown: str) -> str:
    return RENDERER.render(markdown)


def text_of(html: str) -> str:
    return re.sub(r"\s+", "", "".join(parse_body(html).itertext()))


# -- blocks -------------------------------------------------------------------


def test_paragraphs_and_bare_text_between_blocks() -> None:
    html = "<p>one</p><div><img src='http://a/1.jpg'></div>two<p></p><p>three</p>"
    assert md(html) == "one\n\n![](http://a/1.jpg)\n\ntwo\n\nthree\n"


def test_wrapper_divs_vanish() -> None:
    out = md("<div class='x' onclick='y'><div><p>text</p></div></div>")
    assert out == "text\n"
    assert "<div" not in out


def test_empty_input() -> None:
    assert md("") == ""
    assert md("<p></p><div> </div>") == ""


@pytest.mark.parametrize("level", range(1, 7))
def test_headings(level: int) -> None:
    assert md(f"<h{level}>标题 <b>x</b></h{level}>") == "#" * level + " 标题 **x**\n"


def test_heading_with_trailing_hash_and_break() -> None:
    # A heading is one line: the break becomes a space, and the "#" before it
    # (no longer at the end) needs no escape.
    out = md("<h2>C#<br>next</h2>")
    assert out == "## C# next\n"
    assert render(out) == "<h2>C# next</h2>\n"


def test_heading_ending_in_hash_keeps_it() -> None:
    assert render(md("<h2>C #</h2>")) == "<h2>C #</h2>\n"


def test_nested_lists() -> None:
    html = "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>"
    assert md(html) == "- a\n  - b\n    1. c\n- d\n"
    assert render(md(html)).count("<ul>") == 2


def test_ordered_list_start() -> None:
    assert md("<ol start='7'><li>x</li><li>y</li></ol>") == "7. x\n8. y\n"
    assert '<ol start="7">' in render(md("<ol start='7'><li>x</li></ol>"))


def test_list_item_with_two_paragraphs() -> None:
    out = md("<ul><li><p>one</p><p>two</p></li></ul>")
    assert out == "- one\n\n  two\n"
    assert render(out).count("<li>") == 1


def test_adjacent_lists_stay_apart() -> None:
    out = md("<ul><li>a</li></ul><ul><li>b</li></ul>")
    assert render(out).count("<ul>") == 2
    out = md("<ol><li>a</li></ol><ol><li>b</li></ol>")
    assert render(out).count("<ol>") == 2


def test_nested_list_directly_inside_list() -> None:
    assert md("<ul><li>a</li><ul><li>b</li></ul></ul>") == "- a\n  - b\n"


def test_blockquote() -> None:
    out = md("<blockquote><p>q1</p><p>q2</p><ul><li>x</li></ul></blockquote>")
    assert out == "> q1\n>\n> q2\n>\n> - x\n"
    assert render(out).startswith("<blockquote>")


def test_horizontal_rule() -> None:
    assert md("<p>a</p><hr><p>b</p>") == "a\n\n---\n\nb\n"
    assert "<hr />" in render(md("<p>a</p><hr><p>b</p>"))


def test_dockone_pre_with_br_becomes_fenced_code() -> None:
    html = '<pre class="prettyprint">docker run \\<br>\n-e X=$Y \\<br>\n&amp;&amp; ls<br>\n</pre>'
    out = md(html)
    assert out == "```\ndocker run \\\n-e X=$Y \\\n&& ls\n```\n"
    assert render(out) == "<pre><code>docker run \\\n-e X=$Y \\\n&amp;&amp; ls\n</code></pre>\n"


def test_code_fence_longer_than_backticks_inside() -> None:
    out = md("<pre><code>a ``` b\n```` c</code></pre>")
    assert out.startswith("`````\n")
    assert render(out) == "<pre><code>a ``` b\n```` c\n</code></pre>\n"


def test_code_block_language_and_literal_braces() -> None:
    out = md('<pre><code class="language-js">f({a: 1})</code></pre>')
    assert out == "```js\nf({a: 1})\n```\n"


def test_tables() -> None:
    html = (
        "<table><thead><tr><th>名</th><th>a|b</th></tr></thead>"
        "<tbody><tr><td><code>x|y</code></td><td>1<br>2</td></tr><tr><td>z</td></tr></tbody></table>"
    )
    out = md(html)
    assert out == "| 名 | a\\|b |\n| --- | --- |\n| `x\\|y` | 1 2 |\n| z |  |\n"
    html_out = render(out)
    assert "<th>a|b</th>" in html_out
    assert "<code>x|y</code>" in html_out


def test_table_with_spans_is_an_html_table_of_markdown_cells() -> None:
    html = (
        "<table><tr><th colspan='2' onclick='x()'>宽 <b>a</b></th></tr>"
        "<tr><td rowspan=' 2 '><p>一</p><p>二</p></td><td></td></tr>"
        "<tr><td colspan='x'>c</td></tr></table>"
    )
    out = md(html)
    assert out == (
        '<table>\n<tr>\n<th colspan="2">\n\n宽 **a**\n\n</th>\n</tr>\n'
        '<tr>\n<td rowspan="2">\n\n一\n\n二\n\n</td>\n<td></td>\n</tr>\n'
        "<tr>\n<td>\n\nc\n\n</td>\n</tr>\n</table>\n"
    )
    rendered = render(out)
    assert '<th colspan="2">\n<p>宽 <strong>a</strong></p>\n</th>' in rendered
    assert '<td rowspan="2">\n<p>一</p>\n<p>二</p>\n</td>' in rendered
    # pure Markdown, or no tables: one paragraph per cell
    assert md(html, html=False) == "宽 **a**\n\n一\n\n二\n\nc\n"
    assert md(html, tables=False) == md(html, html=False)


def test_cell_with_two_paragraphs_is_not_a_pipe_table() -> None:
    out = md("<table><tr><td><p>中</p><p>文</p></td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert out.startswith("<table>") and "中\n\n文" in out


@pytest.mark.parametrize(
    "html",
    [
        "<table><tr><td class='t_f'><h2>题</h2><p>一</p><ul><li>项</li></ul></td></tr></table>",
        "<table class='sites-layout-hbox'><tbody><tr><td><h2>题</h2></td>"
        "<td><p>一</p><ul><li>项</li></ul></td></tr></tbody></table>",
        "<table><tr><td><h2>题</h2></td></tr><tr><td><p>一</p></td></tr>"
        "<tr><td><ul><li>项</li></ul></td></tr></table>",
    ],
    ids=["one-cell", "one-row", "one-column"],
)
def test_layout_table_is_unwrapped_into_its_blocks(html: str) -> None:
    assert md(html) == "## 题\n\n一\n\n- 项\n"


# -- inline -------------------------------------------------------------------


def test_emphasis_and_strong() -> None:
    assert (
        md("<p>a <em>b</em> <strong>c</strong> <i>d</i> <b>e</b></p>") == "a *b* **c** *d* **e**\n"
    )
    # a closing and an opening mark in one run, read as meant
    assert md("<p><i>d</i><b>e</b></p>") == "*d***e**\n"
    assert render("*d***e**\n") == "<p><em>d</em><strong>e</strong></p>\n"


def test_marks_a_renderer_would_pair_otherwise_are_dropped() -> None:
    html = "<p><b><i>_</i><b>_</b><i>_</i></b></p>"
    out = md(html)
    assert text_of(render(out)) == "___"
    assert "<em><em>" not in render(out)
    assert render(md("<p><b>a</b><b>b</b></p>")) == "<p><strong>ab</strong></p>\n"


def test_space_inside_emphasis_moves_outside() -> None:
    assert md("<p>a<strong> b </strong>c</p>") == "a **b** c\n"


def test_cjk_emphasis_without_spaces() -> None:
    out = md("<p>中<strong>粗体</strong>文字</p>")
    assert out == "中**粗体**文字\n"
    assert render(out) == "<p>中<strong>粗体</strong>文字</p>\n"


@pytest.mark.parametrize(
    "html",
    [
        "<p>文<strong>“引号”</strong>文</p>",
        "<p>文<strong>（一）</strong>文</p>",
        "<p>a<em>(x)</em>y</p>",
        "<p><strong>数据：</strong>增长</p>",
    ],
)
def test_emphasis_that_marks_cannot_hold_is_written_as_html(html: str) -> None:
    out = md(html)
    assert "*" not in out
    rendered = render(out)
    source = parse_body(html).find(".//p")[0]  # the emphasis element
    assert f"<{source.tag}>{source.text}</{source.tag}>" in rendered
    assert text_of(rendered) == text_of(html)
    # pure Markdown: the marks go, never the text
    pure = render(md(html, html=False))
    assert "*" not in pure and "<strong>" not in pure and "<em>" not in pure
    assert text_of(pure) == text_of(html)


def test_emphasis_as_html_next_to_emphasis_as_marks() -> None:
    out = md("<p><b>甲</b>，<strong>财联社讯，</strong>锁定<em>乙</em></p>")
    assert out == "**甲**，<strong>财联社讯，</strong>锁定*乙*\n"
    assert render(out) == (
        "<p><strong>甲</strong>，<strong>财联社讯，</strong>锁定<em>乙</em></p>\n"
    )


def test_emphasis_kept_where_punctuation_is_safe() -> None:
    out = md("<p>说：<strong>“引号”</strong>。</p>")
    assert render(out) == "<p>说：<strong>“引号”</strong>。</p>\n"


def test_line_breaks() -> None:
    assert md("<p>a<br>b</p>") == "a\\\nb\n"
    assert md("<p>a<br><br>b</p>") == "a\n\nb\n"
    assert md("<p><br>a<br></p>") == "a\n"


def test_inline_code() -> None:
    assert md("<p>run <code>ls -l</code> now</p>") == "run `ls -l` now\n"
    assert md("<p><code>a`b</code></p>") == "``a`b``\n"
    assert render(md("<p><code>`x</code></p>")) == "<p><code>`x</code></p>\n"


def test_links_and_images() -> None:
    out = md("<a href='http://x/y' title='t'>link</a> <img src='http://i/a.png' alt='pic'>")
    assert out == '[link](http://x/y "t") ![pic](http://i/a.png)\n'


def test_link_around_image() -> None:
    out = md("<a href='http://big'><img src='http://small' alt=''></a>")
    assert out == "[![](http://small)](http://big)\n"


def test_link_destination_with_spaces_and_parens() -> None:
    out = md("<a href='http://x/a b(c)'>t</a>")
    assert out == "[t](<http://x/a b(c)>)\n"
    assert 'href="http://x/a%20b(c)"' in render(out)


def test_link_without_text_keeps_nothing_but_images() -> None:
    assert md("<p>a<a href='http://x'></a>b</p>") == "ab\n"


def test_proxied_image_is_unwrapped() -> None:
    out = md("<img src='https://cors.zfour.workers.dev/?http://zkres1.myzaker.com/a.jpg'>")
    assert out == "![](http://zkres1.myzaker.com/a.jpg)\n"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:text/plain,hi",
        "https://cors.zfour.workers.dev/?javascript:alert(1)",
        "javascript%3Aalert(1)",
        "&#106;avascript:alert(1)",
        "javascript&#58;alert(1)",
    ],
)
def test_dangerous_links_are_dropped_text_kept(href: str) -> None:
    root = parse_body('<p><a href="x">click</a></p>')
    root.find(".//a").set("href", href)  # type: ignore[union-attr]
    out = convert(root)
    assert out == "click\n"
    assert safe_url(href, image=False) is None


def test_dangerous_images_are_dropped() -> None:
    assert md("<img src='javascript:alert(1)' alt='x'>") == ""
    assert md("<img src='data:text/html,<script>'>") == ""


def test_link_destination_cannot_break_out() -> None:
    root = parse_body('<p><a href="x">t</a></p>')
    root.find(".//a").set("href", "http://x/>)<script>alert(1)</script>")  # type: ignore[union-attr]
    html_out = render(convert(root))
    assert "<script>" not in html_out
    assert html_out.count("<a ") == 1


def test_entity_in_destination_is_not_decoded() -> None:
    root = parse_body('<p><a href="x">t</a></p>')
    root.find(".//a").set("href", "http://x/?a=1&copy;b")  # type: ignore[union-attr]
    assert 'href="http://x/?a=1&amp;copy;b"' in render(convert(root))


def test_control_characters_in_scheme() -> None:
    assert safe_url("\x01javascript:alert(1)", image=False) is None
    assert safe_url("java\x00script:alert(1)", image=True) is None
    assert safe_url("http://ok/", image=False) == "http://ok/"


# -- escaping -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# not a heading", "\\# not a heading"),
        ("#hashtag", "#hashtag"),
        ("> not a quote", "\\> not a quote"),
        ("- not a list", "\\- not a list"),
        ("-5 度", "-5 度"),
        ("+ x", "\\+ x"),
        ("1. not a list", "1\\. not a list"),
        ("2020. year", "2020\\. year"),
        ("1.5 倍", "1.5 倍"),
        ("***", "\\*\\*\\*"),
        ("a * b", "a \\* b"),
        ("snake_case_name", "snake_case_name"),
        ("_under_", "\\_under\\_"),
        ("[not](a link)", "\\[not\\](a link)"),
        ("`tick`", "\\`tick\\`"),
        ("a <b> c", "a \\<b> c"),
        ("1 < 2", "1 < 2"),
        ("&amp; &copy; & x", "\\&amp; \\&copy; & x"),
        ("C:\\path", "C:\\path"),
        ("end\\", "end\\\\"),
        ("a\\*b", "a\\\\\\*b"),
        ("~~strike~~", "\\~\\~strike\\~\\~"),
        ("==", "\\=="),
        ("中文，没有转义。", "中文，没有转义。"),
    ],
)
def test_escaping_only_where_needed(text: str, expected: str) -> None:
    root = parse_body("<p>x</p>")
    root[0].text = text
    out = convert(root)
    assert out == expected + "\n"
    assert re.sub(r"\s+", "", "".join(parse_body(render(out)).itertext())) == re.sub(
        r"\s+", "", text
    )


def test_braces_as_entities_or_literal() -> None:
    html = "<p>{{ x }} <code>{y}</code></p>"
    assert md(html) == "&#123;&#123; x &#125;&#125; `{y}`\n"
    assert md(html, braces="literal") == "{{ x }} `{y}`\n"
    assert "{{ x }}" in render(md(html))


def test_image_exclamation_before_link_is_escaped() -> None:
    out = md("<p>wow!<a href='http://x'>y</a></p>")
    assert out == "wow\\![y](http://x)\n"
    assert "<img" not in render(out)


def test_cjk_text_is_untouched() -> None:
    text = '习近平总书记近日在辽宁考察时强调，要贯彻党中央决策部署。今天，" 共和国长子 " 扛起'
    assert md(f"<p>{text}</p>") == text + "\n"


def test_no_hard_wrapping() -> None:
    text = "字" * 2000
    assert md(f"<p>{text}</p>") == text + "\n"


# -- structure ----------------------------------------------------------------


def test_skipped_elements() -> None:
    html = (
        "<p>a<script>x()</script><style>p{}</style><svg><text>s</text></svg>b</p><iframe></iframe>"
    )
    assert md(html) == "ab\n"


def test_comments_are_skipped_tails_kept() -> None:
    assert md("<p>a<!-- c -->b</p>") == "ab\n"


def test_deep_nesting_keeps_text_without_recursion_error() -> None:
    html = "<div>" * 500 + "deep <b>text</b>" + "</div>" * 500  # parse_body refuses > 512
    out = md(html)
    assert "deep" in out and "text" in out


def test_dispatch_table_finds_methods_by_tag() -> None:
    table = MarkdownConverter.dispatch
    assert table["p"] is MarkdownConverter.convert_div
    assert table["h3"] is MarkdownConverter.convert_h3
    assert table["b"] is MarkdownConverter.convert_strong

    class Shouting(MarkdownConverter):
        def convert_mark(self, el: object, out: object) -> None:
            self.text("!!!", out)  # type: ignore[arg-type]

    assert "mark" in Shouting.dispatch
    assert Shouting().convert(parse_body("<p>a<mark>b</mark></p>")) == "a!!!\n"


def test_link_text_that_would_read_as_a_reference_definition() -> None:
    out = md('<a href="http://x/"><code>]:</code> y</a>')
    assert render(out) == "<p><code>]:</code> y</p>\n"


def test_unclosed_svg_does_not_swallow_the_body() -> None:
    # lxml nests the rest of the body inside an unclosed <svg>; a browser would not
    assert (
        md("<p>before</p><svg onload=alert(1)><p>after <b>x</b></p>") == "before\n\nafter **x**\n"
    )
    assert md("<p>a<svg><text>drawn</text></svg>b</p>") == "ab\n"


def test_rule_at_the_start_of_a_list_item() -> None:
    out = md("<ul><li><hr><p>after</p></li></ul>")
    assert out == "- ___\n\n  after\n"
    assert render(out) == "<ul>\n<li>\n<hr />\n<p>after</p>\n</li>\n</ul>\n"


def test_images_inside_inline_code_follow_it() -> None:
    out = md("<p><code>Ctrl<img src='http://x/k.png'></code></p>")
    assert out == "`Ctrl`![](http://x/k.png)\n"
    assert md("<p><kbd>Ctrl<img src='http://x/k.png'></kbd></p>", html=False) == out


def test_inline_html_where_markdown_has_no_syntax() -> None:
    html = (
        "<p>-10<sup>4</sup> &lt;= nums[i]，H<sub>2</sub>O，<u>下划</u><mark>亮</mark>"
        "<kbd>Ctrl</kbd> <del>旧</del><s>删</s><strike>去</strike><ins>新</ins></p>"
    )
    out = md(html)
    assert out == (
        "-10<sup>4</sup> \\<= nums\\[i\\]，H<sub>2</sub>O，<u>下划</u><mark>亮</mark>"
        "<kbd>Ctrl</kbd> <del>旧</del><s>删</s><s>去</s><ins>新</ins>\n"
    )
    rendered = render(out)
    assert "-10<sup>4</sup> &lt;= nums[i]" in rendered and "<kbd>Ctrl</kbd>" in rendered
    assert md(html, html=False) == ("-10^4 \\<= nums\\[i\\]，H\\_2O，下划亮`Ctrl` ~~旧删去~~新\n")


def test_sup_keeps_markdown_inside_and_a_space_outside() -> None:
    out = md("<p>x <sup> <b>2</b></sup> <sub>[1]</sub></p>")
    assert out == "x <sup>**2**</sup> <sub>\\[1\\]</sub>\n"
    assert render(out) == "<p>x <sup><strong>2</strong></sup> <sub>[1]</sub></p>\n"


def test_players_are_html_blocks_built_from_the_tree() -> None:
    html = (
        "<p>看<video id='v' style='x' onplay='a()' data-setup='{}' width='100%' "
        "poster='https://cors.zfour.workers.dev/?http://i/p.jpg' preload='none'>"
        "<source id='s' src='https://cors.zfour.workers.dev/?https://cors.zfour.workers.dev/"
        "?http://v/a.mp4' type='video/mp4'>旧浏览器</video>完</p>"
        "<iframe src='//v.qq.com/iframe/player.html?vid=a&amp;auto=0' allowfullscreen "
        "frameborder='0' srcdoc='&lt;script&gt;x&lt;/script&gt;' style='z'></iframe>"
        "<audio src='javascript:alert(1)'></audio><iframe srcdoc='x'></iframe>"
    )
    out = md(html)
    assert out == (
        "看\n\n"
        '<video poster="http://i/p.jpg" controls width="100%">\n'
        '<source src="http://v/a.mp4" type="video/mp4">\n</video>\n\n完\n\n'
        '<iframe src="https://v.qq.com/iframe/player.html?vid=a&amp;auto=0" '
        'allowfullscreen frameborder="0"></iframe>\n'
    )
    rendered = render(out)
    assert '<source src="http://v/a.mp4" type="video/mp4">' in rendered
    assert "旧浏览器" not in rendered and "srcdoc" not in rendered
    assert md(html, html=False) == (
        "看\n\n[![](http://i/p.jpg)](http://v/a.mp4)\n\n完\n\n"
        "[https://v.qq.com/iframe/player.html?vid=a&auto=0]"
        "(https://v.qq.com/iframe/player.html?vid=a&auto=0)\n"
    )


def test_player_where_only_inline_content_fits_stays_on_its_line() -> None:
    out = md("<h2>片<iframe src='https://v.example/p'></iframe></h2>")
    assert out == '## 片<iframe src="https://v.example/p"></iframe>\n'
    assert md("<p>{x}<video src='http://v/{a}.mp4'></video></p>", braces="literal") == (
        '{x}\n\n<video src="http://v/{a}.mp4" controls>\n</video>\n'
    )
    assert 'src="http://v/&#123;a&#125;.mp4"' in md("<video src='http://v/{a}.mp4'></video>")


def test_malformed_table_falls_back_without_losing_text() -> None:
    out = md("<table><tr><td>a</td></tr>stray<td>loose</td></table>")
    assert "stray" in out and "loose" in out
    assert not out.startswith("|")


def test_a_subclass_replacing_node_or_text_sees_every_element_and_text() -> None:
    seen: list[str] = []

    class Counting(MarkdownConverter):
        def node(self, el: object, out: object) -> None:
            seen.append(str(el.tag))  # type: ignore[attr-defined]
            super().node(el, out)  # type: ignore[arg-type]

    class Loud(MarkdownConverter):
        def text(self, text: str, out: object) -> None:
            super().text(text.upper(), out)  # type: ignore[arg-type]

    html = "<p>a <b>b</b></p><ul><li>c</li></ul>"
    assert Counting().convert(parse_body(html)) == md(html)
    assert seen == ["p", "b", "ul"]  # list items are read by the list
    assert Loud().convert(parse_body(html)) == "A **B**\n\n- C\n"
