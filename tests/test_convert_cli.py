"""`articletool convert` from the command line: outputs, streams, mirroring, exit codes."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from articletool.cleaning.body import CleanSettings
from articletool.cli.app import app
from articletool.cli.convert_command import Converted, Job, Target, convert_input, convert_inputs
from articletool.markdown.writer import MarkdownOptions
from articletool.run.files import Input

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
GOLDEN = Path(__file__).parent / "golden" / "convert"
ZKRES = [
    "http://zkres1.myzaker.com/202208/62fed8928e9f0973af7870e2_1024.jpg",
    "http://zkres2.myzaker.com/202208/62fed8928e9f0973af7870e3_1024.jpg",
    "http://zkres2.myzaker.com/202208/62fed8928e9f0973af7870e4_1024.jpg",
]


@pytest.fixture(autouse=True)
def _no_project_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty folder with an empty articletool.toml."""
    (tmp_path / "articletool.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["convert", *args], input=stdin)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def _tree(root: Path) -> Path:
    """A small input tree: two posts in nested folders and one beside them."""
    (root / "in" / "a" / "b").mkdir(parents=True)
    shutil.copy(SEED, root / "in" / "seed.txt")
    shutil.copy(GOLDEN / "dockone_2.md", root / "in" / "a" / "dockone.md")
    shutil.copy(GOLDEN / "juejin_1.md", root / "in" / "a" / "b" / "juejin.markdown")
    return root / "in"


def test_seed_to_markdown_on_stdout() -> None:
    code, out, err = invoke("--to", "md", str(SEED))
    assert code == 0
    assert err == ""
    assert out.startswith("---\ntitle: '在新时代东北振兴上展现更大担当和作为'\n")
    assert "headimg: 'http://zkres1.myzaker.com/" in out
    assert "workers.dev" not in out
    assert "<div" not in out
    body = out.split("\n---\n", 1)[1]
    images = re.findall(r"!\[\]\(([^)]+)\)", body)
    assert images == ZKRES
    for bare in ("东北地区是我国重要的工业和农业基地", "东北地区要抢抓机遇", "脚踏实地向前进"):
        assert f"\n\n{bare}" in body  # the bare text after each image is its own paragraph
    html = MarkdownIt("commonmark").render(body)
    assert html.count("<p>") == 10
    assert html.count("<img") == 3


def test_seed_to_json_on_stdout() -> None:
    code, out, _ = invoke("--to", "json", str(SEED))
    assert code == 0
    record = json.loads(out)
    assert record["title"] == "在新时代东北振兴上展现更大担当和作为"
    assert [i["src"] for i in record["images"]] == ZKRES
    assert record["markdown"].startswith("习近平总书记近日在辽宁考察时强调")
    assert "workers.dev" not in out
    assert out.endswith("}\n") and out.count("\n") == 1


def test_stdin() -> None:
    code, out, _ = invoke("-", stdin=SEED.read_bytes())
    assert code == 0
    assert out.startswith("---\ntitle:")


def test_several_inputs_markdown_needs_output_dir(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    code, out, err = invoke("--to", "md", str(source))
    assert code == 2
    assert out == ""
    assert "several inputs" in err and "-o" in err
    assert len(err.strip().splitlines()) == 1


def test_several_inputs_json_is_json_lines(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    code, out, err = invoke("--to", "json", str(source))
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["seed.txt", "dockone.md", "juejin.markdown"]
    assert all(r["markdown"] for r in records)


@pytest.mark.parametrize(("target", "suffix"), [("md", ".md"), ("json", ".json")])
def test_output_dir_mirrors_the_input_tree(tmp_path: Path, target: str, suffix: str) -> None:
    source = _tree(tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = invoke("--to", target, "-o", str(out_dir), str(source))
    assert code == 0, err
    assert out == ""
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert written == [f"a/b/juejin{suffix}", f"a/dockone{suffix}", f"seed{suffix}"]
    seed_out = (out_dir / f"seed{suffix}").read_text(encoding="utf-8")
    if target == "md":
        assert seed_out == (GOLDEN / "000_7d40135e7ed69f29.txt.convert.md").read_text()
    else:
        assert json.loads(seed_out)["markdown"]


def test_output_dir_inside_the_input_is_not_entered(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    out_dir = source / "converted"
    for _ in range(2):
        code, _, err = invoke("-o", str(out_dir), str(source))
        assert code == 0, err
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert written == ["a/b/juejin.md", "a/dockone.md", "seed.md"]


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, out, err = invoke("-o", str(tmp_path / "file"), str(SEED))
    assert code == 2
    assert out == ""
    assert "exists and is not a folder" in err


def test_bad_file_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    (source / "binary.md").write_bytes(b"\x00\x01\x02 not text")
    out_dir = tmp_path / "out"
    code, _, err = invoke("-o", str(out_dir), str(source))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(str(source / "binary.md") + ": ")
    assert "Traceback" not in err
    assert (out_dir / "seed.md").is_file()
    assert not (out_dir / "binary.md").exists()


def test_missing_file() -> None:
    code, out, err = invoke("no-such-post.md")
    assert code == 2
    assert out == ""
    assert err.startswith("no-such-post.md: ")


def test_broken_front_matter_still_converts_and_fails(tmp_path: Path) -> None:
    post = tmp_path / "broken.md"
    post.write_text("---\ntitle: [unclosed\n---\n<p>body <b>text</b></p>\n", encoding="utf-8")
    code, out, err = invoke(str(post))
    assert code == 2
    assert out.endswith("\nbody **text**\n")
    assert err.startswith(f"{post}:")


BRACES_POST = (
    "---\ntitle: 'a &#123;b&#125;'\n---\n"
    "<div><p>&#123;&#123; x &#125;&#125;</p><pre>f(&#123;&#125;)</pre></div>"
)


def test_braces_flag(tmp_path: Path) -> None:
    post = tmp_path / "braces.md"
    post.write_text(BRACES_POST, encoding="utf-8")
    code, out, _ = invoke(str(post))
    assert code == 0
    assert out == (
        "---\ntitle: 'a &#123;b&#125;'\n---\n\n&#123;&#123; x &#125;&#125;\n\n```\nf({})\n```\n"
    )
    code, out, _ = invoke("--braces", "literal", str(post))
    assert code == 0
    assert out.endswith("\n---\n\n{{ x }}\n\n```\nf({})\n```\n")


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["convert", "--help"])
    assert result.exit_code == 0
    assert "Example: articletool convert" in result.stdout
    assert "--to" in result.stdout and "--output" in result.stdout


def test_real_process(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "articletool",
            "convert",
            "--to",
            "md",
            "-o",
            str(out_dir),
            str(SEED),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    text = (out_dir / "000_7d40135e7ed69f29.md").read_text(encoding="utf-8")
    assert re.findall(r"!\[\]\(([^)]+)\)", text) == ZKRES


def test_worker_and_results_survive_pickling(tmp_path: Path) -> None:
    work = partial(convert_input, Job(Target.JSON, CleanSettings(), MarkdownOptions()))
    work = pickle.loads(pickle.dumps(work))
    good = work(Input(str(SEED), SEED))
    bad = work(Input("missing.md", tmp_path / "missing.md"))
    for result in (good, bad):
        again = pickle.loads(pickle.dumps(result))
        assert isinstance(again, Converted)
        assert again.display == result.display
        assert str(again.error) == str(result.error)
    assert good.output is not None and json.loads(good.output)["markdown"]
    assert bad.error is not None and bad.error.path == "missing.md"


@pytest.mark.parametrize("target", [Target.MD, Target.JSON])
def test_a_chunk_converts_as_its_posts_do_one_at_a_time(
    tmp_path: Path, target: Target, mixed_inputs: list[Input]
) -> None:
    for out_dir in (None, tmp_path / "out"):
        job = Job(target, CleanSettings(), MarkdownOptions(), out_dir)
        one_by_one = [convert_input(job, item) for item in mixed_inputs]
        together = convert_inputs(job, mixed_inputs)
        assert [(r.display, r.output, r.written, str(r.error)) for r in together] == [
            (r.display, r.output, r.written, str(r.error)) for r in one_by_one
        ]
        assert sum(r.error is not None and r.output is None for r in together) >= 3


def test_parallel_run_gives_the_same_files(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    posts = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt") and "." not in p.stem)
    for index in range(2):
        for post in posts:
            shutil.copy(post, source / f"{index}_{post.name}")
    outputs = []
    for jobs in ("1", "2"):
        out_dir = tmp_path / f"out{jobs}"
        code, _, err = invoke("-j", jobs, "-o", str(out_dir), str(source))
        assert code == 0, err
        outputs.append({p.name: p.read_bytes() for p in out_dir.iterdir()})
    assert len(outputs[0]) == 2 * len(posts) >= 48
    assert outputs[0] == outputs[1]


def test_settings_file_supplies_defaults(tmp_path: Path) -> None:
    (tmp_path / "articletool.toml").write_text('[convert]\nto = "json"\nbraces = "literal"\n')
    post = tmp_path / "braces.md"
    post.write_text(BRACES_POST, encoding="utf-8")
    code, out, err = invoke(str(post))
    assert code == 0, err
    assert json.loads(out)["markdown"].startswith("{{ x }}\n")
    code, out, _ = invoke("--to", "md", "--braces", "entity", str(post))
    assert out.startswith("---\n")
    assert "\n&#123;&#123; x &#125;&#125;\n" in out


TEMPLATE_POST = (
    "---\ntitle: T\ndate: 2022-01-01\n{extra}---\n"
    "<div><p>a &#123;&#123; x &#125;&#125; b</p><p><code>&#123;% raw %&#125;</code></p>"
    "<pre><code>&#123;&#123; kept &#125;&#125;</code></pre></div>\n"
)


@pytest.mark.parametrize(
    ("args", "extra", "warned"),
    [
        (("--braces", "literal"), "", True),
        (("--braces", "entity"), "", False),
        (("--braces", "literal", "--to", "json"), "", False),  # not a Hexo post
        (("--braces", "literal"), "disableNunjucks: true\n", False),
    ],
)
def test_literal_braces_warn_where_hexo_would_render_them(
    tmp_path: Path, args: tuple[str, ...], extra: str, warned: bool
) -> None:
    post = tmp_path / "p.md"
    post.write_text(TEMPLATE_POST.format(extra=extra), encoding="utf-8")
    status, out, err = invoke(*args, "--isolated", str(post))
    assert status == 0
    if warned:
        assert err == (
            f"{post}: warning: Hexo's template engine would render '{{{{ x }}}}' (and 1 more) "
            "(line 6 of the Markdown) and drop it: use --braces entity, or disableNunjucks: "
            "true in the post's front matter\n"
        )
        assert out.splitlines()[5] == "a {{ x }} b"
    else:
        assert err == ""
