"""How much the client documents cost next to the JSON: the goal is an HTML report within about
1.5× the JSON report's time, end to end (`perfmkt report plan.yaml -f html` against `-f json`).

    python benchmarks/render.py                     # the demo plan
    python benchmarks/render.py --plan plans/x.yaml --runs 9

Prints, for each format, the median wall time of the whole command (a fresh process each run,
the export cache warm, as on a daily rerun) and of rendering alone from one built Report.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def command_time(plan: Path, fmt: str, runs: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "perfmkt", "report", str(plan), "-f", fmt, "-o", folder],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def render_time(plan: Path, runs: int) -> dict[str, float]:
    from perfmkt.render import documents
    from perfmkt.render.json import to_json
    from perfmkt.report import report_from_plan_file

    report = report_from_plan_file(plan)
    jobs = {
        "json": lambda: to_json(report),
        "md": lambda: documents.render(report, "md"),
        "html": lambda: documents.render(report, "html"),
    }
    out = {}
    for name, job in jobs.items():
        job()  # imports and template compilation are paid once per process, like a batch
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            job()
            times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", type=Path, default=ROOT / "configs" / "demo.yaml")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    command_time(args.plan, "json", 1)  # warm the export cache
    wall = {fmt: command_time(args.plan, fmt, args.runs) for fmt in ("json", "md", "html")}
    alone = render_time(args.plan, args.runs)
    print(f"plan: {args.plan}, median of {args.runs}")
    print(f"{'format':<8}{'command':>10}{'× json':>9}{'render only':>14}")
    for fmt in ("json", "md", "html"):
        print(
            f"{fmt:<8}{wall[fmt]:>9.3f}s{wall[fmt] / wall['json']:>9.2f}"
            f"{alone[fmt] * 1000:>12.1f}ms"
        )


if __name__ == "__main__":
    main()
