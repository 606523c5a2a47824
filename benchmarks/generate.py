"""Synthetic ad-group-level daily exports at any size, shaped like the real downloads.

    python benchmarks/generate.py OUT_DIR --rows 1000000 [--files 200]

A year of days, three platforms' header shapes: Google Ads (report-name and date-range lines,
quoted "1,234.56" numbers, `Total:` rows), Meta (`Amount spent (VND)`, plain numbers, newest day
first) and TikTok (a total row last). Each platform's rows are split across files by date range,
and every fifth file is re-downloaded with an overlap (a later file repeating its last week), so
the overlap resolution is exercised. Writes OUT_DIR/plan.yaml for `perfmkt report`. Rows are
built with polars expressions, not a Python loop, so 10 million rows take seconds.
"""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

START = date(2025, 1, 1)
DAYS = 365
PLATFORMS = ("google_ads", "meta", "tiktok")


def _rows(n: int, seed: int) -> pl.DataFrame:
    """``n`` ad-group-days: date, campaign, ad group and measures."""
    frame = pl.DataFrame({"i": pl.int_range(0, n, eager=True)})
    per_day = max(n // DAYS, 1)
    return frame.select(
        (pl.lit(START) + pl.duration(days=(pl.col("i") // per_day) % DAYS)).alias("date"),
        ("SHOPX_" + ((pl.col("i") * 7 + seed) % 40).cast(pl.String)).alias("campaign"),
        ("AG_" + (pl.col("i") % per_day).cast(pl.String)).alias("ad_group"),
        (((pl.col("i") * 2654435761 + seed) % 1_000_000) / 10 + 1000).round(2).alias("spend"),
        ((pl.col("i") * 40503 + seed) % 50_000 + 100).alias("impressions"),
        ((pl.col("i") * 9973 + seed) % 900 + 1).alias("clicks"),
        ((pl.col("i") * 31 + seed) % 7).alias("orders"),
        (((pl.col("i") * 1103515245 + seed) % 3_000_000) / 7).round(2).alias("revenue"),
    )


def _thousands(column: str) -> pl.Expr:
    """1234567.5 -> "1,234,567.50", as Google writes money."""
    whole = pl.col(column).floor().cast(pl.Int64).cast(pl.String)
    cents = ((pl.col(column) * 100).round(0).cast(pl.Int64) % 100).cast(pl.String).str.zfill(2)
    grouped = whole.str.reverse().str.replace_all(r"(\d{3})(\d)", "$1,$2").str.reverse()
    return grouped + "." + cents


def _google(part: pl.DataFrame, path: Path) -> None:
    first, last = part["date"].min(), part["date"].max()
    table = part.select(
        pl.col("date").dt.strftime("%Y-%m-%d").alias("Day"),
        pl.col("campaign").alias("Campaign"),
        pl.col("ad_group").alias("Ad group"),
        pl.lit("VND").alias("Currency code"),
        _thousands("spend").alias("Cost"),
        pl.col("impressions").cast(pl.String).alias("Impr."),
        pl.col("clicks").cast(pl.String).alias("Clicks"),
        pl.col("orders").cast(pl.Float64).round(2).cast(pl.String).alias("Conversions"),
        _thousands("revenue").alias("Conv. value"),
    )
    total = ["Total: Campaigns", " --", " --", "VND", "0.00", "0", "0", "0.00", "0.00"]
    with path.open("w", encoding="utf-8") as out:
        out.write(f"Ad group report\n{first:%B %-d, %Y} - {last:%B %-d, %Y}\n")
        table.write_csv(out, quote_style="necessary")
        out.write(",".join(total) + "\n")


def _meta(part: pl.DataFrame, path: Path) -> None:
    part.sort("date", descending=True).select(
        pl.col("date").dt.strftime("%Y-%m-%d").alias("Reporting starts"),
        pl.col("date").dt.strftime("%Y-%m-%d").alias("Reporting ends"),
        pl.col("campaign").alias("Campaign name"),
        pl.col("ad_group").alias("Ad set name"),
        pl.col("spend").alias("Amount spent (VND)"),
        pl.col("impressions").alias("Impressions"),
        pl.col("clicks").alias("Link clicks"),
        pl.when(pl.col("orders") > 0).then(pl.col("orders")).alias("Purchases"),
        pl.when(pl.col("orders") > 0).then(pl.col("revenue")).alias("Purchases conversion value"),
    ).write_csv(path)


def _tiktok(part: pl.DataFrame, path: Path) -> None:
    table = part.select(
        pl.col("date").dt.strftime("%Y-%m-%d").alias("By Day"),
        pl.col("campaign").alias("Campaign name"),
        pl.col("ad_group").alias("Ad group name"),
        pl.col("spend").alias("Cost"),
        pl.col("impressions").alias("Impressions"),
        pl.col("clicks").alias("Clicks (destination)"),
        pl.col("orders").alias("Conversions"),
        pl.col("revenue").alias("Total complete payment"),
        pl.lit("VND").alias("Currency"),
    )
    with path.open("w", encoding="utf-8") as out:
        table.write_csv(out)
        out.write(f"Total of {table.height} results,-,-,0,0,0,0,0,VND\n")


WRITERS = {"google_ads": _google, "meta": _meta, "tiktok": _tiktok}


def generate(out: Path, rows: int, files: int) -> Path:
    """Write the exports and a plan; return the plan's path."""
    out.mkdir(parents=True, exist_ok=True)
    per_platform = max(files // len(PLATFORMS), 1)
    stamp = datetime(2026, 1, 1).timestamp()
    for p, platform in enumerate(PLATFORMS):
        folder = out / platform
        folder.mkdir(exist_ok=True)
        facts = _rows(rows // len(PLATFORMS), seed=p)
        span = DAYS / per_platform
        for f in range(per_platform):
            first = START + timedelta(days=round(f * span))
            last = START + timedelta(days=round((f + 1) * span) - 1)
            if f % 5 == 4:  # a re-download that repeats the week before this file
                first -= timedelta(days=7)
            part = facts.filter(pl.col("date").is_between(first, last))
            path = folder / f"{platform}_{f:03d}_{first}_{last}.csv"
            WRITERS[platform](part, path)
            os.utime(path, (stamp + f * 86400, stamp + f * 86400))  # later files are newer
    plan = out / "plan.yaml"
    plan.write_text(
        f"""client: Bench Shop
campaign: Year {START.year}
currency: VND
flight: {{start: {START}, end: {START + timedelta(days=DAYS - 1)}}}
sources:
  - path: google_ads/*.csv
  - path: meta/*.csv
  - path: tiktok/*.csv
channels:
  google: {{platform: google_ads, campaigns: "^SHOPX_"}}
  meta: {{platform: meta, campaigns: "^SHOPX_"}}
  tiktok: {{platform: tiktok, campaigns: "^SHOPX_"}}
kpis: {{spend: 1_000_000_000_000, orders: 10_000_000, revenue: 3_000_000_000_000, cpo: 100_000,
        roas: 3}}
""",
        encoding="utf-8",
    )
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    plan = generate(args.out, args.rows, args.files)
    size = sum(p.stat().st_size for p in args.out.rglob("*.csv"))
    print(f"wrote {args.rows:,} rows in {args.files} files ({size / 1e6:,.0f} MB); plan: {plan}")


if __name__ == "__main__":
    main()
