"""Real Hexo reads our output: one Hexo site (hexo and hexo-renderer-marked as
pinned in tests/hexo/package-lock.json) built from the corpus posts of
tests/golden/posts as they are (A), after ``articletool clean --in-place`` (B)
and after ``articletool convert --to md`` (C). What a reader of B and C sees
must be what a browser shows of the raw HTML: the text, every image at its
real address, the media players at their real addresses, the title and the date as Hexo reads
them, and ``hexo generate`` prints no warning.

Needs node: skipped where it is absent, except that with
``ARTICLETOOL_REQUIRE_HEXO=1`` (set by .ci/run when node is present) a missing
Hexo fails instead. ``npm ci`` in tests/hexo installs it; the test runs it
itself when tests/hexo/node_modules is missing.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml.html import HtmlElement

from articletool import read_post
from articletool.cleaning.rules import DEBRIS
from articletool.html.parse import parse_body
from articletool.html.tree import HIDDEN_TAGS
from articletool.post.dates import parse_date

REPO = Path(__file__).resolve().parent.parent
HEXO = REPO / "tests" / "hexo"
POSTS = sorted(
    p for p in (REPO / "tests" / "golden" / "posts").iterdir() if p.suffix in (".md", ".txt")
)
PROXY = "https://cors.zfour.workers.dev/?"
LAZY = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "data-url")
MEDIA = ("video", "iframe", "audio", "embed", "object")
#: What marked's smartypants (on in hexo-renderer-marked) writes, back to ASCII.
TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "—": "---", "–": "--"}
)

#: The probe theme's post layout: what Hexo read of the front matter, then the content.
POST_LAYOUT = """<!DOCTYPE html><html><body><!--META <%- Buffer.from(JSON.stringify({
  source: page.source, title: page.title === undefined ? null : page.title,
  date: page.date && page.date.isValid() ? page.date.toISOString() : String(page.date)
}), 'utf8').toString('base64') %>--><!--BEGIN--><%- page.content %><!--END--></body></html>
"""
CONFIG = """title: articletool test
url: http://example.com
permalink: :year/:month/:day/:title/
theme: probe
timezone: UTC
"""


def _hexo() -> Path:
    """The hexo command of tests/hexo, installed with ``npm ci`` when missing."""
    require = os.environ.get("ARTICLETOOL_REQUIRE_HEXO") == "1"
    if shutil.which("node") is None or shutil.which("npm") is None:
        if require:
            pytest.fail("ARTICLETOOL_REQUIRE_HEXO=1 but node or npm is not on PATH")
        pytest.skip("node is not installed")
    binary = HEXO / "node_modules" / ".bin" / "hexo"
    if not binary.exists():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=HEXO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"npm ci in tests/hexo failed:\n{done.stderr[-3000:]}"
    assert binary.exists(), "npm ci did not install hexo"
    return binary


def _articletool(*args: str) -> str:
    """Run articletool; its stderr."""
    script = Path(sys.executable).with_name("articletool")
    done = subprocess.run(
        [str(script), *args], capture_output=True, text=True, check=False, env=_env()
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


#: A post whose text holds template syntax, written as the bot writes braces.
BRACES = (
    "---\ntitle: braces\ndate: 2022-01-01 00:00:00\n---\n"
    "<div><p>a &#123;&#123; x &#125;&#125; b</p><pre><code>&#123;% raw %&#125;</code></pre></div>\n"
)


def _env() -> dict[str, str]:
    return dict(os.environ, TZ="UTC", NO_COLOR="1", FORCE_COLOR="0")


def _site(root: Path) -> None:
    """An empty Hexo site using tests/hexo's install and the probe theme."""
    layout = root / "themes" / "probe" / "layout"
    layout.mkdir(parents=True)
    (root / "source" / "_posts").mkdir(parents=True)
    package = json.loads((HEXO / "package.json").read_text(encoding="utf-8"))
    (root / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (root / "node_modules").symlink_to(HEXO / "node_modules")
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (layout / "post.ejs").write_text(POST_LAYOUT, encoding="utf-8")
    for name in ("index", "archive", "category", "tag", "page"):
        (layout / f"{name}.ejs").write_text("<html></html>\n", encoding="utf-8")


def _hexo_name(path: Path) -> str:
    """Hexo renders .md, not .txt: a .txt post goes into the site as .md."""
    return path.with_suffix(".md").name


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every post page Hexo made, by its source (``_posts/B/oschina_1.md``),
    and the lines ``hexo generate`` printed under ``"log"``."""
    hexo = _hexo()
    root = tmp_path_factory.mktemp("hexo") / "site"
    _site(root)
    posts = root / "source" / "_posts"
    raw = root.parent / "raw"
    raw.mkdir()
    for post in POSTS:
        shutil.copyfile(post, raw / post.name)
        for site in "AB":
            (posts / site).mkdir(exist_ok=True)
            shutil.copyfile(post, posts / site / _hexo_name(post))
    _articletool("clean", "--in-place", "--isolated", str(posts / "B"))
    _articletool("convert", "--to", "md", "--isolated", "-o", str(posts / "C"), str(raw))
    braces = root.parent / "braces"
    braces.mkdir()
    (braces / "braces.md").write_text(BRACES, encoding="utf-8")
    warned = _articletool(
        "convert", "--isolated", "--braces", "literal", "-o", str(posts / "D"), str(braces)
    )
    done = subprocess.run(
        [str(hexo), "generate"],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found: dict[str, dict[str, Any]] = {
        "log": {"lines": (done.stdout + done.stderr).splitlines()},
        "warned": {"stderr": warned},
    }
    for page in (root / "public").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        meta = re.search(r"<!--META ([A-Za-z0-9+/=]*)-->", html)
        body = re.search(r"<!--BEGIN-->(.*?)<!--END-->", html, re.DOTALL)
        if meta and body:
            record = json.loads(base64.b64decode(meta[1]).decode("utf-8"))
            record["content"] = body[1]
            found[record["source"]] = record
    return found


def _shown(el: HtmlElement) -> Iterator[str]:
    """The text nodes a reader sees (Hexo's line-number gutter and "copy
    code" buttons aside)."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            name = child.tag.lower()
            gutter = name == "td" and "gutter" in (child.get("class") or "").split()
            if name not in HIDDEN_TAGS and not gutter and not DEBRIS.matches(child):
                yield from _shown(child)
        if child.tail:
            yield child.tail


def text_of(html: str) -> str:
    return re.sub(r"\s+", "", "".join(_shown(parse_body(html))))


def images_of(html: str, raw: bool) -> Counter[str]:
    """Image addresses as a browser loads them; of the raw post, as its
    theme showed them (the lazy-load attribute first, the proxy removed)."""
    found: Counter[str] = Counter()
    for img in parse_body(html).iter("img"):
        if any(a.tag == "noscript" for a in img.iterancestors()):
            continue
        value = ""
        if raw:
            value = next((img.get(a, "").strip() for a in LAZY if img.get(a, "").strip()), "")
        value = (value or img.get("src", "")).strip()
        while raw and value.startswith(PROXY):
            value = value[len(PROXY) :].strip()
        found[unquote(value)] += 1
    return found


def media_of(html: str) -> Counter[str]:
    """The players a reader sees; ZAKER's ``div.zk_upvideo`` is the video its
    scripts make of ``data-zkinfo`` (what clean writes as ``<video>``)."""
    root = parse_body(html)
    found = Counter(el.tag for el in root.iter(*MEDIA))
    found["video"] += len(root.xpath("//div[contains(@class, 'zk_upvideo')][@data-zkinfo]"))
    return +found


def player_sources(html: str) -> list[str]:
    """Where each player plays from, ``//`` read as ``https://``, in document order."""
    root = parse_body(html)
    found = [
        (el.get("src") or "").strip() for el in root.iter("video", "audio", "iframe", "source")
    ]
    return ["https:" + src if src.startswith("//") else src for src in found if src]


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.name)
def test_hexo_shows_cleaned_and_converted_posts_as_written(
    pages: dict[str, dict[str, Any]], post: Path
) -> None:
    source = read_post(post)
    raw = source.body
    page = {site: pages.get(f"_posts/{site}/{_hexo_name(post)}") for site in "ABC"}
    assert all(page.values()), f"Hexo made no page for {post.name}: {page}"
    a, b, c = (p for p in page.values() if p is not None)
    # the text a reader sees: B exactly the raw HTML's, C up to smartypants
    assert text_of(b["content"]) == text_of(raw)
    assert text_of(c["content"]).translate(TYPOGRAPHY) == text_of(raw).translate(TYPOGRAPHY)
    # images at their real address, players kept
    assert images_of(b["content"], raw=False) == images_of(raw, raw=True)
    assert images_of(c["content"], raw=False) == images_of(raw, raw=True)
    assert media_of(b["content"]) == media_of(raw)
    assert media_of(c["content"]) == media_of(raw)
    assert player_sources(c["content"]) == player_sources(b["content"])
    # title and date as Hexo reads them
    assert a["title"] == source.meta["title"]
    written = parse_date(source.meta["date"])
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)  # the site's time zone
    assert a["date"] == written.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for other in (b, c):
        assert (other["title"], other["date"]) == (a["title"], a["date"])


def test_hexo_misreads_the_raw_posts_the_layout_fixes(pages: dict[str, dict[str, Any]]) -> None:
    """What the hexo-layout rule is for: Hexo's Markdown pass mangles these
    raw posts (an indented line after a blank one shown as code; a <pre>
    holding blank lines read as Markdown), and shows their cleaned copies
    as written."""
    for name in ("oschina_1.md", "juejin_1.md"):
        raw = read_post(REPO / "tests" / "golden" / "posts" / name).body
        assert text_of(pages[f"_posts/A/{name}"]["content"]) != text_of(raw), name
        assert text_of(pages[f"_posts/B/{name}"]["content"]) == text_of(raw), name
    shown_as_code = r"<pre><code>\s*&lt;p&gt;本次更新内容如下:"
    assert re.search(shown_as_code, pages["_posts/A/oschina_1.md"]["content"])


def test_hexo_generate_prints_no_warning(pages: dict[str, dict[str, Any]]) -> None:
    noisy = [line for line in pages["log"]["lines"] if re.search(r"\b(WARN|ERROR|FATAL)\b", line)]
    assert noisy == []
    assert len([source for source in pages if source.startswith("_posts/")]) == 3 * len(POSTS) + 1


def test_literal_braces_warning_says_what_hexo_drops(pages: dict[str, dict[str, Any]]) -> None:
    """``convert --braces literal``: Hexo's template engine renders {{ x }}
    as nothing, which convert warns about; fenced code it leaves alone."""
    content = pages["_posts/D/braces.md"]["content"]
    assert text_of(content) == "ab{%raw%}"
    (warning,) = pages["warned"]["stderr"].splitlines()
    assert warning.endswith(
        "braces.md: warning: Hexo's template engine would render '{{ x }}' (line 6 of the "
        "Markdown) and drop it: use --braces entity, or disableNunjucks: true in the post's "
        "front matter"
    )


def test_required_hexo_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where .ci/run asks for Hexo, a missing node is a failure, not a skip."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("ARTICLETOOL_REQUIRE_HEXO", "1")
    with pytest.raises(pytest.fail.Exception, match="node or npm is not on PATH"):
        _hexo()
    monkeypatch.delenv("ARTICLETOOL_REQUIRE_HEXO")
    with pytest.raises(pytest.skip.Exception):
        _hexo()
