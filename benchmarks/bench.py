"""Measure articletool against a floor and the converters people already use.

Run from the repository, with the ``bench`` extra installed::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench.py            # about 10,000 posts, a few minutes
    .venv/bin/python benchmarks/bench.py --quick    # about 1,000 posts, under a minute

It builds a work corpus from ``../shared/corpus`` (``--corpus``), copied over
and over to about ``--posts`` posts, in ``/dev/shm`` where it exists (creating a
file on this machine's disk costs about 0.7 ms, which would drown every
difference; ``--work`` picks another place). Every tool then runs as its own
process over the same files, and the script records the whole process's wall
time and peak memory (``ru_maxrss`` from ``wait4``: for a pool, the largest
single process). It prints a Markdown table, the machine, and PASS or FAIL for
each target, and exits 1 when a target is not met (or could not be measured).

Targets:

- ``convert --to md -j 1`` takes at most 1.5x the floor's wall time (the floor:
  read, load the front matter with PyYAML's C loader, parse and serialise the
  body with lxml, write);
- ``validate -j 1`` takes at most 2x the read-plus-YAML floor;
- ``validate --infer-schema -j 1`` takes less than 2x ``validate -j 1``;
- ``convert`` with the default ``--jobs`` has at least 3x markdownify's throughput;
- ``convert`` from 1 to 2 jobs scales by at least 1.8x (machines with 2+ cores);
- peak memory for the full corpus is at most 1.25x that for 100 posts;
- ``articletool validate seeds/000_7d40135e7ed69f29.txt`` takes at most 1.5x
  ``python -c "import typer"`` (medians over ``--startup-runs`` runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINES = HERE / "baselines.py"
SEED = REPO / "seeds" / "000_7d40135e7ed69f29.txt"
SMALL = 100


@dataclass
class Run:
    """One measured process."""

    name: str
    posts: int
    wall: float | None = None
    rss_kib: int | None = None
    code: int | None = None
    note: str = ""
    #: user + system CPU seconds of the process and its workers (median run)
    cpu: float | None = None
    #: wall time of each round, in the order run
    walls: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.wall is not None

    @property
    def ms_per_post(self) -> float | None:
        return None if self.wall is None else 1000 * self.wall / self.posts

    @property
    def rate(self) -> float | None:
        return None if self.wall is None else self.posts / self.wall


@dataclass
class Target:
    name: str
    goal: str
    value: str
    passed: bool | None  # None: could not be measured


@dataclass
class Report:
    machine: dict[str, str]
    runs: list[Run] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


# -- the work corpus -------------------------------------------------------------------


def build_corpus(source: Path, target: Path, posts: int) -> int:
    """Copy ``source``'s posts into ``target/NNNN/`` until there are ``posts`` of them."""
    files = sorted(source.glob("*.md"))
    if not files:
        raise SystemExit(f"bench: no *.md posts in {source}")
    shutil.rmtree(target, ignore_errors=True)
    made = 0
    round_ = 0
    while made < posts:
        folder = target / f"{round_:04}"
        folder.mkdir(parents=True)
        for path in files[: posts - made]:
            (folder / path.name).write_bytes(path.read_bytes())
            made += 1
        round_ += 1
    return made


def default_work_dir() -> Path:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm / "articletool-bench"
    return Path(tempfile.gettempdir()) / "articletool-bench"


def filesystem_of(path: Path) -> str:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    best = ("", "unknown")
    resolved = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best[0]):
            best = (parts[1], parts[2])
    return best[1]


# -- measuring -------------------------------------------------------------------------


@dataclass
class Step:
    """One row of the plan: a command, measured once per round."""

    name: str
    posts: int
    cmd: list[str]
    stdout: Path | None = None
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kib: int = 0
    code: int | None = None
    note: str = ""

    def run(self) -> Run:
        if self.note or not self.walls:
            return Run(self.name, self.posts, code=self.code, note=self.note or "not run")
        return Run(
            self.name,
            self.posts,
            statistics.median(self.walls),
            self.rss_kib,
            self.code,
            cpu=statistics.median(self.cpus),
            walls=list(self.walls),
        )


def measure(step: Step) -> None:
    """Run the step's command once; add its wall time and peak memory to the step."""
    with (
        open(step.stdout or os.devnull, "wb") as out,
        tempfile.TemporaryFile() as err,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(step.cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = step.code = os.waitstatus_to_exitcode(status)
        if step.code not in (0, 1):
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            step.note = (lines[-1] if lines else f"exit {step.code}")[:100]
            return
    step.walls.append(wall)
    step.cpus.append(usage.ru_utime + usage.ru_stime)
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    step.rss_kib = max(step.rss_kib, rss)


def startup(commands: Sequence[Sequence[str]], runs: int) -> list[float]:
    """Median wall time of each command, run in turn ``runs`` times."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for cmd, spent in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def _spin(count: int) -> int:
    total = 0
    for i in range(count):
        total += i * i
    return total


def scaling_ceiling(tries: int = 7, count: int = 2_000_000) -> float:
    """How much faster two processes do two units of pure CPU work than one does one.

    The best any program can scale from one core to two on this machine right
    now (a virtual machine whose cores are shared may give far less than 2x).
    Median of ``tries``.
    """
    if not hasattr(os, "fork") or jobs_default() < 2:
        return 1.0
    ratios = []
    for _ in range(tries):
        start = time.perf_counter()
        _spin(count)
        one = time.perf_counter() - start
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _spin(count)
            os._exit(0)
        _spin(count)
        os.waitpid(pid, 0)
        two = time.perf_counter() - start
        ratios.append(2 * one / two)
    return statistics.median(ratios)


def jobs_default() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(jobs_default()),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


# -- the plan --------------------------------------------------------------------------


def run_all(args: argparse.Namespace) -> Report:
    python = args.python
    tool = [args.articletool]
    work: Path = args.work
    big, small = work / "posts", work / "posts-small"
    out = work / "out"
    posts = build_corpus(args.corpus / "posts", big, args.posts)
    build_corpus(args.corpus / "posts", small, SMALL)
    report = Report(machine())
    report.machine["work"] = f"{work} ({filesystem_of(work)})"
    report.machine["posts"] = str(posts)
    jobs = jobs_default()

    base = [python, str(BASELINES)]
    jsonl = work / "extract.jsonl"
    convert = [*tool, "convert", "--to", "md", "-o", str(out)]
    extract = [*tool, "extract", "--format", "jsonl"]
    validate = [*tool, "validate"]
    check = [*tool, "clean", "--check"]
    schema = work / "post.schema.json"
    with open(schema, "wb") as out_file:  # the schema the --schema row checks against
        subprocess.run([*validate, "--infer-schema", str(big)], stdout=out_file, check=True)
    # Rows a target compares run one after the other in each round, so that
    # each round's ratio compares runs made under the same load.
    steps = [
        Step("floor: read+YAML", posts, [*base, "read-yaml", str(big)]),
        Step("articletool validate -j 1", posts, [*validate, "-j", "1", str(big)]),
        Step(
            "articletool validate --infer-schema -j 1",
            posts,
            [*validate, "--infer-schema", "-j", "1", str(big)],
        ),
        Step(
            "articletool validate --schema (inferred) -j 1",
            posts,
            [*validate, "--schema", str(schema), "-j", "1", str(big)],
        ),
        Step(f"articletool validate (-j {jobs})", posts, [*validate, str(big)]),
        Step("floor: read+YAML+lxml+write", posts, [*base, "floor", str(big), str(out)]),
        Step("articletool convert --to md -j 1", posts, [*convert, "-j", "1", str(big)]),
    ]
    if jobs != 2:
        steps.append(
            Step("articletool convert --to md -j 2", posts, [*convert, "-j", "2", str(big)])
        )
    steps += [
        Step(f"articletool convert --to md (-j {jobs})", posts, [*convert, str(big)]),
        Step("markdownify", posts, [*base, "markdownify", str(big), str(out)]),
        Step("html2text", posts, [*base, "html2text", str(big), str(out)]),
    ]
    if not args.skip_trafilatura:
        steps.append(Step("trafilatura", posts, [*base, "trafilatura", str(big), str(out)]))
    steps += [
        Step(
            "articletool extract --format jsonl -j 1", posts, [*extract, "-j", "1", str(big)], jsonl
        ),
        Step(f"articletool extract --format jsonl (-j {jobs})", posts, [*extract, str(big)], jsonl),
        Step("articletool clean --check -j 1", posts, [*check, "-j", "1", str(big)]),
        Step(f"articletool clean --check (-j {jobs})", posts, [*check, str(big)]),
    ]
    memory = [
        Step(f"{step.name} [{SMALL} posts]", SMALL, [*step.cmd[:-1], str(small)], step.stdout)
        for step in steps
        if step.name.endswith("-j 1") and "schema" not in step.name
    ]
    sys.stderr.write(f"bench: {posts} posts in {report.machine['work']}, {args.repeat} round(s)\n")
    ceiling = scaling_ceiling()
    report.machine["2-core ceiling"] = (
        f"{ceiling:.2f}x (two processes of pure Python arithmetic against one, median of 7)"
    )
    for round_ in range(args.repeat):
        for step in [*steps, *memory]:
            if step.note:
                continue  # it failed once: do not try again
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            measure(step)
            shutil.rmtree(out, ignore_errors=True)
            if not args.quiet:
                shown = f"{step.walls[-1]:7.2f} s" if not step.note else f"failed: {step.note}"
                sys.stderr.write(f"  [{round_ + 1}] {step.name:<52} {shown}\n")
    jsonl.unlink(missing_ok=True)
    report.runs = [step.run() for step in [*steps, *memory]]
    runs = {run.name: run for run in report.runs}
    small_runs = {step.name.rsplit(" [", 1)[0]: runs[step.name] for step in memory}

    tool_start, typer_start = startup(
        [[*validate, str(SEED)], [python, "-c", "import typer"]], args.startup_runs
    )
    report.machine["startup"] = (
        f"validate one file {tool_start * 1000:.0f} ms, import typer {typer_start * 1000:.0f} ms"
        f" (medians of {args.startup_runs})"
    )
    report.targets = judge(runs, small_runs, tool_start, typer_start, jobs)
    one, many = (
        runs.get("articletool convert --to md -j 1"),
        runs.get(f"articletool convert --to md (-j {jobs})"),
    )
    if one is not None and many is not None and one.cpu and many.cpu and jobs > 1:
        report.machine["parallel overhead"] = (
            f"convert -j {jobs} used {many.cpu:.2f} CPU s against {one.cpu:.2f} at -j 1"
        )
    return report


def judge(
    runs: dict[str, Run],
    memory: dict[str, Run],
    tool_start: float,
    typer_start: float,
    jobs: int,
) -> list[Target]:
    def wall(name: str) -> list[float] | None:
        run = runs.get(name)
        return run.walls if run is not None and run.ok else None

    def ratio(
        a: Sequence[float] | None,
        b: Sequence[float] | None,
        goal: str,
        ok: Callable[[float], bool],
    ) -> Target:
        """The median over rounds of ``a / b`` (each round's pair run under the same load)."""
        if not a or not b or len(a) != len(b) or 0 in b:
            return Target("", goal, "not measured", None)
        value = statistics.median(x / y for x, y in zip(a, b, strict=True))
        return Target("", goal, f"{value:.2f}x", ok(value))

    floor = wall("floor: read+YAML+lxml+write")
    yaml_floor = wall("floor: read+YAML")
    c1 = wall("articletool convert --to md -j 1")
    c2 = wall(
        "articletool convert --to md -j 2" if jobs != 2 else "articletool convert --to md (-j 2)"
    )
    cd = wall(f"articletool convert --to md (-j {jobs})")
    md = wall("markdownify")
    v1 = wall("articletool validate -j 1")
    infer = wall("articletool validate --infer-schema -j 1")
    targets = [
        ("convert -j 1 / floor", ratio(c1, floor, "<= 1.5x", lambda v: v <= 1.5)),
        ("validate -j 1 / read+YAML floor", ratio(v1, yaml_floor, "<= 2x", lambda v: v <= 2.0)),
        ("validate --infer-schema -j 1 / validate -j 1", ratio(infer, v1, "< 2x", lambda v: v < 2)),
        (
            f"convert -j {jobs} throughput / markdownify",
            ratio(md, cd, ">= 3x", lambda v: v >= 3.0),
        ),
    ]
    if jobs >= 2:
        targets.append(
            ("convert -j 1 -> -j 2 scaling", ratio(c1, c2, ">= 1.8x", lambda v: v >= 1.8))
        )
    else:
        targets.append(
            ("convert -j 1 -> -j 2 scaling", Target("", ">= 1.8x", "one core only", None))
        )
    for name, small in memory.items():
        large = runs[name]
        big_rss = [float(large.rss_kib)] if large.rss_kib else None
        small_rss = [float(small.rss_kib)] if small.rss_kib else None
        label = name.removeprefix("articletool ").split(" -", 1)[0]
        targets.append(
            (
                f"{label} peak memory {large.posts} / {small.posts} posts",
                ratio(big_rss, small_rss, "<= 1.25x", lambda v: v <= 1.25),
            )
        )
    targets.append(
        (
            "startup: validate one file / import typer",
            ratio([tool_start], [typer_start], "<= 1.5x", lambda v: v <= 1.5),
        )
    )
    result = []
    for label, target in targets:
        target.name = label
        result.append(target)
    return result


# -- the report ------------------------------------------------------------------------


def render(report: Report) -> str:
    floor = next((r for r in report.runs if r.name == "floor: read+YAML+lxml+write"), None)
    yaml_floor = next((r for r in report.runs if r.name == "floor: read+YAML"), None)
    md = next((r for r in report.runs if r.name == "markdownify"), None)
    lines = [
        "| run | posts | wall s | CPU s | ms/post | posts/s | peak RSS MiB | x floor wall "
        "| x markdownify speed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in report.runs:
        if not run.ok:
            lines.append(f"| {run.name} | {run.posts} | failed: {run.note} | | | | | | |")
            continue
        assert run.wall is not None and run.rate is not None and run.ms_per_post is not None
        ref = yaml_floor if "validate" in run.name or run.name == "floor: read+YAML" else floor
        x_floor = ""
        if ref is not None and ref.wall and ref.posts == run.posts:
            x_floor = f"{run.wall / ref.wall:.2f}" + (" (read+YAML)" if ref is yaml_floor else "")
        x_md = ""
        if (
            md is not None
            and md.rate
            and md.posts == run.posts
            and "validate" not in run.name
            and "clean" not in run.name
            and not run.name.endswith("YAML")
        ):
            x_md = f"{run.rate / md.rate:.2f}"
        rss = f"{(run.rss_kib or 0) / 1024:.1f}"
        lines.append(
            f"| {run.name} | {run.posts} | {run.wall:.2f} | {run.cpu or 0:.2f} "
            f"| {run.ms_per_post:.3f} "
            f"| {run.rate:,.0f} | {rss} | {x_floor} | {x_md} |"
        )
    lines += [
        "",
        "Targets over wall time compare the runs of each round (made one after the other,",
        "under the same load) and give the median of those ratios.",
        "",
        "| target | goal | measured | result |",
        "| --- | --- | --- | --- |",
    ]
    for target in report.targets:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[target.passed]
        lines.append(f"| {target.name} | {target.goal} | {target.value} | {verdict} |")
    lines.append("")
    lines += [f"- {key}: {value}" for key, value in report.machine.items()]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--posts", type=int, default=10_000, help="size of the work corpus")
    parser.add_argument("--quick", action="store_true", help="about 1,000 posts, 5 startup runs")
    parser.add_argument("--work", type=Path, default=default_work_dir())
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median wall time)")
    parser.add_argument("--startup-runs", type=int, default=21)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the baselines")
    parser.add_argument(
        "--articletool",
        default=str(Path(sys.executable).parent / "articletool"),
        help="the articletool executable",
    )
    parser.add_argument("--skip-trafilatura", action="store_true")
    parser.add_argument(
        "--startup-only", action="store_true", help="measure only the start-up target"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work corpus")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.posts = min(args.posts, 1_000)
        args.startup_runs = min(args.startup_runs, 5)
    if not Path(args.articletool).exists():
        found = shutil.which("articletool")
        if found is None:
            parser.error("no articletool executable; pass --articletool")
        args.articletool = found
    return args


def startup_target(args: argparse.Namespace) -> Target:
    tool_start, typer_start = startup(
        [[args.articletool, "validate", str(SEED)], [args.python, "-c", "import typer"]],
        args.startup_runs,
    )
    value = tool_start / typer_start
    return Target(
        "startup: validate one file / import typer",
        "<= 1.5x",
        f"{value:.2f}x ({tool_start * 1000:.0f} ms / {typer_start * 1000:.0f} ms)",
        value <= 1.5,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.startup_only:
        target = startup_target(args)
        sys.stdout.write(f"{target.name}: {target.value} {'PASS' if target.passed else 'FAIL'}\n")
        return 0 if target.passed else 1
    try:
        report = run_all(args)
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    sys.stdout.write(render(report))
    if args.json:
        data = {
            "machine": report.machine,
            "runs": [asdict(run) for run in report.runs],
            "targets": [asdict(t) for t in report.targets],
        }
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(t.passed for t in report.targets) else 1


if __name__ == "__main__":
    sys.exit(main())
