"""What articletool is measured against: one process per tool, the same work for each.

Usage: ``python benchmarks/baselines.py NAME IN_DIR [OUT_DIR]``

Every baseline walks ``IN_DIR`` for ``*.md`` files in sorted order, reads each
file, cuts the front matter off and loads it with PyYAML's C loader, then:

- ``read-yaml``: stops there (the floor for ``articletool validate``);
- ``floor``: parses the body with lxml and serialises it back, and writes
  front matter plus body to ``OUT_DIR`` (the floor for ``convert``);
- ``markdownify``, ``html2text``, ``trafilatura``: converts the body to
  Markdown with that library and writes front matter plus Markdown.

It prints one line to stdout: ``posts=N yaml_errors=N empty=N``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)

Converter = Callable[[str], str]


def posts(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".md"):
                yield Path(folder, name)


def split(text: str) -> tuple[str, str]:
    """Return (raw YAML, body); no front matter gives ("", text)."""
    stripped = text.lstrip("\r\n \t")
    if not stripped.startswith("---"):
        return "", text
    opening = _FENCE.search(stripped)
    closing = _FENCE.search(stripped, opening.end()) if opening else None
    if opening is None or closing is None:
        return "", text
    return stripped[opening.end() + 1 : closing.start()], stripped[closing.end() + 1 :]


def lxml_round_trip() -> Converter:
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(recover=True)

    def convert(body: str) -> str:
        if not body.strip():
            return ""
        tree = lxml.html.fragment_fromstring(body, create_parent="div", parser=parser)
        return etree.tostring(tree, encoding="unicode")

    return convert


def markdownify_converter() -> Converter:
    from markdownify import markdownify

    def convert(body: str) -> str:
        return str(markdownify(body))

    return convert


def html2text_converter() -> Converter:
    import html2text

    def convert(body: str) -> str:
        handler = html2text.HTML2Text()
        handler.body_width = 0
        return str(handler.handle(body))

    return convert


def trafilatura_converter() -> Converter:
    import trafilatura

    def convert(body: str) -> str:
        text = trafilatura.extract(
            body,
            output_format="markdown",
            include_images=True,
            include_links=True,
            include_formatting=True,
        )
        return text or ""

    return convert


CONVERTERS: dict[str, Callable[[], Converter]] = {
    "floor": lxml_round_trip,
    "markdownify": markdownify_converter,
    "html2text": html2text_converter,
    "trafilatura": trafilatura_converter,
}


def run(name: str, in_dir: Path, out_dir: Path | None) -> str:
    loader = yaml.CSafeLoader
    convert = None if name == "read-yaml" else CONVERTERS[name]()
    count = yaml_errors = empty = 0
    for path in posts(in_dir):
        count += 1
        text = path.read_bytes().decode("utf-8", "replace")
        raw, body = split(text)
        try:
            yaml.load(raw, Loader=loader)  # the C *safe* loader
        except yaml.YAMLError:
            yaml_errors += 1
        if convert is None or out_dir is None:
            continue
        result = convert(body)
        empty += not result.strip()
        target = out_dir / path.relative_to(in_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\n{raw}---\n{result}", encoding="utf-8")
    return f"posts={count} yaml_errors={yaml_errors} empty={empty}"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] not in ("read-yaml", *CONVERTERS):
        names = ", ".join(("read-yaml", *CONVERTERS))
        sys.stderr.write(f"usage: baselines.py {{{names}}} IN_DIR [OUT_DIR]\n")
        return 2
    out_dir = Path(argv[2]) if len(argv) == 3 else None
    sys.stdout.write(run(argv[0], Path(argv[1]), out_dir) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
