"""Client-ready documents from one ``Report``: HTML and Markdown through Jinja templates, CSV for
machines, PDF by printing the HTML with a local Chromium.

Template search path, first match wins: ``--templates DIR``, the plan's ``templates:`` folder,
then the packaged templates; ``default:report.html`` always names the packaged one, so an
override can extend it and replace a single block.
"""

from __future__ import annotations

import base64
import csv
import io
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from perfmkt.errors import PerfmktError
from perfmkt.format import Formatter
from perfmkt.i18n import (
    ALERTS_VI,
    LOCALES,
    OBJECTIVES,
    RULES_VI,
    kpi_label,
    labels,
    reason,
)
from perfmkt.metrics import CATALOG, volumes_needed
from perfmkt.render.pdf import chromium, css_string, html_to_pdf
from perfmkt.report import Report

__all__ = ["chromium", "context", "html_to_pdf", "md_cell", "render", "render_csv"]


def packaged_templates() -> Path:
    """The templates shipped in the wheel (``perfmkt/_templates``) or, in a source checkout,
    the top-level ``templates/``."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_templates"
    return installed if installed.is_dir() else here.parent / "templates"


def environment(extra: Sequence[str | Path], markdown: bool = False) -> jinja2.Environment:
    packaged = jinja2.FileSystemLoader(str(packaged_templates()))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(p)) for p in extra if p]
    loaders += [jinja2.PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Campaign names come from ad accounts: untrusted text, escaped in HTML.
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=markdown,
        lstrip_blocks=markdown,
        keep_trailing_newline=True,
    )
    return env


# Characters that would make untrusted text do something in Markdown: HTML and entities become
# entities; emphasis, code, links and images, strikethrough and table pipes are
# backslash-escaped (GFM allows a backslash before any ASCII punctuation).
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ESCAPED = frozenset("\\`*_[]|~")


def md_cell(value: Any) -> str:
    """Untrusted text (campaign, channel, file names) made inert inside Markdown — a table
    cell, a list item or a heading: no raw HTML, no link, no emphasis, no extra column, one
    line."""
    text = "" if value is None else " ".join(str(value).splitlines())
    out = []
    for i, char in enumerate(text):
        if char in _MD_ENTITIES:
            out.append(_MD_ENTITIES[char])
        elif (
            char == "_"
            and 0 < i < len(text) - 1
            and text[i - 1].isalnum()
            and text[i + 1].isalnum()
        ):
            out.append(char)  # inside a word (campaign_report_2026) it never starts emphasis
        elif char in _MD_ESCAPED:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _data_uri(path: str | None) -> str | None:
    if not path:
        return None
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PerfmktError(f"cannot read the logo: {exc.strerror}", path=file) from exc
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if not mime.startswith("image/"):
        raise PerfmktError("the logo is not an image", path=file, hint="use a PNG, JPG or SVG")
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def alert_words(
    alert: Any, language: str, fmt: Formatter, words: dict[str, str], label: Any
) -> tuple[str, str]:
    """(message, rule) of an alert in the report's language, with localized numbers."""
    if language != "vi":
        return alert.message, alert.rule
    v = alert.values
    kind = CATALOG[alert.kpi].kind
    threshold = v.get("threshold")
    params = {
        "kpi": label(alert.kpi),
        "pace": fmt.pace(v.get("pace")),
        "threshold": fmt.count(threshold) if alert.kind == "anomaly_sd" else fmt.pace(threshold),
        "days": v.get("days"),
        "window": v.get("window"),
        "gap": fmt.pace(v.get("gap")),
        "actual": fmt.value(kind, v.get("actual")),
        "target": fmt.value(kind, v.get("target")),
        "value": fmt.value(kind, v.get("value")),
        "mean": fmt.value(kind, v.get("mean")),
        "sds": fmt.count(v.get("sds")),
        "side": "cao hơn" if v.get("side") == "above" else "thấp hơn",
        "day": fmt.date(alert.day),
        "status": words.get(v.get("status", ""), "").lower(),
    }
    message = ALERTS_VI[alert.kind]
    if isinstance(message, dict):
        message = message.get(v.get("status", ""), alert.message)
    return message.format(**params), RULES_VI[alert.kind].format(**params)


def context(report: Report, days: int, with_charts: bool) -> dict[str, Any]:
    language = report.locale
    fmt = Formatter(report.currency, LOCALES.get(language, "en_US"))
    words = labels(language)

    def label(name: str) -> str:
        return kpi_label(name, CATALOG[name].label, language) if name in CATALOG else name

    files = [f for f in report.notes.files if f.get("first_day")]
    coverage = words["coverage_text"].format(
        files=len(report.notes.files),
        rows=fmt.count(sum(f["rows"] for f in report.notes.files)),
        first=fmt.date(min((f["first_day"] for f in files), default=None)),
        last=fmt.date(max((f["last_day"] for f in files), default=None)),
    )
    charts: dict[str, str] = {}
    if with_charts:
        from perfmkt.render.charts import charts as draw

        charts = draw(report, words, {n: label(n) for n in CATALOG}, fmt)
    return {
        "report": report,
        "L": words,
        "objective": OBJECTIVES.get(language, OBJECTIVES["en"])[report.objective],
        "kpi_label": label,
        "kinds": {n: m.kind for n, m in CATALOG.items()},
        "ratio_kpis": {n for n, m in CATALOG.items() if m.is_ratio},
        "volumes": set(volumes_needed([k.name for k in report.kpis])),
        "charts": charts,
        "logo": _data_uri(report.branding.get("logo")),
        "days": report.daily[-days:] if days > 0 else [],
        "coverage": coverage,
        "fmt": fmt,
        "alert_text": lambda a: alert_words(a, language, fmt, words, label)[0],
        "rule_text": lambda a: alert_words(a, language, fmt, words, label)[1],
    }


def sparkline(points: list[dict[str, Any]], width: int = 120, height: int = 28) -> Markup:
    """A tiny inline SVG of pace by as-of day, with the 100 % line: how the pace moved."""
    values = [p["pace"] for p in points if p.get("pace") is not None]
    if len(values) < 2:
        return Markup("")
    low, high = min([*values, 1.0]), max([*values, 1.0])
    span = (high - low) or 1.0

    def y(v: float) -> float:
        return round(height - 2 - (v - low) / span * (height - 4), 1)

    step = (width - 4) / (len(values) - 1)
    line = " ".join(f"{round(2 + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    return Markup(
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="pace trend"><line x1="0" x2="{width}" y1="{y(1.0)}" '
        f'y2="{y(1.0)}" stroke="#adb5bd" stroke-dasharray="2 2"/><polyline points="{line}" '
        f'fill="none" stroke="currentColor" stroke-width="1.5"/></svg>'
    )


def _filters(env: jinja2.Environment, fmt: Formatter, words: dict[str, str], language: str) -> None:
    env.filters.update(
        money=fmt.money,
        count=fmt.count,
        pct=fmt.percent,
        pace=fmt.pace,
        date=fmt.date,
        value=lambda v, kind: fmt.value(kind, v),
        status=lambda s: words.get(s, s),
        basename=lambda p: Path(str(p)).name,
        md=md_cell,
        sparkline=sparkline,
        reason=lambda text: reason(text, language),
        css_string=css_string,
    )


def render(report: Report, kind: str, days: int = 14, templates: Sequence[str | Path] = ()) -> str:
    """The report as ``html`` or ``md`` text, or ``email`` (the inline-styled HTML body)."""
    markdown = kind == "md"
    search = [*templates, *([report.templates] if report.templates else [])]
    env = environment(search, markdown=markdown)
    values = context(report, days, with_charts=not markdown)
    _filters(env, values["fmt"], values["L"], report.locale)
    name = {"md": "report.md", "html": "report.html", "email": "email.html"}[kind]
    try:
        text = env.get_template(name).render(values)
    except jinja2.TemplateNotFound as exc:
        raise PerfmktError(
            f"template not found: {exc.name}",
            hint=f"looked in {', '.join(map(str, search))} and the packaged templates",
        ) from exc
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise PerfmktError(f"template error: {exc.message or exc}", path=where, row=line) from exc
    if markdown:  # one blank line between blocks, however the templates space them
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text


def render_csv(report: Report) -> str:
    """KPI pacing as CSV: one row per KPI, in total and per channel with its own targets.
    Numbers are rounded for what they are (money to the currency's minor unit, paces to 6
    significant digits); names cannot run as spreadsheet formulas."""
    from perfmkt.serialize import csv_cell

    out = io.StringIO()
    columns = [
        "scope",
        "name",
        "target_total",
        "expected_to_date",
        "actual_to_date",
        "pace",
        "projection",
        "required_daily",
        "status",
    ]
    paces = {"pace"}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["as_of", *columns])
    rows = [("total", k) for k in report.kpis]
    rows += [(c["name"], k) for c in report.channels for k in c.get("kpis") or []]
    for scope, k in rows:
        values = [
            csv_cell(getattr(k, c), "pace" if c in paces else k.kind, report.currency)
            for c in columns[2:]
        ]
        writer.writerow([report.as_of.isoformat(), csv_cell(scope), csv_cell(k.name), *values])
    return out.getvalue()
