"""A shop export as one sheet of text cells, whether it came as CSV or as an Excel workbook.

Shop systems write their headers in several ways for the same column: Shopee's workbooks
carry some headers in decomposed Unicode (NFD: ``a`` + combining marks), case differs between
versions (``Trạng Thái Đơn Hàng`` / ``Trạng thái đơn hàng``), spaces double up. Headers are
NFC-normalised and their spaces collapsed when read; a column is then found by its exact name
first (Shopee has two headers differing only in case: ``Tổng số tiền Người mua thanh toán``,
per line, and ``… người mua …``, per order) and else case-insensitively. Cells are stripped
(TikTok Shop ends values with a tab) and NFC-normalised; an empty cell is null.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.sources.parsing import (
    ExportText,
    check_row_shapes,
    columns_found,
    cut,
    detect_number_format,
    load_text,
    parse_numbers,
    read_table,
    split_fields,
)
from perfmkt.sources.xlsx import is_workbook, read_workbook


def header_key(name: str) -> str:
    """A header as it is matched: NFC, spaces collapsed and stripped."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Every cell NFC, stripped of spaces and tabs; empty cells null."""
    cells = [c for c in frame.columns if c != "row"]
    return frame.with_columns(
        pl.when(e != "").then(e).alias(c)
        for c in cells
        for e in [pl.col(c).str.normalize("NFC").str.strip_chars()]
    )


def _unique(names: list[str]) -> list[str]:
    """Names, a repeated one numbered (``Name (2)``) so every column has its own."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


@dataclass
class Sheet:
    """A shop export's header, and its cells read on first use: ``frame`` holds one text
    column per header (named by ``names``) and ``row``, each row's number as the user sees it
    (the spreadsheet row, or the file's line). The header alone decides which reader applies,
    so a file that is no export is refused before its body is parsed."""

    path: Path
    header: list[str]  # header keys, in file order (empty for a blank header cell)
    mtime: float
    workbook: bool
    lines: list[str] = field(default_factory=list)  # a text file's first lines
    warnings: list[str] = field(default_factory=list)
    body: pl.DataFrame | None = None  # a workbook's cells, read with its header
    text: ExportText | None = None  # a text file, parsed on first use of ``frame``
    delimiter: str = ","

    @property
    def names(self) -> list[str]:
        """Column names: the header keys, a blank one named by position, a repeated one
        numbered (``Name (2)``)."""
        return _unique([h or f"column {i + 1}" for i, h in enumerate(self.header)])

    @cached_property
    def frame(self) -> pl.DataFrame:
        if self.body is not None:
            return self.body
        assert self.text is not None
        table, warnings = check_row_shapes(
            read_table(self.text, 0, self.delimiter, self.path),
            self.text,
            0,
            self.delimiter,
            self.path,
        )
        self.warnings.extend(warnings)
        cells = [c for c in table.columns if c != "row"]
        names = self.names if len(self.names) == len(cells) else _unique(cells)
        return _clean(table.rename(dict(zip(cells, names, strict=True))))

    def pick(self, *names: str) -> str | None:
        """The first of ``names`` this sheet has: exactly, else ignoring case."""
        for name in names:
            key = header_key(name)
            if key in self.names:
                return key
            folded = [c for c in self.names if c.casefold() == key.casefold()]
            if folded:
                return folded[0]
        return None

    def pick_prefix(self, *prefixes: str) -> str | None:
        """The first column starting with one of ``prefixes`` (ignoring case), for headers that
        carry a currency: ``Tổng giá trị đơn hàng (VND)``."""
        for prefix in prefixes:
            key = header_key(prefix).casefold()
            found = [c for c in self.names if c.casefold().startswith(key)]
            if found:
                return found[0]
        return None

    def has(self, *names: str) -> bool:
        """True when every one of ``names`` is a column."""
        return all(self.pick(n) is not None for n in names)

    def columns_found(self) -> str:
        """``; columns found: …`` for error messages: a workbook's header, a text file's only
        when it looks like a table (the lines of a file that is no export are never quoted)."""
        if not self.workbook:
            return columns_found(self.lines)
        shown = [cut(h) for h in self.header if h][:12]
        return "; columns found: " + ", ".join(shown) if shown else ""


def _from_workbook(path: Path, header_only: bool) -> Sheet:
    raw = read_workbook(path, 1 if header_only else None)
    if raw.height == 0 or raw.width == 0:
        raise ExportError("the workbook's first sheet is empty", path=path)
    header = [header_key(str(v)) if v is not None else "" for v in raw.row(0)]
    sheet = Sheet(path, header, path.stat().st_mtime, workbook=True)
    names = sheet.names
    body = raw.slice(1).rename(dict(zip(raw.columns, names, strict=True)))
    # The header is sheet row 1: frame row i is sheet row i + 2.
    body = body.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    body = _clean(body)
    sheet.body = body.filter(pl.any_horizontal(pl.col(names).is_not_null()))
    return sheet


def read_sheet(path: Path, encoding: str | None = None, header_only: bool = False) -> Sheet:
    """Open a shop export: an Excel workbook (known by its first bytes, whatever its name),
    else delimited text (see ``parsing.load_text``), whose body is parsed on first use.
    ``header_only``: which reader applies is all that is asked (a workbook's first row alone is
    read; its ``frame`` is then empty)."""
    if is_workbook(path):
        return _from_workbook(path, header_only)
    loaded = load_text(path, encoding)
    fields, delimiter = split_fields(loaded.lines[0])
    return Sheet(
        path,
        [header_key(f) for f in fields],
        loaded.mtime,
        workbook=False,
        lines=loaded.lines,
        text=loaded,
        delimiter=delimiter,
    )


def parse_amounts(
    sheet: Sheet,
    frame: pl.DataFrame,
    columns: dict[str, str | None],
    number_format: str | None,
    default: str = "1,234.56",
) -> pl.DataFrame:
    """``frame`` with its amount and count columns cast under their new names (``columns``:
    new name -> the sheet's column, None when the export has none: a null column). The number
    format is the plan's, else what the cells show, else ``default``; a bad cell is an error
    naming its row and column."""
    present = {k: v for k, v in columns.items() if v is not None}
    number_format = (
        number_format
        or detect_number_format(frame, sorted(set(present.values())), sheet.path, None, default)
        or default
    )
    frame = parse_numbers(frame, present, sheet.path, number_format)
    missing = [k for k, v in columns.items() if v is None]
    return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(k) for k in missing)


@dataclass
class Parsed:
    """What a format reader made of a sheet.

    Order rows (``day_rows`` false) have: date, order_id, revenue (placed), refund (what was
    refunded of a kept order, or null), outcome (one of ``outcomes.OUTCOMES``), cod, status,
    currency, source, new_customer, row. Day rows (an export that only totals each day) have:
    date, orders (null when the export cannot count them), revenue, net_revenue, row.
    """

    frame: pl.DataFrame
    label: str
    columns_used: dict[str, str]
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    shape: str = "orders"
    day_rows: bool = False
    orders_refused: str | None = None
