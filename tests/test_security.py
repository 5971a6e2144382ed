"""No executable output: what ``clean`` and ``convert`` write never runs code.

Every vector below (in the spirit of the OWASP XSS filter evasion cheat
sheet) is put between two paragraphs of a post and run through the real
command line. The output is then read back with two HTML parsers (lxml and
the standard library's) and, for Markdown, rendered with markdown-it-py
with raw HTML allowed and link validation switched off, so the check sees
whatever the output says, not what a careful renderer would let through.
The checks here decode addresses on their own (entities, ignored
characters, proxies), independently of :mod:`articletool.urls`.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.post.frontmatter import split

B64 = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>

#: (name, HTML) pairs: disguised scripts, handlers and dangerous addresses.
VECTORS = [
    ("script", "<script>alert(1)</script>"),
    ("script-src-upper", "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>"),
    ("img-js", "<IMG SRC=\"javascript:alert('XSS');\">"),
    ("img-js-unquoted", "<IMG SRC=javascript:alert('XSS')>"),
    ("img-js-mixed-case", "<IMG SRC=JaVaScRiPt:alert('XSS')>"),
    (
        "img-decimal-entities",
        "<IMG SRC=" + "".join(f"&#{ord(c)};" for c in "javascript:alert('XSS')") + ">",
    ),
    (
        "img-padded-decimal-no-semicolon",
        "<IMG SRC=" + "".join(f"&#{ord(c):07d}" for c in "javascript:alert('XSS')") + ">",
    ),
    (
        "img-hex-no-semicolon",
        "<IMG SRC=" + "".join(f"&#x{ord(c):02X}" for c in "javascript:alert('XSS')") + ">",
    ),
    ("img-tab", "<IMG SRC=\"jav\tascript:alert('XSS');\">"),
    ("img-tab-entity", "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">"),
    ("img-newline-entity", "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">"),
    ("img-cr-entity", "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">"),
    ("img-leading-space-and-control", "<IMG SRC=\" &#14;  javascript:alert('XSS');\">"),
    ("a-tab-entity", '<a href="jav&#x09;ascript:alert(1)">tab</a>'),
    ("a-leading-spaces", '<a href="   javascript:alert(1)">spaces</a>'),
    ("a-leading-control", '<a href="\x01\x02javascript:alert(1)">control</a>'),
    ("a-hex-entity-j", '<a href="&#x6A;avascript:alert(1)">hex</a>'),
    ("a-decimal-entity-j", '<a href="&#106;avascript:alert(1)">dec</a>'),
    ("a-named-colon", '<a href="javascript&colon;alert(1)">colon</a>'),
    ("a-named-tab-newline", '<a href="java&Tab;scr&NewLine;ipt:alert(1)">named</a>'),
    ("a-newline-inside", '<a href="java\nscript:alert(1)">nl</a>'),
    ("a-middle-entity", '<a href="javas&#99;ript:alert(1)">mid</a>'),
    ("a-double-encoded", '<a href="&#x26;#106;avascript:alert(1)">double</a>'),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">vb</a>'),
    ("a-vbscript-case", '<a href="VBScript:MsgBox(1)">vb2</a>'),
    ("a-data-html-base64", f'<a href="data:text/html;base64,{B64}">data</a>'),
    ("a-data-html-upper", '<a href="DATA:TEXT/HTML,<script>alert(1)</script>">DATA</a>'),
    ("a-data-svg", '<a href="data:image/svg+xml,<svg onload=alert(1)>">svg</a>'),
    ("a-proxied-js", '<a href="https://cors.zfour.workers.dev/?javascript:alert(1)">proxied</a>'),
    ("img-proxied-js", '<img src="https://cors.zfour.workers.dev/?javascript:alert(1)">'),
    (
        "img-proxied-twice",
        '<img src="https://cors.zfour.workers.dev/?https://cors.zfour.workers.dev/?javascript:alert(1)">',
    ),
    (
        "img-proxied-url-encoded",
        '<img src="https://cors.zfour.workers.dev/?url=javascript%3Aalert(1)">',
    ),
    ("img-proxied-entity", '<img src="https://cors.zfour.workers.dev/?&#106;avascript:alert(1)">'),
    ("lazy-js", '<img src="/blank.gif" data-original="javascript:alert(1)">'),
    (
        "lazy-proxied-js",
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://cors.zfour.workers.dev/?javascript:alert(1)">',
    ),
    ("srcset-js", '<img src="x.jpg" srcset="javascript:alert(1) 1x, y.jpg 2x">'),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-upper", "<img src=x ONERROR=alert(1)>"),
    ("img-onerror-slash", "<img/src=x/onerror=alert(1)>"),
    ("img-quote-breakout", '<img """><script>alert(1)</script>">'),
    ("double-open", "<<script>alert(1);//<</script>"),
    ("split-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    (
        "svg-xlink",
        '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">svg link</text></a></svg>',
    ),
    (
        "svg-animate",
        '<svg><a><animate attributeName=href values="javascript:alert(1)"/><text/></a></svg>',
    ),
    (
        "svg-set",
        '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>set</text></a></svg>',
    ),
    (
        "math-xlink",
        '<math><maction actiontype="x" xlink:href="javascript:alert(1)">math</maction></math>',
    ),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("iframe-js", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-data", f'<iframe src="data:text/html;base64,{B64}"></iframe>'),
    ("object-js", '<object data="javascript:alert(1)">object fallback</object>'),
    ("object-data-html", f'<object data="data:text/html;base64,{B64}"></object>'),
    ("embed-js", '<embed src="javascript:alert(1)">'),
    ("embed-svg", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("applet", '<applet code="x.class">applet</applet>'),
    ("form-action", '<form action="javascript:alert(1)"><input type="submit" value="go"></form>'),
    ("button-formaction", '<form><button formaction="javascript:alert(1)">button</button></form>'),
    ("input-image", '<input type="image" src="javascript:alert(1)">'),
    ("isindex", '<isindex action="javascript:alert(1)" type="image">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    (
        "meta-refresh-data",
        f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{B64}">',
    ),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("link-stylesheet", '<link rel="stylesheet" href="javascript:alert(1)">'),
    ("style-expression", '<div style="width: expression(alert(1))">expr</div>'),
    ("style-expression-comment", '<div style="xss:expr/*XSS*/ession(alert(1))">expr2</div>'),
    ("style-expression-escape", '<div style="xss:\\65xpression(alert(1))">expr3</div>'),
    ("style-url-js", '<div style="background:url(javascript:alert(1))">url</div>'),
    (
        "style-url-js-quoted-escape",
        "<div style=\"background:url('java\\script:alert(1)')\">url2</div>",
    ),
    ("style-url-entity", '<div style="background:url(&#106;avascript:alert(1))">url3</div>'),
    (
        "style-moz-binding",
        '<div style="-moz-binding:url(http://xss.example/xss.xml#xss)">moz</div>',
    ),
    ("style-element-import", "<style>@import 'javascript:alert(1)';</style>"),
    ("style-element-expression", "<style>p{width:expression(alert(1))}</style>"),
    ("body-onload", "<body onload=alert(1)>"),
    ("html-onload", "<html onload=alert(1)><head onload=alert(1)></head>"),
    ("body-background", '<BODY BACKGROUND="javascript:alert(1)">'),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>d</summary></details>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>marquee</marquee>"),
    ("wrapper-onclick", '<div onclick="alert(1)"><p>wrapped</p></div>'),
    ("table-background", '<table background="javascript:alert(1)"><tr><td>cell</td></tr></table>'),
    ("td-background", '<table><tr><td background="javascript:alert(1)">cell2</td></tr></table>'),
    ("video-poster", '<video poster="javascript:alert(1)"></video>'),
    ("audio-src", '<audio src="javascript:alert(1)"></audio>'),
    ("source-src", '<video><source src="javascript:alert(1)"></video>'),
    ("video-src-js", '<video src="javascript:alert(1)" poster="http://x/p.jpg"></video>'),
    ("video-onplay", '<video src="http://x/v.mp4" onplay="alert(1)" onerror=alert(1)></video>'),
    (
        "video-proxied-js",
        '<video src="https://cors.zfour.workers.dev/?javascript:alert(1)"></video>',
    ),
    (
        "iframe-src-and-srcdoc",
        '<iframe src="//v.x/p" srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    ),
    ("iframe-onload", '<iframe src="https://v.x/p" onload="alert(1)"></iframe>'),
    ("source-onerror", '<audio><source src="http://x/a.mp3" onerror="alert(1)"></audio>'),
    ("sup-script", "<p>10<sup><script>alert(1)</script>4</sup></p>"),
    ("sub-onclick", '<p>H<sub onclick="alert(1)">2</sub>O</p>'),
    ("kbd-img-onerror", "<p><kbd><img src=x onerror=alert(1)>K</kbd></p>"),
    ("blockquote-cite", '<blockquote cite="javascript:alert(1)">quote</blockquote>'),
    ("area-href", '<map name="m"><area href="javascript:alert(1)"></map>'),
    (
        "noscript-mxss",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
    ),
    ("template-script", "<template><script>alert(1)</script></template>"),
    ("frameset", '<frameset><frame src="javascript:alert(1)"></frameset>'),
    ("comment-conditional", "<!--[if IE]><script>alert(1)</script><![endif]-->"),
    ("comment-breakout", "<!-- --!><script>alert(1)</script> -->"),
    ("xmp-script", "<xmp><script>alert(1)</script></xmp>"),
    ("textarea-breakout", "<textarea></textarea><script>alert(1)</script>"),
    ("title-breakout", "<title></title><script>alert(1)</script>"),
    ("a-href-js-in-pre", '<pre><a href="javascript:alert(1)">code link</a></pre>'),
    ("a-ping", '<a href="https://ok.example/" ping="javascript:alert(1)">ping</a>'),
    (
        "img-lowsrc-dynsrc",
        '<img lowsrc="javascript:alert(1)" dynsrc="javascript:alert(1)" src="ok.jpg">',
    ),
    ("html-entity-colon-hex", '<a href="javascript&#x3A;alert(1)">hexcolon</a>'),
    ("zero-width", '<a href="\u200bjavascript:alert(1)">zw</a>'),
    ("nbsp-lead", '<a href="&nbsp;javascript:alert(1)">nbsp</a>'),
]

#: Text that must not turn into a link, an image or raw HTML in Markdown:
#: (name, HTML, the only address prefixes links and images may have).
MARKDOWN_INJECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("text-link", "<p>[click](javascript:alert(1))</p>", ()),
    ("text-image", "<p>![x](javascript:alert(1))</p>", ()),
    ("text-link-https", "<p>[click](https://evil.example/)</p>", ()),
    ("text-script", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", ()),
    ("text-img-tag", "<p>&lt;img src=x onerror=alert(1)&gt;</p>", ()),
    ("text-block-html", "<p>&lt;div onclick=alert(1)&gt;</p><p>&lt;/div&gt;</p>", ()),
    ("text-autolink-js", "<p>&lt;javascript:alert(1)&gt;</p>", ()),
    ("text-autolink", "<p>&lt;https://evil.example/&gt;</p>", ()),
    ("text-email-autolink", "<p>&lt;evil@evil.example&gt;</p>", ()),
    ("text-comment", "<p>&lt;!-- hidden --&gt;</p>", ()),
    ("text-processing", "<p>&lt;?php echo 1; ?&gt;</p>", ()),
    ("text-cdata", "<p>&lt;![CDATA[x]]&gt;</p>", ()),
    ("text-declaration", "<p>&lt;!DOCTYPE html&gt;</p>", ()),
    ("text-reference", "<p>[ref]: javascript:alert(1)</p><p>[ref]</p>", ()),
    ("text-reference-https", "<p>[x]: https://evil.example/</p><p>[x]</p>", ()),
    ("text-double-encoded", "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;</p>", ()),
    ("text-entity-scheme", "<p>[a](&amp;#106;avascript:alert(1))</p>", ()),
    ("heading-script", "<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>", ()),
    ("list-html", "<ul><li>&lt;img src=x onerror=alert(1)&gt;</li></ul>", ()),
    ("quote-html", "<blockquote>&lt;iframe src=javascript:alert(1)&gt;</blockquote>", ()),
    (
        "cell-html",
        "<table><tr><th>h</th></tr><tr><td>&lt;script&gt;|[x](javascript:alert(1))</td></tr></table>",
        (),
    ),
    ("code-backticks", "<p><code>`` <script>alert(1)</script></code> after</p>", ()),
    ("pre-fence", "<pre><code>```\n</code></pre><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", ()),
    ("pre-fence-inside", "<pre>```\n&lt;script&gt;alert(1)&lt;/script&gt;\n```</pre>", ()),
    ("strong-html", "<strong>&lt;b onmouseover=alert(1)&gt;</strong>", ()),
    (
        "dest-paren",
        '<a href="https://ok.example/a) [x](javascript:alert(1)">t</a>',
        ("https://ok.example/",),
    ),
    ("dest-angle", '<a href="https://ok.example/<script>">t</a>', ("https://ok.example/",)),
    ("dest-space", '<a href="https://ok.example/a b">t</a>', ("https://ok.example/",)),
    (
        "dest-newline",
        '<a href="https://ok.example/a\n[x](javascript:alert(1))">t</a>',
        ("https://ok.example/",),
    ),
    (
        "title-breakout",
        '<a href="https://ok.example/" title=\'") [x](javascript:alert(1)) "\'>t</a>',
        ("https://ok.example/",),
    ),
    (
        "alt-breakout",
        '<img src="https://ok.example/i.jpg" alt="](javascript:alert(1))">',
        ("https://ok.example/",),
    ),
    (
        "alt-html",
        '<img src="https://ok.example/i.jpg" alt="x]] <script>alert(1)</script> [y](javascript:)">',
        ("https://ok.example/",),
    ),
    (
        "alt-tag",
        '<img alt="&lt;img src=x onerror=alert(1)&gt;" src="https://ok.example/i.jpg">',
        ("https://ok.example/",),
    ),
    (
        "nested-link-text",
        '<a href="https://ok.example/">[inner](javascript:alert(1))</a>',
        ("https://ok.example/",),
    ),
    ("link-text-backslash", '<a href="https://ok.example/">tail\\</a>', ("https://ok.example/",)),
    (
        "link-in-link",
        '<a href="https://ok.example/"><a href="javascript:alert(1)">x</a></a>',
        ("https://ok.example/",),
    ),
    (
        "image-in-link-js",
        '<a href="javascript:alert(1)"><img src="https://ok.example/i.jpg" alt="i"></a>',
        ("https://ok.example/",),
    ),
    ("proxied-link", '<a href="https://cors.zfour.workers.dev/?javascript:alert(1)">p</a>', ()),
    (
        "proxied-image",
        '<img src="https://cors.zfour.workers.dev/?http://ok.example/i.jpg">',
        ("http://ok.example/",),
    ),
]

# --- independent checks -----------------------------------------------------------

_SCHEMES = (
    "javascript:",
    "vbscript:",
    "livescript:",
    "mocha:",
    "data:text/html",
    "data:application/xhtml",
    "data:image/svg",
    "data:text/xml",
    "data:application/xml",
    "data:text/javascript",
    "data:application/javascript",
)
_REMOVED = re.compile(r"[\t\n\r]")
_LEADING = re.compile(r"^[\x00-\x20]+")
_PROXIED = re.compile(r"^https?://[^?]*\?(?:url=)?")


def url_is_dangerous(value: str) -> bool:
    """Whether a browser following or loading ``value`` would run code."""
    text = value
    for _ in range(3):
        text = html.unescape(text)
    text = _LEADING.sub("", _REMOVED.sub("", text)).lower()
    for _ in range(4):  # proxies nest
        if text.startswith(_SCHEMES):
            return True
        text = _LEADING.sub("", _PROXIED.sub("", text, count=1))
    return text.startswith(_SCHEMES)


_CSS_ESCAPE = re.compile(r"\\([0-9a-f]{1,6})\s?|\\(.)", re.IGNORECASE | re.DOTALL)


def style_is_dangerous(value: str) -> bool:
    text = html.unescape(value)
    text = _CSS_ESCAPE.sub(
        lambda m: chr(int(m[1], 16)) if m[1] and 0 < int(m[1], 16) < 0x110000 else (m[2] or ""),
        text,
    )
    text = re.sub(r"/\*.*?(\*/|$)", "", text, flags=re.DOTALL)
    text = re.sub(r"[\x00-\x20]", "", text).lower()
    return any(
        s in text for s in ("expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:")
    )


#: Elements that run code, load active content or change where addresses go.
FORBIDDEN_TAGS = frozenset(
    {
        "script", "style", "applet", "embed", "object", "base", "meta", "link", "frame",
        "frameset", "animate", "animatemotion", "animatetransform", "set",
        "handler", "listener",
    }
)  # fmt: skip
#: Attributes whose text is shown, never followed.
TEXT_ATTRS = frozenset({"alt", "title"})


def attribute_problems(tag: str, attrs: list[tuple[str, str]]) -> list[str]:
    problems = []
    if tag in FORBIDDEN_TAGS:
        problems.append(f"<{tag}>")
    for name, value in attrs:
        name = name.lower()
        if name.startswith("on"):
            problems.append(f"<{tag} {name}>")
        elif name == "srcdoc":
            problems.append(f"<{tag} srcdoc>")
        elif name == "style" and style_is_dangerous(value):
            problems.append(f"<{tag} style={value!r}>")
        elif name == "srcset" or name.endswith("-srcset"):
            if any(url_is_dangerous(part.split()[0]) for part in value.split(",") if part.split()):
                problems.append(f"<{tag} {name}={value!r}>")
        elif name not in TEXT_ATTRS and url_is_dangerous(value):
            problems.append(f"<{tag} {name}={value!r}>")
        elif tag == "meta" and "url=" in value.lower():
            problems.append(f"<meta {name}={value!r}>")
    return problems


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems += attribute_problems(tag, [(k, v or "") for k, v in attrs])
        if tag in ("xmp", "plaintext", "noscript"):  # raw text to a browser (with scripts on)
            self.set_cdata_mode(tag)


def html_problems(markup: str) -> list[str]:
    """What in ``markup`` could run code, as lxml and as html.parser read it."""
    found: list[str] = []
    if markup.strip():
        try:
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
        except AssertionError:  # a whole document
            root = lxml.html.document_fromstring(markup)
        for el in root.iter():
            if isinstance(el.tag, str):
                found += attribute_problems(el.tag.lower(), list(el.attrib.items()))
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return found + collector.problems


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True  # see every link, even those markdown-it would drop
    return md


MARKDOWN = _renderer()


def markdown_links(text: str) -> tuple[list[str], list[str]]:
    """The addresses of links and images in rendered ``text``, and any raw HTML."""
    addresses: list[str] = []
    raw: list[str] = []
    for token in MARKDOWN.parse(text):
        for t in [token, *(token.children or [])]:
            if t.type in ("html_block", "html_inline"):
                raw.append(t.content)
            elif t.type == "link_open":
                addresses.append(str(t.attrs.get("href", "")))
            elif t.type == "image":
                addresses.append(str(t.attrs.get("src", "")))
    return addresses, raw


#: The raw HTML the Markdown writer may hold: inline tags Markdown has no
#: syntax for, players, HTML tables; and the attributes each may carry.
RAW_TAGS = {
    **dict.fromkeys(("sup", "sub", "u", "mark", "ins", "kbd", "del", "s", "strong", "em"), ()),
    **dict.fromkeys(("table", "tr"), ()),
    **dict.fromkeys(("td", "th"), ("colspan", "rowspan")),
    "video": ("src", "poster", "controls", "width", "height"),
    "audio": ("src", "controls"),
    "source": ("src", "type"),
    "iframe": ("src", "width", "height", "allow", "allowfullscreen", "frameborder"),
}
_RAW_TAG = re.compile(r"<(/?)([a-z]+)([^>]*)>")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(attrs)


def raw_html_allowed(piece: str) -> bool:
    """Whether a raw HTML token holds only the tags and attributes the writer
    uses, with nothing but white space around them."""
    rest = _RAW_TAG.sub("", piece)
    if rest.strip():
        return False
    for closing, tag, attrs in _RAW_TAG.findall(piece):
        if tag not in RAW_TAGS or (closing and attrs.strip()):
            return False
        parser = _Attributes()
        parser.feed(f"<{tag}{attrs}>")
        found = parser.found
        if not {name for name, _ in found} <= set(RAW_TAGS[tag]):
            return False
        if attribute_problems(tag, [(k, v or "") for k, v in found]):
            return False
    return True


# --- running the commands -----------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)


def _write_post(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "post.md"
    path.write_text(f"---\ntitle: t\n---\n<p>before</p>{body}<p>after</p>\n", encoding="utf-8")
    return path


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}")
    return result.exit_code, result.stdout, result.stderr


def _body(document: str) -> str:
    return split(document.replace("\r\n", "\n")).body


#: Known failures, reported: (test, vector) -> why.
KNOWN: dict[tuple[str, str], str] = {}


def _cases(test: str) -> list[object]:
    return [
        pytest.param(
            name,
            vector,
            id=name,
            marks=[pytest.mark.xfail(reason=KNOWN[test, name], strict=True)]
            if (test, name) in KNOWN
            else [],
        )
        for name, vector in VECTORS
    ]


@pytest.mark.parametrize(("name", "vector"), _cases("clean"))
def test_clean_output_runs_nothing(tmp_path: Path, name: str, vector: str) -> None:
    path = _write_post(tmp_path, vector)
    code, out, err = _run(["clean", str(path)])
    assert code == 0, err
    body = _body(out)
    assert html_problems(body) == [], body
    assert "before" in body and "after" in body


@pytest.mark.parametrize(("name", "vector"), _cases("clean"))
def test_clean_in_place_writes_nothing_executable(tmp_path: Path, name: str, vector: str) -> None:
    path = _write_post(tmp_path, vector)
    code, _, err = _run(["clean", "--in-place", str(path)])
    assert code == 0, err
    assert html_problems(_body(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(("name", "vector"), _cases("markdown"))
def test_markdown_output_runs_nothing(tmp_path: Path, name: str, vector: str) -> None:
    path = _write_post(tmp_path, vector)
    code, out, err = _run(["convert", "--to", "md", str(path)])
    assert code == 0, err
    body = _body(out)
    addresses, raw = markdown_links(body)
    assert [piece for piece in raw if not raw_html_allowed(piece)] == [], body
    assert [a for a in addresses if url_is_dangerous(a)] == [], body
    assert html_problems(MARKDOWN.render(body)) == [], body
    assert "before" in body and "after" in body


@pytest.mark.parametrize(("name", "vector"), VECTORS, ids=[n for n, _ in VECTORS])
def test_json_output_runs_nothing(tmp_path: Path, name: str, vector: str) -> None:
    path = _write_post(tmp_path, vector)
    code, out, err = _run(["convert", "--to", "json", str(path)])
    assert code == 0, err
    record = json.loads(out)
    addresses, raw = markdown_links(record["markdown"])
    assert [piece for piece in raw if not raw_html_allowed(piece)] == []
    assert not [a for a in addresses if url_is_dangerous(a)]
    assert not [i for i in record["images"] if url_is_dangerous(i["src"])], record["images"]
    for player in record["media"]:
        assert not url_is_dangerous(player["src"] or ""), player
        assert not url_is_dangerous(player["poster"] or ""), player


@pytest.mark.parametrize(
    ("name", "markup", "allowed"),
    MARKDOWN_INJECTIONS,
    ids=[n for n, _, _ in MARKDOWN_INJECTIONS],
)
def test_text_cannot_inject_markdown(
    tmp_path: Path, name: str, markup: str, allowed: tuple[str, ...]
) -> None:
    path = _write_post(tmp_path, markup)
    code, out, err = _run(["convert", "--to", "md", str(path)])
    assert code == 0, err
    body = _body(out)
    addresses, raw = markdown_links(body)
    assert raw == [], body
    unexpected = [a for a in addresses if not a.startswith(allowed) or not allowed]
    assert unexpected == [], body
    rendered = MARKDOWN.render(body)
    assert html_problems(rendered) == [], rendered
    assert "before" in body and "after" in body


def test_the_checks_catch_what_they_look_for() -> None:
    """The detectors themselves: each would fail the tests above on raw input."""
    for name, vector in VECTORS:
        if name in _INERT_WITHOUT_CLEANING:
            continue
        assert html_problems(vector), name
    links, raw = markdown_links("[a](javascript:alert(1)) <b onclick=x>")
    assert [a for a in links if url_is_dangerous(a)] and raw
    assert url_is_dangerous("https://cors.zfour.workers.dev/?jav&#x09;ascript:alert(1)")
    assert not url_is_dangerous("https://img.example/javascript:.jpg")


#: Vectors that are harmless even uncleaned, to a browser (kept as regression cases).
_INERT_WITHOUT_CLEANING = frozenset(
    {
        "img-quote-breakout", "double-open", "split-script", "xmp-script",
        "comment-conditional", "title-breakout", "textarea-breakout", "template-script",
        "nbsp-lead", "zero-width", "img-onerror-slash", "img-proxied-url-encoded",
        "a-double-encoded",
        "iframe-srcdoc-escaped",
    }
)  # fmt: skip


def test_every_style_threat_holds_a_mark_the_quick_test_looks_for() -> None:
    from articletool.cleaning import unsafe

    for threat in unsafe._STYLE_THREATS:
        assert any(mark in threat for mark in unsafe.STYLE_MARKS), threat


def test_style_threats_spelled_with_entities_or_escapes_are_still_found() -> None:
    from articletool.cleaning import unsafe

    assert unsafe._style_is_bad("width: e&#120;pression(alert(1))")
    assert unsafe._style_is_bad("background: url(ja&#118;ascript:alert(1))")
    assert unsafe._style_is_bad("x: \\76 bscript:alert(1)")
    assert not unsafe._style_is_bad("text-align: center; font-size: 14px")
