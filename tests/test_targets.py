"""Daily targets: hand-checked spreading, and the invariant that they sum to the total."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt.plan import PERIOD_RATIOS, Plan
from perfmkt.targets import RANK, _derived_volume, daily_targets
from tests.conftest import make_plan


def test_week_and_range_periods_and_shared_remainder() -> None:
    # 2026-01-05 is a Monday, so W02 is 5..11 Jan. Of 140 orders over 14 days, W02 asks for
    # 70 and 12..14 Jan for 30; the 4 days left share the other 40: 10 a day everywhere.
    plan = make_plan(
        date(2026, 1, 5),
        14,
        {"orders": 140},
        [
            {"week": "2026-W02", "orders": 70},
            {"start": "2026-01-12", "end": "2026-01-14", "orders": 30},
        ],
    )
    t = daily_targets(plan)
    assert t["orders"].to_list() == [10.0] * 7 + [10.0] * 3 + [10.0] * 4
    plan = make_plan(date(2026, 1, 5), 14, {"orders": 100}, [{"week": "2026-W02", "orders": 86}])
    t = daily_targets(plan)
    assert t["orders"].to_list()[:7] == [86 / 7] * 7
    assert t["orders"].to_list()[7:] == [2.0] * 7
    assert t["orders_cum"][-1] == 100


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    start = draw(st.dates(date(2024, 1, 1), date(2027, 12, 31)))
    days = draw(st.integers(1, 120))
    total = draw(st.one_of(st.integers(1, 10**10), st.floats(0.01, 1e10)))
    periods = []
    cursor, left = 0, total
    while cursor < days and draw(st.booleans()):
        length = draw(st.integers(1, days - cursor))
        share = draw(st.floats(0, 1)) * left
        first = start + timedelta(days=cursor)
        periods.append({"start": first, "end": first + timedelta(days=length - 1), "spend": share})
        left -= share
        cursor += length + draw(st.integers(0, 3))
    covered = sum((p["end"] - p["start"]).days + 1 for p in periods)
    if covered == days and periods:  # fully planned: the periods must add up to the total
        periods[-1]["spend"] += left
    return make_plan(start, days, {"spend": total}, periods)


@settings(max_examples=150, deadline=None)
@given(plans())
def test_daily_targets_sum_to_the_total(plan: Plan) -> None:
    t = daily_targets(plan)
    total = plan.kpis["spend"]
    assert t.height == plan.flight.days
    assert t["spend_cum"][-1] == total  # exact: computed with fractions
    assert math.isclose(math.fsum(t["spend"].to_list()), total, rel_tol=1e-12)
    assert (t["spend"] >= -1e-9 * total).all()
    for p in plan.timeline:  # each period gets what it asked for
        first, last = p.days(plan.flight)
        span = t.filter((t["date"] >= first) & (t["date"] <= last))
        assert math.isclose(span["spend"].sum(), p.targets["spend"], rel_tol=1e-9, abs_tol=1e-6)


def test_ramp_and_weekend_weights_by_hand() -> None:
    """14 days from Monday 5 Jan: week 1 ramp 0.5, week 2 ramp 1; Sat/Sun weigh 2.
    Weights: week 1 = 5×0.5 + 2×1 = 4.5, week 2 = 5×1 + 2×2 = 9, total 13.5.
    900 spend: a week-1 weekday gets 900 × 0.5 / 13.5 = 33.33…, a week-2 Sunday 900 × 2 / 13.5."""
    plan = make_plan(
        date(2026, 1, 5),
        14,
        {"spend": 900},
        shape={"ramp": [0.5, 1.0], "weekday_weights": {"sat": 2, "sun": 2}},
    )
    t = daily_targets(plan)["spend"].to_list()
    assert t[0] == pytest.approx(900 * 0.5 / 13.5)
    assert t[5] == pytest.approx(900 * 1.0 / 13.5)  # Saturday of week 1: 0.5 × 2
    assert t[13] == pytest.approx(900 * 2 / 13.5)
    assert math.fsum(t) == pytest.approx(900)


def test_flight_weeks_and_a_period_cpo() -> None:
    """Flight week 1 has spend 700 and CPO 100, so orders 7 there; the other 7 days share
    the rest of both totals: spend 300 and orders 93."""
    plan = make_plan(
        date(2026, 1, 7),  # a Wednesday: flight weeks are not ISO weeks
        14,
        {"spend": 1000, "orders": 100, "cpo": 10},
        [{"flight_week": 1, "spend": 700, "cpo": 100}],
    )
    t = daily_targets(plan)
    assert t["spend"].to_list() == pytest.approx([100] * 7 + [300 / 7] * 7)
    assert t["orders"].to_list() == pytest.approx([1] * 7 + [93 / 7] * 7)
    assert t["orders_cum"][-1] == 100


def test_period_roas_fixes_revenue_from_spend() -> None:
    plan = make_plan(
        date(2026, 1, 5),
        10,
        {"spend": 1000, "revenue": 4000},
        [{"start": "2026-01-05", "end": "2026-01-09", "roas": 2}],
    )
    t = daily_targets(plan)
    # spend has no period target: 100 a day, so the period's 500 spend at ROAS 2 is 1000 revenue
    assert t["revenue"].to_list() == pytest.approx([200] * 5 + [600] * 5)


def test_learned_weekday_weights() -> None:
    import polars as pl

    from perfmkt.targets import learn_weekday_weights

    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(14)]  # two full weeks
    spend = [100.0 if d.weekday() < 5 else 300.0 for d in days]
    weights = learn_weekday_weights(
        pl.DataFrame({"date": days, "spend": spend}), "spend", days[-1], weeks=4
    )
    mean = (5 * 100 + 2 * 300) / 7
    assert weights == pytest.approx({i: (100 if i < 5 else 300) / mean for i in range(7)})
    assert (
        learn_weekday_weights(
            pl.DataFrame({"date": days[:5], "spend": spend[:5]}), "spend", days[4], weeks=4
        )
        is None
    )


@st.composite
def shaped_plans(draw: st.DrawFn) -> Plan:
    plan = draw(plans())
    shape = {
        "ramp": draw(st.lists(st.floats(0.1, 3), max_size=4)),
        "weekday_weights": draw(
            st.dictionaries(st.sampled_from(["mon", "sat", "sun"]), st.floats(0, 3), max_size=3)
        ),
    }
    return plan.model_copy(update={"shape": plan.shape.model_validate(shape)})


@settings(max_examples=150, deadline=None)
@given(shaped_plans())
def test_shaped_daily_targets_sum_to_the_total(plan: Plan) -> None:
    test_daily_targets_sum_to_the_total.hypothesis.inner_test(plan)  # type: ignore[attr-defined]


def test_a_ratio_only_period_takes_what_another_ratio_only_period_fixed() -> None:
    """21 days from Monday 5 Jan, weights 1. W02 writes AOV 50 and ROAS 4 only: it keeps its
    spend share 2,100 × 7/21 = 700, so revenue 2,800 and orders 56. W03 writes AOV 60 only: it
    keeps its share of the orders W02 did not fix, (100 − 56) × 7/14 = 22, so revenue 1,320.
    W04 has the rest: 22 orders, 700 spend, revenue 10,000 − 2,800 − 1,320 = 5,880."""
    plan = make_plan(
        date(2026, 1, 5),
        21,
        {"spend": 2_100, "orders": 100, "revenue": 10_000},
        [{"week": "2026-W02", "aov": 50, "roas": 4}, {"week": "2026-W03", "aov": 60}],
    )
    t = daily_targets(plan)
    weeks = {n: [sum(t[n].to_list()[i : i + 7]) for i in (0, 7, 14)] for n in t.columns[1::2]}
    assert weeks["spend"] == pytest.approx([700, 700, 700])
    assert weeks["orders"] == pytest.approx([56, 22, 22])
    assert weeks["revenue"] == pytest.approx([2_800, 1_320, 5_880])


def test_the_crm_leads_drive_the_funnel_rates_of_a_period() -> None:
    """W02 writes lead → MQL 25 % and MQL → SAL 50 % only: it keeps its share of CRM leads,
    1,400 × 7/14 = 700, so 175 qualified leads and 87.5 SALs (not a share of qualified leads
    first, which would make the CRM's leads follow from them)."""
    plan = make_plan(
        date(2026, 1, 5),
        14,
        {"spend": 1, "crm_leads": 1_400, "qualified_leads": 400, "sals": 200},
        [{"week": "2026-W02", "lead_to_mql": 0.25, "mql_to_sal": 0.5}],
    )
    t = daily_targets(plan)
    w02 = [sum(t[n].to_list()[:7]) for n in ("crm_leads", "qualified_leads", "sals")]
    assert w02 == pytest.approx([700, 175, 87.5])


def test_every_period_ratio_fixes_a_volume_ranked_after_its_source() -> None:
    """What lets resolve_timeline allocate each source once (no iterating to a fixed point)."""
    for name in PERIOD_RATIOS:
        fixed, source = _derived_volume(name)
        assert RANK[source] < RANK[fixed], name
    assert min(RANK, key=RANK.__getitem__) == "spend"  # the budget drives
