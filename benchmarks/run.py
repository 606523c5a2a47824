"""Time ``perfmkt report`` end to end against the same job done directly in polars and DuckDB.

    python benchmarks/run.py --rows 1000000 10000000 --runs 3 [--data /tmp/perfmkt-bench]

For each size: generate the exports (benchmarks/generate.py) unless they exist, then run each
engine in its own process --runs times and report the median wall time, the peak memory (the
process's max RSS) and the ratio to bare polars streaming. The job: read every file (preamble
and totals rows, "1,234.56" strings), drop totals rows, filter the flight and the campaign
regex, sum by day, by ISO week and in total, and compute CPC, CPA and ROAS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each engine runs as `python -c CODE DATA_DIR` so its memory is its own.
BARE_POLARS = r"""
import sys, glob, polars as pl
data = sys.argv[1]
money = lambda c: pl.col(c).str.replace_all(",", "").cast(pl.Float64)
frames = []
for path in glob.glob(f"{data}/google_ads/*.csv"):
    frames.append(pl.scan_csv(path, skip_lines=2, infer_schema=False)
        .filter(~pl.col("Day").str.starts_with("Total"))
        .select(pl.col("Day").str.to_date().alias("date"), pl.col("Campaign").alias("campaign"),
                money("Cost").alias("spend"), pl.col("Clicks").cast(pl.Float64).alias("clicks"),
                pl.col("Conversions").cast(pl.Float64).alias("orders"),
                money("Conv. value").alias("revenue")))
for path in glob.glob(f"{data}/meta/*.csv"):
    frames.append(pl.scan_csv(path, infer_schema=False).select(
        pl.col("Reporting starts").str.to_date().alias("date"),
        pl.col("Campaign name").alias("campaign"),
        pl.col("Amount spent (VND)").cast(pl.Float64).alias("spend"),
        pl.col("Link clicks").cast(pl.Float64).alias("clicks"),
        pl.col("Purchases").cast(pl.Float64).alias("orders"),
        pl.col("Purchases conversion value").cast(pl.Float64).alias("revenue")))
for path in glob.glob(f"{data}/tiktok/*.csv"):
    frames.append(pl.scan_csv(path, infer_schema=False)
        .filter(~pl.col("By Day").str.starts_with("Total"))
        .select(pl.col("By Day").str.to_date().alias("date"),
                pl.col("Campaign name").alias("campaign"),
                pl.col("Cost").cast(pl.Float64).alias("spend"),
                pl.col("Clicks (destination)").cast(pl.Float64).alias("clicks"),
                pl.col("Conversions").cast(pl.Float64).alias("orders"),
                pl.col("Total complete payment").cast(pl.Float64).alias("revenue")))
facts = pl.concat(frames).filter(pl.col("campaign").str.contains("^SHOPX_"))
sums = [pl.col(c).sum() for c in ("spend", "clicks", "orders", "revenue")]
ratios = [(pl.col("spend") / pl.col("clicks")).alias("cpc"),
          (pl.col("spend") / pl.col("orders")).alias("cpa"),
          (pl.col("revenue") / pl.col("spend")).alias("roas")]
daily = facts.group_by("date").agg(sums).with_columns(ratios)
weekly = facts.group_by(pl.col("date").dt.strftime("%G-W%V")).agg(sums).with_columns(ratios)
total = facts.select(sums).with_columns(ratios)
pl.collect_all([daily, weekly, total], engine=ENGINE)
"""

DUCKDB = r'''
import sys, duckdb
data = sys.argv[1]
money = lambda c: f'CAST(replace("{c}", \',\', \'\') AS DOUBLE)'
con = duckdb.connect()
con.execute(f"""
CREATE TEMP TABLE facts AS
SELECT CAST("Day" AS DATE) AS date, "Campaign" AS campaign, {money('Cost')} AS spend,
       CAST("Clicks" AS DOUBLE) AS clicks, CAST("Conversions" AS DOUBLE) AS orders,
       {money('Conv. value')} AS revenue
FROM read_csv('{data}/google_ads/*.csv', skip=2, all_varchar=true, header=true,
              strict_mode=false)
WHERE "Day" NOT LIKE 'Total%'
UNION ALL
SELECT CAST("Reporting starts" AS DATE), "Campaign name", CAST("Amount spent (VND)" AS DOUBLE),
       CAST("Link clicks" AS DOUBLE), CAST("Purchases" AS DOUBLE),
       CAST("Purchases conversion value" AS DOUBLE)
FROM read_csv('{data}/meta/*.csv', all_varchar=true, header=true)
UNION ALL
SELECT CAST("By Day" AS DATE), "Campaign name", CAST("Cost" AS DOUBLE),
       CAST("Clicks (destination)" AS DOUBLE), CAST("Conversions" AS DOUBLE),
       CAST("Total complete payment" AS DOUBLE)
FROM read_csv('{data}/tiktok/*.csv', all_varchar=true, header=true)
WHERE "By Day" NOT LIKE 'Total%'
""")
for key in ("date", "strftime(date, '%G-W%V')", "1"):
    con.execute(f"""SELECT {key} AS k, sum(spend) s, sum(clicks) c, sum(orders) o,
        sum(revenue) r, s / c AS cpc, s / o AS cpa, r / s AS roas FROM facts
        WHERE regexp_matches(campaign, '^SHOPX_') GROUP BY ALL""").fetchall()
'''

READ_BYTES = r"""
import sys, glob
for path in glob.glob(sys.argv[1] + "/*/*.csv"):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
"""

PERFMKT = r"""
import sys, subprocess
plan = sys.argv[1] + "/plan.yaml"
args = ["-m", "perfmkt", "report", plan, "-f", "json", "-o", sys.argv[2], "-q", *sys.argv[3:]]
from perfmkt.cli import main
sys.argv = ["perfmkt", *args[2:]]
try:
    main()
except SystemExit as done:
    if done.code not in (0, None):
        raise
"""

# The wrapper each measured command runs in: its own process, so each run's figures are its own.
MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
if done.returncode:
    sys.exit(f"exit {done.returncode}: {done.stderr[-2000:]}")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)
"""


def engines(data: Path, out: Path) -> dict[str, list[str]]:
    py = sys.executable
    found = {
        "perfmkt report (no cache)": [py, "-c", PERFMKT, str(data), str(out), "--no-cache"],
        "perfmkt report (cached rerun)": [py, "-c", PERFMKT, str(data), str(out)],
        "polars lazy, streaming": [
            py,
            "-c",
            BARE_POLARS.replace("ENGINE", '"streaming"'),
            str(data),
        ],
        "polars lazy, in-memory": [
            py,
            "-c",
            BARE_POLARS.replace("ENGINE", '"in-memory"'),
            str(data),
        ],
        "reading the bytes only": [py, "-c", READ_BYTES, str(data)],
    }
    try:
        import duckdb  # noqa: F401

        found["DuckDB read_csv + SQL"] = [py, "-c", DUCKDB, str(data)]
    except ImportError:
        pass
    return found


def _tree_rss(root: int) -> int:
    """Bytes resident in the descendants of ``root`` now (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as statm:
                pages = int(statm.read().split()[1])
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = -rss.get(root, 0), [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def measure(
    command: list[str], env: dict[str, str] | None = None, tree: bool = False
) -> dict[str, float]:
    """Wall time, CPU seconds of every process and peak memory of the largest one for one run
    of ``command`` in MEASURE's wrapper; with ``tree`` (Linux), also the peak of the whole
    process tree, sampled every 50 ms (``tree`` is 0 otherwise)."""
    process = subprocess.Popen(
        [sys.executable, "-c", MEASURE, *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if tree and sys.platform.startswith("linux"):
        sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command[:6])} …: {stderr.strip()[-2000:]}")
    wall, cpu, largest = map(float, stdout.split())
    return {"wall": wall, "cpu": cpu, "largest": largest, "tree": peak[0]}


def run(rows: list[int], runs: int, data_root: Path, files: int) -> list[dict]:
    sys.path.insert(0, str(HERE))
    from generate import generate

    results = []
    for n in rows:
        data = data_root / f"rows-{n}"
        if not (data / "plan.yaml").is_file():
            generate(data, n, files)
        size = sum(p.stat().st_size for p in data.rglob("*.csv"))
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "report.json"
            for name, command in engines(data, out).items():
                if name.endswith("(cached rerun)"):
                    measure(command)  # fill the cache first
                samples = [measure(command) for _ in range(runs)]
                results.append(
                    {
                        "rows": n,
                        "files": files,
                        "mb": round(size / 1e6),
                        "engine": name,
                        "median_s": statistics.median(s["wall"] for s in samples),
                        "peak_mb": max(s["largest"] for s in samples) / 1e6,
                    }
                )
    for r in results:
        base = next(
            x for x in results if x["rows"] == r["rows"] and x["engine"] == "polars lazy, streaming"
        )
        r["vs_polars"] = r["median_s"] / base["median_s"]
    return results


def table(results: list[dict]) -> str:
    lines = [
        "| rows | files (MB) | engine | median wall | peak memory | × polars streaming |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['files']} ({r['mb']:,}) | {r['engine']} | "
            f"{r['median_s']:.2f} s | {r['peak_mb']:,.0f} MB | {r['vs_polars']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "perfmkt-bench")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    started = time.time()
    results = run(args.rows, args.runs, args.data, args.files)
    print(json.dumps(results, indent=1) if args.json else table(results))
    print(f"\n({time.time() - started:.0f} s in all)", file=sys.stderr)


if __name__ == "__main__":
    main()
