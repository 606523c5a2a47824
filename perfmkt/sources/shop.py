"""The shop's own truth: order exports and lead/CRM exports (lead id, date, source, stage).

Orders exports are recognised by their header, no plan option needed: Shopify's orders
export, Shopee's, TikTok Shop's and Lazada's (``marketplaces``), Shopify Analytics' Sales over
time and Sales by product by day (``shopify_analytics``); any other CSV or workbook is read
through the plan's ``columns:`` map. Every order placed is a row, counted once (line items
after the first are not orders), on the day it was placed in the plan's time zone — a return
or cancellation that comes later, even after the flight, stays on that day. Each order says
how it ended (``outcome``): placed figures count every order, net figures leave out the
cancelled, returned and failed deliveries and take partial refunds off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.sources.base import ShopOptions
from perfmkt.sources.marketplaces import (
    is_lazada,
    is_shopee,
    is_tiktok_shop,
    read_lazada,
    read_shopee,
    read_tiktok_shop,
)
from perfmkt.sources.outcomes import NOT_NET, OUTCOMES, is_cod, status_outcome
from perfmkt.sources.parsing import parse_dates, shown
from perfmkt.sources.sheet import Parsed, Sheet, parse_amounts, read_sheet
from perfmkt.sources.shopify_analytics import analytics_shape, read_shopify_analytics

# One row per order (or, from exports that only total a day, one row per day with a null
# order_id). Placed = every order as placed; net = less cancelled, returned and failed
# deliveries (and refunds). ``outcome`` says which way an order went (see OUTCOMES).
ORDERS_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "order_id": pl.String(),
    "orders": pl.Float64(),  # placed orders the row stands for; null: the export cannot count
    "revenue": pl.Float64(),  # placed revenue
    "net_orders": pl.Float64(),  # 1 or 0 for an order; null when the export does not say
    "net_revenue": pl.Float64(),  # revenue less what was cancelled, returned or refunded
    "outcome": pl.String(),  # one of OUTCOMES; null for a day's total
    "cod": pl.Boolean(),  # paid cash on delivery; null when unknown
    "status": pl.String(),
    "source": pl.String(),
    "new_customer": pl.Boolean(),
    "currency": pl.String(),
    "source_file": pl.String(),
    "row": pl.Int64(),
}

LEADS_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "lead_id": pl.String(),
    "source": pl.String(),
    "stage": pl.String(),
    "source_file": pl.String(),
    "row": pl.Int64(),
}

# How an order ended (so far): completed and open orders are net; the rest are not.
__all__ = ["NOT_NET", "OUTCOMES"]

# Lead funnel stages in order; a lead at a later stage has passed the earlier ones.
FUNNEL = ("lead", "mql", "sal", "won")

SHOPIFY_COLUMNS = {
    "order_id": "Name",
    "date": "Created at",
    "status": "Financial Status",
    "source": "Source",
    "currency": "Currency",
    "cancelled": "Cancelled at",
}


@dataclass
class ShopRead:
    path: str
    kind: str
    label: str
    rows_read: int
    columns_used: dict[str, str]
    skipped: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    warnings: list[str] = field(default_factory=list)
    mtime: float = 0.0  # when it was downloaded, unless copied since (the partial-day rule)
    # Which export this is: "orders" (one row per order) or a day-totals shape such as
    # "shopify_sales_over_time"; re-downloads of one shape replace each other day by day.
    shape: str = "orders"
    # Why this export's orders must not be paced (its order counts are not orders), or None.
    orders_refused: str | None = None


EXPECTED_ORDERS = (
    "Shopify's orders export (Name, Created at, Total…), Shopee's (Mã đơn hàng, Ngày đặt "
    "hàng, Trạng Thái Đơn Hàng…), TikTok Shop's (Order ID, Created Time, Order Amount…), "
    "Lazada's (orderNumber, createTime, paidPrice…), or Shopify Analytics' Sales over time or "
    "Sales by product by day (Day, Orders, Net sales…)"
)


def is_shopify(sheet: Sheet) -> bool:
    return sheet.has("Name", "Created at") and sheet.pick("Total", "Subtotal") is not None


def looks_like_orders(path: Path, encoding: str | None = None) -> bool:
    """True when ``path`` has the header of an orders export perfmkt recognises; False for
    any other file, or one that cannot be read (its reader says why)."""
    try:
        sheet = read_sheet(path, encoding, header_only=True)
    except ExportError:
        return False
    return (
        is_shopify(sheet)
        or is_shopee(sheet)
        or is_tiktok_shop(sheet)
        or is_lazada(sheet)
        or analytics_shape(sheet) is not None
    )


def _day(frame: pl.DataFrame, column: str, path: Path, options: ShopOptions) -> pl.Series:
    """Each row's day; a timestamp with an offset becomes its day in the plan's time zone."""
    values = frame[column].str.strip_chars()
    with_offset = values.str.contains(r"\d{1,2}:\d{2}(:\d{2})?\s*[+-]\d{2}:?\d{2}$")
    if options.timezone and with_offset.all():
        stamps = values.str.replace(r"\s*([+-]\d{2}):?(\d{2})$", " $1$2").str.to_datetime(
            "%Y-%m-%d %H:%M:%S %z", strict=False
        )
        if stamps.null_count() == 0:
            return stamps.dt.convert_time_zone(options.timezone).dt.date()
    return parse_dates(frame, column, path, options.date_order)


def _each_once(
    table: pl.DataFrame, column: str, what: str, skipped: dict[str, int]
) -> pl.DataFrame:
    """The first row of each ``column`` value; the rows after it counted in ``skipped`` as
    ``repeated {what}s``."""
    once = table.unique(subset=[column], keep="first", maintain_order=True)
    if once.height < table.height:
        skipped[f"repeated {what}s"] = table.height - once.height
    return once


def _detect(sheet: Sheet, options: ShopOptions) -> Parsed:
    """The reader this header belongs to, or a one-line error saying what was expected."""
    if is_shopify(sheet):
        return _read_mapped(sheet, _shopify_columns(sheet, options), options, shopify=True)
    for matches, read in (
        (is_shopee, read_shopee),
        (is_tiktok_shop, read_tiktok_shop),
        (is_lazada, read_lazada),
    ):
        if matches(sheet):
            return read(sheet, options)
    if analytics_shape(sheet) is not None:
        return read_shopify_analytics(sheet, options)
    raise ExportError(
        f"not a recognised orders export (expected {EXPECTED_ORDERS}){sheet.columns_found()}",
        path=sheet.path,
        hint='map them in the plan: columns: {order_id: "…", date: "…", revenue: "…"}',
    )


def _shopify_columns(sheet: Sheet, options: ShopOptions) -> dict[str, str]:
    columns = dict(SHOPIFY_COLUMNS)
    columns["revenue"] = "Subtotal" if options.revenue == "subtotal" else "Total"
    return {k: v for k, v in columns.items() if sheet.pick(v) is not None}


def _mapped(sheet: Sheet, options: ShopOptions) -> dict[str, str]:
    """The plan's ``columns:`` map, each header found in the file (NFC, any case)."""
    found = {k: sheet.pick(v) for k, v in options.columns.items()}
    missing = sorted(options.columns[k] for k, v in found.items() if v is None)
    if missing:
        raise ExportError(
            f"the plan's columns: map names headers this file does not have: {missing}",
            path=sheet.path,
        )
    return {k: v for k, v in found.items() if v is not None}


def _shopify_outcome(status: pl.Expr) -> pl.Expr:
    """Shopify's Financial Status: paid and partially_refunded orders are kept (a partial
    refund comes off their net revenue); pending, authorized and partially_paid ones are
    open; refunded ones returned; voided ones cancelled."""
    financial = status.str.to_lowercase().str.strip_chars()
    return (
        pl.when(financial.is_in(["voided", "expired"]))
        .then(pl.lit("cancelled"))
        .when(financial == "refunded")
        .then(pl.lit("returned"))
        .when(financial.is_in(["pending", "authorized", "partially_paid", "unpaid"]))
        .then(pl.lit("open"))
        .when(financial.is_in(["paid", "partially_refunded"]))
        .then(pl.lit("completed"))
        .otherwise(status_outcome(status))
    )


def _read_mapped(
    sheet: Sheet, columns: dict[str, str], options: ShopOptions, shopify: bool = False
) -> Parsed:
    """Shopify's orders export, or any orders file mapped with ``columns:``: one row per
    order (line items after an order's first row carry no order fields and are skipped)."""
    path = sheet.path
    for needed in ("order_id", "date"):
        if needed not in columns:
            raise ExportError(
                f"no {needed} column", path=path, hint=f"map it with columns: {{{needed}: …}}"
            )
    table = sheet.frame
    if shopify and (refunded := sheet.pick("Refunded Amount")) is not None:
        columns.setdefault("refund", refunded)
    if shopify and (payment := sheet.pick("Payment Method")) is not None:
        columns.setdefault("payment", payment)
    skipped: dict[str, int] = {}
    if "revenue" in columns:
        first_rows = table.filter(pl.col(columns["revenue"]).is_not_null())
        if first_rows.height < table.height:
            skipped["line-item rows (the order is counted on its first row)"] = (
                table.height - first_rows.height
            )
        table = first_rows
    table = _each_once(table, columns["order_id"], "order_id", skipped)
    days = _day(table, columns["date"], path, options)
    # Headers in Vietnamese (Pancake, Sapo, KiotViet…): amounts as 1.250.000, as reader.py
    # takes a localized UI to write decimal commas.
    localized = any(not c.isascii() for c in columns.values())
    table = parse_amounts(
        sheet,
        table,
        {f"_{k}": columns.get(k) for k in ("revenue", "refund")},
        options.number_format,
        "1.234,56" if localized else "1,234.56",
    )

    def text(name: str) -> pl.Expr:
        return pl.col(columns[name]) if name in columns else pl.lit(None, dtype=pl.String)

    status = text("status")
    # Cancelled at says cancelled whatever the status; an order whose status is unknown (no
    # status column, or an empty cell) is kept, net as placed: never claimed open.
    outcome = (
        pl.when(text("cancelled").is_not_null())
        .then(pl.lit("cancelled"))
        .when(status.is_null())
        .then(pl.lit("completed"))
        .otherwise(_shopify_outcome(status) if shopify else status_outcome(status))
    )
    warnings = []
    unknown = table.height if "status" not in columns else table[columns["status"]].null_count()
    if shopify and unknown:
        if "status" not in columns:
            cancelled = " without Cancelled at" if "cancelled" in columns else ""
            which = f"no Financial Status column: every order{cancelled}"
        else:
            which = f"an empty Financial Status on {unknown:,} order{'s' if unknown > 1 else ''}:"
        warnings.append(
            f"{which} counted as kept, net as placed (whether paid, refunded or voided is unknown)"
        )
    new_customer = (
        text("new_customer")
        .str.to_lowercase()
        .is_in(["new", "yes", "true", "1", "first-time", "first time", "có", "mới"])
        if "new_customer" in columns
        else pl.lit(None, dtype=pl.Boolean)
    )
    frame = table.select(
        pl.Series("date", days),
        text("order_id").alias("order_id"),
        pl.col("_revenue").alias("revenue"),
        pl.col("_refund").alias("refund"),
        outcome.alias("outcome"),
        is_cod(text("payment")).alias("cod"),
        status.alias("status"),
        text("source").alias("source"),
        new_customer.alias("new_customer"),
        text("currency").alias("currency"),
        pl.col("row"),
    )
    return Parsed(
        frame,
        "Shopify orders export" if shopify else "orders export mapped by columns:",
        {k: v for k, v in columns.items() if k != "cancelled"},
        skipped=skipped,
        warnings=warnings,
    )


def orders_frame(parsed: Parsed, path: Path, options: ShopOptions) -> pl.DataFrame:
    """``ORDERS_SCHEMA`` from a reader's rows: placed (every order) and net (orders not
    cancelled, returned or failed, less what was refunded of them); the plan's
    ``exclude_statuses`` make an order not net whatever its outcome."""
    frame = parsed.frame
    if parsed.day_rows:
        return frame.select(
            "date",
            pl.lit(None, dtype=pl.String).alias("order_id"),
            "orders",
            "revenue",
            pl.lit(None, dtype=pl.Float64).alias("net_orders"),
            "net_revenue",
            *[pl.lit(None).alias(c) for c in ("outcome", "cod", "status", "source")],
            pl.lit(None).alias("new_customer"),
            pl.lit(None).alias("currency"),
            pl.lit(str(path)).alias("source_file"),
            "row",
        ).cast(ORDERS_SCHEMA)  # type: ignore[arg-type]
    status = pl.col("status").str.normalize("NFC").str.to_lowercase().str.strip_chars()
    excluded = status.is_in([s.casefold() for s in options.exclude_statuses]).fill_null(False)
    said = status_outcome(pl.col("status"))
    outcome = (
        pl.when(excluded & ~pl.col("outcome").is_in(NOT_NET))
        .then(pl.when(said.is_in(NOT_NET)).then(said).otherwise(pl.lit("cancelled")))
        .otherwise(pl.col("outcome"))
    )
    net = ~pl.col("outcome").is_in(NOT_NET)
    revenue = pl.col("revenue")
    return (
        frame.with_columns(outcome.alias("outcome"))
        .select(
            "date",
            "order_id",
            pl.lit(1.0).alias("orders"),
            revenue,
            net.cast(pl.Float64).alias("net_orders"),
            pl.when(net)
            .then((revenue - pl.col("refund").fill_null(0)).clip(lower_bound=0))
            .otherwise(revenue * 0)
            .alias("net_revenue"),
            "outcome",
            "cod",
            status.alias("status"),
            "source",
            "new_customer",
            "currency",
            pl.lit(str(path)).alias("source_file"),
            "row",
        )
        .cast(ORDERS_SCHEMA)  # type: ignore[arg-type]
    )


def read_orders(path: Path, options: ShopOptions) -> tuple[pl.DataFrame, ShopRead]:
    """Read an orders export — recognised by its header, or mapped with ``columns:`` — into
    ``ORDERS_SCHEMA``."""
    sheet = read_sheet(path, options.encoding)
    if options.columns:
        parsed = _read_mapped(sheet, _mapped(sheet, options), options)
    else:
        parsed = _detect(sheet, options)
    frame = orders_frame(parsed, path, options)
    info = ShopRead(
        path=str(path),
        kind="orders",
        label=parsed.label,
        rows_read=frame.height,
        columns_used=parsed.columns_used,
        skipped=parsed.skipped,
        first_day=frame["date"].min() if frame.height else None,  # type: ignore[arg-type]
        last_day=frame["date"].max() if frame.height else None,  # type: ignore[arg-type]
        warnings=[*sheet.warnings, *parsed.warnings],
        mtime=sheet.mtime,
        shape=parsed.shape,
        orders_refused=parsed.orders_refused,
    )
    return frame, info


def read_leads(path: Path, options: ShopOptions) -> tuple[pl.DataFrame, ShopRead]:
    """A CRM's leads export mapped with ``columns:`` (lead_id, date, stage, source) into
    ``LEADS_SCHEMA``."""
    sheet = read_sheet(path, options.encoding)
    if not options.columns:
        raise ExportError(
            "not a recognised leads export (expected a columns: map naming lead_id, date and "
            f"stage){sheet.columns_found()}",
            path=path,
            hint='map them in the plan: columns: {lead_id: "…", date: "…", stage: "…"}',
        )
    columns = _mapped(sheet, options)
    for needed in ("lead_id", "date"):
        if needed not in columns:
            raise ExportError(
                f"no {needed} column", path=path, hint=f"map it with columns: {{{needed}: …}}"
            )
    table = sheet.frame
    skipped: dict[str, int] = {}
    table = _each_once(table, columns["lead_id"], "lead_id", skipped)
    days = _day(table, columns["date"], path, options)

    def text(name: str) -> pl.Expr:
        return pl.col(columns[name]) if name in columns else pl.lit(None, dtype=pl.String)

    stage = text("stage").str.to_lowercase() if "stage" in columns else pl.lit("lead")
    frame = table.select(
        pl.Series("date", days),
        text("lead_id").alias("lead_id"),
        text("source").alias("source"),
        stage.alias("stage"),
        pl.lit(str(path)).alias("source_file"),
        pl.col("row"),
    ).cast(LEADS_SCHEMA)  # type: ignore[arg-type]
    unknown = frame.filter(~pl.col("stage").is_in(FUNNEL))
    if unknown.height:
        raise ExportError(
            f"unknown lead stage {shown(unknown['stage'][0])} "
            f"(expected one of {', '.join(FUNNEL)})",
            path=path,
            row=unknown["row"][0],
            column=columns.get("stage"),
        )
    info = ShopRead(
        path=str(path),
        kind="leads",
        label="leads export mapped by columns:",
        rows_read=frame.height,
        columns_used=columns,
        skipped=skipped,
        first_day=frame["date"].min() if frame.height else None,  # type: ignore[arg-type]
        last_day=frame["date"].max() if frame.height else None,  # type: ignore[arg-type]
        warnings=list(sheet.warnings),
        mtime=sheet.mtime,
    )
    return frame, info


def read_shop_export(path: Path, options: ShopOptions) -> tuple[pl.DataFrame, ShopRead]:
    """Read an orders or leads export into ``ORDERS_SCHEMA`` or ``LEADS_SCHEMA``."""
    if options.kind == "orders":
        return read_orders(path, options)
    return read_leads(path, options)
