"""Posts as JSON Lines records, and records back into posts.

``articletool extract --format jsonl`` writes one record per post. Besides
the data (``path``, ``title``, ``date``, ``front_matter``, ``text``,
``images``) each record carries what it takes to rebuild the post exactly:

- ``front_matter_text``: the post's text before its body, as written
  (blank lines, the ``---`` fences and the YAML between them; ``""`` when
  the post has no front matter),
- ``body_html``: the body, as written,
- ``relative``: the post's path below the folder it was found in, so that
  ``-o DIR`` lays the results out as it would for the files themselves.

``convert --from jsonl`` and ``clean --from jsonl`` read such records (from
files or stdin) and turn each back into the post ``front_matter_text +
body_html``. A record without ``body_html`` but with a ``front_matter``
mapping and a ``body`` string (one made by hand, or by ``jq``) becomes the
post ``---\\n<front_matter as YAML>---\\n<body>``.

The rebuilt posts are written (UTF-8) to a temporary folder for the run,
mirroring ``relative``, and read from there like any post::

    from articletool.post.records import read_records, spool

    records = read_records(Path("posts.jsonl").read_bytes(), "posts.jsonl")
    for item in spool(records, Path(tmp)):
        ...  # an articletool.run.files.Input named by the record's path
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from articletool.errors import InputError
from articletool.post.load import Post
from articletool.run.files import Input


@dataclass(frozen=True, slots=True)
class Record:
    """A post rebuilt from a record: its ``path``, where it goes below an
    output folder, and its text."""

    display: str
    relative: PurePosixPath
    text: str


def source_fields(post: Post, relative: Path) -> dict[str, str]:
    """The record keys that let :func:`post_text` rebuild ``post``."""
    text, body = post.text, post.body
    head = text[: len(text) - len(body)] if body and text.endswith(body) else text
    if head == text:
        body = ""
    return {
        # A file name that is not valid UTF-8 is escaped: JSON cannot carry it.
        "relative": PurePosixPath(*relative.parts)
        .as_posix()
        .encode("utf-8", "backslashreplace")
        .decode("utf-8"),
        "front_matter_text": head,
        "body_html": body,
    }


def post_text(record: Mapping[str, Any], display: str, line: int | None = None) -> str:
    """The text of the post ``record`` stands for (see the module's doc)."""
    front = record.get("front_matter_text")
    body = record.get("body_html")
    if isinstance(body, str) and (front is None or isinstance(front, str)):
        return (front or "") + body
    meta, html = record.get("front_matter"), record.get("body")
    if isinstance(meta, dict) and isinstance(html, str):
        dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) if meta else ""
        return f"---\n{dumped}---\n{html}"
    raise InputError(
        "record has no 'body_html' (nor 'front_matter' and 'body'): write records "
        "with 'articletool extract --format jsonl', without --images-only",
        display,
        line,
    )


def _relative(record: Mapping[str, Any], path: str, display: str, line: int) -> PurePosixPath:
    value = record.get("relative")
    name = value if isinstance(value, str) and value else PurePosixPath(path).name
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\0" in name:
        raise InputError(f"record 'relative' path {name!r} leaves the output folder", display, line)
    return relative


def read_records(data: bytes, display: str) -> Iterator[Record | InputError]:
    """The posts of the JSON Lines records in ``data`` (blank lines
    skipped), or an error naming the line."""
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except UnicodeDecodeError:
            yield InputError("record is not UTF-8", display, number)
            continue
        except json.JSONDecodeError as exc:
            yield InputError(f"not a JSON record: {exc.msg}", display, number, exc.colno)
            continue
        if not isinstance(record, dict):
            yield InputError("a record must be a JSON object", display, number)
            continue
        path = record.get("path")
        name = path if isinstance(path, str) and path else f"{display}:{number}"
        try:
            text = post_text(record, display, number)
            relative = _relative(record, name, display, number)
        except InputError as exc:
            yield exc
            continue
        yield Record(name, relative, text)


def spool(records: Iterable[Record | InputError], folder: Path) -> Iterator[Input | InputError]:
    """Write each record's post below ``folder`` (at its ``relative`` path,
    in UTF-8) and yield it as an :class:`~articletool.run.files.Input` found
    there, named by the record's ``path``; errors pass through."""
    taken: set[PurePosixPath] = set()
    for record in records:
        if isinstance(record, InputError):
            yield record
            continue
        if record.relative in taken:
            yield InputError(f"a second record for {record.relative}", record.display)
            continue
        taken.add(record.relative)
        path = folder.joinpath(*record.relative.parts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(record.text.encode("utf-8"))
        except OSError as exc:
            yield InputError(f"cannot spool record: {exc.strerror}", record.display)
            continue
        yield Input(record.display, path, folder)
