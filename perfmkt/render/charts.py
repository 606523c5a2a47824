"""Static SVG charts for the HTML report, drawn with matplotlib and inlined (no network, no
script). Imported only when an HTML report is rendered: matplotlib is slow to import."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from perfmkt.format import Formatter
from perfmkt.report import Report

GREY = "#868e96"
LIGHT = "#dee2e6"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: small, searchable, crisp
            "svg.hashsalt": "perfmkt",  # the same report gives the same SVG
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": LIGHT,
            "axes.titlesize": 10,
            "xtick.color": GREY,
            "ytick.color": GREY,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    text = buffer.getvalue()
    # Inline SVG: drop the XML prolog and DOCTYPE, let CSS size it.
    text = text[text.index("<svg") :]
    text = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    return text.replace("<svg ", '<svg role="img" preserveAspectRatio="xMidYMid meet" ', 1)


def _axis_format(fmt: Formatter, kind: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: fmt.value(kind, v, compact=True))


def main_kpi(report: Report) -> str | None:
    """The result the campaign is judged on: the first planned volume that is not spend."""
    planned = report.plan_daily[0]["target"] if report.plan_daily else {}
    return next((k.name for k in report.kpis if k.name != "spend" and k.name in planned), None)


def cumulative(
    report: Report,
    kpi: str,
    title: str,
    color: str,
    fmt: Formatter,
    legend: tuple[str, str] = ("plan", "actual"),
) -> str:
    """Cumulative actual to the as-of day against the plan's cumulative target to the end."""
    plt = _pyplot()
    labels_plan, labels_actual = legend
    kind = next(k.kind for k in report.kpis if k.name == kpi)
    plan_days = [d["date"] for d in report.plan_daily]
    plan_cum, running = [], 0.0
    for d in report.plan_daily:
        running += d["target"][kpi] or 0.0
        plan_cum.append(running)
    act_days, act_cum, running = [], [], 0.0
    for d in report.daily:
        running += d["actual"][kpi] or 0.0
        act_days.append(d["date"])
        act_cum.append(running)
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.plot(plan_days, plan_cum, color=GREY, linestyle="--", linewidth=1.2, label=labels_plan)
    ax.plot(act_days, act_cum, color=color, linewidth=2.2, label=labels_actual)
    if act_days:
        ax.axvline(act_days[-1], color=LIGHT, linewidth=1)
    ax.set_title(title, loc="left")
    ax.yaxis.set_major_formatter(_axis_format(fmt, kind))
    ax.legend(frameon=False, loc="upper left")
    fig.autofmt_xdate()
    return _svg(fig)


def daily_bars(
    report: Report, kpi: str, title: str, color: str, fmt: Formatter, target: str = "target"
) -> str:
    """Daily actual bars with the daily target as a line."""
    plt = _pyplot()
    kind = next(k.kind for k in report.kpis if k.name == kpi)
    days: list[date] = [d["date"] for d in report.daily]
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ax.bar(days, [d["actual"][kpi] or 0 for d in report.daily], color=color, width=0.8)
    ax.plot(
        days,
        [d["target"][kpi] for d in report.daily],
        color="#212529",
        linewidth=1.2,
        drawstyle="steps-mid",
        label=target,
    )
    ax.set_title(title, loc="left")
    ax.yaxis.set_major_formatter(_axis_format(fmt, kind))
    ax.legend(frameon=False, loc="upper left")
    fig.autofmt_xdate()
    return _svg(fig)


def channel_split(report: Report, title: str, color: str, fmt: Formatter) -> str | None:
    """Spend by channel, largest first."""
    rows = [(c["name"], c["actual"].get("spend") or 0.0) for c in report.channels]
    rows = sorted((r for r in rows if r[1] > 0), key=lambda r: r[1])
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.45 * len(rows)))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=color)
    total = sum(r[1] for r in rows)
    for i, (_, value) in enumerate(rows):
        ax.text(value, i, f"  {fmt.percent(value / total, digits=0)}", va="center", color=GREY)
    ax.set_title(title, loc="left")
    ax.xaxis.set_major_formatter(_axis_format(fmt, "money"))
    return _svg(fig)


def charts(
    report: Report, labels: dict[str, str], kpi_labels: dict[str, str], fmt: Formatter
) -> dict[str, str]:
    """Every chart the HTML report shows, as inline SVG, keyed by name."""
    color = report.branding.get("primary_color") or "#0b7285"
    out: dict[str, str] = {}
    if not report.daily:
        return out
    main = main_kpi(report)
    for key, kpi in (("spend", "spend"), ("main", main)):
        if kpi is None or kpi not in (report.plan_daily[0]["target"] if report.plan_daily else {}):
            continue
        name = kpi_labels[kpi]
        out[f"cumulative_{key}"] = cumulative(
            report,
            kpi,
            labels["chart_cumulative"].format(kpi=name),
            color,
            fmt,
            (labels["plan"], labels["actual"]),
        )
        out[f"daily_{key}"] = daily_bars(
            report, kpi, labels["chart_daily"].format(kpi=name), color, fmt, labels["target"]
        )
    split = channel_split(report, labels["chart_channels"], color, fmt)
    if split:
        out["channels"] = split
    return out
