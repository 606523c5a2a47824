"""Parsing shared by every export reader: encodings, preambles, totals rows, numbers, dates.

Readers only declare what their header looks like and which columns mean what; everything
about turning bytes into typed columns lives here, so a fix for one platform fixes all.
Row work is done by polars expressions, never by a Python loop over data rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.sources.base import DATE_FORMATS

# Lines we look at to find the header; real preambles are 2 (Google) to 10 (Microsoft) lines.
HEADER_SEARCH_LINES = 20

# Cells that mean "no value" in real exports (Google writes " --" with a leading space).
# A totals row or footer starts its first cells with Total/Tổng or a © line.
TOTAL_ROW = r"^\s*(?:(?i:total|tổng)\b|©)"
NO_VALUE = ("", "--", "-", "—", "–", "N/A", "n/a")

# Formats tried in order for a date cell; the first that parses every cell wins.
SLASH_DATE = r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$"


BOM_UTF8 = b"\xef\xbb\xbf"
# Files that are not text, known by their first bytes: named, never decoded.
NOT_TEXT = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip archive",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
}
NOT_TEXT_HINT = (
    "expected a CSV or TSV export from an ad platform, with a header such as Day, Campaign, Cost"
)
CODEC_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
}
ENCODING_HINT = (
    "state the file's encoding for this source in the plan: `encoding: cp1258` for Vietnamese "
    "Excel, `encoding: windows-1252` for Western European Excel; or save it as CSV UTF-8"
)


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode an export's bytes; returns (text, encoding).

    Detected: UTF-16 with or without BOM (Google's "CSV for Excel"), UTF-8 with or without BOM.
    Anything else is never guessed: a byte that is not UTF-8 is an error naming its line, and
    the plan's ``encoding:`` states the codec (cp1258 for Vietnamese Excel). Text decoded with a
    stated single-byte codec is NFC-normalised: cp1258 writes many Vietnamese letters as base +
    combining mark, and "Chiến dịch" must match the header names we know. A file that is not
    text (an Excel workbook saved as .csv, a PDF, NUL bytes) is refused, saying what it is.
    """
    codec = text_codec(raw[:8192], path, encoding)
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, codec, path, stated=bool(encoding)) from exc
    except UnicodeError as exc:  # refused whole: UTF-16 without its byte-order mark, idna…
        raise ExportError(
            f"cannot decode the file as {CODEC_NAMES.get(codec, codec)} (the plan's encoding:): "
            f"{exc}",
            path=path,
            hint="check the source's `encoding:` in the plan",
        ) from exc
    if encoding and not codec.startswith(("utf-8", "utf-16", "utf-32")):
        text = unicodedata.normalize("NFC", text)
    return text, codec


def text_codec(start: bytes, path: Path, encoding: str | None = None) -> str:
    """The codec ``decode`` reads an export with, from its first 8 KiB (``start``) and the
    plan's ``encoding``; an ``ExportError`` for a file that is not text or an unknown codec."""
    kind = next((what for magic, what in NOT_TEXT.items() if start.startswith(magic)), None)
    if kind is None and not encoding and b"\x00" in start and not _utf16(start):
        kind = "a binary file"
    if kind is not None:
        hint = "in Excel: File > Save As > CSV UTF-8" if "Excel" in kind else NOT_TEXT_HINT
        raise ExportError(f"not a recognised export: {kind}, not CSV text", path=path, hint=hint)
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            info = None
        # base64, hex, rot13, zlib… are codecs too, but not of text: bytes.decode refuses them.
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise ExportError(
                f"unknown encoding {encoding!r}"
                if info is None
                else f"{encoding!r} is not a text encoding",
                path=path,
                hint="name a codec such as utf-8, utf-16, cp1258 or windows-1252",
            )
        codec = info.name
        return "utf-8-sig" if codec == "utf-8" and start.startswith(BOM_UTF8) else codec
    if start.startswith(BOM_UTF8):
        return "utf-8-sig"
    return _utf16(start) or "utf-8"


def _utf16(raw: bytes) -> str | None:
    """``utf-16`` (a byte-order mark), ``utf-16-le`` or ``-be`` (no mark: every other byte of
    ASCII text is NUL), else None."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(raw) >= 4 and raw[1:4:2] == b"\x00\x00":
        return "utf-16-le"
    if len(raw) >= 4 and raw[0:3:2] == b"\x00\x00":
        return "utf-16-be"
    return None


def _decode_error(
    raw: bytes, exc: UnicodeDecodeError, codec: str, path: Path, stated: bool
) -> ExportError:
    """Where the first undecodable byte is: its line (1-based), its value, what was expected."""
    before = raw[: exc.start]
    try:
        line = before.decode(codec, errors="replace").count("\n") + 1
    except UnicodeError:  # a codec without error handlers (idna)
        line = before.count(b"\n") + 1
    name = CODEC_NAMES.get(codec, codec)
    if exc.end >= len(raw) and exc.reason in ("truncated data", "unexpected end of data"):
        return ExportError(
            f"the file ends in the middle of a {name} character: it is cut short",
            path=path,
            row=line,
            hint="download the export again; an interrupted download ends like this",
        )
    column = exc.start - (before.rfind(b"\n") + 1) + 1 if codec.startswith("utf-8") else None
    where = f" (byte {column} of the line)" if column else ""
    what = f"byte 0x{raw[exc.start : exc.start + 1].hex().upper()}"
    if stated:
        return ExportError(
            f"expected {name} text (the plan's encoding:), found {what}{where}, which is not "
            f"{name}",
            path=path,
            row=line,
            hint="check the source's `encoding:` in the plan",
        )
    return ExportError(
        f"expected {name} text, found {what}{where}, which is not {name}",
        path=path,
        row=line,
        hint=ENCODING_HINT,
    )


@dataclass(frozen=True)
class ExportText:
    """An export file decoded: its bytes and text, encoding, first lines, modification time."""

    raw: bytes
    text: str
    encoding: str
    lines: list[str]
    mtime: float

    def body(self, line: int) -> memoryview:
        """UTF-8 bytes from line ``line`` (0-based) on, for the CSV reader. A UTF-8 file's bytes
        are sliced as they are, without a copy; only other encodings are encoded again."""
        utf8 = self.raw if self.encoding in ("utf-8", "utf-8-sig") else self.text.encode("utf-8")
        offset = 3 if self.encoding == "utf-8-sig" else 0
        for _ in range(line):
            offset = utf8.find(b"\n", offset) + 1
            if offset == 0:
                return memoryview(b"")
        return memoryview(utf8)[offset:]


def load_text(path: Path, encoding: str | None = None) -> ExportText:
    """Read and decode an export (``encoding``: the plan's, else detected; see ``decode``);
    a missing, unreadable or empty file (nothing, or white space alone) is an
    ``ExportError``. Lines ended by CR alone are read as lines."""
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ExportError(f"cannot read the file: {exc.strerror}", path=path) from exc
    text, encoding = decode(raw, path, encoding)
    if not text or text.isspace():
        raise ExportError("the file is empty", path=path)
    # Lines ended by CR alone (old Mac, Excel for Mac), all or only those of the preamble: as
    # LF, so that lines, the CSV reader and row numbers agree.
    if "\r" in _head(text).replace("\r\n", ""):
        text = re.sub(r"\r(?!\n)", "\n", text)
        raw = re.sub(rb"\r(?!\n)", b"\n", raw) if encoding.startswith("utf-8") else raw
    return ExportText(raw, text, encoding, head_lines(text), mtime)


def split_fields(line: str) -> tuple[list[str], str]:
    """Split one line into cells, guessing the delimiter: tab (Excel CSV), semicolon
    (European Excel) or comma, whichever the line has most of."""
    delimiter = max(("\t", ";", ","), key=line.count) if line else ","
    fields = next(csv.reader([line], delimiter=delimiter), [])
    return [f.strip() for f in fields], delimiter


def table_header(lines: list[str]) -> list[str] | None:
    """The header of a file that looks like a delimited table — a line of 2 or more short
    cells followed by a line with as many — else None. Only such names are quoted in errors:
    the lines of a file that is not an export (``/etc/passwd``, a letter) never are."""
    for line, following in itertools.pairwise(lines):
        names, delimiter = split_fields(line)
        short = len(names) >= 2 and all(0 < len(n) <= 60 for n in names)
        if short and len(cells(following, delimiter)) == len(cells(line, delimiter)):
            return names
    return None


def columns_found(lines: list[str]) -> str:
    """``; columns found: Day, Campaign…`` (12 names at most, each cut to 40 characters) when
    ``lines`` hold a table header (see ``table_header``), else nothing."""
    found = table_header(lines)
    if found is None:
        return ""
    return "; columns found: " + ", ".join(cut(n) for n in found[:12])


def _head(text: str) -> str:
    """The text of the first lines, where preambles and headers are."""
    end = 0
    for _ in range(HEADER_SEARCH_LINES):
        found = text.find("\n", end)
        if found < 0:
            return text
        end = found + 1
    return text[:end]


def head_lines(text: str) -> list[str]:
    """The first lines (without splitting the whole file), ended by LF as the CSV reader and
    row numbers count them: not by the other breaks ``str.splitlines`` knows (form feed,
    U+2028…), which a cell may hold."""
    lines = _head(text).split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


# A header name no export has, appended to the header: a row's cells beyond the header's
# land in it. And the number of cells of each row whose last cell is empty (it may be short),
# negated on the file's last row (a download cut short ends there); null on other rows.
EXTRA = "_perfmkt_cells_beyond_the_header"
CELLS = "_perfmkt_cells"
HELPERS = (EXTRA, CELLS)


def cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line, as the CSV reader splits them (quotes respected)."""
    return next(csv.reader([line], delimiter=delimiter), [])


def read_table(
    export: ExportText,
    header_line: int,
    delimiter: str,
    path: Path,
    columns: list[int] | None = None,
) -> pl.DataFrame:
    """Read the table that starts at ``header_line`` (0-based) as all-string columns; only
    ``columns`` (positions) when given — UI exports carry many columns pacing never reads.

    Adds ``row``: the 1-based line number of each data row in the file, for error messages
    and lineage (exact unless a quoted cell spans lines). Also adds what ``check_row_shapes``
    needs, which the caller runs once totals rows and footers are gone (``HELPERS``): a cell
    beyond the header's, and the cell count of each row whose last cell is empty.
    """
    header = export.lines[header_line] if header_line < len(export.lines) else ""
    if header.count('"') % 2:  # the header's last name would swallow the lines below
        raise _unclosed_quote(path, header_line + 1)
    width = len(cells(header, delimiter))
    wanted = None if columns is None else sorted({*columns, width - 1, width})
    head = (header + delimiter + EXTRA + "\n").encode("utf-8")
    source = b"".join((head, export.body(header_line + 1)))
    try:
        frame = pl.read_csv(
            io.BytesIO(source),
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            columns=wanted,
        )
    except pl.exceptions.PolarsError as exc:
        odd = _odd_quotes(_lines_below(export, header_line)).arg_true()
        if odd.len():
            raise _unclosed_quote(path, header_line + 2 + odd[0]) from exc
        message = str(exc).splitlines()[0][:120]
        raise ExportError(f"not a readable CSV table: {message}", path=path) from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    names = frame.columns
    # Blank lines come through as all-null rows: numbering them keeps line numbers exact.
    numbered = frame.with_row_index("row", offset=header_line + 2).with_columns(
        pl.col("row").cast(pl.Int64)
    )
    kept = numbered.filter(pl.any_horizontal(pl.col(names).is_not_null()))
    # A row cut short or split by another delimiter has its last cell missing: count the cells
    # of those rows (usually none or few) from their lines.
    last = names[-2] if len(names) >= 2 else names[-1]
    maybe_short = kept.select(pl.arg_where(pl.col(last).is_null())).to_series()
    if not maybe_short.len():
        return kept.with_columns(pl.lit(None, dtype=pl.Int32).alias(CELLS))
    counts = _cell_counts(export, header_line, delimiter, kept["row"].gather(maybe_short))
    if maybe_short[-1] == kept.height - 1:
        counts[-1] = -counts[-1]
    column = pl.repeat(None, kept.height, dtype=pl.Int32, eager=True).alias(CELLS)
    return kept.with_columns(column.scatter(maybe_short, counts))


def _unclosed_quote(path: Path, row: int) -> ExportError:
    return ExportError(
        'not a readable CSV table: a quote (") in this row does not close',
        path=path,
        row=row,
        hint="a quote inside a cell needs the whole cell quoted and the quote doubled: "
        '"Sale 50"" TV"',
    )


def _cell_counts(
    export: ExportText, header_line: int, delimiter: str, rows: pl.Series
) -> list[int]:
    """How many cells the records on lines ``rows`` have: the delimiters outside quotes."""
    records = record_lines(export, header_line, delimiter, rows)
    outside_quotes = records.str.replace_all(r'"[^"]*"', "")
    return (outside_quotes.str.count_matches(delimiter, literal=True) + 1).to_list()


def _lines_below(export: ExportText, header_line: int) -> pl.Series:
    """The lines below the header, split by polars (no Python string per line)."""
    return pl.Series([export.text]).str.split("\n").explode().slice(header_line + 1)


def _odd_quotes(lines: pl.Series) -> pl.Series:
    """Lines with an odd number of quotes: a quoted cell goes on to the next line (or a quote
    does not close)."""
    return lines.str.count_matches('"', literal=True) % 2 == 1


def record_lines(
    export: ExportText, header_line: int, delimiter: str, rows: pl.Series
) -> pl.Series:
    """The text of the records on lines ``rows`` (1-based, as in the ``row`` column), for the
    rows a check must look at whole. Lines are records unless a quoted cell spans lines (a line
    with an odd number of quotes); then the CSV module reads the records whole (slower, and
    rare) and writes each back on one line, its cells quoted as needed."""
    lines = _lines_below(export, header_line)
    index = rows.cast(pl.Int64) - (header_line + 2)
    if not _odd_quotes(lines).any():
        return lines.gather(index).str.strip_chars_end("\r")
    wanted = set(index.to_list())
    found: dict[int, str] = {}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="")
    body = io.StringIO("\n".join(lines))
    for number, record in enumerate(csv.reader(body, delimiter=delimiter)):
        if number in wanted:
            out.seek(0)
            out.truncate()
            writer.writerow(record)
            found[number] = out.getvalue()
            if len(found) == len(wanted):
                break
    return pl.Series([found.get(i, "") for i in index], dtype=pl.String)


def _delimiter_name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def check_row_shapes(
    table: pl.DataFrame, export: ExportText, header_line: int, delimiter: str, path: Path
) -> tuple[pl.DataFrame, list[str]]:
    """Rows that do not have the header's cells, then the table without the helper columns
    and the warnings to show. Run it after totals rows and footers are dropped (a copyright
    footer is one cell). Decided case by case, never guessed silently:

    - a row written with another delimiter (a ``;`` line in a ``,`` file) is one cell whose
      figures would vanish: an error.
    - the file's last line with fewer cells is a download cut short (an interrupted download,
      a file cut by hand; more rows are missing after it): an error.
    - a row with more cells (a delimiter inside an unquoted name) would read every figure
      after it from the wrong column: an error.
    - a row with fewer cells before the end: downloads are not cut in the middle, but a
      spreadsheet re-save drops the empty cells at the end of a line (Excel does): its missing
      cells are read as empty, as the spreadsheet meant, and a warning counts such rows.
    - a line of spaces is a blank line: left out like one.
    """
    width = len(cells(export.lines[header_line], delimiter))
    data = [c for c in table.columns if c not in ("row", *HELPERS)]
    first_cell = pl.col(data[0]) if data else pl.lit(None, dtype=pl.String)
    count = pl.col(CELLS).abs()
    flags = table.select(
        (count == 1).any().alias("one"),
        (count < width).any().alias("short"),
        pl.col(EXTRA).is_not_null().any().alias("long"),
    ).row(0, named=True)
    if not (flags["short"] or flags["long"]):
        return table.drop(HELPERS), []
    if flags["one"]:
        blank = (count == 1) & (first_cell.str.strip_chars().fill_null("") == "")
        table = table.filter(~blank.fill_null(False))
    short = table.filter(count < width)
    for row in short.filter(count == 1).iter_rows(named=True):
        value = str(row[data[0]] or "")
        other = max((d for d in ("\t", ";", ",") if d != delimiter), key=value.count)
        if len(cells(value, other)) >= min(width, 3):
            raise ExportError(
                f"this row is written with {_delimiter_name(other)} between cells, the header "
                f"with {_delimiter_name(delimiter)}: it reads as 1 of the header's {width} cells",
                path=path,
                row=row["row"],
                hint="export the file again, or write that line with the header's delimiter",
            )
    cut = short.filter(pl.col(CELLS) < 0)
    if cut.height:
        raise ExportError(
            f"the last row ends after {-cut[CELLS][0]} of the header's {width} cells: the file "
            "is cut short",
            path=path,
            row=cut["row"][0],
            hint="download the export again; an interrupted download ends like this",
        )
    long = table.filter(pl.col(EXTRA).is_not_null())
    if long.height:
        more = f" (and {long.height - 1} more rows)" if long.height > 1 else ""
        raise ExportError(
            f"this row has more cells than the header's {width}: a "
            f"{_delimiter_name(delimiter)} inside a cell that is not quoted?{more}",
            path=path,
            row=long["row"][0],
            hint="quote that cell, or download the export again",
        )
    warnings = []
    if short.height:
        first = short.row(0, named=True)
        rows = f"{short.height} rows have" if short.height > 1 else "1 row has"
        warnings.append(
            f"{rows} fewer cells than the header's {width} (first: row {first['row']}, "
            f"{first[CELLS]} cells): the cells missing at the end of the line are read as "
            "empty, as a spreadsheet that drops trailing empty cells means them"
        )
    return table.drop(HELPERS), warnings


def cut(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, the last an ellipsis when anything was left out."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = 40) -> str:
    """A cell quoted in an error message, cut to ``limit`` characters."""
    return repr(cut(str(value), limit))


def drop_totals_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Remove export totals rows (``Total: Campaigns``, ``Total: Conta``, TikTok's ``Total of
    141 results``) and copyright footers: they are never data.

    A totals row carries ``Total`` in one of its first cells; Google sums unrounded micros and
    ``Total: Account`` includes campaigns the table does not list, so we always sum the rows.
    """
    text_cols = [c for c in frame.columns if c != "row"][:3]
    if not text_cols:
        return frame
    # An anchored regex on the cells as they are: no copies of the columns on the way.
    is_total = pl.any_horizontal(pl.col(c).str.contains(TOTAL_ROW) for c in text_cols).fill_null(
        False
    )
    return frame.filter(~is_total)


# Shapes that tell a file's number format, searched in the cells as written (currency signs,
# spaces and percent signs around them do not matter): a thousands group then a decimal mark,
# two thousands groups, or a decimal part that cannot be a thousands group (1-2 or 4+ digits).
# "1,234" or "1.234" alone tell nothing.
_DOT_DECIMAL = r",\d{3}\.|,\d{3},|\.\d{1,2}(?:\D|$)|\.\d{4,}"
_COMMA_DECIMAL = r"\.\d{3},|\.\d{3}\.|,\d{1,2}(?:\D|$)|,\d{4,}"


def _clean(column: str) -> pl.Expr:
    """Strip spaces (also no-break and narrow no-break), currency signs and a percent sign."""
    return (
        pl.col(column)
        .str.replace_all(r"[\s\u00a0\u202f']", "")
        .str.replace_all(r"^(?:[A-Z]{3}|[$€£₫¥])|(?:%|[₫$€£]|[A-Z]{3}|đ)$", "")
    )


# The cheap casts of a 1,234.56 number cell, cheapest first: as written, stripped of the
# spaces around it, and without its thousands commas too. Where a cheaper one reads a cell, the
# dearer ones give the same number (a cell that casts as written has no spaces and no commas);
# a cell none reads (a currency sign, a percent, a no-value mark) is null: ``number_expr``'s.
AS_WRITTEN, STRIPPED, NO_COMMAS = 0, 1, 2


def quick_number(column: str, cast: int = STRIPPED) -> pl.Expr:
    """``column`` cast to numbers the ``cast`` way (``AS_WRITTEN``, ``STRIPPED``,
    ``NO_COMMAS``); null where that way does not read a cell."""
    cell = pl.col(column)
    if cast >= STRIPPED:
        cell = cell.str.strip_chars()
    if cast >= NO_COMMAS:
        cell = cell.str.replace_all(",", "", literal=True)
    return cell.cast(pl.Float64, strict=False)


def plain_columns(frame: pl.DataFrame, columns: list[str]) -> dict[str, pl.Series]:
    """Columns whose every cell casts to a number as it is (or is empty), with those numbers:
    they need no cleaning, which is most of the cells of most exports (Meta, TikTok), so the
    fast path matters. A cast is far cheaper than a regex over every cell."""
    if not columns or frame.is_empty():
        return {c: pl.Series(c, [], dtype=pl.Float64) for c in columns}
    cast = frame.select(quick_number(c).alias(str(i)) for i, c in enumerate(columns))
    return {
        c: cast[str(i)]
        for i, c in enumerate(columns)
        if cast[str(i)].null_count() == frame[c].null_count()
    }


def detect_number_format(
    frame: pl.DataFrame,
    columns: list[str],
    path: Path,
    plain: set[str] | dict[str, pl.Series] | None = None,
    default: str = "1,234.56",
) -> str | None:
    """Decide ``1,234.56`` or ``1.234,56`` from every number cell in the file at once.

    Returns None when no cell tells (``1.234`` alone could be either); a file holding both
    shapes is an error rather than a guess. Plain columns (digits and one dot) can only show a
    dot decimal; they are looked at only when that could change the answer: when other columns
    show decimal commas, or when the default is decimal commas.
    """
    if not columns or frame.is_empty():
        return None
    plain = set(plain_columns(frame, columns)) if plain is None else set(plain)
    others = [c for c in columns if c not in plain]
    dot = comma = False
    if others:
        checks = [pl.col(c).str.contains(_DOT_DECIMAL).any() for c in others]
        checks += [pl.col(c).str.contains(_COMMA_DECIMAL).any() for c in others]
        flags = frame.select(e.alias(str(i)) for i, e in enumerate(checks)).row(0)
        dot, comma = any(flags[: len(others)]), any(flags[len(others) :])
    plain_cols = [c for c in columns if c in plain]
    if plain_cols and not dot and (comma or default == "1.234,56"):
        dot = frame.select(
            pl.any_horizontal(pl.col(c).str.contains(_DOT_DECIMAL).any() for c in plain_cols)
        ).item()
    if dot and comma:
        (dot_row, dot_col), (comma_row, comma_col) = (
            _first_cell(frame, columns, shape) for shape in (_DOT_DECIMAL, _COMMA_DECIMAL)
        )
        # The later of the two is the cell that contradicts the file: the error points at it.
        at_comma = (comma_row or 0) >= (dot_row or 0)
        raise ExportError(
            "numbers are written both as 1,234.56 and as 1.234,56 "
            f"({dot_col} row {dot_row}: 1,234.56; {comma_col} row {comma_row}: 1.234,56)",
            path=path,
            row=comma_row if at_comma else dot_row,
            column=comma_col if at_comma else dot_col,
            hint="correct that cell, or set `number_format:` for this source in the plan",
        )
    if dot:
        return "1,234.56"
    if comma:
        return "1.234,56"
    return None


def _first_cell(frame: pl.DataFrame, columns: list[str], shape: str) -> tuple[int | None, str]:
    """The first (row, column) whose cell has ``shape``; rows as the file numbers them when
    the frame carries them."""
    rows = frame["row"] if "row" in frame.columns else pl.Series(range(1, frame.height + 1))
    found: list[tuple[int, str]] = []
    for c in columns:
        first = rows.filter(frame[c].str.contains(shape).fill_null(False)).min()
        if isinstance(first, int):  # None: no cell of c has the shape
            found.append((first, c))
    return min(found, key=lambda f: f[0]) if found else (None, "")


def number_expr(column: str, number_format: str = "1,234.56", plain: bool = False) -> pl.Expr:
    """Parse a number cell (``1,234.56`` or ``1.234,56`` style, ``$1,234``, ``12%``, `` --``).
    ``plain`` columns (digits and a dot only) in a 1,234.56 file are cast directly."""
    if plain and number_format == "1,234.56":
        return quick_number(column)
    cleaned = _clean(column)
    if number_format == "1.234,56":
        cleaned = cleaned.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        cleaned = cleaned.str.replace_all(",", "", literal=True)
    return (
        pl.when(pl.col(column).str.strip_chars().is_in(NO_VALUE) | pl.col(column).is_null())
        .then(None)
        .otherwise(cleaned.cast(pl.Float64, strict=False))
    )


def parse_numbers(
    frame: pl.DataFrame,
    columns: dict[str, str],
    path: Path,
    number_format: str,
    plain: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """Cast source columns to numbers under their unified names; a bad cell is an error.

    ``columns`` maps unified name -> source header; ``plain`` holds the columns already cast
    by ``plain_columns`` (reused as they are in a 1,234.56 file).
    """
    plain = plain or {}
    ready = number_format == "1,234.56"
    exprs = []
    for name, src in columns.items():
        if ready and src in plain:
            exprs.append(pl.lit(plain[src]).alias(name))
        elif ready:
            # "1,234.56": dropping the thousands commas is usually all it takes; the full
            # cleaning (currency signs, percent, spaces) only when that leaves new nulls.
            quick = frame.select(quick_number(src, NO_COMMAS)).to_series()
            if quick.null_count() == frame[src].null_count():
                exprs.append(pl.lit(quick).alias(name))
            else:
                exprs.append(number_expr(src, number_format).alias(name))
        else:
            exprs.append(number_expr(src, number_format).alias(name))
    parsed = frame.with_columns(exprs)

    def bad(name: str, src: str) -> pl.Expr:
        return (
            pl.col(name).is_null()
            & pl.col(src).is_not_null()
            & ~pl.col(src).str.strip_chars().is_in(NO_VALUE)
        )

    # A cell failed only where parsing made a null of something: null counts are free.
    suspects = {n: s for n, s in columns.items() if parsed[n].null_count() > parsed[s].null_count()}
    checks = [bad(name, src) for name, src in suspects.items()]
    if checks and parsed.select(pl.any_horizontal(checks).any()).item():
        for name, src in suspects.items():
            wrong = parsed.filter(bad(name, src))
            if wrong.height:
                first = wrong.row(0, named=True)
                raise ExportError(
                    f"expected a number, found {shown(first[src])}",
                    path=path,
                    row=first["row"],
                    column=src,
                )
    _check_finite(parsed, columns, path)
    return parsed


def _check_finite(parsed: pl.DataFrame, columns: dict[str, str], path: Path) -> None:
    """``inf``, ``NaN`` or ``1e999`` cast to floats without complaint: they are an error, never
    a figure (an export holds amounts and counts; a sum with one infinity is infinity)."""
    if parsed.is_empty() or not columns:
        return
    # A sum is finite when every cell is (or overflows: then the cells are checked one by one).
    unique = {src: name for name, src in columns.items()}
    sums = parsed.select(pl.col(n).sum().alias(n) for n in unique.values()).row(0, named=True)
    for src, name in unique.items():
        if math.isfinite(sums[name]):
            continue
        if parsed.select((pl.col(name).is_infinite() | pl.col(name).is_nan()).any()).item():
            first = parsed.filter(pl.col(name).is_infinite() | pl.col(name).is_nan()).row(
                0, named=True
            )
            raise ExportError(
                f"expected a finite number, found {shown(first[src])}",
                path=path,
                row=first["row"],
                column=src,
            )


def _slash_order(
    values: pl.Series, rows: pl.Series, path: Path, column: str, hint: str | None
) -> str | None:
    """``day_first`` or ``month_first`` for a column of 01/03/2026-style dates, read whole
    (``rows``: each value's row, to name one that is no date either way)."""
    parts = values.str.extract_groups(SLASH_DATE)
    first = parts.struct.field("1").cast(pl.Int32, strict=False)
    second = parts.struct.field("2").cast(pl.Int32, strict=False)
    neither = (first > 12) & (second > 12)  # 31/31/2026: not a mix of orders, not a date
    if neither.any():
        at = int(neither.arg_true()[0])
        raise ExportError(
            f"expected a date like 2026-01-05, found {shown(values[at])}",
            path=path,
            row=rows[at],
            column=column,
        )
    day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
    if day_first and month_first:
        raise ExportError(
            "dates are written both day-first and month-first",
            path=path,
            column=column,
            hint="check the export; the plan's `date_order:` cannot fix mixed dates",
        )
    if day_first:
        return "day_first"
    if month_first:
        return "month_first"
    return hint


def _check_no_blank_day(frame: pl.DataFrame, present: pl.Series, source: str, path: Path) -> None:
    """A row without its day would be left out of every period: an error naming it."""
    if present.all():
        return
    if not present.any():
        raise ExportError("the date column is empty", path=path, column=source)
    raise ExportError(
        "expected a date like 2026-01-05, found an empty cell",
        path=path,
        row=frame.filter(~present)["row"][0],
        column=source,
        hint="every row needs its day: fill it in, or remove the row",
    )


def parse_dates(
    frame: pl.DataFrame, source: str, path: Path, date_order: str | None = None
) -> pl.Series:
    """Parse a date column with the first format that fits every non-empty cell.

    Slash dates (01/03/2026) are read day-first or month-first as the whole column shows (a
    13th day somewhere decides); when no cell decides, ``date_order`` (from the plan, or the
    export's UI language) does, and without it the file is refused rather than guessed.
    """
    # Most exports write ISO days: one cast, and done when every cell parses.
    iso = frame[source].str.to_date("%Y-%m-%d", strict=False)
    if iso.null_count() == frame[source].null_count():
        _check_no_blank_day(frame, frame[source].is_not_null(), source, path)
        return iso
    values = frame[source].str.strip_chars()
    # Dates may come with a time part ("2026-01-05 00:00:00"); the day is what we pace.
    values = values.str.replace(r"(?:T|\s)\d{1,2}:\d{2}(:\d{2})?.*$", "")
    present = values.is_not_null() & (values != "")
    _check_no_blank_day(frame, present, source, path)
    formats = list(DATE_FORMATS)
    if values.filter(present).str.contains(SLASH_DATE).all():
        order = _slash_order(
            values.filter(present), frame["row"].filter(present), path, source, date_order
        )
        if order is None:
            example = values.filter(present)[0]
            raise ExportError(
                f"dates such as {shown(example)} could be day-first or month-first and no day "
                "after the 12th decides",
                path=path,
                column=source,
                hint="set `date_order: day_first` (or month_first) for this source in the plan",
            )
        normalized = values.str.replace_all(r"[.]", "/")
        formats = ["%d/%m/%Y" if order == "day_first" else "%m/%d/%Y"]
        values = normalized
    best: pl.Series | None = None
    for fmt in formats:
        parsed = values.str.to_date(fmt, strict=False)
        failures = int((present & parsed.is_null()).sum())
        if failures == 0:
            return parsed
        if best is None or failures < int((present & best.is_null()).sum()):
            best = parsed
    assert best is not None
    first_bad = frame.filter(present & best.is_null()).row(0, named=True)
    raise ExportError(
        f"expected a date like 2026-01-05, found {shown(first_bad[source])}",
        path=path,
        row=first_bad["row"],
        column=source,
    )


CURRENCY_IN_HEADER = re.compile(r"\(([A-Z]{3})\)\s*$")


def currency_from_header(header: str) -> str | None:
    """``Amount spent (VND)`` -> ``VND``."""
    match = CURRENCY_IN_HEADER.search(header)
    return match.group(1) if match else None
