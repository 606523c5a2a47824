"""Sources beyond CSV files: Parquet files, SQL queries (PostgreSQL and anything polars'
database readers reach, or a DuckDB file) and warehouse tables perfmkt queries itself
(``warehouse:``, see perfmkt.sources.warehouse_sql), so the heavy scan runs where the data lives
and perfmkt paces the daily aggregates it gets back.

A query or Parquet file gives rows with the unified facts names (``date``, ``platform``,
``campaign``, ``spend``, and any of the other measures); a ``columns:`` map renames others.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA, MEASURES
from perfmkt.sources.base import QueryOptions, ReadOptions, WarehouseOptions
from perfmkt.sources.parsing import shown
from perfmkt.sources.reader import NON_NEGATIVE, FileRead

if TYPE_CHECKING:
    from perfmkt.sources.warehouse_sql import ColumnKind

REQUIRED = ("date", "platform", "campaign", "spend")


def to_facts(frame: pl.DataFrame, label: str, columns: dict[str, str]) -> pl.DataFrame:
    """Rows with unified names -> the facts schema; a missing required column is an error."""
    if columns:
        frame = frame.rename({src: name for name, src in columns.items() if src in frame.columns})
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ExportError(
            f"no {', '.join(missing)} column in the result (found: "
            f"{', '.join(frame.columns[:12])})",
            path=label,
            hint="name the columns date, platform, campaign, spend… or map them with columns:",
        )
    try:
        out = frame.with_row_index("row", offset=1).select(
            pl.col("date").cast(pl.Date),
            *[
                (pl.col(c).cast(pl.String) if c in frame.columns else pl.lit("")).alias(c)
                for c in ("platform", "account", "campaign", "ad_group")
            ],
            (
                pl.col("campaign_id").cast(pl.String)
                if "campaign_id" in frame.columns
                else pl.lit(None, dtype=pl.String)
            ).alias("campaign_id"),
            (
                pl.col("currency").cast(pl.String)
                if "currency" in frame.columns
                else pl.lit(None, dtype=pl.String)
            ).alias("currency"),
            *[
                (
                    pl.col(m).cast(pl.Float64)
                    if m in frame.columns
                    else pl.lit(None, dtype=pl.Float64)
                ).alias(m)
                for m in MEASURES
            ],
            pl.lit(label).alias("source_file"),
            pl.col("row").cast(pl.Int64),
        )
    except pl.exceptions.PolarsError as exc:
        raise ExportError(
            f"cannot read the result as daily facts: {str(exc).splitlines()[0]}", path=label
        ) from exc
    return out.select(list(FACTS_SCHEMA)).cast(FACTS_SCHEMA)  # type: ignore[arg-type]


def _info(facts: pl.DataFrame, label: str, kind: str, mtime: float) -> FileRead:
    platforms = sorted(set(facts["platform"].to_list()))
    return FileRead(
        path=label,
        platform=", ".join(platforms) or kind,
        label=kind,
        detected_by=kind,
        encoding="—",
        level="daily aggregates",
        rows_read=facts.height,
        mtime=mtime,
        columns_used={},
        number_format="—",
        first_day=facts["date"].min() if facts.height else None,  # type: ignore[arg-type]
        last_day=facts["date"].max() if facts.height else None,  # type: ignore[arg-type]
    )


def read_parquet(path: Path, options: ReadOptions) -> tuple[pl.DataFrame, FileRead]:
    try:
        frame = pl.read_parquet(path)
        mtime = path.stat().st_mtime
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ExportError(f"cannot read the Parquet file: {exc}", path=path) from exc
    facts = to_facts(frame, str(path), options.columns)
    _check_amounts(facts, str(path), options.columns)
    return facts, _info(facts, str(path), "Parquet file", mtime)


# What to install for a dialect whose reader is missing.
DRIVERS = {
    "duckdb": "pip install 'perfmkt[warehouse]' (DuckDB, connectorx and pyarrow)",
    "postgres": "pip install 'perfmkt[warehouse]' (DuckDB, connectorx and pyarrow)",
    "bigquery": "pip install 'perfmkt[warehouse]' (connectorx reads BigQuery)",
    "clickhouse": "pip install 'perfmkt[warehouse]' (connectorx reads ClickHouse)",
    "snowflake": "pip install snowflake-sqlalchemy",
    "trino": "pip install 'trino[sqlalchemy]'",
}


def _duckdb(uri: str, query: str) -> pl.DataFrame:
    import duckdb

    database = uri.removeprefix("duckdb:").removeprefix("//")
    with (
        duckdb.connect(database or ":memory:", read_only=bool(database)) as con,
        tempfile.TemporaryDirectory() as folder,
    ):
        # Through a Parquet file: no Arrow library needed between DuckDB and polars.
        result = Path(folder) / "result.parquet"
        con.execute(f"COPY ({query}) TO '{result}' (FORMAT parquet)")
        return pl.read_parquet(result)


def _sqlalchemy(uri: str, query: str) -> pl.DataFrame:
    """Snowflake and Trino, which connectorx does not reach, through their SQLAlchemy
    dialects."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(uri)
    except sqlalchemy.exc.NoSuchModuleError as exc:
        raise ImportError(str(exc)) from exc
    with engine.connect() as con:
        return pl.read_database(query, con)


def fetch(uri: str, query: str, label: str, dialect: str | None = None) -> pl.DataFrame:
    """Run ``query`` where the data lives; a missing driver or a failing query is one line."""
    scheme = uri.split(":")[0]
    dialect = dialect or scheme
    try:
        if dialect == "duckdb":
            return _duckdb(uri, query)
        if dialect in ("snowflake", "trino"):
            return _sqlalchemy(uri, query)
        return pl.read_database_uri(query, uri)
    except ImportError as exc:
        raise ExportError(
            f"the {dialect} reader is not installed ({str(exc).splitlines()[0]})",
            path=label,
            hint=DRIVERS.get(dialect, DRIVERS["postgres"]),
        ) from exc
    except Exception as exc:  # drivers raise their own types: one clear line for all of them
        raise ExportError(f"the query failed: {str(exc).splitlines()[0]}", path=label) from exc


def read_query(options: QueryOptions) -> tuple[pl.DataFrame, FileRead]:
    """Run the source's query where its data lives."""
    frame = fetch(options.uri, options.query, options.label)
    facts = to_facts(frame, options.label, options.columns)
    _check_amounts(facts, options.label, options.columns)
    return facts, _info(facts, options.label, "SQL query", 0.0)


def _kinds(frame: pl.DataFrame) -> dict[str, ColumnKind]:
    """Each column's kind, from the schema of a result with no rows."""
    named: dict[type[pl.DataType], ColumnKind] = {
        pl.Date: "date",
        pl.Datetime: "datetime",
        pl.String: "text",
    }
    return {name: named.get(dtype.base_type(), "other") for name, dtype in frame.schema.items()}


def _check_amounts(facts: pl.DataFrame, label: str, columns: dict[str, str]) -> None:
    """A campaign-day's amount that is not a finite number (``inf``, ``NaN``), or spend,
    impressions, clicks… below zero, is an error, as in an export (perfmkt.sources.parsing's
    and reader's rules): summing it would hide real spend. ``columns``: field -> the column
    that fed it, to name in the error."""

    def bad(measure: str) -> pl.Expr:
        wrong = ~pl.col(measure).is_finite()
        if measure in NON_NEGATIVE:
            wrong = wrong | (pl.col(measure) < 0)
        return wrong.fill_null(False)

    flags = facts.select(bad(m).any().alias(m) for m in MEASURES).row(0, named=True)
    for measure in (m for m in MEASURES if flags[m]):
        first = facts.filter(bad(measure)).row(0, named=True)
        value = first[measure]
        expected = f"{measure} of 0 or more" if math.isfinite(value) else "a finite number"
        raise ExportError(
            f"expected {expected}, found {shown(value)} for {first['campaign']!r} on "
            f"{first['date']}",
            path=label,
            column=columns.get(measure, measure),
        )


def read_warehouse(options: WarehouseOptions) -> tuple[pl.DataFrame, FileRead]:
    """The table summed to campaign-days where it lives (perfmkt.sources.warehouse_sql): one
    query for its columns (no rows), one for the campaign-days."""
    from perfmkt.sources import warehouse_sql

    label, dialect = options.label, options.dialect
    probe = warehouse_sql.probe(options).sql(dialect=dialect)
    columns = _kinds(fetch(options.uri, probe, label, dialect))
    try:
        query = warehouse_sql.build(options, columns)
    except warehouse_sql.TextColumn as text:
        raise ExportError(
            f"the table's column {text.column!r} holds text, expected numbers for {text.field}",
            path=label,
            column=text.column,
            hint="cast it to a number in a view, or map another column with columns:",
        ) from None
    except warehouse_sql.MissingColumn as missing:
        raise ExportError(
            f"the table {options.table} has no column {missing.column!r}, expected for "
            f"{missing.field} (found: {', '.join(list(columns)[:15]) or 'no columns'})",
            path=label,
            hint=f"map it with columns: {{{missing.field}: <column>}}"
            + (" or use layout: facts" if options.layout == "ad_reporting" else ""),
        ) from None
    fetched_at = time.time()  # the data's moment, as a download's modification time is
    frame = fetch(options.uri, query.sql(dialect), label, dialect)
    # The query groups by day, platform, account, currency and campaign id (or the name where
    # the id is null): a repeated key means raw rows came back, never to be paced.
    keys: list[str] = [k for k in ("date", "platform", "account", "currency") if k in frame.columns]
    if "campaign_id" in frame.columns:
        keys += ["campaign_id", "name_without_id"]
        frame_keys = frame.with_columns(
            pl.when(pl.col("campaign_id").is_null())
            .then(pl.col("campaign"))
            .alias("name_without_id")
        )
    else:
        keys.append("campaign")
        frame_keys = frame
    if frame.height and frame_keys.select(keys).is_duplicated().any():
        raise ExportError("the warehouse returned rows that are not campaign-days", path=label)
    names = warehouse_sql.platform_names(options)
    frame = frame.with_columns(
        pl.col("platform").cast(pl.String).replace(names),
        *(
            [pl.lit(options.currency).alias("currency")]
            if "currency" not in frame.columns and options.currency
            else []
        ),
    )
    facts = to_facts(frame, label, {})
    _check_amounts(facts, label, query.used)
    info = _info(facts, label, f"warehouse table ({options.layout})", fetched_at)
    info.level = f"campaign-days summed in the warehouse: {facts.height:,} rows fetched"
    info.columns_used = {f: c for f, c in query.used.items() if f in MEASURES}
    if query.absent:
        info.warnings.append(
            f"the table has no column for {', '.join(query.absent)}: left empty "
            "(map one with columns:)"
        )
    return facts, info
