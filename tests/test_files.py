"""files.discover and files.read_bytes: what a PATH argument means."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from articletool.errors import InputError, LimitError
from articletool.run.files import Input, discover, output_path, read_bytes

REPO = Path(__file__).resolve().parent.parent


def _tree(root: Path) -> None:
    for name in [
        "a.md",
        "b.txt",
        "c.html",
        "d.htm",
        "e.markdown",
        "skip.json",
        "UPPER.MD",
        "sub/deeper/f.md",
        "sub/g.md",
        ".hidden/h.md",
        "sub/.i.md",
    ]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n")


def _names(items: list[Input | InputError], root: Path) -> list[str]:
    return [
        item.path.relative_to(root).as_posix()
        for item in items
        if isinstance(item, Input) and item.path is not None
    ]


def test_folder_recursion_order_and_hidden(tmp_path: Path) -> None:
    _tree(tmp_path)
    items = list(discover([str(tmp_path)]))
    assert _names(items, tmp_path) == [
        "UPPER.MD",
        "a.md",
        "b.txt",
        "c.html",
        "d.htm",
        "e.markdown",
        "sub/g.md",  # a folder's files come before its subfolders'
        "sub/deeper/f.md",
    ]
    assert all(isinstance(item, Input) and item.root == tmp_path for item in items)


def test_relative_path_mirrors_the_tree(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = {i.relative.as_posix() for i in discover([str(tmp_path)]) if isinstance(i, Input)}
    assert "sub/deeper/f.md" in found


def test_suffix_filter(tmp_path: Path) -> None:
    _tree(tmp_path)
    items = list(discover([str(tmp_path)], suffixes=(".txt", ".MARKDOWN")))
    assert _names(items, tmp_path) == ["b.txt", "e.markdown"]


def test_named_file_is_taken_whatever_its_suffix(tmp_path: Path) -> None:
    _tree(tmp_path)
    items = list(discover([str(tmp_path / "skip.json"), str(tmp_path / ".hidden/h.md")]))
    assert [i.display for i in items if isinstance(i, Input)] == [
        str(tmp_path / "skip.json"),
        str(tmp_path / ".hidden/h.md"),
    ]


def test_stdin_and_missing_keep_their_place(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    items = list(discover([str(tmp_path / "nope.md"), "-", str(tmp_path / "a.md")]))
    assert isinstance(items[0], InputError)
    assert "no such file" in str(items[0])
    assert str(tmp_path / "nope.md") in str(items[0])
    assert isinstance(items[1], Input) and items[1].is_stdin and items[1].display == "<stdin>"
    assert isinstance(items[2], Input) and items[2].path == tmp_path / "a.md"


def test_seeds_folder_finds_the_txt_seed() -> None:
    items = list(discover([str(REPO / "seeds")]))
    names = [i.path.name for i in items if isinstance(i, Input) and i.path is not None]
    assert "000_7d40135e7ed69f29.txt" in names


def test_symlink_loop_is_not_followed_forever(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("x")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    items = list(discover([str(tmp_path)]))
    assert _names(items, tmp_path).count("sub/a.md") == 1


def test_read_bytes_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 11)
    assert read_bytes(Input(str(path), path), max_bytes=11) == b"x" * 11
    with pytest.raises(LimitError, match="--max-bytes") as info:
        read_bytes(Input(str(path), path), max_bytes=10)
    assert info.value.path == str(path)


def test_read_bytes_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_bytes(Input("gone.md", tmp_path / "gone.md"))
    with pytest.raises(InputError, match="folder"):
        read_bytes(Input("dir", tmp_path))


def test_read_bytes_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"---\ntitle: x\n---\n"))
    monkeypatch.setattr(sys, "stdin", fake)
    assert read_bytes(Input("<stdin>")) == b"---\ntitle: x\n---\n"


def test_read_bytes_reads_on_after_a_short_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read may return less than asked (over 2 GiB, some network and FUSE
    # file systems): the rest of the file must not be lost.
    post = tmp_path / "p.md"
    post.write_bytes(b"---\ntitle: t\n---\n" + b"<p>body</p>\n" * 100)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 7)))
    assert read_bytes(Input("p.md", post)) == post.read_bytes()


@pytest.mark.parametrize("root", ["/srv/in", ".", "rel/dir", "/"])
@pytest.mark.parametrize(
    "relative", ["a.md", "x/y/b.tar.gz", ".hidden", "noext", "dir.d/file", "end.", "a..md"]
)
@pytest.mark.parametrize("suffix", [None, ".md"])
def test_output_path_mirrors_the_input_tree_as_pathlib_would(
    root: str, relative: str, suffix: str | None
) -> None:
    out = Path("out")
    for item in (Input("d", Path(root) / relative, Path(root)), Input("d", Path(relative))):
        expected = out / item.relative
        expected = expected.with_suffix(suffix) if suffix is not None else expected
        assert Path(output_path(item, out, suffix)) == expected
