"""What the JSON Schema work costs: ``validate --infer-schema`` and
``validate --schema`` against plain ``validate``, in one run.

    python benchmarks/schema.py [--posts 10000] [--rounds 7] [--jobs 1]

Infers the schema of the work corpus once, then runs ``validate``,
``validate --infer-schema`` and ``validate --schema`` (with that schema)
over the same posts, in an order that rotates every round, and prints each
command's median wall time and the median of the rounds' ratios to
``validate``. The target: inferring takes less than 2x ``validate``. Exits 1
when it is not met.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from bench import REPO, Step, build_corpus, default_work_dir, measure

TARGET = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articletool", default=str(Path(sys.executable).parent / "articletool"))
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--jobs", default="1", help="--jobs for every command")
    parser.add_argument("--work", type=Path, default=default_work_dir().with_name("at-schema"))
    args = parser.parse_args()
    posts = build_corpus(args.corpus / "posts", args.work / "posts", args.posts)
    src = str(args.work / "posts")
    schema = args.work / "post.schema.json"
    validate = [args.articletool, "validate", "--isolated", "-j", args.jobs]
    with open(schema, "wb") as out:
        subprocess.run([*validate, "--infer-schema", src], stdout=out, check=True)
    steps = [
        Step("validate", posts, [*validate, src]),
        Step("validate --infer-schema", posts, [*validate, "--infer-schema", src]),
        Step("validate --schema (inferred)", posts, [*validate, "--schema", str(schema), src]),
    ]
    for round_ in range(args.rounds):
        shift = round_ % len(steps)
        for step in steps[shift:] + steps[:shift]:
            measure(step)
    for step in steps:
        if step.note:
            print(f"{step.name}: failed: {step.note}", file=sys.stderr)
            return 2
    base = steps[0].walls
    ratios = [statistics.median(a / b for a, b in zip(s.walls, base, strict=True)) for s in steps]
    worst = ratios[1]  # --infer-schema
    for step, ratio in zip(steps, ratios, strict=True):
        print(
            f"{step.name:30} {statistics.median(step.walls):6.2f} s  "
            f"{1e6 * statistics.median(step.walls) / posts:6.1f} us/post  x validate {ratio:.2f}"
        )
    verdict = "PASS" if worst < TARGET else "FAIL"
    print(f"posts: {posts}, rounds: {args.rounds}, -j {args.jobs}; infer < {TARGET}x: {verdict}")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
