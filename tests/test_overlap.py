"""Re-downloads count once; exports that share no campaign-day add up."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt.schema import FACTS_SCHEMA
from perfmkt.sources.overlap import oldest_first, resolve_overlaps

D0 = date(2026, 1, 1)


def facts(file: str, rows: list[tuple[int, str, float]], platform: str = "google_ads"):
    """rows: (day offset, campaign, spend)."""
    return pl.DataFrame(
        [
            {
                "date": D0 + timedelta(days=d),
                "platform": platform,
                "account": "",
                "campaign": c,
                "spend": s,
                "source_file": file,
                "row": i + 2,
            }
            for i, (d, c, s) in enumerate(rows)
        ],
        schema={
            k: FACTS_SCHEMA[k]
            for k in ("date", "platform", "account", "campaign", "spend", "source_file", "row")
        },
    )


def spend_by_day(frame: pl.DataFrame) -> dict[date, float]:
    return dict(frame.group_by("date").agg(pl.col("spend").sum()).iter_rows())


@settings(max_examples=100, deadline=None)
@given(
    days=st.integers(2, 20),
    campaigns=st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True),
    data=st.data(),
)
def test_overlapping_redownloads_never_double_count(
    days: int, campaigns: list[str], data: st.DataObject
) -> None:
    truth = {
        (d, c): data.draw(st.integers(0, 10**6)).__float__() for d in range(days) for c in campaigns
    }
    # Downloads in time order, each covering a range; the last one covers up to the end.
    cuts = sorted(data.draw(st.lists(st.integers(0, days - 1), min_size=1, max_size=4)))
    frames, recency = [], {}
    for n, first in enumerate(cuts):
        last = days - 1 if n == len(cuts) - 1 else data.draw(st.integers(first, days - 1))
        newest = n == len(cuts) - 1
        rows = [
            # older downloads may hold stale or partial figures for any day
            (d, c, truth[(d, c)] if newest else truth[(d, c)] * data.draw(st.floats(0, 1)))
            for d in range(first, last + 1)
            for c in campaigns
        ]
        name = f"file{n}.csv"
        frames.append(facts(name, rows))
        recency[name] = (1000.0 + 3600 * n, D0 + timedelta(days=last))
    all_rows = pl.concat(frames)
    kept, _ = resolve_overlaps(all_rows, recency)
    got = spend_by_day(kept)
    # every day the newest download covers comes from it, once
    newest_first = cuts[-1]
    for d in range(newest_first, days):
        day = D0 + timedelta(days=d)
        assert got[day] == sum(truth[(d, c)] for c in campaigns)
    # re-reading the newest export again changes nothing
    again = pl.concat([all_rows, frames[-1].with_columns(source_file=pl.lit("copy.csv"))])
    recency_again = {**recency, "copy.csv": (1000.0 + 3600 * (len(cuts) + 1), None)}
    kept_again, _ = resolve_overlaps(again, recency_again)
    assert spend_by_day(kept_again) == got


def test_exports_sharing_no_campaign_day_add_up() -> None:
    search = facts("search.csv", [(0, "Search", 10.0), (1, "Search", 20.0)])
    shopping = facts("shopping.csv", [(0, "Shopping", 1.0), (1, "Shopping", 2.0)])
    recency = {"search.csv": (1.0, None), "shopping.csv": (5000.0, None)}
    kept, replaced = resolve_overlaps(pl.concat([search, shopping]), recency)
    assert kept.height == 4 and replaced == []


def test_a_combined_redownload_replaces_only_the_days_it_covers() -> None:
    """Search and Shopping exports for days 0-3, then one file with both for days 2-4."""
    search = facts("search.csv", [(d, "Search", 10.0) for d in range(4)])
    shopping = facts("shopping.csv", [(d, "Shopping", 1.0) for d in range(4)])
    both = facts("both.csv", [(d, c, 100.0) for d in range(2, 5) for c in ("Search", "Shopping")])
    recency = {"search.csv": (1.0, None), "shopping.csv": (2.0, None), "both.csv": (9999.0, None)}
    kept, replaced = resolve_overlaps(pl.concat([search, shopping, both]), recency)
    assert spend_by_day(kept) == {
        D0: 11.0,
        D0 + timedelta(1): 11.0,
        D0 + timedelta(2): 200.0,
        D0 + timedelta(3): 200.0,
        D0 + timedelta(4): 200.0,
    }
    assert {(r.older, r.newer, r.days, r.rows_dropped) for r in replaced} == {
        ("search.csv", "both.csv", 2, 2),
        ("shopping.csv", "both.csv", 2, 2),
    }


def test_renamed_campaign_is_not_counted_twice() -> None:
    old = facts("old.csv", [(0, "Brand", 5.0), (0, "Tet_v1", 50.0), (1, "Tet_v1", 50.0)])
    new = facts("new.csv", [(0, "Brand", 5.0), (0, "Tet_v2", 60.0), (1, "Tet_v2", 70.0)])
    recency = {"old.csv": (1.0, None), "new.csv": (7200.0, None)}
    kept, _ = resolve_overlaps(pl.concat([old, new]), recency)
    assert spend_by_day(kept) == {D0: 65.0, D0 + timedelta(1): 70.0}


def test_files_saved_together_are_ordered_by_covered_range() -> None:
    recency = {
        "b.csv": (100.0, date(2026, 1, 31)),
        "a.csv": (100.5, date(2026, 1, 20)),  # written half a second later by a checkout
        "c.csv": (10_000.0, date(2026, 1, 10)),  # really downloaded later
    }
    assert oldest_first(recency) == ["a.csv", "b.csv", "c.csv"]
