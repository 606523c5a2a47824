"""The shop's own truth: order exports (Shopify, or any CSV mapped with ``columns:``) and
lead/CRM exports (lead id, date, source, stage).

Orders are counted once each (Shopify writes one row per line item, with the order's fields
on its first row only); their day is the day in the plan's time zone; cancelled, refunded and
voided orders are left out by rule and counted in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from perfmkt.errors import ExportError
from perfmkt.sources.base import ShopOptions, has_any
from perfmkt.sources.parsing import (
    check_row_shapes,
    columns_found,
    detect_number_format,
    load_text,
    parse_dates,
    parse_numbers,
    read_table,
    shown,
    split_fields,
)

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
OUTCOMES = ("completed", "open", "cancelled", "returned", "failed_delivery")
NOT_NET = ("cancelled", "returned", "failed_delivery")

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


def is_shopify(header: list[str]) -> bool:
    return (
        has_any(header, "Name")
        and has_any(header, "Created at")
        and has_any(header, "Total", "Subtotal")
    )


def looks_like_shopify(path: Path, encoding: str | None = None) -> bool:
    """True when ``path`` starts with a Shopify orders header; False for a file that cannot be
    read as text (its reader says why)."""
    try:
        return is_shopify(split_fields(load_text(path, encoding).lines[0])[0])
    except ExportError:
        return False


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


def read_shop_export(path: Path, options: ShopOptions) -> tuple[pl.DataFrame, ShopRead]:
    """Read an orders or leads export into ``ORDERS_SCHEMA`` or ``LEADS_SCHEMA``."""
    loaded = load_text(path, options.encoding)
    header, delimiter = split_fields(loaded.lines[0])
    if options.columns:
        columns, label = dict(options.columns), f"{options.kind} export mapped by columns:"
        missing = sorted(set(columns.values()) - set(header))
        if missing:
            raise ExportError(
                f"the plan's columns: map names headers this file does not have: {missing}",
                path=path,
            )
    elif options.kind == "orders" and is_shopify(header):
        columns, label = dict(SHOPIFY_COLUMNS), "Shopify orders export"
        columns["revenue"] = "Subtotal" if options.revenue == "subtotal" else "Total"
        columns = {k: v for k, v in columns.items() if v in header}
    else:
        expected = (
            "a Shopify orders export (Name, Created at, Total…)"
            if options.kind == "orders"
            else "a columns: map naming lead_id, date and stage"
        )
        raise ExportError(
            f"not a recognised {options.kind} export (expected {expected})"
            f"{columns_found(loaded.lines)}",
            path=path,
            hint=(
                'map them in the plan: columns: {order_id: "…", date: "…", revenue: "…"}'
                if options.kind == "orders"
                else 'map them in the plan: columns: {lead_id: "…", date: "…", stage: "…"}'
            ),
        )
    id_key = "order_id" if options.kind == "orders" else "lead_id"
    for needed in (id_key, "date"):
        if needed not in columns:
            raise ExportError(
                f"no {needed} column", path=path, hint=f"map it with columns: {{{needed}: …}}"
            )
    table, warnings = check_row_shapes(
        read_table(loaded, 0, delimiter, path), loaded, 0, delimiter, path
    )
    skipped: dict[str, int] = {}
    # Line items after an order's first row carry no order fields: one row per order.
    if "revenue" in columns:
        first_rows = table.filter(pl.col(columns["revenue"]).is_not_null())
        if first_rows.height < table.height:
            skipped["line-item rows (the order is counted on its first row)"] = (
                table.height - first_rows.height
            )
        table = first_rows
    before = table.height
    table = table.unique(subset=[columns[id_key]], keep="first", maintain_order=True)
    if before - table.height:
        skipped[f"repeated {id_key}s"] = before - table.height
    if options.kind == "orders":
        excluded = pl.lit(False)
        if "status" in columns:
            excluded |= (
                pl.col(columns["status"])
                .fill_null("")
                .str.strip_chars()
                .str.to_lowercase()
                .is_in([s.casefold() for s in options.exclude_statuses])
            )
        if "cancelled" in columns:
            excluded |= pl.col(columns["cancelled"]).fill_null("").str.strip_chars() != ""
        # Excluded orders stay in the frame as placed but not net.
        table = table.with_columns(_excluded=excluded)
    days = (
        _day(table, columns["date"], path, options)
        if table.height
        else pl.Series("date", [], dtype=pl.Date)
    )

    def text(name: str) -> pl.Expr:
        if name not in columns:
            return pl.lit(None, dtype=pl.String)
        return pl.col(columns[name]).str.strip_chars()

    if options.kind == "orders":
        number_cols = [columns["revenue"]] if "revenue" in columns else []
        number_format = detect_number_format(table, number_cols, path) or "1,234.56"
        if number_cols:
            table = parse_numbers(table, {"_revenue": columns["revenue"]}, path, number_format)
        new_customer = (
            pl.col(columns["new_customer"])
            .str.to_lowercase()
            .str.strip_chars()
            .is_in(["new", "yes", "true", "1", "first-time", "first time"])
            if "new_customer" in columns
            else pl.lit(None, dtype=pl.Boolean)
        )
        revenue = pl.col("_revenue") if number_cols else pl.lit(None, dtype=pl.Float64)
        status = text("status").str.to_lowercase()
        outcome = (
            pl.when(~pl.col("_excluded"))
            .then(pl.lit("completed"))
            .when(status == "refunded")
            .then(pl.lit("returned"))
            .otherwise(pl.lit("cancelled"))
        )
        net = (~pl.col("_excluded")).cast(pl.Float64)
        frame = table.select(
            pl.Series("date", days),
            text("order_id").alias("order_id"),
            pl.lit(1.0).alias("orders"),
            revenue.alias("revenue"),
            net.alias("net_orders"),
            (revenue * net).alias("net_revenue"),
            outcome.alias("outcome"),
            pl.lit(None, dtype=pl.Boolean).alias("cod"),
            status.alias("status"),
            text("source").alias("source"),
            new_customer.alias("new_customer"),
            text("currency").alias("currency"),
            pl.lit(str(path)).alias("source_file"),
            pl.col("row"),
        ).cast(ORDERS_SCHEMA)  # type: ignore[arg-type]
    else:
        stage = (
            pl.col(columns["stage"]).str.strip_chars().str.to_lowercase()
            if ("stage" in columns)
            else pl.lit("lead")
        )
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
        kind=options.kind,
        label=label,
        rows_read=frame.height,
        columns_used={k: v for k, v in columns.items() if k != "cancelled"},
        skipped=skipped,
        first_day=frame["date"].min() if frame.height else None,  # type: ignore[arg-type]
        last_day=frame["date"].max() if frame.height else None,  # type: ignore[arg-type]
        warnings=warnings,
        mtime=loaded.mtime,
    )
    return frame, info
