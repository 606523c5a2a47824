"""Excel workbooks (.xlsx, and old .xls) read as text cells with polars' calamine reader.

Marketplaces hand out their order exports as workbooks (Shopee's ``Order.all.…xlsx``). Every
cell is read as text so order ids and amounts stay as written: a number cell comes back as
``1290000`` or ``99000.5`` (no thousands separators), a date cell as ``2026-04-02 09:30:00``.
An order id Excel itself stored as a number past 15 digits was already rounded inside the
file; nothing can restore it (TikTok Shop writes its ids as text for that reason).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError

# The first bytes of a zip archive (.xlsx) and of an OLE2 compound file (.xls).
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def is_workbook(path: Path) -> bool:
    """True when ``path`` starts like an Excel workbook (whatever its name says)."""
    try:
        with path.open("rb") as handle:
            return handle.read(4).startswith(WORKBOOK_MAGIC)
    except OSError:
        return False


def read_workbook(path: Path, rows: int | None = None) -> pl.DataFrame:
    """The first sheet (its first ``rows`` rows when given), every row kept (blank ones too,
    so that frame row ``i`` is sheet row ``i + 1``), every cell as text, columns ``column_0``,
    ``column_1``…; a file calamine cannot open (corrupt, a zip that is not a workbook) is one
    ``ExportError`` line."""
    try:
        return pl.read_excel(
            path,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,  # every column as text
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            read_options={"n_rows": rows} if rows else None,
        )
    except Exception as exc:  # calamine's and fastexcel's own error classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(
            f"not a readable Excel workbook ({first[:120]})",
            path=path,
            hint="download the export again, or open it in Excel and save it as .xlsx",
        ) from exc
