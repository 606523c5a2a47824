"""perfmkt as a library: the calls behind ``perfmkt report`` and ``perfmkt inspect``.

Use them from the package (``import perfmkt``)::

    report = perfmkt.report("configs/demo.yaml", as_of="2026-01-31")
    report.kpis[0].pace                      # the spend's pace, 0.9958…
    perfmkt.kpi_frame(report)                # KPI pacing as a polars DataFrame
    perfmkt.render(report, "html")           # the client report, as the CLI writes it

Every call raises the CLI's errors (``PlanError``, ``ExportError``, ``DataError``, all
``PerfmktError``) with the same one-line message, and never exits. A wrong argument (an
``as_of`` that is not a date, an unknown format) is a ``ValueError`` or ``TypeError``.

Where paths are found: a plan *file*'s sources, logo, templates and previous plan are relative
to the file's folder, as with the CLI. A ``Plan`` *object* (``perfmkt.load_plan`` or
``Plan.model_validate({...})``) does not remember a file: its relative paths are relative to
``base_dir``, by default the current working directory.

``perfmkt.report`` and ``perfmkt.render`` are these functions; the modules of the same names
are imported by their full names (``from perfmkt.report import Report``).

Nothing heavy is imported with this module: polars, pydantic and the rest load when a call needs
them, so ``import perfmkt`` and ``perfmkt --help`` stay fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from perfmkt.errors import PerfmktError, PlanError

if TYPE_CHECKING:
    import polars as pl

    from perfmkt.plan import Plan
    from perfmkt.report import Report

__all__ = [
    "FORMATS",
    "PLAN_LABEL",
    "ExportWarning",
    "kpi_frame",
    "load_plan",
    "read_export",
    "render",
    "report",
]

StrPath = str | os.PathLike[str]
# What render() writes: text formats as str, the PDF as bytes.
TextFormat = Literal["html", "md", "json", "csv", "text"]
FORMATS: tuple[str, ...] = ("html", "md", "json", "csv", "text", "pdf")
TEXT_WIDTH = 160  # the terminal view as text (render "text", perfmkt report -o x.txt)
# How errors name a plan that is an object, not a file: "<plan>: timeline[0]: …".
PLAN_LABEL = "<plan>"


class ExportWarning(UserWarning):
    """Something in an export worth a look that did not stop the read (``read_export``): the
    same lines ``perfmkt inspect`` lists as warnings."""


def load_plan(path: StrPath) -> Plan:
    """Read and validate a plan file, as ``perfmkt validate`` does before reading exports.

    Raises ``PlanError`` naming the file and line (``str(err)``), with every problem found in
    ``err.problems``. The plan's relative paths stay as written: pass the plan file itself to
    ``report()``, or ``base_dir=`` its folder with the ``Plan``.
    """
    from perfmkt.plan import load_plan as load

    return load(_path(path, "path"))


def report(
    plan: Plan | StrPath,
    as_of: date | str | None = None,
    *,
    base_dir: StrPath | None = None,
    lang: str | None = None,
    cache: bool = True,
) -> Report:
    """Pace a plan against its exports: the ``Report`` every output is rendered from.

    ``plan``: a plan file (str or path), or a ``Plan`` whose relative paths are relative to
    ``base_dir`` (default: the current working directory; ``base_dir`` is refused with a file,
    whose paths are relative to its folder). ``as_of``: the last complete day to pace, a
    ``date`` or ``"YYYY-MM-DD"`` (default: the latest day in the data, capped at yesterday in
    the plan's time zone and the flight end). ``lang``: ``"vi"`` or ``"en"`` for the report's
    words (default: the plan's ``locale:``). ``cache``: reuse parsed exports from perfmkt's
    cache folder, as the CLI does.
    """
    day = _as_date(as_of)
    if lang not in (None, "vi", "en"):
        raise ValueError(f"lang={lang!r}: choose 'vi' or 'en'")
    _flag(cache, "cache")
    from perfmkt.plan import Plan as PlanModel
    from perfmkt.report import report_from_plan_file

    if isinstance(plan, PlanModel):
        base = _path(base_dir, "base_dir") if base_dir is not None else Path.cwd()
        # A path no file has: relative paths resolve in base, errors name it and are relabelled.
        where = base.absolute() / PLAN_LABEL
        try:
            _check(plan, where)
            if lang:
                plan = plan.model_copy(update={"locale": lang})
            return report_from_plan_file(where, as_of=day, cache=cache, plan=plan)
        except PerfmktError as err:
            _relabel(err, where)
            raise
    if not isinstance(plan, str | os.PathLike):
        raise TypeError(f"plan: a Plan or a plan file's path, not {type(plan).__name__}")
    if base_dir is not None:
        raise ValueError("base_dir is for a Plan object: a plan file's paths are relative to it")
    path = Path(plan)
    loaded = None
    if lang:
        loaded = load_plan(path).model_copy(update={"locale": lang})
    return report_from_plan_file(path, as_of=day, cache=cache, plan=loaded)


def read_export(path: StrPath, *, platform: str | None = None, daily: bool = True) -> pl.DataFrame:
    """One ad-platform export as a polars DataFrame of unified facts (``perfmkt.schema``: date,
    platform, account, campaign, campaign_id, ad_group, currency, spend, impressions, clicks,
    conversions, conversion_value…, with ``source_file`` and ``row``), one row per line kept.

    The platform is detected from the header unless ``platform`` names it (``google_ads``,
    ``meta``, ``tiktok``, ``linkedin``, ``microsoft_ads``). A file that cannot be read as given
    raises ``ExportError`` naming the file, row and column; an export of period totals raises
    ``NotDailyError`` unless ``daily=False`` (its ``date`` is then null). What was read but is
    worth a look is issued as an ``ExportWarning`` (``warnings`` module).
    """
    import warnings

    from perfmkt.sources.base import ReadOptions
    from perfmkt.sources.reader import read_export as read

    if platform is not None and not isinstance(platform, str):
        raise TypeError(f"platform: a platform's name (str), not {type(platform).__name__}")
    _flag(daily, "daily")
    frame, info = read(_path(path, "path"), ReadOptions(platform=platform), daily=daily)
    for line in info.warnings:
        warnings.warn(f"{info.path}: {line}", ExportWarning, stacklevel=2)
    return frame


# KpiPace fields, in kpi_frame's column order (projection_interval becomes low/high).
_KPI_COLUMNS = (
    "name",
    "label",
    "direction",
    "kind",
    "target_total",
    "expected_to_date",
    "actual_to_date",
    "pace",
    "projection",
    "projection_pace",
    "required_daily",
    "status",
    "chance",
)


def kpi_frame(report: Report, *, channels: bool = False) -> pl.DataFrame:
    """KPI pacing as a polars DataFrame, one row per KPI of the flight (``report.kpis``), with
    ``projection_interval`` as ``projection_low``/``projection_high``. Values are unrounded
    (the JSON and CSV outputs round them). ``channels=True`` adds a row per KPI of each channel
    that has its own targets, and a first column ``channel`` (null for the flight's total)."""
    import polars as pl

    _a_report(report)
    _flag(channels, "channels")
    paced: list[tuple[str | None, object]] = [(None, k) for k in report.kpis]
    if channels:
        paced += [(c["name"], k) for c in report.channels for k in c.get("kpis") or []]
    rows = []
    for channel, kpi in paced:
        row = {name: getattr(kpi, name) for name in _KPI_COLUMNS}
        interval = getattr(kpi, "projection_interval", None)
        row["projection_low"], row["projection_high"] = interval or (None, None)
        rows.append({"channel": channel, **row} if channels else row)
    text = ("name", "label", "direction", "kind", "status")
    schema: dict[str, pl.DataType] = {
        name: pl.String() if name in text else pl.Float64()
        for name in (*_KPI_COLUMNS, "projection_low", "projection_high")
    }
    if channels:
        schema = {"channel": pl.String(), **schema}
    return pl.DataFrame(rows, schema=schema)


@overload
def render(
    report: Report,
    fmt: TextFormat,
    *,
    days: int = 14,
    templates: StrPath | None = None,
) -> str: ...
@overload
def render(
    report: Report,
    fmt: Literal["pdf"],
    *,
    days: int = 14,
    templates: StrPath | None = None,
) -> bytes: ...
@overload
def render(
    report: Report,
    fmt: str,
    *,
    days: int = 14,
    templates: StrPath | None = None,
) -> str | bytes: ...
def render(
    report: Report,
    fmt: str,
    *,
    days: int = 14,
    templates: StrPath | None = None,
) -> str | bytes:
    """The report as ``perfmkt report -f FMT`` writes it: ``html`` (the client report), ``md``,
    ``json`` (the machine-readable contract), ``csv`` (KPI pacing, long form), ``text`` (the
    terminal view, 160 columns, no colour) as str; ``pdf`` as bytes (printed with Chromium).
    ``days``: days in the daily table; ``templates``: a folder of templates overriding the
    packaged ones (white label)."""
    _a_report(report)
    if not isinstance(fmt, str):
        raise TypeError(f"fmt: a format's name (str), not {type(fmt).__name__}")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose from {', '.join(FORMATS)}")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days: a whole number of days (int), not {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days={days}: the days in the daily table, 0 or more")
    folder = _path(templates, "templates") if templates is not None else None
    if folder is not None and not folder.is_dir():
        raise ValueError(f"templates={str(folder)!r} is not a folder")
    if fmt == "text":
        from perfmkt.render.terminal import render as terminal

        return _as_text(terminal(report, days, TEXT_WIDTH))
    if fmt == "json":
        from perfmkt.render.json import to_json

        return to_json(report)
    from perfmkt.render import documents

    extra = [folder] if folder is not None else []
    if fmt == "csv":
        return documents.render_csv(report)
    if fmt == "pdf":
        return documents.html_to_pdf(documents.render(report, "html", days, extra))
    return documents.render(report, fmt, days, extra)


def _as_text(parts: Sequence[object]) -> str:
    """Rich renderables as plain text, TEXT_WIDTH wide."""
    import io

    from rich.console import Console

    from perfmkt.render.terminal import THEME

    recorder = Console(record=True, width=TEXT_WIDTH, theme=THEME, file=io.StringIO())
    for part in parts:
        recorder.print(part)
        recorder.print()
    return recorder.export_text()


def _path(value: object, name: str) -> Path:
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise TypeError(f"{name}: a path (str or os.PathLike), not {type(value).__name__}")


def _flag(value: object, name: str) -> None:
    if not isinstance(value, bool):  # cache="no" would be true
        raise TypeError(f"{name}: True or False, not {value!r}")


def _a_report(value: object) -> None:
    from perfmkt.report import Report

    if not isinstance(value, Report):
        raise TypeError(
            f"report: a perfmkt.Report (from perfmkt.report), not {type(value).__name__}"
        )


def _as_date(value: date | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a datetime is a date too; its day is the one meant
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"as_of={value!r} is not a date like 2026-02-03") from None
    raise TypeError(f"as_of: a date or 'YYYY-MM-DD', not {type(value).__name__}")


def _check(plan: Plan, where: Path) -> None:
    """What ``load_plan`` checks beyond the model (the timeline inside the flight, the logo a
    small image…), for a Plan built in code."""
    from perfmkt.plan import _file_checks, cross_checks
    from perfmkt.plan_yaml import loc_text, raise_problems

    found = [*cross_checks(plan), *_file_checks(plan, where.parent)]
    if found:
        raise_problems(where, [(1, f"{loc_text(loc)}: {message}") for loc, message in found])


def _relabel(err: PerfmktError, where: Path) -> None:
    """An error naming the stand-in path of a Plan object names ``<plan>`` instead, without the
    line number no file has: ``<plan>: sources[0].path: 'x.csv' matches no file (looked in
    /work)``."""
    if err.path != str(where):
        return
    err.path, err.row = PLAN_LABEL, None
    # `perfmkt validate` reads files; an object's problems are all in err.problems.
    err.message = re.sub(r"more: run `perfmkt validate`", "more in .problems", err.message)
    err.args = (err.format(),)
    if isinstance(err, PlanError):
        stand_in = re.compile(re.escape(str(where)) + r"(:\d+)?: ")
        err.problems = [stand_in.sub(f"{PLAN_LABEL}: ", p, count=1) for p in err.problems]
