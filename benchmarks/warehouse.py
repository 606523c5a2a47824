"""A report read from a warehouse table of 10 M ad-level rows (a DuckDB file): how long the
warehouse: source takes and how many rows cross to perfmkt, against fetching the raw rows.

    python benchmarks/warehouse.py [--rows 10000000] [--folder /tmp/perfmkt-warehouse-bench]

The table is tests/test_warehouse.py's (dbt_ad_reporting's column names, 4 platforms, 200
campaigns, 160 days); the plan paces three channels over a 55-day flight.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_warehouse import BIG_PLAN, NAMES, make_ad_table  # noqa: E402


def timed(command: list[str], env: dict[str, str], runs: int = 3) -> tuple[float, str]:
    """Median wall time of ``command`` in a fresh process, and its last output."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        out = done.stdout
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/perfmkt-warehouse-bench"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    database = args.folder / f"ads-{args.rows}.duckdb"
    if not database.exists():
        start = time.perf_counter()
        make_ad_table(database, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s")
    size = database.stat().st_size / 1e6

    env = {**os.environ, "PERFMKT_BENCH_WAREHOUSE": f"duckdb:///{database}"}
    platforms = ", ".join(f"{raw}: {name}" for raw, name in NAMES.items())
    plan = args.folder / "warehouse.yaml"
    plan.write_text(
        BIG_PLAN.format(
            sources="  - warehouse: {connection: PERFMKT_BENCH_WAREHOUSE, table: ad_report, "
            f"platforms: {{{platforms}}}}}"
        )
    )
    report = [sys.executable, "-m", "perfmkt", "report", str(plan), "--as-of", "2026-02-10"]
    seconds, out = timed([*report, "-f", "json", "--no-cache"], env)
    files = json.loads(out)["notes"]["files"]
    fetched = next(f["rows"] for f in files if " warehouse: " in f["path"])

    # The warehouse's part alone: the column probe and the campaign-day query, in process.
    from perfmkt.plan import load_plan, resolve_sources
    from perfmkt.sources.warehouse import read_warehouse

    os.environ["PERFMKT_BENCH_WAREHOUSE"] = env["PERFMKT_BENCH_WAREHOUSE"]
    (_, options), *_ = resolve_sources(load_plan(plan), plan)
    queries = []
    for _ in range(3):
        start = time.perf_counter()
        read_warehouse(options)  # type: ignore[arg-type]
        queries.append(time.perf_counter() - start)

    # The same table read raw (what a sql: SELECT * source would bring over): rows and time.
    from perfmkt.sources.warehouse import fetch

    start = time.perf_counter()
    raw = fetch(f"duckdb:///{database}", "SELECT * FROM ad_report", "raw")
    raw_seconds = time.perf_counter() - start

    print(f"table: {args.rows:,} ad-level rows, {size:.0f} MB DuckDB file")
    print(f"warehouse: report (whole CLI, median of 3): {seconds:.2f} s, {fetched:,} rows fetched")
    print(f"warehouse: query alone (median of 3): {statistics.median(queries):.2f} s")
    print(f"raw rows fetched alone (no pacing): {raw_seconds:.2f} s, {raw.height:,} rows")


if __name__ == "__main__":
    main()
