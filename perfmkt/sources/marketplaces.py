"""Order exports of the marketplaces Vietnamese shops sell on: Shopee, TikTok Shop, Lazada.

Each writes one row per order line (SKU or item) and is turned into one row per order:
placed on the day it was placed, with its value as placed, and how it ended (see
``outcomes``). What was confirmed in public code that reads the real files, and what is
assumed, is said for each format below.

Shopee — Seller Center → Đơn hàng → Xuất, ``Order.all.YYYYMMDD_YYYYMMDD.xlsx``.
  Confirmed (parsers of the real file on GitHub, e.g. a Sheets importer listing its 60-odd
  headers in order, an ExcelJS reader noting "some Shopee exports mix NFC + NFD Unicode within
  the same row", a Python test with "header lists captured from real Shopee order exports"):
  ``Mã đơn hàng``, ``Ngày đặt hàng``, ``Trạng Thái Đơn Hàng``, ``Lý do hủy``,
  ``Trạng thái Trả hàng/Hoàn tiền``, ``Số lượng``, ``Số lượng sản phẩm được hoàn trả``,
  ``Giá ưu đãi``, ``Tổng giá trị đơn hàng (VND)`` (order-level, repeated on each line),
  ``Tổng số tiền Người mua thanh toán`` and, a different column differing only in case,
  ``Tổng số tiền người mua thanh toán``, ``Phương thức thanh toán``; statuses ``Hoàn thành``,
  ``Đã hủy``, ``Đang giao``, ``Chờ xác nhận``, ``Chờ lấy hàng``, ``Đã giao``; an accepted
  return reads ``Đã Chấp Thuận Yêu Cầu``; order dates come as text ``2026-04-01 10:23`` or
  ``01/04/2026`` (day first) or as Excel dates; amounts as numbers or text.
  Assumed: how a failed cash-on-delivery parcel shows. No public source shows the words; it is
  taken as ``Đã hủy`` with a cancel reason (or a status) saying the delivery failed
  ("giao hàng thất bại", "giao hàng không thành công", "người mua từ chối nhận hàng"…, see
  ``outcomes.FAILED_WORDS``). The older names ``Tình trạng đơn hàng`` and
  ``Tiền đơn hàng (VND)`` are taken from the issue, not seen in a file. Revenue is the order's
  value (``Tổng giá trị đơn hàng``) whatever the plan's ``revenue:`` says.

TikTok Shop — Seller Center → Đơn hàng → Quản lý đơn hàng → tab Tất cả → Xuất (CSV; some
regions give an .xlsx, sheet ``OrderSKUList``).
  Confirmed (a Vietnamese seller's map of the VN Seller Center; parsers of the CSV and the
  workbook): English headers whatever the UI language (``Order ID``, ``Order Status``,
  ``Order Substatus``, ``Cancelation/Return Type`` = ``Cancel`` or ``Return/Refund``,
  ``Created Time``, ``Order Amount`` repeated on every SKU row, ``Order Refund Amount``,
  ``Quantity``, ``Sku Quantity of return``, ``Cancel Reason``, ``Payment Method``); UTF-8 with
  a BOM; row 2 describes each column; dates ``DD/MM/YYYY HH:MM:SS`` in VN (US exports write
  ``12/15/2025 9:30:33 AM``, month first); values end with a tab; amounts may carry a currency
  code (``MXN 790.00``); status words follow the UI language (``Completado``).
  Assumed: the words of a failed delivery in ``Order Substatus`` / ``Cancel Reason`` (the VN
  order page has a "Giao không thành công" tab).

Lazada — Seller Center → Orders → Export (.xlsx).
  Confirmed (importers of the real file: a Java service reading the workbook by header, a
  Vietnamese pipeline over ``Laz_Order_….xlsx``): one row per item unit, camelCase headers
  ``orderItemId``, ``orderNumber``, ``createTime`` (``04 Jul 2022 11:46``), ``status``,
  ``paidPrice``, ``unitPrice``, ``payMethod``, ``refundAmount``,
  ``buyerFailedDeliveryReason``; an order's value is the sum of its rows' ``paidPrice``.
  Assumed: the status words (English: delivered, canceled, returned, shipped…), and that a
  ``buyerFailedDeliveryReason`` marks a failed delivery.

Marketplace times carry no offset: they are the seller's local time (Vietnam), taken as the
plan's day as written.
"""

from __future__ import annotations

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.metrics import sum_or_null
from perfmkt.sources.base import ShopOptions
from perfmkt.sources.outcomes import (
    FAILED_WORDS,
    NOT_NET,
    has_words,
    is_cod,
    status_outcome,
)
from perfmkt.sources.parsing import currency_from_header, parse_dates
from perfmkt.sources.sheet import Parsed, Sheet, parse_amounts

LINES_SKIPPED = "order lines after each order's first (an order is counted once)"
# Shopee's return column once a return is accepted or refunded.
APPROVED_WORDS = (r"chap thuan", r"da hoan tien", r"hoan tien thanh cong", r"approved")


def _text(column: str | None) -> pl.Expr:
    return pl.col(column) if column else pl.lit(None, dtype=pl.String)


def _require(sheet: Sheet, frame: pl.DataFrame, column: str, source: str, what: str) -> None:
    """Every order needs ``column`` (read from the export's ``source``): an empty one is an
    error naming its row and the export's column."""
    empty = frame.filter(pl.col(column).is_null())
    if empty.height:
        raise ExportError(
            f"expected {what}, found an empty cell",
            path=sheet.path,
            row=empty["row"][0],
            column=source,
        )


def _outcome(failed: pl.Expr, cancelled: pl.Expr, returned: pl.Expr, said: pl.Expr) -> pl.Expr:
    """An order's outcome from what its rows say, the furthest first: a failed delivery (also
    written cancelled), cancelled, returned, else what its status says."""
    return (
        pl.when(failed)
        .then(pl.lit("failed_delivery"))
        .when(cancelled)
        .then(pl.lit("cancelled"))
        .when(returned)
        .then(pl.lit("returned"))
        .otherwise(said)
    )


def _parsed(
    orders: pl.DataFrame,
    lines: pl.DataFrame,
    order_id: str,
    refund: pl.Expr,
    outcome: pl.Expr,
    label: str,
    col: dict[str, str | None],
    skipped: dict[str, int],
    currency: str | None = None,
) -> Parsed:
    """One marketplace's orders (one row each, ``_``-named working columns) as the rows every
    shop reader hands on; the lines folded into their orders are counted as skipped."""
    result = orders.select(
        pl.col("_date").alias("date"),
        pl.col(order_id).alias("order_id"),
        pl.col("_revenue").alias("revenue"),
        refund.alias("refund"),
        outcome.alias("outcome"),
        is_cod(pl.col("_payment")).alias("cod"),
        pl.col("_status").alias("status"),
        pl.lit(currency, dtype=pl.String).alias("currency"),
        pl.lit(None, dtype=pl.String).alias("source"),
        pl.lit(None, dtype=pl.Boolean).alias("new_customer"),
        pl.col("row"),
    )
    if lines.height > result.height:
        skipped = {**skipped, LINES_SKIPPED: lines.height - result.height}
    return Parsed(result, label, {k: v for k, v in col.items() if v is not None}, skipped=skipped)


# ---- Shopee ------------------------------------------------------------------------------

SHOPEE_ID = ("Mã đơn hàng",)
SHOPEE_DATE = ("Ngày đặt hàng",)
SHOPEE_STATUS = ("Trạng Thái Đơn Hàng", "Tình trạng đơn hàng")
SHOPEE_REVENUE = ("Tổng giá trị đơn hàng", "Tiền đơn hàng")  # + " (VND)"


def is_shopee(sheet: Sheet) -> bool:
    return (
        sheet.has(*SHOPEE_ID[:1], *SHOPEE_DATE)
        and sheet.pick(*SHOPEE_STATUS) is not None
        and sheet.pick_prefix(*SHOPEE_REVENUE) is not None
    )


def read_shopee(sheet: Sheet, options: ShopOptions) -> Parsed:
    """One row per order from Shopee's order lines (order-level columns repeated on each)."""
    col = {
        "order_id": sheet.pick(*SHOPEE_ID),
        "date": sheet.pick(*SHOPEE_DATE),
        "status": sheet.pick(*SHOPEE_STATUS),
        "revenue": sheet.pick_prefix(*SHOPEE_REVENUE),
        "cancel_reason": sheet.pick("Lý do hủy"),
        "return_status": sheet.pick("Trạng thái Trả hàng/Hoàn tiền"),
        "payment": sheet.pick("Phương thức thanh toán"),
        "quantity": sheet.pick("Số lượng"),
        "returned": sheet.pick("Số lượng sản phẩm được hoàn trả"),
        "price": sheet.pick("Giá ưu đãi"),
    }
    order_id, status, revenue = col["order_id"], col["status"], col["revenue"]
    assert order_id and col["date"] and status and revenue  # is_shopee
    frame = sheet.frame.filter(pl.col(order_id).is_not_null())
    # Vietnamese headers: amounts written as text use decimal commas (1.290.000).
    frame = parse_amounts(
        sheet,
        frame,
        {
            "_revenue": revenue,
            "_qty": col["quantity"],
            "_ret": col["returned"],
            "_price": col["price"],
        },
        options.number_format,
        "1.234,56",
    )
    frame = frame.with_columns(
        _date=parse_dates(frame, col["date"], sheet.path, options.date_order or "day_first")
    )
    orders = frame.group_by(order_id, maintain_order=True).agg(
        pl.col("_date").first(),
        pl.col(status).first().alias("_status"),
        _text(col["cancel_reason"]).drop_nulls().first().alias("_reason"),
        has_words(_text(col["return_status"]), APPROVED_WORDS).any().alias("_approved"),
        _text(col["payment"]).drop_nulls().first().alias("_payment"),
        pl.col("_revenue").drop_nulls().first(),
        sum_or_null("_qty"),
        sum_or_null("_ret"),
        pl.when(pl.col("_price").count() > 0)
        .then((pl.col("_ret").fill_null(0) * pl.col("_price")).sum())
        .alias("_returned"),
        pl.col("row").min(),
        pl.len().alias("_lines"),
    )
    _require(sheet, orders, "_revenue", revenue, "the order's value")
    said = status_outcome(pl.col("_status"))
    failed = has_words(pl.col("_status"), FAILED_WORDS) | (
        (said == "cancelled") & has_words(pl.col("_reason"), FAILED_WORDS)
    )
    some_back = pl.col("_ret").fill_null(0) > 0
    all_back = some_back & (pl.col("_ret") >= pl.col("_qty"))
    # An accepted return without returned quantities: the order came back whole.
    whole_refund = pl.col("_approved") & ~some_back
    outcome = _outcome(
        failed, said == "cancelled", all_back | whole_refund | (said == "returned"), said
    )
    return _parsed(
        orders,
        frame,
        order_id,
        pl.when(some_back).then(pl.col("_returned")),
        outcome,
        "Shopee order export",
        col,
        {},
        currency_from_header(revenue),
    )


# ---- TikTok Shop -------------------------------------------------------------------------

TIKTOK_TYPE = ("Cancelation/Return Type", "Cancellation/Return Type")


def is_tiktok_shop(sheet: Sheet) -> bool:
    return sheet.has("Order ID", "Created Time", "Order Amount", "Order Status")


def read_tiktok_shop(sheet: Sheet, options: ShopOptions) -> Parsed:
    """One row per order from TikTok Shop's SKU rows, without the row of column descriptions
    under the header."""
    col = {
        "order_id": sheet.pick("Order ID"),
        "date": sheet.pick("Created Time"),
        "revenue": sheet.pick("Order Amount"),
        "status": sheet.pick("Order Status"),
        "substatus": sheet.pick("Order Substatus"),
        "type": sheet.pick(*TIKTOK_TYPE),
        "refund": sheet.pick("Order Refund Amount"),
        "cancel_reason": sheet.pick("Cancel Reason"),
        "payment": sheet.pick("Payment Method"),
        "quantity": sheet.pick("Quantity"),
        "returned": sheet.pick("Sku Quantity of return"),
    }
    order_id, date, revenue, status = col["order_id"], col["date"], col["revenue"], col["status"]
    assert order_id and date and revenue and status  # is_tiktok_shop
    frame = sheet.frame.filter(pl.col(order_id).is_not_null())
    skipped = {}
    # Row 2 describes each column ("Platform unique order ID."): no digit in its order id
    # nor in its time (an order whose time is missing is an error, never taken for it).
    first = frame.head(1).select(order_id, date).row(0) if frame.height else ("0", "0")
    if not any(c.isdigit() for cell in first for c in str(cell or "")):
        frame = frame.slice(1)
        skipped["column descriptions under the header"] = 1
    frame = parse_amounts(
        sheet,
        frame,
        {
            "_revenue": revenue,
            "_refund": col["refund"],
            "_qty": col["quantity"],
            "_ret": col["returned"],
        },
        options.number_format,
        "1,234.56",
    )
    # VN writes 01/04/2026 10:23:45 (day first); a 12-hour clock is the US month-first form.
    twelve_hour = frame[date].str.contains(r"(?i)\d\s*[AP]M$").any()
    order = options.date_order or ("month_first" if twelve_hour else "day_first")
    frame = frame.with_columns(_date=parse_dates(frame, date, sheet.path, order))
    orders = frame.group_by(order_id, maintain_order=True).agg(
        pl.col("_date").first(),
        pl.col(status).first().alias("_status"),
        pl.concat_str(
            [_text(col["substatus"]), _text(col["cancel_reason"])], separator=" ", ignore_nulls=True
        )
        .drop_nulls()
        .first()
        .alias("_detail"),
        _text(col["type"]).drop_nulls().first().alias("_type"),
        _text(col["payment"]).drop_nulls().first().alias("_payment"),
        pl.col("_revenue").drop_nulls().first(),
        pl.col("_refund").drop_nulls().max(),
        sum_or_null("_qty"),
        sum_or_null("_ret"),
        pl.col("row").min(),
    )
    _require(sheet, orders, "_revenue", revenue, "the order amount")
    kind = pl.col("_type").str.to_lowercase().fill_null("")
    said = status_outcome(pl.col("_status"))
    failed = has_words(pl.col("_detail"), FAILED_WORDS) | has_words(pl.col("_status"), FAILED_WORDS)
    cancelled = kind.str.starts_with("cancel") | (said == "cancelled")
    refund = pl.col("_refund").fill_null(0)
    all_back = (pl.col("_ret").fill_null(0) > 0) & (pl.col("_ret") >= pl.col("_qty"))
    refunded_whole = (refund > 0) & (refund >= pl.col("_revenue"))
    outcome = _outcome(failed, cancelled, all_back | refunded_whole | (said == "returned"), said)
    return _parsed(
        orders,
        frame,
        order_id,
        pl.when(refund > 0).then(refund),
        outcome,
        "TikTok Shop order export",
        col,
        skipped,
    )


# ---- Lazada ------------------------------------------------------------------------------


def is_lazada(sheet: Sheet) -> bool:
    return sheet.has("orderNumber", "createTime", "status", "orderItemId") and (
        sheet.pick("paidPrice", "unitPrice") is not None
    )


def read_lazada(sheet: Sheet, options: ShopOptions) -> Parsed:
    """One row per order from Lazada's item rows: the order's value is the sum of its items'
    paid prices; its outcome follows its items (all cancelled: cancelled; some returned:
    those items' value comes off its net revenue)."""
    col = {
        "order_id": sheet.pick("orderNumber"),
        "date": sheet.pick("createTime"),
        "status": sheet.pick("status"),
        "revenue": sheet.pick("paidPrice", "unitPrice"),
        "refund": sheet.pick("refundAmount"),
        "payment": sheet.pick("payMethod"),
        "failed_reason": sheet.pick("buyerFailedDeliveryReason"),
        "item_id": sheet.pick("orderItemId"),
    }
    order_id, date, status, revenue = col["order_id"], col["date"], col["status"], col["revenue"]
    item = col["item_id"]
    assert order_id and date and status and revenue and item  # is_lazada
    frame = sheet.frame.filter(pl.col(order_id).is_not_null())
    skipped = {}
    unique = frame.unique(subset=[item], keep="first", maintain_order=True)
    if unique.height < frame.height:
        skipped["repeated orderItemIds"] = frame.height - unique.height
    frame = parse_amounts(
        sheet, unique, {"_price": revenue, "_refund": col["refund"]}, options.number_format
    )
    _require(sheet, frame, "_price", revenue, "the item's price")
    frame = frame.with_columns(
        _date=parse_dates(frame, date, sheet.path, options.date_order or "day_first"),
        _line=pl.when(_text(col["failed_reason"]).is_not_null())
        .then(pl.lit("failed_delivery"))
        .otherwise(status_outcome(pl.col(status))),
    )
    kept = ~pl.col("_line").is_in(NOT_NET)
    orders = frame.group_by(order_id, maintain_order=True).agg(
        pl.col("_date").first(),
        pl.col(status).unique(maintain_order=True).str.join(" / ").alias("_status"),
        _text(col["payment"]).drop_nulls().first().alias("_payment"),
        pl.col("_price").sum().alias("_revenue"),
        # What came off a kept order: its items not kept, and refunds on kept items.
        (pl.when(kept).then(pl.col("_refund").fill_null(0)).otherwise(pl.col("_price")))
        .sum()
        .alias("_off"),
        kept.any().alias("_kept"),
        (pl.col("_line") == "open").any().alias("_open"),
        (pl.col("_line") == "failed_delivery").any().alias("_failed"),
        (pl.col("_line") == "returned").any().alias("_returned"),
        pl.col("row").min(),
    )
    outcome = (
        pl.when(pl.col("_kept") & pl.col("_open"))
        .then(pl.lit("open"))
        .when(pl.col("_kept"))
        .then(pl.lit("completed"))
        .when(pl.col("_failed"))
        .then(pl.lit("failed_delivery"))
        .when(pl.col("_returned"))
        .then(pl.lit("returned"))
        .otherwise(pl.lit("cancelled"))
    )
    return _parsed(
        orders,
        frame,
        order_id,
        pl.when(pl.col("_off") > 0).then(pl.col("_off")),
        outcome,
        "Lazada order export",
        col,
        skipped,
    )
