"""Read one export straight to campaign-days in one lazy query: the fast path of a first run.

``read_export`` reads a file eagerly and checks it in separate passes (totals rows, number
format, bad cells, dates, signs), then ``load.campaign_days`` sums it. Here one query over
``scan_csv`` does the parsing, the sum by campaign-day and, as aggregates of the same pass,
every whole-file check: per group, whether any row needs a look (a cell that does not parse,
a decimal-comma shape, a negative amount, a day that is not ISO, a cell beyond the header…),
its row count, and what the notes need (first and last rows, attribution settings).

When a check says a file needs a look, or the file is of a kind this path does not read
(decimal commas, Meta's ``Results``, a repeated header, lines ended by CR alone…), the file is
read again by ``read_export``, whose errors and warnings are then the user's: the fast path
never words an error, so it cannot word one differently. That path is rare, and exact.
"""

from __future__ import annotations

import codecs
import io
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from perfmkt.errors import PerfmktError
from perfmkt.metrics import MEASURES, sum_or_null
from perfmkt.schema import FACTS_SCHEMA
from perfmkt.sources.base import TEXT_FIELDS, ExportFormat, ReadOptions, Stated, parse_day
from perfmkt.sources.parsing import (
    _COMMA_DECIMAL,
    AS_WRITTEN,
    BOM_UTF8,
    EXTRA,
    NO_COMMAS,
    STRIPPED,
    TOTAL_ROW,
    _head,
    cells,
    head_lines,
    quick_number,
    text_codec,
)
from perfmkt.sources.reader import (
    ADJUSTABLE,
    FORMATS,
    NO_DATA_MARKERS,
    NON_NEGATIVE,
    SCIENTIFIC_ID,
    SKIPPED_MARKER,
    SKIPPED_NO_CAMPAIGN,
    SKIPPED_TOTALS,
    FileRead,
    _positions,
    checked_range,
    clean_ids,
    currency_source,
    detect,
    detected_by,
    export_level,
    read_export,
)
from perfmkt.sources.transcode import is_valid_utf8, transcode

# Row kinds, in the order read_export leaves rows out: a 'No data' marker, a totals row or
# footer, a row without a campaign name; KEPT rows are data.
MARKER, TOTAL, NO_CAMPAIGN, KEPT = 0, 1, 2, 3


def read_campaign_days(
    path: Path, options: ReadOptions | None = None
) -> tuple[pl.DataFrame, FileRead]:
    """``load.campaign_days(read_export(path, options))``, in one pass over the file when it
    reads cleanly; the same frame and ``FileRead`` either way."""
    options = options or ReadOptions()
    with _Scratch() as scratch:
        source = _open(path, options, scratch)
        found = _fast(path, options, source) if source is not None else None
    if found is not None:
        return found
    from perfmkt.sources.load import campaign_days  # load imports this module

    frame, info = read_export(path, options)
    return campaign_days(frame), info


class _Scratch:
    """A temporary folder for a transcoded copy, made only when one is written."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(self, *_: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()

    def __truediv__(self, name: str) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="perfmkt-")
        return Path(self._folder.name) / name


@dataclass(frozen=True)
class Source:
    """An export ready for ``scan_csv``: UTF-8 bytes in ``scan`` (the file itself, or its
    transcoded copy), its first lines, and what ``FileRead`` says of it."""

    scan: Path
    encoding: str
    lines: list[str]
    mtime: float


def _head_text(path: Path, skip: int) -> str | None:
    """The text of the first lines of a UTF-8 file (``skip``: a byte-order mark's bytes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    text = ""
    with path.open("rb") as handle:
        handle.seek(skip)
        while block := handle.read(1 << 16):
            try:
                text += decoder.decode(block)
            except UnicodeDecodeError:
                return None
            if len(_head(text)) < len(text):  # the header search's lines are all in
                return text
    return text


def _open(path: Path, options: ReadOptions, scratch: _Scratch | Path) -> Source | None:
    """The export as UTF-8 for the scan, or None when ``read_export`` must read it (it says
    what is wrong, or reads what this path does not)."""
    if options.platform is not None and options.platform not in FORMATS and not options.columns:
        return None
    try:
        mtime = path.stat().st_mtime
        with path.open("rb") as handle:
            codec = text_codec(handle.read(8192), path, options.encoding)  # decode's choice
    except (OSError, PerfmktError):
        return None
    scan = path
    if codec.startswith("utf-8"):
        if not is_valid_utf8(path):
            return None
    else:
        scan = scratch / "utf-8.csv"
        normalize = bool(options.encoding) and not codec.startswith(("utf-16", "utf-32"))
        try:
            with scan.open("wb") as target:
                transcode(path, codec, target, normalize)
        except (UnicodeError, OSError):  # read_export says where
            return None
    skip = len(BOM_UTF8) if codec == "utf-8-sig" else 0
    text = _head_text(scan, skip)
    if text is None or not _head(text).strip():
        return None  # an empty file: read_export says so
    if "\r" in _head(text).replace("\r\n", ""):
        return None  # lines ended by CR alone: read_export rewrites them
    return Source(scan, codec, head_lines(text), mtime)


def _header_names(header: str, delimiter: str) -> list[str]:
    """The column names polars gives the header (with ``EXTRA`` appended), as read_table.
    Unquoted, distinct, non-empty names are the cells as written; polars names the others."""
    names = cells(header, delimiter)
    if '"' not in header and all(names) and len(set(names)) == len(names):
        return [n.strip() for n in [*names, EXTRA]]
    head = (header + delimiter + EXTRA + "\n").encode("utf-8")
    names = pl.read_csv(io.BytesIO(head), separator=delimiter, infer_schema=False).columns
    return [n.strip() for n in names]


@dataclass(frozen=True)
class Shape:
    """What the header says: the columns to read and what each feeds."""

    fmt: ExportFormat
    header_line: int
    delimiter: str
    names: list[str]  # every column of the file, EXTRA last
    selected: list[str]  # the columns read_table reads
    text: dict[str, str | None]
    found: dict[str, str]
    date_col: str
    end_col: str | None  # set when a row's day is its range start: it must equal this
    stated: Stated
    range_cols: tuple[str, str] | None  # Meta's start/end columns, when the preamble is silent
    announced: int | None


def _shape(path: Path, options: ReadOptions, source: Source) -> Shape | None:
    lines = source.lines
    try:
        fmt, header_line, delimiter = detect(lines, path, options)
    except PerfmktError:
        return None
    if options.columns and fmt.platform in FORMATS:
        fmt = replace(fmt, columns={**fmt.columns, **{k: (v,) for k, v in options.columns.items()}})
    if lines[header_line].count('"') % 2:
        return None  # a quote that does not close: read_export's error
    width = len(cells(lines[header_line], delimiter))
    try:
        names = _header_names(lines[header_line], delimiter)
    except pl.exceptions.PolarsError:
        return None
    if len(names) != width + 1 or len(set(names)) != len(names):
        return None
    wanted = sorted({*_positions(fmt, lines[header_line]), width - 1, width})
    selected = [names[i] for i in wanted]
    if any("_duplicated_" in n for n in selected):
        return None  # a repeated header: read_export compares the twins
    header = [c for c in selected if c != EXTRA]
    text = {name: fmt.pick(header, name) for name in TEXT_FIELDS}
    date_col = fmt.pick(header, "date")
    found = {m: src for m in MEASURES if (src := fmt.pick(header, m)) is not None}
    stated_format = options.number_format
    decimal_comma = stated_format == "1.234,56" or (not stated_format and fmt.is_localized(header))
    if (
        (text["campaign"] is None and text["ad_group"] is None)
        or date_col is None
        or "spend" not in found
        or fmt.pick(header, "results")  # Meta's Results: read_export decides what it counts
        or decimal_comma
    ):
        return None
    if not _iso_days(lines[header_line + 1 :], delimiter, names.index(date_col)):
        return None  # slash or dotted days: read_export decides their order
    start_col, end_col = fmt.pick(header, "date_start"), fmt.pick(header, "date_end")
    stated = fmt.stated(lines[:header_line]) if fmt.stated else Stated()
    range_cols = None
    if stated.range_start is None and start_col and end_col:
        range_cols = (start_col, end_col)
    return Shape(
        fmt=fmt,
        header_line=header_line,
        delimiter=delimiter,
        names=names,
        selected=selected,
        text=text,
        found=found,
        date_col=date_col,
        end_col=end_col if end_col and date_col == start_col else None,
        stated=stated,
        range_cols=range_cols,
        announced=fmt.announced_rows(lines[:header_line]) if fmt.announced_rows else None,
    )


def _iso_days(lines: list[str], delimiter: str, at: int) -> bool:
    """Whether the days in the data lines among the first lines read are ISO (or blank, or
    not a day at all, as a totals row's): a file of 03/01/2026 days would scan in vain."""
    for line in lines:
        row = cells(line, delimiter)
        day = row[at].strip() if at < len(row) else ""
        if day[:1].isdigit() and not ISO_DAY.match(day):
            return False
    return True


ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d(?:$|[ T])")


def _tiers(shape: Shape, lines: list[str]) -> dict[str, int]:
    """Each number column's cast (``parsing.quick_number``): the cheapest the data lines among
    the first lines read allow. ``_fast`` reads again at NO_COMMAS, as ``parse_numbers`` reads
    1,234.56 files, if a later cell then fails."""
    sample = [cells(line, shape.delimiter) for line in lines[shape.header_line + 1 :]]
    tiers = {}
    for src in set(shape.found.values()):
        at = shape.names.index(src)
        seen = [row[at] for row in sample if at < len(row)]
        tiers[src] = (
            NO_COMMAS
            if any("," in c for c in seen)
            else STRIPPED
            if any(c != c.strip() for c in seen)
            else AS_WRITTEN
        )
    return tiers


def _query(
    shape: Shape, source: Source, options: ReadOptions, path: Path, tiers: dict[str, int]
) -> pl.LazyFrame:
    """Rows parsed and summed by campaign-day and row kind, with each group's checks."""
    text, found = shape.text, shape.found
    scan = pl.scan_csv(
        source.scan,
        has_header=False,
        separator=shape.delimiter,
        skip_lines=shape.header_line + 1,
        schema=dict.fromkeys(shape.names, pl.String),
        truncate_ragged_lines=True,
        missing_columns="insert",
    )
    rows = (
        scan.select(shape.selected)
        .with_row_index("row", offset=shape.header_line + 2)
        .with_columns(pl.col("row").cast(pl.Int64))
        # Blank lines come through as all-null rows: numbered, then left out.
        .filter(pl.any_horizontal(pl.col(shape.selected).is_not_null()))
    )
    is_total = pl.any_horizontal(pl.col(c).str.contains(TOTAL_ROW) for c in shape.selected[:3])
    kinds = (
        pl.when(pl.col(shape.selected[0]).fill_null("").is_in(NO_DATA_MARKERS))
        .then(MARKER)
        .when(is_total.fill_null(False))
        .then(TOTAL)
    )
    if text["campaign"]:
        campaign = pl.col(text["campaign"])
        has_name = campaign.is_not_null() & (campaign.str.strip_chars() != "")
        kinds = kinds.when(~has_name).then(NO_CAMPAIGN)
    kind = kinds.otherwise(KEPT)

    sources = sorted(set(found.values()))
    value = {src: f"_value_{i}" for i, src in enumerate(sources)}
    day = pl.col(shape.date_col).str.to_date("%Y-%m-%d", strict=False)
    doubts = [day.is_null()]  # a blank day, or one that is not ISO
    # A cell that did not cast: maybe one a dearer cast reads, the only doubt worth a second
    # scan. (A no-value mark such as " --" is one too, and goes to read_export: telling it
    # apart on every cell cost 20 % of the pass, and platforms write them in ratio columns.)
    unparsed = pl.any_horizontal(
        pl.col(value[src]).is_null() & pl.col(src).is_not_null() for src in sources
    ).fill_null(False)
    doubts.append(unparsed)
    for src in sources:
        # A decimal-comma shape puts the file's format in doubt; all but "1.234.567" (which
        # casts no way) hold a comma, so columns cast with their commas cannot show one.
        if not options.number_format and tiers[src] == NO_COMMAS:
            doubts.append(pl.col(src).str.contains(_COMMA_DECIMAL))
    signed = {found[m] for m in (*NON_NEGATIVE, *ADJUSTABLE) if m in found}
    doubts += [pl.col(value[src]) < 0 for src in sorted(signed)]
    if shape.end_col:
        doubts.append(pl.col(shape.date_col) != pl.col(shape.end_col))
    if text["campaign_id"]:
        doubts.append(pl.col(text["campaign_id"]).str.contains(SCIENTIFIC_ID))
    # A row cut short has its last cell missing (the cells are counted afterwards, from its
    # line); a row with more cells than the header fills EXTRA.
    last = shape.selected[-2]
    short = pl.col(last).is_null() & (pl.col("_kind") >= NO_CAMPAIGN)
    doubt = (pl.col("_kind") == KEPT) & pl.any_horizontal(d.fill_null(False) for d in doubts)
    doubt = doubt | ((pl.col("_kind") >= NO_CAMPAIGN) & pl.col(EXTRA).is_not_null())

    # Keys read from columns are grouped by; the others are constants, added after the sum.
    keys: dict[str, pl.Expr] = {"date": day}
    constants: dict[str, pl.Expr] = {}
    for name in ("account", "campaign"):
        column = text[name]
        if column:
            keys[name] = pl.col(column).str.strip_chars().fill_null("")
        else:
            constants[name] = pl.lit("")
    if text["campaign_id"]:
        keys["campaign_id"] = clean_ids(text["campaign_id"])
    else:
        constants["campaign_id"] = pl.lit(None, dtype=pl.String)
    currency, _ = currency_source(text, found, options)
    (keys if text["currency"] else constants)["currency"] = currency

    parsed = rows.with_columns(
        kind.alias("_kind"), *[quick_number(src, tiers[src]).alias(value[src]) for src in sources]
    ).with_columns(
        *[expr.alias(name) for name, expr in keys.items()],
        doubt.alias("_doubt"),
        ((pl.col("_kind") == KEPT) & unparsed).alias("_unparsed"),
        short.alias("_short"),
    )
    checks = [
        pl.len().alias("_rows"),
        pl.col("_doubt").any().alias("_doubt"),
        pl.col("_unparsed").any().alias("_unparsed"),
        pl.col("row").max().alias("_last_row"),
        pl.col("_short").any().alias("_any_short"),
        pl.col("row").filter(pl.col("_short")).alias("_short_rows"),
    ]
    if shape.range_cols:
        checks += [
            pl.col(shape.range_cols[0]).min().alias("_range_start"),
            pl.col(shape.range_cols[1]).max().alias("_range_end"),
        ]
    attribution = shape.fmt.pick([c for c in shape.selected if c != EXTRA], "attribution")
    if attribution:
        checks.append(pl.col(attribution).drop_nulls().unique().alias("_attribution"))
    measures = {
        m: pl.col(value[found[m]]) if m in found else pl.lit(None, dtype=pl.Float64)
        for m in MEASURES
    }
    return (
        parsed.group_by([*keys, "_kind"], maintain_order=True)
        .agg(*[sum_or_null(value[src]) for src in sources], pl.col("row").min(), *checks)
        .with_columns(
            *[expr.alias(name) for name, expr in constants.items()],
            *[expr.alias(m) for m, expr in measures.items()],
            pl.lit(shape.fmt.platform).alias("platform"),
            pl.lit("").alias("ad_group"),
            pl.lit(str(path)).alias("source_file"),
        )
    )


def _short_cells(scan: Path, rows: list[int], last_row: int, delimiter: str) -> list[int] | None:
    """The cell count of the lines ``rows`` (1-based), as ``parsing._cell_counts`` counts
    them; None when a line holds a quote, or when the file has more lines than records (a
    quoted cell spans lines, so row numbers are not line numbers): read_export reads those
    records whole. Counted with numpy over the bytes: Meta leaves a row's last cell empty
    wherever it has no purchases, so this runs on many files."""
    import numpy as np

    data = np.frombuffer(scan.read_bytes(), dtype=np.uint8)
    breaks = np.flatnonzero(data == ord("\n"))
    lines = len(breaks) + (1 if len(data) and data[-1] != ord("\n") else 0)
    if lines != last_row:
        return None
    ends = np.append(breaks, len(data))
    wanted = np.asarray(rows, dtype=np.int64) - 1
    starts = np.where(wanted > 0, ends[wanted - 1] + 1, 0)
    stops = ends[wanted]

    def per_line(byte: str) -> np.ndarray:
        at = np.flatnonzero(data == ord(byte))
        return np.searchsorted(at, stops) - np.searchsorted(at, starts)

    if per_line('"').any():
        return None
    return (per_line(delimiter) + 1).tolist()


def _fast(path: Path, options: ReadOptions, source: Source) -> tuple[pl.DataFrame, FileRead] | None:
    shape = _shape(path, options, source)
    if shape is None:
        return None
    tiers = _tiers(shape, source.lines)
    try:
        groups = _query(shape, source, options, path, tiers).collect()
        if groups["_unparsed"].any() and min(tiers.values()) < NO_COMMAS:
            tiers = dict.fromkeys(tiers, NO_COMMAS)  # a cell the first lines did not foresee
            groups = _query(shape, source, options, path, tiers).collect()
    except pl.exceptions.PolarsError:
        return None
    kept = groups.filter(pl.col("_kind") == KEPT)
    if kept.is_empty() or groups["_doubt"].any():
        return None
    width = len(shape.names) - 1
    short_rows = sorted(groups["_short_rows"].explode().drop_nulls().to_list())
    if short_rows:
        last_row: int = groups["_last_row"].max()  # type: ignore[assignment]
        counts = _short_cells(source.scan, short_rows, last_row, shape.delimiter)
        if counts is None or min(counts) < width:
            return None
    measures = [m for m in MEASURES if m in shape.found]
    sums = kept.select(pl.col(m).is_finite().all() for m in measures).row(0)
    if not all(ok is not False for ok in sums):
        return None
    counted = dict(groups.group_by("_kind").agg(pl.col("_rows").sum()).iter_rows())
    data_rows = counted.get(NO_CAMPAIGN, 0) + counted.get(KEPT, 0)
    if shape.announced is not None and shape.announced != data_rows:
        return None
    level = export_level(shape.text)
    if level == "campaign":  # a campaign-day on two rows: read_export compares their lines
        key = ["account", "campaign", "campaign_id", "date"]
        if (kept["_rows"] > 1).any() or kept.select(pl.struct(key).is_duplicated().any()).item():
            return None
    stated = _stated(shape, groups)
    if stated is None:
        return None

    facts = kept.select(FACTS_SCHEMA.keys()).cast(FACTS_SCHEMA)  # type: ignore[arg-type]
    first_day, last_day = facts["date"].min(), facts["date"].max()
    warnings: list[str] = []
    stated = checked_range(stated, first_day, last_day, warnings)  # type: ignore[arg-type]
    skipped = {}
    for kind, reason in (
        (MARKER, SKIPPED_MARKER),
        (TOTAL, SKIPPED_TOTALS),
        (NO_CAMPAIGN, SKIPPED_NO_CAMPAIGN),
    ):
        if counted.get(kind):
            skipped[reason] = counted[kind]
    attribution: list[str] = []
    if "_attribution" in kept.columns:
        attribution = sorted(kept["_attribution"].explode().drop_nulls().unique().to_list())
    info = FileRead(
        path=str(path),
        platform=shape.fmt.platform,
        label=shape.fmt.label,
        detected_by=detected_by(options, shape.header_line),
        encoding=source.encoding,
        level=level,
        rows_read=counted[KEPT],
        mtime=source.mtime,
        columns_used=_columns_used(shape, options),
        number_format=options.number_format or "1,234.56",
        skipped=skipped,
        first_day=first_day,  # type: ignore[arg-type]
        last_day=last_day,  # type: ignore[arg-type]
        attribution=attribution,
        **vars(stated),
        warnings=warnings,
    )
    return facts, info


def _stated(shape: Shape, groups: pl.DataFrame) -> Stated | None:
    """The range the export states, as ``reader._stated_range`` reads it (None: ask it)."""
    if shape.range_cols is None:
        return shape.stated
    rows = groups.filter(pl.col("_kind") >= NO_CAMPAIGN)
    first, last = rows["_range_start"].min(), rows["_range_end"].max()
    start = parse_day(str(first or ""), ("%Y-%m-%d",))
    end = parse_day(str(last or ""), ("%Y-%m-%d",))
    if start is None or end is None:
        return None
    start_col, end_col = shape.range_cols
    return replace(
        shape.stated, range_start=start, range_end=end, range_from=f"{start_col}/{end_col} columns"
    )


def _columns_used(shape: Shape, options: ReadOptions) -> dict[str, str]:
    """Which column fed which field, in read_export's order."""
    used = {"date": shape.date_col}
    used.update({k: v for k, v in shape.text.items() if v and k != "ad"})
    used.update({m: s for m, s in shape.found.items() if m not in used})
    _, currency_from = currency_source(shape.text, shape.found, options)
    if currency_from:
        used["currency"] = currency_from
    return used
