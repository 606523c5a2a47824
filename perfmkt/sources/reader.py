"""Read one export file: detect its platform from the header, normalise to unified facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError, NotDailyError, UnknownExportError
from perfmkt.schema import FACTS_SCHEMA, MEASURES
from perfmkt.sources.base import TEXT_FIELDS, ExportFormat, ReadOptions, Stated, parse_day
from perfmkt.sources.google_ads import GOOGLE_ADS
from perfmkt.sources.linkedin import LINKEDIN
from perfmkt.sources.meta import META, RESULT_MEASURES
from perfmkt.sources.microsoft_ads import MICROSOFT_ADS
from perfmkt.sources.parsing import (
    HELPERS,
    ExportText,
    check_row_shapes,
    columns_found,
    currency_from_header,
    detect_number_format,
    drop_totals_rows,
    load_text,
    parse_dates,
    parse_numbers,
    plain_columns,
    read_table,
    record_lines,
    shown,
    split_fields,
)
from perfmkt.sources.tiktok import TIKTOK

# Detection order: the most specific signatures first.
FORMATS: dict[str, ExportFormat] = {
    f.platform: f for f in (META, MICROSOFT_ADS, LINKEDIN, TIKTOK, GOOGLE_ADS)
}

# How errors name the platforms, in the order they list them.
NAMES = {
    "google_ads": "Google Ads",
    "meta": "Meta",
    "tiktok": "TikTok",
    "microsoft_ads": "Microsoft Advertising",
    "linkedin": "LinkedIn",
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
    # What the export says about its download (see ``perfmkt.sources.overlap``): the range of
    # days it was asked for and the line saying so, and when the platform made it.
    range_start: date | None = None
    range_end: date | None = None
    range_from: str = ""
    made_at: datetime | None = None
    made_at_from: str = ""
    # What the data notes must show: rows summed or read in a way worth a look.
    warnings: list[str] = field(default_factory=list)


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
        # The header is the line holding most of the mapped names (lines may sit above it).
        wanted = set(options.columns.values())
        names = [set(split_fields(line)[0]) for line in lines]
        best = max(range(len(names)), key=lambda i: len(wanted & names[i]))
        raise ExportError(
            "the plan's columns: map names headers this file does not have: "
            f"{sorted(wanted - names[best])}",
            path=path,
            row=best + 1,
        )
    listed = sorted(
        candidates, key=lambda f: list(NAMES).index(f.platform) if f.platform in NAMES else 9
    )
    expected = "; ".join(f"{NAMES[f.platform]}: {f.signature}" for f in listed if f.signature)
    kind = candidates[0].label if options.platform else "known ad-platform"
    found = columns_found(lines)
    raise UnknownExportError(
        f"not a recognised export: no {kind} header in the first {len(lines)} lines "
        f"(expected {expected}){found}",
        path=path,
        hint='map them in the plan: columns: {date: "…", campaign: "…", spend: "…"}'
        if found
        else "export the report from the ad platform as CSV, broken down by day",
    )


def _positions(fmt: ExportFormat, header_line: str) -> list[int]:
    """Positions of the columns worth reading: every one the format can use (twins of a
    repeated header included, to be compared), and the first three, where totals rows say so."""
    names = split_fields(header_line)[0]
    wanted = {fmt.pick(names, name) for name in (*fmt.columns, *fmt.prefixes)} - {None}
    return [i for i, name in enumerate(names) if i < 3 or name in wanted]


def _day_column(table: pl.DataFrame, header: list[str], fmt: ExportFormat, path: Path) -> str:
    """The column holding each row's day; period and lifetime exports are refused."""
    date_col = fmt.pick(header, "date")
    if date_col is None:
        raise NotDailyError(
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
            raise NotDailyError(
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
                f"({shown(differ[column][0])} vs {shown(differ[twin][0])})",
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


# Measures that are never below zero: a negative one is an error, not a figure to sum.
NON_NEGATIVE = ("spend", "impressions", "reach", "clicks", "video_views")
# Measures a platform can restate downwards (conversion adjustments): summed, with a warning.
ADJUSTABLE = ("conversions", "conversion_value", "orders", "revenue", "leads")


def _check_signs(table: pl.DataFrame, found: dict[str, str], path: Path) -> list[str]:
    """Negative spend, impressions, reach, clicks or views are an error naming the row: no
    platform writes one, and summing it would hide real spend. A negative conversion count or
    value can be a platform's adjustment: summed as written, with a warning saying so."""
    sources = list(dict.fromkeys(found[m] for m in (*NON_NEGATIVE, *ADJUSTABLE) if m in found))
    if table.is_empty() or not sources:
        return []
    column = {src: next(m for m in MEASURES if found.get(m) == src) for src in sources}
    lowest = table.select(pl.col(column[s]).min().alias(s) for s in sources).row(0, named=True)
    negative = [s for s in sources if lowest[s] is not None and lowest[s] < 0]
    for measure in NON_NEGATIVE:
        if measure in found and found[measure] in negative:
            src = found[measure]
            first = table.filter(pl.col(column[src]) < 0).row(0, named=True)
            raise ExportError(
                f"expected {measure} of 0 or more, found {shown(first[src])}",
                path=path,
                row=first["row"],
                column=src,
            )
    warnings = []
    for src in negative:
        rows = table.select((pl.col(column[src]) < 0).sum()).item()
        warnings.append(
            f"{rows} row{'s' if rows > 1 else ''} with a negative {src} (a conversion "
            "adjustment?): summed as written"
        )
    return warnings


def _stated_range(
    fmt: ExportFormat, lines: list[str], header_line: int, table: pl.DataFrame, header: list[str]
) -> Stated:
    """The range of days and download time the export states: preamble lines (Google's
    date-range line, Microsoft's ``Report Time``, LinkedIn's ``Report Start/End``), or the
    span of Meta's ``Reporting starts``/``ends`` columns (its account-total row and a ``Day``
    breakdown's rows hold the whole period). Read before rows without a campaign are left out."""
    stated = fmt.stated(lines[:header_line]) if fmt.stated else Stated()
    start_col, end_col = fmt.pick(header, "date_start"), fmt.pick(header, "date_end")
    if stated.range_start is not None or not (start_col and end_col and table.height):
        return stated
    # ISO days sort as text: the first and last cell say the span (any other shape sorts
    # first or last, and then the columns are parsed whole).
    first, last = table.select(pl.col(start_col).min(), pl.col(end_col).max()).row(0)
    start, end = parse_day(first or "", ("%Y-%m-%d",)), parse_day(last or "", ("%Y-%m-%d",))
    if start is None or end is None:
        try:
            start = parse_dates(table, start_col, Path("range")).min()  # type: ignore[assignment]
            end = parse_dates(table, end_col, Path("range")).max()  # type: ignore[assignment]
        except ExportError:
            return stated  # the day column's own parse says what is wrong with it
    if start is None or end is None:
        return stated
    return replace(
        stated, range_start=start, range_end=end, range_from=f"{start_col}/{end_col} columns"
    )


# What the notes call the rows an export holds besides data (shared with the one-pass reader).
SKIPPED_MARKER = "'No data available.' marker"
SKIPPED_TOTALS = "totals rows and footers (never data: rows are summed instead)"
SKIPPED_NO_CAMPAIGN = "rows without a campaign name (account totals)"
# An id an Excel re-save wrote in scientific notation (2.38512E+16): its digits are lost.
SCIENTIFIC_ID = r"^\s*\d(?:\.\d+)?[eE]\+?\d+\s*$"


def clean_ids(column: str) -> pl.Expr:
    """Campaign ids as text, the same however a spreadsheet wrote them (``'123``, ``123.0``)."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.strip_chars_start("'")
        .str.replace(r"\.0+$", "")
        .replace("", None)
    )


def export_level(text_sources: dict[str, str | None]) -> str:
    """The finest level an export's columns show: ad, ad group, campaign or account."""
    levels = (("ad", "ad"), ("ad group", "ad_group"), ("campaign", "campaign"))
    return next((level for level, col in levels if text_sources.get(col)), "account")


def checked_range(
    stated: Stated, first_day: date | None, last_day: date | None, warnings: list[str]
) -> Stated:
    """The stated range, unless the rows run outside it: then a warning, and no range (it
    would misorder re-downloads)."""
    start, end = stated.range_start, stated.range_end  # both stated or neither
    if start and end and first_day and last_day and (first_day < start or last_day > end):
        warnings.append(
            f"the stated range ({stated.range_from}) is {start} to {end} but the rows run "
            f"{first_day} to {last_day}: it is not used to order re-downloads"
        )
        return replace(stated, range_start=None, range_end=None, range_from="")
    return stated


def currency_source(
    text_sources: dict[str, str | None], found: dict[str, str], options: ReadOptions
) -> tuple[pl.Expr, str | None]:
    """Each row's currency: its currency column, else the code in the spend header (``Amount
    spent (VND)``), else the plan's ``currency:``; and, for ``columns_used``, where it came
    from when not a column."""
    if text_sources["currency"]:
        return pl.col(text_sources["currency"]).str.strip_chars(), None
    header = currency_from_header(found["spend"])
    if header:
        return pl.lit(header, dtype=pl.String), f"{found['spend']} (header)"
    origin = "currency: in the plan" if options.currency else None
    return pl.lit(options.currency, dtype=pl.String), origin


def detected_by(options: ReadOptions, header_line: int) -> str:
    return (
        "set in the plan"
        if options.platform or options.columns
        else f"header on line {header_line + 1}"
    )


def _campaign_ids(table: pl.DataFrame, column: str) -> tuple[pl.Expr, list[str]]:
    """Campaign ids as text, the same however a spreadsheet wrote them (``'123``, ``123.0``).
    Ids in scientific notation (``2.38512E+16``, an Excel re-save) lost their digits: they are
    not used (campaigns are matched by name), and a warning says so."""
    cleaned = clean_ids(column)
    if table.select(pl.col(column).str.contains(SCIENTIFIC_ID).any()).item():
        return pl.lit(None, dtype=pl.String), [
            f"{column} holds ids in scientific notation (a spreadsheet re-save?): they are "
            "not used, campaigns are matched by name"
        ]
    return cleaned, []


# What a line says besides its figures: letters and the like, without digits, separators,
# signs, currency symbols and percent signs.
FIGURE_CHARACTERS = r'[\d\s.,;%"$€£₫¥+\-<>|\t]+'


def _check_repeated_campaign_days(
    facts: pl.DataFrame, export: ExportText, header_line: int, delimiter: str, path: Path
) -> list[str]:
    """A campaign-level export holds each campaign-day once, unless a segment (device,
    network…) splits it. The lines of one campaign-day are compared:

    - the same line twice: an error naming both rows. It is two downloads pasted into one file
      or a copy-paste slip; summing it would double the day.
    - lines that differ in their words (``Mobile`` vs ``Desktop``): a segmented report;
      summing is right and nothing is said.
    - lines that differ only in figures: summed, with a warning counting them — two campaigns
      sharing a name, or two downloads of different days pasted together; the file cannot say.
      (A segment written in digits alone, such as an hour of the day, looks like this too.)
    """
    key = pl.struct("account", "campaign", "campaign_id", "date").hash().alias("key")
    repeated = facts.select(key, "campaign", "date", "row").filter(pl.col("key").is_duplicated())
    if repeated.is_empty():
        return []
    # Lines and their words are compared by hash: a segmented report repeats every row.
    lines = record_lines(export, header_line, delimiter, repeated["row"])
    repeated = repeated.with_columns(
        line=lines.hash(), words=lines.str.replace_all(FIGURE_CHARACTERS, "").hash()
    )
    twice = repeated.filter(pl.col("line").is_duplicated())  # one line, one campaign-day
    if twice.height:
        first = twice.row(0, named=True)
        rows = twice.filter(pl.col("line") == first["line"])["row"]
        raise ExportError(
            f"campaign {shown(first['campaign'])} on {first['date']} is on rows {rows[0]} and "
            f"{rows[1]} with the same cells: one campaign-day counted twice",
            path=path,
            row=rows[1],
            hint="remove the repeated row; were two downloads pasted into one file?",
        )
    ambiguous = (
        repeated.group_by("key")
        .agg(pl.col("words").n_unique().alias("kinds"), pl.col("row").min())
        .filter(pl.col("kinds") == 1)
    )
    if ambiguous.is_empty():
        return []
    first_key = ambiguous.sort("row")["key"][0]
    example = repeated.filter(pl.col("key") == first_key).sort("row")
    count = ambiguous.height
    return [
        f"{count} campaign-day{'s are' if count > 1 else ' is'} on more than one row with "
        f"different figures and no column telling them apart (first: "
        f"{shown(example['campaign'][0])} on {example['date'][0]}, rows {example['row'][0]} and "
        f"{example['row'][1]}): summed — two campaigns sharing a name, or two downloads pasted "
        "into one file?"
    ]


def read_export(
    path: Path, options: ReadOptions | None = None, daily: bool = True
) -> tuple[pl.DataFrame, FileRead]:
    """Read ``path`` into the unified facts schema (see ``perfmkt.schema``).

    ``daily=False`` also accepts period exports (no day column; ``date`` is null), for
    ``perfmkt inspect``; pacing always reads with ``daily=True``.

    Nothing is guessed silently: an undecodable byte, a row with the wrong number of cells, an
    infinite or negative amount, or a campaign-day repeated line for line is an ``ExportError``
    naming the file, row and column; what is read but worth a look (negative conversions,
    campaign-days summed over rows no column tells apart, a stated range the rows disagree
    with) is in ``FileRead.warnings``; rows left out are counted in ``FileRead.skipped``.
    """
    options = options or ReadOptions()
    if options.platform is not None and options.platform not in FORMATS and not options.columns:
        raise ExportError(
            f"unknown platform {options.platform!r}",
            path=path,
            hint=f"supported: {', '.join(sorted(FORMATS))}, or map columns with columns:",
        )
    loaded = load_text(path, options.encoding)
    encoding, lines, mtime = loaded.encoding, loaded.lines, loaded.mtime
    fmt, header_line, delimiter = detect(lines, path, options)
    if options.columns and fmt.platform in FORMATS:  # the plan's map overrides single columns
        fmt = replace(fmt, columns={**fmt.columns, **{k: (v,) for k, v in options.columns.items()}})
    table = read_table(loaded, header_line, delimiter, path, _positions(fmt, lines[header_line]))
    header = [c for c in table.columns if c not in ("row", *HELPERS) and "_duplicated_" not in c]
    skipped: dict[str, int] = {}
    warnings: list[str] = []

    def skip(reason: str, keep: pl.Expr) -> None:
        nonlocal table
        kept = table.filter(keep)
        if table.height - kept.height:
            skipped[reason] = skipped.get(reason, 0) + table.height - kept.height
        table = kept

    skip(SKIPPED_MARKER, ~pl.col(header[0]).fill_null("").is_in(NO_DATA_MARKERS))
    before = table.height
    table = drop_totals_rows(table)
    if before - table.height:
        skipped[SKIPPED_TOTALS] = before - table.height
    table, shape_warnings = check_row_shapes(table, loaded, header_line, delimiter, path)
    warnings += shape_warnings
    announced = fmt.announced_rows(lines[:header_line]) if fmt.announced_rows else None
    if announced is not None and announced != table.height:
        raise ExportError(
            f"the export announces {announced} rows but {table.height} were read",
            path=path,
            hint="the file looks cut short: download it again",
        )
    stated = _stated_range(fmt, lines, header_line, table, header)

    text_sources = {name: fmt.pick(header, name) for name in TEXT_FIELDS}
    campaign_col = text_sources["campaign"]
    if campaign_col is None and text_sources["ad_group"] is None:
        raise ExportError(
            "no campaign column", path=path, hint="export at campaign, ad group or ad level"
        )
    if campaign_col:
        # An account-level row with no campaign name (Meta puts one first) is a total.
        skip(
            SKIPPED_NO_CAMPAIGN,
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
    warnings += _check_signs(table, found, path)
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

    currency, currency_from = currency_source(text_sources, found, options)
    if currency_from:
        columns_used["currency"] = currency_from

    def text_or_blank(name: str) -> pl.Expr:
        src = text_sources.get(name)
        return pl.col(src).str.strip_chars().fill_null("") if src else pl.lit("")

    campaign_id: pl.Expr = pl.lit(None, dtype=pl.String)
    if text_sources["campaign_id"]:
        campaign_id, id_warnings = _campaign_ids(table, text_sources["campaign_id"])
        warnings += id_warnings

    facts = table.select(
        pl.Series("date", dates),
        pl.lit(fmt.platform).alias("platform"),
        text_or_blank("account").alias("account"),
        text_or_blank("campaign").alias("campaign"),
        campaign_id.alias("campaign_id"),
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
    level = export_level(text_sources)
    if level == "campaign" and date_col and facts.height:
        warnings += _check_repeated_campaign_days(facts, loaded, header_line, delimiter, path)
    first_day = facts["date"].min() if facts.height else None
    last_day = facts["date"].max() if facts.height else None
    stated = checked_range(stated, first_day, last_day, warnings)  # type: ignore[arg-type]
    info = FileRead(
        path=str(path),
        platform=fmt.platform,
        label=fmt.label,
        detected_by=detected_by(options, header_line),
        encoding=encoding,
        level=level,
        rows_read=facts.height,
        mtime=mtime,
        columns_used=columns_used,
        number_format=number_format,
        skipped=skipped,
        first_day=first_day,  # type: ignore[arg-type]
        last_day=last_day,  # type: ignore[arg-type]
        attribution=attribution,
        **vars(stated),  # the range and download time the export states
        warnings=warnings,
    )
    return facts, info
