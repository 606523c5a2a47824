"""The daily target series derived from a plan's totals, timeline and shape.

Every day has a weight: the ramp multiplier of its flight week times its weekday weight (1 and
1 without ``shape:``). A period's target is spread over its days in proportion to their
weights; the days no period covers share what is left of the total the same way.

What a period writes is what is planned. A ratio target in a period (``cpo: 300_000``) fixes
one of its two volumes from the other: from the one the period writes (``{leads: 450, cpl:
300_000}`` plans 450 leads and derives spend = 450 × 300,000), or from one an earlier ratio of
the period fixed (``{orders: 20, cpo: …, roas: …}``: spend from orders, then revenue from
spend). A period that writes neither volume keeps its share of spend (or of the volume the ratio
divides by: orders for AOV) and the ratio fixes the other. A ratio written beside both of its
volumes must agree with them to 0.5 % (a rounded ratio), else the plan is refused, naming the
period. When periods then cover the whole flight for a volume, a difference of up to 0.5 %
between their sum and the total scales every period alike; more is refused.

Arithmetic is exact (fractions), so the cumulative target on the last day of the flight is the
total, to the unit.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from perfmkt.errors import PlanError
from perfmkt.metrics import CATALOG, VOLUMES
from perfmkt.plan import WEEKDAYS, Plan
from perfmkt.plan_yaml import loc_text

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
    for p, amount in explicit.items():
        daily.update(_spread(amount, spans[p], weights))
    rest = [i for i in range(plan.flight.days) if i not in daily]
    total = exact(plan.kpis[kpi])
    planned = sum(daily.values(), Fraction(0))
    if rest:
        daily.update(_spread(total - planned, rest, weights))
    elif planned:
        # Periods cover the flight: their sum differs from the total only by rounding, which
        # validation bounds; every period absorbs it alike, so none is singled out.
        daily = {i: share * total / planned for i, share in daily.items()}
    return [daily.get(i, Fraction(0)) for i in range(plan.flight.days)]


# A ratio written beside both of its volumes, or totals that periods covering the flight imply,
# may be rounded when written: this much relative difference is rounding, more is a contradiction.
ROUNDING = Fraction(1, 200)
Loc = tuple[object, ...]
Problem = tuple[Loc, str]


def _parts(name: str) -> tuple[str, str, Fraction]:
    """(numerator, denominator, numerator / denominator) of a ratio KPI's unit value."""
    metric = CATALOG[name]
    assert metric.numerator is not None and metric.denominator is not None
    return metric.numerator, metric.denominator, Fraction(1) / exact(metric.scale)


def _derived_volume(name: str) -> tuple[str, str]:
    """For a period ratio target that meets neither volume: (volume it fixes, volume it is
    computed from). Spend is never the one fixed: the budget drives, results follow."""
    num, den, _ = _parts(name)
    return (den, num) if num == "spend" else (num, den)


def _disagreement(name: str, value: Fraction, known: dict[str, Fraction]) -> str | None:
    """Why a ratio written beside both of its volumes contradicts them, or None."""
    num, den, unit = _parts(name)
    top, bottom = known[num], known[den]
    if bottom == 0:
        if top == 0:
            return None  # nothing planned in the period: any ratio holds
        implied = None
    else:
        implied = top / bottom / unit
        if abs(implied - value) <= ROUNDING * value:
            return None
    said = "no value" if implied is None else _shown(implied)
    return (
        f"{num} {_shown(top)} and {den} {_shown(bottom)} make {name} {said}, not the "
        f"{_shown(value)} written: give two of {num}, {den} and {name}"
    )


def _shown(value: Fraction) -> str:
    """A number as a marketer writes it: 6,000,000 · 285,714 · 3.333 · 0.05."""
    number = float(value)
    return f"{number:,.0f}" if abs(number) >= 1000 or number.is_integer() else f"{number:.4g}"


def _propagate(
    known: dict[str, Fraction], pending: list[tuple[str, Fraction]], where: Loc
) -> tuple[list[tuple[str, Fraction]], list[Problem]]:
    """Fix what each ratio's known volume implies, until nothing changes. Returns the ratios
    that met neither volume, and the ratios that contradict their volumes."""
    left, problems = list(pending), []
    changed = True
    while changed:
        changed = False
        for item in list(left):
            name, value = item
            num, den, unit = _parts(name)
            if num in known and den in known:
                problem = _disagreement(name, value, known)
                if problem:
                    problems.append(((*where, name), problem))
            elif num in known:
                known[den] = known[num] / (value * unit)
            elif den in known:
                known[num] = known[den] * value * unit
            else:
                continue
            left.remove(item)
            changed = True
    return left, problems


def resolve_timeline(
    plan: Plan, weights: list[Fraction]
) -> tuple[dict[str, dict[int, Fraction]], list[Problem]]:
    """Each planned volume's amount per period that fixes it (period index -> amount), and
    the contradictions found (key path, message). See the module docstring for the rules."""
    volumes = planned_volumes(plan)
    spans = _period_indexes(plan)
    written: list[tuple[dict[str, Fraction], list[tuple[str, Fraction]]]] = []
    problems: list[Problem] = []
    for p, period in enumerate(plan.timeline):
        known = {k: exact(v) for k, v in period.targets.items() if not CATALOG[k].is_ratio}
        ratios = [(k, exact(v)) for k, v in period.targets.items() if CATALOG[k].is_ratio]
        left, found = _propagate(known, ratios, ("timeline", p))
        written.append((known, left))
        problems += found

    def by_volume(amounts: list[dict[str, Fraction]]) -> dict[str, dict[int, Fraction]]:
        return {v: {p: a[v] for p, a in enumerate(amounts) if v in a} for v in volumes}

    explicit = by_volume([known for known, _ in written])
    # Ratios that met neither volume take one from the allocation, which moves as periods fix
    # volumes: repeat until it settles (spend settles first, then what follows from it).
    settling: list[Problem] = []
    for _ in range(len(volumes) + 2):
        series = {v: _allocate(plan, v, explicit[v], weights) for v in volumes}
        amounts, settling = [], []  # only the settled round's contradictions count
        for p, (known, left) in enumerate(written):
            known = dict(known)
            taken: set[str] = set()
            while left:
                first = min(left, key=lambda r: VOLUMES.index(_derived_volume(r[0])[1]))
                source = _derived_volume(first[0])[1]
                known[source] = sum((series[source][i] for i in spans[p]), Fraction(0))
                taken.add(source)
                left, found = _propagate(known, left, ("timeline", p))
                settling += found
            amounts.append({k: a for k, a in known.items() if k not in taken})
        settled = by_volume(amounts)
        if settled == explicit:
            break
        explicit = settled
    return explicit, [*problems, *settling, *_total_problems(plan, explicit)]


def _total_problems(plan: Plan, explicit: dict[str, dict[int, Fraction]]) -> list[Problem]:
    """Volumes whose periods, with what their ratios fix, plan more than the total, or cover
    the flight and miss it by more than rounding."""
    problems: list[Problem] = []
    spans = _period_indexes(plan)
    for kpi, amounts in explicit.items():
        if all(kpi in plan.timeline[p].targets for p in amounts):
            continue  # only written amounts: plan.cross_checks speaks for them
        total, planned = exact(plan.kpis[kpi]), sum(amounts.values(), Fraction(0))
        covered = len({i for p in amounts for i in spans[p]}) == plan.flight.days
        if planned > total * (1 + (ROUNDING if covered else Fraction(0))):
            problems.append(
                (
                    ("timeline",),
                    f"period ratio targets imply {float(planned):,.0f} {kpi}, more than the "
                    f"total {float(total):,.0f}",
                )
            )
        elif covered and total - planned > ROUNDING * total:
            problems.append(
                (
                    ("timeline",),
                    f"periods cover the whole flight and their ratio targets imply "
                    f"{float(planned):,.0f} {kpi}, not the total {float(total):,.0f}",
                )
            )
    return problems


def daily_series(plan: Plan, weekday: dict[int, float] | None = None) -> dict[str, list[Fraction]]:
    """Exact daily targets of every planned volume KPI."""
    weights = day_weights(plan, weekday)
    explicit, problems = resolve_timeline(plan, weights)
    if problems:
        loc, message = problems[0]
        raise PlanError(f"{loc_text(loc)}: {message}")
    return {k: _allocate(plan, k, explicit[k], weights) for k in planned_volumes(plan)}


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
