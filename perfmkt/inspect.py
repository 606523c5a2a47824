"""``perfmkt inspect``: what perfmkt reads in an export, before any plan is involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfmkt.errors import NotDailyError, UnknownExportError
from perfmkt.metrics import sum_or_null
from perfmkt.sources.base import ReadOptions, ShopOptions
from perfmkt.sources.reader import read_export
from perfmkt.sources.shop import looks_like_orders, read_shop_export
from perfmkt.sources.xlsx import is_workbook

TOTALS = ("spend", "impressions", "clicks", "conversions", "conversion_value", "orders", "leads")


def inspect_shop_file(path: Path, options: ShopOptions) -> dict[str, Any]:
    """An orders or leads export: rows kept and skipped, days, columns, and its totals."""
    frame, info = read_shop_export(path, options)
    totals: dict[str, Any]
    if info.kind == "orders":
        # Placed and net: day-total rows count their orders (null when the export cannot).
        totals = {
            name: frame[name].sum() if frame[name].count() else None
            for name in ("orders", "revenue", "net_orders", "net_revenue")
        }
    else:
        by_stage = frame.group_by("stage").len().sort("stage").iter_rows()
        totals = {"leads": frame.height, "by_stage": dict(by_stage)}
    currencies = (
        sorted(c for c in frame["currency"].unique().to_list() if c)
        if ("currency" in frame.columns)
        else []
    )
    day_totals = info.shape != "orders"
    if info.orders_refused:
        pacing = f"revenue only: {info.orders_refused}"
    elif day_totals:
        pacing = "usable: placed orders and net revenue per day (not which orders ended net)"
    elif info.kind == "orders":
        pacing = "usable: placed and net orders per day"
    else:
        pacing = "usable: one lead per row"
    return {
        "file": str(path),
        "platform": f"shop {info.kind}: {info.label}",
        "level": "day" if day_totals else info.kind[:-1],
        "label": info.label,
        "rows": info.rows_read,
        "skipped": info.skipped,
        "daily": True,
        "pacing": pacing,
        "date_min": info.first_day,
        "date_max": info.last_day,
        "currency": currencies[0] if len(currencies) == 1 else (currencies or None),
        "columns": info.columns_used,
        "warnings": info.warnings,
        "totals": totals,
    }


def inspect_file(path: Path, options: ReadOptions | None = None) -> dict[str, Any]:
    """Platform, level, encoding, rows read and skipped, days, currency, column map, totals.

    Period and lifetime exports are read too (``daily`` is then false, with the reason and
    how to download the report by day in ``pacing``).
    """
    pacing = "usable: one row per day"
    encoding = options.encoding if options else None
    if is_workbook(path):  # only shop systems hand out workbooks (Shopee, Lazada…)
        return inspect_shop_file(path, ShopOptions(kind="orders", encoding=encoding))
    try:
        facts, info = read_export(path, options, daily=True)
    except UnknownExportError:
        if not looks_like_orders(path, encoding):
            raise
        return inspect_shop_file(path, ShopOptions(kind="orders", encoding=encoding))
    except NotDailyError as err:  # read for its totals, saying how to get it by day
        pacing = err.message + (f" ({err.hint})" if err.hint else "")
        facts, info = read_export(path, options, daily=False)
    sums = facts.select(sum_or_null(c) for c in TOTALS).row(0, named=True)
    dated = facts["date"].drop_nulls()
    currencies = sorted(c for c in facts["currency"].unique().to_list() if c)
    return {
        "file": str(path),
        "platform": info.platform,
        "level": info.level,
        "encoding": info.encoding,
        "number_format": info.number_format,
        "rows": info.rows_read,
        "skipped": info.skipped,
        "daily": pacing.startswith("usable"),
        "pacing": pacing,
        "date_min": dated.min() if dated.len() else None,
        "date_max": dated.max() if dated.len() else None,
        "currency": currencies[0] if len(currencies) == 1 else (currencies or None),
        "columns": info.columns_used,
        "attribution": info.attribution,
        "stated_range": (
            {"start": info.range_start, "end": info.range_end, "from": info.range_from}
            if info.range_start
            else None
        ),
        "made_at": (
            {"at": info.made_at, "from": info.made_at_from} if info.made_at is not None else None
        ),
        "warnings": info.warnings,
        "totals": sums,
    }
