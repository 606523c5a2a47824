"""The terminal view of a ``Report``: rich renderables, built here, printed by the CLI.

Campaign names and other user strings go in as ``Text`` so they are never read as markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from perfmkt.format import NO_VALUE, Formatter
from perfmkt.i18n import LOCALES, OBJECTIVES, kpi_label, labels
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

# Words only the terminal view uses; labels shared with the documents come from perfmkt.i18n.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "kpi": "KPI",
        "kpi_title": "KPI pacing, flight to date",
        "expected": "Expected",
        "actual": "Actual",
        "target": "Target",
        "projection": "Projection",
        "needed": "Needed/day",
        "caption": "Projection: {method}.",
        "caption_needed": "Needed/day: what each remaining day must deliver (for ratios: the "
        "ratio the rest of the flight needs).",
        "method_shape": "to date + remaining plan × recent efficiency",
        "method_run_rate": "to date + recent daily average × days left",
        "tracked": "tracked",
        "flight_line": "{objective} · flight {start} – {end} · {currency}",
        "as_of_line": "as of {date} ({reason}) · day {elapsed} of {total}, {remaining} remaining",
        "agency": "prepared by {agency}",
        "weekly_title": "Weekly (actual / target to date, pace)",
        "weekly_pace_title": "Weekly pace (actual ÷ target to date)",
        "ahead_title": "Weeks ahead: targets",
        "daily_title": "Daily, last {days} days (actual / target)",
        "daily_actual_title": "Daily, last {days} days (actual, coloured by status)",
        "campaigns_title": "Campaigns by spend, to date",
        "campaign": "Campaign",
        "others": "{count} others",
        "total": "Total",
        "cost_per": "Cost/{kpi}",
        "change": "Δ {what}",
        "change_caption": "Δ: this week so far vs the same days last week.",
        "drivers": "{kpi} above target; the excess comes from {names}",
        "drivers_value": "{kpi} below target; the shortfall comes from {names}",
        "channels_title": "Channels, to date",
        "channel_pacing_title": "Channel pacing, flight to date",
        "channel_kpi": "Channel · KPI",
        "share": "Share",
        "shop_of": "Shop {what}",
        "costs_title": "Cost: media and all-in",
        "fee": "Fee",
        "fixed": "Fixed",
        "roi_media": "ROI media",
        "roi_all_in": "ROI all-in",
        "cir_media": "CIR media",
        "cir_all_in": "CIR all-in",
        "files_read": "{files} read, {rows} rows",
        "redownload": "re-download: {first} – {last} ({days} days) from {new} replaces {old} "
        "({rows} rows not counted twice; newer: {reason})",
        "skipped": "skipped {rows}{where}: {reason}",
        "one_row": "1 row",
        "n_rows": "{n} rows",
        "in_file": " in {file}",
        "unclaimed": "not in any channel, left out: {names}",
        "no_data_days": "days without any data (counted as 0): {days}",
        "truth_line": "{what}: shop {shop}, platforms claim {claimed}{ratio}",
        "truth_ratio": " ({share} of the shop's)",
        "weights": "weekday weights learned from recent spend: {weights}",
        "fx": "{code} amounts converted at 1 {code} = {rate} {currency}",
        "attribution": "attribution (from the exports): {values}",
        "outlook_title": "Flight end: projection, 80 % range and chance to hit",
        "chance": "Chance",
        "lag_line": "late conversions, {platform} ({source}): {shares} after 1, 2, 3… days",
        "lag_line_none": "late conversions, {platform}: {source}",
        "method_line": "{what}: {text}",
        "cannot_tell_row": "{channel}: {reason}",
    },
    "vi": {
        "kpi": "Chỉ số",
        "kpi_title": "Tiến độ chỉ số, tính đến nay",
        "expected": "Kế hoạch",
        "actual": "Thực tế",
        "target": "Mục tiêu",
        "projection": "Dự báo",
        "needed": "Cần/ngày",
        "caption": "Dự báo: {method}.",
        "caption_needed": "Cần/ngày: mỗi ngày còn lại cần đạt bao nhiêu (với tỷ lệ: tỷ lệ phần "
        "còn lại của chiến dịch cần đạt).",
        "method_shape": "thực tế + kế hoạch còn lại × hiệu quả gần đây",
        "method_run_rate": "thực tế + trung bình ngày gần đây × số ngày còn lại",
        "tracked": "theo dõi",
        "flight_line": "{objective} · {start} – {end} · {currency}",
        "as_of_line": "số liệu đến {date} ({reason}) · ngày {elapsed}/{total}, còn {remaining} "
        "ngày",
        "agency": "thực hiện bởi {agency}",
        "weekly_title": "Theo tuần (thực tế / kế hoạch đến nay, tiến độ)",
        "weekly_pace_title": "Tiến độ theo tuần (thực tế ÷ kế hoạch đến nay)",
        "ahead_title": "Các tuần tới: mục tiêu",
        "daily_title": "Theo ngày, {days} ngày gần nhất (thực tế / mục tiêu)",
        "daily_actual_title": "Theo ngày, {days} ngày gần nhất (thực tế, màu theo trạng thái)",
        "campaigns_title": "Chiến dịch theo chi phí, tính đến nay",
        "campaign": "Chiến dịch",
        "others": "{count} chiến dịch khác",
        "total": "Tổng",
        "cost_per": "Chi phí/{kpi}",
        "change": "Δ {what}",
        "change_caption": "Δ: tuần này đến nay so với cùng số ngày tuần trước.",
        "drivers": "{kpi} cao hơn mục tiêu; phần vượt đến từ {names}",
        "drivers_value": "{kpi} thấp hơn mục tiêu; phần thiếu đến từ {names}",
        "channels_title": "Kênh, tính đến nay",
        "channel_pacing_title": "Tiến độ theo kênh, tính đến nay",
        "channel_kpi": "Kênh · chỉ số",
        "share": "Tỷ trọng",
        "shop_of": "{what} (shop)",
        "costs_title": "Chi phí quảng cáo và tổng chi phí",
        "fee": "Phí",
        "fixed": "Cố định",
        "roi_media": "ROI QC",
        "roi_all_in": "ROI tổng",
        "cir_media": "CIR QC",
        "cir_all_in": "CIR tổng",
        "files_read": "đã đọc {files}, {rows} dòng",
        "redownload": "tải lại: {first} – {last} ({days} ngày) từ {new} thay cho {old} ({rows} "
        "dòng không bị tính hai lần; mới hơn: {reason})",
        "skipped": "bỏ qua {rows}{where}: {reason}",
        "one_row": "1 dòng",
        "n_rows": "{n} dòng",
        "in_file": " trong {file}",
        "unclaimed": "không thuộc kênh nào, không tính: {names}",
        "no_data_days": "ngày không có dữ liệu (tính là 0): {days}",
        "truth_line": "{what}: shop {shop}, nền tảng ghi nhận {claimed}{ratio}",
        "truth_ratio": " ({share} số của shop)",
        "weights": "trọng số theo thứ trong tuần, học từ chi phí gần đây: {weights}",
        "fx": "số tiền {code} quy đổi theo 1 {code} = {rate} {currency}",
        "attribution": "phân bổ chuyển đổi (theo tệp xuất): {values}",
        "outlook_title": "Cuối chiến dịch: dự báo, khoảng 80 % và khả năng đạt",
        "chance": "Khả năng",
        "lag_line": "chuyển đổi ghi nhận muộn, {platform} ({source}): {shares} sau 1, 2, 3… ngày",
        "lag_line_none": "chuyển đổi ghi nhận muộn, {platform}: {source}",
        "method_line": "{what}: {text}",
        "cannot_tell_row": "{channel}: {reason}",
    },
}

# Columns dropped first when a table does not fit the terminal: the least needed first.
KPI_DROP = ("needed", "expected", "target", "projection")


@dataclass(frozen=True)
class View:
    """What every part of the terminal view is drawn with: the report's language and the width
    it must fit."""

    report: Report
    fmt: Formatter
    words: dict[str, str]  # shared labels (perfmkt.i18n) and terminal words, one language
    width: int

    def label(self, name: str) -> str:
        english = CATALOG[name].label if name in CATALOG else name
        return kpi_label(name, english, self.report.locale)

    def show(self, kind: str, value: float | None, compact: bool = False) -> str:
        """A number whole, compact where space is short (``Formatter.value``), never cut."""
        return self.fmt.value(kind, value, compact)

    def planned(self, kind: str, value: float | None, compact: bool = False) -> str:
        """A value the plan derives (target, expected, projection, needed) as the documents
        show it: counts from 100 whole (1.417, not 1.416,7; ``Formatter.planned``)."""
        return self.fmt.planned(kind, value, compact)

    def said(self, text: str) -> str:
        """A note or warning sentence as the documents show it: in the report's language,
        dates in its format, files by name."""
        from perfmkt.render.documents import note_text

        paths = [f["path"] for f in self.report.notes.files]
        return note_text(text, self.report.locale, self.fmt, paths)

    def status(self, status: str) -> Text:
        return Text(self.words.get(status, status), style=f"pace.{status}")


def view(report: Report, width: int) -> View:
    language = report.locale if report.locale in WORDS else "en"
    fmt = Formatter(report.currency, LOCALES.get(language, "en_US"))
    return View(report, fmt, {**labels(language), **WORDS[language]}, width)


_MEASURE = Console(width=100_000, theme=THEME, file=io.StringIO())


def fits(table: Table, width: int) -> bool:
    return _MEASURE.measure(table).maximum <= width


def _fit(width: int, builds: Iterable[Callable[[], Table]]) -> Table:
    """The richest variant of a table that fits the width (the leanest when none does):
    numbers are shown whole or not at all, never cut by the terminal."""
    table: Table | None = None
    for build in builds:
        table = build()
        if fits(table, width):
            return table
    assert table is not None
    return table


def _number_column(table: Table, name: str) -> None:
    table.add_column(name, justify="right", no_wrap=True)


def header(v: View) -> RenderableType:
    report, w, fmt = v.report, v.words, v.fmt
    flight = report.flight
    objectives = OBJECTIVES.get(report.locale, OBJECTIVES["en"])
    lines = [
        Text(f"{report.client} — {report.campaign}", style="header.title"),
        Text(
            w["flight_line"].format(
                objective=objectives.get(report.objective, report.objective),
                start=fmt.date(flight.start),
                end=fmt.date(flight.end),
                currency=report.currency,
            )
        ),
        Text(
            w["as_of_line"].format(
                date=fmt.date(report.as_of),
                reason=v.said(report.as_of_reason),
                elapsed=flight.days_elapsed,
                total=flight.days_total,
                remaining=flight.days_remaining,
            )
        ),
    ]
    agency = report.branding.get("agency")
    if agency:
        lines.append(Text(w["agency"].format(agency=agency), style="muted"))
    return Panel(Group(*lines), expand=False)


def verdict(v: View) -> RenderableType | None:
    """The answer first: the overall status in one line, then the summary sentences."""
    report = v.report
    if not report.verdict:
        return None
    status = report.verdict["status"]
    frame = report.verdict.get("severity", status)
    lines: list[RenderableType] = [Text(report.verdict["text"], style=f"pace.{frame}")]
    for sentence in report.summary:
        line = Text("• ", style=f"pace.{sentence['severity']}")
        line.append(sentence["text"])
        lines.append(line)
    return Panel(
        Group(*lines),
        title=v.status(status),
        title_align="left",
        border_style=f"pace.{frame}",
        expand=False,
    )


def warnings(v: View) -> RenderableType | None:
    """What a reader must know before trusting the numbers, right under the header."""
    report = v.report
    if not report.notes.warnings:
        return None
    lines = [Text(f"• {v.said(w)}") for w in report.notes.warnings]
    return Panel(
        Group(*lines),
        title=v.words["data_warnings"],
        title_align="left",
        border_style="yellow",
        expand=False,
    )


PACE_COLUMNS = (
    "target",
    "expected",
    "actual",
    "pace",
    "projection",
    "interval",
    "chance",
    "needed",
)
OUTLOOK = ("interval", "chance")  # shown where the KPIs have them (perfmkt.forecast)
# The pace tables' variants, richest first: full amounts, compact ones, then columns dropped.
PACE_VARIANTS = [(False, ()), (True, ())] + [(True, KPI_DROP[:i]) for i in range(1, 5)]
# Channel pacing with a chance: the interval goes before the target, the chance stays.
CHANNEL_DROP = ("needed", "expected", "interval", "target", "projection")
CHANNEL_VARIANTS = [(False, ()), (True, ())] + [(True, CHANNEL_DROP[:i]) for i in range(1, 6)]


def span(fmt: Formatter, kind: str, interval: Any, compact: bool = True) -> str:
    """An interval as one range (perfmkt.render.documents.span, imported when used: the
    documents bring Jinja, which the terminal view does not need to start)."""
    from perfmkt.render.documents import span as one_range

    return one_range(fmt, kind, interval, compact)


def _pace_table(
    v: View,
    title: str,
    first: str,
    rows: Sequence[tuple[str | Text, KpiPace]],
    compact: bool,
    dropped: tuple[str, ...],
) -> tuple[Table, list[str]]:
    """A KPI pacing table (target, expected, actual, pace, projection, needed, status) over
    (name, KpiPace) rows, without the dropped columns; returns it with the columns shown."""
    w = v.words
    table = Table(title=title, title_justify="left", expand=False)
    if not any(k.has_outlook for _, k in rows):
        dropped = (*dropped, *OUTLOOK)
    shown = [c for c in PACE_COLUMNS if c not in dropped]
    table.add_column(first, max_width=28, overflow="fold")
    for column in shown:
        _number_column(table, w[column])
    table.add_column(w["status"], no_wrap=True)
    for name, k in rows:
        values = {
            "target": k.target_total,
            "expected": k.expected_to_date,
            "actual": k.actual_to_date,
            "projection": k.projection,
            "needed": k.required_daily,
        }
        cells: list[RenderableType] = [name if isinstance(name, Text) else Text(name)]
        for column in shown:
            if column == "pace":
                cells.append(Text(v.fmt.pace(k.pace), style=f"pace.{k.status}"))
            elif column == "interval":
                cells.append(span(v.fmt, k.kind, k.projection_interval) or NO_VALUE)
            elif column == "chance":
                cells.append(v.fmt.chance(k.chance))
            else:
                show = v.show if column == "actual" else v.planned
                cells.append(show(k.kind, values[column], compact))
        table.add_row(*cells, v.status(k.status))
    return table, shown


def kpi_table(v: View) -> Table:
    report, w = v.report, v.words
    from perfmkt.render.documents import paced_on

    # which figure a KPI from the shop paces on: after its name, or under it where space is short
    inline: list[tuple[str | Text, KpiPace]] = []
    stacked: list[tuple[str | Text, KpiPace]] = []
    for k in report.kpis:
        source = paced_on(report, w, k.name)
        inline.append((v.label(k.name) + (f" ({source})" if source else ""), k))
        under = Text(v.label(k.name))
        if source:
            under.append(f"\n{source}", style="muted")
        stacked.append((under, k))

    # With a chance to show, the flight end has a table of its own (outlook_table).
    moved = ("projection", *OUTLOOK) if any(k.has_outlook for k in report.kpis) else ()

    def build(
        compact: bool, dropped: tuple[str, ...], rows: list[tuple[str | Text, KpiPace]]
    ) -> Table:
        dropped = (*dropped, *moved)
        table, shown = _pace_table(v, w["kpi_title"], w["kpi"], rows, compact, dropped)
        for t in report.tracked:
            if t["actual_to_date"] is None:  # nothing in the exports measures it
                continue
            cells: list[RenderableType] = [Text(v.label(t["name"]), style="muted")]
            for column in shown:
                value = t["actual_to_date"] if column == "actual" else None
                cells.append(v.show(t["kind"], value, compact) if value is not None else "")
            table.add_row(*cells, Text(w["tracked"], style="muted"))
        method = w["method_shape"] if report.projection_method == "shape" else w["method_run_rate"]
        caption = w["caption"].format(method=method) if "projection" in shown else ""
        if "needed" in shown:
            caption += " " + w["caption_needed"]
        table.caption = caption.strip() or None
        table.caption_justify = "left"
        return table

    names = (inline, stacked) if any(report.notes.truth_sources) else (inline,)
    return _fit(v.width, (partial(build, c, d, n) for c, d in PACE_VARIANTS for n in names))


def outlook_table(v: View) -> Table | None:
    """Where each KPI lands at flight end: the projection, the 80 % interval around it and the
    chance to hit the target (for spend: to end on budget); None without a chance to show."""
    report, w = v.report, v.words
    if not any(k.has_outlook for k in report.kpis):
        return None
    budget = [k for k in report.kpis if k.chance is not None and k.direction == "budget"]
    method = w["method_shape"] if report.projection_method == "shape" else w["method_run_rate"]
    notes = [w["caption"].format(method=method)]
    notes += [w["chance_budget_note"].format(kpi=v.label(k.name)) for k in budget]

    def build(compact: bool, target: bool) -> Table:
        table = Table(title=w["outlook_title"], title_justify="left")
        table.add_column(w["kpi"], max_width=28, overflow="fold")
        if target:
            _number_column(table, w["target"])
        _number_column(table, w["projection_short"])
        _number_column(table, w["interval"])
        _number_column(table, w["chance"])
        for k in report.kpis:
            table.add_row(
                Text(v.label(k.name)),
                *([v.planned(k.kind, k.target_total, compact)] if target else []),
                v.fmt.planned(k.kind, k.projection, compact),
                span(v.fmt, k.kind, k.projection_interval, compact) or NO_VALUE,
                v.fmt.chance(k.chance),
            )
        table.caption, table.caption_justify = " ".join(notes), "left"
        return table

    variants = [(False, True), (True, True), (True, False)]
    return _fit(v.width, (partial(build, c, t) for c, t in variants))


def orders_truth(v: View) -> RenderableType | None:
    """Which orders are real: what the platforms claim, what the shop placed, what left on the
    way to net (by outcome) and net, with the claim per net order; then what net can still lose
    and which figure pacing counts; per channel when the shop tells its orders apart."""
    from perfmkt.render.documents import order_gap

    gap = order_gap(v.report, v.fmt, v.words, v.label)
    if gap is None:
        return None
    w = v.words

    def total_table(compact: bool) -> Table:
        table = Table(title=gap["title"], title_justify="left")
        table.add_column("", max_width=44, overflow="fold")
        _number_column(table, gap["columns"]["orders"])
        _number_column(table, gap["columns"]["revenue"])
        for row in gap["rows"]:
            form = "short" if compact else "text"
            style = "pace.off_track" if row.get("loss") else "bold" if row["key"] == "net" else ""
            label = Text(("  " if row.get("loss") else "") + row["label"], style=style)
            cells = [Text(row[m][form], style=style) for m in ("orders", "revenue")]
            table.add_row(label, *cells, end_section=row["key"] in ("placed", "net"))
        return table

    parts: list[RenderableType] = [_fit(v.width, (partial(total_table, c) for c in (False, True)))]
    if gap["open"]:  # what net can still lose: a sentence of its own, not a caption
        parts.append(Text(gap["open"], style="pace.at_risk"))
    parts.append(Text(gap["paced"], style="muted"))
    if gap["channels"]:
        keys = ("claimed", "placed", "net", "ratio")

        def channel_table(compact: bool) -> Table:
            table = Table(title=w["gap_channels"], title_justify="left")
            table.add_column(w["channel"], max_width=28, overflow="fold")
            for key in keys:
                _number_column(table, w[f"gap_col_{key}"])
            form = "short" if compact else "text"
            for c in gap["channels"]:
                for m in ("orders", "revenue"):
                    name = Text(c["name"] + " · ")
                    name.append(gap["columns"][m].lower(), style="muted")
                    cells = [c[m][key][form] for key in keys]
                    table.add_row(name, *cells, end_section=m == "revenue")
            return table

        parts += [Text(""), _fit(v.width, (partial(channel_table, c) for c in (False, True)))]
    return Group(*parts)


def _week_name(week: dict[str, Any]) -> Text:
    text = Text(week["week"])
    if week.get("label"):
        text.append(f" {week['label']}", style="muted")
    return text


def weekly_table(v: View) -> Table:
    report, w = v.report, v.words

    def build(mode: str, kpis: list[KpiPace]) -> Table:
        title = w["weekly_title"] if mode == "both" else w["weekly_pace_title"]
        table = Table(title=title, title_justify="left")
        table.add_column(w["week"], max_width=24, overflow="fold")
        _number_column(table, w["days"])
        for k in kpis:
            _number_column(table, v.label(k.name))
        for week in report.weekly:
            cells: list[RenderableType] = [
                _week_name(week),
                f"{week['days_elapsed']}/{week['days']}",
            ]
            for k in kpis:
                pace, status = week["pace"][k.name], week["status"][k.name]
                cell = Text()
                if mode == "both":
                    cell.append(v.show(k.kind, week["actual"][k.name], compact=True))
                    cell.append(
                        " / " + v.planned(k.kind, week["expected_to_date"][k.name], compact=True),
                        style="muted",
                    )
                    cell.append(" ")
                cell.append(v.fmt.pace(pace), style=f"pace.{status}")
                cells.append(cell)
            table.add_row(*cells)
        return table

    kpis = list(report.kpis)
    builds = [partial(build, "both", kpis)]
    builds += [partial(build, "pace", kpis[:n]) for n in range(len(kpis), 0, -1)]
    return _fit(v.width, builds)


def weeks_ahead(v: View) -> Table | None:
    """What is left week by week (the rest of the as-of week first) and what it must deliver;
    volumes first (ratios follow)."""
    report, w = v.report, v.words
    if not report.weeks_ahead:
        return None
    kpis = sorted(report.kpis, key=lambda k: CATALOG[k.name].is_ratio)

    def build(count: int) -> Table:
        table = Table(title=w["ahead_title"], title_justify="left")
        table.add_column(w["week"], max_width=24, overflow="fold")
        table.add_column(w["days"], no_wrap=True)
        for k in kpis[:count]:
            _number_column(table, v.label(k.name))
        for week in report.weeks_ahead:
            span = f"{v.fmt.day_month(week['start'])}–{v.fmt.day_month(week['end'])}"
            cells: list[RenderableType] = [_week_name(week), span]
            cells += [v.planned(k.kind, week["target"].get(k.name), True) for k in kpis[:count]]
            table.add_row(*cells)
        return table

    return _fit(v.width, (partial(build, n) for n in range(len(kpis), 0, -1)))


def daily_table(v: View, days: int) -> Table:
    report, w = v.report, v.words
    shown = report.daily[-days:] if days > 0 else []

    from perfmkt.render.documents import immature_days

    late = {d["date"]: d["maturity"] for d in immature_days(report)}

    def build(with_target: bool, kpis: list[KpiPace]) -> Table:
        title = w["daily_title"] if with_target else w["daily_actual_title"]
        table = Table(title=title.format(days=len(shown)), title_justify="left")
        table.add_column(w["date"], no_wrap=True)
        for k in kpis:
            _number_column(table, v.label(k.name))
        if any(day["date"] in late for day in shown):
            table.caption, table.caption_justify = w["immature_legend"], "left"
        for day in shown:
            when = Text(v.fmt.date(day["date"]))
            if day["date"] in late:
                mark = w["immature_mark"].format(pct=v.fmt.maturity(late[day["date"]]))
                when.append(f" {mark}", style="pace.at_risk")
            cells: list[RenderableType] = [when]
            for k in kpis:
                actual, target = day["actual"][k.name], day["target"][k.name]
                cell = Text(
                    v.show(k.kind, actual, compact=True), style=f"pace.{day['status'][k.name]}"
                )
                if with_target:
                    cell.append(" / " + v.planned(k.kind, target, compact=True), style="muted")
                cells.append(cell)
            table.add_row(*cells)
        return table

    kpis = list(report.kpis)
    builds = [partial(build, True, kpis)]
    builds += [partial(build, False, kpis[:n]) for n in range(len(kpis), 0, -1)]
    return _fit(v.width, builds)


def _change(fmt: Formatter, value: float | None, lower_is_better: bool) -> Text:
    """Change vs last week, coloured by what it means: a CPO rise is bad, a revenue rise good."""
    if value is None:
        return Text(NO_VALUE, style="muted")
    good = value < 0 if lower_is_better else value > 0
    style = "" if abs(value) < 0.005 else ("pace.on_track" if good else "pace.off_track")
    return Text(fmt.signed(value), style=style)  # a real minus sign, as the documents write it


def campaign_table(v: View) -> RenderableType | None:
    """Every claimed campaign by spend (top N and the rest as one row), with its result, cost
    per result, value and change vs last week; then which campaigns drive a ratio's gap."""
    report, w = v.report, v.words
    data = report.campaigns or {}
    rows = data.get("rows") or []
    if not rows:
        return None
    result, value = data.get("result"), data.get("value")
    result_label = v.label(result) if result else None
    columns: list[tuple[str, str]] = [("channel", w["channel"]), ("spend", v.label("spend"))]
    columns.append(("spend_share", w["share"]))
    # Cost per result by its own name where the catalog has one (CPO, CPL, CPA).
    cost_name = next(
        (
            m.name
            for m in CATALOG.values()
            if m.numerator == "spend" and m.denominator == result and m.scale == 1
        ),
        None,
    )
    cost_label = v.label(cost_name) if cost_name else w["cost_per"].format(kpi=result_label)
    if result:
        columns += [("result", result_label or ""), ("cost_per_result", cost_label)]
    if value:
        columns += [("value", v.label(value)), ("roas", v.label("roas"))]
    columns += [("change_spend", w["change"].format(what=v.label("spend").lower()))]
    if result:
        columns += [("change_cost", w["change"].format(what=cost_label))]
    drop = ["change_spend", "channel", "value", "spend_share", "change_cost", "roas"]

    def cell(row: dict[str, Any], key: str, compact: bool) -> RenderableType:
        change = row.get("change") or {}
        if key == "channel":
            return Text(row.get("channel") or "")
        if key == "spend_share":
            return v.fmt.pace(row.get("spend_share"))
        if key == "change_spend":
            return _change(v.fmt, change.get("spend"), lower_is_better=False)
        if key == "change_cost":
            return _change(v.fmt, change.get("cost_per_result"), lower_is_better=True)
        kind = {
            "spend": "money",
            "value": "money",
            "roas": "ratio",
            "cost_per_result": "money",
            "result": CATALOG[result].kind if result in CATALOG else "count",
        }[key]
        return v.show(kind, row.get(key), compact)

    def build(compact: bool, dropped: tuple[str, ...]) -> Table:
        table = Table(title=w["campaigns_title"], title_justify="left")
        table.add_column(w["campaign"], min_width=12, max_width=26, overflow="fold")
        shown = [(k, name) for k, name in columns if k not in dropped]
        for key, name in shown:
            if key == "channel":
                table.add_column(name, max_width=12, overflow="fold")
            else:
                _number_column(table, name)
        for row in rows:
            name = w["others"].format(count=row["count"]) if row.get("others") else row["name"]
            table.add_row(
                Text(name, style="muted" if row.get("others") else ""),
                *[cell(row, k, compact) for k, _ in shown],
            )
        if any(k.startswith("change") for k, _ in shown):
            table.caption, table.caption_justify = w["change_caption"], "left"
        total = data.get("total")
        if total:
            table.add_row(
                Text(w["total"], style="bold"),
                *[cell(total, k, compact) if k != "channel" else "" for k, _ in shown],
                end_section=False,
            )
        return table

    variants: list[tuple[bool, tuple[str, ...]]] = [(False, ()), (True, ())]
    variants += [(True, tuple(drop[:i])) for i in range(1, len(drop) + 1)]
    table = _fit(v.width, (partial(build, c, d) for c, d in variants))
    drivers = data.get("drivers") or []
    if not drivers:
        return table
    lines: list[RenderableType] = [table]
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    for driver in drivers:
        by_kpi.setdefault(driver["kpi"], []).append(driver)
    for kpi, items in by_kpi.items():
        names = ", ".join(f"{d['campaign']} ({v.fmt.pace(d['share'])})" for d in items[:3])
        key = "drivers" if CATALOG[kpi].direction == "lower" else "drivers_value"
        lines.append(Text(w[key].format(kpi=v.label(kpi), names=names), style="muted"))
    return Group(*lines)


def channel_table(v: View) -> Table:
    report, w = v.report, v.words
    names = list(report.channels[0]["actual"]) if report.channels else []
    # The shop's own orders / leads per channel, beside what the platform claims.
    truth_names = [
        t
        for t in ("orders", "revenue", "leads")
        if any((c.get("truth") or {}).get(t) is not None for c in report.channels)
    ]

    def build(compact: bool, platform: bool, count: int) -> Table:
        table = Table(title=w["channels_title"], title_justify="left")
        table.add_column(w["channel"], max_width=20, overflow="fold")
        if platform:
            table.add_column(w["platform"], no_wrap=True)
        _number_column(table, w["share"])
        for name in names[:count]:
            _number_column(table, v.label(name))
        for t in truth_names:
            _number_column(table, w["shop_of"].format(what=v.label(t).lower()))
        for channel in report.channels:
            truth = channel.get("truth") or {}
            table.add_row(
                Text(channel["name"]),
                *([Text(channel["platform"])] if platform else []),
                v.fmt.pace(channel["spend_share"]),
                *[v.show(CATALOG[n].kind, channel["actual"][n], compact) for n in names[:count]],
                *[v.show(CATALOG[t].kind, truth.get(t), compact) for t in truth_names],
            )
        return table

    builds = [partial(build, False, True, len(names)), partial(build, True, True, len(names))]
    builds += [partial(build, True, False, n) for n in range(len(names), 0, -1)]
    return _fit(v.width, builds)


def channel_pacing(v: View) -> Table | None:
    """Channels with their own targets, paced like the total."""
    w = v.words
    rows = [
        (f"{channel['name']} · {v.label(k.name)}", k)
        for channel in v.report.channels
        for k in channel.get("kpis") or []
    ]
    if not rows:
        return None
    title, first = w["channel_pacing_title"], w["channel_kpi"]
    variants = CHANNEL_VARIANTS if any(k.has_outlook for _, k in rows) else PACE_VARIANTS

    def build(compact: bool, dropped: tuple[str, ...]) -> Table:
        return _pace_table(v, title, first, rows, compact, dropped)[0]

    return _fit(v.width, (partial(build, c, d) for c, d in variants))


def costs(v: View) -> Table | None:
    """Media cost beside all-in cost (fee, VAT, fixed costs), with ROI and CIR on each."""
    report, w = v.report, v.words
    if not report.costs:
        return None
    block = report.costs
    money = [("media", w["media"]), ("agency_fee", w["fee"]), ("vat", w["vat"])]
    money += [("fixed", w["fixed"]), ("all_in", w["all_in"])]
    shares = [("roi_media", w["roi_media"]), ("roi_all_in", w["roi_all_in"])]
    shares += [("cir_media", w["cir_media"]), ("cir_all_in", w["cir_all_in"])]

    def build(compact: bool, lean: int) -> Table:
        shown_money = money if lean < 1 else [money[0], money[-1]]
        shown_shares = shares if lean < 2 else shares[:2]
        table = Table(title=w["costs_title"], title_justify="left")
        table.add_column("", no_wrap=True)
        for _, name in shown_money + shown_shares:
            _number_column(table, name)
        for label, key in ((w["to_date"], "to_date"), (w["projected"], "projection")):
            row = block[key]
            if row.get("media") is None:
                continue
            table.add_row(
                label,
                *[v.show("money", row[k], compact) for k, _ in shown_money],
                *[v.fmt.percent(row[k]) for k, _ in shown_shares],
            )
        return table

    variants = [(False, 0), (True, 0), (True, 1), (True, 2)]
    return _fit(v.width, (partial(build, c, n) for c, n in variants))


def alerts(v: View) -> RenderableType | None:
    report = v.report
    if not report.alerts:
        return None
    from perfmkt.render.documents import alert_words

    lines = []
    for alert in report.alerts:
        line = Text("▲ ", style="alert")
        line.append(alert_words(alert, report.locale, v.fmt, v.words, v.label)[0])
        if alert.action:
            line.append(f" → {alert.action}", style="bold")
        lines.append(line)
    return Panel(
        Group(*lines), title=v.words["alerts"], title_align="left", border_style="red", expand=False
    )


def what_now(v: View) -> RenderableType | None:
    """What now, beside the alerts: the advice's sentences (already in the report's language),
    then per result KPI each channel's marginal cost with the suggested move; a channel whose
    estimate cannot be made says why under its table."""
    from perfmkt.render.documents import what_now as now_of

    w = v.words
    now = now_of(v.report, v.fmt, w, v.label)
    if now is None:
        return None
    parts: list[RenderableType] = []
    if now["lines"]:
        lines = []
        for text in now["lines"]:
            line = Text("→ ", style="bold")
            line.append(text)
            lines.append(line)
        parts.append(Panel(Group(*lines), title=w["what_now"], title_align="left", expand=False))
    for t in now["costs"]:
        parts.append(_marginal_table(v, t))
    if now["costs"]:
        parts.append(Text(w["marginal_caption"], style="muted"))
    return Group(*parts)


def _marginal_table(v: View, t: dict[str, Any]) -> RenderableType:
    w = v.words
    columns = [("value", t["value_header"]), ("range", w["interval_short"])]
    columns += [("average", w["average_cost"]), ("spend_per_day", w["spend_per_day"])]
    columns += [("days", w["days_fitted"])]
    if t["moves"]:
        columns.append(("move", w["move_column"]))
    drop = ("days", "average", "spend_per_day", "range")

    def build(dropped: tuple[str, ...]) -> Table:
        table = Table(title=t["title"], title_justify="left")
        table.add_column(w["channel"], max_width=20, overflow="fold")
        shown = [(key, name) for key, name in columns if key not in dropped]
        for _, name in shown:
            _number_column(table, name)
        for r in t["rows"]:
            cells: list[RenderableType] = [Text(r["channel"])]
            for key, _ in shown:
                value = r[key]
                if key == "value" and value:
                    cells.append(Text("≈ " + value, style="bold"))
                elif key == "move" and value:
                    style = "pace.on_track" if r["move_sign"] > 0 else "pace.off_track"
                    cells.append(Text(value, style=style))
                else:
                    cells.append(NO_VALUE if value in (None, "") else str(value))
            table.add_row(*cells)
        return table

    table = _fit(v.width, (partial(build, drop[:i]) for i in range(len(drop) + 1)))
    reasons = [
        Text(w["cannot_tell_row"].format(channel=r["channel"], reason=r["reason"]), style="muted")
        for r in t["rows"]
        if r["reason"]
    ]
    return Group(table, *reasons) if reasons else table


def notes(v: View) -> RenderableType:
    report, w, fmt = v.report, v.words, v.fmt
    n = report.notes
    lines: list[Text] = []
    total_rows = sum(f["rows"] for f in n.files)
    files = w["one_file"] if len(n.files) == 1 else w["n_files"].format(n=len(n.files))
    lines.append(Text(w["files_read"].format(files=files, rows=fmt.count(total_rows))))
    for o in n.overlaps:
        text = w["redownload"].format(
            first=fmt.date(o["first_day"]),
            last=fmt.date(o["last_day"]),
            days=o["days"],
            new=_short(o["replaced_by"]),
            old=_short(o["file"]),
            rows=o["rows_dropped"],
            reason=v.said(o["reason"]),
        )
        lines.append(Text(text))
    for s in n.rows_skipped:
        where = w["in_file"].format(file=_short(s["file"])) if s["file"] else ""
        rows = w["one_row"] if s["rows"] == 1 else w["n_rows"].format(n=fmt.count(s["rows"]))
        text = w["skipped"].format(rows=rows, where=where, reason=v.said(s["reason"]))
        lines.append(Text(text))
    if n.unclaimed_campaigns:
        names = ", ".join(f"{c['campaign']} ({c['platform']})" for c in n.unclaimed_campaigns)
        lines.append(Text(w["unclaimed"].format(names=names)))
    if n.days_without_data:
        days = ", ".join(fmt.date(d) for d in n.days_without_data[:7])
        more = "…" if len(n.days_without_data) > 7 else ""
        lines.append(Text(w["no_data_days"].format(days=days + more)))
    from perfmkt.render.documents import paced_on

    for name in volumes_needed([k.name for k in report.kpis]):
        if name in n.kpi_sources:
            source = paced_on(report, w, name)
            what = v.label(name) + (f" ({source})" if source else "")
            lines.append(Text(f"{what} ← {'; '.join(n.kpi_sources[name])}", style="muted"))
    for name, t in n.truth.items():
        if name in ("orders", "revenue"):  # in "which orders are real" (orders_truth)
            continue
        kind = "money" if name == "revenue" else "count"
        share = t["platforms_per_shop"]
        ratio = w["truth_ratio"].format(share=fmt.pace(share)) if share else ""
        text = w["truth_line"].format(
            what=v.label(name),
            shop=fmt.value(kind, t["shop"]),
            claimed=fmt.value(kind, t["platforms"]),
            ratio=ratio,
        )
        lines.append(Text(text))
    if n.weekday_weights:
        learned = ", ".join(f"{d} {fmt.ratio(x)}" for d, x in n.weekday_weights.items())
        lines.append(Text(w["weights"].format(weights=learned)))
    for code, rate in n.fx.items():
        text = w["fx"].format(code=code, rate=fmt.count(rate), currency=report.currency)
        lines.append(Text(text))
    attribution = sorted({a for f in n.files for a in f.get("attribution", [])})
    if attribution:
        lines.append(Text(w["attribution"].format(values="; ".join(attribution))))
    from perfmkt.render.documents import lag_curves

    for curve in lag_curves(report, fmt, w):
        source = curve["about"]
        shares = " · ".join(curve["shares"])
        line = w["lag_line"] if shares else w["lag_line_none"]
        text = line.format(platform=curve["platform"], source=source, shares=shares)
        lines.append(Text(text))
    for key, text in (n.methods or {}).items():
        if text:
            what = w.get(f"method_{key}", key)
            lines.append(Text(w["method_line"].format(what=what, text=text), style="muted"))
    return Panel(
        Group(*lines), title=w["notes"], title_align="left", expand=False, border_style="dim"
    )


def _short(path: str | None) -> str:
    return (path or NO_VALUE).rsplit("/", 1)[-1]


def render(report: Report, days: int = 14, width: int = 120) -> list[RenderableType]:
    """Everything the terminal view shows, top to bottom, in the report's language, each table
    in the richest form that fits ``width`` columns."""
    v = view(report, width)
    parts: list[RenderableType | None] = [
        header(v),
        verdict(v),
        warnings(v),
        kpi_table(v),
        outlook_table(v),
        orders_truth(v),
        alerts(v),
        what_now(v),
        campaign_table(v),
        weekly_table(v),
        weeks_ahead(v),
        daily_table(v, days),
        channel_table(v),
        channel_pacing(v),
        costs(v),
        notes(v),
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
        kind = (
            "money" if name in ("spend", "conversion_value", "revenue", "net_revenue") else "count"
        )
        rows.append((name, fmt.value(kind, value)))
    for label, value in rows:
        table.add_row(label, Text(value))
    return Panel(table, title=Text(result["file"]), title_align="left", expand=False)
