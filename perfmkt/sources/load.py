"""Load every export a plan names into one frame of unified daily facts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
    shop: dict[str, list[pl.DataFrame]] = {"orders": [], "leads": []}
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
                    shop[options.kind].append(table)
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
    # An order or lead exported twice (overlapping downloads) counts once: keyed by its id.
    orders = pl.concat(shop["orders"]) if shop["orders"] else pl.DataFrame(schema=ORDERS_SCHEMA)
    leads = pl.concat(shop["leads"]) if shop["leads"] else pl.DataFrame(schema=LEADS_SCHEMA)
    return Loaded(
        facts=kept.lazy(),
        files=reads,
        replacements=replacements,
        orders=pl.concat(
            [
                orders.filter(pl.col("order_id").is_not_null()).unique(
                    subset=["order_id"], keep="last", maintain_order=True
                ),
                orders.filter(pl.col("order_id").is_null()),  # a day's totals: no id to key on
            ]
        ),
        leads=leads.unique(subset=["lead_id"], keep="last", maintain_order=True),
        shop_files=shop_reads,
        downloads=downloads,
        superseded=superseded,
    )
