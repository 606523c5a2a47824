"""One ``Report``: everything a renderer needs, computed once from a plan and its exports.

The field names are the machine-readable contract (JSON keys, template variables):
keep them stable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from perfmkt import lag, pacing
from perfmkt.alerts import Alert, evaluate
from perfmkt.campaigns import Window, campaigns_block, result_kpi
from perfmkt.errors import DataError
from perfmkt.freshness import Download, choose_as_of, coverage
from perfmkt.metrics import CATALOG, VOLUMES, total
from perfmkt.plan import WEEKDAYS, Plan, load_plan, resolve_sources
from perfmkt.serialize import jsonable
from perfmkt.sources.load import Loaded, load_exports
from perfmkt.summary import (
    claimed_note,
    others_label,
    severity_of,
    summarize,
    verdict_of,
    warnings_of,
)
from perfmkt.targets import daily_targets, learn_weekday_weights, planned_volumes


@dataclass(frozen=True)
class FlightInfo:
    start: date
    end: date
    days_total: int
    days_elapsed: int
    days_remaining: int


@dataclass
class Notes:
    """What the numbers rest on: files read, rows left out and why, overlaps, warnings."""

    files: list[dict[str, Any]] = field(default_factory=list)
    rows_skipped: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    unclaimed_campaigns: list[dict[str, Any]] = field(default_factory=list)
    days_without_data: list[date] = field(default_factory=list)
    kpi_sources: dict[str, list[str]] = field(default_factory=dict)
    fx: dict[str, float] = field(default_factory=dict)  # currency -> rate used (plan's fx:)
    # The shop's own orders / CRM leads beside what the platforms claim, flight to date.
    # orders and revenue: claimed (``platforms``), ``placed`` and ``net`` (``shop`` is the net
    # figure, ``platforms_per_shop`` claimed ÷ net), what placed lost on the way to net by
    # outcome (``lost``) and what net can still lose (``open``, ``open_cod``); leads: ``shop``,
    # ``platforms``, ``platforms_per_shop``. See report.order_truth.
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)
    # KPI -> where its actuals come from (shop_net or shop_placed when the plan's truth: says so)
    truth_sources: dict[str, str] = field(default_factory=dict)
    weekday_weights: dict[str, float] | None = None  # learned from the data, when asked
    # How far each source reaches: last day, last complete day, a day downloaded part-way.
    coverage: list[dict[str, Any]] = field(default_factory=list)
    # Platform -> its maturity curve (share of a day's eventual results in after N days), where
    # it came from and what it rests on. See perfmkt.lag.
    conversion_lag: dict[str, dict[str, Any]] = field(default_factory=dict)
    # How the chance to hit and the advice are made, in the report's language.
    methods: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    client: str
    campaign: str
    objective: str
    currency: str
    timezone: str
    as_of: date
    as_of_reason: str
    flight: FlightInfo
    projection_method: str
    kpis: list[pacing.KpiPace]
    tracked: list[dict[str, Any]]
    costs: dict[str, Any] | None
    daily: list[dict[str, Any]]
    weekly: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    alerts: list[Alert]
    notes: Notes
    # Everything below is for the client-facing renderers (HTML, Markdown, charts).
    plan_daily: list[dict[str, Any]] = field(default_factory=list)  # targets, whole flight
    week_over_week: dict[str, Any] | None = None
    locale: str = "en"
    branding: dict[str, Any] = field(default_factory=dict)
    templates: str | None = None  # the plan's template folder, resolved
    previous_flight: dict[str, Any] | None = None  # the same span of the previous flight
    pace_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by as-of day
    # The answer first: overall status and the worst KPI, then 3–5 sentences, most severe first
    # (text in ``locale``). See perfmkt.summary.
    verdict: dict[str, Any] = field(default_factory=dict)
    summary: list[dict[str, Any]] = field(default_factory=list)
    # Claimed campaigns by spend (top 10 and "others"), their total, and the campaigns driving
    # each off-plan ratio KPI's gap. See perfmkt.campaigns.
    campaigns: dict[str, Any] = field(default_factory=dict)
    # Weeks after the as-of week with their whole-week targets, labelled as the plan names them.
    weeks_ahead: list[dict[str, Any]] = field(default_factory=list)
    # Where the next budget buys most: moves of remaining budget between channels
    # {kind, kpi, from, to, amount, gain, marginal_cost: {channel: value}, text}, and the rest of
    # "what now" (marginal costs, catch-up spend, budget runway, sentences). See perfmkt.advice.
    advice: list[dict[str, Any]] = field(default_factory=list)
    what_now: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: dates as ISO strings, no value as None."""
        return jsonable(asdict(self))


def _downloads(
    facts: pl.DataFrame, in_flight: pl.DataFrame, loaded: Loaded, plan: Plan
) -> list[Download]:
    """The files freshness looks at: ad exports of every platform with claimed rows in the
    flight (each file's last day from its rows, per platform), and the shop's exports when a KPI
    takes its truth from them."""
    active = set(in_flight["platform"].unique().to_list())
    info = {f.path: f for f in loaded.files}
    per_file = (
        facts.filter(pl.col("platform").is_in(list(active)))
        .group_by("source_file", "platform")
        .agg(last=pl.col("date").max())
        .sort("platform", "source_file")
    )
    downloads = []
    for path, platform, last in per_file.iter_rows():
        f = info.get(path)
        mtime = f.mtime if f else 0.0
        if f and f.made_at and f.made_at_from.startswith("Last Completed Available"):
            # Microsoft states (in GMT) the hour its data is complete to: truer than a
            # modification time, which a copy changes; on the last day it makes that day partial.
            made = f.made_at if f.made_at.tzinfo else f.made_at.replace(tzinfo=UTC)
            mtime = made.timestamp()
        # Daily exports leave out days without delivery: a date-range line that ended before
        # the download says the file reaches further than its last row.
        ended = f.range_end if f else None
        if ended and last < ended < datetime.fromtimestamp(mtime, plan.tz).date():
            last = ended
        downloads.append(Download(path, platform, last, mtime))
    if any(plan.from_shop(k) for k in plan.truth):
        for shop in loaded.shop_files:
            # One source per shop system: a marketplace's half-downloaded day is not hidden by
            # another shop's later file (a re-download of the same system still pools).
            system = re.sub(r" orders? export$", "", shop.label)
            named = f" ({system})" if system != shop.label else ""
            downloads.append(
                Download(
                    shop.path,
                    f"shop {shop.kind}{named}",
                    shop.last_day,
                    shop.mtime,
                    holds_back=False,
                )
            )
    return downloads


def build_report(
    plan: Plan, loaded: Loaded, today: date, as_of: date | None = None, outlook: bool = True
) -> Report:
    """Pace ``plan`` against the ``loaded`` exports as of ``as_of`` (default: see
    ``perfmkt.freshness``; ``today`` is the current date in the plan's time zone). Without
    ``outlook`` no chance, range or advice is worked out (``perfmkt validate`` needs none)."""
    check_countable(plan, loaded)
    notes = Notes()
    facts = pacing.assign_channels(loaded.facts, plan).collect()
    _note_files(notes, loaded)
    facts = to_plan_currency(facts, plan, notes)

    claimed = facts.filter(pl.col("channel").is_not_null())
    _note_claims(notes, facts, plan)
    in_flight = claimed.filter(pl.col("date").is_between(plan.flight.start, plan.flight.end))
    outside = claimed.height - in_flight.height
    if outside:
        notes.rows_skipped.append({"reason": "outside the flight", "rows": outside, "file": None})
    reach = coverage(_downloads(facts, in_flight, loaded, plan), plan.tz)
    chosen = choose_as_of(
        reach, today, plan.flight.start, plan.flight.end, plan.timezone, asked=as_of
    )
    as_of, reason = chosen.day, chosen.reason
    notes.warnings.extend(chosen.warnings)
    notes.coverage = [asdict(c) for c in reach]
    after = in_flight.filter(pl.col("date") > as_of).height
    if after:
        notes.rows_skipped.append(
            {"reason": f"after the as-of date {as_of}", "rows": after, "file": None}
        )
    used = in_flight.filter(pl.col("date") <= as_of)

    flight = plan.flight
    elapsed = max(0, min((as_of - flight.start).days + 1, flight.days))
    info = FlightInfo(flight.start, flight.end, flight.days, elapsed, flight.days - elapsed)
    last_elapsed = min(as_of, flight.end)
    shop = pacing.shop_daily(loaded.orders, loaded.leads, flight.start, last_elapsed)
    actuals = pacing.with_truth(
        pacing.daily_actuals(used.lazy(), flight.start, last_elapsed), shop, plan.truth
    )
    notes.truth_sources = {k: v for k, v in plan.truth.items() if plan.from_shop(k)}
    # The results each day will have once late conversions are in: what projections, chances
    # and advice look at; every reported number stays as the exports say.
    # (the days before the flight too: the advice's response curves learn from them)
    settled_all = _settled(plan, loaded, claimed.filter(pl.col("date") <= as_of), in_flight, notes)
    settled = settled_all.filter(pl.col("date") >= flight.start)
    eventual = pacing.with_truth(
        pacing.daily_actuals(settled.lazy(), flight.start, last_elapsed), shop, plan.truth
    )
    targets = daily_targets(plan, _weekday_weights(plan, actuals, as_of, notes))
    present_days = set(used["date"].unique().to_list())
    notes.days_without_data = [d for d in actuals["date"].to_list() if d not in present_days]

    if used.is_empty() and elapsed:
        notes.warnings.append(
            f"no claimed rows between {flight.start} and {as_of}: check that the exports cover "
            "the flight and that the channels' campaign patterns match"
        )
    _note_truth(notes, loaded, used, plan.flight.start, last_elapsed)
    _note_shop_sources(notes, loaded, plan)
    _note_attribution(notes, loaded, used, plan)
    kpis = pacing.pace_kpis(plan, actuals, targets, as_of, eventual)
    if outlook:
        kpis = _with_outlook(plan, kpis, eventual, targets, as_of)
        notes.methods = methods(plan.language)
    bands = pacing.bands_now(plan, as_of)
    daily = _daily_rows(
        pacing.daily_table(plan, actuals, targets, bands),
        plan,
        _maturity(plan, settled, flight.start, last_elapsed),
    )
    weekly = pacing.weekly_table(plan, actuals, targets, as_of, bands)
    spend_to_date = _to_date(actuals, as_of)["spend"]
    channel_rows = _channel_rows(
        plan, used, settled, loaded, targets, as_of, spend_to_date, outlook
    )
    window = _wow_window(plan, as_of)
    statuses = {k.name: k.status for k in kpis}
    campaigns, campaign_sums = campaigns_block(
        used, plan, statuses, window, others_label(plan.language)
    )
    alerts = evaluate(plan.alerts, kpis, daily, as_of)
    # what pace to date hides (delivery stopped, a projection short): said in both
    warnings = warnings_of(plan, kpis, actuals, targets, as_of)
    verdict = verdict_of(kpis, info, plan.language, plan.currency, warnings, plan.truth)
    campaigns["note"] = claimed_note(plan, campaigns)
    summary = summarize(
        plan,
        kpis,
        info,
        actuals,
        targets,
        alerts,
        campaigns,
        campaign_sums,
        as_of,
        channel_rows,
        warnings,
    )
    verdict["severity"] = severity_of(verdict, summary)
    moves: list[dict[str, Any]] = []
    what_now: dict[str, Any] = {}
    if outlook:
        from perfmkt.advice import what_now as advise  # numpy: only where advice is given

        what_now = advise(plan, kpis, settled_all, as_of, info.days_remaining, targets)
        moves = what_now.pop("advice")
        what_now.pop("method")  # in notes.methods, in the report's language
    return Report(
        client=plan.client,
        campaign=plan.campaign,
        objective=plan.objective,
        currency=plan.currency,
        timezone=plan.timezone,
        as_of=as_of,
        as_of_reason=reason,
        flight=info,
        projection_method=plan.projection.method,
        kpis=kpis,
        tracked=_tracked(plan, actuals, as_of),
        costs=_costs(plan, kpis, actuals, elapsed),
        daily=daily,
        weekly=_weekly_rows(weekly, plan),
        channels=channel_rows,
        alerts=alerts,
        plan_daily=[
            {"date": r["date"], "target": {k: r[k] for k in planned_volumes(plan)}}
            for r in targets.iter_rows(named=True)
        ],
        week_over_week=_week_over_week(plan, actuals, as_of),
        locale=plan.language,
        branding=plan.branding.model_dump(),
        notes=notes,
        verdict=verdict,
        summary=summary,
        campaigns=campaigns,
        weeks_ahead=_weeks_ahead(plan, targets, as_of),
        advice=moves,
        what_now=what_now,
    )


# The orders-frame column each shop truth takes a volume from.
TRUTH_COLUMNS = {
    ("orders", "shop_placed"): "orders",
    ("orders", "shop_net"): "net_orders",
    ("revenue", "shop_placed"): "revenue",
    ("revenue", "shop_net"): "net_revenue",
}
# Why an export cannot give that column, when it does not say itself (ShopRead.orders_refused).
CANNOT = {
    "orders": "it does not count orders",
    "net_orders": "it does not say which orders were cancelled, returned or not delivered",
    "revenue": "it has no revenue",
    "net_revenue": "it does not say what was cancelled, returned or refunded",
}


def check_countable(plan: Plan, loaded: Loaded) -> None:
    """Refuse a plan that takes orders or revenue from the shop (``truth:``) when one of its
    order exports cannot give that figure on days of the flight (Shopify's Sales by product
    counts an order once per product; a day's total may not say what was cancelled): pacing
    would count 0 on those days, not refuse."""
    files = [f for f in loaded.shop_files if f.kind == "orders" and f.rows_read]
    flight = loaded.orders.filter(pl.col("date").is_between(plan.flight.start, plan.flight.end))

    def cannot(column: str) -> dict[str, str]:
        """Each file that cannot give ``column``, with why (the reader's own reason first)."""
        out = {}
        for f in files:
            rows = loaded.orders.filter(pl.col("source_file") == f.path)[column]
            refused = f.orders_refused if "orders" in column else None
            if refused or (rows.len() and rows.null_count() == rows.len()):
                out[f.path] = refused or CANNOT[column]
        return out

    for kpi in ("orders", "revenue"):
        truth = plan.truth.get(kpi, "platforms")
        column = TRUTH_COLUMNS.get((kpi, truth))
        if column is None or not files:
            continue
        reasons = cannot(column)
        figure = kpi if truth == "shop_placed" else f"net {kpi}"
        # Shop exports add up (a marketplace and a website): one that cannot give the figure
        # on days of the flight would pace on the others' alone while the other KPIs (revenue
        # beside net orders: AOV, ROAS) take it in, so it is refused as when it is alone.
        gaps = {
            path: why
            for path, why in reasons.items()
            if flight.filter((pl.col("source_file") == path) & pl.col(column).is_null()).height
        }
        if len(reasons) < len(files) and not gaps:
            continue
        path, why = next(iter(gaps.items() or reasons.items()))
        more = f" (as do {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        fixes = []
        if not any(f.orders_refused for f in files if f.path == path and "orders" in column):
            fixes.append("export the shop's orders, one row per order with its status")
        other = "shop_net" if truth == "shop_placed" else "shop_placed"
        if not cannot(TRUTH_COLUMNS[(kpi, other)]):
            fixes.append(f"truth: {{{kpi}: {other}}}")
        fixes.append(f"truth: {{{kpi}: platforms}}")
        raise DataError(
            f"the plan takes the {figure} from the shop (truth: {{{kpi}: {truth}}}), but this "
            f"export{more} cannot give them: {why}",
            path=path,
            hint=", or ".join(fixes),
        )


def _settled(
    plan: Plan, loaded: Loaded, used: pl.DataFrame, in_flight: pl.DataFrame, notes: Notes
) -> pl.DataFrame:
    """``used`` with each result divided by the share of it probably in by now (``maturity``
    column added): the curves are learned from every download of a report (the days a newer
    one replaced too), else taken from the plan's ``conversion_lag:``."""
    looks = pl.concat([loaded.facts.collect(), loaded.superseded], how="diagonal_relaxed")
    curves = lag.learn_curves(looks, loaded.downloads, plan.tz, plan.conversion_lag)
    active = sorted(set(in_flight["platform"].unique().to_list()))
    notes.conversion_lag = {
        p: {
            "maturity": list(curves[p].maturity),
            "source": curves[p].source,
            "detail": curves[p].detail,
        }
        for p in active
        if p in curves
    }
    return lag.eventual(used, curves, lag.supplied_on(loaded.downloads, plan.tz, looks))


def _maturity(plan: Plan, settled: pl.DataFrame, start: date, end: date) -> dict[date, float]:
    """Per day, the share of its eventual main result already reported (1 where the result
    comes from the shop: an order is in the shop's export the day it is placed)."""
    result = result_kpi(plan)
    if result is None or plan.from_shop(result) or end < start:
        return {}
    frame = lag.daily_maturity(settled, result, start, end)
    return dict(frame.iter_rows())


def _with_outlook(
    plan: Plan,
    kpis: list[pacing.KpiPace],
    eventual: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
) -> list[pacing.KpiPace]:
    """Each KPI with its chance to hit and 80 % interval (perfmkt.forecast)."""
    from perfmkt.forecast import outlooks as simulate  # numpy: only where chances are shown

    outlooks = simulate(plan, eventual, targets, as_of)
    out = []
    for k in kpis:
        o = outlooks.get(k.name)
        if o is None:
            out.append(k)
            continue
        band = (o.low, o.high) if o.low is not None and o.high is not None else None
        out.append(replace(k, chance=o.chance, projection_interval=band))
    return out


def methods(language: str) -> dict[str, str]:
    """How the chance to hit and the advice are made, in ``language``."""
    from perfmkt import advice, forecast

    if language == "vi":
        return {"chance": forecast.METHOD_VI, "advice": advice.METHOD_VI}
    return {"chance": forecast.METHOD, "advice": advice.METHOD}


def week_label(plan: Plan, start: date, end: date) -> str | None:
    """The label of the timeline period covering most of ``start..end`` (the earlier period
    on a tie); None when no period covers it or the covering one has no label."""
    best, most = None, 0
    for period in plan.timeline:
        first, last = period.days(plan.flight)
        covered = (min(end, last) - max(start, first)).days + 1
        if covered > most:
            best, most = period, covered
    return best.label if best is not None else None


def _weeks_ahead(plan: Plan, targets: pl.DataFrame, as_of: date) -> list[dict[str, Any]]:
    """What is left of the flight week by week: the rest of the as-of week (its remaining days
    only: what this week must still deliver), then the later weeks whole; ratio targets through
    the weekly rows' own code (``pacing.with_ratio_targets``), so both tables agree."""
    later = targets.filter(pl.col("date") > as_of)
    planned = [v for v in VOLUMES if v in later.columns]
    weeks = (
        later.group_by(pl.col("date").dt.strftime("%G-W%V").alias("week"))
        .agg(
            pl.col("date").min().alias("start"),
            pl.col("date").max().alias("end"),
            pl.len().alias("days"),
            *[pl.col(v).sum() for v in planned],
        )
        .sort("start")
    )
    weeks = pacing.with_ratio_targets(weeks, plan, "target")
    names = {k: k if k in planned else f"{k}_target" for k in plan.kpis}
    return [
        {**_week_head(row, plan), "target": {k: row[column] for k, column in names.items()}}
        for row in weeks.iter_rows(named=True)
    ]


def _week_head(row: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """What names a week in the weekly rows and the weeks ahead alike."""
    return {
        "week": row["week"],
        "label": week_label(plan, row["start"], row["end"]),
        "start": row["start"],
        "end": row["end"],
        "days": row["days"],
    }


def _daily_rows(
    frame: pl.DataFrame, plan: Plan, maturity: dict[date, float]
) -> list[dict[str, Any]]:
    """Per elapsed day: actual, target, pace and status of every KPI (the status from
    ``pacing.status_of``: spend with no result, or where none was planned, has one too), and
    the share of the day's eventual results already in."""
    rows = []
    for row in frame.iter_rows(named=True):
        actual = {k: row[k] for k in plan.kpis}
        target = {k: row[f"{k}_target"] for k in plan.kpis}
        paces = {k: pacing.pace_of(actual[k], target[k], CATALOG[k].direction) for k in plan.kpis}
        rows.append(
            {
                "date": row["date"],
                "actual": actual,
                "target": target,
                "pace": paces,
                "status": {k: row[f"{k}_status"] for k in plan.kpis},
                # share of the day's eventual results already in (perfmkt.lag); 1 when none lag
                "maturity": maturity.get(row["date"], 1.0),
            }
        )
    return rows


def _weekly_rows(frame: pl.DataFrame, plan: Plan) -> list[dict[str, Any]]:
    kpis = list(plan.kpis)
    return [
        {
            **_week_head(row, plan),
            "days_elapsed": row["days_elapsed"],
            "target": {k: row[f"{k}_target"] for k in kpis},
            "expected_to_date": {k: row[f"{k}_expected"] for k in kpis},
            "actual": {k: row[k] for k in kpis},
            "pace": {k: row[f"{k}_pace"] for k in kpis},
            "status": {k: row[f"{k}_status"] for k in kpis},
        }
        for row in frame.iter_rows(named=True)
    ]


def _weekday_weights(
    plan: Plan, actuals: pl.DataFrame, as_of: date, notes: Notes
) -> dict[int, float] | None:
    """Weekday weights learned from the last weeks of spend, when the plan says ``learn``."""
    if plan.shape.weekday_weights != "learn":
        return None
    learned = learn_weekday_weights(actuals, "spend", as_of, plan.shape.learn_weeks)
    if learned is None:
        notes.warnings.append(
            "weekday_weights: learn needs at least one full week of spend: weights are flat"
        )
        return None
    notes.weekday_weights = {WEEKDAYS[d]: round(w, 3) for d, w in sorted(learned.items())}
    return learned


def _wow_window(plan: Plan, as_of: date) -> Window | None:
    """This ISO week to the as-of day and the same weekdays of the week before; None when the
    week before starts before the flight."""
    start = as_of - timedelta(days=as_of.weekday())
    days = (as_of - start).days + 1
    before = start - timedelta(days=7)
    if before < plan.flight.start:
        return None
    return Window(start, as_of, before, before + timedelta(days=days - 1))


def _week_over_week(plan: Plan, actuals: pl.DataFrame, as_of: date) -> dict[str, Any] | None:
    """This ISO week to the as-of day against the same weekdays of the week before."""
    window = _wow_window(plan, as_of)
    if window is None:
        return None
    this = _to_date(actuals.filter(pl.col("date").is_between(window.this_start, as_of)), as_of)
    last = _to_date(
        actuals.filter(pl.col("date").is_between(window.last_start, window.last_end)), as_of
    )
    names = list(dict.fromkeys([*plan.kpis, *plan.tracked]))
    now, then = _metrics(this, names, plan.margin), _metrics(last, names, plan.margin)
    return {
        **window.as_dict(),
        "kpis": _compared(names, now, then, "this_week", "last_week"),
    }


def _compared(
    names: list[str], now: dict[str, Any], then: dict[str, Any], now_key: str, then_key: str
) -> list[dict[str, Any]]:
    """Each metric now and then, with the relative change (None without a base)."""
    return [
        {
            "name": n,
            "label": CATALOG[n].label,
            "kind": CATALOG[n].kind,
            now_key: now[n],
            then_key: then[n],
            "change": (now[n] / then[n] - 1) if now[n] is not None and then[n] else None,
        }
        for n in names
    ]


def _to_date(actuals: pl.DataFrame, as_of: date) -> dict[str, float | None]:
    """Summed volumes up to ``as_of``; None for a volume no source measures."""
    frame = actuals.filter(pl.col("date") <= as_of)
    return {v: total(frame[v]) for v in VOLUMES}


def _metrics(sums: dict[str, float | None], names: list[str], margin: float) -> dict[str, Any]:
    """Catalog metrics from summed volumes (ratios of sums)."""
    frame = pl.DataFrame([sums], schema={v: pl.Float64 for v in VOLUMES})
    return frame.select(CATALOG[n].expr(margin).alias(n) for n in names).row(0, named=True)


def _tracked(plan: Plan, actuals: pl.DataFrame, as_of: date) -> list[dict[str, Any]]:
    """The objective's other metrics, flight to date, without targets."""
    values = _metrics(_to_date(actuals, as_of), plan.tracked, plan.margin)
    return [
        {"name": n, "label": CATALOG[n].label, "kind": CATALOG[n].kind, "actual_to_date": values[n]}
        for n in plan.tracked
    ]


def _channel_rows(
    plan: Plan,
    used: pl.DataFrame,
    settled: pl.DataFrame,
    loaded: Loaded,
    targets: pl.DataFrame,
    as_of: date,
    total_spend: float | None,
    outlook: bool = True,
) -> list[dict[str, Any]]:
    """Per channel: actuals to date, share of spend, the shop's truth for the channel (when its
    orders or leads can be told apart by ``order_source``) and its own pacing (when it has
    targets). With ``truth:`` from the shop, a channel's result KPIs come from the shop too."""
    flight = plan.flight
    last = min(as_of, flight.end)
    shown = list(dict.fromkeys([*plan.kpis, "impressions", "clicks"]))
    names = list(plan.channels) or sorted(set(used["channel"].to_list()))
    rows = []
    for name in names:
        channel = plan.channels.get(name)
        mine = used.filter(pl.col("channel") == name)
        actuals = pacing.daily_actuals(mine.lazy(), flight.start, last)
        eventual = pacing.daily_actuals(
            settled.filter(pl.col("channel") == name).lazy(), flight.start, last
        )
        truth = outcomes = None
        if channel is not None and channel.order_source:
            shop = pacing.shop_daily(
                loaded.orders, loaded.leads, flight.start, last, channel.order_source
            )
            actuals = pacing.with_truth(actuals, shop, plan.truth)
            eventual = pacing.with_truth(eventual, shop, plan.truth)
            truth = {v: total(shop[v]) for v in pacing.SHOP_VOLUMES}
            if any(f.kind == "orders" for f in loaded.shop_files):
                outcomes = order_truth(
                    loaded.orders, mine, flight.start, last, channel.order_source
                )
        sums = _to_date(actuals, as_of)
        kpis: list[pacing.KpiPace] = []
        if channel is not None and channel.kpis:
            kpis = _pace_channel(plan, channel.kpis, actuals, eventual, targets, as_of, outlook)
        rows.append(
            {
                "name": name,
                "platform": channel.platform if channel else name,
                "campaigns": channel.campaigns if channel else None,
                "actual": _metrics(sums, shown, plan.margin),
                "spend_share": (
                    sums["spend"] / total_spend
                    if sums["spend"] is not None and total_spend
                    else None
                ),
                "truth": truth,
                # claimed, placed and net orders and revenue (report.order_truth)
                "outcomes": outcomes,
                "kpis": kpis,
            }
        )
    return rows


def _costs(
    plan: Plan, kpis: list[pacing.KpiPace], actuals: pl.DataFrame, elapsed: int
) -> dict[str, Any] | None:
    """Media cost and all-in cost (agency fee, VAT, fixed costs pro rata), with ROI and CIR on
    each, to date and at the projected flight end."""
    if plan.costs is None:
        return None
    costs = plan.costs
    by_name = {k.name: k for k in kpis}
    media = total(actuals["spend"], empty=0.0) or 0.0
    revenue = total(actuals["revenue"])

    def view(media: float | None, revenue: float | None, share: float) -> dict[str, Any]:
        if media is None:
            return {"media": None, "all_in": None}
        fee = media * costs.agency_fee
        vat = (media + fee) * costs.vat
        fixed = costs.fixed * share
        all_in = media + fee + vat + fixed
        margin = plan.margin

        def roi(cost: float) -> float | None:
            return (revenue * margin - cost) / cost if revenue is not None and cost else None

        def cir(cost: float) -> float | None:
            return cost / revenue if revenue else None

        return {
            "media": media,
            "agency_fee": fee,
            "vat": vat,
            "fixed": fixed,
            "all_in": all_in,
            "revenue": revenue,
            "roi_media": roi(media),
            "roi_all_in": roi(all_in),
            "cir_media": cir(media),
            "cir_all_in": cir(all_in),
        }

    spend_kpi, revenue_kpi = by_name.get("spend"), by_name.get("revenue")
    projected = view(
        spend_kpi.projection if spend_kpi else None,
        revenue_kpi.projection if revenue_kpi else None,
        1.0,
    )
    return {
        "to_date": view(float(media), revenue, elapsed / plan.flight.days),
        "projection": projected,
        "agency_fee_rate": costs.agency_fee,
        "vat_rate": costs.vat,
        "fixed_total": costs.fixed,
    }


def _pace_channel(
    plan: Plan,
    goals: dict[str, float],
    actuals: pl.DataFrame,
    eventual: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
    outlook: bool = True,
) -> list[pacing.KpiPace]:
    """A channel paced against its own targets. For volumes the plan also has, the channel
    follows the plan's daily shape scaled to its total; others spread like a plan of their own."""
    own = plan.model_copy(update={"kpis": goals, "timeline": []})
    base = daily_targets(own)
    shared = [k for k in goals if k in plan.kpis and k in targets.columns]
    if shared:
        scaled = targets.select(
            "date",
            *[
                (pl.col(c) * (goals[k] / plan.kpis[k])).alias(c)
                for k in shared
                for c in (k, f"{k}_cum")
            ],
        )
        base = base.drop(c for k in shared for c in (k, f"{k}_cum")).join(scaled, on="date")
    kpis = pacing.pace_kpis(own, actuals, base, as_of, eventual)
    return _with_outlook(own, kpis, eventual, base, as_of) if outlook else kpis


def _note_attribution(notes: Notes, loaded: Loaded, used: pl.DataFrame, plan: Plan) -> None:
    """Warn when an export's attribution setting differs from its channel's in the plan."""
    by_file = {f.path: f.attribution for f in loaded.files}
    pairs = used.select("channel", "source_file").unique().iter_rows()
    for name, path in sorted(pairs):
        expected = plan.channels[name].attribution if name in plan.channels else None
        if not expected:
            continue
        for setting in by_file.get(path, []):
            if attribution_code(setting) != attribution_code(expected):
                notes.warnings.append(
                    f"channel {name!r} expects attribution {expected}, but {path} was exported "
                    f"with {setting!r}"
                )


def attribution_code(text: str) -> str:
    """``7-day click or 1-day view`` and ``7d_click_1d_view`` -> ``7d_click_1d_view``."""
    parts = re.findall(
        r"(\d+)\s*-?\s*d(?:ay)?s?[\s_-]*(click|engaged[\s_-]*view|view)", text.lower()
    )
    if not parts:
        return text.strip().lower()
    return "_".join(n + "d_" + re.sub(r"[\s-]+", "_", kind) for n, kind in parts)


def _note_files(notes: Notes, loaded: Loaded) -> None:
    for f in loaded.files:
        notes.files.append(
            {
                "path": f.path,
                "platform": f.platform,
                "detected_by": f.detected_by,
                "rows": f.rows_read,
                "first_day": f.first_day,
                "last_day": f.last_day,
                "modified": datetime.fromtimestamp(f.mtime).isoformat(timespec="seconds"),
                "columns": f.columns_used,
                "attribution": f.attribution,
            }
        )
        for reason, count in f.skipped.items():
            notes.rows_skipped.append({"reason": reason, "rows": count, "file": f.path})
        if f.rows_read == 0:
            notes.warnings.append(f"{f.path}: no data rows")
        notes.warnings.extend(f"{f.path}: {w}" for w in f.warnings)
    for r in loaded.replacements:
        notes.overlaps.append(
            {
                "file": r.older,
                "replaced_by": r.newer,
                "first_day": r.first_day,
                "last_day": r.last_day,
                "days": r.days,
                "rows_dropped": r.rows_dropped,
                "reason": r.reason,
            }
        )
    # Which export column fed each KPI volume, per platform: the report always says.
    for f in loaded.files:
        for name, column in f.columns_used.items():
            if name in CATALOG or name in ("conversion_value",):
                entry = f"{f.platform}: {column}"
                sources = notes.kpi_sources.setdefault(name, [])
                if entry not in sources:
                    sources.append(entry)


def _note_truth(
    notes: Notes, loaded: Loaded, claimed: pl.DataFrame, start: date, as_of: date
) -> None:
    """Shop orders and CRM leads against platform-claimed conversions: over-attribution shows
    as a ratio above 1 (Google and Meta both claim the same order)."""
    for f in loaded.shop_files:
        notes.files.append(
            {
                "path": f.path,
                "platform": f"shop {f.kind}",
                "detected_by": f.label,
                "rows": f.rows_read,
                "first_day": f.first_day,
                "last_day": f.last_day,
                "columns": f.columns_used,
                "attribution": [],
            }
        )
        for reason, count in f.skipped.items():
            notes.rows_skipped.append({"reason": reason, "rows": count, "file": f.path})
        notes.warnings.extend(f"{f.path}: {w}" for w in f.warnings)
    if any(f.kind == "orders" for f in loaded.shop_files):
        notes.truth.update(order_truth(loaded.orders, claimed, start, as_of))
    if any(f.kind == "leads" for f in loaded.shop_files):
        leads = loaded.leads.filter(pl.col("date").is_between(start, as_of))
        notes.truth["leads"] = _claims_against(float(leads.height), total(claimed["leads"]))


# Columns of a shop's orders export that do not decide where an order went (what net leaves).
NOT_OUTCOME = frozenset(
    {"date", "currency", "source", "payment", "order_id", "orders", "revenue", "net_revenue"}
    | {"quantity", "price", "item_id", "new_customer"}
)


def _note_shop_sources(notes: Notes, loaded: Loaded, plan: Plan) -> None:
    """Orders and revenue paced on the shop's figure (``truth:``) name the shop's columns they
    come from ("Shopify: Name, Financial Status"), not the platforms' that pacing left aside:
    the count or amount, and for a net figure the columns that say where an order went."""
    for kpi in ("orders", "revenue"):
        column = TRUTH_COLUMNS.get((kpi, plan.truth.get(kpi, "platforms")))
        if column is None:
            continue
        entries: list[str] = []
        for f in loaded.shop_files:
            if f.kind != "orders":
                continue
            used = f.columns_used
            net = column.startswith("net_")
            if kpi == "orders":
                names = [used.get("orders") or used.get("order_id")]
            elif net and "net_revenue" in used:  # a day's total, already net
                names, net = [used["net_revenue"]], False
            else:
                names = [used.get("revenue")]
            if net:
                names += [c for key, c in used.items() if key not in NOT_OUTCOME]
            entry = f"{_shop_name(f.label)}: {', '.join(dict.fromkeys(n for n in names if n))}"
            if any(names) and entry not in entries:
                entries.append(entry)
        if entries:
            notes.kpi_sources[kpi] = entries


def _shop_name(label: str) -> str:
    """The shop system a reader's label names: "Shopify orders export" -> "Shopify",
    "Shopify Analytics: Sales over time by day" -> "Shopify Analytics"; "shop" for an export
    mapped by the plan's columns:."""
    name = re.sub(r"( orders? export|: .* by day)$", "", label)
    return "shop" if name == label and "export" in label else name


def _claims_against(shop: float | None, platforms: float | None) -> dict[str, Any]:
    ratio = platforms / shop if platforms is not None and shop else None
    return {"shop": shop, "platforms": platforms, "platforms_per_shop": ratio}


def order_truth(
    orders: pl.DataFrame,
    claimed: pl.DataFrame,
    start: date,
    end: date,
    source: str | None = None,
) -> dict[str, dict[str, Any]]:
    """For orders and revenue over ``start..end``: what the platforms claim (``platforms``,
    from the ``claimed`` rows), what the shop placed and kept net (``pacing.order_outcomes``:
    ``placed``, ``net``, ``lost`` by outcome, ``open``, ``open_cod``), the net figure again as
    ``shop`` and the over-attribution ``platforms_per_shop`` (claimed ÷ net)."""
    outcomes = pacing.order_outcomes(orders, start, end, source)
    return {
        measure: {**_claims_against(o["net"], total(claimed[measure])), **o}
        for measure, o in outcomes.items()
    }


def _note_claims(notes: Notes, facts: pl.DataFrame, plan: Plan) -> None:
    unclaimed = (
        facts.filter(pl.col("channel").is_null())
        .group_by("platform", "campaign")
        .agg(rows=pl.len(), spend=pl.col("spend").sum())
        .sort(["spend", "platform", "campaign"], descending=[True, False, False])
    )
    notes.unclaimed_campaigns = unclaimed.to_dicts()
    claimed_counts = dict(
        facts.filter(pl.col("channel").is_not_null()).group_by("channel").len().iter_rows()
    )
    for name, channel in plan.channels.items():
        if not claimed_counts.get(name):
            notes.warnings.append(
                f"channel {name!r} ({channel.platform}, campaigns {channel.campaigns!r}) "
                "matches no rows: its numbers are 0"
            )


MONEY = ("spend", "conversion_value", "revenue")


def to_plan_currency(facts: pl.DataFrame, plan: Plan, notes: Notes) -> pl.DataFrame:
    """Convert money of rows in other currencies with the plan's ``fx:`` rates (spend and
    conversion value alike, so ROAS stays right). Rows without a currency are taken to be in
    the plan's; a claimed row in a currency without a rate is an error naming it."""
    currency = pl.col("currency")
    foreign = currency.is_not_null() & (currency != "") & (currency != plan.currency)
    other = facts.filter(pl.col("channel").is_not_null() & foreign)
    missing = other.filter(~currency.is_in(list(plan.fx)))
    if missing.height:
        row = missing.row(0, named=True)
        raise DataError(
            f"amounts are in {row['currency']}, the plan's currency is {plan.currency} "
            f"and fx: has no {row['currency']} rate",
            path=row["source_file"],
            row=row["row"],
            column="currency",
            hint=f"add `fx: {{{row['currency']}: <{plan.currency} per {row['currency']}>}}` "
            "to the plan, or export in the plan's currency",
        )
    # An export that states no currency (Microsoft Ads has no column for it) and a source that
    # sets none: its amounts are taken as the plan's, which is right only if someone says so.
    stated = currency.is_not_null() & (currency != "")
    unstated = facts.filter(pl.col("channel").is_not_null() & ~stated)
    for file in sorted(set(unstated["source_file"].to_list())):
        notes.warnings.append(
            f"{file} states no currency: its amounts are taken as {plan.currency} (set "
            "currency: on its source to say which)"
        )
    used = sorted(set(other["currency"].to_list()))
    notes.fx = {code: plan.fx[code] for code in used}
    if not used:
        return facts
    rate = currency.replace_strict(plan.fx, default=1.0, return_dtype=pl.Float64)
    factor = pl.when(foreign).then(rate).otherwise(1.0)
    return facts.with_columns((pl.col(m) * factor).alias(m) for m in MONEY).with_columns(
        pl.when(foreign & currency.is_in(used))
        .then(pl.lit(plan.currency))
        .otherwise(currency)
        .alias("currency")
    )


def report_from_plan_file(
    path: Path,
    as_of: date | None = None,
    now: datetime | None = None,
    progress: Callable[[int, Path | None], None] | None = None,
    cache: bool = True,
    plan: Plan | None = None,
    outlook: bool = True,
) -> Report:
    """The whole pipeline: plan file -> exports -> Report. ``now`` (default: the clock) only
    sets "yesterday in the plan's time zone" for the default as-of date. ``progress`` hears the
    number of files first (with None), then each file read. ``plan``: the file already loaded."""
    plan = plan or load_plan(path)
    missing: list[str] = []  # sources matching no file: warned, the others still read
    files = resolve_sources(plan, path, warnings=missing)
    if progress is not None:
        progress(len(files), None)
    loaded = load_exports(files, (lambda f: progress(1, f)) if progress else None, cache)
    today = (now or datetime.now(plan.tz)).astimezone(plan.tz).date()
    report = build_report(plan, loaded, today, as_of, outlook)
    report.notes.warnings[:0] = missing
    # Files the plan names are found next to it, wherever perfmkt runs.
    if plan.branding.logo:
        report.branding["logo"] = str(path.parent / plan.branding.logo)
    if plan.templates:
        report.templates = str(path.parent / plan.templates)
    if plan.previous:
        report.previous_flight = compare_previous(plan, report, path.parent / plan.previous)
    return report


def compare_previous(plan: Plan, report: Report, previous_path: Path) -> dict[str, Any]:
    """This flight to date against the same number of days from the start of the previous
    flight (day 1..n of each), KPI by KPI."""
    before = load_plan(previous_path)
    loaded = load_exports(resolve_sources(before, previous_path))
    facts = pacing.assign_channels(loaded.facts, before).collect()
    notes = Notes()
    facts = to_plan_currency(facts, before, notes)
    days = report.flight.days_elapsed
    start = before.flight.start
    end = min(start + timedelta(days=max(days, 1) - 1), before.flight.end)
    claimed = facts.filter(pl.col("channel").is_not_null())
    actuals = pacing.daily_actuals(claimed.lazy(), start, end)
    shop = pacing.shop_daily(loaded.orders, loaded.leads, start, end)
    actuals = pacing.with_truth(actuals, shop, before.truth)
    names = [k.name for k in report.kpis]
    then = _metrics(_to_date(actuals, end), names, plan.margin)
    now = {k.name: k.actual_to_date for k in report.kpis}
    return {
        "campaign": before.campaign,
        "start": start,
        "end": end,
        "days": days,
        "kpis": _compared(names, now, then, "this_flight", "previous"),
    }
