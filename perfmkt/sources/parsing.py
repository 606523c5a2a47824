"""Parsing shared by every export reader: encodings, preambles, totals rows, numbers, dates.

Readers only declare what their header looks like and which columns mean what; everything
about turning bytes into typed columns lives here, so a fix for one platform fixes all.
Row work is done by polars expressions, never by a Python loop over data rows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError

# Lines we look at to find the header; real preambles are 2 (Google) to 10 (Microsoft) lines.
HEADER_SEARCH_LINES = 20

# Cells that mean "no value" in real exports (Google writes " --" with a leading space).
NO_VALUE = ("", "--", "-", "—", "–", "N/A", "n/a")

# Formats tried in order for a date cell; the first that parses the whole column wins.
DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d")


def decode(raw: bytes, path: Path) -> str:
    """Decode an export's bytes: UTF-16 (Google's "CSV for Excel") or UTF-8, BOM or not."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(raw) >= 4 and raw[1:4:2] == b"\x00\x00":
        encoding = "utf-16-le"  # UTF-16 without BOM: every other byte of ASCII text is NUL
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ExportError(
            f"cannot decode as {encoding} (byte {exc.start})",
            path=path,
            hint="save the export as UTF-8 or UTF-16 CSV",
        ) from exc


def split_fields(line: str) -> tuple[list[str], str]:
    """Split one line into cells, guessing the delimiter (tab beats comma, as in Excel CSV)."""
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    fields = next(csv.reader([line], delimiter=delimiter), [])
    return [f.strip() for f in fields], delimiter


def head_lines(text: str) -> list[str]:
    return text.splitlines()[:HEADER_SEARCH_LINES]


def read_table(text: str, header_line: int, delimiter: str, path: Path) -> pl.DataFrame:
    """Read the table that starts at ``header_line`` (0-based) as all-string columns.

    Adds ``row``: the 1-based line number of each data row in the file, for error messages
    and lineage (exact unless a quoted cell spans lines).
    """
    offset = 0
    for _ in range(header_line):
        offset = text.index("\n", offset) + 1
    body = text[offset:]
    try:
        frame = pl.read_csv(
            io.BytesIO(body.encode("utf-8")),
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        message = str(exc).splitlines()[0]
        raise ExportError(f"not a readable CSV table: {message}", path=path) from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    # Blank lines come through as all-null rows: numbering them keeps line numbers exact.
    numbered = frame.with_row_index("row", offset=header_line + 2).with_columns(
        pl.col("row").cast(pl.Int64)
    )
    return numbered.filter(pl.any_horizontal(pl.col(frame.columns).is_not_null()))


def drop_totals_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Remove export totals rows (``Total: Campaigns``, ``Total: Conta``…): they are never data.

    A totals row carries ``Total`` in one of its first cells; Google sums unrounded micros and
    ``Total: Account`` includes campaigns the table does not list, so we always sum the rows.
    """
    text_cols = [c for c in frame.columns if c != "row"][:3]
    if not text_cols:
        return frame
    is_total = pl.any_horizontal(
        pl.col(c).fill_null("").str.strip_chars().str.contains(r"(?i)^(total|tổng)\b")
        for c in text_cols
    )
    return frame.filter(~is_total)


def number_expr(column: str) -> pl.Expr:
    """Parse an English-formatted number cell (``1,234.56``, ``$1,234``, ``12%``, `` --``)."""
    cleaned = (
        pl.col(column)
        .str.strip_chars()
        .str.replace_all(r"[,\s\u00a0]", "")
        # currency before (₫1,234 / USD 12), percent or currency after (12% / 1,234₫)
        .str.replace_all(r"^(?:[A-Z]{3}|[$€£₫¥])|(?:%|[₫$€£]|[A-Z]{3})$", "")
    )
    return (
        pl.when(pl.col(column).str.strip_chars().is_in(NO_VALUE) | pl.col(column).is_null())
        .then(None)
        .otherwise(cleaned.cast(pl.Float64, strict=False))
    )


def parse_numbers(frame: pl.DataFrame, columns: dict[str, str], path: Path) -> pl.DataFrame:
    """Cast source columns to numbers under their unified names; a bad cell is an error.

    ``columns`` maps unified name -> source header.
    """
    parsed = frame.with_columns(number_expr(src).alias(name) for name, src in columns.items())
    for name, src in columns.items():
        bad = parsed.filter(
            pl.col(name).is_null()
            & pl.col(src).is_not_null()
            & ~pl.col(src).str.strip_chars().is_in(NO_VALUE)
        )
        if bad.height:
            first = bad.row(0, named=True)
            raise ExportError(
                f"expected a number, found {first[src]!r}",
                path=path,
                row=first["row"],
                column=src,
            )
    return parsed


def parse_dates(frame: pl.DataFrame, source: str, path: Path) -> pl.Series:
    """Parse a date column with the first format that fits every non-empty cell."""
    values = frame[source].str.strip_chars()
    # Dates may come with a time part ("2026-01-05 00:00:00"); the day is what we pace.
    values = values.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "")
    present = values.is_not_null() & (values != "")
    if not present.any():
        raise ExportError("the date column is empty", path=path, column=source)
    best: pl.Series | None = None
    for fmt in DATE_FORMATS:
        parsed = values.str.to_date(fmt, strict=False)
        failures = int((present & parsed.is_null()).sum())
        if failures == 0:
            return parsed
        if best is None or failures < int((present & best.is_null()).sum()):
            best = parsed
    assert best is not None
    first_bad = frame.filter(present & best.is_null()).row(0, named=True)
    raise ExportError(
        f"expected a date like 2026-01-05, found {first_bad[source]!r}",
        path=path,
        row=first_bad["row"],
        column=source,
        hint="day-first and month-first dates arrive with the localized readers",
    )


CURRENCY_IN_HEADER = re.compile(r"\(([A-Z]{3})\)\s*$")


def currency_from_header(header: str) -> str | None:
    """``Amount spent (VND)`` -> ``VND``."""
    match = CURRENCY_IN_HEADER.search(header)
    return match.group(1) if match else None
