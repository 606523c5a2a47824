"""Sources beyond CSV files: Parquet files and SQL queries (PostgreSQL and anything polars'
database readers reach, or a DuckDB file), so the heavy scan runs where the data lives and
perfmkt paces the daily aggregates it gets back.

A query or Parquet file gives rows with the unified facts names (``date``, ``platform``,
``campaign``, ``spend``, and any of the other measures); a ``columns:`` map renames others.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA, MEASURES
from perfmkt.sources.base import QueryOptions, ReadOptions
from perfmkt.sources.reader import FileRead

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
    return facts, _info(facts, str(path), "Parquet file", mtime)


def read_query(options: QueryOptions) -> tuple[pl.DataFrame, FileRead]:
    """Run the source's query where its data lives."""
    uri, label = options.uri, options.label
    try:
        if uri.startswith("duckdb:"):
            import duckdb

            database = uri.removeprefix("duckdb:").removeprefix("//")
            with (
                duckdb.connect(database or ":memory:", read_only=bool(database)) as con,
                tempfile.TemporaryDirectory() as folder,
            ):
                # Through a Parquet file: no Arrow library needed between DuckDB and polars.
                result = Path(folder) / "result.parquet"
                con.execute(f"COPY ({options.query}) TO '{result}' (FORMAT parquet)")
                frame = pl.read_parquet(result)
        else:
            frame = pl.read_database_uri(options.query, uri)
    except ImportError as exc:
        raise ExportError(
            f"the {uri.split(':')[0]} reader is not installed ({exc})",
            path=label,
            hint="pip install 'perfmkt[warehouse]' (DuckDB, connectorx and pyarrow)",
        ) from exc
    except Exception as exc:  # drivers raise their own types: one clear line for all of them
        raise ExportError(f"the query failed: {str(exc).splitlines()[0]}", path=label) from exc
    facts = to_facts(frame, label, options.columns)
    return facts, _info(facts, label, "SQL query", 0.0)
