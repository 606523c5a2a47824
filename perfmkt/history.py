"""Day-by-day history of KPI pacing, kept beside the reports, so a report can show how the pace
moved.

One ``history.csv`` per report folder holds the rows of every plan writing there, each row
carrying its plan's client and campaign: a rerun of the same as-of day replaces that plan's
rows of that day and nothing else. Runs at the same time take turns (a lock on the folder
around read, merge and write), and a history that cannot be read is moved aside with a
warning instead of blocking every later report.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from perfmkt.errors import PerfmktError
from perfmkt.output import HISTORY, lock_within, write_atomic
from perfmkt.report import Report
from perfmkt.serialize import csv_cell, csv_text, round_number

SCHEMA: dict[str, pl.DataType] = {
    "as_of": pl.Date(),
    "client": pl.String(),
    "campaign": pl.String(),
    "scope": pl.String(),
    "kpi": pl.String(),
    "target_total": pl.Float64(),
    "expected_to_date": pl.Float64(),
    "actual_to_date": pl.Float64(),
    "pace": pl.Float64(),
    "status": pl.String(),
}
NUMBERS = ("target_total", "expected_to_date", "actual_to_date", "pace")
LOCK_WAIT = 60.0  # seconds another run may hold the folder's history


def snapshot(report: Report) -> pl.DataFrame:
    """This run's rows: every KPI in total and for each channel with its own targets, numbers
    rounded for what they are (money to the currency's minor unit, paces to 6 digits)."""
    rows: list[dict[str, Any]] = []
    scoped = [("total", k) for k in report.kpis]
    scoped += [(c["name"], k) for c in report.channels for k in c.get("kpis") or []]
    for scope, k in scoped:
        rows.append(
            {
                "as_of": report.as_of,
                # stored as written: text cells are made inert for spreadsheets
                "client": csv_text(report.client),
                "campaign": csv_text(report.campaign),
                "scope": csv_text(scope),
                "kpi": k.name,
                **{
                    n: round_number(getattr(k, n), k.kind, report.currency)
                    for n in ("target_total", "expected_to_date", "actual_to_date")
                },
                "pace": round_number(k.pace, "pace", report.currency),
                "status": k.status,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


def read(path: Path) -> tuple[pl.DataFrame, str | None]:
    """The history in ``path`` (empty when there is none) and, when it cannot be read, why.

    A history written before rows carried client and campaign is read with those empty: its
    rows are kept, and belong to no plan's trend."""
    empty = pl.DataFrame(schema=SCHEMA)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return empty, None
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        return empty, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    missing = [c for c in SCHEMA if c not in raw.columns and c not in ("client", "campaign")]
    if missing:
        return empty, f"no column {', '.join(missing)}"
    try:
        frame = raw.select(
            pl.col(c).str.to_date("%Y-%m-%d", strict=True)
            if t == pl.Date()
            else pl.col(c).cast(t, strict=True)
            if c in raw.columns
            else pl.lit("", pl.String).alias(c)
            for c, t in SCHEMA.items()
        )
    except pl.exceptions.PolarsError as exc:
        return empty, str(exc).splitlines()[0]
    if frame["as_of"].null_count() or frame["kpi"].null_count():
        return empty, "a row without an as-of day or a KPI"
    return frame.with_columns(pl.col("client", "campaign").fill_null("")), None


def merged(history: pl.DataFrame, today: pl.DataFrame) -> pl.DataFrame:
    """``history`` with ``today``'s plans' rows of ``today``'s as-of day replaced."""
    keys = today.select("client", "campaign", "as_of").unique()
    kept = history.join(keys, on=["client", "campaign", "as_of"], how="anti")
    return pl.concat([kept, today]).sort("client", "campaign", "as_of", "scope", "kpi")


def as_csv(history: pl.DataFrame) -> str:
    """The history as CSV: numbers as rounded when the rows were taken, text cells inert."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SCHEMA)
    for row in history.iter_rows():
        writer.writerow(csv_cell(v) for v in row)
    return out.getvalue()


def for_plan(history: pl.DataFrame, client: str, campaign: str) -> pl.DataFrame:
    return history.filter(
        (pl.col("client") == csv_text(client)) & (pl.col("campaign") == csv_text(campaign))
    )


def pace_trend(history: pl.DataFrame, scope: str = "total") -> dict[str, list[dict[str, Any]]]:
    """Pace by as-of day for each KPI of one scope, oldest first (pass one plan's rows)."""
    trend: dict[str, list[dict[str, Any]]] = {}
    rows = history.filter(pl.col("scope") == csv_text(scope)).sort("as_of")
    for row in rows.iter_rows(named=True):
        trend.setdefault(row["kpi"], []).append({"as_of": row["as_of"], "pace": row["pace"]})
    return trend


@contextlib.contextmanager
def locked(folder: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the folder's history for a read-merge-write: other runs wait their turn."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if not lock_within(fd, wait):
            raise PerfmktError(
                f"another run has held the history for {wait:g} s",
                path=folder / HISTORY,
                hint="is a perfmkt run stuck? the reports were written",
            )
        yield
    finally:
        os.close(fd)  # releases the lock


def update(path: Path, today: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """Merge ``today``'s rows into the history at ``path`` under the folder's lock; return the
    merged history and a warning when the old file could not be read and was moved aside."""
    with locked(path.parent):
        history, problem = read(path)
        warning = None
        if problem is not None:
            aside = set_aside(path)
            warning = (
                f"{path}: the history cannot be read ({problem}); moved aside to "
                f"{aside.name}, a new history starts"
            )
        result = merged(history, today)
        write_atomic(path, as_csv(result), durable=True)
    return result, warning


def set_aside(path: Path) -> Path:
    """Rename a damaged history to ``history.csv.damaged-<stamp>`` (never over another one)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.replace(path, aside)
    return aside
