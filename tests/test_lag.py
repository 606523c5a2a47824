"""Late conversions: maturity curves learned from re-downloads whose truth is known, the plan's
curve where they cannot tell, and the eventual results and daily maturity they imply."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from perfmkt.lag import (
    IMMATURE_BELOW,
    RESULTS,
    Curve,
    daily_maturity,
    eventual,
    learn_curves,
    supplied_on,
)
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.load import load_exports
from perfmkt.sources.overlap import DownloadInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D0 = date(2026, 1, 5)
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
# The demo's curves (sample_data/generate_demo.py, LAG): Google's learnable from its
# re-downloads, Meta's stated by the plan.
DEMO_GOOGLE = (0.70, 0.86, 0.94, 0.98, 1.0)
# A slow curve (a third of the results arrive after the first day): the one to learn.
TRUE = (0.55, 0.78, 0.90, 0.96, 0.985, 1.0)


def at_8am(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), TZ).replace(hour=8).timestamp()


def simulate(
    made_on: list[int],
    window: int,
    *,
    curve: tuple[float, ...] = TRUE,
    days: int = 42,
    rate: float = 4.0,
    campaigns: int = 3,
    seed: int = 0,
    mtime: float | None = None,
    during: tuple[int, ...] = (),
) -> tuple[pl.DataFrame, list[DownloadInfo]]:
    """Downloads of one Google report, made on the given day offsets (each morning, covering
    the ``window`` days up to yesterday), of campaigns whose conversions arrive late.

    Each campaign-day has Poisson(rate × weekday) eventual orders; each order arrives after
    1, 2, 3… days with the probabilities the curve implies, so a download at age a shows the
    orders that arrived by then (a later download holds the earlier one's orders and more).
    Spend is final once the day is over. ``mtime`` replaces every file's modification time (a
    checkout: times that lie). A download in ``during`` is made at 15:00 on that day and
    covers it too: 60 % of the day's spend, 60 % of the orders that arrive the next day; its
    modification time is the next morning's."""
    rng = np.random.default_rng(seed)
    weekday = np.array([1.0, 1.0, 0.9, 1.0, 1.1, 1.3, 1.2])
    means = rate * weekday[[(D0 + timedelta(d)).weekday() for d in range(days)]]
    orders = rng.poisson(np.broadcast_to(means, (campaigns, days)))
    share = np.diff(np.concatenate([[0.0], curve]))
    arrived = np.cumsum([[rng.multinomial(n, share) for n in row] for row in orders], axis=2)
    spend = rng.uniform(0.5e6, 2e6, size=(campaigns, days)).round()
    rows, downloads = [], []
    for t, today in sorted([(t, False) for t in made_on] + [(t, True) for t in during]):
        path = f"google/campaign_report_{t:02d}{'_1500' if today else ''}.csv"
        first, last = max(0, t - window), min(t + today, days) - 1
        for d in range(first, last + 1):
            for c in range(campaigns):
                n = float(arrived[c, d, min(max(t - d, 1), len(curve)) - 1])
                cost = float(spend[c, d])
                if d == t:  # the day still running
                    n, cost = float(rng.binomial(int(n), 0.6)), cost * 0.6
                rows.append(
                    {
                        "date": D0 + timedelta(d),
                        "platform": "google_ads",
                        "account": "123-456-7890",
                        "campaign": f"Campaign {c}",
                        "campaign_id": str(100 + c),
                        "spend": cost,
                        "orders": n,
                        "revenue": n * 250_000.0,
                        "source_file": path,
                    }
                )
        modified = at_8am(D0 + timedelta(t + today))
        downloads.append(
            DownloadInfo(
                path=path,
                platform="google_ads",
                mtime=mtime if mtime is not None else modified,
                first_day=D0 + timedelta(first),
                last_day=D0 + timedelta(last),
                range_start=D0 + timedelta(first),
                range_end=D0 + timedelta(last),
            )
        )
    return pl.DataFrame(rows), downloads


def every_2_to_4_days(days: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    made, t = [], int(rng.integers(2, 5))
    while t <= days:
        made.append(t)
        t += int(rng.integers(2, 5))
    return made


def worst_error(curve: Curve, truth: tuple[float, ...] = TRUE) -> float:
    known = Curve("truth", truth, "", "")
    return max(abs(curve.at(age) - known.at(age)) for age in range(1, 40))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_daily_redownloads_learn_the_true_curve(seed: int) -> None:
    facts, downloads = simulate(list(range(1, 43)), 14, seed=seed)
    curve = learn_curves(facts, downloads, TZ, {})["google_ads"]
    assert curve.source == "learned", curve.detail
    assert worst_error(curve) <= 0.1
    assert curve.maturity[-1] == 1.0 and list(curve.maturity) == sorted(curve.maturity)
    assert curve.detail.startswith("learned from 42 downloads, 41 days seen twice")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_irregular_redownloads_with_lying_modification_times_learn_the_true_curve(
    seed: int,
) -> None:
    # Every 2-4 days, each download covering 3 weeks; every file "modified" months later (a
    # checkout): the day each was made is its last covered day + 1.
    made = every_2_to_4_days(42, seed)
    facts, downloads = simulate(made, 21, seed=seed, mtime=at_8am(date(2026, 11, 24)))
    assert set(supplied_on(downloads, TZ).values()) == {D0 + timedelta(t) for t in made}
    curve = learn_curves(facts, downloads, TZ, {})["google_ads"]
    assert curve.source == "learned", curve.detail
    assert worst_error(curve) <= 0.1
    assert list(curve.maturity) == sorted(curve.maturity) and max(curve.maturity) <= 1.0


def test_a_download_made_during_its_last_day_is_aged_from_that_day() -> None:
    # Downloads every 3 days, and one at 15:00 on day 19 holding 60 % of that day. Its
    # modification time says the next morning (a copy), but the spend the next download shows
    # for day 19 gives it away; the partial day itself teaches nothing about lag.
    facts, downloads = simulate(list(range(3, 43, 3)), 14, seed=3, during=(19,))
    partial = "google/campaign_report_19_1500.csv"
    assert supplied_on(downloads, TZ)[partial] == D0 + timedelta(20)
    refined = supplied_on(downloads, TZ, facts)
    assert refined[partial] == D0 + timedelta(19)
    assert {p: d for p, d in refined.items() if p != partial} == {
        p: d for p, d in supplied_on(downloads, TZ).items() if p != partial
    }
    curve = learn_curves(facts, downloads, TZ, {})["google_ads"]
    assert curve.source == "learned" and worst_error(curve) <= 0.1


def test_hand_checked_two_downloads() -> None:
    # Download A on 12 Jan holds 5..11 Jan at ages 7..1; download B on 19 Jan (5..18 Jan)
    # holds them at ages 14..8, complete. Each day's eventual orders are 1,000: A shows 500
    # of them for the day after (11 Jan), 800 for two days after (10 Jan), all for the older
    # days. So the share after 1 day is 500 / 1,000 = 0.5, after 2 days 800 / 1,000 = 0.8,
    # complete from 3 days; the older days agree, so nothing arrives later than that.
    facts, downloads = two_downloads()
    curve = learn_curves(facts, downloads, TZ, {})["google_ads"]
    assert curve.source == "learned"
    assert len(curve.maturity) == 3
    assert curve.maturity == pytest.approx((0.5, 0.8, 1.0), abs=0.005)  # the prior's pull
    assert curve.detail.startswith(
        "learned from 2 downloads, 7 days seen twice (7,000 results); ±0.0"
    )


def test_a_look_whose_spend_differs_is_no_evidence() -> None:
    # As above, but A's look at 11 Jan has 60 % of the spend B shows (the day was not over,
    # though A's stamp says the next morning): that pair is left out, 6 days remain.
    facts, downloads = two_downloads()
    short = (pl.col("source_file") == "a.csv") & (pl.col("date") == date(2026, 1, 11))
    facts = facts.with_columns(
        pl.when(short).then(pl.col("spend") * 0.6).otherwise(pl.col("spend")).alias("spend")
    )
    stamped = [
        replace(d, made_at=datetime.combine(d.last_day + timedelta(days=1), datetime.min.time()))
        for d in downloads
        if d.last_day
    ]
    curve = learn_curves(facts, stamped, TZ, {})["google_ads"]
    assert curve.detail == (
        "none: re-downloads show 6 days twice, fewer than 7; no conversion_lag in the plan, so "
        "results are taken as complete"
    )


def two_downloads() -> tuple[pl.DataFrame, list[DownloadInfo]]:
    """The hand-checked example's two downloads."""
    shown_a = {11: 500.0, 10: 800.0}
    rows = [
        {
            "date": date(2026, 1, day),
            "platform": "google_ads",
            "account": "1",
            "campaign": "Search",
            "campaign_id": None,
            "spend": 2_000_000.0,
            "orders": shown_a.get(day, 1000.0) if file == "a.csv" else 1000.0,
            "source_file": file,
        }
        for file, last in (("a.csv", 11), ("b.csv", 18))
        for day in range(5, last + 1)
    ]
    facts = pl.DataFrame(rows)
    downloads = [
        DownloadInfo("a.csv", "google_ads", at_8am(date(2026, 1, 12)), date(2026, 1, 5),
                     date(2026, 1, 11)),
        DownloadInfo("b.csv", "google_ads", at_8am(date(2026, 1, 19)), date(2026, 1, 5),
                     date(2026, 1, 18)),
    ]  # fmt: skip
    return facts, downloads


def facts_of(downloads: dict[str, list[int]]) -> tuple[pl.DataFrame, list[DownloadInfo]]:
    """Meta downloads: file -> day offsets covered (10 purchases a day, 1M spend)."""
    rows = [
        {
            "date": D0 + timedelta(d),
            "platform": "meta",
            "account": "act_1",
            "campaign": "TSTH | Prospecting",
            "campaign_id": None,
            "spend": 1e6,
            "orders": 10.0,
            "source_file": file,
        }
        for file, days in downloads.items()
        for d in days
    ]
    infos = [
        DownloadInfo(file, "meta", at_8am(D0 + timedelta(days[-1] + 1)), D0 + timedelta(days[0]),
                     D0 + timedelta(days[-1]))
        for file, days in downloads.items()
    ]  # fmt: skip
    return pl.DataFrame(rows), infos


def test_without_redownloads_the_plan_curve_else_none() -> None:
    facts, downloads = facts_of({"jan.csv": list(range(0, 14)), "feb.csv": list(range(14, 28))})
    planned = learn_curves(facts, downloads, TZ, {"meta": [0.75, 0.9, 0.97]})["meta"]
    assert planned == Curve(
        "meta",
        (0.75, 0.9, 0.97, 1.0),  # complete the day after its last share
        "plan",
        "the plan's conversion_lag: no re-downloads to learn from",
    )
    assert planned.at(0) == planned.at(1) == 0.75 and planned.at(3) == 0.97
    assert planned.at(4) == planned.at(400) == 1.0
    none = learn_curves(facts, downloads, TZ, {"google_ads": [0.5, 1]})["meta"]
    assert none.source == "none" and none.maturity == () and none.at(1) == 1.0
    assert none.detail == (
        "none: no re-downloads to learn from; no conversion_lag in the plan, so results are "
        "taken as complete"
    )


def test_too_few_days_seen_twice_fall_back_to_the_plan() -> None:
    # The second download repeats only 3 days of the first: too little to learn from.
    facts, downloads = facts_of({"a.csv": list(range(0, 14)), "b.csv": list(range(11, 25))})
    curve = learn_curves(facts, downloads, TZ, {"meta": [0.6, 1.0]})["meta"]
    assert (curve.source, curve.maturity) == ("plan", (0.6, 1.0))
    assert curve.detail == (
        "the plan's conversion_lag: re-downloads show 3 days twice, fewer than 7"
    )


def test_too_few_results_fall_back() -> None:
    # Daily re-downloads of a campaign with a conversion every other day.
    facts, downloads = simulate(list(range(1, 15)), 14, rate=0.5, campaigns=1, seed=4)
    curve = learn_curves(facts, downloads, TZ, {"google_ads": [0.8, 1]})["google_ads"]
    assert (curve.source, curve.maturity) == ("plan", (0.8, 1.0))
    assert curve.detail == (
        "the plan's conversion_lag: re-downloads (14 downloads, 13 days seen twice) hold 12 "
        "results, fewer than 100"
    )


def test_ages_no_pair_reaches_are_not_guessed() -> None:
    # Plenty of re-downloads, each stamped on the day it was made but holding days only up to
    # three days before: no day is seen 1 or 2 days after it, so the share then is unknown.
    facts, downloads = simulate(list(range(4, 43, 2)), 21, seed=6)
    made = {d.path: D0 + timedelta(int(d.path[-6:-4])) for d in downloads}
    facts = facts.filter(
        pl.col("date") <= pl.col("source_file").replace_strict(made) - timedelta(days=3)
    )
    downloads = [
        replace(
            d,
            made_at=datetime.combine(made[d.path], datetime.min.time()),
            last_day=made[d.path] - timedelta(days=3),
            range_end=made[d.path] - timedelta(days=3),
        )
        for d in downloads
    ]
    curve = learn_curves(facts, downloads, TZ, {})["google_ads"]
    assert curve.source == "none"
    assert "tell the share after 1 day only to ±0." in curve.detail
    assert ", wider than ±0.1; no conversion_lag" in curve.detail


def test_a_learned_curve_wins_over_the_plan_and_says_so() -> None:
    facts, downloads = simulate(list(range(1, 43)), 14, seed=5)
    curve = learn_curves(facts, downloads, TZ, {"google_ads": [0.9, 1]})["google_ads"]
    assert curve.source == "learned"
    gap = max(abs(curve.at(a) - Curve("", (0.9, 1.0), "", "").at(a)) for a in range(1, 9))
    assert curve.detail.endswith(
        f"; used instead of the plan's conversion_lag, which differs by up to {gap:.2f}"
    )
    assert gap > 0.3  # the plan believed 0.9 after a day; the data say about 0.55


def test_supplied_on_stamps_and_modification_times() -> None:
    jan = {"first_day": date(2026, 1, 1), "last_day": date(2026, 1, 31)}
    downloads = [
        # modified long after: held to the day after its last day
        DownloadInfo("late.csv", "google_ads", at_8am(date(2026, 6, 1)), **jan),
        # modified (in the plan's time zone) on its last day: kept
        DownloadInfo("same.csv", "google_ads", at_8am(date(2026, 1, 31)), **jan),
        # "modified" before its last day (a clock or a copy): held to its last day
        DownloadInfo("early.csv", "google_ads", at_8am(date(2026, 1, 2)), **jan),
        # a stated range decides covers_to
        DownloadInfo(
            "range.csv", "meta", at_8am(date(2026, 6, 1)), **jan, range_end=date(2026, 2, 2)
        ),
        # a platform stamp is the day, even weeks later; never before the last day
        DownloadInfo("stamp.csv", "linkedin", 0.0, **jan, made_at=datetime(2026, 3, 1, 23, 30)),
        DownloadInfo("odd.csv", "linkedin", 0.0, **jan, made_at=datetime(2026, 1, 20, 9, 0)),
        DownloadInfo(
            "utc.csv",
            "linkedin",
            0.0,
            **jan,
            made_at=datetime.fromisoformat("2026-03-01T20:00:00+00:00"),  # 2 Mar in Hanoi
        ),
    ]
    assert supplied_on(downloads, TZ) == {
        "late.csv": date(2026, 2, 1),
        "same.csv": date(2026, 1, 31),
        "early.csv": date(2026, 1, 31),
        "range.csv": date(2026, 2, 3),
        "stamp.csv": date(2026, 3, 1),
        "odd.csv": date(2026, 1, 31),
        "utc.csv": date(2026, 3, 2),
    }


def claimed() -> pl.DataFrame:
    """Claimed rows of two platforms and a shop row with no download day."""
    return pl.DataFrame(
        {
            "date": [date(2026, 2, 3), date(2026, 2, 2), date(2026, 1, 20), date(2026, 2, 3),
                     date(2026, 2, 3), date(2026, 2, 1)],
            "platform": ["google_ads", "google_ads", "google_ads", "meta", "tiktok", "google_ads"],
            "source_file": ["g.csv", "g.csv", "g.csv", "m.csv", "t.csv", "unknown.csv"],
            "campaign": ["A", "A", "A", "B", "C", "D"],
            "spend": [100.0, 200.0, 300.0, 300.0, 50.0, 10.0],
            "orders": [35.0, 9.0, 4.0, 50.0, None, 2.0],
            "revenue": [7e6, 1.8e6, 8e5, 1e7, None, 4e5],
            "conversions": [35.0, 9.0, 4.0, 50.0, 0.0, 2.0],
        }
    )  # fmt: skip


CURVES = {
    "google_ads": Curve("google_ads", (0.7, 0.9, 1.0), "learned", ""),
    "meta": Curve("meta", (0.5, 1.0), "plan", ""),  # m.csv made 3 days after: complete
    "tiktok": Curve("tiktok", (), "none", ""),
}
MADE = {"g.csv": date(2026, 2, 4), "m.csv": date(2026, 2, 6), "t.csv": date(2026, 2, 4)}


def test_eventual_divides_results_by_the_maturity_at_their_age() -> None:
    rows = claimed()
    before = rows.clone()
    out = eventual(rows, CURVES, MADE)
    assert rows.equals(before)  # the raw frame is untouched
    assert out.columns == [*rows.columns, "maturity"]
    # ages: 1 (0.7), 2 (0.9), 15 (1), meta 3 (past its curve: 1), tiktok none, unknown file
    assert out["maturity"].to_list() == [0.7, 0.9, 1.0, 1.0, 1.0, 1.0]
    assert out["orders"].to_list() == pytest.approx([50.0, 10.0, 4.0, 50.0, None, 2.0])
    assert out["revenue"].to_list()[:2] == pytest.approx([1e7, 2e6])
    assert out["conversions"].to_list()[:2] == pytest.approx([50.0, 10.0])
    untouched = [c for c in rows.columns if c not in RESULTS]
    assert out.select(untouched).equals(rows.select(untouched))  # spend, dates, names as read


def test_daily_maturity_is_a_ratio_of_sums() -> None:
    out = eventual(claimed(), CURVES, MADE)
    daily = daily_maturity(out, "orders", date(2026, 1, 31), date(2026, 2, 3))
    assert daily["date"].to_list() == [date(2026, 1, 31) + timedelta(d) for d in range(4)]
    # 3 Feb: Google 35 of 50 and Meta 50 of 50 (TikTok has no orders): 85 / 100
    # 2 Feb: 9 of 10; 1 Feb: an unknown file's day, complete; 31 Jan: no rows
    assert daily["maturity"].to_list() == pytest.approx([1.0, 1.0, 0.9, 0.85])
    assert daily["maturity"][-1] < IMMATURE_BELOW
    # A day without results weighs its rows' maturity by spend: (100 × 0.7 + 300 × 1) / 400
    no_results = out.with_columns(pl.lit(0.0).alias("orders"))
    weighed = daily_maturity(no_results, "orders", date(2026, 2, 3), date(2026, 2, 3))
    assert weighed["maturity"].to_list() == pytest.approx([(70 + 300 + 50) / 450])
    leads = daily_maturity(out, "leads", date(2026, 2, 2), date(2026, 2, 2))  # no such column
    assert leads["maturity"].to_list() == pytest.approx([0.9])


@pytest.mark.parametrize("cache", [True, False])
def test_loaded_keeps_downloads_and_superseded_rows(
    tmp_path: Path, cache: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's exports, copied (modification times now: they lie), read with and without the
    # cache (twice with it: the second read is from the cache).
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(tmp_path / "cache"))
    for folder in ("google", "meta"):
        shutil.copytree(DEMO / folder, tmp_path / folder)
    files = [(p, ReadOptions()) for p in sorted(tmp_path.glob("*/*.csv"))]
    for _ in range(2 if cache else 1):
        loaded = load_exports(files, cache=cache)
    assert [d.path for d in loaded.downloads] == [str(p) for p, _ in files]
    kept = loaded.facts.collect()
    old, restated = (str(tmp_path / "google" / f"campaign_report_2026-{r}.csv")
                     for r in ("01-05_2026-01-18", "01-12_2026-02-01"))  # fmt: skip
    summary = (
        loaded.superseded.group_by("source_file")
        .agg(pl.col("date").min(), pl.col("date").max().alias("last"), pl.len())
        .sort("source_file")
    )
    assert summary.rows() == [
        (old, date(2026, 1, 12), date(2026, 1, 18), 28),
        (restated, date(2026, 1, 26), date(2026, 2, 1), 28),
    ]
    assert loaded.superseded.columns == kept.columns
    # what a newer download supplied instead is gone from the facts, and only that
    assert kept.join(loaded.superseded, on=["source_file", "date"], how="semi").is_empty()
    google = kept.filter(pl.col("platform") == "google_ads")
    assert google.filter(pl.col("date").is_between(date(2026, 1, 12), date(2026, 1, 18)))[
        "source_file"
    ].unique().to_list() == [restated]
    everything = pl.concat([kept, loaded.superseded])
    curves = learn_curves(everything, loaded.downloads, TZ, {"meta": [0.75, 0.9, 0.97, 1]})
    google, meta = curves["google_ads"], curves["meta"]
    assert google.source == "learned" and worst_error(google, DEMO_GOOGLE) <= 0.1
    assert google.detail.startswith("learned from 3 downloads, 13 days seen twice")
    assert (meta.source, meta.maturity) == ("plan", (0.75, 0.9, 0.97, 1.0))
    assert os.environ["PERFMKT_CACHE_DIR"] == str(tmp_path / "cache")
    assert (tmp_path / "cache").is_dir() == cache


def test_redownloads_without_result_counts_teach_nothing() -> None:
    facts, downloads = facts_of({"a.csv": list(range(0, 14)), "b.csv": list(range(0, 20))})
    curve = learn_curves(facts.with_columns(orders=None), downloads, TZ, {})["meta"]
    assert curve.detail == (
        "none: re-downloads show no orders, conversions or leads to learn from; no "
        "conversion_lag in the plan, so results are taken as complete"
    )
