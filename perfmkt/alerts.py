"""Alert rules: conditions on a KPI, checked once per run on the as-of day, each with the
backup action the plan names. Pure functions: pacing results in, alerts out."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from perfmkt.lag import IMMATURE_BELOW, RESULTS
from perfmkt.metrics import CATALOG, volumes_needed
from perfmkt.pacing import KpiPace
from perfmkt.plan import AlertRule


@dataclass(frozen=True)
class Alert:
    kpi: str
    rule: str  # what was checked, in words (English)
    message: str  # what was found, with the numbers (English)
    action: str | None = None
    day: date | None = None
    # The same, as data, so a report in another language can say it in its own words:
    # kind is status | pace_above | pace_below | above_target_by | below_target_by | anomaly_sd.
    kind: str = "status"
    values: dict[str, Any] = field(default_factory=dict)


def _pct(value: float) -> str:
    return f"{value:.0%}"


def describe(rule: AlertRule) -> str:
    """The rule in words, as the report shows it."""
    if rule.name:
        return rule.name
    k = rule.kpi
    if rule.above_target_by is not None:
        return f"{k} above target by {_pct(rule.above_target_by)} for {rule.days} day(s)"
    if rule.below_target_by is not None:
        return f"{k} below target by {_pct(rule.below_target_by)} for {rule.days} day(s)"
    if rule.pace_above is not None:
        return f"{k} pace above {_pct(rule.pace_above)}"
    if rule.pace_below is not None:
        return f"{k} pace below {_pct(rule.pace_below)}"
    return (
        f"{k} more than {rule.anomaly_sd} standard deviations from its last {rule.window_days} days"
    )


def _daily_values(daily: list[dict[str, Any]], kpi: str, key: str) -> list[float | None]:
    return [d[key].get(kpi) for d in daily]


def check(
    rule: AlertRule, kpis: list[KpiPace], daily: list[dict[str, Any]], as_of: date
) -> Alert | None:
    """The alert ``rule`` raises on ``as_of``, or None. ``daily`` holds the report's daily rows
    (``actual`` and ``target`` per KPI) up to ``as_of``."""
    words = describe(rule)

    def fire(message: str, day: date = as_of, **values: Any) -> Alert:
        threshold = getattr(rule, rule.kind)
        return Alert(
            kpi=rule.kpi,
            rule=words,
            message=message,
            action=rule.action,
            day=day,
            kind=rule.kind,
            values={
                "threshold": threshold,
                "days": rule.days,
                "window": rule.window_days,
                **values,
            },
        )

    label = CATALOG[rule.kpi].label
    if rule.pace_above is not None or rule.pace_below is not None:
        pace = next((k.pace for k in kpis if k.name == rule.kpi), None)
        if pace is None:
            return None
        if rule.pace_above is not None and pace > rule.pace_above:
            return fire(f"{label} pace is {_pct(pace)} of plan to date", pace=pace)
        if rule.pace_below is not None and pace < rule.pace_below:
            return fire(f"{label} pace is {_pct(pace)} of plan to date", pace=pace)
        return None

    # Days whose conversions are still arriving look short and dear: a rule on a result (or a
    # ratio of one) judges the last complete days, so late conversions never fire an alert.
    if set(volumes_needed([rule.kpi])) & set(RESULTS):
        daily = [d for d in daily if d.get("maturity", 1.0) >= IMMATURE_BELOW]
    if not daily:
        return None
    judged: date = daily[-1]["date"]
    actual = _daily_values(daily, rule.kpi, "actual")
    if rule.anomaly_sd is not None:
        if len(actual) < rule.window_days + 1 or actual[-1] is None:
            return None
        window = [v for v in actual[-rule.window_days - 1 : -1] if v is not None]
        if len(window) < 3:
            return None
        mean, sd = statistics.fmean(window), statistics.stdev(window)
        if sd == 0:
            return None
        z = (actual[-1] - mean) / sd
        if abs(z) > rule.anomaly_sd:
            side = "above" if z > 0 else "below"
            return fire(
                f"{label} on {judged} is {actual[-1]:,.2f}, {abs(z):.1f} standard deviations "
                f"{side} its {rule.window_days}-day mean of {mean:,.2f}",
                judged,
                value=actual[-1],
                sds=abs(z),
                side=side,
                mean=mean,
            )
        return None

    target = _daily_values(daily, rule.kpi, "target")
    last = list(zip(actual, target, strict=True))[-rule.days :]
    if len(last) < rule.days:
        return None
    above = rule.above_target_by is not None
    share = rule.above_target_by if above else rule.below_target_by
    assert share is not None
    for a, t in last:
        if a is None or t is None or t == 0:
            return None
        if above and not a > t * (1 + share):
            return None
        if not above and not a < t * (1 - share):
            return None
    worst = max(last, key=lambda p: abs(p[0] / p[1] - 1))  # type: ignore[operator]
    direction = "above" if above else "below"
    gap = abs(worst[0] / worst[1] - 1)  # type: ignore[operator]
    return fire(
        f"{label} {direction} its daily target by more than {_pct(share)} on each of the "
        f"last {rule.days} day(s) (at most {_pct(gap)}: {worst[0]:,.2f} vs {worst[1]:,.2f})",
        judged,
        gap=gap,
        actual=worst[0],
        target=worst[1],
    )


def status_alerts(kpis: list[KpiPace], as_of: date) -> list[Alert]:
    """One alert per KPI off track or overspent: the rule every plan has."""
    alerts = []
    for k in kpis:
        if k.status not in ("off_track", "overspend"):
            continue
        word = "overspending" if k.status == "overspend" else "off track"
        kind = "status"  # the kinds without a pace read differently in every language
        if k.pace is not None:
            found = f"pace {k.pace:.0%} of plan to date"
        elif k.status == "overspend":  # spent where nothing was planned: no pace to give
            found = f"{k.actual_to_date or 0:,.0f} spent with none planned to date"
            kind = "unplanned_spend"
        else:  # a cost ratio with spend and no result (status_of)
            below = CATALOG[k.name].denominator
            result = CATALOG[below].label.lower() if below else "result"
            found = f"money spent and no {result} to date"
            kind = "no_result"
        alerts.append(
            Alert(
                kpi=k.name,
                rule=f"{k.name} {k.status.replace('_', ' ')}",
                message=f"{k.label} is {word}: {found}",
                day=as_of,
                kind=kind,
                values={"status": k.status, "pace": k.pace, "actual": k.actual_to_date},
            )
        )
    return alerts


def evaluate(
    rules: list[AlertRule], kpis: list[KpiPace], daily: list[dict[str, Any]], as_of: date
) -> list[Alert]:
    """Every plan rule that fires on ``as_of`` (at most one alert per rule), then a status alert
    for each KPI off track that no fired rule already speaks for."""
    fired: list[Alert] = []
    seen: set[str] = set()
    for rule in rules:
        alert = check(rule, kpis, daily, as_of)
        key = describe(rule)
        if alert is not None and key not in seen:
            seen.add(key)
            fired.append(alert)
    covered = {a.kpi for a in fired}
    return fired + [a for a in status_alerts(kpis, as_of) if a.kpi not in covered]
