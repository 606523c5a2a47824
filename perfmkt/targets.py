"""The daily target series derived from a plan's totals and timeline.

Each period's target is spread evenly over its days; days no period covers share what is
left of the total. Arithmetic is exact (fractions), so the cumulative target on the last day
of the flight is the total, to the unit.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import polars as pl

from perfmkt.metrics import CATALOG
from perfmkt.plan import Plan


def flight_days(plan: Plan) -> list[date]:
    return [plan.flight.start + timedelta(days=i) for i in range(plan.flight.days)]


def _exact(value: float) -> Fraction:
    # Plans are written in decimals (1.5 orders/day, 0.25 ROAS); keep what was written.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def daily_shares(plan: Plan, kpi: str) -> list[Fraction]:
    """Exact daily targets of one volume KPI over the flight."""
    days = flight_days(plan)
    total = _exact(plan.kpis[kpi])
    daily: dict[date, Fraction] = {}
    span: list[date] = []
    for period in plan.timeline:
        if kpi not in period.targets:
            continue
        span = [d for d in days if period.first_day <= d <= period.last_day]
        each = _exact(period.targets[kpi]) / len(span)
        daily.update(dict.fromkeys(span, each))
    rest = [d for d in days if d not in daily] or span  # fully planned: the last period's days
    left = total - sum(daily.values(), Fraction(0))
    # What is left is shared by the unplanned days; when periods cover the whole flight, it is
    # only the rounding between the periods' sum and the total (validation bounds it).
    each = left / len(rest)
    for d in rest:
        daily[d] = daily.get(d, Fraction(0)) + each
    return [daily[d] for d in days]


def planned_volumes(plan: Plan) -> list[str]:
    """Volume KPIs that have a flight total in the plan."""
    return [k for k in plan.kpis if not CATALOG[k].is_ratio]


def daily_targets(plan: Plan) -> pl.DataFrame:
    """One row per flight day: ``date`` and, per planned volume, ``<kpi>`` and ``<kpi>_cum``.

    ``<kpi>_cum`` is computed from the exact running sum, so it ends on the total exactly.
    """
    columns: dict[str, list[object]] = {"date": list(flight_days(plan))}
    for kpi in planned_volumes(plan):
        shares = daily_shares(plan, kpi)
        running = Fraction(0)
        cum = []
        for share in shares:
            running += share
            cum.append(float(running))
        columns[kpi] = [float(s) for s in shares]
        columns[f"{kpi}_cum"] = cum
    return pl.DataFrame(columns).with_columns(pl.col("date").cast(pl.Date))
