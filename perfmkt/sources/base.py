"""What a platform reader declares: how to recognise its header and what its columns mean."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

NumberFormat = Literal["1,234.56", "1.234,56"]
DateOrder = Literal["day_first", "month_first"]
# How re-downloads of one report are put in order, oldest to newest: by what the files say
# (covered range, date-range preamble; modification time only breaks ties), by file name (dated
# names such as meta_2026-01-25.csv), or by modification time alone.
DownloadOrder = Literal["content", "name", "modified"]

# Fields a reader can fill besides the measures: the names and ids rows are grouped by.
TEXT_FIELDS = ("account", "campaign", "campaign_id", "ad_group", "ad", "currency")


@dataclass(frozen=True)
class ReadOptions:
    """What the plan says about one source, where the file alone cannot tell."""

    platform: str | None = None  # force the reader instead of detecting
    number_format: NumberFormat | None = None  # decide ambiguous files such as "1.234"
    date_order: DateOrder | None = None  # decide ambiguous dates such as 01/03/2026
    currency: str | None = None  # for exports without a currency (Microsoft Advertising)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header, overrides
    encoding: str | None = None  # state the encoding (cp1258, utf-16) instead of detecting it
    download_order: DownloadOrder = "content"


@dataclass(frozen=True)
class QueryOptions:
    """A SQL source: a connection URI (``postgresql://…``, ``duckdb:///path.duckdb``) and a query
    returning daily rows with the unified facts names."""

    uri: str
    query: str
    label: str  # how notes and errors name it (the URI without its password)
    columns: dict[str, str] = field(default_factory=dict)


# Days read before the flight: the advice fits its response curves on the 42 days up to the
# as-of day (perfmkt.advice.WINDOW_DAYS), which on the flight's first day reach 41 days back.
LOOKBACK_DAYS = 41


@dataclass(frozen=True)
class ChannelFilter:
    """What one plan channel claims (perfmkt.pacing.assign_channels): pushed to a warehouse as
    a prefilter, perfmkt still applying the channel itself to what comes back."""

    platform: str  # perfmkt's platform name
    campaigns: str  # regex searched in campaign names (Rust syntax)
    account: str | None = None


@dataclass(frozen=True)
class WarehouseOptions:
    """A ``warehouse:`` source: a table read as campaign-days by a query perfmkt generates
    (perfmkt.sources.warehouse_sql)."""

    uri: str
    label: str  # how notes and errors name it (no password)
    table: str
    layout: Literal["ad_reporting", "facts"]
    dialect: str
    first_day: date
    last_day: date
    channels: tuple[ChannelFilter, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # field -> column ("" = none)
    platforms: dict[str, str] = field(default_factory=dict)  # table value -> perfmkt name
    currency: str | None = None  # for tables without a currency column


EXCLUDED_STATUSES = ("cancelled", "canceled", "refunded", "voided")


@dataclass(frozen=True)
class ShopOptions:
    kind: str = "orders"  # orders | leads
    revenue: str = "total"  # total | subtotal (Shopify; tax may sit inside Subtotal)
    timezone: str | None = None  # the plan's: timestamps with offsets become its days
    columns: dict[str, str] = field(default_factory=dict)  # field -> header for other CSVs
    exclude_statuses: tuple[str, ...] = EXCLUDED_STATUSES
    date_order: str | None = None
    encoding: str | None = None  # state the encoding (cp1258…) instead of detecting it
    number_format: NumberFormat | None = None  # decide amounts such as 1.234 (else detected)


# Every kind of source a plan names, as resolve_sources hands them to load_exports.
SourceOptions = ReadOptions | ShopOptions | QueryOptions | WarehouseOptions


@dataclass(frozen=True)
class Stated:
    """What an export says about its own download, above the header: the range of days it was
    asked for, and when the platform made it. Re-downloads are put in order with these (see
    ``perfmkt.sources.overlap``); ``range_from`` and ``made_at_from`` name the lines. The
    fields are ``FileRead``'s and ``DownloadInfo``'s of the same names."""

    range_start: date | None = None
    range_end: date | None = None
    range_from: str = ""
    made_at: datetime | None = None
    made_at_from: str = ""


@dataclass(frozen=True)
class ExportFormat:
    """One platform's export shape.

    ``columns`` maps a unified field (``date``, ``campaign``, ``spend``…) to the headers that can
    feed it, best first, compared case-insensitively; the first present wins and the data notes
    say which. ``prefixes`` does the same for headers carrying a suffix such as the currency
    (``Amount spent (VND)``).
    """

    platform: str
    label: str
    matches: Callable[[list[str]], bool]
    columns: dict[str, tuple[str, ...]]
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    how_to_export_daily: str = ""
    # Headers whose language implies day-first dates and decimal commas (a Vietnamese UI).
    day_first_headers: tuple[str, ...] = ()
    # The date order a platform always writes, whatever the UI language (LinkedIn: 3/1/2026).
    date_order: DateOrder | None = None
    # Reads the row count a preamble announces ("Rows: 320"), to check against what was read.
    announced_rows: Callable[[list[str]], int | None] | None = None
    # Reads the date range and download time a preamble states (lines above the header).
    stated: Callable[[list[str]], Stated] | None = None
    # The header names that identify this platform, said when a file matches none.
    signature: str = ""

    def pick(self, header: list[str], name: str) -> str | None:
        """The header feeding field ``name`` in this file, or None."""
        folded = {h.casefold(): h for h in reversed(header)}
        for candidate in self.columns.get(name, ()):
            if candidate.casefold() in folded:
                return folded[candidate.casefold()]
        for prefix in self.prefixes.get(name, ()):
            for h in header:
                if h.casefold().startswith(prefix.casefold()):
                    return h
        return None

    def is_localized(self, header: list[str]) -> bool:
        present = {h.casefold() for h in header}
        return any(h.casefold() in present for h in self.day_first_headers)


def has_any(header: list[str], *names: str) -> bool:
    """True when any of ``names`` is in ``header`` (case-insensitive)."""
    present = {h.casefold() for h in header}
    return any(n.casefold() in present for n in names)


def starts_any(header: list[str], *prefixes: str) -> bool:
    return any(h.casefold().startswith(p.casefold()) for h in header for p in prefixes)


ROWS_LINE = re.compile(r'^"?Rows:\s*([\d,]+)"?\s*$', re.IGNORECASE)


def rows_from_preamble(lines: list[str]) -> int | None:
    """``"Rows: 320"`` in a preamble -> 320."""
    for line in lines:
        match = ROWS_LINE.match(line.strip())
        if match:
            return int(match.group(1).replace(",", ""))
    return None


MONTH_FIRST = ("%m/%d/%Y",)
# Day formats of data cells (parsing.parse_dates); a preamble's line also writes "1 March, 2026".
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")
DAY_FORMATS = (*DATE_FORMATS, "%d %B, %Y")
# Vietnamese UIs write "1 tháng 3, 2026".
VI_DAY = re.compile(r"^(\d{1,2}) tháng (\d{1,2}),? (\d{4})$", re.IGNORECASE)


def parse_day(text: str, formats: tuple[str, ...] = DAY_FORMATS) -> date | None:
    """A day as a preamble writes it (``27 January 2026``, ``March 2, 2026``, ``2026-03-02``,
    ``1 tháng 3, 2026``, or ``formats``), or None."""
    text = " ".join(text.strip().strip('"').split())
    match = VI_DAY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def day_range(
    first: str, last: str, formats: tuple[str, ...] = DAY_FORMATS
) -> tuple[date, date] | None:
    """Two days that make a range (the first not after the last), or None."""
    start, end = parse_day(first, formats), parse_day(last, formats)
    if start is None or end is None or end < start:
        return None
    return start, end


RANGE_SPLIT = re.compile(r"\s+[-–—]\s+")


def range_line(
    line: str, formats: tuple[str, ...] = DAY_FORMATS, split: re.Pattern[str] = RANGE_SPLIT
) -> tuple[date, date] | None:
    """``27 January 2026 - 23 February 2026`` -> (2026-01-27, 2026-02-23); None for anything
    else (``All time``, a report name)."""
    parts = split.split(line.strip().strip('"'))
    return day_range(parts[0], parts[1], formats) if len(parts) == 2 else None


def preamble_values(preamble: list[str], pattern: re.Pattern[str]) -> dict[str, str]:
    """The ``Label: value`` lines ``pattern`` matches (groups: label, value), by lowercase
    label."""
    found = {}
    for line in preamble:
        match = pattern.match(line.strip())
        if match:
            found[match.group(1).lower()] = match.group(2).strip()
    return found
