"""The README and docs/ document every command and option; the README's set-up
block is what CI runs, it stays short, and the docs speak of the project alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from articletool.cli.app import COMMANDS, app
from articletool.cli.context import EXAMPLES

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
DOC_FILES = sorted((REPO / "docs").glob("*.md"))
#: The README and every page of docs/, where each option is explained.
DOCS = "\n".join([README, *(p.read_text(encoding="utf-8") for p in DOC_FILES)])
CI = REPO / ".ci" / "run"


def options() -> list[tuple[str, str]]:
    """(command, option) for every option of the root and of each command."""
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    found = [("articletool", opt) for p in root.params for opt in (*p.opts, *p.secondary_opts)]
    for name, command in root.commands.items():
        for param in command.params:
            if param.param_type_name == "option":
                found += [(name, opt) for opt in (*param.opts, *param.secondary_opts)]
    return [(name, opt) for name, opt in found if opt.startswith("--") and opt != "--help"]


def documented(text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", DOCS) is not None


def test_every_command_is_in_the_readme() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    assert set(root.commands) == set(COMMANDS)
    missing = [name for name in root.commands if f"`articletool {name}`" not in README]
    assert missing == []


@pytest.mark.parametrize(("command", "option"), options())
def test_every_option_is_in_the_readme(command: str, option: str) -> None:
    assert documented(option), f"{command} {option} is not in README.md or docs/"


def test_the_checker_notices_a_missing_option() -> None:
    assert documented("--files-from")
    assert not documented("--files")  # a prefix of a documented option does not count
    assert not documented("--no-such-option")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_ends_with_examples(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    help_text = result.stdout
    shown = [line.strip() for line in help_text.split("Examples:\n", 1)[1].splitlines()]
    assert shown == list(EXAMPLES[command])
    for line in EXAMPLES[command]:
        assert f"articletool {command}" in line


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"articletool \d+\.\d+\.\d+\S*\n", result.stdout)


def test_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def first_sh_block(text: str) -> list[str]:
    block = re.search(r"^```sh\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    return block.group(1).splitlines()


def test_readme_first_sh_block_holds_the_two_setup_commands() -> None:
    lines = first_sh_block(README)
    assert len(lines) == 2
    first, second = lines
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -e .")
    assert ".venv/bin/pip install -e '.[test]'" in second
    assert "pytest" in second


@pytest.mark.skipif(shutil.which("awk") is None, reason="needs awk")
def test_ci_reads_the_same_two_lines() -> None:
    """Run the very awk program .ci/run uses to read the block."""
    program = re.search(r"awk '([^']+)' README\.md", CI.read_text(encoding="utf-8"))
    assert program is not None
    done = subprocess.run(
        ["awk", program.group(1), "README.md"], cwd=REPO, capture_output=True, check=True
    )
    assert done.stdout.decode().splitlines() == first_sh_block(README)


def test_readme_shows_the_example_pre_commit_config() -> None:
    example = (REPO / "examples" / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"```yaml\n{example}```" in README


def test_readme_toml_example_is_a_valid_configuration(tmp_path: Path) -> None:
    blocks = re.findall(r"^```toml\n(.*?)^```$", DOCS, re.MULTILINE | re.DOTALL)
    ours = [b for b in blocks if b.startswith("[tool.articletool]\n")]
    assert ours
    (tmp_path / "pyproject.toml").write_text(ours[0], encoding="utf-8")
    result = CliRunner().invoke(app, ["config", "--format", "json", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert '"author"' in result.stdout


def test_shell_completion_completes_commands_and_choices() -> None:
    """What bash's completion function asks the script (typer's protocol)."""
    tool = str(Path(sys.executable).with_name("articletool"))

    def complete(words: str, index: int) -> list[str]:
        env = dict(os.environ, _ARTICLETOOL_COMPLETE="complete_bash")
        env.update(COMP_WORDS=words, COMP_CWORD=str(index))
        done = subprocess.run([tool], env=env, capture_output=True, check=True)
        return done.stdout.decode().split()

    assert complete("articletool con", 1) == ["convert", "config"]
    assert complete("articletool validate --format ", 3) == ["text", "json", "github"]
    assert complete("articletool convert --fr", 2) == ["--from"]


def test_readme_stays_short_and_links_every_page() -> None:
    assert README.count("\n") <= 250
    for page in DOC_FILES:
        assert f"(docs/{page.name})" in README, f"README.md does not link docs/{page.name}"


def test_docs_speak_of_the_project_alone() -> None:
    pages = [REPO / "README.md", REPO / "benchmarks" / "README.md", *DOC_FILES]
    for page in pages:
        assert "../shared" not in page.read_text(encoding="utf-8"), page


def test_links_between_pages_lead_somewhere() -> None:
    for page in [REPO / "README.md", *DOC_FILES]:
        text = re.sub(r"```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (page.parent / target).exists(), f"{page.name} links {target}"
