"""Every catalog formula against hand-computed values; ratios are ratios of sums."""

from __future__ import annotations

import polars as pl
import pytest

from perfmkt.metrics import CATALOG, Direction, volumes_needed, with_metrics

# Two days of summed volumes; totals: spend 300, impressions 30,000, reach 12,000, clicks 600,
# conversions 30, leads 20, qualified 5, orders 12, revenue 1,200.
DAYS = pl.DataFrame(
    {
        "spend": [100.0, 200.0],
        "impressions": [10_000.0, 20_000.0],
        "reach": [4_000.0, 8_000.0],
        "clicks": [100.0, 500.0],
        "conversions": [10.0, 20.0],
        "leads": [5.0, 15.0],
        "qualified_leads": [1.0, 4.0],
        "orders": [2.0, 10.0],
        "revenue": [400.0, 800.0],
    }
)

HAND = {
    "ctr": 600 / 30_000,
    "cpc": 300 / 600,
    "cpm": 300 / 30_000 * 1000,
    "cvr": 30 / 600,
    "cpa": 300 / 30,
    "cpl": 300 / 20,
    "cpql": 300 / 5,
    "cpo": 300 / 12,
    "aov": 1200 / 12,
    "roas": 1200 / 300,
    "cir": 300 / 1200,
    "roi": (1200 * 0.4 - 300) / 300,
    "frequency": 30_000 / 12_000,
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_formula_on_summed_volumes(name: str) -> None:
    totals = DAYS.sum().lazy()
    value = with_metrics(totals, [name], margin=0.4).collect()[name].item()
    assert value == pytest.approx(HAND[name])


def test_ratio_of_sums_not_average_of_daily_ratios() -> None:
    daily_cpo = with_metrics(DAYS.lazy(), ["cpo"]).collect()["cpo"]  # 50 and 20
    assert daily_cpo.mean() == pytest.approx(35)
    total = with_metrics(DAYS.sum().lazy(), ["cpo"]).collect()["cpo"].item()
    assert total == pytest.approx(25)


def test_zero_or_missing_denominator_is_no_value() -> None:
    frame = pl.DataFrame({"spend": [100.0, 0.0, 5.0], "orders": [0.0, 0.0, None]})
    assert with_metrics(frame.lazy(), ["cpo"]).collect()["cpo"].to_list() == [None, None, None]


def test_directions_follow_the_design() -> None:
    lower = {n for n, m in CATALOG.items() if m.direction is Direction.LOWER}
    assert lower == {"cpc", "cpm", "cpa", "cpl", "cpql", "cpo", "cir", "cpv", "cpnc"}
    assert CATALOG["spend"].direction is Direction.BUDGET
    assert CATALOG["roas"].direction is Direction.HIGHER


def test_volumes_needed() -> None:
    assert volumes_needed(["cpo", "roas", "orders"]) == ["spend", "orders", "revenue"]
