"""Day-by-day history of KPI pacing, kept beside the reports, so a report can show how the pace
moved. A rerun of the same as-of day replaces that day's rows; it never duplicates them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from perfmkt.errors import PerfmktError
from perfmkt.report import Report

SCHEMA: dict[str, pl.DataType] = {
    "as_of": pl.Date(),
    "scope": pl.String(),
    "kpi": pl.String(),
    "target_total": pl.Float64(),
    "expected_to_date": pl.Float64(),
    "actual_to_date": pl.Float64(),
    "pace": pl.Float64(),
    "status": pl.String(),
}
FILE_NAME = "history.csv"


def snapshot(report: Report) -> pl.DataFrame:
    """This run's rows: every KPI in total and for each channel with its own targets."""
    rows: list[dict[str, Any]] = []
    scoped = [("total", k) for k in report.kpis]
    scoped += [(c["name"], k) for c in report.channels for k in c.get("kpis") or []]
    for scope, k in scoped:
        rows.append(
            {
                "as_of": report.as_of,
                "scope": scope,
                "kpi": k.name,
                "target_total": k.target_total,
                "expected_to_date": k.expected_to_date,
                "actual_to_date": k.actual_to_date,
                "pace": k.pace,
                "status": k.status,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


def read(path: Path) -> pl.DataFrame:
    if not path.is_file():
        return pl.DataFrame(schema=SCHEMA)
    try:
        return pl.read_csv(path, schema=SCHEMA)
    except pl.exceptions.PolarsError as exc:
        message = str(exc).splitlines()[0]
        raise PerfmktError(
            f"the history file cannot be read: {message}",
            path=path,
            hint="move it aside; the next run starts a new one",
        ) from exc


def merged(history: pl.DataFrame, today: pl.DataFrame) -> pl.DataFrame:
    """``history`` with ``today``'s as-of day replaced by ``today``'s rows."""
    days = today["as_of"].unique()
    kept = history.filter(~pl.col("as_of").is_in(days.implode()))
    return pl.concat([kept, today]).sort("as_of", "scope", "kpi")


def as_csv(history: pl.DataFrame) -> str:
    return history.write_csv()


def pace_trend(history: pl.DataFrame, scope: str = "total") -> dict[str, list[dict[str, Any]]]:
    """Pace by as-of day for each KPI of one scope, oldest first."""
    trend: dict[str, list[dict[str, Any]]] = {}
    rows = history.filter(pl.col("scope") == scope).sort("as_of")
    for row in rows.iter_rows(named=True):
        trend.setdefault(row["kpi"], []).append({"as_of": row["as_of"], "pace": row["pace"]})
    return trend
