"""Re-downloads count once.

Two exports of one platform and account that share any campaign-day are downloads of the
same report. For every day both cover, the newer file (modification time, then the later
covered date range) supplies the whole day: restated figures replace old ones, a partial
day is replaced by the full one, a campaign renamed between downloads is not counted twice.
Files that share no campaign-day (a Search export beside a Shopping export) add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl


@dataclass(frozen=True)
class Replacement:
    """Days of ``older`` that ``newer`` supplied instead."""

    older: str
    newer: str
    first_day: date
    last_day: date
    days: int
    rows_dropped: int


# Files saved this close together were not downloaded one after the other (a git checkout or
# a copy writes them all at once): their covered date range says which is newer.
SAME_TIME_SECONDS = 60.0


def oldest_first(recency: dict[str, tuple[float, date | None]]) -> list[str]:
    """Files from oldest to newest download: by modification time, and by the later covered
    date range among files saved within ``SAME_TIME_SECONDS`` of each other."""
    by_time = sorted(recency, key=lambda f: (recency[f][0], f))
    groups: list[list[str]] = []
    for name in by_time:
        if groups and recency[name][0] - recency[groups[-1][-1]][0] < SAME_TIME_SECONDS:
            groups[-1].append(name)
        else:
            groups.append([name])
    return [
        name
        for group in groups
        for name in sorted(group, key=lambda f: (recency[f][1] or date.min, recency[f][0], f))
    ]


def resolve_overlaps(
    facts: pl.DataFrame, recency: dict[str, tuple[float, date | None]]
) -> tuple[pl.DataFrame, list[Replacement]]:
    """Drop the rows that a newer download of the same report supersedes.

    ``recency`` maps each source file to (modification time, last covered day); see
    ``oldest_first``. Returns the kept facts and what was replaced, for the data notes.
    """
    if facts.is_empty():
        return facts, []
    order = oldest_first(recency)
    rank = pl.DataFrame(
        {"source_file": order, "rank": list(range(len(order)))},
        schema={"source_file": pl.String, "rank": pl.Int64},
    )
    keys = ["platform", "account", "campaign", "date"]
    cells = facts.select([*keys, "source_file"]).unique().join(rank, on="source_file")
    # Pairs of files that share a campaign-day: the same report, downloaded twice.
    pairs = (
        cells.join(cells, on=keys, suffix="_newer")
        .filter(pl.col("rank_newer") > pl.col("rank"))
        .select(older="source_file", newer="source_file_newer")
        .unique()
    )
    if pairs.is_empty():
        return facts, []
    coverage = facts.group_by("source_file").agg(
        first=pl.col("date").min(), last=pl.col("date").max()
    )
    older_days = facts.select("source_file", "date").unique()
    superseded = (
        pairs.join(older_days, left_on="older", right_on="source_file")
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
    replacements = [
        Replacement(
            older=r["older"],
            newer=r["newer"],
            first_day=r["first"],
            last_day=r["last"],
            days=r["days"],
            rows_dropped=r["rows"] or 0,
        )
        for r in summary.iter_rows(named=True)
    ]
    return kept, replacements
