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
    names = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and taken(hook, p.relative_to(folder).as_posix())
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


def taken(hook: dict[str, Any], name: str) -> bool:
    """Whether pre-commit passes the file ``name`` to ``hook``."""
    return bool(re.search(hook["files"], name)) and not re.search(hook.get("exclude", "^$"), name)


@pytest.mark.parametrize(
    ("name", "wanted"),
    [
        ("source/_posts/a.md", True),
        ("source/_posts/sub/a.MARKDOWN", True),
        ("source/_drafts/b.txt", True),
        ("source/_posts/c.html", True),
        ("blog/source/_posts/d.htm", True),
        ("README.md", False),
        ("a.md", False),
        ("source/about/index.md", False),
        ("scaffolds/post.md", False),
        ("themes/landscape/README.md", False),
        ("themes/landscape/source/_posts/x.md", False),
        ("node_modules/hexo/source/_posts/x.md", False),
        ("source/_posts/setup.py", False),
        ("source/_posts/notes.md.orig", False),
        ("source/_posts/image.png", False),
    ],
)
def test_files_filter(name: str, wanted: bool) -> None:
    for hook in hooks().values():
        assert taken(hook, name) is wanted


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


def _git(*args: str, cwd: Path) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _release_copy(dest: Path, tag: str) -> Path:
    """A git repository of this project's files as they are now (tracked and
    not ignored), committed and tagged ``tag`` as a release is."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "release", cwd=dest)
    _git("tag", tag, cwd=dest)
    return dest


def _readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", readme, re.DOTALL)
    assert found, "README.md has no .pre-commit-config.yaml example"
    return found[1]


#: A Hexo blog's files that are not posts; each would fail validate if it were taken.
NOT_POSTS = {
    "README.md": "# My blog\n",
    "scaffolds/post.md": "---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n",
    "scaffolds/draft.md": "---\ntitle: {{ title }}\ntags:\n---\n",
    "themes/landscape/README.md": "# Landscape\n",
    "themes/landscape/layout/post.html": "<article>{{ page.content }}</article>\n",
    "themes/landscape/source/_posts/demo.md": "no front matter\n",
    "node_modules/hexo/README.md": "# Hexo\n",
    "source/about/index.md": "---\ntitle: 2022\n---\nabout\n",
}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_readme_example_in_a_hexo_repository(tmp_path: Path) -> None:
    """The README's .pre-commit-config.yaml, as written, run by the real
    pre-commit over a scratch Hexo repository: only the broken post fails."""
    example = _readme_example()
    config = yaml.safe_load(example)
    (entry,) = config["repos"]
    version = re.search(
        r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M
    )
    assert version and entry["rev"] == f"v{version[1]}"  # the tag a release of this version has
    hook_repo = _release_copy(tmp_path / "articletool", entry["rev"])

    blog = tmp_path / "blog"
    posts = blog / "source" / "_posts"
    (blog / "source" / "_drafts").mkdir(parents=True)
    posts.mkdir(parents=True)
    for name in ("oschina_1.md", "zaker_35.md"):
        shutil.copyfile(REPO / "tests" / "golden" / "posts" / f"{name}.clean", posts / name)
    shutil.copyfile(
        REPO / "tests" / "golden" / "posts" / "hexo_1.md.clean", blog / "source/_drafts/d.md"
    )
    (posts / "broken.md").write_text("---\ntitle: 2022\ndate: 2022-01-01\n---\n<p>x</p>\n")
    for name, text in NOT_POSTS.items():
        (blog / name).parent.mkdir(parents=True, exist_ok=True)
        (blog / name).write_text(text, encoding="utf-8")
    published = "https://github.com/your-org/articletool"
    assert entry["repo"] == published
    (blog / ".pre-commit-config.yaml").write_text(
        example.replace(published, hook_repo.as_uri()), encoding="utf-8"
    )
    _git("init", "-q", cwd=blog)
    _git("add", "-A", "-f", cwd=blog)

    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "cache"),
        NO_COLOR="1",
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    tool = Path(sys.executable).with_name("pre-commit")
    argv = [str(tool) if tool.exists() else "pre-commit", "run", "--all-files", "--color=never"]
    done = subprocess.run(argv, cwd=blog, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert re.search(r"articletool validate\.+Failed", output), output
    assert re.search(r"articletool clean --check\.+Passed", output), output
    assert "source/_posts/broken.md:2:8: FM103 error: title is the integer 2022" in output
    mentioned = set(re.findall(r"[\w./-]+\.(?:md|html)\b", output))
    assert mentioned == {"source/_posts/broken.md"}, output
