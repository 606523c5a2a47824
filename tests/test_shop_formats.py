"""The shop's truth from the systems Vietnamese sellers use: Shopee, TikTok Shop and Lazada
order exports, Shopify's orders export and its Analytics reports by day.

Every file is written the way the real export is laid out (tests/shop_files.py); every figure
checked here was added up by hand from the rows written in the test, and is written as a
literal: placed = every order placed that day, net = less cancelled, returned and failed
deliveries, partial refunds taken off.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmkt.errors import ExportError
from perfmkt.sources.base import ShopOptions
from perfmkt.sources.load import load_exports
from perfmkt.sources.sheet import read_sheet
from perfmkt.sources.shop import looks_like_orders, read_shop_export
from tests.conftest import REAL_EXPORTS, run_cli
from tests.shop_files import (
    BY_PRODUCT_HEADER,
    OVER_TIME_HEADER,
    lazada_item,
    shopee_line,
    tiktok_line,
    write_csv,
    write_lazada,
    write_shopee,
    write_tiktok_csv,
    write_xlsx,
)


def by_day(frame: pl.DataFrame) -> dict[str, tuple]:
    """Per day: (placed orders, placed revenue, net orders, net revenue)."""
    days = (
        frame.group_by("date")
        .agg(
            pl.col("orders").sum(),
            pl.col("revenue").sum(),
            pl.col("net_orders").sum(),
            pl.col("net_revenue").sum(),
        )
        .sort("date")
    )
    return {str(d): tuple(rest) for d, *rest in days.iter_rows()}


# ---- Shopee ------------------------------------------------------------------------------

SHOPEE_LINES = [
    # 1: two lines (150,000 + 2 × 100,000), completed, cash on delivery
    shopee_line("2604010001", "2026-04-01 09:12", "Hoàn thành", 350000, 150000),
    shopee_line("2604010001", "2026-04-01 09:12", "Hoàn thành", 350000, 100000, quantity=2),
    # 2: cancelled by the buyer before shipping, paid by wallet
    shopee_line(
        "2604010002",
        "2026-04-01 20:45",
        "Đã hủy",
        200000,
        200000,
        reason="Hủy bởi người mua. Lý do: Muốn thay đổi địa chỉ giao hàng",
        payment="Ví ShopeePay",
    ),
    # 3: a COD parcel the buyer did not take; its day is an Excel date cell
    shopee_line(
        "2604020003",
        datetime(2026, 4, 2, 8, 5),
        "Đã hủy",
        480000,
        480000,
        reason="Giao hàng không thành công",
    ),
    # 4: three lines; the first (120,000) returned and refunded: net 360,000 − 120,000
    shopee_line(
        "2604020004",
        "2026-04-02 14:03",
        "Hoàn thành",
        360000,
        120000,
        returned=1,
        return_status="Đã Chấp Thuận Yêu Cầu",
    ),
    shopee_line("2604020004", "2026-04-02 14:03", "Hoàn thành", 360000, 90000, quantity=2),
    shopee_line("2604020004", "2026-04-02 14:03", "Hoàn thành", 360000, 60000),
    # 5: on its way (net so far); amounts written as text, Vietnamese style
    shopee_line("2604030005", "2026-04-03 11:00", "Đang giao", "275.000", "275.000"),
    # 6: delivered on 3 Apr, returned whole after the flight: stays on 3 Apr, not net
    shopee_line(
        "2604030006",
        "2026-04-03 18:30",
        "Hoàn thành",
        530000,
        530000,
        returned=1,
        return_status="Đã Chấp Thuận Yêu Cầu",
    ),
    # 7: waiting for the seller's confirmation (net so far)
    shopee_line(
        "2604040007", "2026-04-04 08:00", "Chờ xác nhận", 99000, 99000, payment="Ví ShopeePay"
    ),
]
# Placed: 7 orders, 350,000 + 200,000 + 480,000 + 360,000 + 275,000 + 530,000 + 99,000.
# Net: orders 1, 4, 5, 7: 350,000 + 240,000 + 275,000 + 99,000.
SHOPEE_PLACED = (7, 2_294_000)
SHOPEE_NET = (4, 964_000)


def test_shopee_workbook_placed_and_net(tmp_path: Path) -> None:
    path = write_shopee(tmp_path / "Order.all.20260401_20260430.xlsx", SHOPEE_LINES)
    orders, info = read_shop_export(path, ShopOptions(timezone="Asia/Ho_Chi_Minh"))
    assert info.label == "Shopee order export"
    assert orders["order_id"].to_list() == [
        "2604010001", "2604010002", "2604020003", "2604020004", "2604030005", "2604030006",
        "2604040007",
    ]  # fmt: skip
    assert orders["outcome"].to_list() == [
        "completed", "cancelled", "failed_delivery", "completed", "open", "returned", "open",
    ]  # fmt: skip
    assert orders["cod"].to_list() == [True, False, True, True, True, True, False]
    assert orders["status"][1] == "đã hủy"  # the export's own words, lowercase, NFC
    assert orders["currency"].unique().to_list() == ["VND"]
    assert (orders.height, orders["revenue"].sum()) == SHOPEE_PLACED
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == SHOPEE_NET
    assert by_day(orders) == {
        "2026-04-01": (2, 550_000, 1, 350_000),
        "2026-04-02": (2, 840_000, 1, 240_000),
        "2026-04-03": (2, 805_000, 1, 275_000),
        "2026-04-04": (1, 99_000, 1, 99_000),
    }
    assert orders["row"].to_list() == [2, 4, 5, 6, 9, 10, 11]  # each order's first sheet row
    assert info.skipped == {"order lines after each order's first (an order is counted once)": 3}
    assert info.columns_used["order_id"] == "Mã đơn hàng"  # read from an NFD header


def test_shopee_older_export_names_and_headers_in_any_case(tmp_path: Path) -> None:
    """Older exports: ``Tình trạng đơn hàng`` and ``Tiền đơn hàng (VND)``; headers matched
    whatever their case and spacing."""
    header = ["MÃ ĐƠN HÀNG", "Ngày  đặt hàng", "Tình trạng đơn hàng", "Tiền đơn hàng (VND)"]
    rows = [
        ["A1", "2026-04-01 10:00", "Hoàn thành", 100000],
        ["A2", "2026-04-01 11:00", "Đã hủy", 50000],
    ]
    path = write_xlsx(tmp_path / "old.xlsx", [header, *rows])
    orders, info = read_shop_export(path, ShopOptions())
    assert info.label == "Shopee order export"
    assert (orders.height, orders["revenue"].sum()) == (2, 150_000)
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == (1, 100_000)


def test_shopee_bad_cells_name_file_row_and_column(tmp_path: Path) -> None:
    lines = [dict(line) for line in SHOPEE_LINES[:3]]
    lines[2]["Tổng giá trị đơn hàng (VND)"] = "hai trăm"
    path = write_shopee(tmp_path / "o.xlsx", lines)
    with pytest.raises(ExportError) as caught:
        read_shop_export(path, ShopOptions())
    assert str(caught.value) == (
        f"{path}:4: Tổng giá trị đơn hàng (VND): expected a number, found 'hai trăm'"
    )
    lines = [dict(line) for line in SHOPEE_LINES[:3]]
    lines[1]["Ngày đặt hàng"] = "hôm qua"
    path = write_shopee(tmp_path / "d.xlsx", lines)
    with pytest.raises(ExportError, match=r"d\.xlsx:3: Ngày đặt hàng: expected a date"):
        read_shop_export(path, ShopOptions())


def test_workbooks_that_are_not_shop_exports(tmp_path: Path) -> None:
    other = write_xlsx(tmp_path / "budget.xlsx", [["Tháng", "Ngân sách"], ["4", 1000]])
    with pytest.raises(ExportError) as caught:
        read_shop_export(other, ShopOptions())
    message = str(caught.value)
    assert message.startswith(f"{other}: not a recognised orders export (expected ")
    assert "; columns found: Tháng, Ngân sách (map them in the plan" in message
    assert "\n" not in message
    corrupt = tmp_path / "Order.all.20260401_20260430.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 64)  # a download cut short
    with pytest.raises(ExportError) as caught:
        read_shop_export(corrupt, ShopOptions())
    assert str(caught.value).startswith(f"{corrupt}: not a readable Excel workbook (")
    assert "\n" not in str(caught.value)
    _, stderr = run_cli(["inspect", corrupt], expect=2)
    assert "not a readable Excel workbook" in stderr and "Traceback" not in stderr


# ---- TikTok Shop -------------------------------------------------------------------------

TIKTOK_LINES = [
    # A: two SKUs, the order amount repeated on each; completed, COD
    tiktok_line("576461234567890001", "01/04/2026 10:23:45", "Completed", "398000", sku="S1"),
    tiktok_line("576461234567890001", "01/04/2026 10:23:45", "Completed", "398000", sku="S2"),
    # B: cancelled by the buyer
    tiktok_line(
        "576461234567890002",
        "01/04/2026 21:05:10",
        "Cancelled",
        "150000",
        kind="Cancel",
        reason="Change of mind",
        payment="ZaloPay",
    ),
    # C: a COD parcel that could not be delivered
    tiktok_line(
        "576461234567890003",
        "02/04/2026 08:00:00",
        "Cancelled",
        "259000",
        kind="Cancel",
        reason="Package delivery failed",
    ),
    # D: one of two items returned and refunded 100,000 of 300,000 (the 13th: day first)
    tiktok_line(
        "576461234567890004",
        "13/04/2026 12:00:00",
        "Completed",
        "300000",
        quantity=2,
        returned=1,
        kind="Return/Refund",
        refund="100000",
    ),
    # E: returned whole
    tiktok_line(
        "576461234567890005",
        "13/04/2026 19:30:00",
        "Completed",
        "450000",
        returned=1,
        kind="Return/Refund",
        refund="450000",
    ),
    # F: shipped, in transit (net so far)
    tiktok_line(
        "576461234567890006", "14/04/2026 09:15:00", "Shipped", "120000", substatus="In transit"
    ),
]
# Placed: 6 orders, 398,000 + 150,000 + 259,000 + 300,000 + 450,000 + 120,000.
# Net: A, D, F: 398,000 + (300,000 − 100,000) + 120,000.
TIKTOK_PLACED = (6, 1_677_000)
TIKTOK_NET = (3, 718_000)


def test_tiktok_shop_csv_with_its_description_row_and_trailing_tabs(tmp_path: Path) -> None:
    path = write_tiktok_csv(tmp_path / "Tất cả đơn hàng-2026-04-14.csv", TIKTOK_LINES)
    assert b'"576461234567890001\t"' in path.read_bytes()  # the shape written
    orders, info = read_shop_export(path, ShopOptions())
    assert info.label == "TikTok Shop order export"
    assert orders["order_id"][0] == "576461234567890001"  # no tab, not a float
    assert orders["outcome"].to_list() == [
        "completed", "cancelled", "failed_delivery", "completed", "returned", "open",
    ]  # fmt: skip
    assert (orders.height, orders["revenue"].sum()) == TIKTOK_PLACED
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == TIKTOK_NET
    assert by_day(orders) == {
        "2026-04-01": (2, 548_000, 1, 398_000),
        "2026-04-02": (1, 259_000, 0, 0),
        "2026-04-13": (2, 750_000, 1, 200_000),
        "2026-04-14": (1, 120_000, 1, 120_000),
    }
    assert orders["cod"].to_list() == [True, False, True, True, True, True]
    assert orders["row"].to_list() == [3, 5, 6, 7, 8, 9]  # line 2 describes the columns
    assert info.skipped == {
        "column descriptions under the header": 1,
        "order lines after each order's first (an order is counted once)": 1,
    }


def test_tiktok_shop_first_order_without_its_time_is_an_error(tmp_path: Path) -> None:
    """A file without the description row whose first order lacks its time: that order is
    named, not dropped as if it described the columns."""
    path = write_tiktok_csv(
        tmp_path / "t.csv",
        [tiktok_line("576461234567890009", "", "Completed", "100000"), TIKTOK_LINES[0]],
    )
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0], *lines[2:]]))  # no description row
    with pytest.raises(ExportError) as caught:
        read_shop_export(path, ShopOptions())
    assert str(caught.value).startswith(
        f"{path}:2: Created Time: expected a date like 2026-01-05, found an empty cell"
    )


def test_tiktok_shop_us_dates_are_month_first(tmp_path: Path) -> None:
    lines = [tiktok_line("1", "04/13/2026 9:30:33 AM", "Completed", "$25.00")]
    orders, _ = read_shop_export(write_tiktok_csv(tmp_path / "us.csv", lines), ShopOptions())
    assert orders["date"].to_list() == [date(2026, 4, 13)]
    assert orders["revenue"].to_list() == [25.0]


def test_tiktok_shop_status_words_in_the_ui_language(tmp_path: Path) -> None:
    """Status words follow the Seller Center's language: Completado is completed, not open."""
    lines = [
        tiktok_line("1", "13/04/2026 10:00:00", "Completado", "MXN 790.00"),
        tiktok_line("2", "13/04/2026 11:00:00", "Cancelado", "MXN 210.00", kind="Cancel"),
        tiktok_line("3", "13/04/2026 12:00:00", "Đã hoàn tất", "MXN 100.00"),
    ]
    orders, _ = read_shop_export(write_tiktok_csv(tmp_path / "mx.csv", lines), ShopOptions())
    assert orders["outcome"].to_list() == ["completed", "cancelled", "completed"]
    assert (orders["revenue"].sum(), orders["net_revenue"].sum()) == (1100.0, 890.0)


# ---- Lazada ------------------------------------------------------------------------------

LAZADA_ITEMS = [
    # L1: two items delivered, COD
    lazada_item("11", "310000000000001", "01 Apr 2026 10:00", "delivered", 120000),
    lazada_item("12", "310000000000001", "01 Apr 2026 10:00", "delivered", 120000),
    # L2: cancelled
    lazada_item("21", "310000000000002", "02 Apr 2026 11:30", "canceled", 99000, pay="MoMo"),
    # L3: a failed delivery (the buyer could not be reached)
    lazada_item(
        "31",
        "310000000000003",
        "02 Apr 2026 15:00",
        "canceled",
        150000,
        failed_reason="Customer not available",
    ),
    # L4: one item kept, one returned: net 300,000 − 100,000
    lazada_item("41", "310000000000004", "03 Apr 2026 09:00", "delivered", 200000),
    lazada_item("42", "310000000000004", "03 Apr 2026 09:00", "returned", 100000),
    # L5: shipped (net so far)
    lazada_item("51", "310000000000005", "03 Apr 2026 18:00", "shipped", 80000),
]
# Placed: 5 orders, 240,000 + 99,000 + 150,000 + 300,000 + 80,000.
# Net: L1, L4, L5: 240,000 + 200,000 + 80,000.


def test_lazada_workbook_placed_and_net(tmp_path: Path) -> None:
    path = write_lazada(tmp_path / "orders.xlsx", LAZADA_ITEMS)
    orders, info = read_shop_export(path, ShopOptions())
    assert info.label == "Lazada order export"
    assert orders["outcome"].to_list() == [
        "completed", "cancelled", "failed_delivery", "completed", "open",
    ]  # fmt: skip
    assert (orders.height, orders["revenue"].sum()) == (5, 869_000)
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == (3, 520_000)
    assert by_day(orders) == {
        "2026-04-01": (1, 240_000, 1, 240_000),
        "2026-04-02": (2, 249_000, 0, 0),
        "2026-04-03": (2, 380_000, 2, 280_000),
    }
    assert orders["cod"].to_list() == [True, False, True, True, True]


def test_an_order_without_its_value_names_the_exports_column(tmp_path: Path) -> None:
    """The export's own header is named, not perfmkt's working column (``_revenue``)."""
    shopee = [dict(line) for line in SHOPEE_LINES[:3]]
    shopee[2]["Tổng giá trị đơn hàng (VND)"] = None
    tiktok = [dict(line) for line in TIKTOK_LINES[:3]]
    tiktok[2]["Order Amount"] = ""
    lazada = [dict(item) for item in LAZADA_ITEMS[:3]]
    lazada[2]["paidPrice"] = None
    for path, expected in (
        (
            write_shopee(tmp_path / "s.xlsx", shopee),
            "4: Tổng giá trị đơn hàng (VND): expected the order's value",
        ),
        (
            write_tiktok_csv(tmp_path / "t.csv", tiktok),
            "5: Order Amount: expected the order amount",
        ),
        (write_lazada(tmp_path / "l.xlsx", lazada), "4: paidPrice: expected the item's price"),
    ):
        with pytest.raises(ExportError) as caught:
            read_shop_export(path, ShopOptions())
        assert str(caught.value) == f"{path}:{expected}, found an empty cell"
        _, stderr = run_cli(["inspect", path], expect=2)
        assert f"{path.name}:{expected}, found an empty cell" in stderr


# ---- Shopify Analytics -------------------------------------------------------------------

OVER_TIME_ROWS = [
    "2026-04-01,5,1000.00,-100.00,0.00,900.00,50.00,0.00,0.00,90.00,1040.00",
    "2026-04-02,3,600.00,0.00,-200.00,400.00,30.00,0.00,0.00,40.00,470.00",
    "2026-04-03,0,0.00,0.00,-50.00,-50.00,0.00,0.00,0.00,-5.00,-55.00",
]
BY_PRODUCT_ROWS = [
    "2026-04-01,Trà sen,Default Title,TS-1,4,400.00,-40.00,0.00,360.00,36.00,396.00,3",
    "2026-04-01,Hộp quà,Default Title,HQ-1,3,600.00,-60.00,0.00,540.00,54.00,594.00,4",
    "2026-04-02,Trà sen,Default Title,TS-1,2,200.00,0.00,0.00,200.00,20.00,220.00,2",
    "2026-04-02,Hộp quà,Default Title,HQ-1,2,400.00,0.00,-200.00,200.00,20.00,220.00,2",
]


def test_sales_over_time_by_day(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "Sales over time.csv", OVER_TIME_HEADER, OVER_TIME_ROWS)
    days, info = read_shop_export(path, ShopOptions())
    assert info.label == "Shopify Analytics: Sales over time by day"
    assert days["order_id"].null_count() == 3 and days["net_orders"].null_count() == 3
    # revenue: total — placed = Total sales + |Returns|, net = Total sales
    assert days.select("orders", "revenue", "net_revenue").rows() == [
        (5.0, 1040.0, 1040.0),
        (3.0, 670.0, 470.0),
        (0.0, -5.0, -55.0),
    ]
    assert info.orders_refused is None
    assert any("date a return on the day it is made" in w for w in info.warnings)
    # revenue: subtotal — placed = Gross sales + Discounts, net = Net sales
    days, _ = read_shop_export(path, ShopOptions(revenue="subtotal"))
    assert days.select("revenue", "net_revenue").rows() == [
        (900.0, 900.0),
        (600.0, 400.0),
        (0.0, -50.0),
    ]


def test_sales_by_product_revenue_is_exact_its_orders_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "Sales by product.csv", BY_PRODUCT_HEADER, BY_PRODUCT_ROWS)
    days, info = read_shop_export(path, ShopOptions(revenue="subtotal"))
    assert days["orders"].to_list() == [None, None]  # 3 + 4 would count orders twice
    assert days.select("date", "revenue", "net_revenue").rows() == [
        (date(2026, 4, 1), 900.0, 900.0),
        (date(2026, 4, 2), 600.0, 400.0),
    ]
    assert info.orders_refused == (
        "Shopify's Sales by product counts an order once per product it holds: download "
        "Sales over time by day, or take orders from the platforms"
    )
    assert info.skipped == {"product rows (summed per day)": 2}


def test_both_shopify_reports_combine_per_day(tmp_path: Path) -> None:
    over = write_csv(tmp_path / "over.csv", OVER_TIME_HEADER, OVER_TIME_ROWS)
    product = write_csv(tmp_path / "product.csv", BY_PRODUCT_HEADER, BY_PRODUCT_ROWS)
    os.utime(product, (2e9, 2e9))  # newer, yet Sales over time supplies its days
    options = ShopOptions()
    loaded = load_exports([(product, options), (over, options)], cache=False)
    assert loaded.orders.sort("date").select("date", "orders", "net_revenue").rows() == [
        (date(2026, 4, 1), 5.0, 1040.0),
        (date(2026, 4, 2), 3.0, 470.0),
        (date(2026, 4, 3), 0.0, -55.0),
    ]
    by_product = next(f for f in loaded.shop_files if f.path == str(product))
    assert by_product.orders_refused is None  # every one of its days has distinct orders
    # Alone, for days Sales over time does not cover, its revenue is used and orders refused
    early = write_csv(tmp_path / "over_early.csv", OVER_TIME_HEADER, OVER_TIME_ROWS[:1])
    loaded = load_exports([(product, options), (early, options)], cache=False)
    assert loaded.orders.sort("date").select("date", "orders", "net_revenue").rows() == [
        (date(2026, 4, 1), 5.0, 1040.0),
        (date(2026, 4, 2), None, 440.0),
    ]
    by_product = next(f for f in loaded.shop_files if f.path == str(product))
    assert by_product.orders_refused is not None


def test_a_redownloaded_report_supplies_its_days_once(tmp_path: Path) -> None:
    """Two downloads of Sales over time sharing 2 Apr: the newer one supplies that day."""
    old = write_csv(tmp_path / "a.csv", OVER_TIME_HEADER, OVER_TIME_ROWS[:2])
    new = write_csv(
        tmp_path / "b.csv",
        OVER_TIME_HEADER,
        ["2026-04-02,4,800.00,0.00,0.00,800.00,40.00,0.00,0.00,80.00,920.00", OVER_TIME_ROWS[2]],
    )
    os.utime(old, (1.9e9, 1.9e9))
    os.utime(new, (2e9, 2e9))
    loaded = load_exports([(new, ShopOptions()), (old, ShopOptions())], cache=False)
    assert loaded.orders.sort("date").select("date", "orders", "net_revenue").rows() == [
        (date(2026, 4, 1), 5.0, 1040.0),
        (date(2026, 4, 2), 4.0, 920.0),  # restated: the newer download's figures, not a sum
        (date(2026, 4, 3), 0.0, -55.0),
    ]
    older = next(f for f in loaded.shop_files if f.path == str(old))
    assert older.warnings[-1] == f"1 day supplied by the newer download {new}"


def test_shopify_orders_and_its_report_for_the_same_days_are_said(tmp_path: Path) -> None:
    over = write_csv(tmp_path / "over.csv", OVER_TIME_HEADER, OVER_TIME_ROWS)
    orders = tmp_path / "orders_export_1.csv"
    orders.write_text(
        "Name,Financial Status,Created at,Total\n#1,paid,2026-04-01 10:00:00 +0700,100.00\n"
    )
    options = ShopOptions(timezone="Asia/Ho_Chi_Minh")
    loaded = load_exports([(orders, options), (over, options)], cache=False)
    report = next(f for f in loaded.shop_files if f.path == str(over))
    assert report.warnings[-1] == (
        "Shopify's orders export lists orders on 1 of its days too: those orders are counted "
        "twice (read one of the two for this shop)"
    )


def test_a_report_not_by_day_is_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "month.csv", "Month,Orders,Net sales,Total sales", ["2026-04,8,1250,1455"]
    )
    with pytest.raises(ExportError, match=r"month\.csv: Shopify's Sales over time report, but"):
        read_shop_export(path, ShopOptions())


# ---- Shopify orders export and columns: maps ---------------------------------------------


SHOPIFY_HEADER = (
    "Name,Financial Status,Created at,Total,Refunded Amount,Cancelled at,Payment Method"
)
SHOPIFY_ROWS = [
    "#1,paid,2026-04-01 10:00:00 +0700,100.00,0.00,,Cash on Delivery (COD)",
    "#2,partially_refunded,2026-04-01 11:00:00 +0700,200.00,50.00,,shopify_payments",
    "#3,refunded,2026-04-01 12:00:00 +0700,300.00,300.00,,shopify_payments",
    "#4,voided,2026-04-01 13:00:00 +0700,40.00,0.00,,shopify_payments",
    "#5,pending,2026-04-01 14:00:00 +0700,60.00,0.00,,Cash on Delivery (COD)",
    "#6,paid,2026-04-01 15:00:00 +0700,70.00,0.00,2026-04-02 09:00:00 +0700,manual",
    "#7,authorized,2026-04-01 16:00:00 +0700,80.00,0.00,,shopify_payments",
]


def test_shopify_financial_status_and_refunds(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders_export_1.csv", SHOPIFY_HEADER, SHOPIFY_ROWS)
    orders, _ = read_shop_export(path, ShopOptions(timezone="Asia/Ho_Chi_Minh"))
    assert orders["outcome"].to_list() == [
        "completed", "completed", "returned", "cancelled", "open", "cancelled", "open",
    ]  # fmt: skip
    # Placed: 7 orders, 850.00. Net: #1, #2 (200 − 50), #5, #7.
    assert (orders.height, orders["revenue"].sum()) == (7, 850.0)
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == (4, 100 + 150 + 60 + 80)
    assert orders["cod"].to_list() == [True, False, False, False, True, False, False]
    # The plan's exclude_statuses still make an order not net
    orders, _ = read_shop_export(
        path, ShopOptions(exclude_statuses=("pending", "authorized", "refunded"))
    )
    assert orders["net_orders"].sum() == 2
    assert orders["outcome"][4] == "cancelled"


@pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="no ../shared/real-exports")
@pytest.mark.parametrize(
    ("name", "orders", "total", "net", "warnings"),
    [
        # every order paid, none cancelled or refunded: net = placed (README's hand totals)
        ("devstore_orders_export_1.csv", 51, 590_683.29, 51, []),
        # no Financial Status column: every order kept, and said to be unknown (not open)
        (
            "orders_export_trimmed_columns.csv",
            1057,
            68_141.45,
            1057,
            [
                "no Financial Status column: every order counted as kept, net as placed "
                "(whether paid, refunded or voided is unknown)"
            ],
        ),
    ],
)
def test_real_shopify_exports_placed_and_net(
    name: str, orders: int, total: float, net: int, warnings: list[str]
) -> None:
    frame, info = read_shop_export(REAL_EXPORTS / "shopify" / name, ShopOptions())
    assert (frame.height, frame["orders"].sum()) == (orders, orders)
    assert frame["revenue"].sum() == pytest.approx(total)
    assert frame["net_orders"].sum() == net
    assert frame["net_revenue"].sum() == pytest.approx(total)
    assert frame["outcome"].unique().to_list() == ["completed"]  # none open: net cannot fall
    assert info.label == "Shopify orders export"
    assert info.warnings == warnings


def test_shopify_orders_whose_status_is_unknown_are_kept_not_open(tmp_path: Path) -> None:
    """Without Financial Status an order is neither open nor refunded as far as anyone can
    tell: kept, net as placed, and the notes say so; Cancelled at still cancels."""
    path = tmp_path / "orders_export_1.csv"
    path.write_text(
        "Name,Created at,Total,Cancelled at\n"
        "#1,2026-04-01 10:00:00 +0700,100.00,\n"
        "#2,2026-04-01 11:00:00 +0700,250.00,2026-04-02 08:00:00 +0700\n"
        "#3,2026-04-02 09:00:00 +0700,40.00,\n"
    )
    orders, info = read_shop_export(path, ShopOptions(timezone="Asia/Ho_Chi_Minh"))
    assert orders["outcome"].to_list() == ["completed", "cancelled", "completed"]
    # Placed: 3 orders, 390.00. Net: #1 and #3, 140.00.
    assert by_day(orders) == {"2026-04-01": (2, 350.0, 1, 100.0), "2026-04-02": (1, 40.0, 1, 40.0)}
    assert info.warnings == [
        "no Financial Status column: every order without Cancelled at counted as kept, net as "
        "placed (whether paid, refunded or voided is unknown)"
    ]
    # One empty Financial Status among known ones: that order alone is kept unknowing
    path.write_text(
        "Name,Financial Status,Created at,Total\n"
        "#1,pending,2026-04-01 10:00:00 +0700,100.00\n"
        "#2,,2026-04-01 11:00:00 +0700,250.00\n"
        "#3,refunded,2026-04-02 09:00:00 +0700,40.00\n"
    )
    orders, info = read_shop_export(path, ShopOptions(timezone="Asia/Ho_Chi_Minh"))
    assert orders["outcome"].to_list() == ["open", "completed", "returned"]
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == (2, 350.0)
    assert info.warnings == [
        "an empty Financial Status on 1 order: counted as kept, net as placed (whether paid, "
        "refunded or voided is unknown)"
    ]


def test_a_columns_map_reads_refunds_and_payment(tmp_path: Path) -> None:
    path = tmp_path / "pancake.csv"
    path.write_text(
        "Mã đơn,Ngày tạo,Tổng tiền,Trạng thái,Hoàn tiền,Thanh toán\n"
        'P1,01/04/2026,"500.000",Đã giao hàng,"100.000",COD\n'
        'P2,01/04/2026,"300.000",Giao hàng thất bại,0,COD\n'
        'P3,13/04/2026,"200.000",Đang giao,0,Chuyển khoản\n'
    )
    columns = {
        "order_id": "Mã đơn",
        "date": "Ngày tạo",
        "revenue": "Tổng tiền",
        "status": "Trạng thái",
        "refund": "Hoàn tiền",
        "payment": "Thanh toán",
    }
    orders, _ = read_shop_export(path, ShopOptions(columns=columns))
    assert orders["outcome"].to_list() == ["completed", "failed_delivery", "open"]
    assert (orders.height, orders["revenue"].sum()) == (3, 1_000_000)
    assert (orders["net_orders"].sum(), orders["net_revenue"].sum()) == (2, 400_000 + 200_000)
    assert orders["cod"].to_list() == [True, True, False]


# ---- every format: re-downloads never double count; placed ≥ net --------------------------

ORDER = st.tuples(
    st.integers(min_value=1, max_value=6),  # day of April
    st.integers(min_value=1, max_value=50).map(lambda k: k * 10_000),  # value
    st.sampled_from(["Hoàn thành", "Đã hủy", "Đang giao", "Chờ xác nhận"]),
    st.booleans(),  # a second line
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orders=st.lists(ORDER, min_size=1, max_size=12),
    cut=st.integers(min_value=0, max_value=12),
    overlap=st.integers(min_value=0, max_value=12),
)
def test_overlapping_shopee_downloads_never_double_count(
    tmp_path_factory: pytest.TempPathFactory, orders: list, cut: int, overlap: int
) -> None:
    folder = tmp_path_factory.mktemp("shopee")
    lines = []
    for n, (day, value, status, two) in enumerate(orders):
        order_id = f"26040{day}{n:04d}"
        placed = f"2026-04-0{day} 10:00"
        lines.append(shopee_line(order_id, placed, status, value, value // 2 if two else value))
        if two:
            lines.append(shopee_line(order_id, placed, status, value, value // 2))
    ids = [line["Mã đơn hàng"] for line in lines]
    # Two downloads: lines [0, cut + overlap) and [cut, end): some orders in both.
    first = write_shopee(folder / "a.xlsx", lines[: cut + overlap])
    second = write_shopee(
        folder / "b.xlsx", [line for line, i in zip(lines, ids, strict=True) if i in ids[cut:]]
    )
    loaded = load_exports([(first, ShopOptions()), (second, ShopOptions())], cache=False)
    got = loaded.orders
    assert got["order_id"].n_unique() == got.height == len(set(ids))
    assert got["revenue"].sum() == sum(value for _, value, _, _ in orders)
    assert got["orders"].sum() >= got["net_orders"].sum()
    assert got["revenue"].sum() >= got["net_revenue"].sum()
    kept = sum(value for _, value, status, _ in orders if status != "Đã hủy")
    assert got["net_revenue"].sum() == kept


# ---- inspect and report ------------------------------------------------------------------


def test_which_files_look_like_orders_from_their_header_alone(tmp_path: Path) -> None:
    """``init`` asks this of every file an ad reader refused: a workbook's first row is all
    that is read for it."""
    shopee = write_shopee(tmp_path / "Order.all.xlsx", SHOPEE_LINES)
    header = read_sheet(shopee, header_only=True)
    assert header.pick("Mã đơn hàng") == "Mã đơn hàng" and header.frame.height == 0
    assert read_sheet(shopee).frame.height == len(SHOPEE_LINES)
    for path in (
        shopee,
        write_tiktok_csv(tmp_path / "tiktok.csv", TIKTOK_LINES),
        write_lazada(tmp_path / "lazada.xlsx", LAZADA_ITEMS),
        write_csv(tmp_path / "over.csv", OVER_TIME_HEADER, OVER_TIME_ROWS),
    ):
        assert looks_like_orders(path), path
    for path in (
        write_xlsx(tmp_path / "budget.xlsx", [["Tháng", "Ngân sách"], ["4", 1000]]),
        write_xlsx(tmp_path / "empty.xlsx", []),
    ):
        assert not looks_like_orders(path), path


ORDERS_USABLE = "usable: placed and net orders per day"
DAYS_USABLE = "usable: placed orders and net revenue per day (not which orders ended net)"


@pytest.mark.parametrize(
    ("write", "label", "totals", "pacing"),
    [
        (
            lambda d: write_shopee(d / "Order.all.20260401_20260430.xlsx", SHOPEE_LINES),
            "Shopee order export",
            (7, 2_294_000, 4, 964_000),
            ORDERS_USABLE,
        ),
        (
            lambda d: write_tiktok_csv(d / "Tất cả đơn hàng.csv", TIKTOK_LINES),
            "TikTok Shop order export",
            (6, 1_677_000, 3, 718_000),
            ORDERS_USABLE,
        ),
        (
            lambda d: write_lazada(d / "orders.xlsx", LAZADA_ITEMS),
            "Lazada order export",
            (5, 869_000, 3, 520_000),
            ORDERS_USABLE,
        ),
        (
            lambda d: write_csv(d / "orders_export_1.csv", SHOPIFY_HEADER, SHOPIFY_ROWS),
            "Shopify orders export",
            (7, 850, 4, 390),  # net: #1, #2 (200 − 50), #5, #7
            ORDERS_USABLE,
        ),
        (
            lambda d: write_csv(d / "over.csv", OVER_TIME_HEADER, OVER_TIME_ROWS),
            "Shopify Analytics: Sales over time by day",
            # orders 5 + 3 + 0; placed: Total sales + |Returns| = 1,040 + 670 − 5;
            # net: Total sales = 1,040 + 470 − 55; net orders: not said
            (8, 1705, None, 1455),
            DAYS_USABLE,
        ),
        (
            lambda d: write_csv(d / "product.csv", BY_PRODUCT_HEADER, BY_PRODUCT_ROWS),
            "Shopify Analytics: Sales by product by day",
            # orders refused; placed: 396 + 594 + 220 + (220 + 200); net: 396 + 594 + 220 + 220
            (None, 1630, None, 1430),
            "revenue only: Shopify's Sales by product counts an order once per product it "
            "holds: download Sales over time by day, or take orders from the platforms",
        ),
    ],
)
def test_inspect_shows_placed_and_net_from_each_reader(
    tmp_path: Path, write, label: str, totals: tuple, pacing: str
) -> None:
    """What ``perfmkt inspect FILE`` shows of each shop export, added up by hand."""
    stdout, _ = run_cli(["inspect", write(tmp_path), "--format", "json"])
    (result,) = json.loads(stdout)
    assert result["label"] == label
    shown = result["totals"]
    assert (shown["orders"], shown["revenue"], shown["net_orders"], shown["net_revenue"]) == (
        totals
    )
    assert result["pacing"] == pacing


def test_report_paces_net_orders_from_a_shopee_workbook(tmp_path: Path) -> None:
    """End to end: a Shopee workbook as the shop's truth for orders (``shop_net``)."""
    shop = tmp_path / "shop"
    shop.mkdir()
    write_shopee(shop / "Order.all.20260401_20260430.xlsx", SHOPEE_LINES)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "client: Shop X\ncampaign: April\nobjective: ecommerce\ncurrency: VND\n"
        "timezone: Asia/Ho_Chi_Minh\nflight: {start: 2026-04-01, end: 2026-04-10}\n"
        "sources:\n  - path: shop/*.xlsx\n    kind: orders\n"
        "kpis: {orders: 10, revenue: 3_000_000}\n"
        "truth: {orders: shop_net, revenue: shop_net}\n"
    )
    stdout, _ = run_cli(["report", plan, "--as-of", "2026-04-04", "--format", "json"])
    result = json.loads(stdout)
    kpis = {k["name"]: k for k in result["kpis"]}
    assert kpis["orders"]["actual_to_date"] == SHOPEE_NET[0]
    assert kpis["revenue"]["actual_to_date"] == SHOPEE_NET[1]


def _truth(placed: float, net: float, lost: tuple, still: tuple) -> dict:
    """notes.truth for one measure: ``lost`` (cancelled, returned, failed_delivery, refunded),
    ``still`` (open, open_cod)."""
    names = ("cancelled", "returned", "failed_delivery", "refunded")
    return {
        "placed": placed,
        "net": net,
        "lost": {**dict(zip(names, lost, strict=True)), "unknown": 0},
        "open": still[0],
        "open_cod": still[1],
    }


@pytest.mark.parametrize(
    ("write", "orders", "revenue"),
    [
        (
            lambda d: write_shopee(d / "Order.all.20260401_20260430.xlsx", SHOPEE_LINES),
            # open: #5 (COD) and #7 (ShopeePay); #4's returned line is refunded of a kept order
            _truth(7, 4, (1, 1, 1, 0), (2, 1)),
            _truth(2_294_000, 964_000, (200_000, 530_000, 480_000, 120_000), (374_000, 275_000)),
        ),
        (
            lambda d: write_tiktok_csv(d / "orders.csv", TIKTOK_LINES),
            # open: F in transit (COD); D kept, 100,000 of it refunded
            _truth(6, 3, (1, 1, 1, 0), (1, 1)),
            _truth(1_677_000, 718_000, (150_000, 450_000, 259_000, 100_000), (120_000, 120_000)),
        ),
        (
            lambda d: write_lazada(d / "orders.xlsx", LAZADA_ITEMS),
            # open: L5 shipped (COD); L4 kept, its returned item (100,000) refunded
            _truth(5, 3, (1, 0, 1, 0), (1, 1)),
            _truth(869_000, 520_000, (99_000, 0, 150_000, 100_000), (80_000, 80_000)),
        ),
        (
            lambda d: write_csv(d / "orders_export_1.csv", SHOPIFY_HEADER, SHOPIFY_ROWS),
            # cancelled: #4 voided, #6 Cancelled at; open: #5 pending (COD), #7 authorized
            _truth(7, 4, (2, 1, 0, 0), (2, 1)),
            _truth(850, 390, (110, 300, 0, 50), (140, 60)),
        ),
        (
            lambda d: write_csv(d / "over.csv", OVER_TIME_HEADER, OVER_TIME_ROWS),
            # day totals: placed orders 5 + 3 + 0, net orders not said
            {"placed": 8, "net": None, "lost": None},
            # placed 1,040 + 670 − 5, net 1,040 + 470 − 55: the 250 between is each day's
            # returns, whose orders the report cannot say
            {
                "placed": 1705,
                "net": 1455,
                "lost": dict.fromkeys(("cancelled", "returned", "failed_delivery", "refunded"), 0)
                | {"unknown": 250},
            },
        ),
    ],
)
def test_report_says_placed_and_net_from_each_reader(
    tmp_path: Path, write, orders: dict, revenue: dict
) -> None:
    """The report's "which orders are real" figures (JSON notes.truth) and the KPIs paced on
    them (orders on placed, revenue on net), added up by hand for each shop export."""
    shop = tmp_path / "shop"
    shop.mkdir()
    path = write(shop)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "client: Shop X\ncampaign: April\nobjective: ecommerce\ncurrency: VND\n"
        "timezone: Asia/Ho_Chi_Minh\nflight: {start: 2026-04-01, end: 2026-04-30}\n"
        f"sources:\n  - path: shop/{path.name}\n    kind: orders\n"
        "kpis: {orders: 10, revenue: 3_000_000}\n"
        "truth: {orders: shop_placed, revenue: shop_net}\n"
    )
    stdout, _ = run_cli(["report", plan, "--as-of", "2026-04-14", "--format", "json"])
    result = json.loads(stdout)
    truth = result["notes"]["truth"]
    for name, expected in (("orders", orders), ("revenue", revenue)):
        assert {k: truth[name][k] for k in expected} == expected, name
    kpis = {k["name"]: k["actual_to_date"] for k in result["kpis"]}
    assert kpis == {"orders": orders["placed"], "revenue": revenue["net"]}
