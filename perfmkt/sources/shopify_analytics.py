"""Shopify Analytics reports exported by day: "Sales over time" and "Sales by product".

They total each day instead of listing orders, so each file becomes one row per day with a
null order id.

Confirmed (public code reading the real CSVs, and a ShopifyQL column list): Sales over time
has ``Day, Orders, Gross sales, Discounts, Returns, Net sales, Shipping charges, Duties,
Additional fees, Taxes, Total sales`` (older exports write ``Shipping``; a comparison adds
``… (previous_period)`` columns, ignored here); Sales by product has ``Product title,
Product variant title, Product variant SKU, Net items sold, Gross sales, Discounts, Returns,
Net sales, Taxes, Total sales``, by day with ``Day`` first and an ``Orders`` column; days are
``2025-04-01``; discounts and returns are negative numbers. Shopify's sales reports date a
return on the day it is made, not on its order's day (Shopify's own help and several
analytics vendors say so).

- Sales over time: ``Orders`` counts distinct orders: placed orders. Placed revenue is the
  day's sales before returns, net revenue after them (``revenue: total``: Total sales;
  ``revenue: subtotal``: Net sales, i.e. products after discounts). Net orders are unknown.
- Sales by product: revenue summed over products is exact (products carry no shipping:
  ``revenue: total`` here is products with their taxes), but ``Orders`` counts an order once
  per product it holds, so orders are left null and ``orders_refused`` says why.
"""

from __future__ import annotations

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.metrics import sum_or_null
from perfmkt.sources.base import ShopOptions
from perfmkt.sources.parsing import TOTAL_ROW, parse_dates
from perfmkt.sources.sheet import Parsed, Sheet, parse_amounts

OVER_TIME = "shopify_sales_over_time"
BY_PRODUCT = "shopify_sales_by_product"
SALES = ("Total sales", "Net sales", "Gross sales")
BY_PRODUCT_REFUSED = (
    "Shopify's Sales by product counts an order once per product it holds: download Sales "
    "over time by day, or take orders from the platforms"
)
RETURNS_DATED = (
    "Shopify's sales reports date a return on the day it is made, not on its order's day: "
    "net revenue is each day's sales less that day's returns, and which orders ended net is "
    "unknown (net orders are not counted)"
)
BY_DAY_HINT = (
    "in Shopify Analytics open the report, group it by Day, and export it again (Export → CSV)"
)


def analytics_shape(sheet: Sheet) -> str | None:
    """``OVER_TIME``, ``BY_PRODUCT`` or None, from the header."""
    if sheet.pick(*SALES) is None:
        return None
    if sheet.pick("Product title") is not None:
        return BY_PRODUCT
    if sheet.pick("Orders") is not None:
        return OVER_TIME
    return None


def read_shopify_analytics(sheet: Sheet, options: ShopOptions) -> Parsed:
    """One row per day: placed orders (Sales over time only), placed and net revenue."""
    shape = analytics_shape(sheet)
    name = "Sales over time" if shape == OVER_TIME else "Sales by product"
    day = sheet.pick("Day")
    if day is None:
        raise ExportError(
            f"Shopify's {name} report, but not by day (no Day column): pacing needs one row "
            "per day",
            path=sheet.path,
            hint=BY_DAY_HINT,
        )
    col = {
        "orders": sheet.pick("Orders") if shape == OVER_TIME else None,
        "gross": sheet.pick("Gross sales"),
        "discounts": sheet.pick("Discounts"),
        "returns": sheet.pick("Returns"),
        "net": sheet.pick("Net sales"),
        "total": sheet.pick("Total sales"),
    }
    frame = sheet.frame.filter(
        pl.col(day).is_not_null() & ~pl.col(day).str.contains(TOTAL_ROW).fill_null(False)
    )
    frame = parse_amounts(sheet, frame, {f"_{k}": v for k, v in col.items()}, options.number_format)
    returns = pl.col("_returns").abs().fill_null(0)  # negative in Shopify's reports
    if options.revenue == "subtotal" or col["total"] is None:
        net = pl.col("_net")
        placed = (
            pl.col("_gross") + pl.col("_discounts").fill_null(0)
            if col["gross"] is not None
            else net + returns
        )
        used = {"revenue": col["gross"] or col["net"], "net_revenue": col["net"]}
    else:
        net = pl.col("_total")
        placed = net + returns
        used = {"revenue": col["total"], "net_revenue": col["total"]}
    if used["net_revenue"] is None:
        raise ExportError(
            f"Shopify's {name} report without Net sales or Total sales",
            path=sheet.path,
            hint=BY_DAY_HINT,
        )
    frame = frame.with_columns(_day=parse_dates(frame, day, sheet.path, options.date_order))
    days = frame.group_by("_day", maintain_order=True).agg(
        (sum_or_null("_orders") if col["orders"] else pl.lit(None, pl.Float64))
        .cast(pl.Float64)
        .alias("orders"),
        placed.sum().alias("revenue"),
        net.sum().alias("net_revenue"),
        pl.col("row").min(),
    )
    warnings = [RETURNS_DATED]
    if shape == BY_PRODUCT and used["revenue"] == col["total"]:
        warnings.append(
            "Sales by product leaves shipping out (it is not a product's): its Total sales "
            "is products and their taxes"
        )
    return Parsed(
        days.rename({"_day": "date"}),
        f"Shopify Analytics: {name} by day",
        {
            "date": day,
            **({"orders": col["orders"]} if col["orders"] else {}),
            **{k: v for k, v in used.items() if v is not None},
        },
        skipped=(
            {"product rows (summed per day)": frame.height - days.height}
            if shape == BY_PRODUCT and frame.height > days.height
            else {}
        ),
        warnings=warnings,
        shape=shape or OVER_TIME,
        day_rows=True,
        orders_refused=BY_PRODUCT_REFUSED if shape == BY_PRODUCT else None,
    )
