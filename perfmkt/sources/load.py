"""Load every export a plan names into one frame of unified daily facts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from perfmkt.machine import usable_cpus
from perfmkt.metrics import sum_or_null
from perfmkt.schema import MEASURES, empty_facts
from perfmkt.sources.base import (
    QueryOptions,
    ReadOptions,
    ShopOptions,
    SourceOptions,
    WarehouseOptions,
)
from perfmkt.sources.cache import cached_read
from perfmkt.sources.overlap import DownloadInfo, Replacement, resolve_overlaps
from perfmkt.sources.reader import FileRead
from perfmkt.sources.shop import LEADS_SCHEMA, ORDERS_SCHEMA, ShopRead, read_shop_export
from perfmkt.sources.shopify_analytics import BY_PRODUCT, OVER_TIME
from perfmkt.sources.warehouse import read_parquet, read_query, read_warehouse


@dataclass
class Loaded:
    """Unified daily facts from every ad export, the shop's orders and leads, and what
    reading them did. ``downloads`` describes every ad file read (its covered days, stamps and
    modification time) and ``superseded`` holds the campaign-day rows a newer download of the
    same report replaced: successive looks at one day, from which ``perfmkt.lag`` learns how
    late conversions arrive. They are never part of ``facts``."""

    facts: pl.LazyFrame
    files: list[FileRead]
    replacements: list[Replacement]
    orders: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ORDERS_SCHEMA))
    leads: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LEADS_SCHEMA))
    shop_files: list[ShopRead] = field(default_factory=list)
    downloads: list[DownloadInfo] = field(default_factory=list)
    superseded: pl.DataFrame = field(default_factory=empty_facts)


def campaign_days(facts: pl.DataFrame) -> pl.DataFrame:
    """One row per file, day, platform, account, campaign (name and id) and currency:
    everything pacing and re-download resolution look at. Ad-group and ad rows are summed
    here, file by file, so memory follows the largest file, not the number of rows read.
    ``row`` keeps the first line of each sum for error messages."""
    keys = ["date", "platform", "account", "campaign", "campaign_id", "currency", "source_file"]
    summed = facts.group_by(keys, maintain_order=True).agg(
        pl.lit("").alias("ad_group"),
        *[sum_or_null(m) for m in MEASURES],
        pl.col("row").min(),
    )
    return summed.select(facts.columns)


def _read_campaign_days(path: Path, options: ReadOptions) -> tuple[pl.DataFrame, FileRead]:
    # One lazy pass per export (perfmkt.sources.streaming), which falls back to read_export
    # and campaign_days whenever a file needs a closer look.
    from perfmkt.sources.streaming import read_campaign_days

    return read_campaign_days(path, options)


def combine_orders(reads: list[tuple[pl.DataFrame, ShopRead]]) -> pl.DataFrame:
    """Every orders export's rows, each order and each day counted once.

    - An order exported twice (overlapping downloads) counts once, keyed by its id, with the
      furthest status either download shows (see ``_each_order_once``).
    - Day totals (Shopify Analytics) have no id: for each export shape, the newest download
      covering a day supplies that day whole (a re-download replaces, never adds); "newest"
      is the later last day, then the modification time. Where Sales over time covers a day,
      it supplies the day (its orders are distinct orders) and Sales by product's row is not
      used; a Sales by product file whose days are all covered so has no orders to refuse.
    ``reads`` are updated in place: warnings say which days a newer file supplied.
    """
    if not reads:
        return pl.DataFrame(schema=ORDERS_SCHEMA)
    # Newer by what the files say (the later last day), modification time (copies change it)
    # only breaking ties, as for ad exports.
    ordered = sorted(reads, key=lambda r: (r[1].last_day or date.min, r[1].mtime))
    rows = pl.concat([frame for frame, _ in ordered])
    orders = _each_order_once(rows.filter(pl.col("order_id").is_not_null()), ordered)
    days = rows.filter(pl.col("order_id").is_null())
    if days.is_empty():
        return orders
    infos = {info.path: info for _, info in ordered}
    rank = {info.path: n for n, (_, info) in enumerate(ordered)}
    days = days.with_columns(
        _rank=pl.col("source_file").replace_strict(rank, return_dtype=pl.Int64),
        _shape=pl.col("source_file").replace_strict(
            {p: i.shape for p, i in infos.items()}, return_dtype=pl.String
        ),
    )
    newest = days.with_columns(_newest=pl.col("_rank").max().over("_shape", "date"))
    kept = newest.filter(pl.col("_rank") == pl.col("_newest"))
    over_time = kept.filter(pl.col("_shape") == OVER_TIME)["date"].unique()
    by_product = (pl.col("_shape") == BY_PRODUCT) & pl.col("date").is_in(over_time.implode())
    _say_replaced(newest.filter(pl.col("_rank") != pl.col("_newest")), kept, infos)
    for path in kept.filter(pl.col("_shape") == BY_PRODUCT)["source_file"].unique():
        own = days.filter(pl.col("source_file") == path)["date"]
        if own.is_in(over_time.implode()).all():
            infos[path].orders_refused = None
            infos[path].warnings.append(
                "Sales over time covers its days: orders and revenue come from there"
            )
    kept = kept.filter(~by_product).drop("_rank", "_shape", "_newest")
    _say_counted_twice(orders, kept, infos)
    return pl.concat([orders, kept])


# An order's status only moves on: open, then completed, then cancelled, returned or failed.
_PROGRESS = {"open": 0, "completed": 1, "cancelled": 2, "returned": 2, "failed_delivery": 2}


def _each_order_once(
    orders: pl.DataFrame, ordered: list[tuple[pl.DataFrame, ShopRead]]
) -> pl.DataFrame:
    """One row per order id: the furthest status any download shows (an older file cannot
    undo a cancellation or a delivery, whatever the files' modification times say), then the
    newest download's row. Each older file's notes count the orders a newer row replaced."""
    rank = {info.path: n for n, (_, info) in enumerate(ordered)}
    ranked = orders.with_columns(
        _file=pl.col("source_file").replace_strict(rank, return_dtype=pl.Int64),
        _progress=pl.col("outcome").replace_strict(_PROGRESS, default=0, return_dtype=pl.Int8),
    )
    first_seen = ranked.select("order_id", "source_file").unique(maintain_order=True)
    kept = (
        ranked.sort("_progress", "_file", maintain_order=True)
        .unique(subset=["order_id"], keep="last", maintain_order=True)
        .sort("_file", "row")
    )
    replaced = first_seen.join(
        kept.select("order_id", pl.col("source_file").alias("_kept")), on="order_id"
    ).filter(pl.col("source_file") != pl.col("_kept"))
    infos = {info.path: info for _, info in ordered}
    for path, count in replaced.group_by("source_file").len().iter_rows():
        infos[path].skipped["orders also in another download (counted once, furthest status)"] = (
            count
        )
    return kept.drop("_file", "_progress")


def _say_counted_twice(
    orders: pl.DataFrame, days: pl.DataFrame, infos: dict[str, ShopRead]
) -> None:
    """Shopify's orders export and its Analytics reports hold the same orders: both read for
    one day count them twice. Said on the report's file (another shop's orders, e.g. a
    marketplace's, add up with it rightly)."""
    shopify = [p for p, i in infos.items() if i.label == "Shopify orders export"]
    listed = orders.filter(pl.col("source_file").is_in(shopify))["date"].unique().implode()
    for path, count in (
        days.filter(pl.col("date").is_in(listed)).group_by("source_file").len().iter_rows()
    ):
        infos[path].warnings.append(
            f"Shopify's orders export lists orders on {count} of its days too: those orders "
            "are counted twice (read one of the two for this shop)"
        )


def _say_replaced(dropped: pl.DataFrame, kept: pl.DataFrame, infos: dict[str, ShopRead]) -> None:
    """A warning on each older download: how many of its days a newer one supplied."""
    if dropped.is_empty():
        return
    by = kept.select("_shape", "date", pl.col("source_file").alias("_by"))
    replaced = dropped.join(by, on=["_shape", "date"]).group_by("source_file", "_by").len()
    for path, newer, count in replaced.sort("source_file", "_by").iter_rows():
        days = "1 day" if count == 1 else f"{count} days"
        infos[path].warnings.append(f"{days} supplied by the newer download {newer}")


def _threads(files: int) -> int:
    """One reading thread per core the process may use, at most four (past that the disk and
    polars' own threads are the limit), never more than files."""
    return max(1, min(files, usable_cpus(), 4))


def load_exports(
    files: list[tuple[Path, SourceOptions]],
    progress: Callable[[Path], None] | None = None,
    cache: bool = True,
) -> Loaded:
    """Read every (path, options) pair and count re-downloaded days once. ``progress`` is
    called after each file (the CLI draws a progress bar with it on a terminal); with
    ``cache``, parsed files come from the Parquet cache when their content is unchanged."""
    frames: list[pl.DataFrame] = []
    reads: list[FileRead] = []
    downloads: list[DownloadInfo] = []
    shop_orders: list[tuple[pl.DataFrame, ShopRead]] = []
    shop_leads: list[pl.DataFrame] = []
    shop_reads: list[ShopRead] = []

    def read(source: tuple[Path, SourceOptions]) -> tuple[pl.DataFrame, Any]:
        path, options = source
        if isinstance(options, ShopOptions):
            return read_shop_export(path, options)
        if isinstance(options, QueryOptions):
            frame, info = read_query(options)
        elif isinstance(options, WarehouseOptions):
            return read_warehouse(options)  # campaign-days already, one row each (checked)
        elif path.suffix.lower() == ".parquet":
            frame, info = read_parquet(path, options)
        elif cache:
            return cached_read(path, options, _read_campaign_days)
        else:
            return _read_campaign_days(path, options)
        return campaign_days(frame), info

    # Files are read on several threads (polars releases the GIL, and one small export's query
    # leaves cores idle): 6.2 s -> 4.5 s for the 200 files of the 10 M-row benchmark on 2
    # cores. Results come back in the given order, so the first bad file in that order is the
    # error, as when reading one by one.
    with ThreadPoolExecutor(max_workers=_threads(len(files))) as pool:
        try:
            for (path, options), (table, info) in zip(files, pool.map(read, files), strict=True):
                if isinstance(options, ShopOptions):
                    if options.kind == "orders":
                        shop_orders.append((table, info))
                    else:
                        shop_leads.append(table)
                    shop_reads.append(info)
                else:
                    frames.append(table)
                    reads.append(info)
                    order = (
                        options.download_order if isinstance(options, ReadOptions) else "content"
                    )
                    downloads.append(DownloadInfo.of(info, order))
                if progress is not None:
                    progress(path)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a bad file stops the reading of the rest
            raise
    facts = pl.concat(frames) if frames else empty_facts()
    kept, replacements = resolve_overlaps(facts, downloads)
    # resolve_overlaps drops whole file-days, so what it dropped is every row of a file-day
    # that no longer appears in ``kept``.
    superseded = (
        facts.join(
            kept.select("source_file", "date").unique(), on=["source_file", "date"], how="anti"
        )
        if replacements
        else facts.clear()
    )
    # A lead exported twice (overlapping downloads) counts once: keyed by its id.
    leads = pl.concat(shop_leads) if shop_leads else pl.DataFrame(schema=LEADS_SCHEMA)
    return Loaded(
        facts=kept.lazy(),
        files=reads,
        replacements=replacements,
        orders=combine_orders(shop_orders),
        leads=leads.unique(subset=["lead_id"], keep="last", maintain_order=True),
        shop_files=shop_reads,
        downloads=downloads,
        superseded=superseded,
    )
