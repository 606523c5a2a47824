"""``perfmkt init``: a commented starter plan written from the exports a marketer already has."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError, PerfmktError
from perfmkt.sources.load import campaign_days
from perfmkt.sources.overlap import DownloadInfo, resolve_overlaps
from perfmkt.sources.reader import read_export
from perfmkt.sources.shop import looks_like_orders

# Objective guessed from what the exports measure, main result first.
RESULT_KPIS = {"ecommerce": ("orders", "revenue"), "leadgen": ("leads",), "branding": ()}


def _campaign_pattern(names: list[str]) -> str:
    """A regex claiming these campaigns: their common prefix when it says something, else the
    names themselves."""
    prefix = os.path.commonprefix(names)  # noqa: RUF071 (campaign names, not paths)
    if len(prefix) >= 3:
        return "^" + re.escape(prefix)
    if len(names) <= 6:
        return "^(" + "|".join(re.escape(n) for n in sorted(names)) + ")$"
    return ".*"


def _nice(value: float) -> str:
    """A round starter target, written the way plans are (900_000_000)."""
    if value <= 0:
        return "1"
    digits = len(str(int(value)))
    rounded = round(value, -max(digits - 2, 0))
    return f"{int(rounded):_}"


# Shop systems export .xlsx (Shopee, TikTok Shop) as well as CSV.
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")


def starter_plan(folder: Path, plan_dir: Path, today: date) -> str:
    """YAML text of a starter plan for the exports under ``folder``; source paths are written
    relative to ``plan_dir``, where the plan will be saved."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in EXPORT_SUFFIXES)
    if not files:
        raise PerfmktError(f"no exports (CSV, TSV or .xlsx) under {folder}", path=folder)
    frames: list[pl.DataFrame] = []
    downloads: list[DownloadInfo] = []
    by_dir: dict[tuple[Path, str], list[Path]] = {}
    shop_files: dict[Path, list[Path]] = {}
    skipped: list[str] = []
    for path in files:
        try:
            frame, info = read_export(path)
        except ExportError as err:  # a shop's orders, or a file to say why it is not used
            if looks_like_orders(path):
                shop_files.setdefault(path.parent, []).append(path)
            else:
                hint = f" ({err.hint})" if err.hint else ""
                skipped.append(f"{path.relative_to(folder)}: {err.message}{hint}")
            continue
        frames.append(campaign_days(frame))
        downloads.append(DownloadInfo.of(info))
        by_dir.setdefault((path.parent, info.platform), []).append(path)
    if not frames:
        raise PerfmktError(
            f"none of the {len(files)} files under {folder} is a daily ad-platform export",
            path=folder,
            hint="run `perfmkt inspect` on them to see why",
        )
    facts, _ = resolve_overlaps(pl.concat(frames), downloads)  # re-downloads counted once
    first, last = facts["date"].min(), facts["date"].max()
    assert isinstance(first, date) and isinstance(last, date)  # a daily export has dated rows
    totals = facts.select(pl.col("spend", "orders", "revenue", "leads").sum()).row(0, named=True)
    objective = (
        "ecommerce"
        if totals["orders"] or totals["revenue"]
        else ("leadgen" if totals["leads"] else "branding")
    )
    currencies = sorted(c for c in facts["currency"].unique().to_list() if c)

    def rel(path: Path) -> str:
        return os.path.relpath(path, plan_dir)

    def source_paths(directory: Path, paths: list[Path]) -> list[str]:
        """One glob when these are every file of their folder, else each file: a glob must
        not take in the folder's other files (a shop's orders beside Meta exports)."""
        alone = all(p in paths for p in files if p.parent == directory)
        if len(paths) > 1 and alone and all(p.suffix.lower() == ".csv" for p in paths):
            return [rel(directory / "*.csv")]
        return [rel(p) for p in paths]

    lines = [
        "# Starter plan written by `perfmkt init` from the exports it found.",
        "# Check every value, then run:  perfmkt validate THIS_FILE",
        "client: CLIENT NAME",
        "campaign: CAMPAIGN NAME",
        f"objective: {objective}           # ecommerce | leadgen | branding",
        f"currency: {currencies[0] if currencies else 'VND'}",
        "timezone: Asia/Ho_Chi_Minh      # 'yesterday' for the default as-of date",
        f"# The exports cover {first} to {last}: set the real flight dates.",
        f"flight: {{start: {first}, end: {last}}}",
        "",
        "sources:                        # paths and globs are relative to this file",
    ]
    for (directory, platform), paths in sorted(by_dir.items()):
        sources = source_paths(directory, paths)
        files_note = f", {len(paths)} files" if len(sources) < len(paths) else ""
        lines += [f"  - path: {source}    # {platform}{files_note}" for source in sources]
    for directory, paths in sorted(shop_files.items()):
        for source in source_paths(directory, paths):
            lines.append(f"  - path: {source}")
            lines.append("    kind: orders                # the shop's own orders")
    lines += ["", "channels:                       # which campaigns count toward this plan"]
    for platform in sorted(facts["platform"].unique().to_list()):
        names = sorted(facts.filter(pl.col("platform") == platform)["campaign"].unique().to_list())
        pattern = _campaign_pattern(names).replace("'", "''")  # YAML single quotes
        lines.append(
            f"  {platform}: {{platform: {platform}, campaigns: '{pattern}'}}"
            f"    # {len(names)} campaign(s)"
        )
    lines += ["", "kpis:                           # flight totals: so far the exports show"]
    lines.append(
        f"  spend: {_nice(totals['spend'] or 0)}    # spent so far: {totals['spend']:,.0f}"
    )
    for kpi in RESULT_KPIS[objective]:
        value = totals[kpi] or 0
        lines.append(f"  {kpi}: {_nice(value)}    # so far: {value:,.0f}")
    lines += [
        "",
        "# timeline:                     # periods with their own targets (ramp-up, peaks)",
        f"#   - {{flight_week: 1, spend: {_nice((totals['spend'] or 0) / 8)}}}",
        "# shape: {weekday_weights: {sat: 1.2, sun: 1.2}}",
        "# alerts:",
        "#   - {kpi: spend, pace_above: 1.10, action: lower bids}",
    ]
    if skipped:
        lines += ["", "# Files not used:"] + [f"#   {s}" for s in skipped]
    lines.append(f"# written {today}")
    return "\n".join(lines) + "\n"
