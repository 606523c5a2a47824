"""The daily target series derived from a plan's totals, timeline and shape.

Every day has a weight: the ramp multiplier of its flight week times its weekday weight (1 and
1 without ``shape:``). A period's target is spread over its days in proportion to their
weights; the days no period covers share what is left of the total the same way.

What a period writes is what is planned. A ratio target in a period (``cpo: 300_000``) fixes
one of its two volumes from the other: from the one the period writes (``{leads: 450, cpl:
300_000}`` plans 450 leads and derives spend = 450 × 300,000), or from one an earlier ratio of
the period fixed (``{orders: 20, cpo: …, roas: …}``: spend from orders, then revenue from
spend). A period that writes neither volume keeps its share of spend (or of the volume the ratio
divides by: orders for AOV) and the ratio fixes the other; with several such ratios the volume
that drives the others is kept (``RANK``: spend first, impressions before clicks, the CRM's leads
before qualified ones). A ratio written beside both of its volumes must agree with them to 0.5 %
(a rounded ratio), else the plan is refused, naming the period. When periods then cover the
whole flight for a volume, a difference of up to 0.5 % between their sum and the total scales
every period alike; more is refused.

Arithmetic is exact (fractions), so the cumulative target on the last day of the flight is the
total, to the unit.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING

from perfmkt.errors import PlanError
from perfmkt.metrics import CATALOG, VOLUMES
from perfmkt.plan import PERIOD_RATIOS, WEEKDAYS, Plan
from perfmkt.plan_yaml import loc_text

if TYPE_CHECKING:  # polars loads only for the frames; validating a plan needs none
    from collections.abc import Sequence

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
Ratio = tuple[str, Fraction]  # a period's ratio target: (name, value)


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
    known: dict[str, Fraction], pending: list[Ratio], where: Loc
) -> tuple[list[Ratio], list[Problem]]:
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


def _drivers_first() -> dict[str, int]:
    """Each volume's rank, a ratio's source before the volume it fixes (spend first, then
    impressions before clicks, orders before revenue, the CRM's leads before qualified ones),
    the catalog's order between equals."""
    sorter: TopologicalSorter[str] = TopologicalSorter({v: () for v in VOLUMES})
    for name in PERIOD_RATIOS:
        fixed, source = _derived_volume(name)
        sorter.add(fixed, source)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=VOLUMES.index)
        order += ready
        sorter.done(*ready)
    return {v: i for i, v in enumerate(order)}


RANK = _drivers_first()


def _next_source(ratios: list[Ratio]) -> str:
    """The volume a period whose ``ratios`` met neither volume takes from the allocation."""
    return min((_derived_volume(name)[1] for name, _ in ratios), key=RANK.__getitem__)


def resolve_timeline(
    plan: Plan, weights: list[Fraction]
) -> tuple[dict[str, dict[int, Fraction]], list[Problem]]:
    """Each planned volume's amount per period that fixes it (period index -> amount), and
    the contradictions found (key path, message). See the module docstring for the rules.

    First each period's written volumes and what its ratios fix from them. A period whose
    ratios are left takes its share of their source from the allocation, drivers first
    (``RANK``): everything that fixes a source in other periods comes from volumes ranked
    before it, so each source is allocated once, when its amounts are final.
    """
    spans = _period_indexes(plan)
    explicit: dict[str, dict[int, Fraction]] = {v: {} for v in planned_volumes(plan)}
    problems: list[Problem] = []
    waiting: dict[int, tuple[dict[str, Fraction], list[Ratio]]] = {}

    def fix(p: int, known: dict[str, Fraction], ratios: list[Ratio], kept: set[str]) -> None:
        """Propagate period ``p``'s ratios over ``known``; keep what it knows beyond ``kept``."""
        left, found = _propagate(known, ratios, ("timeline", p))
        problems.extend(found)
        for v in known.keys() - kept:
            if v in explicit:
                explicit[v][p] = known[v]
        if left:
            waiting[p] = (known, left)
        else:
            waiting.pop(p, None)

    for p, period in enumerate(plan.timeline):
        known = {k: exact(v) for k, v in period.targets.items() if not CATALOG[k].is_ratio}
        ratios = [(k, exact(v)) for k, v in period.targets.items() if CATALOG[k].is_ratio]
        fix(p, known, ratios, set())
    for source in sorted(RANK, key=RANK.__getitem__):
        takers = [p for p, (_, left) in waiting.items() if _next_source(left) == source]
        if not takers:
            continue
        shares = _allocate(plan, source, explicit[source], weights)
        for p in takers:
            known, left = waiting[p]
            known[source] = sum((shares[i] for i in spans[p]), Fraction(0))  # taken, not fixed
            fix(p, known, left, set(known))
    return explicit, [*problems, *_total_problems(plan, explicit)]


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

    columns: dict[str, Sequence[object]] = {"date": list(flight_days(plan))}
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
