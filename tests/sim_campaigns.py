"""A campaign simulator with a known random process, to check the forecast's calibration.

Each campaign is a plan and every day of its flight, drawn from the process the issue describes
(the parameters of one campaign are drawn first, then its days):

- plan: 4–9 weeks, a ramp (first week 40–90 % of full weight, second 70–110 %, sometimes a
  final push up to 130 %), weekend weights on half the plans; 3–100 M₫ a day; a plan's own
  CPO/AOV/ROAS guesses are off from the truth by about ±12 % (so about half the targets are hit);
- spend: the plan's daily spend × exp(μ + x_t), μ ~ N(0, 0.07) (a campaign that over- or
  under-delivers), x an AR(1) with φ in 0.5–0.9 and a stationary sd of 5–20 %; one day in a
  hundred paused (no spend, no results);
- orders: Poisson(k · w_weekday · exp(D_t) · spend_t^b), b in 0.6–0.9 (a concave response), the
  efficiency D a random walk with a daily step of 0.8–3.5 %, weekday effects of about ±10 %;
  3–300 orders a day at the planned spend;
- revenue: each order's value is gamma (CV 0.7) around an AOV that drifts slowly (0.5 %/day).

Nothing here knows how ``perfmkt.forecast`` works; the parameters were fixed before it was tuned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from perfmkt.metrics import CATALOG, VOLUMES, Direction, sum_or_null
from perfmkt.plan import Plan
from perfmkt.targets import daily_targets
from tests.conftest import make_plan

KPIS: tuple[str, ...] = ("spend", "orders", "revenue", "cpo", "roas", "roi")
FIRST = date(2026, 1, 5)  # a Monday; campaigns start on any of the 7 days after it


@dataclass(frozen=True)
class Campaign:
    plan: Plan
    targets: pl.DataFrame  # daily_targets(plan)
    daily: pl.DataFrame  # every flight day, the columns of pacing.daily_actuals
    params: dict[str, float] = field(default_factory=dict)  # the campaign's drawn process

    def as_of(self, fraction: float) -> date:
        """The day by which ``fraction`` of the flight has elapsed (at least its first day)."""
        elapsed = max(1, round(fraction * self.plan.flight.days))
        return self.plan.flight.start + timedelta(days=elapsed - 1)

    def actuals(self, as_of: date) -> pl.DataFrame:
        return self.daily.filter(pl.col("date") <= as_of)

    def final(self, kpi: str) -> float | None:
        """The KPI's realised flight-end value."""
        sums = self.daily.select(sum_or_null(v) for v in VOLUMES)
        return sums.select(CATALOG[kpi].expr(self.plan.margin)).item()

    def reached(self, kpi: str) -> bool | None:
        return reached(self.plan, kpi, self.final(kpi))


def reached(plan: Plan, kpi: str, value: float | None) -> bool | None:
    """Whether a flight-end value hits the KPI's target: at least it for higher-better KPIs, at
    most it for lower-better ones, inside the flight-end on-budget band for spend."""
    if value is None:
        return None
    target = plan.kpis[kpi]
    direction = CATALOG[kpi].direction
    if direction is Direction.BUDGET:
        bands = plan.status.at(1.0)
        return bands.on_track <= value / target <= bands.overspend
    if direction is Direction.LOWER:
        return value <= target
    return value >= target


def plan_from(
    start: date,
    days: int,
    kpis: dict[str, float],
    ramp: list[float] | None = None,
    weekend: float | None = None,
    margin: float = 1.0,
) -> Plan:
    shape: dict[str, object] = {"ramp": ramp or []}
    if weekend is not None:
        shape["weekday_weights"] = {"sat": weekend, "sun": weekend}
    return make_plan(start, days, kpis, shape=shape, margin=margin)


def frame(start: date, columns: dict[str, np.ndarray]) -> pl.DataFrame:
    """A daily_actuals-shaped frame: every volume, null where nothing measures it."""
    days = len(next(iter(columns.values())))
    dates = [start + timedelta(days=i) for i in range(days)]
    return pl.DataFrame(
        {"date": dates}
        | {
            v: pl.Series(v, columns[v], dtype=pl.Float64)
            if v in columns
            else pl.Series(v, [None] * days, dtype=pl.Float64)
            for v in VOLUMES
        }
    ).with_columns(pl.col("date").cast(pl.Date))


def simulate(
    seed: int,
    *,
    kpis: tuple[str, ...] = KPIS,
    days: int | None = None,
    drift_step: float | None = None,
    elasticity: float | None = None,
) -> Campaign:
    """One campaign drawn from the process in the module docstring. ``kpis``: the targets its
    plan sets (from spend, orders, revenue, cpo, roas, roi, aov). ``drift_step`` and
    ``elasticity`` (b) fix those parameters instead of drawing them, to see how the forecast
    fares beyond the usual ranges (the other draws stay the same)."""
    rng = np.random.default_rng(seed)
    days = days or int(rng.choice([28, 35, 42, 56, 63]))
    start = FIRST + timedelta(days=int(rng.integers(0, 7)))
    weeks = math.ceil(days / 7)
    ramp = [float(rng.uniform(0.4, 0.9)), float(rng.uniform(0.7, 1.1))] + [1.0] * (weeks - 2)
    if rng.random() < 0.3:
        ramp[-1] = float(rng.uniform(1.0, 1.3))
    weekend = float(rng.uniform(0.7, 1.3)) if rng.random() < 0.5 else None
    spend_total = float(round(10 ** rng.uniform(6.5, 8.0) * days))

    # The plan's daily spend (its shape) comes from the plan itself.
    shape_plan = plan_from(start, days, {"spend": spend_total}, ramp, weekend)
    planned = daily_targets(shape_plan)["spend"].to_numpy()

    # Spend: around the plan, a campaign-level bias and AR(1) noise.
    mu = rng.normal(0, 0.07)
    phi = rng.uniform(0.5, 0.9)
    sd = rng.uniform(0.05, 0.2)
    x = np.empty(days)
    x[0] = rng.normal(0, sd)
    for t in range(1, days):
        x[t] = phi * x[t - 1] + rng.normal(0, sd * math.sqrt(1 - phi**2))
    paused = rng.random(days) < 0.01
    spend = np.where(paused, 0.0, planned * np.exp(mu + x))

    # Orders: concave response to spend, drifting efficiency, weekday effects, Poisson counts.
    b = rng.uniform(0.6, 0.9)
    step = 10 ** rng.uniform(math.log10(0.008), math.log10(0.035))
    b = b if elasticity is None else elasticity
    step = step if drift_step is None else drift_step
    drift = np.cumsum(rng.normal(0, step, days))
    weekday_effect = np.exp(rng.normal(0, 0.1, 7))
    weekday_effect /= np.exp(np.log(weekday_effect).mean())
    weekdays = np.array([(start + timedelta(days=i)).weekday() for i in range(days)])
    per_day = 10 ** rng.uniform(math.log10(3), math.log10(300))  # orders a day at planned spend
    expected_total = per_day * days
    k = expected_total / float(np.sum(weekday_effect[weekdays] * planned**b))
    rate = k * weekday_effect[weekdays] * np.exp(drift) * spend**b
    orders = rng.poisson(rate).astype(float)

    # Revenue: gamma order values around a slowly drifting AOV.
    roas_plan = rng.uniform(3.0, 8.0)
    aov = roas_plan * spend_total / expected_total
    aov_t = aov * np.exp(np.cumsum(rng.normal(0, 0.005, days)))
    shape_k = 1 / 0.7**2
    revenue = np.where(orders > 0, rng.gamma(np.maximum(orders, 1) * shape_k, aov_t / shape_k), 0.0)

    # Targets: the plan's guesses are off from the truth, so about half are hit.
    def guess() -> float:
        return float(np.exp(rng.normal(0, 0.12)))

    margin = float(rng.uniform(0.45, 0.7))
    all_targets = {
        "spend": spend_total,
        "orders": round(expected_total * guess()),
        "revenue": float(round(expected_total * aov * guess())),
        "cpo": spend_total / expected_total * guess(),
        "aov": aov * guess(),
        "roas": roas_plan * guess(),
        "roi": max(0.05, roas_plan * margin * guess() - 1),
    }
    plan = plan_from(start, days, {k_: all_targets[k_] for k_ in kpis}, ramp, weekend, margin)
    daily = frame(start, {"spend": spend, "orders": orders, "revenue": revenue})
    params = {
        "days": days,
        "mu": mu,
        "phi": phi,
        "spend_sd": sd,
        "b": b,
        "drift_step": step,
        "orders_per_day": per_day,
    }
    return Campaign(plan, daily_targets(plan), daily, params)


def on_plan(days: int = 56, factor: float = 1.0, kpis: tuple[str, ...] = KPIS) -> Campaign:
    """A campaign without noise: every planned volume is the plan's daily target × ``factor``
    (spend exactly on plan), on a ramped plan with weekend weights."""
    targets_all = {
        "spend": 560e6,
        "orders": 2800.0,
        "revenue": 1_400e6,
        "cpo": 200_000.0,
        "roas": 2.5,
        "aov": 500_000.0,
        "roi": 0.25,
    }
    plan = plan_from(
        FIRST,
        days,
        {k: targets_all[k] for k in kpis},
        ramp=[0.5, 0.8, 1.0],
        weekend=1.2,
        margin=0.5,
    )
    every = plan_from(
        FIRST,
        days,
        {v: targets_all[v] for v in ("spend", "orders", "revenue")},
        ramp=[0.5, 0.8, 1.0],
        weekend=1.2,
    )
    full = daily_targets(every)
    columns = {
        v: full[v].to_numpy() * (1.0 if v == "spend" else factor)
        for v in ("spend", "orders", "revenue")
    }
    return Campaign(plan, daily_targets(plan), frame(FIRST, columns), {"factor": factor})


def judge(campaigns: Iterable[Campaign], fractions: Iterable[float]) -> list[dict[str, Any]]:
    """The forecast against the realised flight end, one row per campaign, as-of point and KPI
    (the n-th campaign forecast with seed n): whether the 80 % interval holds the realised
    value, the chance, whether the target was hit and whether the point projection hit it, the
    interval's width and errors (for benchmarks/calibration.py)."""
    from perfmkt import pacing
    from perfmkt.forecast import outlooks

    rows: list[dict[str, Any]] = []
    for n, campaign in enumerate(campaigns):
        truth = {k: campaign.final(k) for k in KPIS}
        for fraction in fractions:
            as_of = campaign.as_of(fraction)
            actuals = campaign.actuals(as_of)
            out = outlooks(campaign.plan, actuals, campaign.targets, as_of, seed=n)
            points = pacing.pace_kpis(campaign.plan, actuals, campaign.targets, as_of)
            projection = {k.name: k.projection for k in points}
            for kpi in KPIS:
                o, real, point = out[kpi], truth[kpi], projection[kpi]
                assert o.low is not None and o.high is not None and o.median is not None
                assert o.chance is not None and real is not None and point is not None
                rows.append(
                    {
                        "fraction": fraction,
                        "kpi": kpi,
                        "inside": float(o.low <= real <= o.high),
                        "chance": o.chance,
                        "hit": float(bool(reached(campaign.plan, kpi, real))),
                        "point_hit": float(bool(reached(campaign.plan, kpi, point))),
                        "width": (o.high - o.low) / campaign.plan.kpis[kpi],
                        "point_inside": float(o.low <= point <= o.high),
                        "error": abs(o.median / real - 1),
                        "point_error": abs(point / real - 1),
                    }
                )
    return rows


__all__ = ["KPIS", "Campaign", "judge", "on_plan", "plan_from", "reached", "simulate"]
