"""Pacing invariants (hypothesis) and hand-checked edge cases."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt import pacing
from perfmkt.metrics import VOLUMES, Direction
from perfmkt.plan import Plan, StatusBands
from perfmkt.targets import daily_targets
from tests.conftest import make_plan as _make_plan

START = date(2026, 1, 5)


def make_plan(days: int, kpis: dict, timeline: list | None = None, **extra: object) -> Plan:
    return _make_plan(START, days, kpis, timeline, **extra)


def actuals_from(targets: pl.DataFrame, elapsed: int, factor: dict[str, float]) -> pl.DataFrame:
    """Daily actuals equal to the plan's daily targets times a factor per volume."""
    frame = targets.head(elapsed)
    return frame.select(
        "date",
        *[
            (pl.col(v) * factor.get(v, 1.0) if v in frame.columns else pl.lit(None))
            .cast(pl.Float64)
            .alias(v)
            for v in VOLUMES
        ],
    )


@settings(max_examples=80, deadline=None)
@given(
    days=st.integers(2, 90),
    data=st.data(),
    spend=st.integers(1_000, 10**10),
    orders=st.integers(1, 10**5),
    aov=st.floats(1, 10**6),
)
def test_exactly_on_plan_is_100_percent_on_track(
    days: int, data: st.DataObject, spend: int, orders: int, aov: float
) -> None:
    ramp = data.draw(st.floats(0.05, 0.6))  # the first week carries a smaller share
    week = min(7, days - 1)
    timeline = [
        {
            "start": START,
            "end": START + timedelta(days=week - 1),
            "spend": spend * ramp,
            "orders": orders * ramp * 0.8,
            "revenue": orders * aov * ramp * 0.7,
        }
    ]
    plan = make_plan(
        days,
        {
            "spend": spend,
            "orders": orders,
            "revenue": orders * aov,
            "cpo": spend / orders,
            "roas": orders * aov / spend,
        },
        timeline,
    )
    targets = daily_targets(plan)
    elapsed = data.draw(st.integers(1, days))
    as_of = START + timedelta(days=elapsed - 1)
    rows = pacing.pace_kpis(plan, actuals_from(targets, elapsed, {}), targets, as_of)
    for k in rows:
        assert k.pace == pytest.approx(1.0, rel=1e-9), k.name
        assert k.status == "on_track", k.name
        assert k.projection == pytest.approx(k.target_total, rel=1e-9), k.name


@settings(max_examples=40, deadline=None)
@given(cheaper=st.floats(0.5, 0.99), elapsed=st.integers(1, 30))
def test_lower_better_kpi_paces_above_one_when_cheaper(cheaper: float, elapsed: int) -> None:
    plan = make_plan(30, {"spend": 3_000_000, "orders": 300, "cpo": 10_000})
    targets = daily_targets(plan)
    actual = actuals_from(targets, elapsed, {"spend": cheaper})
    as_of = START + timedelta(days=elapsed - 1)
    cpo = next(k for k in pacing.pace_kpis(plan, actual, targets, as_of) if k.name == "cpo")
    assert cpo.actual_to_date == pytest.approx(10_000 * cheaper)
    assert cpo.pace == pytest.approx(1 / cheaper)
    assert cpo.pace > 1


def test_status_bands() -> None:
    bands = StatusBands()
    assert pacing.status_for(1.2, Direction.BUDGET, bands) == "overspend"
    assert pacing.status_for(1.2, Direction.HIGHER, bands) == "on_track"
    assert pacing.status_for(0.95, Direction.HIGHER, bands) == "on_track"
    assert pacing.status_for(0.9, Direction.LOWER, bands) == "at_risk"
    assert pacing.status_for(0.84, Direction.BUDGET, bands) == "off_track"
    assert pacing.status_for(None, Direction.HIGHER, bands) == "no_data"
    custom = StatusBands(on_track=0.9, at_risk=0.7, overspend=1.2)
    assert pacing.status_for(0.91, Direction.HIGHER, custom) == "on_track"
    assert pacing.status_for(1.15, Direction.BUDGET, custom) == "on_track"


def test_run_rate_projection_and_no_orders() -> None:
    """10 days, 1,000 a day planned; 4 days at 500, no orders: run rate 500 × 6 days left."""
    plan = make_plan(
        10,
        {"spend": 10_000, "orders": 10, "cpo": 1_000},
        projection={"method": "run_rate", "window_days": 7},
    )
    targets = daily_targets(plan)
    actual = actuals_from(targets, 4, {"spend": 0.5, "orders": 0.0})
    rows = {k.name: k for k in pacing.pace_kpis(plan, actual, targets, START + timedelta(3))}
    assert rows["spend"].projection == pytest.approx(2_000 + 500 * 6)
    assert rows["spend"].status == "off_track"  # underspend is a problem too
    assert rows["orders"].actual_to_date == 0
    assert rows["cpo"].actual_to_date is None  # no orders: no CPO, never infinity
    # 2,000 spent and no order: no pace, but off track, not "no data"
    assert rows["cpo"].pace is None and rows["cpo"].status == "off_track"
    assert rows["cpo"].required_daily == pytest.approx((1_000 * 10 - 2_000) / 10)


def test_before_the_flight_starts_nothing_is_expected() -> None:
    plan = make_plan(10, {"spend": 10_000, "cpo": 1_000, "orders": 10})
    targets = daily_targets(plan)
    empty = actuals_from(targets, 0, {})
    rows = pacing.pace_kpis(plan, empty, targets, START - timedelta(days=1))
    for k in rows:
        assert k.pace is None and k.status == "no_data"
    assert rows[0].required_daily == pytest.approx(1_000)


def test_last_day_has_no_required_rate() -> None:
    plan = make_plan(3, {"spend": 300})
    targets = daily_targets(plan)
    (spend,) = pacing.pace_kpis(plan, actuals_from(targets, 3, {}), targets, START + timedelta(2))
    assert spend.required_daily is None
    assert spend.projection == pytest.approx(300)


def test_weekly_ratio_targets_follow_what_the_periods_plan() -> None:
    """14 days from Monday 5 Jan; W02 plans 20 orders at CPO 300,000, so 6,000,000 spend. W03
    has the rest: 4,000,000 spend for 80 orders, CPO 50,000. The flight's own CPO target
    (10,000,000 / 100 = 100,000) agrees with its totals, so the weeks show their own CPO."""
    plan = make_plan(
        14,
        {"spend": 10_000_000, "orders": 100, "cpo": 100_000},
        [{"week": "2026-W02", "orders": 20, "cpo": 300_000}],
    )
    targets = daily_targets(plan)
    actuals = actuals_from(targets, 14, {})
    weeks = pacing.weekly_table(plan, actuals, targets, START + timedelta(13))
    assert weeks["spend_target"].to_list() == pytest.approx([6_000_000, 4_000_000])
    assert weeks["orders_target"].to_list() == pytest.approx([20, 80])
    assert weeks["cpo_target"].to_list() == pytest.approx([300_000, 50_000])
    assert weeks["cpo_status"].to_list() == ["on_track", "on_track"]


def test_spend_where_none_was_planned_is_overspend_with_its_amount() -> None:
    """W02 plans no spend; 3 days of 150 spend are 450 where 0 was planned: overspend, no pace,
    and the alert says the amount."""
    from perfmkt.alerts import status_alerts

    plan = make_plan(14, {"spend": 1_400}, [{"week": "2026-W02", "spend": 0}])
    days = [START + timedelta(i) for i in range(3)]
    actuals = pl.DataFrame(
        {"date": days, **{v: [150.0 if v == "spend" else None] * 3 for v in VOLUMES}},
        schema={"date": pl.Date, **{v: pl.Float64 for v in VOLUMES}},
    )
    (spend,) = pacing.pace_kpis(plan, actuals, daily_targets(plan), days[-1])
    assert (spend.expected_to_date, spend.actual_to_date, spend.pace) == (0, 450, None)
    assert spend.status == "overspend"
    (alert,) = status_alerts([spend], days[-1])
    assert (alert.kind, alert.message) == (
        "unplanned_spend",
        "Spend is overspending: 450 spent with none planned to date",
    )


def test_projection_starts_from_the_eventual_results_actuals_stay_as_reported() -> None:
    """10 days, 100 orders and 10,000 spend a day planned; 4 days elapsed, all delivered, but
    the last two days hold only 60 % and 90 % of their orders so far (late conversions)."""
    plan = make_plan(
        10, {"spend": 100_000, "orders": 1_000, "cpo": 100}, projection={"window_days": 2}
    )
    targets = daily_targets(plan)
    eventual = actuals_from(targets, 4, {})
    reported = eventual.with_columns(
        orders=pl.Series([100.0, 100.0, 90.0, 60.0]),
    )
    as_of = START + timedelta(3)
    raw = {k.name: k for k in pacing.pace_kpis(plan, reported, targets, as_of)}
    rows = {k.name: k for k in pacing.pace_kpis(plan, reported, targets, as_of, eventual)}
    # as reported: 350 of 400 expected; recent efficiency 150/200 -> 350 + 600 × 0.75 = 800
    assert raw["orders"].projection == pytest.approx(800)
    # with the late conversions: 400 + 600 × 1 = 1,000, exactly the target
    assert rows["orders"].projection == pytest.approx(1_000)
    assert rows["cpo"].projection == pytest.approx(100)
    assert rows["orders"].actual_to_date == 350 and rows["orders"].pace == pytest.approx(350 / 400)
    assert rows["cpo"].actual_to_date == pytest.approx(40_000 / 350)


def test_a_daily_alert_on_a_result_judges_the_complete_days_only() -> None:
    """CPO 20 % over target on 3 days fires; when the last of them holds only 72 % of its
    orders (late conversions), the rule looks at the 3 complete days before it instead."""
    from perfmkt.alerts import evaluate
    from perfmkt.plan import AlertRule

    rule = AlertRule.model_validate({"kpi": "cpo", "above_target_by": 0.2, "days": 3})
    days = [START + timedelta(i) for i in range(5)]

    def rows(cpo: list[float], maturity: list[float]) -> list[dict]:
        return [
            {"date": d, "actual": {"cpo": c}, "target": {"cpo": 100.0}, "maturity": m}
            for d, c, m in zip(days, cpo, maturity, strict=True)
        ]

    complete = [1.0] * 5
    (fired,) = evaluate([rule], [], rows([100, 100, 130, 125, 140], complete), days[-1])
    assert fired.kind == "above_target_by" and fired.values["actual"] == 140
    assert fired.day == days[-1]
    # the 4th of the last three days is still arriving: judge days 2, 3 and 4 instead
    late = [1.0, 1.0, 1.0, 1.0, 0.72]
    assert evaluate([rule], [], rows([100, 100, 130, 125, 140], late), days[-1]) == []
    (fired,) = evaluate([rule], [], rows([100, 130, 125, 122, 140], late), days[-1])
    assert fired.day == days[3] and fired.values["actual"] == 130
    # spend does not lag: its rules still look at the last day
    spend = AlertRule.model_validate({"kpi": "spend", "above_target_by": 0.2, "days": 1})
    spent = [
        {"date": d, "actual": {"spend": 130.0}, "target": {"spend": 100.0}, "maturity": 0.5}
        for d in days
    ]
    (fired,) = evaluate([spend], [], spent, days[-1])
    assert fired.day == days[-1]
