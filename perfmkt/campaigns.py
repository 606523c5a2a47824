"""Where the numbers come from: every claimed campaign with its spend, result, value and change
vs last week, and which campaigns drive a ratio KPI's gap to its target.

Pure functions over polars frames: the claimed facts from the flight start to the as-of day go
in (the same rows the KPI actuals are summed from), plain rows come out. One ``group_by`` pass
sums every campaign's flight-to-date volumes and both comparison weeks; everything else is
arithmetic on those sums. Ratios are ratios of sums, for a campaign, the "others" row and the
total alike, never averages; a zero denominator is no value.

A campaign is one platform campaign: rows sharing a campaign id (within channel, platform and
account) are one campaign whatever its name was when each export was downloaded, and it shows
its latest name. Rows without an id are told apart by name, and take the id their name has
elsewhere when that name has exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from perfmkt.metrics import CATALOG, MEASURES, Direction, volumes_needed
from perfmkt.plan import Plan

TOP = 10  # campaigns shown one by one; the rest make one "others" row
KEY = ("channel", "platform", "account", "key")

# The result a campaign is judged on when the plan names no volume the exports carry.
NATURAL_RESULT = {"ecommerce": "orders", "leadgen": "leads", "branding": "impressions"}


@dataclass(frozen=True)
class Window:
    """This week to the as-of day and the same weekdays of the week before (as
    ``report.week_over_week`` compares them)."""

    this_start: date
    this_end: date
    last_start: date
    last_end: date

    def as_dict(self) -> dict[str, dict[str, date]]:
        return {
            "this_week": {"start": self.this_start, "end": self.this_end},
            "last_week": {"start": self.last_start, "end": self.last_end},
        }


def result_kpi(plan: Plan) -> str | None:
    """The KPI counted as a campaign's result: the first planned volume other than spend that
    the exports carry (as the charts' main KPI), else the volume the first planned cost ratio
    divides by (CPL -> leads), else the objective's natural result; None when the plan plans
    spend only and no result is natural (never, today: every objective has one)."""
    planned = [k for k in plan.kpis if not CATALOG[k].is_ratio and k != "spend"]
    costs = [
        CATALOG[k].denominator
        for k in plan.kpis
        if CATALOG[k].is_ratio and CATALOG[k].numerator == "spend"
    ]
    for name in (*planned, *costs, NATURAL_RESULT.get(plan.objective)):
        if name in MEASURES and name != "spend":
            return name
    return None


def value_kpi(plan: Plan) -> str | None:
    """ "revenue" when the plan tracks revenue (as a KPI, or through ROAS, AOV, CIR, ROI);
    ``campaigns_block`` drops it again when no export carries revenue."""
    wanted = volumes_needed([*plan.kpis, *plan.tracked])
    return "revenue" if "revenue" in wanted else None


def driver_kpis(plan: Plan, statuses: dict[str, str]) -> list[str]:
    """Ratio KPIs with a target that are off plan (at risk or off track) and whose two volumes
    the exports carry, so each campaign's share of the gap can be measured."""
    out = []
    for name, status in statuses.items():
        metric = CATALOG[name]
        if not metric.is_ratio or name == "roi" or metric.direction is Direction.NONE:
            continue
        if status not in ("at_risk", "off_track") or name not in plan.kpis:
            continue
        if metric.numerator in MEASURES and metric.denominator in MEASURES:
            out.append(name)
    return out


def campaign_sums(used: pl.DataFrame, volumes: list[str], window: Window | None) -> pl.DataFrame:
    """One row per campaign: its latest name, flight-to-date sums of ``volumes`` and, with a
    ``window``, ``<volume>_this`` / ``<volume>_last`` over the two comparison weeks.

    ``used``: claimed facts, flight start to as-of (columns of ``perfmkt.schema`` plus
    ``channel``). A volume no row carries sums to null, not 0.
    """
    ids = pl.col("campaign_id")
    named = (
        used.filter(ids.is_not_null())
        .group_by("channel", "platform", "account", "campaign")
        .agg(pl.col("campaign_id").unique().alias("_ids"))
        .filter(pl.col("_ids").list.len() == 1)
        .select("channel", "platform", "account", "campaign", pl.col("_ids").list.first())
    )
    keyed = used.join(
        named, on=["channel", "platform", "account", "campaign"], how="left", nulls_equal=True
    ).with_columns(
        key=pl.when(ids.is_not_null())
        .then(pl.lit("id:") + ids)
        .when(pl.col("_ids").is_not_null())
        .then(pl.lit("id:") + pl.col("_ids"))
        .otherwise(pl.lit("name:") + pl.col("campaign"))
    )

    def summed(column: str, when: pl.Expr | None = None) -> pl.Expr:
        values = pl.col(column) if when is None else pl.col(column).filter(when)
        return pl.when(values.count() > 0).then(values.sum())

    sums: list[pl.Expr] = [summed(v).alias(v) for v in volumes]
    if window is not None:
        this = pl.col("date").is_between(window.this_start, window.this_end)
        last = pl.col("date").is_between(window.last_start, window.last_end)
        sums += [summed(v, this).alias(f"{v}_this") for v in volumes]
        sums += [summed(v, last).alias(f"{v}_last") for v in volumes]
    return keyed.group_by(*KEY).agg(
        # the latest day's name; the last in sort order when one day holds two names
        pl.col("campaign").sort_by("date", "campaign").last().alias("name"),
        *sums,
    )


def _div(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def _change(now: float | None, then: float | None) -> float | None:
    """now / then − 1; None without a base."""
    if now is None or not then:
        return None
    return now / then - 1


def _joined(values: list[Any]) -> str:
    """The channels (or platforms) a summed row holds: one name, or the names joined."""
    return ", ".join(sorted({str(v) for v in values if v is not None}))


def _row(
    sums: dict[str, float | None],
    result: str | None,
    value: str | None,
    total_spend: float | None,
    windowed: bool,
) -> dict[str, Any]:
    """The numbers of one breakdown row from its summed volumes."""
    spend = sums.get("spend") or 0.0
    res = sums.get(result) if result else None
    val = sums.get(value) if value else None
    change: dict[str, float | None] = {"spend": None, "result": None, "cost_per_result": None}
    if windowed:
        r_this = sums.get(f"{result}_this") if result else None
        r_last = sums.get(f"{result}_last") if result else None
        s_this, s_last = sums.get("spend_this"), sums.get("spend_last")
        change = {
            "spend": _change(s_this, s_last),
            "result": _change(r_this, r_last),
            "cost_per_result": _change(_div(s_this, r_this), _div(s_last, r_last)),
        }
    return {
        "spend": spend,
        "spend_share": _div(spend, total_spend),
        "result": res,
        "cost_per_result": _div(spend, res),
        "value": val,
        "roas": _div(val, spend),
        "change": change,
    }


def _summed(frame: pl.DataFrame, columns: list[str]) -> dict[str, float | None]:
    """Column sums of ``frame``, null when no row carries the column."""
    if frame.is_empty():
        return dict.fromkeys(columns)
    return frame.select(
        pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in columns
    ).row(0, named=True)


def breakdown(
    sums: pl.DataFrame,
    result: str | None,
    value: str | None,
    window: Window | None,
    names: tuple[str, str],
    top: int = TOP,
) -> dict[str, Any]:
    """``campaigns`` of the Report, without ``drivers``: the ``top`` campaigns by spend, one
    "others" row for the rest and the total over every campaign (``names``: what those two rows
    are called in the report's language)."""
    columns = [c for c in sums.columns if c not in (*KEY, "name")]
    ordered = sums.with_columns(pl.col("spend").fill_null(0.0)).sort(
        ["spend", "channel", "platform", "name", "key"],
        descending=[True, False, False, False, False],
        nulls_last=True,
    )
    everything = _summed(ordered, columns)
    total_spend = everything.get("spend")
    windowed = window is not None
    rows = []
    for row in ordered.head(top).iter_rows(named=True):
        rows.append(
            {
                "name": row["name"],
                "channel": row["channel"],
                "platform": row["platform"],
                **_row(row, result, value, total_spend, windowed),
                "others": False,
                "count": 1,
            }
        )
    rest = ordered.slice(top)
    if rest.height:
        rows.append(
            {
                "name": names[0],
                "channel": _joined(rest["channel"].to_list()),
                "platform": _joined(rest["platform"].to_list()),
                **_row(_summed(rest, columns), result, value, total_spend, windowed),
                "others": True,
                "count": rest.height,
            }
        )
    total = {
        "name": names[1],
        "channel": _joined(ordered["channel"].to_list()),
        "platform": _joined(ordered["platform"].to_list()),
        **_row(everything, result, value, total_spend, windowed),
        "others": False,
        "count": ordered.height,
    }
    return {
        "result": result,
        "value": value,
        "window": window.as_dict() if window else None,
        "rows": rows,
        "total": total,
    }


def excess_expr(name: str, target: float) -> pl.Expr:
    """What a campaign's volumes miss of a ratio target, in the numerator's unit: for a
    lower-better ratio (CPO = spend / orders) the numerator spent beyond target × denominator;
    for a higher-better one (ROAS = revenue / spend) the numerator missing from it."""
    metric = CATALOG[name]
    assert metric.numerator is not None and metric.denominator is not None
    allowed = pl.col(metric.denominator) * (target / metric.scale)
    top = pl.col(metric.numerator)
    return (top - allowed) if metric.direction is Direction.LOWER else (allowed - top)


def drivers(
    sums: pl.DataFrame, plan: Plan, kpis: list[str], limit: int | None = TOP
) -> list[dict[str, Any]]:
    """Per ratio KPI in ``kpis`` (in that order): the campaigns with a positive excess against
    the KPI's flight target, largest first (at most ``limit``), each with its share of the
    KPI's summed positive excess. Campaigns lacking either volume are left out."""
    out: list[dict[str, Any]] = []
    for name in kpis:
        excess = excess_expr(name, plan.kpis[name]).alias("excess")
        found = (
            sums.select("name", "channel", "platform", "key", excess)
            .filter(pl.col("excess") > 0)
            .sort(["excess", "name", "key"], descending=[True, False, False])
        )
        whole = float(found["excess"].sum()) if found.height else 0.0
        shown = found if limit is None else found.head(limit)
        for row in shown.iter_rows(named=True):
            out.append(
                {
                    "kpi": name,
                    "campaign": row["name"],
                    "channel": row["channel"],
                    "excess": row["excess"],
                    "share": row["excess"] / whole,
                }
            )
    return out


def weekly_drops(sums: pl.DataFrame, volume: str) -> pl.DataFrame:
    """Campaigns whose ``volume`` fell this week against the same days last week, largest
    absolute drop first: ``name``, ``channel``, ``drop`` (> 0)."""
    this, last = f"{volume}_this", f"{volume}_last"
    if this not in sums.columns:
        return pl.DataFrame(schema={"name": pl.String, "channel": pl.String, "drop": pl.Float64})
    return (
        sums.select(
            "name",
            "channel",
            "key",
            (pl.col(last).fill_null(0.0) - pl.col(this).fill_null(0.0)).alias("drop"),
        )
        .filter(pl.col("drop") > 0)
        .sort(["drop", "name", "key"], descending=[True, False, False])
        .drop("key")
    )


def carried(sums: pl.DataFrame, volume: str) -> bool:
    """Whether any campaign has a value for ``volume`` (an export carries it)."""
    return volume in sums.columns and sums[volume].null_count() < sums.height


def campaigns_block(
    used: pl.DataFrame,
    plan: Plan,
    statuses: dict[str, str],
    window: Window | None,
    names: tuple[str, str, str],
) -> tuple[dict[str, Any], pl.DataFrame]:
    """The Report's ``campaigns`` and the per-campaign sums behind it (for the summary).
    ``names``: the "others" row, the total, and a campaign its export does not name."""
    result, value = result_kpi(plan), value_kpi(plan)
    ratio_kpis = driver_kpis(plan, statuses)
    wanted = {"spend", *([result] if result else []), *([value] if value else [])}
    wanted |= set(volumes_needed(ratio_kpis))
    wanted |= {k for k in plan.kpis if k in MEASURES}  # the summary's weekly drops
    volumes = [v for v in MEASURES if v in wanted and v in used.columns]
    sums = campaign_sums(used, volumes, window)
    # An export without a campaign column (an ad-group report) leaves the name empty.
    unnamed = pl.col("name").is_null() | (pl.col("name").str.strip_chars() == "")
    sums = sums.with_columns(name=pl.when(unnamed).then(pl.lit(names[2])).otherwise("name"))
    if value is not None and not carried(sums, value):
        value = None  # no export carries revenue: no value and no ROAS column to show
    block = breakdown(sums, result, value, window, names[:2])
    block["drivers"] = drivers(sums, plan, ratio_kpis)
    return block, sums
