"""The daily target series derived from a plan's totals, timeline and shape.

Every day has a weight: the ramp multiplier of its flight week times its weekday weight (1 and
1 without ``shape:``). A period's target is spread over its days in proportion to their
weights; the days no period covers share what is left of the total the same way. A ratio
target in a period (``cpo: 400_000``) fixes one of its volumes there from the other: the volume
that is not spend (orders from spend for CPO, revenue from spend for ROAS), otherwise the
numerator from the denominator (revenue from orders for AOV).

Arithmetic is exact (fractions), so the cumulative target on the last day of the flight is the
total, to the unit.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from perfmkt.errors import PlanError
from perfmkt.metrics import CATALOG
from perfmkt.plan import WEEKDAYS, Plan

if TYPE_CHECKING:  # polars loads only for the frames; validating a plan needs none
    import polars as pl


def flight_days(plan: Plan) -> list[date]:
    return [plan.flight.start + timedelta(days=i) for i in range(plan.flight.days)]


def exact(value: float) -> Fraction:
    # Plans are written in decimals (1.5 orders/day, 0.25 ROAS); keep what was written.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def day_weights(plan: Plan, weekday: dict[int, float] | None = None) -> list[Fraction]:
    """Each flight day's weight: ramp of its flight week × its weekday weight.

    ``weekday`` (Monday = 0) overrides the plan's weights, e.g. when they are learned.
    """
    ramp = [exact(r) for r in plan.shape.ramp] or [Fraction(1)]
    if weekday is None:
        given = plan.shape.weekday_weights
        named = given if isinstance(given, dict) else {}
        weekday = {i: named.get(name, 1.0) for i, name in enumerate(WEEKDAYS)}
    weights = []
    for i, day in enumerate(flight_days(plan)):
        step = ramp[min(i // 7, len(ramp) - 1)]
        weights.append(step * exact(weekday.get(day.weekday(), 1.0)))
    return weights


def _spread(total: Fraction, days: list[int], weights: list[Fraction]) -> dict[int, Fraction]:
    weight = sum((weights[i] for i in days), Fraction(0))
    if weight == 0:  # every day weighted 0 (e.g. weekends only): share evenly instead
        return {i: total / len(days) for i in days}
    return {i: total * weights[i] / weight for i in days}


def _period_indexes(plan: Plan) -> list[list[int]]:
    start = plan.flight.start
    spans = []
    for period in plan.timeline:
        first, last = period.days(plan.flight)
        spans.append(list(range((first - start).days, (last - start).days + 1)))
    return spans


def _allocate(
    plan: Plan, kpi: str, explicit: dict[int, Fraction], weights: list[Fraction]
) -> list[Fraction]:
    """One volume's daily targets, given its period targets (period index -> amount)."""
    spans = _period_indexes(plan)
    daily: dict[int, Fraction] = {}
    last_span: list[int] = []
    for p, amount in explicit.items():
        last_span = spans[p]
        daily.update(_spread(amount, spans[p], weights))
    rest = [i for i in range(plan.flight.days) if i not in daily]
    left = exact(plan.kpis[kpi]) - sum(daily.values(), Fraction(0))
    if not rest:
        # Periods cover the flight: what is left is only the rounding between their sum and
        # the total (validation bounds it); it goes to the last period's days.
        rest = last_span
    for i, share in _spread(left, rest, weights).items():
        daily[i] = daily.get(i, Fraction(0)) + share
    return [daily[i] for i in range(plan.flight.days)]


def _derived_volume(name: str) -> tuple[str, str]:
    """For a period ratio target: (volume it fixes, volume it is computed from)."""
    metric = CATALOG[name]
    num, den = metric.numerator, metric.denominator
    assert num is not None and den is not None
    if num == "spend":
        return den, num
    return num, den


def daily_series(plan: Plan, weekday: dict[int, float] | None = None) -> dict[str, list[Fraction]]:
    """Exact daily targets of every planned volume KPI."""
    weights = day_weights(plan, weekday)
    volumes = [k for k in plan.kpis if not CATALOG[k].is_ratio]
    explicit: dict[str, dict[int, Fraction]] = {k: {} for k in volumes}
    for p, period in enumerate(plan.timeline):
        for kpi, amount in period.targets.items():
            if not CATALOG[kpi].is_ratio:
                explicit[kpi][p] = exact(amount)
    series = {k: _allocate(plan, k, explicit[k], weights) for k in volumes}
    spans = _period_indexes(plan)
    derived: set[str] = set()
    for p, period in enumerate(plan.timeline):
        for name, value in period.targets.items():
            if not CATALOG[name].is_ratio:
                continue
            metric = CATALOG[name]
            fixed, source = _derived_volume(name)
            base = sum((series[source][i] for i in spans[p]), Fraction(0))
            ratio = exact(value) / exact(metric.scale)
            # ratio = numerator / denominator
            amount = base / ratio if fixed == metric.denominator else base * ratio
            explicit[fixed][p] = amount
            derived.add(fixed)
    for kpi in derived:
        planned = sum(explicit[kpi].values(), Fraction(0))
        if planned > exact(plan.kpis[kpi]):
            raise PlanError(
                f"timeline: period ratio targets imply {float(planned):,.0f} {kpi}, more than "
                f"the total {plan.kpis[kpi]:,.0f}",
                hint="raise the total or relax the period targets",
            )
        series[kpi] = _allocate(plan, kpi, explicit[kpi], weights)
    return series


def planned_volumes(plan: Plan) -> list[str]:
    """Volume KPIs that have a flight total in the plan."""
    return [k for k in plan.kpis if not CATALOG[k].is_ratio]


def daily_targets(plan: Plan, weekday: dict[int, float] | None = None) -> pl.DataFrame:
    """One row per flight day: ``date`` and, per planned volume, ``<kpi>`` and ``<kpi>_cum``.

    ``<kpi>_cum`` is computed from the exact running sum, so it ends on the total exactly.
    """
    import polars as pl

    columns: dict[str, list[object]] = {"date": list(flight_days(plan))}
    for kpi, shares in daily_series(plan, weekday).items():
        running = Fraction(0)
        cum = []
        for share in shares:
            running += share
            cum.append(float(running))
        columns[kpi] = [float(s) for s in shares]
        columns[f"{kpi}_cum"] = cum
    return pl.DataFrame(columns).with_columns(pl.col("date").cast(pl.Date))


def learn_weekday_weights(
    actuals: pl.DataFrame, column: str, as_of: date, weeks: int
) -> dict[int, float] | None:
    """Weekday weights (mean 1) from the last ``weeks`` full weeks of one volume's actuals up
    to ``as_of``; None when there is less than one full week or nothing was delivered."""
    import polars as pl

    first = as_of - timedelta(days=7 * weeks - 1)
    window = actuals.filter(pl.col("date").is_between(first, as_of))
    if window.height < 7 or column not in window.columns:
        return None
    full_weeks = window.height // 7
    window = window.tail(full_weeks * 7)  # whole weeks only: every weekday counted equally
    by_day = window.group_by(pl.col("date").dt.weekday() - 1).agg(pl.col(column).mean())
    mean = window[column].mean()
    if not mean:
        return None
    return {int(d): float(v) / float(mean) for d, v in by_day.iter_rows()}  # type: ignore[arg-type]
