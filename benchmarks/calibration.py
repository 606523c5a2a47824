"""Calibration of perfmkt.forecast on simulated campaigns whose future is known.

    python benchmarks/calibration.py [--campaigns 500] [--stress 150]

Draws campaigns from tests/sim_campaigns.py, forecasts each at 10, 25, 50, 75 and 90 % of its
flight from the days elapsed, and compares with the realised flight-end values. Prints Markdown
tables: by as-of point and KPI kind, by KPI, and for simulator settings beyond the usual ranges.

- coverage: share of realised values inside the 80 % interval (80 % is calibrated);
- Brier: mean (chance − hit)², for the chance, for "hit iff the point projection hits"
  (pacing's 7-day shape projection, 0 or 1) and for the base rate (the share hit, known in
  hindsight); lower is better;
- width: mean (high − low) / target;
- point inside: share of the point projections inside the interval;
- error: median |value / realised − 1| of the forecast's median and of the point projection.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sim_campaigns import judge, simulate  # noqa: E402

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 0.9)
KINDS = {
    "spend": "spend (on budget)",
    "orders": "volumes",
    "revenue": "volumes",
    "cpo": "cost per result",
    "roas": "return ratios",
    "roi": "return ratios",
}
STRESS: dict[str, dict[str, float]] = {
    "no drift (step 0)": {"drift_step": 0.0},
    "fast drift (step 5 %/day)": {"drift_step": 0.05},
    "linear response (b = 1)": {"elasticity": 1.0},
    "strong saturation (b = 0.4)": {"elasticity": 0.4},
}

Row = dict[str, Any]


def summary(rows: list[Row]) -> dict[str, float]:
    def col(name: str) -> np.ndarray:
        return np.array([r[name] for r in rows], dtype=float)

    hit, base = col("hit"), col("hit").mean()
    return {
        "n": len(rows),
        "coverage": col("inside").mean(),
        "brier": np.mean((col("chance") - hit) ** 2),
        "brier_point": np.mean((col("point_hit") - hit) ** 2),
        "brier_base": np.mean((base - hit) ** 2),
        "hit_rate": base,
        "width": col("width").mean(),
        "point_inside": col("point_inside").mean(),
        "error": float(np.median(col("error"))),
        "point_error": float(np.median(col("point_error"))),
    }


HEADER = (
    "| {label} | n | coverage of 80 % | Brier: chance | point rule | base rate | hit rate "
    "| mean width | point inside | error: median | 7-day point |"
)


def table(label: str, groups: dict[str, list[Row]]) -> str:
    lines = [HEADER.format(label=label), "|---|" + "---:|" * 10]
    for name, rows in groups.items():
        s = summary(rows)
        lines.append(
            f"| {name} | {s['n']:,.0f} | {s['coverage']:.0%} | {s['brier']:.3f} "
            f"| {s['brier_point']:.3f} | {s['brier_base']:.3f} | {s['hit_rate']:.0%} "
            f"| {s['width']:.0%} | {s['point_inside']:.0%} | {s['error']:.1%} "
            f"| {s['point_error']:.1%} |"
        )
    return "\n".join(lines)


def grouped(rows: list[Row], key: Callable[[Row], str]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=500)
    parser.add_argument("--stress", type=int, default=150, help="campaigns per stress setting")
    parser.add_argument("--seed", type=int, default=20_000)
    args = parser.parse_args()
    started = time.perf_counter()

    rows = judge((simulate(args.seed + i) for i in range(args.campaigns)), FRACTIONS)
    print(f"{args.campaigns} simulated campaigns, each judged at {len(FRACTIONS)} as-of points\n")
    by_point = grouped(rows, lambda r: f"{r['fraction']:.0%} · {KINDS[str(r['kpi'])]}")
    print(table("as of · KPI kind", dict(sorted(by_point.items(), key=_order))))
    print()
    print(table("KPI (all as-of points)", grouped(rows, lambda r: str(r["kpi"]))))
    print()
    print(table("as of (all KPIs)", grouped(rows, lambda r: f"{r['fraction']:.0%}")))

    if args.stress:
        print(
            f"\nBeyond the simulator's usual ranges ({args.stress} campaigns each, as of 25, 50"
            " and 75 %, all KPIs; usually the drift step is 0.8–3.5 %/day and b 0.6–0.9):\n"
        )
        stressed: dict[str, list[Row]] = {}
        for label, override in STRESS.items():
            campaigns = (simulate(args.seed + i, **override) for i in range(args.stress))
            stressed[label] = judge(campaigns, (0.25, 0.5, 0.75))
        print(table("simulator setting", stressed))
    print(f"\n({time.perf_counter() - started:.0f} s)")


def _order(item: tuple[str, list[Row]]) -> tuple[float, int]:
    rows = item[1]
    kinds = list(dict.fromkeys(KINDS.values()))
    return rows[0]["fraction"], kinds.index(KINDS[str(rows[0]["kpi"])])


if __name__ == "__main__":
    main()
