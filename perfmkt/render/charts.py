"""The HTML report's charts as inline SVG, drawn here as text (no plotting library): cumulative
actual vs plan with the projection and the flight target, daily bars against the daily target,
spend by channel. KPIs in trouble come first.

Every chart is a self-contained ``<svg role="img">`` named by its ``<title>`` and ``<desc>``
(the desc says the numbers), scales with its box (width 100 %), and uses presentation attributes
only, so it prints as it shows. Each is drawn on a ``Frame``: ``WIDE`` (viewBox 520 wide, about
the width of a desktop's two chart columns, so text shows at its own size) and ``NARROW`` (340
wide, fewer ticks, wrapped titles and legends) for phones and for print, two to an A4 row, where
a wide chart would shrink its text to 7 px. Plan lines are dashed and projections dotted: the
kinds of line never rest on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict

from perfmkt.format import Formatter
from perfmkt.lag import IMMATURE_BELOW, RESULTS
from perfmkt.metrics import CATALOG
from perfmkt.pacing import KpiPace
from perfmkt.render import svg
from perfmkt.render.svg import num, tag, text
from perfmkt.report import Report

FONT = '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif'
BRAND = "#0b7285"
INK = "#212529"
MUTED = "#6c757d"
PLAN = "#868e96"  # plan lines and the daily target: grey, dashed
GRID = "#e9ecef"
AXIS = "#adb5bd"
NO_DATA = "#f1f3f5"
# The report's status colours (templates/partials/styles.css).
STATUS_COLOURS = {
    "on_track": "#2b8a3e",
    "at_risk": "#d9480f",
    "off_track": "#c92a2a",
    "overspend": "#862e9c",
    "no_data": "#868e96",
}
# Trouble first: off track and overspend, then at risk, then the rest.
STATUS_RANK = {"off_track": 0, "overspend": 0, "at_risk": 1}
MAX_CUMULATIVE = 4
DAILY_IN_TROUBLE = 2  # daily bars for this many KPIs besides spend
MAX_CHANNELS = 10  # bars in the channel split; the rest in one "others" bar

TITLE, LABEL, SMALL = 15, 13, 12  # font sizes in viewBox px, the same on every frame
PAD = 12  # outer margin


@dataclass(frozen=True)
class Frame:
    """What a chart is drawn on: the viewBox width, the least height (a chart grows when its
    title or legend wraps, so the plot keeps ``min_plot``), font sizes in viewBox px, at most
    how many y intervals and x dates, the widest channel name, and the id prefix that keeps
    this rendering's ids apart from another's in the same page."""

    width: int
    height: int
    min_plot: float
    y_ticks: int  # about this many intervals on a cumulative axis
    daily_y_ticks: int
    x_labels: int  # at most this many dates under a plot
    names: float  # channel names wider than this are cut with an ellipsis
    prefix: str = "chart"
    title: float = TITLE
    label: float = LABEL
    small: float = SMALL


# Shown about 516 px wide in a desktop's two columns: text at about its own size (12–15 px).
WIDE = Frame(520, 250, 150.0, 5, 4, 9, 170.0)
# Shown 280–480 px wide on phones and about 340 px in print (two to an A4 row): 340 keeps
# 12-px text at >= 11 px from a 360-px screen up.
NARROW = Frame(340, 240, 130.0, 3, 3, 5, 110.0, "chart-narrow")

# Chart words the report labels (perfmkt.i18n) do not have; {target} is the report's word for a
# target, lower-cased where it sits inside a phrase.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "actual_daily": "Actual",
        "daily_target": "Daily {target}",
        "no_data": "No data",
        "others": "Others",
        "cumulative_desc": (
            "{kpi} to {day}: {actual} against {expected} planned, a gap of {gap}"
            "{projection}; flight {target} {total}."
        ),
        "cumulative_projection": "; projected {projection} at flight end",
        "cumulative_unplanned": "{kpi} to {day}: {actual}; no plan for it.",
        "daily_desc": "Daily {kpi}, {first} – {last}: {hit}{missing}; highest {top} on {top_day}.",
        "daily_hit": "{hit} of {days} days at or above the daily {target}",
        "daily_hit_budget": "{hit} of {days} days within 10% of the daily {target}",
        "daily_missing": "; {count} days without data",
        "channels_desc": "Spend by channel to {day}: {rows}.",
    },
    "vi": {
        "actual_daily": "Thực tế",
        "daily_target": "{target} ngày",
        "no_data": "Không có dữ liệu",
        "others": "Khác",
        "cumulative_desc": (
            "{kpi} đến {day}: {actual} so với kế hoạch {expected}, chênh lệch {gap}"
            "{projection}; {target} cả chiến dịch {total}."
        ),
        "cumulative_projection": "; dự báo {projection} cuối chiến dịch",
        "cumulative_unplanned": "{kpi} đến {day}: {actual}; không có kế hoạch.",
        "daily_desc": (
            "{kpi} theo ngày, {first} – {last}: {hit}{missing}; cao nhất {top} ngày {top_day}."
        ),
        "daily_hit": "{hit}/{days} ngày đạt {target} ngày",
        "daily_hit_budget": "{hit}/{days} ngày trong khoảng ±10% {target} ngày",
        "daily_missing": "; {count} ngày không có dữ liệu",
        "channels_desc": "Chi phí theo kênh đến {day}: {rows}.",
    },
}


def chart_words(labels: dict[str, str], language: str) -> dict[str, str]:
    """The words a chart uses: the report's labels, and the chart's own words in its
    language."""
    lang = language if language in WORDS else "en"
    return {**labels, **WORDS[lang], "projection": labels["projection_short"]}


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _signed(text: str, value: float) -> str:
    """``text`` (formatted from the absolute value) with a real minus or a plus sign; none
    when it reads as zero (a gap of a hundred-millionth is "0 ₫", not "+0 ₫")."""
    if not any(c in "123456789" for c in text):
        return text
    if value > 0:
        return "+" + text
    if value < 0:
        return "\u2212" + text
    return text


class Numbers:
    """How a chart writes values: compact money and counts, whole where plan-derived."""

    def __init__(self, fmt: Formatter, kind: str) -> None:
        self.fmt, self.kind = fmt, kind

    def compact(self, value: float | None, whole: bool = False) -> str:
        """As the tables write it where space is short (``Formatter.value``); ``whole``: a
        value the plan derives (target, plan to date, projection, gap: ``Formatter.planned``)."""
        if whole:
            return self.fmt.planned(self.kind, value, compact=True)
        return self.fmt.value(self.kind, value, compact=True)

    def tick(self, value: float) -> str:
        """An axis tick: "0", "500 tr ₫", "$1.5M", "$500", "2,5"."""
        if value == 0:
            return self.fmt.count(0)
        if self.kind == "money" and abs(value) < 1000:
            return self.fmt.money_whole(value) if value == int(value) else self.fmt.money(value)
        return self.compact(value)

    def gap(self, gap: float, base: float | None) -> str:
        """ "−283 tr ₫ (−23%)": the gap and its share of the plan to date."""
        amount = _signed(self.compact(abs(gap), whole=True), gap)
        if not base:
            return amount
        return f"{amount} ({_signed(self.fmt.pace(abs(gap / base)), gap)})"


# ---------------------------------------------------------------- chart frame and pieces


def _title_row(title: str, status: tuple[str, str] | None, f: Frame) -> tuple[str, float]:
    """The title at the top left, wrapped to two lines at most; the KPI's status (word and
    colour) at the right of its last line, or on a line of its own when it does not fit there.
    Returns the markup and the baseline of the last line."""
    lines = svg.wrap(title, f.title, f.width - 2 * PAD, bold=True, lines=2)
    out, y = [], 19.0
    for i, line in enumerate(lines):
        y = 19.0 + i * (f.title + 4)
        out.append(text(PAD, y, line, font_size=f.title, font_weight="700", fill=INK))
    if status:
        word, colour = status
        room = f.width - 2 * PAD - svg.text_width(lines[-1], f.title, bold=True) - 16
        anchor, x = "end", float(f.width - PAD)
        if svg.text_width(word, f.label, bold=True) > room:
            anchor, x, y = "start", float(PAD), y + f.label + 5
        out.append(
            text(x, y, word, font_size=f.label, font_weight="700", fill=colour, text_anchor=anchor)
        )
    return "".join(out), y


def _swatch(kind: str, x: float, y: float, colour: str) -> str:
    """A 22-px legend key drawn as the series is drawn."""
    mid = y - 4
    if kind == "bar":
        return tag("rect", x=float(x + 5), y=float(mid - 6), width=12.0, height=12.0, fill=colour)
    if kind == "missing":
        return tag(
            "rect",
            x=float(x + 5),
            y=float(mid - 6),
            width=12.0,
            height=12.0,
            fill=NO_DATA,
            stroke=AXIS,
            stroke_width="1",
        )
    if kind == "target":
        return _diamond(x + 11, mid, INK)
    dash = {"plan": "6 4", "projection": "1 4", "line": None, "step": "5 3"}[kind]
    return tag(
        "path",
        d=f"M{num(x)} {num(mid)}h22",
        stroke=colour,
        stroke_width="3" if kind != "plan" else "2",
        stroke_dasharray=dash,
        stroke_linecap="round" if kind == "projection" else None,
        fill="none",
    )


def _legend(items: list[tuple[str, str, str]], top: float, f: Frame) -> tuple[str, float]:
    """Legend keys in their own rows above the plot, wrapped to the width; returns the
    markup and the y just below the last row."""
    out: list[str] = []
    x, y = float(PAD), top + 12
    for kind, label, colour in items:
        width = 28 + svg.text_width(label, f.label) + 18
        if x > PAD and x + width - 18 > f.width - PAD:  # the trailing space may overhang
            x, y = float(PAD), y + 20
        shown = svg.fit(label, f.label, f.width - 2 * PAD - 28)
        out.append(_swatch(kind, x, y, colour))
        out.append(text(x + 28, y, shown, font_size=f.label, fill=INK))
        x += width
    return "".join(out), y + 6


def _diamond(x: float, y: float, colour: str, size: float = 5.0, series: str | None = None) -> str:
    return tag(
        "path",
        d=f"M{num(x)} {num(y - size)}l{num(size)} {num(size)}l{num(-size)} {num(size)}"
        f"l{num(-size)} {num(-size)}z",
        fill=colour,
        stroke="#fff",
        stroke_width="1",
        data_series=series,
    )


def _y_axis(
    ticks: list[float], y: svg.Linear, left: float, right: float, numbers: Numbers, f: Frame
) -> str:
    out = []
    for value in ticks:
        at = y(value)
        line = AXIS if value == 0 else GRID
        out.append(
            tag(
                "path",
                d=f"M{num(left)} {num(at)}H{num(right)}",
                stroke=line,
                stroke_width="1",
                data_tick=repr(value),
            )
        )
        out.append(
            text(
                left - 6,
                at + 4,
                numbers.tick(value),
                font_size=f.label,
                fill=MUTED,
                text_anchor="end",
            )
        )
    return "".join(out)


def _tick_width(ticks: list[float], numbers: Numbers, f: Frame) -> float:
    return max(svg.text_width(numbers.tick(v), f.label) for v in ticks)


def _day_step(count: int, room: float, label_width: float, most: int) -> int:
    """Days between x labels: the smallest of 1, 2, 7, 14, 21, 28… that keeps labels apart and
    shows at most ``most`` of them."""
    fits = max(1, min(most, int(room // (label_width + 10))))
    for step in (1, 2, 7, 14, 21, 28):
        if math.ceil(count / step) <= fits:
            return step
    return 28 * math.ceil(count / (28 * fits))


def _x_labels(
    days: list[date],
    at: Callable[[int], float],
    baseline: float,
    fmt: Formatter,
    room: float,
    f: Frame,
) -> str:
    """Dates under the plot in the report's locale ("05/01", "5 Jan"), kept inside the
    chart's box."""
    if not days:
        return ""
    sample = days[:: max(1, len(days) // 7)]
    width = max(svg.text_width(fmt.day_month(d), f.label) for d in sample)
    step = _day_step(len(days), room, width, f.x_labels)
    out = []
    for i in range(0, len(days), step):
        label = fmt.day_month(days[i])
        half = svg.text_width(label, f.label) / 2
        x = svg.clamp(at(i), half + 2, f.width - half - 2)
        out.append(text(x, baseline, label, font_size=f.label, fill=MUTED, text_anchor="middle"))
    return "".join(out)


def _halo(
    x: float, y: float, words: str, colour: str, anchor: str, size: float, series: str | None
) -> str:
    """A label over lines: a white outline keeps it legible (painted under the fill)."""
    return text(
        x,
        y,
        words,
        font_size=size,
        font_weight="700",
        fill=colour,
        stroke="#fff",
        stroke_width="4",
        stroke_linejoin="round",
        paint_order="stroke",
        text_anchor=anchor,
        data_series=series,
    )


# ---------------------------------------------------------------- the charts


def _flight_days(report: Report) -> list[date]:
    start, total = report.flight.start, max(report.flight.days_total, 1)
    return [start + timedelta(days=i) for i in range(total)]


def _elapsed_days(report: Report) -> list[date]:
    """Flight days up to the as-of day (none before the flight starts)."""
    last = min(report.as_of, report.flight.end)
    return [d for d in _flight_days(report) if d <= last]


def _actual_by_day(report: Report, kpi: str) -> dict[date, float | None]:
    """Each day's actual; days without data (the notes say which) are missing, not zero."""
    missing = set(report.notes.days_without_data)
    return {
        row["date"]: None if row["date"] in missing else _finite(row["actual"].get(kpi))
        for row in report.daily
    }


def _plan_by_day(report: Report, kpi: str) -> dict[date, float | None] | None:
    """Each flight day's planned value, None when the plan has no target for ``kpi``."""
    if not any(kpi in d["target"] for d in report.plan_daily):
        return None
    return {d["date"]: _finite(d["target"].get(kpi)) for d in report.plan_daily}


class Cumulative(TypedDict):
    plan: list[float] | None  # the whole flight; None without a plan
    actual: list[float]  # to the as-of day


def cumulative_series(report: Report, kpi: str) -> Cumulative:
    """The cumulative lines of ``kpi`` over the flight's days: ``plan`` (whole flight, None
    without a plan) and ``actual`` (to the as-of day; a day without data adds 0)."""
    planned = _plan_by_day(report, kpi)
    plan: list[float] | None = None
    if planned is not None:
        running, plan = 0.0, []
        for day in _flight_days(report):
            running += planned.get(day) or 0.0
            plan.append(running)
    actual: list[float] = []
    if report.daily:
        by_day = _actual_by_day(report, kpi)
        running = 0.0
        for day in _elapsed_days(report):
            running += by_day.get(day) or 0.0
            actual.append(running)
    return {"plan": plan, "actual": actual}


def _projection_points(
    report: Report, kpi: KpiPace, plan: list[float] | None, actual: list[float], days: int
) -> list[tuple[int, float]]:
    """From the as-of day to the flight end, ending on the report's projection: following the
    plan's shape when the projection does (method ``shape``), else straight."""
    projection = _finite(kpi.projection)
    if projection is None or not actual or len(actual) >= days:
        return []
    start, value = len(actual) - 1, actual[-1]
    remaining = (plan[-1] - plan[start]) if plan else 0.0
    if report.projection_method == "shape" and plan and remaining > 0:
        rate = (projection - value) / remaining
        return [(i, value + (plan[i] - plan[start]) * rate) for i in range(start, days)]
    return [(start, value), (days - 1, projection)]


def cumulative(
    report: Report,
    kpi: KpiPace,
    title: str,
    color: str,
    fmt: Formatter,
    words: dict[str, str],
    prefix: str,
    frame: Frame = WIDE,
) -> str:
    """Cumulative actual to the as-of day (solid, brand colour), the plan over the whole flight
    (grey, dashed), the projection to the flight end (dotted), the flight target marked at the
    end, the gap at the as-of day labelled, a marker on the as-of day."""
    numbers = Numbers(fmt, kpi.kind)
    days = _flight_days(report)
    series = cumulative_series(report, kpi.name)
    plan, actual = series["plan"], series["actual"]
    target = _finite(kpi.target_total) if plan is not None else None
    projected = _projection_points(report, kpi, plan, actual, len(days))
    projection = projected[-1][1] if projected else None

    f = frame
    status = (words.get(kpi.status, kpi.status), STATUS_COLOURS.get(kpi.status, MUTED))
    heading, title_bottom = _title_row(title, status if kpi.status != "no_data" else None, f)
    body = [heading]
    legend_items = [("line", words["actual"], color)]
    if plan is not None:
        legend_items.append(("plan", words["plan"], PLAN))
    if projected:
        legend_items.append(("projection", words["projection"], color))
    if target is not None:
        legend_items.append(("target", words["target"], INK))
    keys, legend_bottom = _legend(legend_items, title_bottom + 9, f)
    body.append(keys)

    values = [*(plan or []), *actual, *(v for _, v in projected)]
    values += [target] if target is not None else []
    ticks = svg.nice_ticks(min([0.0, *values]), max([0.0, *values]), f.y_ticks)
    top = legend_bottom + 26
    height = math.ceil(max(f.height, top + f.min_plot + 30))
    bottom = height - 30.0
    # End labels (target, projection) in a gutter right of the plot: they never cover a line.
    ends = [
        (words["target"], numbers.compact(target, whole=True), target, INK),
        (words["projection"], numbers.compact(projection, whole=True), projection, color),
    ]
    ends = [e for e in ends if e[2] is not None]
    gutter = max(
        (
            max(svg.text_width(w, f.small), svg.text_width(v, f.label, bold=True))
            for w, v, *_ in ends
        ),
        default=0.0,
    )
    gutter = min(gutter, f.width * 0.3)  # a long word is cut rather than squeeze the plot
    left = PAD + _tick_width(ticks, numbers, f) + 8
    right = f.width - PAD - (gutter + 12 if gutter else 4)
    x = svg.Linear((0, len(days) - 1) if len(days) > 1 else (-0.5, 0.5), (left, right))
    y = svg.Linear((ticks[0], ticks[-1]), (bottom, top))

    body.append(_y_axis(ticks, y, left, right, numbers, f))
    body.append(_x_labels(days, x, height - 12, fmt, right - left, f))

    as_of = len(actual) - 1
    if actual:  # the as-of marker, labelled above the plot
        at = x(as_of)
        label = f"{words['as_of']} {fmt.day_month(days[as_of])}"
        half = svg.text_width(label, f.small) / 2
        body.append(
            tag(
                "path",
                d=f"M{num(at)} {num(top - 6)}V{num(bottom)}",
                stroke=AXIS,
                stroke_width="1",
                data_series="as-of",
            )
        )
        body.append(
            text(
                svg.clamp(at, half + 2, f.width - half - 2),
                top - 10,
                label,
                font_size=f.small,
                fill=MUTED,
                text_anchor="middle",
            )
        )
    if plan is not None:
        body.append(
            tag(
                "path",
                d=svg.path((x(i), y(v)) for i, v in enumerate(plan)),
                fill="none",
                stroke=PLAN,
                stroke_width="2",
                stroke_dasharray="6 4",
                data_series="plan",
            )
        )
    if actual:
        line = svg.path((x(i), y(v)) for i, v in enumerate(actual))
        zero = y(max(ticks[0], 0.0))
        body.append(
            tag(
                "path",
                d=f"{line}V{num(zero)}H{num(x(0))}Z",
                fill=color,
                fill_opacity="0.08",
                stroke="none",
                data_series="actual-area",
            )
        )
        body.append(
            tag(
                "path",
                d=line,
                fill="none",
                stroke=color,
                stroke_width="2.5",
                stroke_linejoin="round",
                data_series="actual",
            )
        )
    if projected:
        body.append(
            tag(
                "path",
                d=svg.path((x(i), y(v)) for i, v in projected),
                fill="none",
                stroke=color,
                stroke_width="2.5",
                stroke_dasharray="1 5",
                stroke_linecap="round",
                data_series="projection",
            )
        )
        body.append(
            tag(
                "circle",
                cx=x(len(days) - 1),
                cy=y(projected[-1][1]),
                r="4",
                fill="#fff",
                stroke=color,
                stroke_width="2",
                data_series="projection-end",
            )
        )
    if target is not None:
        body.append(_diamond(x(len(days) - 1), y(target), INK, 6.0, "target"))
    if actual:
        body.append(
            tag(
                "circle",
                cx=x(as_of),
                cy=y(actual[-1]),
                r="4",
                fill=color,
                data_series="actual-end",
            )
        )
    gap_text = None
    if actual and plan is not None:
        body.append(
            _gap(
                x(as_of),
                y(actual[-1]),
                y(plan[as_of]),
                actual[-1],
                plan[as_of],
                kpi,
                numbers,
                (left, right, bottom),
                f,
            )
        )
        gap_text = numbers.gap(actual[-1] - plan[as_of], plan[as_of])
    body.append(_end_labels(ends, right + 12, y, top, bottom, gutter, f))

    desc = _cumulative_desc(
        kpi, words, numbers, fmt, days, actual, plan, projection, target, gap_text
    )
    return svg.document(prefix, f.width, height, title, desc, "".join(body), FONT)


def _gap(
    at: float,
    y_actual: float,
    y_plan: float,
    actual: float,
    plan: float,
    kpi: KpiPace,
    numbers: Numbers,
    plot: tuple[float, float, float],
    f: Frame,
) -> str:
    """A bracket between actual and plan on the as-of day, labelled with the gap: left of it
    when there is room, else under the actual's end when behind plan (nothing is drawn there:
    plan and projection rise above it), else beside it between the lines."""
    colour = STATUS_COLOURS.get(kpi.status, INK)
    words = numbers.gap(actual - plan, plan)
    out = [
        tag(
            "path",
            d=f"M{num(at - 4)} {num(y_plan)}h8M{num(at)} {num(y_plan)}V{num(y_actual)}"
            f"M{num(at - 4)} {num(y_actual)}h8",
            stroke=colour,
            stroke_width="2",
            fill="none",
            data_series="gap",
        )
    ]
    left, right, bottom = plot
    width = svg.text_width(words, f.label, bold=True)
    on_left = at - left > (right - left) * 0.5 and at - 10 - width >= left
    mid = (y_actual + y_plan) / 2
    if abs(y_actual - y_plan) < 16:  # too close to sit between: above the higher one
        mid = min(y_actual, y_plan) - 10
    x = min(at + 8, f.width - PAD - width)
    if on_left:
        out.append(_halo(at - 10, mid + 4, words, colour, "end", f.label, "gap-label"))
    elif actual < plan and y_actual + f.label + 8 <= bottom - 4:
        out.append(_halo(x, y_actual + f.label + 8, words, colour, "start", f.label, "gap-label"))
    else:
        x = min(at + 10, f.width - PAD - width)
        out.append(_halo(x, mid + 4, words, colour, "start", f.label, "gap-label"))
    return "".join(out)


def _end_labels(
    ends: list[tuple[str, str, float | None, str]],
    x: float,
    y: svg.Linear,
    top: float,
    bottom: float,
    room: float,
    f: Frame,
) -> str:
    """Two-line labels (word, value) beside the flight-end marks, pushed apart so they never
    overlap, kept inside the plot's height and within ``room`` of width."""
    low, high = top + 14, bottom - 14  # clear of the as-of label above the plot
    marks = sorted(
        ((svg.clamp(y(v), low, high), w, t, c) for w, t, v, c in ends if v is not None),
        key=lambda e: e[0],
    )
    heights = [m[0] for m in marks]
    for i in range(1, len(heights)):
        heights[i] = max(heights[i], heights[i - 1] + 32)
    shift = max(0.0, (heights[-1] if heights else 0) - high)
    out = []
    for at, (_, word, value, colour) in zip(heights, marks, strict=True):
        at -= shift
        word = svg.fit(word, f.small, room)
        value = svg.fit(value, f.label, room, bold=True)
        out.append(text(x, at - 5, word, font_size=f.small, fill=MUTED))
        out.append(text(x, at + 11, value, font_size=f.label, font_weight="700", fill=colour))
    return "".join(out)


def _cumulative_desc(
    kpi: KpiPace,
    words: dict[str, str],
    numbers: Numbers,
    fmt: Formatter,
    days: list[date],
    actual: list[float],
    plan: list[float] | None,
    projection: float | None,
    target: float | None,
    gap: str | None,
) -> str:
    """The chart in one sentence, with its numbers: to date vs plan, the projection, the
    target."""
    name = words.get("kpi_name", kpi.label)
    if not actual:
        day = fmt.day_month(days[0]) if days else ""
        done = 0.0
    else:
        day, done = fmt.day_month(days[len(actual) - 1]), actual[-1]
    if plan is None:
        return words["cumulative_unplanned"].format(kpi=name, day=day, actual=numbers.compact(done))
    expected = plan[len(actual) - 1] if actual else 0.0
    ahead = (
        words["cumulative_projection"].format(projection=numbers.compact(projection, whole=True))
        if projection is not None
        else ""
    )
    return words["cumulative_desc"].format(
        kpi=name,
        day=day,
        actual=numbers.compact(done),
        expected=numbers.compact(expected, whole=True),
        gap=gap or numbers.gap(done - expected, expected),
        projection=ahead,
        target=words["target"].lower(),
        total=numbers.compact(target, whole=True),
    )


def daily_bars(
    report: Report,
    kpi: KpiPace,
    title: str,
    color: str,
    fmt: Formatter,
    words: dict[str, str],
    prefix: str,
    frame: Frame = WIDE,
) -> str | None:
    """Each elapsed day's actual as a bar (none on a day without data, which is shaded) and
    the daily target as a dashed step line. A result's bars on days whose conversions are still
    arriving are pale with a dashed outline (``data-maturity`` says how far), so a short last
    day does not read as a collapse."""
    days = _elapsed_days(report)
    if not days or not report.daily:
        return None
    numbers = Numbers(fmt, kpi.kind)
    actual_by_day = _actual_by_day(report, kpi.name)
    rows = {r["date"]: r for r in report.daily}
    late = {
        d: r["maturity"]
        for d, r in rows.items()
        if kpi.name in RESULTS and r.get("maturity") is not None and r["maturity"] < IMMATURE_BELOW
    }
    planned = _plan_by_day(report, kpi.name) or {}
    bars = [actual_by_day.get(d) for d in days]
    targets = [
        _finite(rows[d]["target"].get(kpi.name)) if d in rows else planned.get(d) for d in days
    ]
    missing = [i for i, v in enumerate(bars) if v is None]
    has_target = any(t is not None for t in targets)

    target_word = words["daily_target"].format(
        target=words["target"] if report.locale == "vi" else words["target"].lower()
    )
    items = [("bar", words["actual_daily"], color)]
    if has_target:
        items.append(("step", target_word, PLAN))
    if missing:
        items.append(("missing", words["no_data"], NO_DATA))
    f = frame
    heading, title_bottom = _title_row(title, None, f)
    keys, legend_bottom = _legend(items, title_bottom + 9, f)
    values = [v for v in (*bars, *targets) if v is not None]
    ticks = svg.nice_ticks(min([0.0, *values]), max([0.0, *values]), f.daily_y_ticks)
    top = legend_bottom + 10
    height = math.ceil(max(f.height, top + f.min_plot + 30))
    bottom = height - 30.0
    left = PAD + _tick_width(ticks, numbers, f) + 8
    right = f.width - PAD - 4
    band = (right - left) / len(days)
    y = svg.Linear((ticks[0], ticks[-1]), (bottom, top))
    zero = y(0.0)

    body = [heading, keys]
    for i in missing:
        body.append(
            tag(
                "rect",
                x=left + i * band,
                y=float(top),
                width=float(band),
                height=float(bottom - top),
                fill=NO_DATA,
                data_series="no-data",
                data_day=days[i].isoformat(),
            )
        )
    body.append(_y_axis(ticks, y, left, right, numbers, f))

    def centre(i: int) -> float:
        return left + (i + 0.5) * band

    body.append(_x_labels(days, centre, height - 12, fmt, right - left, f))
    width = svg.clamp(band * 0.72, 1.0, 48.0)  # a lone day is a bar, not a wall
    for i, value in enumerate(bars):
        if value is None or value == 0:
            continue
        high, low = sorted((y(value), zero))
        pale: dict[str, str] = {}
        if days[i] in late:
            pale = {
                "fill_opacity": "0.4",
                "stroke": color,
                "stroke_dasharray": "3 2",
                "data_maturity": f"{late[days[i]]:.3f}",
            }
        body.append(
            tag(
                "rect",
                x=left + i * band + (band - width) / 2,
                y=high,
                width=width,
                height=max(low - high, 0.5),
                fill=color,
                **pale,
                data_series="bar",
                data_day=days[i].isoformat(),
            )
        )
    if has_target:
        edges = [left + i * band for i in range(len(days) + 1)]
        body.append(
            tag(
                "path",
                d=svg.steps(edges, [None if t is None else y(t) for t in targets]),
                fill="none",
                stroke="#495057",
                stroke_width="2",
                stroke_dasharray="5 3",
                data_series="target-step",
            )
        )
    desc = _daily_desc(kpi, words, numbers, fmt, days, bars, targets)
    if late:
        days_in = ", ".join(
            f"{fmt.day_month(d)} {fmt.maturity(m)}" for d, m in sorted(late.items())
        )
        note = words["immature_bars"].format(days=days_in)
        desc += f" {note[:1].upper()}{note[1:]}."
    return svg.document(prefix, f.width, height, title, desc, "".join(body), FONT)


def _daily_desc(
    kpi: KpiPace,
    words: dict[str, str],
    numbers: Numbers,
    fmt: Formatter,
    days: list[date],
    bars: list[float | None],
    targets: list[float | None],
) -> str:
    """The daily chart in one sentence: days on target, days without data, the best day."""
    pairs = [(v, t) for v, t in zip(bars, targets, strict=True) if v is not None and t is not None]
    if kpi.direction == "budget":
        hit = sum(1 for v, t in pairs if t and abs(v / t - 1) <= 0.10)
        template = words["daily_hit_budget"]
    else:
        hit = sum(1 for v, t in pairs if v >= t)
        template = words["daily_hit"]
    target = words["target"].lower()
    known = [(v, d) for v, d in zip(bars, days, strict=True) if v is not None]
    best = max(known, key=lambda e: e[0], default=(None, None))
    count = sum(1 for v in bars if v is None)
    return words["daily_desc"].format(
        kpi=words.get("kpi_name", kpi.label),
        first=fmt.day_month(days[0]),
        last=fmt.day_month(days[-1]),
        hit=template.format(hit=hit, days=len(pairs), target=target),
        missing=words["daily_missing"].format(count=count) if count else "",
        top=numbers.compact(best[0]),
        top_day=fmt.day_month(best[1]),
    )


def channel_split(
    report: Report,
    title: str,
    color: str,
    fmt: Formatter,
    words: dict[str, str],
    prefix: str = "chart-channels",
    frame: Frame = WIDE,
) -> str | None:
    """Spend by channel as horizontal bars, largest first, each with its amount and share."""
    found: list[tuple[str, float, float | None]] = []  # name, spend, share (None: unknown)
    for channel in report.channels:
        spend = _finite(channel.get("actual", {}).get("spend"))
        if spend is not None and spend > 0:
            found.append((str(channel.get("name", "")), spend, _finite(channel.get("spend_share"))))
    if not found:
        return None
    found.sort(key=lambda r: -r[1])
    total = sum(r[1] for r in found)
    if len(found) > MAX_CHANNELS:
        rest = found[MAX_CHANNELS - 1 :]
        shares = [r[2] for r in rest]
        share = sum(s for s in shares if s is not None) if None not in shares else None
        found = [*found[: MAX_CHANNELS - 1], (words["others"], sum(r[1] for r in rest), share)]
    numbers = Numbers(fmt, "money")
    rows = [
        (name, spend, spend / total if share is None else share) for name, spend, share in found
    ]
    labels = [f"{numbers.compact(s)} · {fmt.pace(share)}" for _, s, share in rows]
    f = frame
    names_width = min(max(svg.text_width(n, f.label) for n, *_ in rows), f.names)
    values_width = max(svg.text_width(v, f.label) for v in labels)
    left = PAD + names_width + 10
    right = f.width - PAD - values_width - 8
    heading, title_bottom = _title_row(title, None, f)
    top, row_height = title_bottom + 15, 30.0
    height = int(top + row_height * len(rows) + 8)
    x = svg.Linear((0.0, max(r[1] for r in rows)), (left, right))

    body = [heading]
    body.append(
        tag(
            "path",
            d=f"M{num(left)} {num(top)}V{num(top + row_height * len(rows))}",
            stroke=AXIS,
            stroke_width="1",
        )
    )
    for i, ((name, spend, _), label) in enumerate(zip(rows, labels, strict=True)):
        mid = top + row_height * i + row_height / 2
        shown = svg.fit(name, f.label, names_width)
        body.append(text(left - 8, mid + 4, shown, font_size=f.label, fill=INK, text_anchor="end"))
        end = x(spend)
        body.append(
            tag(
                "rect",
                x=left,
                y=mid - 8,
                width=max(end - left, 1.0),
                height=16.0,
                fill=color,
                data_series="channel",
            )
        )
        body.append(text(end + 6, mid + 4, label, font_size=f.label, fill=INK))
    parts = [f"{name} {label}" for (name, *_), label in zip(rows, labels, strict=True)]
    day = fmt.day_month(min(report.as_of, report.flight.end))
    desc = words["channels_desc"].format(day=day, rows=", ".join(parts))
    return svg.document(prefix, f.width, height, title, desc, "".join(body), FONT)


# ---------------------------------------------------------------- which charts, in what order


def main_kpi(report: Report) -> str | None:
    """The result the campaign is judged on: the campaign breakdown's result when the plan
    has a target for it, else the first planned volume that is not spend."""
    planned = _planned_volumes(report)
    result = (report.campaigns or {}).get("result")
    if result in planned and result != "spend":
        return result
    return next((k for k in planned if k != "spend"), None)


def _planned_volumes(report: Report) -> list[str]:
    """Volume KPIs with daily plan targets, in the plan's order."""
    planned = {k for d in report.plan_daily for k in d["target"]}
    return [
        k.name
        for k in report.kpis
        if k.name in planned and k.name in CATALOG and not CATALOG[k.name].is_ratio
    ]


def trouble_key(kpi: KpiPace) -> tuple[int, float]:
    """Sort key, most trouble first: status (off track and overspend, then at risk, then the
    rest), then pace (the lowest first; for a budget, the furthest from 100 %)."""
    rank = STATUS_RANK.get(kpi.status, 2)
    pace = _finite(kpi.pace)
    if pace is None:
        return rank, math.inf
    return rank, -abs(pace - 1.0) if kpi.direction == "budget" else pace


def charted(report: Report) -> tuple[list[KpiPace], list[KpiPace]]:
    """(cumulative, daily): the planned volumes charted cumulatively (spend, the main result,
    revenue, then the others; at most four), most trouble first; daily bars for spend and the
    two of them most in trouble."""
    planned = _planned_volumes(report)
    first = [k for k in ("spend", main_kpi(report), "revenue") if k in planned]
    chosen = list(dict.fromkeys([*first, *planned]))[:MAX_CUMULATIVE]
    by_name = {k.name: k for k in report.kpis}
    ordered = sorted((by_name[k] for k in chosen), key=trouble_key)
    troubled = [k for k in ordered if k.name != "spend"][:DAILY_IN_TROUBLE]
    daily = [k for k in ordered if k in troubled or k.name == "spend"]
    return ordered, daily


def charts(
    report: Report,
    labels: dict[str, str],
    kpi_labels: dict[str, str],
    fmt: Formatter,
    frame: Frame = WIDE,
) -> dict[str, str]:
    """Every chart the HTML report shows, as inline SVG, keyed by name in the order to show
    them: per KPI (most trouble first) ``cumulative_<kpi>`` then ``daily_<kpi>``, then
    ``channels``. Drawn on ``frame``: ``NARROW`` gives the phone rendering, with the same keys
    and ids of its own."""
    color = report.branding.get("primary_color") or BRAND
    words = chart_words(labels, report.locale)
    out: dict[str, str] = {}
    ordered, daily = charted(report)
    for kpi in ordered:
        name = kpi_labels.get(kpi.name, kpi.label)
        named = {**words, "kpi_name": name}
        key = f"cumulative_{kpi.name}"
        out[key] = cumulative(
            report,
            kpi,
            words["chart_cumulative"].format(kpi=name),
            color,
            fmt,
            named,
            _prefix(key, frame),
            frame,
        )
        if kpi in daily:
            key = f"daily_{kpi.name}"
            bars = daily_bars(
                report,
                kpi,
                words["chart_daily"].format(kpi=name),
                color,
                fmt,
                named,
                _prefix(key, frame),
                frame,
            )
            if bars:
                out[key] = bars
    title = words["chart_channels"]
    split = channel_split(report, title, color, fmt, words, _prefix("channels", frame), frame)
    if split:
        out["channels"] = split
    return out


def _prefix(key: str, frame: Frame = WIDE) -> str:
    """A chart's id prefix, unique among the report's charts (keys are) and apart from another
    frame's ("chart-narrow-…" never starts a wide key's "chart-cumulative-…")."""
    return f"{frame.prefix}-" + "".join(c if c.isalnum() else "-" for c in key)
