"""The terminal view of a ``Report``: rich renderables, built here, printed by the CLI.

Campaign names and other user strings go in as ``Text`` so they are never read as markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from perfmkt.format import NO_VALUE, Formatter
from perfmkt.metrics import CATALOG, volumes_needed
from perfmkt.pacing import KpiPace
from perfmkt.report import Report

THEME = Theme(
    {
        "pace.on_track": "green",
        "pace.at_risk": "yellow",
        "pace.off_track": "bold red",
        "pace.overspend": "bold magenta",
        "pace.no_data": "dim",
        "header.title": "bold",
        "muted": "dim",
        "alert": "bold red",
    }
)

STATUS_LABELS = {
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "overspend": "overspend",
    "no_data": "no data",
}


def _status_text(status: str) -> Text:
    return Text(STATUS_LABELS[status], style=f"pace.{status}")


def header(report: Report, fmt: Formatter) -> RenderableType:
    flight = report.flight
    title = Text(f"{report.client} — {report.campaign}", style="header.title")
    lines = [
        title,
        Text(
            f"{report.objective} · flight {fmt.date(flight.start)} – "
            f"{fmt.date(flight.end)} · {report.currency}"
        ),
        Text(
            f"as of {fmt.date(report.as_of)} ({report.as_of_reason}) · "
            f"day {flight.days_elapsed} of {flight.days_total}, "
            f"{flight.days_remaining} remaining"
        ),
    ]
    return Panel(Group(*lines), expand=False)


def warnings(report: Report) -> RenderableType | None:
    """What a reader must know before trusting the numbers, right under the header."""
    if not report.notes.warnings:
        return None
    lines = [Text(f"• {w}") for w in report.notes.warnings]
    return Panel(
        Group(*lines),
        title="Check the data before relying on these numbers",
        title_align="left",
        border_style="yellow",
        expand=False,
    )


def _pace_columns(table: Table, first: str = "KPI") -> None:
    for column in (first, "Target", "Expected", "Actual", "Pace", "Projection", "Needed/day"):
        table.add_column(column, justify="left" if column == first else "right")
    table.add_column("Status")


def _pace_row(k: KpiPace, fmt: Formatter, label: str | None = None) -> list[RenderableType]:
    def show(value: float | None) -> str:
        return fmt.value(k.kind, value)

    return [
        Text(label or k.label),
        show(k.target_total),
        show(k.expected_to_date),
        show(k.actual_to_date),
        Text(fmt.pace(k.pace), style=f"pace.{k.status}"),
        show(k.projection),
        show(k.required_daily),
        _status_text(k.status),
    ]


def kpi_table(report: Report, fmt: Formatter) -> Table:
    table = Table(title="KPI pacing, flight to date", title_justify="left", expand=False)
    _pace_columns(table)
    for k in report.kpis:
        label = k.label + (" (shop)" if k.name in report.notes.truth_sources else "")
        table.add_row(*_pace_row(k, fmt, label))
    for t in report.tracked:
        if t["actual_to_date"] is None:  # nothing in the exports measures it
            continue
        table.add_row(
            Text(t["label"], style="muted"),
            "",
            "",
            fmt.value(t["kind"], t["actual_to_date"]),
            "",
            "",
            "",
            Text("tracked", style="muted"),
        )
    table.caption = (
        f"Projection: {_projection_words(report)}. Needed/day: what each remaining day must "
        "deliver (for ratios: the ratio the rest of the flight needs)."
    )
    table.caption_justify = "left"
    return table


def _projection_words(report: Report) -> str:
    if report.projection_method == "shape":
        return "to date + remaining plan × recent efficiency"
    return "to date + recent daily average × days left"


def weekly_table(report: Report, fmt: Formatter) -> Table:
    table = Table(title="Weekly (actual / target to date, pace)", title_justify="left")
    table.add_column("Week")
    table.add_column("Days", justify="right")
    for k in report.kpis:
        table.add_column(k.label, justify="right")
    for week in report.weekly:
        cells: list[RenderableType] = [
            Text(week["week"]),
            f"{week['days_elapsed']}/{week['days']}",
        ]
        for k in report.kpis:
            pace, status = week["pace"][k.name], week["status"][k.name]
            cell = Text(fmt.value(k.kind, week["actual"][k.name], compact=True))
            cell.append(
                " / " + fmt.value(k.kind, week["expected_to_date"][k.name], compact=True),
                style="muted",
            )
            cell.append(f" {fmt.pace(pace)}", style=f"pace.{status}")
            cells.append(cell)
        table.add_row(*cells)
    return table


def daily_table(report: Report, fmt: Formatter, days: int) -> Table:
    shown = report.daily[-days:] if days > 0 else []
    table = Table(title=f"Daily, last {len(shown)} days (actual / target)", title_justify="left")
    table.add_column("Date")
    for k in report.kpis:
        table.add_column(k.label, justify="right")
    for day in shown:
        cells: list[RenderableType] = [Text(fmt.date(day["date"]))]
        for k in report.kpis:
            actual, target = day["actual"][k.name], day["target"][k.name]
            cell = Text(
                fmt.value(k.kind, actual, compact=True), style=f"pace.{day['status'][k.name]}"
            )
            cell.append(" / " + fmt.value(k.kind, target, compact=True), style="muted")
            cells.append(cell)
        table.add_row(*cells)
    return table


def channel_table(report: Report, fmt: Formatter) -> Table:
    table = Table(title="Channels, to date", title_justify="left")
    table.add_column("Channel")
    table.add_column("Platform")
    table.add_column("Share", justify="right")
    names = list(report.channels[0]["actual"]) if report.channels else []
    for name in names:
        table.add_column(CATALOG[name].label, justify="right")
    # The shop's own orders / leads per channel, beside what the platform claims.
    truth_names = [
        v
        for v in ("orders", "revenue", "leads")
        if any((c.get("truth") or {}).get(v) is not None for c in report.channels)
    ]
    for v in truth_names:
        table.add_column(f"Shop {CATALOG[v].label.lower()}", justify="right")
    for channel in report.channels:
        truth = channel.get("truth") or {}
        table.add_row(
            Text(channel["name"]),
            Text(channel["platform"]),
            fmt.percent(channel["spend_share"], digits=0),
            *[fmt.value(CATALOG[n].kind, channel["actual"][n]) for n in names],
            *[fmt.value(CATALOG[v].kind, truth.get(v)) for v in truth_names],
        )
    return table


def channel_pacing(report: Report, fmt: Formatter) -> Table | None:
    """Channels with their own targets, paced like the total."""
    paced = [c for c in report.channels if c.get("kpis")]
    if not paced:
        return None
    table = Table(title="Channel pacing, flight to date", title_justify="left")
    _pace_columns(table, "Channel · KPI")
    for channel in paced:
        for k in channel["kpis"]:
            table.add_row(*_pace_row(k, fmt, f"{channel['name']} · {k.label}"))
    return table


def costs(report: Report, fmt: Formatter) -> Table | None:
    """Media cost beside all-in cost (fee, VAT, fixed costs), with ROI and CIR on each."""
    if not report.costs:
        return None
    table = Table(title="Cost: media and all-in", title_justify="left")
    for column in (
        "",
        "Media",
        "Fee",
        "VAT",
        "Fixed",
        "All-in",
        "ROI media",
        "ROI all-in",
        "CIR media",
        "CIR all-in",
    ):
        table.add_column(column, justify="left" if not column else "right")
    for label, key in (("to date", "to_date"), ("projected", "projection")):
        v = report.costs[key]
        if v.get("media") is None:
            continue
        table.add_row(
            label,
            fmt.money(v["media"]),
            fmt.money(v["agency_fee"]),
            fmt.money(v["vat"]),
            fmt.money(v["fixed"]),
            fmt.money(v["all_in"]),
            fmt.percent(v["roi_media"]),
            fmt.percent(v["roi_all_in"]),
            fmt.percent(v["cir_media"]),
            fmt.percent(v["cir_all_in"]),
        )
    return table


def alerts(report: Report) -> RenderableType | None:
    if not report.alerts:
        return None
    lines = []
    for alert in report.alerts:
        line = Text("▲ ", style="alert")
        line.append(alert.message)
        if alert.action:
            line.append(f" → {alert.action}", style="bold")
        lines.append(line)
    return Panel(
        Group(*lines), title="Alerts", title_align="left", border_style="red", expand=False
    )


def notes(report: Report) -> RenderableType:
    n = report.notes
    lines: list[Text] = []
    total_rows = sum(f["rows"] for f in n.files)
    lines.append(Text(f"{len(n.files)} files read, {total_rows:,} rows"))
    for o in n.overlaps:
        lines.append(
            Text(
                f"re-download: {o['first_day']}..{o['last_day']} ({o['days']} days) from "
                f"{_short(o['replaced_by'])} replaces {_short(o['file'])} "
                f"({o['rows_dropped']} rows not counted twice; newer: {o['reason']})"
            )
        )
    for s in n.rows_skipped:
        where = f" in {_short(s['file'])}" if s["file"] else ""
        rows = "1 row" if s["rows"] == 1 else f"{s['rows']} rows"
        lines.append(Text(f"skipped {rows}{where}: {s['reason']}"))
    if n.unclaimed_campaigns:
        names = ", ".join(f"{c['campaign']} ({c['platform']})" for c in n.unclaimed_campaigns)
        lines.append(Text(f"not in any channel, left out: {names}"))
    if n.days_without_data:
        days = ", ".join(d.isoformat() for d in n.days_without_data[:7])
        more = "…" if len(n.days_without_data) > 7 else ""
        lines.append(Text(f"days without any data (counted as 0): {days}{more}"))
    for name in volumes_needed([k.name for k in report.kpis]):
        if name in n.kpi_sources:
            lines.append(Text(f"{name} ← {'; '.join(n.kpi_sources[name])}", style="muted"))
    fmt = Formatter.for_currency(report.currency)
    for name, t in n.truth.items():
        kind = "money" if name == "revenue" else "count"
        ratio = f" ({t['platforms_per_shop']:.0%} of the shop's)" if t["platforms_per_shop"] else ""
        lines.append(
            Text(
                f"{name}: shop {fmt.value(kind, t['shop'])}, platforms claim "
                f"{fmt.value(kind, t['platforms'])}{ratio}"
            )
        )
    if n.weekday_weights:
        learned = ", ".join(f"{d} {w:.2f}" for d, w in n.weekday_weights.items())
        lines.append(Text(f"weekday weights learned from recent spend: {learned}"))
    for code, rate in n.fx.items():
        lines.append(Text(f"{code} amounts converted at 1 {code} = {rate:,} {report.currency}"))
    attribution = sorted({a for f in n.files for a in f.get("attribution", [])})
    if attribution:
        lines.append(Text(f"attribution (from the exports): {'; '.join(attribution)}"))
    return Panel(
        Group(*lines), title="Data notes", title_align="left", expand=False, border_style="dim"
    )


def _short(path: str | None) -> str:
    return (path or NO_VALUE).rsplit("/", 1)[-1]


def render(report: Report, days: int = 14) -> list[RenderableType]:
    """Everything the terminal view shows, top to bottom."""
    fmt = Formatter.for_currency(report.currency)
    parts: list[RenderableType | None] = [
        header(report, fmt),
        warnings(report),
        kpi_table(report, fmt),
        costs(report, fmt),
        alerts(report),
        weekly_table(report, fmt),
        daily_table(report, fmt, days),
        channel_table(report, fmt),
        channel_pacing(report, fmt),
        notes(report),
    ]
    return [p for p in parts if p is not None]


def inspect_panel(result: dict[str, Any]) -> RenderableType:
    """One export as ``perfmkt inspect`` shows it."""
    currency = result["currency"]  # None, one code, or a list when the file mixes them
    fmt = Formatter.for_currency(currency if isinstance(currency, str) else None)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="muted")
    table.add_column()
    days = f"{result['date_min']} … {result['date_max']}" if result["date_min"] else NO_VALUE
    skipped = ", ".join(f"{n} {why}" for why, n in result["skipped"].items()) or "none"
    rows = [("platform", f"{result['platform']} ({result['level']} level)")]
    if "encoding" in result:
        rows.append(("encoding", f"{result['encoding']}, numbers as {result['number_format']}"))
    rows += [
        ("rows", f"{result['rows']:,} read; skipped: {skipped}"),
        ("days", days),
    ]
    if stated := result.get("stated_range"):
        rows.append(("stated range", f"{stated['start']} … {stated['end']} ({stated['from']})"))
    if made := result.get("made_at"):
        rows.append(("made at", f"{made['at']:%Y-%m-%d %H:%M} ({made['from']})"))
    if "pacing" in result:
        rows.append(("for pacing", result["pacing"]))
    rows += [
        ("currency", str(result["currency"] or NO_VALUE)),
        ("columns", ", ".join(f"{k} ← {v}" for k, v in result["columns"].items())),
    ]
    if result.get("attribution"):
        rows.append(("attribution", ", ".join(result["attribution"])))
    rows += [("warning", w) for w in result.get("warnings", [])]
    for name, value in result["totals"].items():
        if isinstance(value, dict):  # leads by funnel stage
            rows.append((name, ", ".join(f"{k} {v:,}" for k, v in value.items())))
            continue
        kind = "money" if name in ("spend", "conversion_value", "revenue") else "count"
        rows.append((name, fmt.value(kind, value)))
    for label, value in rows:
        table.add_row(label, Text(value))
    return Panel(table, title=Text(result["file"]), title_align="left", expand=False)
