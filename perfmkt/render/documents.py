"""Client-ready documents from one ``Report``: HTML and Markdown through Jinja templates, CSV for
machines, PDF by printing the HTML with a local Chromium.

Template search path, first match wins: ``--templates DIR``, the plan's ``templates:`` folder,
then the packaged templates; ``default:report.html`` always names the packaged one, so an
override can extend it and replace a single block.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import math
import mimetypes
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from perfmkt import pacing
from perfmkt.errors import PerfmktError
from perfmkt.format import NO_VALUE, Formatter, three_significant
from perfmkt.i18n import (
    ALERTS_EN,
    ALERTS_VI,
    LOCALES,
    OBJECTIVES,
    RULES_VI,
    kpi_label,
    labels,
    reason,
)
from perfmkt.lag import IMMATURE_BELOW, RESULTS
from perfmkt.metrics import CATALOG, Direction, volumes_needed
from perfmkt.render.pdf import chromium, css_string, html_to_pdf
from perfmkt.report import Report

__all__ = ["chromium", "context", "html_to_pdf", "md_cell", "render", "render_csv"]


def packaged_templates() -> Path:
    """The templates shipped in the wheel (``perfmkt/_templates``) or, in a source checkout,
    the top-level ``templates/``."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_templates"
    return installed if installed.is_dir() else here.parent / "templates"


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (compiling the report's templates costs more than
    rendering them); a cache that cannot be read or written is only slower."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache(markdown: bool) -> jinja2.BytecodeCache | None:
    from perfmkt.sources.cache import cache_dir

    # Keyed by file and source only: each environment's options get their own folder ("v2":
    # the first cache held filters folded into the compiled code, see _filters()).
    folder = cache_dir() / "templates-v2" / ("md" if markdown else "html")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(folder))


def environment(extra: Sequence[str | Path] = (), markdown: bool = False) -> jinja2.Environment:
    """A Jinja environment over ``extra`` folders, then the packaged templates. A new one per
    report, so a template added to an override folder is found; compiled templates come from
    the bytecode cache (keyed by file and source), which is where the time went."""
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
        bytecode_cache=_bytecode_cache(markdown),
    )
    return env


# Characters that would make untrusted text do something in Markdown: HTML and entities become
# entities; emphasis, code, links and images, strikethrough and table pipes are
# backslash-escaped (GFM allows a backslash before any ASCII punctuation).
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ESCAPED = frozenset("\\`*_[]|~")


def _comparison(text: str, i: int) -> bool:
    """Whether the < or > at ``i`` stands alone between spaces, as in "< 1%" or "0 < b": no
    tag starts or ends there (a tag's name follows its < at once), so it is written as is —
    but a > that opens the text, which would start a quote."""
    alone = (i == 0 or text[i - 1] == " ") and (i == len(text) - 1 or text[i + 1] == " ")
    return alone and not (text[i] == ">" and not text[:i].strip())


def md_cell(value: Any) -> str:
    """Untrusted text (campaign, channel, file names) made inert inside Markdown — a table
    cell, a list item or a heading: no raw HTML, no link, no emphasis, no extra column, one
    line. A comparison sign ("< 1%") stays as the tables write it."""
    text = "" if value is None else " ".join(str(value).splitlines())
    out = []
    for i, char in enumerate(text):
        if char in "<>" and _comparison(text, i):
            out.append(char)
        elif char in _MD_ENTITIES:
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
    english = language != "vi"
    if english and alert.kind not in ALERTS_EN:  # no number of the KPI's own in it
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
    if english:
        params["side"] = v.get("side")
        return ALERTS_EN[alert.kind].format(**params), alert.rule
    message = ALERTS_VI[alert.kind]
    if isinstance(message, dict):
        message = message.get(v.get("status", ""), alert.message)
    return message.format(**params), RULES_VI[alert.kind].format(**params)


def cost_per_result(result: str | None) -> str | None:
    """The catalog's cost ratio of one ``result`` (orders -> cpo, leads -> cpl), if it has one
    priced per unit (CPM is per thousand, not a campaign's cost per impression)."""
    for name, metric in CATALOG.items():
        if metric.numerator == "spend" and metric.denominator == result and metric.scale == 1.0:
            return name
    return None


def bullet(kpi: pacing.KpiPace) -> dict[str, float | None]:
    """Where a scorecard's bullet chart puts its bar and marks, in percent of its width: the
    actual to date as the bar, the expected-to-date, the projection and the flight target as
    marks, the 80 % interval of the flight-end value (``low``, ``high``) as a band, on one
    scale running from 0 to a little past the largest of them (so a projection or an interval
    beyond the target still shows)."""
    interval = kpi.projection_interval or (None, None)
    values = {
        "actual": kpi.actual_to_date,
        "expected": kpi.expected_to_date,
        "projection": kpi.projection,
        "target": kpi.target_total,
        "low": interval[0],
        "high": interval[1],
    }
    top = max((v for v in values.values() if v is not None and v > 0), default=None)
    if top is None:
        return dict.fromkeys(values)
    scale = top * 1.08
    return {
        name: None if v is None else round(min(max(v, 0.0) / scale, 1.0) * 100, 1)
        for name, v in values.items()
    }


def immature_days(report: Report) -> list[dict[str, Any]]:
    """The daily rows whose results are still arriving (maturity below ``IMMATURE_BELOW``)."""
    return [
        d for d in report.daily if d.get("maturity") is not None and d["maturity"] < IMMATURE_BELOW
    ]


_NUMBER = re.compile(r"^(\D*?)(\d(?:.*\d)?)(\D*)$")


def span(fmt: Formatter, kind: str, interval: Sequence[float] | None, compact: bool = True) -> str:
    """An interval as one range, its unit written once where both ends share it ("2,38–2,65
    tỷ ₫", "₫880–952M", "2.380–2.650"), else both ends whole ("880 tr ₫–1,02 tỷ ₫"); counts
    from 100 whole, as the plan's own figures; "" without an interval."""
    if not interval or interval[0] is None or interval[1] is None:
        return ""

    low, high = fmt.planned(kind, interval[0], compact), fmt.planned(kind, interval[1], compact)
    if low == high:
        return low
    a, b = _NUMBER.match(low), _NUMBER.match(high)
    if a and b and a.group(1) == b.group(1) and a.group(3) == b.group(3):
        return f"{a.group(1)}{a.group(2)}–{b.group(2)}{a.group(3)}"
    return f"{low} – {high}"


def chance_text(fmt: Formatter, words: dict[str, str], kpi: pacing.KpiPace) -> str:
    """ "chance to hit: 35%" ("chance on budget" for spend); "" when unknowable."""
    if kpi.chance is None:
        return ""
    budget = kpi.direction == "budget"
    pct = fmt.chance(kpi.chance).replace(" ", "\u00a0")  # "< 1%" never broken over lines
    return words["chance_budget_of" if budget else "chance_of"].format(pct=pct)


def has_outlook(report: Report) -> bool:
    """Whether any KPI, total or per channel, has a chance or an interval to show."""
    kpis = [*report.kpis, *(k for c in report.channels for k in c.get("kpis") or [])]
    return any(k.has_outlook for k in kpis)


def what_now(
    report: Report, fmt: Formatter, words: dict[str, str], label: Callable[[str], str]
) -> dict[str, Any] | None:
    """Everything "what now" shows, in the report's language, for every view: the sentences
    (``what_now.lines``, then any move, catch-up or runway sentence they do not already hold),
    and per result KPI the channels' marginal costs with the suggested move beside them
    (``cost`` tables: money per result; for revenue the marginal ROAS). None when empty."""
    data = report.what_now or {}
    lines = [str(t) for t in data.get("lines") or [] if t]
    extra = [m.get("text") for m in report.advice]
    extra += [c.get("text") for c in data.get("catch_up") or []]
    extra.append((data.get("runway") or {}).get("text"))
    for text in extra:  # a part's sentence a line already holds (with its backup plan) once
        if text and not any(text in line for line in lines):
            lines.append(text)
    moves: dict[tuple[str, str], float] = {}
    for m in report.advice:
        if m.get("amount") is not None:
            moves[(m["kpi"], m["from"])] = -m["amount"]
            moves[(m["kpi"], m["to"])] = m["amount"]
    tables = []
    for kpi, channels in (data.get("marginal_costs") or {}).items():
        value_kpi = kpi in CATALOG and CATALOG[kpi].kind == "money"  # revenue: marginal ROAS
        name = label(kpi)
        rows = []
        for channel, c in channels.items():
            value, low, high = c.get("value"), c.get("low"), c.get("high")
            average = c.get("average")
            if value_kpi:  # money per unit of revenue, shown as revenue per unit of money
                value, average = _inverse(value), _inverse(average)
                low, high = _inverse(c.get("high")), _inverse(c.get("low"))
            kind = "ratio" if value_kpi else "money"
            move = moves.get((kpi, channel))
            reason_text = c.get("reason") or ("" if value is not None else None)
            rows.append(
                {
                    "channel": channel,
                    "value": None if value is None else fmt.value(kind, _rough(value), True),
                    "range": (
                        span(fmt, kind, (_rough(low), _rough(high)))
                        if low is not None and high is not None
                        else ""
                    ),
                    "average": "" if average is None else fmt.value(kind, average, True),
                    "spend_per_day": (
                        ""
                        if c.get("spend_per_day") is None
                        else fmt.value("money", c["spend_per_day"], True)
                    ),
                    "days": c.get("days"),
                    "move": "" if move is None else _signed_money(fmt, move),
                    "move_sign": 0 if move is None else (1 if move > 0 else -1),
                    "reason": _cannot_tell(reason_text, report, fmt, words),
                }
            )
        if not rows:
            continue
        title = words["marginal_title_value" if value_kpi else "marginal_title"]
        header = words["marginal_roas"] if value_kpi else words["marginal"]
        tables.append(
            {
                "kpi": kpi,
                "title": title.format(kpi=label("roas") if value_kpi else name.lower())
                # the curves count what the platforms claim, whatever figure pacing counts
                + (words["marginal_claimed"] if paced_on(report, words, kpi) else ""),
                "value_header": header.format(kpi=label("roas")),
                "rows": rows,
                "moves": any(r["move"] for r in rows),
            }
        )
    if not lines and not tables:
        return None
    return {"lines": lines, "costs": tables}


def paced_on(report: Report, words: dict[str, str], name: str) -> str:
    """Which figure a KPI paces on, as the tables and sentences qualify it: "shop, net",
    "shop, placed" (a ratio: its denominator's, else its numerator's); "" for what the
    platforms claim (the default needs no word)."""
    source = pacing.truth_of(name, report.notes.truth_sources) if name in CATALOG else None
    return words.get(f"truth_{source}", "") if source else ""


def _orders(fmt: Formatter, words: dict[str, str], count: float | None) -> str:
    if count is None:
        return fmt.count(None)
    return words["one_order"] if count == 1 else words["n_orders"].format(n=fmt.count(count))


def _times(fmt: Formatter, value: float | None) -> str:
    return fmt.count(None) if value is None else f"{fmt.ratio(value)}×"


def order_gap(
    report: Report, fmt: Formatter, words: dict[str, str], label: Callable[[str], str]
) -> dict[str, Any] | None:
    """ "Which orders are real", for every view: orders and revenue as the platforms claim them,
    as placed in the shop, what left on the way to net (by outcome, only those that happened)
    and net, with the platforms' claim per net order; the open orders net can still lose;
    (``open``: "" when nothing is said) and which figure pacing counts (``paced``); per channel
    whose orders the shop tells apart (``order_source``).
    Each value as ``{"text": whole, "short": compact}``. None when the plan reads no orders."""
    truth = report.notes.truth
    if "orders" not in truth or "revenue" not in truth:
        return None
    o, r = truth["orders"], truth["revenue"]

    def cell(kind: str, value: float | None, sign: float = 1.0) -> dict[str, str]:
        if kind == "times":
            return {"text": _times(fmt, value), "short": _times(fmt, value)}
        if value is None:
            return {"text": NO_VALUE, "short": NO_VALUE}
        minus = "\u2212" if sign < 0 and value else ""  # what left: a real minus sign
        return {
            "text": minus + fmt.value(kind, value),
            "short": minus + fmt.value(kind, value, compact=True),
        }

    def figures(orders: dict[str, Any], revenue: dict[str, Any]) -> dict[str, Any]:
        """Claimed, placed, net and claimed ÷ net of orders and revenue: the total's rows and
        each channel's columns."""
        return {
            m: {
                "claimed": cell(kind, t["platforms"]),
                "placed": cell(kind, t["placed"]),
                "net": cell(kind, t["net"]),
                "ratio": cell("times", t["platforms_per_shop"]),
            }
            for m, kind, t in (("orders", "count", orders), ("revenue", "money", revenue))
        }

    whole = figures(o, r)

    def row(key: str) -> dict[str, Any]:
        return {"key": key, "label": words[f"gap_{key}"], **{m: whole[m][key] for m in whole}}

    blank = {"text": "", "short": ""}
    rows: list[dict[str, Any]] = [row("claimed"), row("placed")]
    lost_o, lost_r = o.get("lost") or {}, r.get("lost") or {}
    for key in pacing.LOSSES:
        count, money = lost_o.get(key) or 0.0, lost_r.get(key) or 0.0
        if count or money:
            rows.append(
                {
                    "key": key,
                    "label": words[f"lost_{key}"],
                    "orders": cell("count", count, -1.0) if count else blank,
                    "revenue": cell("money", money, -1.0) if money else blank,
                    "loss": True,
                }
            )
    rows += [row("net"), row("ratio")]
    lead = ""
    if None not in (o["platforms"], o["placed"], o["net"]):
        lead = words["gap_lead"].format(
            claimed=_orders(fmt, words, o["platforms"]),
            placed=_orders(fmt, words, o["placed"]),
            net=_orders(fmt, words, o["net"]) if report.locale == "vi" else fmt.count(o["net"]),
        )
    still = ""
    if o.get("open"):
        cod = o.get("open_cod")
        still = words["gap_open"].format(
            orders=_orders(fmt, words, o["open"]),
            revenue=fmt.value("money", r.get("open")),
            cod=(
                ""
                if not cod
                else words["gap_open_all_cod"]
                if cod == o["open"]
                else words["gap_open_cod"].format(count=fmt.count(cod))
            ),
        )
    elif o.get("lost") is not None and o["placed"] and not any(lost_o.values()):
        still = words["gap_none_lost"]
    shop = [n for n in ("orders", "revenue") if paced_on(report, words, n)]
    if shop:
        items = [f"{label(n).lower()} ({paced_on(report, words, n)})" for n in shop]
        joined = ", ".join(items[:-1]) + (words["list_and"] if len(items) > 1 else "")
        paced = words["gap_paced"].format(items=joined + items[-1])
    else:
        paced = words["gap_paced_platforms"]
    channels = [
        {"name": c["name"], **figures(c["outcomes"]["orders"], c["outcomes"]["revenue"])}
        for c in report.channels
        if c.get("outcomes")
    ]
    return {
        "title": words["gap_title"],
        "lead": lead,
        "columns": {"orders": label("orders"), "revenue": label("revenue")},
        "rows": rows,
        "open": still,
        "paced": paced,
        "channels": channels,
    }


def _said(text: str | None, report: Report, fmt: Formatter) -> str:
    """An English sentence from the modules (why an estimate cannot be made, what a curve rests
    on) in the report's language; "" when no translation knows it, so a report keeps one
    language (the view then says less, never English in a Vietnamese report)."""
    if not text:
        return ""
    if report.locale != "en" and reason(text, report.locale) == text:
        return ""
    return note_text(text, report.locale, fmt)


def _cannot_tell(text: str | None, report: Report, fmt: Formatter, words: dict[str, str]) -> str:
    """ "cannot tell: too few days" — or only "cannot tell" when the reason has no translation;
    "" when there is nothing to say (``text`` "" : an estimate without a caveat)."""
    if text is None:
        return words["cannot_tell_bare"]
    if not text:
        return ""
    if text.startswith("interval too wide"):  # its figures are the row's own 80 % column
        text = "interval too wide"
    said = _said(text, report, fmt)
    return words["cannot_tell"].format(reason=said) if said else words["cannot_tell_bare"]


def _rough(value: float) -> float:
    """An estimate to three significant digits (345.393 ₫ -> 345.000 ₫): a fitted marginal
    cost is not known to the đồng, and the advice's sentences round it the same way."""
    return float(three_significant(value)) if math.isfinite(value) else value


def _inverse(value: float | None) -> float | None:
    return 1 / value if value else None


def _signed_money(fmt: Formatter, amount: float) -> str:
    text = fmt.value("money", abs(amount), True)
    return ("+" if amount > 0 else "\u2212") + text


def lag_curves(report: Report, fmt: Formatter, words: dict[str, str]) -> list[dict[str, Any]]:
    """The conversion-lag curve of each platform as the appendix lists it: where it came from,
    what it rests on (in the report's language) and the share in after 1, 2, 3… days."""
    curves = []
    for platform, curve in (report.notes.conversion_lag or {}).items():
        shares = [float(x) for x in curve.get("maturity") or []]
        source = curve.get("source") or "none"
        # the shares up to the first day at 100 %: the rest only repeats it
        shown = shares[: next((i + 1 for i, x in enumerate(shares) if x >= 0.9995), len(shares))]
        curves.append(
            {
                "platform": platform,
                "source": source,
                # where it came from, in words: what it rests on when that can be said
                "about": _said(curve.get("detail"), report, fmt)
                or words.get(f"lag_{source}", source),
                "shares": [fmt.percent(x, digits=0) for x in shown],
            }
        )
    return curves


def tone(name: str, change: float | None) -> str:
    """How a change vs last week reads for a KPI: ``good``, ``bad`` or ``neutral`` (spend is
    on-budget, so its moves are neither; a CPO rise is bad, a revenue rise good)."""
    if change is None or abs(change) < 0.005 or name not in CATALOG:
        return "neutral"
    direction = CATALOG[name].direction
    if direction == Direction.HIGHER:
        return "good" if change > 0 else "bad"
    if direction == Direction.LOWER:
        return "bad" if change > 0 else "good"
    return "neutral"


# Folders in front of a file name: data notes name files, never where they sit on the machine
# that made the report (``/home/anna/clients/x/meta.csv`` -> ``meta.csv``). Paths the report
# read are replaced exactly; any other absolute or ./-relative path loses its folders.
_DIRECTORY = re.compile(r"(?<![\w.])(?:~|[A-Za-z]:|\.{1,2})?[/\\](?:[^\s/\\:'\"()]+[/\\])*")
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def note_text(text: str, language: str, fmt: Formatter, paths: Sequence[str] = ()) -> str:
    """A data-note or warning sentence as a client reads it: in the report's language, dates
    as the report writes them, files by name without the folders they were read from."""
    said = reason(text, language)
    for path in sorted(paths, key=len, reverse=True):
        said = said.replace(path, Path(path).name)
    said = _DIRECTORY.sub("", said)

    def day(match: re.Match[str]) -> str:
        try:
            return fmt.date(date(*map(int, match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO_DAY.sub(day, said)


def context(report: Report, days: int, with_charts: bool) -> dict[str, Any]:
    """Everything the templates see (documented in templates/README.md; a test keeps the two
    in step)."""
    language = report.locale
    fmt = Formatter(report.currency, LOCALES.get(language, "en_US"))
    words = labels(language)

    def label(name: str) -> str:
        return kpi_label(name, CATALOG[name].label, language) if name in CATALOG else name

    files = [f for f in report.notes.files if f.get("first_day")]
    count = len(report.notes.files)
    coverage = words["coverage_text"].format(
        files=words["one_file"] if count == 1 else words["n_files"].format(n=count),
        rows=fmt.count(sum(f["rows"] for f in report.notes.files)),
        first=fmt.date(min((f["first_day"] for f in files), default=None)),
        last=fmt.date(max((f["last_day"] for f in files), default=None)),
    )
    charts: dict[str, str] = {}
    charts_narrow: dict[str, str] = {}
    if with_charts:
        from perfmkt.render.charts import NARROW
        from perfmkt.render.charts import charts as draw

        names = {n: label(n) for n in CATALOG}
        charts = draw(report, words, names, fmt)
        # phones: CSS picks one
        charts_narrow = draw(report, words, names, fmt, NARROW)
    wow = report.week_over_week or {}
    result = report.campaigns.get("result") if report.campaigns else None
    return {
        "report": report,
        "L": words,
        "objective": OBJECTIVES.get(language, OBJECTIVES["en"])[report.objective],
        "kpi_label": label,
        "kinds": {n: m.kind for n, m in CATALOG.items()},
        "ratio_kpis": {n for n, m in CATALOG.items() if m.is_ratio},
        "volumes": set(volumes_needed([k.name for k in report.kpis])),
        "charts": charts,
        "charts_narrow": charts_narrow,
        "logo": _data_uri(report.branding.get("logo")),
        "agency": report.branding.get("agency") or None,
        "days": report.daily[-days:] if days > 0 else [],
        "coverage": coverage,
        "fmt": fmt,
        "bullets": {k.name: bullet(k) for k in report.kpis},
        "wow": {k["name"]: k.get("change") for k in wow.get("kpis", [])},
        "tone": tone,
        "cost_kpi": cost_per_result(result),
        "kpi_is_cost": lambda name: name in CATALOG and CATALOG[name].numerator == "spend",
        "alert_text": lambda a: alert_words(a, language, fmt, words, label)[0],
        "rule_text": lambda a: alert_words(a, language, fmt, words, label)[1],
        # alert kinds whose rule only restates the message ("Revenue is off track" / "revenue
        # off track"): their rule is not shown after it
        "restating": ("status", "no_result", "unplanned_spend"),
        "outlook": has_outlook(report),
        "chance_text": lambda k: chance_text(fmt, words, k),
        "immature": {d["date"]: fmt.maturity(d["maturity"]) for d in immature_days(report)},
        "late_days": late_days(report, fmt),
        "chart_notes": chart_notes(charts, late_days(report, fmt), words),
        "what_now": what_now(report, fmt, words, label),
        "lag_curves": lag_curves(report, fmt, words),
        "order_gap": order_gap(report, fmt, words, label),
        "paced_on": lambda name: paced_on(report, words, name),
    }


def late_days(report: Report, fmt: Formatter) -> str:
    """ "23/01 98%, 24/01 95%": the days whose results are still arriving and how far, as every
    view lists them; "" when none is."""
    return ", ".join(
        f"{fmt.day_month(d['date'])} {fmt.maturity(d['maturity'])}" for d in immature_days(report)
    )


def chart_notes(charts: dict[str, str], late: str, words: dict[str, str]) -> dict[str, str]:
    """The legend under each daily chart of a late-arriving result (its bars on the days still
    arriving are pale, drawn so by perfmkt.render.charts)."""
    if not late:
        return {}
    note = words["immature_bars"].format(days=late)
    return {key: note for key in charts if key.startswith("daily_") and key[6:] in RESULTS}


def sparkline(
    points: list[dict[str, Any]], name: str = "pace trend", width: int = 120, height: int = 28
) -> Markup:
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
        f'role="img" aria-label="{escape(name)}"><line x1="0" x2="{width}" y1="{y(1.0)}" '
        f'y2="{y(1.0)}" stroke="#adb5bd" stroke-dasharray="2 2"/><polyline points="{line}" '
        f'fill="none" stroke="currentColor" stroke-width="1.5"/></svg>'
    )


def _filters(
    env: jinja2.Environment,
    fmt: Formatter,
    words: dict[str, str],
    language: str,
    paths: Sequence[str] = (),
) -> None:
    filters: dict[str, Callable[..., Any]] = dict(
        # a file's platform as the reader says it ("shop orders": in the report's language)
        platform=lambda p: words.get(f"platform_{str(p).replace(' ', '_')}", p),
        money=fmt.money,
        count=fmt.count,
        pct=fmt.percent,
        pace=fmt.pace,
        date=fmt.date,
        day_month=fmt.day_month,
        value=lambda v, kind: fmt.value(kind, v),
        whole=lambda v, kind: fmt.money_whole(v) if kind == "money" else fmt.value(kind, v),
        planned=lambda v, kind, compact=False: fmt.planned(kind, v, compact),
        compact=lambda v, kind: fmt.value(kind, v, compact=True),
        signed=fmt.signed,
        status=lambda s: words.get(s, s),
        basename=lambda p: Path(str(p)).name,
        md=md_cell,
        sparkline=lambda points: sparkline(points, words["pace_trend"]),
        reason=lambda text: note_text(text, language, fmt, paths),
        css_string=css_string,
        span=lambda interval, kind: span(fmt, kind, interval),
        chance=fmt.chance,
    )
    # Jinja runs a filter on literal arguments ("on_track" | status) once, at compile time,
    # unless it takes the context; compiled templates are cached across reports, so one
    # report's language and currency would be baked into every report after it.
    env.filters.update({name: _per_report(f) for name, f in filters.items()})


def _per_report(func: Callable[..., Any]) -> Callable[..., Any]:
    @jinja2.pass_context
    def run(_context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return run


def render(report: Report, kind: str, days: int = 14, templates: Sequence[str | Path] = ()) -> str:
    """The report as ``html`` or ``md`` text, or ``email`` (the inline-styled HTML body)."""
    markdown = kind == "md"
    search = [*templates, *([report.templates] if report.templates else [])]
    env = environment(search, markdown=markdown)
    values = context(report, days, with_charts=kind == "html")
    paths = [f["path"] for f in report.notes.files]
    _filters(env, values["fmt"], values["L"], report.locale, paths)
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
    except (TypeError, ValueError, KeyError, AttributeError, UnicodeDecodeError) as exc:
        # A template that calls a filter wrongly, or a template file that is not UTF-8: an
        # agency's override's fault; Jinja's traceback names the template line. The same error
        # in perfmkt's own templates (or in no template line) is perfmkt's bug, and says so.
        where, line = _template_frame(exc, name)
        packaged = Path(where).resolve().is_relative_to(packaged_templates().resolve())
        if not isinstance(exc, UnicodeDecodeError) and (line is None or packaged):
            raise
        raise PerfmktError(
            f"template error: {type(exc).__name__}: {exc}", path=where, row=line
        ) from exc
    if markdown:  # one blank line between blocks, however the templates space them
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text


CSV_COLUMNS = (
    "scope",
    "name",
    "target_total",
    "expected_to_date",
    "actual_to_date",
    "pace",
    "projection",
    "required_daily",
    "status",
)
# Added after the original columns, so readers that take columns by position keep working.
CSV_EXTRA = ("level", "channel", "spend_share", "change_vs_last_week")
# Then the flight-end outlook (perfmkt.forecast): the chance to hit and the 80 % interval.
CSV_OUTLOOK = ("chance", "interval_low", "interval_high")


def _campaign_rows(report: Report) -> list[tuple[str, str, str, str, float | None, str, Any, Any]]:
    """The campaign breakdown in long form: per campaign (and the "others" row), one row per
    metric: (scope, name, kind, level, actual, channel, spend_share, change vs last week)."""
    block = report.campaigns or {}
    result, value = block.get("result"), block.get("value")
    cost = cost_per_result(result) or "cost_per_result"
    rows = []
    for r in block.get("rows", []):
        level = "others" if r.get("others") else "campaign"
        change = r.get("change") or {}
        metrics: list[tuple[str, str, float | None, float | None]] = [
            ("spend", "money", r["spend"], change.get("spend"))
        ]
        if result:
            kind = CATALOG[result].kind if result in CATALOG else "count"
            metrics.append((result, kind, r["result"], change.get("result")))
            metrics.append((cost, "money", r["cost_per_result"], change.get("cost_per_result")))
        if value:
            metrics.append((value, "money", r["value"], None))
            metrics.append(("roas", "ratio", r["roas"], None))
        for name, kind, amount, delta in metrics:
            rows.append(
                (r["name"], name, kind, level, amount, r["channel"], r["spend_share"], delta)
            )
    return rows


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The last template file and line in a rendering error's traceback (else the report's
    template name): Jinja maps its frames to the templates' own lines."""
    where, line = name, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".md", ".css")):
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def render_csv(report: Report) -> str:
    """KPI pacing as CSV, in long form: one row per KPI in total (``level`` total) and per
    channel with its own targets (``level`` channel), then the campaign breakdown: one row per
    campaign and metric (``level`` campaign, or ``others`` for the aggregated rest), its value
    in ``actual_to_date`` and its change vs the same days of last week. Numbers are rounded for
    what they are (money to the currency's minor unit, paces and shares to 6 significant
    digits); names cannot run as spreadsheet formulas. Each KPI row ends with its chance to
    hit and the 80 % interval of its flight-end value (empty where unknown)."""
    from perfmkt.serialize import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["as_of", *CSV_COLUMNS, *CSV_EXTRA, *CSV_OUTLOOK])
    day = report.as_of.isoformat()
    money = report.currency
    wow = {k["name"]: k.get("change") for k in (report.week_over_week or {}).get("kpis", [])}
    shares = {c["name"]: c.get("spend_share") for c in report.channels}
    paced = [("total", "", k) for k in report.kpis]
    paced += [("channel", c["name"], k) for c in report.channels for k in c.get("kpis") or []]
    for level, channel, k in paced:
        values = [
            csv_cell(getattr(k, c), "pace" if c == "pace" else k.kind, money)
            for c in CSV_COLUMNS[2:]
        ]
        share = shares.get(channel) if level == "channel" else None
        change = wow.get(k.name) if level == "total" else None
        scope = "total" if level == "total" else channel
        writer.writerow(
            [
                day,
                csv_cell(scope),
                csv_cell(k.name),
                *values,
                level,
                csv_cell(channel),
                csv_cell(share, "pace"),
                csv_cell(change, "pace"),
                csv_cell(k.chance, "pace"),
                *[csv_cell(end, k.kind, money) for end in k.projection_interval or (None, None)],
            ]
        )
    for scope, name, kind, level, amount, channel, share, change in _campaign_rows(report):
        writer.writerow(
            [
                day,
                csv_cell(scope),
                csv_cell(name),
                "",
                "",
                csv_cell(amount, kind, money),
                "",
                "",
                "",
                "",
                level,
                csv_cell(channel),
                csv_cell(share, "pace"),
                csv_cell(change, "pace"),
                "",
                "",
                "",
            ]
        )
    return out.getvalue()
