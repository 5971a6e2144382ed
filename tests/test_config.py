"""Settings files: found above the inputs, shared keys, sections, flags over files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from articletool.cli.app import app
from articletool.cli.clean_command import CONFIG_KEYS as CLEAN_KEYS
from articletool.cli.validate_command import CONFIG_KEYS as VALIDATE_KEYS
from articletool.config import (
    SECTION_KEYS,
    SETTINGS,
    Config,
    common_parent,
    config_for,
    find_config,
    load_config,
)
from articletool.errors import UsageError
from articletool.run.ignore import Excluder

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
NO_AUTHOR = SEED_TEXT.replace("author: ZAKER\n", "")
PROXIED = "https://proxy.example.org/fetch?u="


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with posts; the tests run from another folder, so any
    settings found come from walking up from the inputs."""
    root = tmp_path / "blog"
    posts = root / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "with-author.md").write_text(SEED_TEXT, encoding="utf-8")
    (posts / "no-author.md").write_text(NO_AUTHOR, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return root


def write_settings(root: Path, text: str, name: str = "pyproject.toml") -> None:
    (root / name).write_text(text, encoding="utf-8")


REQUIRE_AUTHOR = '[tool.articletool.validate]\nrequired = ["title", "date", "author"]\n'


def test_required_author_makes_a_post_without_author_fail(project: Path) -> None:
    posts = project / "source" / "_posts"
    assert run("validate", str(posts))[0] == 0  # no settings: title and date suffice
    write_settings(project, REQUIRE_AUTHOR)
    code, out, _ = run("validate", str(posts))
    assert code == 1
    assert "no-author.md:" in out and "FM101" in out and "author" in out
    assert [line for line in out.splitlines() if "FM101" in line] == [
        line for line in out.splitlines() if "FM101" in line and "no-author.md" in line
    ]
    assert run("validate", str(posts / "with-author.md"))[0] == 0


def test_cli_flag_beats_the_file(project: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    posts = str(project / "source" / "_posts")
    assert run("validate", posts)[0] == 1
    assert run("validate", "--required", "title,date", posts)[0] == 0


def test_articletool_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    write_settings(project, "[validate]\nrequired = ['title']\n", "articletool.toml")
    assert run("validate", str(project / "source"))[0] == 0
    assert find_config(project / "source").path == project / "articletool.toml"


def test_nearest_file_above_the_inputs_wins(project: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    write_settings(project / "source", "[tool.articletool.validate]\nrequired = ['title']\n")
    assert run("validate", str(project / "source" / "_posts"))[0] == 0
    assert run("validate", str(project))[0] == 1  # from the top: the outer file


def test_a_pyproject_without_our_table_is_passed_over(project: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    write_settings(project / "source", "[project]\nname = 'x'\n")
    assert find_config(project / "source" / "_posts").path == project / "pyproject.toml"


@pytest.mark.parametrize(
    "text",
    [
        "[tool]\narticletool.validate.required = ['title', 'date', 'author']\n",
        "tool.articletool.validate.required = ['title', 'date', 'author']\n",
        "tool = {articletool = {validate = {required = ['title', 'date', 'author']}}}\n",
        "[ \"tool\" . 'articletool' . validate ]\nrequired = ['title', 'date', 'author']\n",
        '[tool."\\u0061rticletool".validate]\nrequired = ["title", "date", "author"]\n',
    ],
)
def test_every_spelling_of_our_table_in_a_pyproject_is_found(project: Path, text: str) -> None:
    # A pyproject.toml is parsed only when a line of it can open our table.
    write_settings(project, text + "\n[project]\nname = 'blog'\n")
    assert find_config(project / "source" / "_posts").path == project / "pyproject.toml"
    assert run("validate", str(project / "source" / "_posts"))[0] == 1


def test_a_pyproject_that_cannot_hold_our_table_is_not_parsed(project: Path) -> None:
    # Broken TOML in a project's own settings is not articletool's to report.
    write_settings(project, "[project]\nname = 'blog\n[tool.ruff]\nline-length = 100\n")
    assert find_config(project / "source" / "_posts").path is None
    assert run("validate", str(project / "source" / "_posts"))[0] == 0


def test_isolated_and_config_file(project: Path, tmp_path: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    posts = str(project / "source" / "_posts")
    assert run("validate", "--isolated", posts)[0] == 0
    assert run("validate", "--no-config", posts)[0] == 0
    other = tmp_path / "strict.toml"
    other.write_text("[validate]\nrequired = ['title']\nstrict = true\n")
    code, _, _ = run("validate", "--config", str(other), posts)
    assert code == 1  # strict: the FM003/FM302 warnings fail the run
    code, _, err = run("validate", "--config", str(other), "--isolated", posts)
    assert code == 2 and "exclude each other" in err


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[tool.articletool]\ncolour = true\n", "unknown key 'colour' in [tool.articletool]"),
        (
            "[tool.articletool.validate]\nrequire = ['a']\n",
            "unknown key 'require' in [tool.articletool.validate]",
        ),
        ("[tool.articletool.convert]\nwidth = 80\n", "unknown key 'width'"),
        ("[tool.articletool]\nexclude = 'drafts'\n", "'exclude' must be a list of strings"),
        ("[tool.articletool]\nrespect-gitignore = 1\n", "'respect-gitignore' must be true"),
        ("[tool.articletool\n", "invalid TOML"),
        ("[tool.articletool.convert]\nbraces = 'curly'\n", "'braces' must be 'entity' or"),
    ],
)
def test_bad_settings_name_the_file_and_key(project: Path, text: str, fragment: str) -> None:
    write_settings(project, text)
    # A bad option value is found by the command whose section it is (and by config).
    names = ("convert", "config") if "braces" in text else ("validate", "clean", "extract")
    for command in names:
        args = [command, str(project / "source" / "_posts")]
        if command == "clean":
            args.append("--check")
        if command == "convert":
            args += ["-o", str(project / "out")]
        code, out, err = run(*args)
        assert code == 2, (command, err)
        assert out == ""
        assert str(project / "pyproject.toml") in err and fragment in err, err
        assert err.startswith(f"articletool {command}: ") and err.count("\n") == 1


def test_exclude_globs(project: Path) -> None:
    posts = project / "source" / "_posts"
    (posts / "drafts").mkdir()
    (posts / "drafts" / "broken.md").write_text("---\ntitle: [x\n---\n")
    (posts / "old.bak.md").write_text("---\ntitle: [x\n---\n")
    assert run("validate", str(posts))[0] == 1
    write_settings(project, '[tool.articletool]\nexclude = ["drafts", "source/**/*.bak.md"]\n')
    code, out, err = run("validate", str(posts))
    assert code == 0, out
    assert "broken.md" not in out + err and "old.bak.md" not in out + err
    assert "2 files checked" in err
    # A named file is always taken; --force-exclude leaves it out too (pre-commit
    # passes file names).
    named = (str(posts / "old.bak.md"), str(posts / "no-author.md"))
    code, out, err = run("validate", *named)
    assert code == 1 and "old.bak.md" in out and "2 files checked" in err
    code, out, err = run("validate", "--force-exclude", *named)
    assert code == 0 and "1 file checked" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignored_files_are_skipped_inside_a_work_tree(project: Path) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    posts = project / "source" / "_posts"
    (posts / "cache").mkdir()
    (posts / "cache" / "broken.md").write_text("---\ntitle: [x\n---\n")
    (posts / "scratch.md").write_text("---\ntitle: [x\n---\n")
    (project / ".gitignore").write_text("cache/\nscratch.md\n")
    code, out, err = run("validate", str(posts))
    assert code == 0, out + err
    assert "2 files checked" in err
    write_settings(project, "[tool.articletool]\nrespect-gitignore = false\n")
    code, out, _ = run("validate", str(posts))
    assert code == 1 and "broken.md" in out and "scratch.md" in out


def test_suffixes(project: Path) -> None:
    posts = project / "source" / "_posts"
    (posts / "extra.post").write_text("---\ntitle: [x\n---\n")
    assert run("validate", str(posts))[0] == 0
    write_settings(project, '[tool.articletool]\nsuffixes = [".post", "md"]\n')
    code, out, err = run("validate", str(posts))
    assert code == 1 and "extra.post" in out and "3 files checked" in err


def test_shared_proxy_prefix_and_lazy_attr_feed_clean(project: Path) -> None:
    post = project / "source" / "_posts" / "proxied.md"
    post.write_text(
        f'---\ntitle: t\ndate: 2022-01-01\n---\n<p>x</p><img data-later="{PROXIED}'
        'https://img.example.org/a.jpg" src="data:image/gif;base64,R0lG">\n',
        encoding="utf-8",
    )
    code, out, _ = run("clean", str(post))
    assert code == 0 and 'src="https://img.example.org/a.jpg"' not in out
    write_settings(
        project,
        f'[tool.articletool]\nproxy-prefixes = ["{PROXIED}"]\nlazy-attrs = ["data-later"]\n',
    )
    code, out, _ = run("clean", str(post))
    assert code == 0
    assert 'src="https://img.example.org/a.jpg"' in out and PROXIED not in out
    code, out, _ = run("extract", "--format", "json", str(post))
    assert json.loads(out)["images"][0]["src"] == "https://img.example.org/a.jpg"


def test_shared_proxy_prefix_feeds_validate(project: Path) -> None:
    post = project / "source" / "_posts" / "proxied-field.md"
    post.write_text(
        f"---\ntitle: t\ndate: 2022-01-01\nheadimg: {PROXIED}https://img.example.org/a.jpg\n---\n",
        encoding="utf-8",
    )
    code, out, _ = run("validate", "--format", "json", str(post))
    assert code == 0 and "FM302" not in out
    write_settings(project, f'[tool.articletool]\nproxy-prefixes = ["{PROXIED}"]\n')
    code, out, _ = run("validate", "--format", "json", str(post))
    found = [f for f in json.loads(out) if f["code"] == "FM302"]
    assert code == 0 and [(f["line"], f["severity"]) for f in found] == [(4, "warning")]


def test_extract_and_convert_sections_set_option_defaults(project: Path) -> None:
    post = str(project / "source" / "_posts" / "with-author.md")
    write_settings(project, '[tool.articletool.extract]\nformat = "jsonl"\n')
    code, out, _ = run("extract", post)
    assert code == 0 and json.loads(out)["title"] == "在新时代东北振兴上展现更大担当和作为"
    code, out, _ = run("extract", "--format", "text", post)
    assert code == 0 and not out.startswith("{")
    write_settings(project, '[tool.articletool.convert]\nto = "JSON"\ntables = false\n')
    code, out, _ = run("convert", post)
    assert code == 0 and "markdown" in json.loads(out)
    code, out, _ = run("convert", "--to", "md", post)
    assert code == 0 and out.startswith("---\ntitle: ")


def test_convert_html_setting_and_flag(project: Path) -> None:
    post = project / "source" / "_posts" / "sup.md"
    post.write_text("---\ntitle: t\n---\n<p>10<sup>4</sup></p>\n", encoding="utf-8")
    code, out, _ = run("convert", str(post))
    assert code == 0 and out.endswith("\n10<sup>4</sup>\n")
    write_settings(project, "[tool.articletool.convert]\nhtml = false\n", "articletool.toml")
    code, out, _ = run("convert", str(post))
    assert code == 0 and out.endswith("\n10^4\n")
    code, out, _ = run("convert", "--html", str(post))
    assert code == 0 and out.endswith("\n10<sup>4</sup>\n")


def test_config_command_prints_the_merged_settings(project: Path) -> None:
    write_settings(
        project,
        REQUIRE_AUTHOR
        + '[tool.articletool.clean]\nignore = ["promo-links"]\nupgrade-http = true\n'
        + '[tool.articletool.convert]\nbraces = "literal"\n',
    )
    code, out, err = run("config", "--format", "json", str(project / "source"))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["config_file"] == str(project / "pyproject.toml")
    assert data["validate"]["required"] == ["title", "date", "author"]
    assert data["validate"]["strict"] is False and data["validate"]["select"] == []
    assert data["clean"]["ignore"] == ["promo-links"] and data["clean"]["upgrade-http"] is True
    assert data["convert"] == {"to": "md", "braces": "literal", "tables": True, "html": True}
    assert data["extract"] == {"format": "text", "images-only": False}
    assert data["suffixes"] == [".md", ".markdown", ".txt", ".html", ".htm"]
    code, text, _ = run("config", str(project))
    assert code == 0
    assert text.splitlines()[0] == f"# settings from {project / 'pyproject.toml'}"
    shown = '# fields every post must have (`FM101`)\nrequired = ["title", "date", "author"]\n'
    assert "[validate]\n" + shown in text
    assert 'braces = "literal"' in text
    parsed = tomllib.loads(text)
    assert parsed["validate"] == data["validate"] and parsed["clean"] == data["clean"]
    code, text, _ = run("config", "--isolated", str(project))
    assert text.startswith("# no settings file: defaults\n")
    assert 'required = ["title", "date"]' in text


def test_config_command_from_the_current_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    monkeypatch.chdir(project / "source")
    code, out, _ = run("config", "--format", "json")
    assert code == 0 and json.loads(out)["config_file"] == str(project / "pyproject.toml")


def test_config_command_in_a_real_process(project: Path) -> None:
    write_settings(project, REQUIRE_AUTHOR)
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "articletool", "config", "-f", "json", str(project)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["validate"]["required"] == ["title", "date", "author"]


def test_section_keys_match_the_commands() -> None:
    assert SECTION_KEYS["validate"] == VALIDATE_KEYS
    assert SECTION_KEYS["clean"] == CLEAN_KEYS
    # Each [extract]/[convert] key is an option of its command, with the same default.
    import typer.main

    for name in ("extract", "convert"):
        command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
        options = {
            opt: param for param in command.params for opt in param.opts if opt.startswith("--")
        }
        for setting in (s for s in SETTINGS if s.table == name):
            param = options[f"--{setting.key}"]
            default = param.default.value if hasattr(param.default, "value") else param.default
            assert default == setting.default, (name, setting.key)


def test_validate_defaults_match_the_settings() -> None:
    from articletool.validate.checks import DEFAULT_REQUIRED

    required = next(s for s in SETTINGS if s.table == "validate" and s.key == "required")
    assert tuple(required.default) == DEFAULT_REQUIRED


def render_settings_table() -> str:
    """The settings table of docs/configuration.md, made from SETTINGS."""
    rows = ["| key | table | default | meaning |", "| --- | --- | --- | --- |"]
    for setting in SETTINGS:
        where = f"`[{setting.table}]`" if setting.table else "top level"
        meaning = setting.help[0].upper() + setting.help[1:]
        if setting.choices:
            meaning += " (" + ", ".join(f"`{c}`" for c in setting.choices) + ")"
        default = tomllib.loads(f"v = {json.dumps(setting.default)}")["v"]
        assert default == setting.default
        shown = json.dumps(default, ensure_ascii=False).replace("[", "[").replace(",", ", ")
        if isinstance(default, bool):
            shown = "true" if default else "false"
        shown = shown.replace(",  ", ", ")
        rows.append(f"| `{setting.key}` | {where} | `{shown}` | {meaning} |")
    return "\n".join(rows) + "\n"


def test_readme_settings_table_is_made_from_the_settings() -> None:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = render_settings_table()
    assert table in page, (
        "docs/configuration.md's settings table is stale; it should read:\n" + table
    )


@pytest.mark.parametrize("form", ["articletool.toml", "pyproject.toml"])
def test_what_config_prints_is_a_settings_file_that_reads_back_the_same(
    project: Path, form: str
) -> None:
    write_settings(
        project,
        '[tool.articletool]\nexclude = ["drafts"]\nproxy-prefixes = ["https://p.example/?u="]\n'
        '[tool.articletool.validate]\nrequired = ["title", "date", "author"]\nselect = ["FM"]\n'
        '[tool.articletool.clean]\nignore = ["promo-links"]\nlazy-attrs = ["data-x"]\n'
        '[tool.articletool.convert]\nbraces = "LITERAL"\n',
    )
    code, before, err = run("config", "--format", "json", str(project))
    assert code == 0, err
    fmt = "text" if form == "articletool.toml" else "pyproject"
    code, printed, err = run("config", "--format", fmt, str(project))
    assert code == 0 and err == ""
    copy = project.parent / "copy"
    shutil.copytree(project / "source", copy / "source")
    if form == "pyproject.toml":
        printed = '[project]\nname = "blog"\n\n' + printed
    (copy / form).write_text(printed, encoding="utf-8")
    code, after, err = run("config", "--format", "json", str(copy))
    assert code == 0, err
    assert json.loads(after) == {**json.loads(before), "config_file": str(copy / form)}
    # The posts are read with the same settings through the copy.
    code, out, err = run("validate", str(copy / "source" / "_posts"))
    assert (code, "FM101" in out) == (1, True), err


def test_errors_name_the_table_as_the_file_writes_it(project: Path) -> None:
    posts = str(project / "source" / "_posts")
    write_settings(project, "[validate]\nrequire = ['a']\n", "articletool.toml")
    code, _, err = run("validate", posts)
    assert code == 2
    assert "unknown key 'require' in [validate] (known: required" in err, err
    write_settings(project, "[convert]\nbraces = 'curly'\n", "articletool.toml")
    code, _, err = run("convert", posts, "-o", str(project / "out"))
    assert code == 2 and "[convert] 'braces' must be 'entity' or 'literal'" in err, err
    write_settings(project, "colour = true\n", "articletool.toml")
    code, _, err = run("config", posts)
    assert code == 2 and "unknown key 'colour' in the top level" in err, err


def test_load_config_reads_either_layout(tmp_path: Path) -> None:
    flat = tmp_path / "a.toml"
    flat.write_text("exclude = ['x']\n[validate]\nstrict = true\n")
    nested = tmp_path / "articletool.toml"
    nested.write_text(
        "[tool.articletool]\nexclude = ['x']\n[tool.articletool.validate]\nstrict = true\n"
    )
    for path in (flat, nested):
        config = load_config(path)
        assert config.section("validate") == {"strict": True}
        assert config.files.exclude == ("x",)
    with pytest.raises(UsageError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_clean_section_gets_shared_lists_after_its_own() -> None:
    config = Config(None, {"proxy-prefixes": ["b"], "clean": {"proxy-prefixes": ["a"]}})
    assert config.section("clean")["proxy-prefixes"] == ["a", "b"]
    assert config.section("validate") == {}


def test_common_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "c.md").write_text("")
    monkeypatch.chdir(tmp_path)
    assert common_parent(["a/b", "a/c.md"]) == tmp_path / "a"
    assert common_parent(["a/c.md"]) == tmp_path / "a"
    assert common_parent(["-"]) == tmp_path
    assert common_parent([]) == tmp_path
    assert config_for([], None, True) == Config()


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("drafts", "source/drafts/a.md", True),
        ("drafts", "source/drafts-old/a.md", False),
        ("*.bak.md", "x/y.bak.md", True),
        ("source/_drafts", "source/_drafts/a.md", True),
        ("source/_drafts", "other/source/_drafts/a.md", False),
        ("**/tmp/*.md", "a/b/tmp/c.md", True),
        ("**/tmp/*.md", "tmp/c.md", True),
        ("**/tmp/*.md", "tmp/d/c.md", False),
        ("post-?.md", "post-1.md", True),
        ("post-[0-9].md", "post-x.md", False),
        ("post-[!0-9].md", "post-x.md", True),
    ],
)
def test_exclude_patterns(tmp_path: Path, pattern: str, path: str, hit: bool) -> None:
    assert Excluder((pattern,), tmp_path)(tmp_path / path) is hit


@pytest.mark.parametrize(
    ("patterns", "path", "below", "hit"),
    [
        # The named folder itself is never left out: what it holds is.
        (["drafts"], "drafts/a.md", 1, False),
        (["drafts"], "drafts/drafts/a.md", 1, True),
        (["drafts", "*.bak.md"], "drafts/a.bak.md", 1, True),
        (["drafts/*.md"], "drafts/a.md", 1, True),
        (["_*"], "source/_posts/a.md", 2, False),
        (["_*"], "source/_posts/_old/a.md", 2, True),
        (["source/_drafts"], "source/_drafts/a.md", 2, False),
        (["source/_drafts"], "source/_drafts/a.md", 1, True),
        (["**/tmp/*.md"], "a/tmp/c.md", 2, True),
        # gitignore syntax: "!" takes a path back, a trailing "/" is a folder.
        (["*.md", "!keep.md"], "x/keep.md", 0, False),
        (["*.md", "!keep.md"], "x/other.md", 1, True),
        (["a.md/"], "x/a.md", 0, False),
        (["x/"], "x/a.md", 0, True),
    ],
)
def test_exclude_below_a_named_folder(
    tmp_path: Path, patterns: list[str], path: str, below: int, hit: bool
) -> None:
    assert Excluder(tuple(patterns), tmp_path)(tmp_path / path, below) is hit


@settings(deadline=None)
@given(st.text(alphabet="abcdefgh-_.", min_size=1, max_size=12).filter(lambda n: n.strip(".")))
def test_a_plain_name_matches_only_itself(name: str) -> None:
    base = Path("/base")
    excluded = Excluder((name,), base)
    assert excluded(base / name) and excluded(base / "x" / name / "y.md")
    assert not excluded(base / (name + "x")) and not excluded(base / ("x" + name))
