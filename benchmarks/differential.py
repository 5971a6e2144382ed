"""Do two articletool installs write the same bytes? The refactoring check.

    python benchmarks/differential.py OTHER_ARTICLETOOL [FOLDER ...]

Runs each command below with this install (the articletool beside this
Python) and with ``OTHER_ARTICLETOOL`` over each FOLDER (default: the shared
corpus, tests/data and tests/golden), and compares what they wrote: stdout,
the exit code and every file of an output folder, byte for byte. stderr is
left out (it carries timings and progress). Prints one line per difference
and a summary; exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import REPO

#: name -> the arguments, given an output folder.
COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "validate --format json": lambda out: ["validate", "--format", "json"],
    "clean --diff": lambda out: ["clean", "--diff"],
    "extract --format jsonl": lambda out: ["extract", "--format", "jsonl"],
    "convert --to md -o": lambda out: ["convert", "--to", "md", "-o", str(out)],
    "convert --to json -o": lambda out: ["convert", "--to", "json", "-o", str(out)],
}


def run(exe: str, args: list[str], folder: Path) -> tuple[int, bytes]:
    proc = subprocess.run(
        [exe, *args, str(folder)], capture_output=True, stdin=subprocess.DEVNULL, check=False
    )
    return proc.returncode, proc.stdout


def files(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def compare(mine: str, other: str, folder: Path, work: Path) -> list[str]:
    differences = []
    for name, make in COMMANDS.items():
        outs = {tag: work / tag / name.replace(" ", "_") for tag in ("mine", "other")}
        a = run(mine, make(outs["mine"]), folder)
        b = run(other, make(outs["other"]), folder)
        where = f"{folder}: {name}"
        if a[0] != b[0]:
            differences.append(f"{where}: exit {a[0]} against {b[0]}")
        if a[1] != b[1]:
            differences.append(f"{where}: stdout differs ({len(a[1])} against {len(b[1])} bytes)")
        written = files(outs["mine"]), files(outs["other"])
        for path in sorted(set(written[0]) | set(written[1])):
            if written[0].get(path) != written[1].get(path):
                differences.append(f"{where}: {path} differs")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("other", help="the articletool executable to compare against")
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--mine", default=str(Path(sys.executable).parent / "articletool"))
    args = parser.parse_args()
    folders = args.folders or [
        REPO.parent / "shared" / "corpus",
        REPO / "tests" / "data",
        REPO / "tests" / "golden",
    ]
    differences: list[str] = []
    for folder in folders:
        with tempfile.TemporaryDirectory() as tmp:
            differences += compare(args.mine, args.other, folder.resolve(), Path(tmp))
    for line in differences:
        print(line)
    runs = len(folders) * len(COMMANDS)
    print(f"differential: {runs} runs over {len(folders)} folders, {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
