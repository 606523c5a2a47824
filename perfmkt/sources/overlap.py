"""Re-downloads count once.

Two exports of one platform and account that share any campaign-day are downloads of the
same report. For every day both cover, the newer download supplies the whole day: restated
figures replace old ones, a partial day is replaced by the full one, a campaign renamed between
downloads is not counted twice. Files that share no campaign-day (a Search export beside a
Shopping export) add up. A campaign-day is matched by the campaign's id where both rows have
one (Google, Meta, TikTok, Microsoft and LinkedIn exports can carry a ``Campaign ID``), by its
name otherwise: a re-download in which every campaign was renamed still overlaps.

Which download is newer. Modification times lie: copying, an Excel re-save, an email
attachment or a git checkout changes them. So by default (``download_order: content``) the files
say it, compared in this order; the first difference decides:

1. When every download of the platform carries the time the platform made it (LinkedIn's
   ``Date Generated``; Microsoft's ``Last Completed Available Day/Hour``, the time its data
   was complete to, which a later download never has earlier), the later one is newer.
2. The download reaching further is newer: the last day of the range it states (Google's
   ``27 January 2026 - 23 February 2026`` line, Microsoft's ``Report Time``, LinkedIn's
   ``Report End``, Meta's ``Reporting ends``), else the day of its last row. Nobody downloads
   a day before it starts, so a download that covers a later day was made later; one that
   covers up to the same day may be older or newer — the next rule decides.
3. Both cover up to the same day: the later modification time (the only thing left; the
   notes say "modified later" so a reader knows what decided).
4. Same modification time too: the later file name, so the order is the same on every run.

Known limit: a shorter, older range downloaded after a longer one (re-checking January after
downloading January and February) is taken as the older download. The notes say why each file
supplied its days; ``download_order: name`` (dated file names, numbers compared as numbers) or
``download_order: modified`` (modification time alone, when it can be trusted) decide instead.
Downloads of one report read with different ``download_order:`` settings are an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.sources.base import DownloadOrder

if TYPE_CHECKING:
    from perfmkt.sources.reader import FileRead


@dataclass(frozen=True)
class Replacement:
    """Days of ``older`` that ``newer`` supplied instead, and why ``newer`` is the newer."""

    older: str
    newer: str
    first_day: date
    last_day: date
    days: int
    rows_dropped: int
    reason: str = ""


@dataclass(frozen=True)
class DownloadInfo:
    """What orders one file among the downloads of its report."""

    path: str
    platform: str
    mtime: float
    first_day: date | None = None  # of its rows
    last_day: date | None = None
    range_start: date | None = None  # as the export states it
    range_end: date | None = None
    made_at: datetime | None = None  # as the platform stamped it
    made_at_from: str = ""
    order: DownloadOrder = "content"

    @classmethod
    def of(cls, read: FileRead, order: DownloadOrder = "content") -> DownloadInfo:
        """``read``'s fields of the same names, and the source's ``download_order:``."""
        shared = {f.name: getattr(read, f.name) for f in fields(cls) if f.name != "order"}
        return cls(**shared, order=order)

    @property
    def covers_from(self) -> date | None:
        return self.range_start or self.first_day

    @property
    def covers_to(self) -> date | None:
        return self.range_end or self.last_day


def _natural(name: str) -> tuple[Any, ...]:
    """``report (2)`` < ``report (10)``; ``meta_2026-01-25`` < ``meta_2026-02-01``."""
    stem = PurePath(name).stem
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", stem))


def _key(d: DownloadInfo, stamped: bool) -> tuple[Any, ...]:
    """The sort key of one download: oldest first (see the module docstring)."""
    name = (_natural(d.path), d.path)
    if d.order == "name":
        return name
    if d.order == "modified":
        return (d.mtime, name)
    stamp = d.made_at or datetime.min
    end = d.covers_to or date.min
    if stamped:
        return (stamp, end, d.mtime, name)
    return (end, stamp, d.mtime, name)


def _groups(downloads: list[DownloadInfo]) -> dict[tuple[str, str], list[DownloadInfo]]:
    """Downloads by platform and ``download_order`` (only downloads of one report are ever
    compared)."""
    groups: dict[tuple[str, str], list[DownloadInfo]] = {}
    for d in downloads:
        groups.setdefault((d.platform, d.order), []).append(d)
    return groups


def _stamped(downloads: list[DownloadInfo]) -> bool:
    return all(d.made_at is not None for d in downloads)


def oldest_first(downloads: list[DownloadInfo]) -> list[str]:
    """Paths from the oldest download to the newest, each group (``_groups``) on its own."""
    ordered: list[str] = []
    for group in _groups(downloads).values():
        stamped = _stamped(group)
        ordered += [d.path for d in sorted(group, key=lambda d: _key(d, stamped))]
    return ordered


def _when(stamp: datetime) -> str:
    return stamp.isoformat(sep=" ", timespec="minutes")


def reason(older: DownloadInfo, newer: DownloadInfo, stamped: bool) -> str:
    """Why ``newer`` is the newer of two downloads of one report, in the words of the rule
    that decided (the first one on which they differ)."""
    if newer.order == "name":
        return "named later (download_order: name)"
    if newer.order == "modified":
        if newer.mtime != older.mtime:
            return "modified later (download_order: modified)"
        return "same modification time; named later (download_order: modified)"
    if stamped and newer.made_at != older.made_at:
        assert newer.made_at is not None and older.made_at is not None
        return (
            f"{newer.made_at_from or 'made'} {_when(newer.made_at)}, later than "
            f"{_when(older.made_at)}"
        )
    if newer.covers_to != older.covers_to:
        return f"covers up to {newer.covers_to}, later than {older.covers_to}"
    if not stamped and newer.made_at != older.made_at and older.made_at and newer.made_at:
        return (
            f"both cover up to {newer.covers_to}; {newer.made_at_from or 'made'} "
            f"{_when(newer.made_at)}, later than {_when(older.made_at)}"
        )
    same = (
        "same range"
        if newer.covers_from == older.covers_from
        else f"both cover up to {newer.covers_to}"
    )
    if newer.mtime != older.mtime:
        return f"{same}; modified later"
    return f"{same} and modification time; named later"


def _pairs(facts: pl.DataFrame) -> pl.DataFrame:
    """Pairs of files (``a`` < ``b`` by path) sharing a campaign-day: by campaign id where both
    rows have one, by name where either has none."""
    cells = facts.select(
        "platform", "account", "campaign", "campaign_id", "date", "source_file"
    ).unique()
    with_id = cells.filter(pl.col("campaign_id").is_not_null())
    by_id = with_id.join(
        with_id, on=["platform", "account", "campaign_id", "date"], suffix="_b"
    ).filter(pl.col("source_file") < pl.col("source_file_b"))
    by_name = cells.join(cells, on=["platform", "account", "campaign", "date"], suffix="_b").filter(
        (pl.col("source_file") < pl.col("source_file_b"))
        & (pl.col("campaign_id").is_null() | pl.col("campaign_id_b").is_null())
    )
    return pl.concat(
        [
            by_id.select(a="source_file", b="source_file_b"),
            by_name.select(a="source_file", b="source_file_b"),
        ]
    ).unique()


def resolve_overlaps(
    facts: pl.DataFrame, downloads: list[DownloadInfo]
) -> tuple[pl.DataFrame, list[Replacement]]:
    """Drop the rows that a newer download of the same report supersedes.

    ``downloads`` describes every source file in ``facts`` (see ``DownloadInfo``; the order
    rules are in the module docstring). Returns the kept facts and what was replaced, with
    the reason, for the data notes.
    """
    if facts.is_empty():
        return facts, []
    info = {d.path: d for d in downloads}
    pairs = _pairs(facts)
    if pairs.is_empty():
        return facts, []
    for a, b in pairs.iter_rows():
        if info[a].order != info[b].order:
            raise ExportError(
                f"{a} and {b} are downloads of one report read with different "
                f"download_order: settings ({info[a].order} and {info[b].order})",
                path=b,
                hint="give their sources the same download_order:",
            )
    order = oldest_first(list(info.values()))
    rank = pl.DataFrame(
        {"source_file": order, "rank": list(range(len(order)))},
        schema={"source_file": pl.String, "rank": pl.Int64},
    )
    oriented = (
        pairs.join(rank, left_on="a", right_on="source_file")
        .join(rank, left_on="b", right_on="source_file", suffix="_b")
        .select(
            older=pl.when(pl.col("rank") < pl.col("rank_b")).then("a").otherwise("b"),
            newer=pl.when(pl.col("rank") < pl.col("rank_b")).then("b").otherwise("a"),
        )
    )
    # The days each newer download covers: its stated range, else its rows' first to last day.
    coverage = pl.DataFrame(
        {
            "source_file": order,
            "first": [info[f].covers_from for f in order],
            "last": [info[f].covers_to for f in order],
        },
        schema={"source_file": pl.String, "first": pl.Date, "last": pl.Date},
    )
    older_days = facts.select("source_file", "date").unique()
    superseded = (
        oriented.join(older_days, left_on="older", right_on="source_file")
        .join(coverage, left_on="newer", right_on="source_file")
        .filter(pl.col("date").is_between(pl.col("first"), pl.col("last")))
        .join(rank, left_on="newer", right_on="source_file")
        # The newest file covering the day supplies it; report that one.
        .sort("rank", descending=True)
        .unique(subset=["older", "date"], keep="first")
        .select("older", "newer", "date")
    )
    kept = facts.join(
        superseded.select(source_file="older", date="date"),
        on=["source_file", "date"],
        how="anti",
    )
    dropped_rows = (
        facts.join(superseded, left_on=["source_file", "date"], right_on=["older", "date"])
        .group_by("source_file", "newer")
        .agg(rows=pl.len())
    )
    summary = (
        superseded.group_by("older", "newer")
        .agg(first=pl.col("date").min(), last=pl.col("date").max(), days=pl.len())
        .join(
            dropped_rows,
            left_on=["older", "newer"],
            right_on=["source_file", "newer"],
            how="left",
        )
        .sort("older", "first")
    )
    stamped = {key: _stamped(group) for key, group in _groups(downloads).items()}
    replacements = [
        Replacement(
            older=r["older"],
            newer=r["newer"],
            first_day=r["first"],
            last_day=r["last"],
            days=r["days"],
            rows_dropped=r["rows"] or 0,
            reason=reason(
                info[r["older"]],
                info[r["newer"]],
                stamped[(info[r["newer"]].platform, info[r["newer"]].order)],
            ),
        )
        for r in summary.iter_rows(named=True)
    ]
    return kept, replacements
