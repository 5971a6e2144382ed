"""Two articletool installs side by side, in one run: the budget check.

    python benchmarks/compare.py OTHER_ARTICLETOOL [--posts 10000] [--rounds 7]

Runs ``convert --to md -o OUT -j 1`` and ``clean --check -j 1`` of this
install (the articletool beside this Python) and of ``OTHER_ARTICLETOOL``
(for instance an install of main in another worktree) over the same work
corpus, the two one right after the other in every round, and prints for
each command the median wall time of both and the median of the rounds'
ratios (this over other: 1.03 is 3% slower), and the same ratio of CPU time
(user + system), steadier when other work shares the machine. A change keeps
the budget when each wall-time ratio is at most 1.05. Exits 1 when one is not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bench import REPO, Step, build_corpus, default_work_dir, measure

BUDGET = 1.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("other", help="the articletool executable to compare against")
    parser.add_argument("--mine", default=str(Path(sys.executable).parent / "articletool"))
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--work", type=Path, default=default_work_dir().with_name("at-compare"))
    args = parser.parse_args()
    posts = build_corpus(args.corpus / "posts", args.work / "posts", args.posts)
    src = str(args.work / "posts")
    commands = {
        "convert -j 1": lambda exe, tag: [
            exe, "convert", "--to", "md", "-o", str(args.work / f"out-{tag}"), "-j", "1", src,
        ],
        "clean --check -j 1": lambda exe, tag: [exe, "clean", "--check", "-j", "1", src],
    }  # fmt: skip
    worst = 0.0
    for name, make in commands.items():
        mine = Step(name, posts, make(args.mine, "mine"))
        other = Step(name, posts, make(args.other, "other"))
        for round_ in range(args.rounds):
            pair = (mine, other) if round_ % 2 == 0 else (other, mine)
            for step in pair:
                measure(step)
        for step in (mine, other):
            if step.note:
                print(f"{name}: {step.cmd[0]} failed: {step.note}", file=sys.stderr)
                return 2
        ratio = statistics.median(a / b for a, b in zip(mine.walls, other.walls, strict=True))
        cpu = statistics.median(a / b for a, b in zip(mine.cpus, other.cpus, strict=True))
        worst = max(worst, ratio)
        print(
            f"{name:20} this {statistics.median(mine.walls):6.2f} s   other "
            f"{statistics.median(other.walls):6.2f} s   ratio {ratio:.3f} "
            f"({'within' if ratio <= BUDGET else 'OVER'} the {BUDGET:.2f} budget; "
            f"CPU time ratio {cpu:.3f})"
        )
    print(f"posts: {posts}, rounds: {args.rounds}, work: {args.work}")
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
