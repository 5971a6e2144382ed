"""The pre-commit manifest and the CI examples: their shape, and their hooks run
as pre-commit runs them (entry + args + the file names that pass the filter)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"
EXAMPLES = REPO / "examples"
POSTS = sorted((REPO / "tests" / "golden" / "posts").glob("*.md"))
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
CORPUS = REPO.parent / "shared" / "corpus" / "posts"

#: Keys pre-commit's manifest schema knows; id, name, entry and language are required.
HOOK_KEYS = {
    "id", "name", "entry", "language", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file",
    "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip


def hooks() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, list)
    return {hook["id"]: hook for hook in loaded}


def script() -> str:
    """The ``articletool`` script of this environment (what the hook's env puts on PATH)."""
    beside = Path(sys.executable).with_name("articletool")
    found = str(beside) if beside.exists() else shutil.which("articletool")
    assert found, "articletool is not installed"
    return found


def run_hook(hook: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``hook`` over the files below ``folder`` as pre-commit would."""
    pattern = re.compile(hook.get("files", ""))
    names = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and pattern.search(p.relative_to(folder).as_posix())
    )
    command = shlex.split(hook["entry"])
    assert command[0] == "articletool"
    argv = [script(), *command[1:], *hook.get("args", []), *names]
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(argv, cwd=folder, capture_output=True, env=env, check=False)


def test_manifest_schema() -> None:
    found = hooks()
    assert set(found) == {"articletool-validate", "articletool-clean"}
    for hook in found.values():
        assert {"id", "name", "entry", "language"} <= set(hook) <= HOOK_KEYS
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
        assert all(isinstance(hook[k], str) for k in ("id", "name", "entry", "files"))
    assert found["articletool-validate"]["entry"] == "articletool validate --force-exclude"
    assert found["articletool-clean"]["entry"] == "articletool clean --check --force-exclude"


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("source/_posts/a.md", True),
        ("a.MARKDOWN", True),
        ("b.txt", True),
        ("c.html", True),
        ("d.htm", True),
        ("setup.py", False),
        ("pyproject.toml", False),
        ("notes.md.orig", False),
        ("image.png", False),
    ],
)
def test_files_filter(name: str, taken: bool) -> None:
    for hook in hooks().values():
        assert bool(re.search(hook["files"], name)) is taken


def copy_posts(folder: Path, posts: list[Path]) -> None:
    (folder / "source" / "_posts").mkdir(parents=True)
    for post in posts:
        shutil.copyfile(post, folder / "source" / "_posts" / post.name)
    (folder / "setup.py").write_text("print('not a post')\n")  # filtered out by `files`


def test_validate_hook_over_corpus_posts(tmp_path: Path) -> None:
    copy_posts(tmp_path, [*POSTS, SEED])
    done = run_hook(hooks()["articletool-validate"], tmp_path)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert f"{len(POSTS) + 1} files checked".encode() in done.stderr
    broken = tmp_path / "source" / "_posts" / "broken.md"
    broken.write_text("---\ntitle: 2022\ndate: 2022-01-01\n---\n<p>x</p>\n")
    done = run_hook(hooks()["articletool-validate"], tmp_path)
    assert done.returncode == 1
    assert b"source/_posts/broken.md:2:8: FM103" in done.stdout


def test_clean_hook_over_corpus_posts(tmp_path: Path) -> None:
    copy_posts(tmp_path, POSTS)
    hook = hooks()["articletool-clean"]
    done = run_hook(hook, tmp_path)
    assert done.returncode == 1  # scraped posts hold debris
    listed = done.stdout.decode().splitlines()
    assert listed and all(line.startswith("source/_posts/") for line in listed)
    posts = tmp_path / "source" / "_posts"
    subprocess.run([script(), "clean", "--in-place", str(posts)], capture_output=True, check=True)
    done = run_hook(hook, tmp_path)
    assert done.returncode == 0, done.stdout.decode()
    assert done.stdout == b""


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the repo")
def test_validate_hook_over_the_whole_corpus(tmp_path: Path) -> None:
    copy_posts(tmp_path, sorted(CORPUS.glob("*.md")))
    done = run_hook(hooks()["articletool-validate"], tmp_path)
    assert done.returncode in (0, 1), done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert f"{len(list(CORPUS.glob('*.md')))} files checked".encode() in done.stderr


def test_example_pre_commit_config_uses_the_manifest_hooks() -> None:
    config = yaml.safe_load((EXAMPLES / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    used = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert used == set(hooks())
    for repo in config["repos"]:
        assert {"repo", "rev", "hooks"} <= set(repo)


def test_github_actions_example_annotates() -> None:
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["articletool"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any(r.startswith("articletool validate --format github") for r in runs)
    assert any(r.startswith("articletool clean --check") for r in runs)
    assert True in workflow or "on" in workflow  # YAML 1.1 reads a bare `on:` as true
