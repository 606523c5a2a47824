"""Read one export file: detect its platform from the header, normalise to unified facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA, MEASURES
from perfmkt.sources.base import ExportFormat
from perfmkt.sources.google_ads import GOOGLE_ADS
from perfmkt.sources.meta import META
from perfmkt.sources.parsing import (
    currency_from_header,
    decode,
    drop_totals_rows,
    head_lines,
    parse_dates,
    parse_numbers,
    read_table,
    split_fields,
)

FORMATS: dict[str, ExportFormat] = {f.platform: f for f in (GOOGLE_ADS, META)}

# Meta writes this single cell when the chosen period has no delivery.
NO_DATA_MARKERS = ("No data available.", "No data available")


@dataclass
class FileRead:
    """What reading one file produced, for the data notes."""

    path: str
    platform: str
    label: str
    detected_by: str
    rows_read: int
    mtime: float
    columns_used: dict[str, str]
    skipped: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None


def detect(lines: list[str], path: Path, forced: str | None) -> tuple[ExportFormat, int, str]:
    """Find the header line and the format whose signature it matches."""
    candidates = [FORMATS[forced]] if forced else list(FORMATS.values())
    for index, line in enumerate(lines):
        fields, delimiter = split_fields(line)
        for fmt in candidates:
            if fmt.matches(fields):
                return fmt, index, delimiter
    wanted = FORMATS[forced].label if forced else " or ".join(f.label for f in FORMATS.values())
    raise ExportError(
        f"unknown export shape: no {wanted} header in the first {len(lines)} lines",
        path=path,
        hint="download the report as CSV from the platform, or set `platform:` for this source",
    )


def _day_column(table: pl.DataFrame, header: list[str], fmt: ExportFormat, path: Path) -> str:
    """The column holding each row's day; period and lifetime exports are refused."""
    date_col = next((c for c in fmt.date_columns if c in header), None)
    if date_col is None:
        raise ExportError(
            "no day column: this export has period totals, pacing needs one row per day",
            path=path,
            hint=fmt.how_to_export_daily,
        )
    if date_col == "Reporting starts" and "Reporting ends" in header:
        multi_day = table.filter(pl.col("Reporting starts") != pl.col("Reporting ends"))
        if multi_day.height:
            raise ExportError(
                "rows cover several days (Reporting starts != Reporting ends): "
                "this is a period or lifetime export, pacing needs one row per day",
                path=path,
                row=multi_day["row"][0],
                column="Reporting ends",
                hint=fmt.how_to_export_daily,
            )
    return date_col


def read_export(
    path: Path, forced_platform: str | None = None, daily: bool = True
) -> tuple[pl.DataFrame, FileRead]:
    """Read ``path`` into the unified facts schema (see ``perfmkt.schema``).

    ``daily=False`` also accepts period exports (no day column; ``date`` is null), for
    looking at a file's totals; pacing always reads with ``daily=True``.
    """
    if forced_platform is not None and forced_platform not in FORMATS:
        raise ExportError(
            f"unknown platform {forced_platform!r}",
            path=path,
            hint=f"supported: {', '.join(FORMATS)}",
        )
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ExportError(f"cannot read the file: {exc.strerror}", path=path) from exc
    text = decode(raw, path)
    fmt, header_line, delimiter = detect(head_lines(text), path, forced_platform)
    table = read_table(text, header_line, delimiter, path)
    header = [c for c in table.columns if c != "row"]
    skipped: dict[str, int] = {}

    def skip(reason: str, keep: pl.Expr) -> None:
        nonlocal table
        kept = table.filter(keep)
        if table.height - kept.height:
            skipped[reason] = table.height - kept.height
        table = kept

    skip("'No data available.' marker", ~pl.col(header[0]).is_in(NO_DATA_MARKERS))
    before = table.height
    table = drop_totals_rows(table)
    if before - table.height:
        skipped["totals rows (never data: rows are summed instead)"] = before - table.height

    text_sources = {name: fmt.pick(header, name) for name in fmt.text_columns}
    campaign_col = text_sources.get("campaign")
    if campaign_col is None:
        raise ExportError("no campaign column", path=path, hint="export at campaign level or below")
    # An account-level row with no campaign name (Meta puts one first) is a total, not data.
    skip(
        "rows without a campaign name (account totals)",
        pl.col(campaign_col).is_not_null() & (pl.col(campaign_col).str.strip_chars() != ""),
    )

    columns_used: dict[str, str] = {}
    date_col = _day_column(table, header, fmt, path) if daily else None
    if date_col:
        columns_used["date"] = date_col

    measure_sources = {m: fmt.pick(header, m) for m in MEASURES}
    found = {m: src for m, src in measure_sources.items() if src is not None}
    if "spend" not in found:
        raise ExportError("no cost / amount spent column", path=path, hint=fmt.how_to_export_daily)
    table = parse_numbers(table, found, path)
    if date_col and table.height:
        dates = parse_dates(table, date_col, path)
    else:  # an empty file, or a period export read for its totals (``daily=False``)
        dates = pl.Series("date", [None] * table.height, dtype=pl.Date)
    columns_used.update({k: v for k, v in text_sources.items() if v})
    columns_used.update(found)

    currency_col = text_sources.get("currency")
    header_currency = currency_from_header(found["spend"])
    if currency_col:
        currency = pl.col(currency_col).str.strip_chars()
    else:
        currency = pl.lit(header_currency, dtype=pl.String)
        if header_currency:
            columns_used["currency"] = f"{found['spend']} (header)"

    def text_or_blank(name: str) -> pl.Expr:
        src = text_sources.get(name)
        return pl.col(src).str.strip_chars().fill_null("") if src else pl.lit("")

    facts = table.select(
        pl.Series("date", dates),
        pl.lit(fmt.platform).alias("platform"),
        text_or_blank("account").alias("account"),
        text_or_blank("campaign").alias("campaign"),
        text_or_blank("ad_group").alias("ad_group"),
        currency.alias("currency"),
        *[(pl.col(m) if m in found else pl.lit(None, dtype=pl.Float64)).alias(m) for m in MEASURES],
        pl.lit(str(path)).alias("source_file"),
        pl.col("row"),
    ).cast(FACTS_SCHEMA)  # type: ignore[arg-type]

    info = FileRead(
        path=str(path),
        platform=fmt.platform,
        label=fmt.label,
        detected_by=(
            "forced by the plan" if forced_platform else f"header on line {header_line + 1}"
        ),
        rows_read=facts.height,
        mtime=mtime,
        columns_used=columns_used,
        skipped=skipped,
        first_day=facts["date"].min() if facts.height else None,  # type: ignore[arg-type]
        last_day=facts["date"].max() if facts.height else None,  # type: ignore[arg-type]
    )
    return facts, info
