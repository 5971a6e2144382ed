"""Where a converted post's time goes: each stage of ``convert --to md -o``
timed in one process, in microseconds per post, beside the floor's stages.

Run from the repository::

    .venv/bin/python benchmarks/stages.py             # the corpus copied to ~10,000 posts
    .venv/bin/python benchmarks/stages.py --posts 2000

The posts are read into memory first (each copy its own bytes, so no stage
sees a post it has seen before), then every stage runs over all of them in
turn, as ``convert`` calls it; the writes go to a temporary folder in
``/dev/shm`` where it exists. The numbers are the median of ``--repeat``
rounds, with the garbage collector off. ``bench.py`` measures whole
processes; this script says which part of a process is which.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import yaml

from articletool.cleaning.body import CleanSettings, clean_tree
from articletool.html.parse import parse_body
from articletool.markdown.writer import MarkdownOptions, convert
from articletool.output.document import markdown_document
from articletool.post.load import parse_post
from articletool.run.files import Input, read_bytes, write_atomic

HERE = Path(__file__).resolve().parent


def _timed(fn: Callable[[Any], Any], items: list[Any]) -> tuple[float, list[Any]]:
    clock = time.perf_counter
    start = clock()
    results = [fn(item) for item in items]
    return clock() - start, results


def _floor_stages(datas: list[bytes]) -> dict[str, float]:
    """The floor's own compute (bench.py's ``floor`` baseline, without I/O)."""
    texts = [d.decode("utf-8") for d in datas]
    raws = [t.split("---", 2) for t in texts]
    load = yaml.CSafeLoader
    spent: dict[str, float] = {}
    spent["floor: YAML (C loader)"], _ = _timed(lambda r: yaml.load(r[1], Loader=load), raws)
    bodies = [r[2] if len(r) > 2 else "" for r in raws]
    parse = lxml.html.fragment_fromstring
    spent["floor: lxml parse"], trees = _timed(lambda b: parse(b, create_parent="div"), bodies)
    tostring = lxml.html.tostring
    spent["floor: lxml serialise"], _ = _timed(lambda t: tostring(t, encoding="unicode"), trees)
    return spent


def one_round(paths: list[Path], out: Path) -> dict[str, float]:
    """Each of convert's stages over every post, in the order convert runs them."""
    settings, options = CleanSettings(), MarkdownOptions()
    spent: dict[str, float] = {}
    spent["read the file"], datas = _timed(lambda p: read_bytes(Input(str(p), p)), paths)
    spent["decode, split, load the front matter"], posts = _timed(
        lambda pd: parse_post(pd[1], str(pd[0])), list(zip(paths, datas, strict=True))
    )
    spent["parse the body"], trees = _timed(lambda post: parse_body(post.body), posts)
    spent["clean the tree"], _ = _timed(lambda root: clean_tree(root, settings), trees)
    spent["write Markdown"], bodies = _timed(lambda root: convert(root, options), trees)
    spent["front matter block"], docs = _timed(
        lambda pb: markdown_document(pb[0], pb[1], settings), list(zip(posts, bodies, strict=True))
    )
    outputs = [(str(out / f"{i}.md"), doc) for i, doc in enumerate(docs)]
    spent["write the file"], _ = _timed(lambda o: write_atomic(o[0], o[1].encode()), outputs)
    spent.update(_floor_stages(datas))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sources = sorted((args.corpus / "posts").glob("*.md"))
    if not sources:
        raise SystemExit(f"stages: no posts in {args.corpus / 'posts'}")
    paths = [sources[i % len(sources)] for i in range(args.posts)]
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    rounds: list[dict[str, float]] = []
    # A command holds one post at a time; this script holds them all, and the
    # collector would walk that growing heap over and over: it is off while
    # the stages run (over a whole convert run it costs about 10 ms).
    gc.disable()
    for _ in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="articletool-stages-", dir=base))
        try:
            rounds.append(one_round(paths, out))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    print(f"| stage | us per post (median of {args.repeat}, {len(paths)} posts) |")
    print("| --- | ---: |")
    ours = 0.0
    for name in rounds[0]:
        micro = 1e6 * statistics.median(r[name] for r in rounds) / len(paths)
        if not name.startswith("floor"):
            ours += micro
        print(f"| {name} | {micro:.1f} |")
    print(f"| convert's stages together | {ours:.1f} |")


if __name__ == "__main__":
    main()
