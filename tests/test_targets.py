"""Daily targets: hand-checked spreading, and the invariant that they sum to the total."""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt.plan import Plan
from perfmkt.targets import daily_targets
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
        span = t.filter((t["date"] >= p.first_day) & (t["date"] <= p.last_day))
        assert math.isclose(span["spend"].sum(), p.targets["spend"], rel_tol=1e-9, abs_tol=1e-6)
