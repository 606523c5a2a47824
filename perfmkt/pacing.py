"""Pacing: plan targets against actuals, per day, per ISO week and for the flight to date.

Pure functions over polars frames: no I/O, no clock (``as_of`` is an argument).

- expected_to_date = Σ daily targets up to as_of; actual_to_date from the data.
- pace = actual / expected for volumes and higher-better ratios, expected / actual for
  lower-better ratios, so pace > 1 always means better than plan.
- projection (``shape``): actual_to_date + remaining planned × recent efficiency, where
  recent efficiency = actual / planned over the last ``window_days``; ``run_rate``:
  actual_to_date + mean of the last ``window_days`` × remaining days. Both start from the
  eventual results when late conversions are expected (``perfmkt.lag``).
- required_daily (volumes): (total − actual_to_date) / remaining days. For a ratio N/D it is the
  ratio the rest of the flight must achieve to land on target, holding D at its planned total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from perfmkt.i18n import LABELS
from perfmkt.metrics import CATALOG, VOLUMES, Direction, sum_or_null, with_metrics
from perfmkt.metrics import total as metric_total
from perfmkt.plan import Bands, Plan
from perfmkt.sources.shop import NOT_NET

STATUSES = ("on_track", "at_risk", "off_track", "overspend", "no_data")


@dataclass(frozen=True)
class KpiPace:
    name: str
    label: str
    direction: str
    kind: str
    target_total: float
    expected_to_date: float | None
    actual_to_date: float | None
    pace: float | None
    projection: float | None
    projection_pace: float | None
    required_daily: float | None
    status: str
    # The chance (0–1) of reaching the flight target by the flight end and an 80 % interval
    # [low, high] of the flight-end value, from simulated futures (perfmkt.forecast).
    chance: float | None = None
    projection_interval: tuple[float, float] | None = None

    @property
    def has_outlook(self) -> bool:
        """Whether there is a chance or a range to show for this KPI."""
        return self.chance is not None or self.projection_interval is not None


def assign_channels(facts: pl.LazyFrame, plan: Plan) -> pl.LazyFrame:
    """Add ``channel``: the first channel (plan order) whose platform, account and campaign
    regex claim the row; null when none does. Without ``channels:`` the platform is the channel.
    """
    if not plan.channels:
        return facts.with_columns(channel=pl.col("platform"))
    claims = []
    for name, channel in plan.channels.items():
        claim = (pl.col("platform") == channel.platform) & pl.col("campaign").str.contains(
            channel.campaigns
        )
        if channel.account is not None:
            claim &= pl.col("account") == channel.account
        claims.append(pl.when(claim).then(pl.lit(name)))
    return facts.with_columns(channel=pl.coalesce(claims))


def daily_actuals(facts: pl.LazyFrame, start: date, end: date) -> pl.DataFrame:
    """Summed volumes per day for every day in ``start..end`` (days without rows are 0)."""
    present = facts.collect_schema().names()
    volumes = [v for v in VOLUMES if v in present]
    summed = (
        facts.filter(pl.col("date").is_between(start, end))
        .group_by("date")
        .agg(sum_or_null(v) for v in volumes)
    )
    grid = pl.LazyFrame({"date": pl.date_range(start, end, eager=True)}) if end >= start else None
    if grid is None:
        return pl.DataFrame(schema={"date": pl.Date, **{v: pl.Float64 for v in VOLUMES}})
    carried = summed.select(pl.col(volumes).is_not_null().any()).collect().row(0, named=True)
    frame = grid.join(summed, on="date", how="left").with_columns(
        # a day with no rows delivered nothing, for the measures the exports carry at all
        pl.col(v).fill_null(0.0) if carried.get(v) else pl.col(v).cast(pl.Float64)
        for v in volumes
    )
    missing = [pl.lit(None, dtype=pl.Float64).alias(v) for v in VOLUMES if v not in present]
    return frame.with_columns(missing).select("date", *VOLUMES).sort("date").collect()


SHOP_VOLUMES = ("orders", "revenue", "new_customers", "leads", "qualified_leads", "sals", "wins")
# The lead funnel (CPQL and the step rates) is the CRM's whatever `truth:` says for leads: a
# platform's lead count beside the CRM's qualified leads would make a rate of two sources.
FUNNEL = ("crm_leads", "qualified_leads", "sals", "wins")


def shop_daily(
    orders: pl.DataFrame, leads: pl.DataFrame, start: date, end: date, source: str | None = None
) -> pl.DataFrame:
    """The shop's own volumes per day in ``start..end``: orders, revenue and new customers
    from the order export; leads and their funnel (qualified = MQL or later, SALs, wins) from
    the CRM (``crm_leads`` too: the CRM's count whatever ``leads`` becomes). ``source`` (a
    regex on the order/lead source) keeps one channel's share."""
    grid = (
        pl.DataFrame({"date": pl.date_range(start, end, eager=True)})
        if end >= start
        else (pl.DataFrame(schema={"date": pl.Date}))
    )
    keep = pl.col("date").is_between(start, end)
    if source is not None:
        keep &= pl.col("source").fill_null("").str.contains(source)
    by_day_orders = (
        orders.filter(keep)
        .group_by("date")
        .agg(
            orders=pl.col("net_orders").sum(),
            revenue=pl.col("net_revenue").sum(),
            new_customers=(pl.col("new_customer") & (pl.col("net_orders") > 0))
            .sum()
            .cast(pl.Float64),
            placed_orders=pl.col("orders").sum(),
            placed_revenue=pl.col("revenue").sum(),
        )
    )
    stage_rank = pl.col("stage").replace_strict(
        {"lead": 0, "mql": 1, "sal": 2, "won": 3}, return_dtype=pl.Int8
    )
    by_day_leads = (
        leads.filter(keep)
        .group_by("date")
        .agg(
            leads=pl.len().cast(pl.Float64),
            crm_leads=pl.len().cast(pl.Float64),
            qualified_leads=(stage_rank >= 1).sum().cast(pl.Float64),
            sals=(stage_rank >= 2).sum().cast(pl.Float64),
            wins=(stage_rank >= 3).sum().cast(pl.Float64),
        )
    )
    frame = grid.join(by_day_orders, on="date", how="left").join(
        by_day_leads, on="date", how="left"
    )
    has_orders, has_leads = orders.height > 0, leads.height > 0
    knows_new = has_orders and orders["new_customer"].count() > 0
    return frame.select(
        "date",
        *[
            (pl.col(v).fill_null(0.0) if ok else pl.lit(None, dtype=pl.Float64)).alias(v)
            for v, ok in (
                ("orders", has_orders),
                ("revenue", has_orders),
                ("placed_orders", has_orders),
                ("placed_revenue", has_orders),
                ("new_customers", knows_new),
                ("leads", has_leads),
                ("crm_leads", has_leads),
                ("qualified_leads", has_leads),
                ("sals", has_leads),
                ("wins", has_leads),
            )
        ],
    )


def truth_of(kpi: str, truth: Mapping[str, str]) -> str | None:
    """Where ``kpi``'s figure comes from when not from the platforms (``shop_net``,
    ``shop_placed``): a volume's own ``truth:``; a ratio's from its denominator, else its
    numerator (CPO on the shop's net orders is "shop, net")."""
    metric = CATALOG[kpi]
    parts = (metric.denominator, metric.numerator) if metric.is_ratio else (kpi,)
    for part in parts:
        if part and truth.get(part, "platforms") != "platforms":
            return truth[part]
    return None


# Where an order's placed figure went on the way to net: the outcomes that are not net, money
# refunded from an order that stayed (revenue only), and a day's total whose export does not say.
LOSSES = (*NOT_NET, "refunded", "unknown")


def order_outcomes(
    orders: pl.DataFrame, start: date, end: date, source: str | None = None
) -> dict[str, dict[str, Any]]:
    """Placed against net over ``start..end`` (orders on the day they were placed), for
    ``orders`` and ``revenue``: ``placed``, ``net``, ``lost`` (placed − net by where it went:
    cancelled, returned, failed_delivery, refunded — money refunded from an order that stayed —
    and unknown — a day's total whose export does not say), and what net can still lose:
    ``open`` (net orders / revenue still open) and ``open_cod`` (of them, cash on delivery).
    A figure the exports cannot give is None: placed when a row cannot count it, net when a row
    does not say, open_cod when an open order's payment is unknown. ``source``: a regex on the
    order's source (one channel's share)."""
    keep = pl.col("date").is_between(start, end)
    if source is not None:
        keep &= pl.col("source").fill_null("").str.contains(source)
    frame = orders.filter(keep)
    outcome = pl.col("outcome")
    out: dict[str, dict[str, Any]] = {}
    for measure, placed_col, net_col in (
        ("orders", "orders", "net_orders"),
        ("revenue", "revenue", "net_revenue"),
    ):
        known = frame[placed_col].null_count() == 0, frame[net_col].null_count() == 0
        placed = float(frame[placed_col].sum()) if known[0] else None
        net = float(frame[net_col].sum()) if known[1] else None
        entry: dict[str, Any] = {"placed": placed, "net": net}
        if placed is None or net is None:
            out[measure] = {**entry, "lost": None, "open": None, "open_cod": None}
            continue
        lost = dict.fromkeys(LOSSES, 0.0)
        gone = frame.group_by("outcome").agg((pl.col(placed_col) - pl.col(net_col)).sum())
        for name, amount in gone.iter_rows():
            if name is None:
                key = "unknown"
            elif name in NOT_NET:
                key = name
            else:  # completed or open: an order that stayed, refunded in part
                key = "refunded"
            lost[key] += float(amount)
        still = frame.filter(outcome == "open")
        cod = still.filter(pl.col("cod"))
        out[measure] = {
            **entry,
            "lost": lost,
            "open": float(still[net_col].sum()),
            "open_cod": float(cod[net_col].sum()) if still["cod"].null_count() == 0 else None,
        }
    return out


def with_truth(actuals: pl.DataFrame, shop: pl.DataFrame, truth: Mapping[str, str]) -> pl.DataFrame:
    """Daily actuals with each truth-from-shop volume, every volume only the shop knows (new
    customers), and the lead funnel (always), taken from the shop's own data."""
    replace = [
        v
        for v in dict.fromkeys((*SHOP_VOLUMES, *FUNNEL))  # both name the qualified leads…
        if shop[v].null_count() < shop.height
        and (
            v in FUNNEL
            or truth.get(v, "platforms") != "platforms"
            or actuals[v].null_count() == actuals.height
        )
    ]
    if not replace:
        return actuals
    # shop_placed takes every order placed; shop_net (and a volume only the shop knows) the net
    taken = [
        (pl.col(f"placed_{v}") if truth.get(v) == "shop_placed" else pl.col(v)).alias(v)
        for v in replace
    ]
    return (
        actuals.drop(replace)
        .join(shop.select("date", *taken), on="date", how="left")
        .select(actuals.columns)
    )


def status_for(pace: float | None, direction: Direction, bands: Bands) -> str:
    """The status of a pace; None is "no_data" (``status_of`` knows better when it can)."""
    if pace is None:
        return "no_data"
    if direction is Direction.BUDGET and pace > bands.overspend:
        return "overspend"
    if pace >= bands.on_track:
        return "on_track"
    if pace >= bands.at_risk:
        return "at_risk"
    return "off_track"


def bands_now(plan: Plan, as_of: date) -> Bands:
    """The status bands in force on ``as_of``: with ``early:``, the early values on the flight's
    first day (and before it), the final ones on its last day (and after), linear between."""
    last = plan.flight.days - 1
    progress = (as_of - plan.flight.start).days / last if last else 0.0
    return plan.status.at(progress)


def status_of(
    name: str,
    actual: float | None,
    expected: float | None,
    bands: Bands,
    volumes: Mapping[str, float | None] | None = None,
) -> str:
    """The status of KPI ``name`` over a span (a day, a week, the flight to date).

    ``actual`` and ``expected`` are the KPI's value and target over the span (a ratio is None
    when its denominator is 0), ``volumes`` the span's summed actual volumes. Where no pace
    exists the money still speaks: spend with no result is off track for a cost ratio (CPO, CPL,
    CIR…) that has a target, and spend where none was planned is overspend. Nothing planned and
    nothing delivered stays "no_data".
    """
    metric = CATALOG[name]
    pace = pace_of(actual, expected, metric.direction)
    if pace is not None:
        return status_for(pace, metric.direction, bands)
    if metric.direction is Direction.BUDGET:
        return "overspend" if expected == 0 and (actual or 0) > 0 else "no_data"
    if not metric.is_ratio:  # delivered where nothing was planned: better than plan
        return "on_track" if expected == 0 and (actual or 0) > 0 else "no_data"
    sums = volumes or {}
    spent = (sums.get("spend") or 0) > 0
    nothing = sums.get(metric.denominator or "") == 0
    costs = metric.direction is Direction.LOWER and metric.numerator == "spend"
    if costs and expected is not None and spent and nothing:
        return "off_track"
    return "no_data"


def _div(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def _metric(name: str, volumes: dict[str, float | None], margin: float) -> float | None:
    """One catalog metric from scalar volumes, through the same expression as the frames."""
    metric = CATALOG[name]
    if not metric.is_ratio:
        return volumes.get(name)
    row = {v: volumes.get(v) for v in VOLUMES}
    frame = pl.DataFrame([row], schema={v: pl.Float64 for v in VOLUMES})
    return frame.select(metric.expr(margin)).item()


def ratio_target(plan: Plan, name: str, planned: dict[str, float | None]) -> float | None:
    """A ratio KPI's target for a span whose planned volumes are ``planned``.

    When the plan gives both the numerator and the denominator, the span's planned ratio
    follows their shape, scaled so the whole flight lands on the ratio's own target.
    Otherwise the target is flat.
    """
    metric = CATALOG[name]
    target = plan.kpis[name]
    num, den = metric.numerator, metric.denominator
    if name == "roi" or num not in plan.kpis or den not in plan.kpis:
        return target
    span = _div(planned.get(num), planned.get(den))
    whole = _div(plan.kpis[num], plan.kpis[den])
    if span is None or whole is None:
        return target
    return target * span / whole


def pace_of(actual: float | None, expected: float | None, direction: Direction) -> float | None:
    """actual / expected, inverted for lower-better KPIs, so > 1 is always better than plan."""
    if direction is Direction.LOWER:
        return _div(expected, actual)
    return _div(actual, expected)


def pace_kpis(
    plan: Plan,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
    eventual: pl.DataFrame | None = None,
) -> list[KpiPace]:
    """Flight-to-date pacing of every KPI in the plan.

    ``actuals`` has one row per flight day up to ``as_of`` (see ``daily_actuals``);
    ``targets`` one row per flight day (see ``perfmkt.targets.daily_targets``). ``eventual``
    (same shape) holds the results the days will have once late conversions are in
    (``perfmkt.lag``): the projection starts from it, so recent days still filling up do not
    read as a collapse; actual, pace and status stay on the reported numbers.
    """
    flight = plan.flight
    elapsed = max(0, min((as_of - flight.start).days + 1, flight.days))
    remaining = flight.days - elapsed
    window = min(plan.projection.window_days, elapsed)
    to_date = actuals.filter(pl.col("date") <= as_of)
    settled = to_date if eventual is None else eventual.filter(pl.col("date") <= as_of)
    recent = settled.tail(window) if window else settled.clear()
    planned_to_date = targets.head(elapsed)
    planned_recent = planned_to_date.tail(window) if window else planned_to_date.clear()

    def total(frame: pl.DataFrame, column: str) -> float | None:
        # nothing planned or delivered yet is 0; a volume the plan or data lacks is None
        return metric_total(frame[column], empty=0.0) if column in frame.columns else None

    actual: dict[str, float | None] = {v: total(to_date, v) for v in VOLUMES}
    expected: dict[str, float | None] = {v: total(planned_to_date, v) for v in VOLUMES}
    projected: dict[str, float | None] = {}
    for v in VOLUMES:
        done = total(settled, v)
        if done is None or elapsed == 0:
            projected[v] = None
            continue
        recent_actual = total(recent, v) or 0.0
        recent_plan = total(planned_recent, v)
        if plan.projection.method == "shape" and v in plan.kpis and recent_plan:
            remaining_plan = plan.kpis[v] - (expected[v] or 0.0)
            projected[v] = done + remaining_plan * recent_actual / recent_plan
        else:
            projected[v] = done + recent_actual / window * remaining
    planned_total = {v: plan.kpis.get(v, projected[v]) for v in VOLUMES}

    bands = bands_now(plan, as_of)
    rows: list[KpiPace] = []
    for name, target_total in plan.kpis.items():
        metric = CATALOG[name]
        margin = plan.margin
        if metric.is_ratio:
            act = _metric(name, actual, margin)
            exp = ratio_target(plan, name, expected) if elapsed else None
            proj = _metric(name, projected, margin) if elapsed else None
            required = _required_ratio(name, target_total, actual, planned_total)
        else:
            act, exp, proj = actual[name], expected[name], projected[name]
            required = max(0.0, target_total - (act or 0.0)) / remaining if remaining else None
        pace = pace_of(act, exp, metric.direction)
        # a KPI from the shop says which figure, as every view does: "Orders (shop, net)"
        source = truth_of(name, plan.truth)
        label = f"{metric.label} ({LABELS['en'][f'truth_{source}']})" if source else metric.label
        rows.append(
            KpiPace(
                name=name,
                label=label,
                direction=metric.direction.value,
                kind=metric.kind,
                target_total=float(target_total),
                expected_to_date=exp,
                actual_to_date=act,
                pace=pace,
                projection=proj,
                projection_pace=pace_of(proj, float(target_total), metric.direction),
                required_daily=required if remaining else None,
                status=status_of(name, act, exp, bands, actual),
            )
        )
    return rows


def _required_ratio(
    name: str,
    target: float,
    actual: dict[str, float | None],
    planned_total: dict[str, float | None],
) -> float | None:
    """The ratio the rest of the flight needs so the flight lands on ``target``."""
    metric = CATALOG[name]
    num, den = metric.numerator, metric.denominator
    if name == "roi" or num is None or den is None:
        return None
    den_total = planned_total.get(den)
    num_done, den_done = actual.get(num) or 0.0, actual.get(den) or 0.0
    if den_total is None:
        return None
    den_left = den_total - den_done
    num_left = target / metric.scale * den_total - num_done
    if den_left <= 0 or num_left < 0:
        return None  # out of reach whatever the rest of the flight does
    return num_left / den_left * metric.scale


def with_ratio_targets(frame: pl.DataFrame, plan: Plan, suffix: str) -> pl.DataFrame:
    """Add ``<ratio>_<suffix>`` target columns to a frame of planned volumes per span."""
    exprs = []
    for name in plan.kpis:
        if not CATALOG[name].is_ratio:
            continue
        metric = CATALOG[name]
        num, den = metric.numerator, metric.denominator
        target = plan.kpis[name]
        if name != "roi" and num in plan.kpis and den in plan.kpis:
            whole = plan.kpis[num] / plan.kpis[den]
            span = pl.when(pl.col(den) != 0).then(pl.col(num) / pl.col(den))
            exprs.append((span * (target / whole)).alias(f"{name}_{suffix}"))
        else:
            exprs.append(pl.lit(target, dtype=pl.Float64).alias(f"{name}_{suffix}"))
    return frame.with_columns(exprs)


def _actual_metrics(frame: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    return with_metrics(frame.lazy(), list(plan.kpis), plan.margin).collect()


def _with_statuses(frame: pl.DataFrame, plan: Plan, target: str, bands: Bands) -> pl.DataFrame:
    """Add ``<kpi>_status`` per row (``status_of``): actual ``<kpi>`` against
    ``<kpi>_<target>``, with the row's summed volumes."""
    statuses: dict[str, list[str]] = {k: [] for k in plan.kpis}
    for row in frame.iter_rows(named=True):
        volumes = {v: row.get(v) for v in VOLUMES}
        for k, column in statuses.items():
            column.append(status_of(k, row[k], row[f"{k}_{target}"], bands, volumes))
    return frame.with_columns(
        pl.Series(f"{k}_status", column, dtype=pl.String) for k, column in statuses.items()
    )


def daily_table(
    plan: Plan, actuals: pl.DataFrame, targets: pl.DataFrame, bands: Bands | None = None
) -> pl.DataFrame:
    """Per elapsed day: ``<kpi>`` actual, ``<kpi>_target`` and ``<kpi>_status`` for every plan
    KPI. ``bands`` default to those in force on the last day of ``actuals``."""
    kpis = list(plan.kpis)
    planned = targets.select("date", *[v for v in VOLUMES if v in targets.columns])
    target_cols = with_ratio_targets(planned, plan, "target").rename(
        {v: f"{v}_target" for v in VOLUMES if v in planned.columns}
    )
    if bands is None:
        last = actuals["date"].max() if actuals.height else plan.flight.start
        bands = bands_now(plan, last)  # type: ignore[arg-type]
    actual = _actual_metrics(actuals, plan)
    table = actual.join(target_cols, on="date", how="left")
    return _with_statuses(table, plan, "target", bands).select(
        "date", *[c for k in kpis for c in (k, f"{k}_target", f"{k}_status")]
    )


def weekly_table(
    plan: Plan,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
    bands: Bands | None = None,
) -> pl.DataFrame:
    """Per ISO week of the flight up to the week of ``as_of``.

    Columns: ``week`` (2026-W03), ``start``, ``end`` (within the flight), ``days``,
    ``days_elapsed``; per KPI ``<kpi>_target`` (whole week), ``<kpi>_expected`` (to as_of),
    ``<kpi>`` (actual to as_of), ``<kpi>_pace`` and ``<kpi>_status`` (with ``bands``, by
    default those in force on ``as_of``).
    """
    kpis = list(plan.kpis)
    planned_cols = [v for v in VOLUMES if v in targets.columns]
    week_key = pl.col("date").dt.strftime("%G-W%V").alias("week")
    by_week = targets.with_columns(week_key)
    whole = by_week.group_by("week").agg(
        pl.col("date").min().alias("start"),
        pl.col("date").max().alias("end"),
        pl.len().alias("days"),
        (pl.col("date") <= as_of).sum().alias("days_elapsed"),
        *[pl.col(v).sum() for v in planned_cols],
    )
    expected = (
        by_week.filter(pl.col("date") <= as_of)
        .group_by("week")
        .agg(pl.col(v).sum() for v in planned_cols)
    )
    actual = (
        actuals.filter(pl.col("date") <= as_of)
        .with_columns(week_key)
        .group_by("week")
        .agg(sum_or_null(v) for v in VOLUMES)
    )
    whole = with_ratio_targets(whole, plan, "target").rename(
        {v: f"{v}_target" for v in planned_cols}
    )
    expected = with_ratio_targets(expected, plan, "expected").rename(
        {v: f"{v}_expected" for v in planned_cols}
    )
    actual = _actual_metrics(actual, plan)
    last_week = as_of if as_of >= plan.flight.start else plan.flight.start - timedelta(1)
    table = (
        whole.filter(pl.col("start") <= last_week)
        .join(expected, on="week", how="left")
        .join(actual, on="week", how="left")
        .sort("start")
    )
    table = _with_statuses(table, plan, "expected", bands or bands_now(plan, as_of))
    paces = []
    for k in kpis:
        direction = CATALOG[k].direction
        top, bottom = (f"{k}_expected", k) if direction is Direction.LOWER else (k, f"{k}_expected")
        paces.append(
            pl.when(pl.col(bottom) != 0).then(pl.col(top) / pl.col(bottom)).alias(f"{k}_pace")
        )
    return table.with_columns(paces).select(
        "week",
        "start",
        "end",
        "days",
        "days_elapsed",
        *[c for k in kpis for c in (f"{k}_target", f"{k}_expected", k, f"{k}_pace", f"{k}_status")],
    )
