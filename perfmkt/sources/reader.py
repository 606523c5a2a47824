"""Read one export file: detect its platform from the header, normalise to unified facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA, MEASURES
from perfmkt.sources.base import ExportFormat, ReadOptions
from perfmkt.sources.google_ads import GOOGLE_ADS
from perfmkt.sources.linkedin import LINKEDIN
from perfmkt.sources.meta import META, RESULT_MEASURES
from perfmkt.sources.microsoft_ads import MICROSOFT_ADS
from perfmkt.sources.parsing import (
    currency_from_header,
    detect_number_format,
    drop_totals_rows,
    load_text,
    parse_dates,
    parse_numbers,
    plain_columns,
    read_table,
    split_fields,
)
from perfmkt.sources.tiktok import TIKTOK

# Detection order: the most specific signatures first.
FORMATS: dict[str, ExportFormat] = {
    f.platform: f for f in (META, MICROSOFT_ADS, LINKEDIN, TIKTOK, GOOGLE_ADS)
}

# Meta writes this single cell when the chosen period has no delivery.
NO_DATA_MARKERS = ("No data available.", "No data available")


@dataclass
class FileRead:
    """What reading one file produced, for the data notes and ``perfmkt inspect``."""

    path: str
    platform: str
    label: str
    detected_by: str
    encoding: str
    level: str
    rows_read: int
    mtime: float
    columns_used: dict[str, str]
    number_format: str
    skipped: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    attribution: list[str] = field(default_factory=list)


def _custom_format(options: ReadOptions) -> ExportFormat:
    """A reader made from the plan's ``columns:`` map, for any other CSV."""
    wanted = set(options.columns.values())
    return ExportFormat(
        platform=options.platform or "custom",
        label="export mapped by the plan's columns:",
        matches=lambda header: wanted <= set(header),
        columns={name: (header,) for name, header in options.columns.items()},
    )


def detect(lines: list[str], path: Path, options: ReadOptions) -> tuple[ExportFormat, int, str]:
    """Find the header line and the format whose signature it matches."""
    if options.platform in FORMATS:
        candidates = [FORMATS[options.platform]]
    elif options.columns:
        candidates = [_custom_format(options)]
    else:
        candidates = list(FORMATS.values())
    for index, line in enumerate(lines):
        fields, delimiter = split_fields(line)
        for fmt in candidates:
            if fmt.matches(fields):
                return fmt, index, delimiter
    if options.columns:
        missing = sorted(set(options.columns.values()) - set(split_fields(lines[0])[0]))
        raise ExportError(
            f"the plan's columns: map names headers this file does not have: {missing}",
            path=path,
        )
    found = max((split_fields(line)[0] for line in lines), key=len, default=[])
    wanted = candidates[0].label if options.platform else "known ad-platform"
    raise ExportError(
        f"unknown export shape: no {wanted} header in the first {len(lines)} lines; "
        f"columns found: {', '.join(found[:12])}",
        path=path,
        hint='map them in the plan: columns: {date: "…", campaign: "…", spend: "…"}',
    )


def _positions(fmt: ExportFormat, header_line: str) -> list[int]:
    """Positions of the columns worth reading: every one the format can use (twins of a
    repeated header included, to be compared), and the first three, where totals rows say so."""
    names = split_fields(header_line)[0]
    wanted = {fmt.pick(names, field) for field in (*fmt.columns, *fmt.prefixes)} - {None}
    return [i for i, name in enumerate(names) if i < 3 or name in wanted]


def _day_column(table: pl.DataFrame, header: list[str], fmt: ExportFormat, path: Path) -> str:
    """The column holding each row's day; period and lifetime exports are refused."""
    date_col = fmt.pick(header, "date")
    if date_col is None:
        raise ExportError(
            "no day column: this export has period totals, pacing needs one row per day",
            path=path,
            hint=fmt.how_to_export_daily,
        )
    end_col = fmt.pick(header, "date_end")
    # A row whose day is its reporting range start must cover one day (a `Day` breakdown
    # column instead leaves the range columns holding the whole export's period).
    if end_col and date_col == fmt.pick(header, "date_start"):
        multi_day = table.filter(pl.col(date_col) != pl.col(end_col))
        if multi_day.height:
            raise ExportError(
                f"rows cover several days ({date_col} != {end_col}): this is a period or "
                "lifetime export, pacing needs one row per day",
                path=path,
                row=multi_day["row"][0],
                column=end_col,
                hint=fmt.how_to_export_daily,
            )
    return date_col


def _check_duplicate(table: pl.DataFrame, column: str, path: Path) -> None:
    """A header that appears twice is used only if both columns agree: never the wrong one."""
    twins = [c for c in table.columns if re.fullmatch(rf"{re.escape(column)}_duplicated_\d+", c)]
    for twin in twins:
        differ = table.filter(pl.col(column).fill_null("") != pl.col(twin).fill_null(""))
        if differ.height:
            raise ExportError(
                f"the header {column!r} appears twice with different values "
                f"({differ[column][0]!r} vs {differ[twin][0]!r})",
                path=path,
                row=differ["row"][0],
                column=column,
                hint=f"rename one of them, or map the right one with columns: {{…: {column!r}}}",
            )


def _results_by_indicator(
    table: pl.DataFrame, fmt: ExportFormat, header: list[str], found: dict[str, str]
) -> dict[str, pl.Expr]:
    """Meta's ``Results`` counted as orders or leads only where its indicator says so, and
    only when the export has no dedicated column for that measure."""
    results, indicator = fmt.pick(header, "results"), fmt.pick(header, "result_indicator")
    if not results or not indicator:
        return {}
    exprs = {}
    for measure, keywords in RESULT_MEASURES.items():
        if measure in found:
            continue
        pattern = "|".join(keywords)
        is_kind = pl.col(indicator).fill_null("").str.to_lowercase().str.contains(pattern)
        if table.select(is_kind.any()).item():
            exprs[measure] = pl.when(is_kind).then(pl.col("_results")).otherwise(None)
    return exprs


def read_export(
    path: Path, options: ReadOptions | None = None, daily: bool = True
) -> tuple[pl.DataFrame, FileRead]:
    """Read ``path`` into the unified facts schema (see ``perfmkt.schema``).

    ``daily=False`` also accepts period exports (no day column; ``date`` is null), for
    ``perfmkt inspect``; pacing always reads with ``daily=True``.
    """
    options = options or ReadOptions()
    if options.platform is not None and options.platform not in FORMATS and not options.columns:
        raise ExportError(
            f"unknown platform {options.platform!r}",
            path=path,
            hint=f"supported: {', '.join(sorted(FORMATS))}, or map columns with columns:",
        )
    loaded = load_text(path)
    encoding, lines, mtime = loaded.encoding, loaded.lines, loaded.mtime
    fmt, header_line, delimiter = detect(lines, path, options)
    if options.columns and fmt.platform in FORMATS:  # the plan's map overrides single columns
        fmt = replace(fmt, columns={**fmt.columns, **{k: (v,) for k, v in options.columns.items()}})
    table = read_table(loaded, header_line, delimiter, path, _positions(fmt, lines[header_line]))
    header = [c for c in table.columns if c != "row" and "_duplicated_" not in c]
    skipped: dict[str, int] = {}

    def skip(reason: str, keep: pl.Expr) -> None:
        nonlocal table
        kept = table.filter(keep)
        if table.height - kept.height:
            skipped[reason] = skipped.get(reason, 0) + table.height - kept.height
        table = kept

    skip("'No data available.' marker", ~pl.col(header[0]).fill_null("").is_in(NO_DATA_MARKERS))
    before = table.height
    table = drop_totals_rows(table)
    if before - table.height:
        skipped["totals rows and footers (never data: rows are summed instead)"] = (
            before - table.height
        )
    announced = fmt.announced_rows(lines[:header_line]) if fmt.announced_rows else None
    if announced is not None and announced != table.height:
        raise ExportError(
            f"the export announces {announced} rows but {table.height} were read",
            path=path,
            hint="the file looks cut short: download it again",
        )

    text_sources = {
        name: fmt.pick(header, name)
        for name in ("account", "campaign", "ad_group", "ad", "currency")
    }
    campaign_col = text_sources["campaign"]
    if campaign_col is None and text_sources["ad_group"] is None:
        raise ExportError(
            "no campaign column", path=path, hint="export at campaign, ad group or ad level"
        )
    if campaign_col:
        # An account-level row with no campaign name (Meta puts one first) is a total.
        skip(
            "rows without a campaign name (account totals)",
            pl.col(campaign_col).is_not_null() & (pl.col(campaign_col).str.strip_chars() != ""),
        )

    columns_used: dict[str, str] = {}
    date_col = _day_column(table, header, fmt, path) if daily else fmt.pick(header, "date")
    if date_col:
        columns_used["date"] = date_col

    found = {m: src for m in MEASURES if (src := fmt.pick(header, m)) is not None}
    if "spend" not in found:
        raise ExportError("no cost / amount spent column", path=path, hint=fmt.how_to_export_daily)
    for src in {*found.values(), *(v for v in text_sources.values() if v)}:
        _check_duplicate(table, src, path)
    results_col = fmt.pick(header, "results")
    number_cols = sorted({*found.values(), *([results_col] if results_col else [])})
    localized = fmt.is_localized(header)
    plain = plain_columns(table, number_cols)
    default = "1.234,56" if localized else "1,234.56"
    number_format = (
        options.number_format
        or detect_number_format(table, number_cols, path, plain, default)
        or default
    )
    numbers = dict(found)
    if results_col:
        numbers["_results"] = results_col
    table = parse_numbers(table, numbers, path, number_format, plain)
    by_indicator = _results_by_indicator(table, fmt, header, found)
    if by_indicator:
        table = table.with_columns(expr.alias(m) for m, expr in by_indicator.items())
        indicator = fmt.pick(header, "result_indicator")
        for measure in by_indicator:
            found[measure] = measure
            kind = RESULT_MEASURES[measure][0]
            columns_used[measure] = f"{results_col} where {indicator} is a {kind}"

    date_order = options.date_order or fmt.date_order or ("day_first" if localized else None)
    if date_col and table.height:
        dates = parse_dates(table, date_col, path, date_order)
    else:  # an empty file, or a period export read for its totals (``daily=False``)
        dates = pl.Series("date", [None] * table.height, dtype=pl.Date)
    columns_used.update({k: v for k, v in text_sources.items() if v and k != "ad"})
    columns_used.update({m: s for m, s in found.items() if m not in columns_used})

    currency_col = text_sources["currency"]
    header_currency = currency_from_header(found["spend"])
    if currency_col:
        currency = pl.col(currency_col).str.strip_chars()
    elif header_currency:
        currency = pl.lit(header_currency, dtype=pl.String)
        columns_used["currency"] = f"{found['spend']} (header)"
    else:
        currency = pl.lit(options.currency, dtype=pl.String)
        if options.currency:
            columns_used["currency"] = "currency: in the plan"

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

    attribution_col = fmt.pick(header, "attribution")
    attribution = (
        sorted(table[attribution_col].drop_nulls().unique().to_list()) if attribution_col else []
    )
    level = next(
        (
            lvl
            for lvl, col in (("ad", "ad"), ("ad group", "ad_group"), ("campaign", "campaign"))
            if text_sources[col]
        ),
        "account",
    )
    info = FileRead(
        path=str(path),
        platform=fmt.platform,
        label=fmt.label,
        detected_by=(
            "set in the plan"
            if options.platform or options.columns
            else f"header on line {header_line + 1}"
        ),
        encoding=encoding,
        level=level,
        rows_read=facts.height,
        mtime=mtime,
        columns_used=columns_used,
        number_format=number_format,
        skipped=skipped,
        first_day=facts["date"].min() if facts.height else None,  # type: ignore[arg-type]
        last_day=facts["date"].max() if facts.height else None,  # type: ignore[arg-type]
        attribution=attribution,
    )
    return facts, info
