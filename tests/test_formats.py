"""Every export variant perfmkt reads, as small files written the way each platform writes
them, with totals added up by hand from the rows shown in each file."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmkt.errors import ExportError
from perfmkt.format import Formatter
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.parsing import number_expr, parse_dates
from perfmkt.sources.reader import read_export
from tests.conftest import FIXTURES, pace_small, run_cli

EXPORTS = FIXTURES / "exports"
CP1258 = ReadOptions(encoding="cp1258")  # Vietnamese Excel: stated, never guessed
COCCOC = ReadOptions(
    platform="coccoc",
    columns={
        "date": "Ngày",
        "campaign": "Chiến dịch",
        "spend": "Chi phí (đ)",
        "clicks": "Lượt click",
        "orders": "Đơn hàng",
        "revenue": "Doanh thu",
    },
    currency="VND",
    date_order="day_first",
)

# file: (options, platform, level, encoding, rows, first day, last day, currency, totals)
# fmt: off
CASES = {
    "google_ads/vi_campaign_day_cp1258.csv": (
        CP1258, "google_ads", "campaign", "cp1258", 3, date(2026, 3, 1), date(2026, 3, 13), "VND",
        {"spend": 1_250_000 + 980_500 + 1_100_000, "impressions": 12_000 + 10_500 + 11_000,
         "clicks": 340 + 300 + 320, "orders": 4.5 + 3 + 2,
         "revenue": 2_700_000 + 1_800_000 + 1_200_000},
    ),
    "meta/vi_adset_day.csv": (
        None, "meta", "ad group", "utf-8-sig", 3, date(2026, 3, 1), date(2026, 3, 2), "VND",
        {"spend": 1_500_000 + 700_000 + 1_250_000, "impressions": 42_000 + 15_000 + 38_000,
         "reach": 30_000 + 9_000 + 27_000, "clicks": 510 + 260 + 470, "orders": 6 + 4,
         "revenue": 3_600_000 + 2_500_000},
    ),
    "meta/ad_level_day_result_type.csv": (
        None, "meta", "ad", "utf-8", 4, date(2026, 3, 1), date(2026, 3, 3), "USD",
        # orders from Results only where Result type is a purchase: 3 + 2, not the 61 clicks
        {"spend": 45.2 + 20.05 + 39.87 + 12.43859238, "impressions": 14_400,
         "clicks": 88 + 61 + 80 + 22, "orders": 5, "leads": None},
    ),
    "tiktok/ad_group_by_day_idr.csv": (
        None, "tiktok", "ad group", "utf-8", 3, date(2026, 3, 1), date(2026, 3, 2), "IDR",
        {"spend": 125_000 + 130_500 + 50_000, "impressions": 10_400 + 11_020 + 8_000,
         "clicks": 96 + 101 + 140, "orders": 3 + 4, "revenue": 450_000 + 610_000},
    ),
    "microsoft_ads/campaign_daily.csv": (
        None, "microsoft_ads", "campaign", "utf-8-sig", 3, date(2026, 3, 1), date(2026, 3, 2),
        None,
        {"spend": 31.50 + 28.25 + 5.10, "impressions": 1_200 + 1_100 + 300,
         "clicks": 40 + 35 + 25, "orders": 2 + 1, "revenue": 180},
    ),
    "linkedin/campaign_performance_daily.csv": (
        None, "linkedin", "campaign", "utf-8", 2, date(2026, 3, 1), date(2026, 3, 2), "USD",
        {"spend": 210.45 + 198.10, "impressions": 10_500, "clicks": 73, "leads": 5,
         "conversions": 1},
    ),
    "custom/coccoc_daily_semicolon.csv": (
        COCCOC, "coccoc", "campaign", "utf-8", 2, date(2026, 3, 1), date(2026, 3, 2), "VND",
        {"spend": 1_200_500 + 980_000, "clicks": 450 + 410, "orders": 8,
         "revenue": 2_500_000 + 1_450_000.50},
    ),
}
# fmt: on


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_reads_with_hand_checked_totals(name: str) -> None:
    options, platform, level, encoding, rows, first, last, currency, totals = CASES[name]
    facts, info = read_export(EXPORTS / name, options)
    assert (info.platform, info.level, info.encoding) == (platform, level, encoding)
    assert facts.height == rows == info.rows_read
    assert (info.first_day, info.last_day) == (first, last)
    assert facts["currency"].unique().to_list() == [currency]
    for measure, expected in totals.items():
        series = facts[measure]
        got = None if series.null_count() == series.len() else series.sum()
        assert got == (pytest.approx(expected) if expected is not None else None), measure


def test_vietnamese_names_survive_windows_1258() -> None:
    facts, info = read_export(EXPORTS / "google_ads/vi_campaign_day_cp1258.csv", CP1258)
    assert "TSTH_Tìm kiếm" in facts["campaign"].to_list()
    assert info.number_format == "1.234,56"
    assert info.columns_used["spend"] == "Chi phí"


@pytest.mark.parametrize("name", sorted(n for n, case in CASES.items() if case[0] is None))
def test_inspect_prints_platform_and_totals(name: str) -> None:
    _, platform, *_, totals = CASES[name]
    (result,) = json.loads(run_cli(["inspect", EXPORTS / name, "-f", "json"])[0])
    assert result["platform"] == platform and result["daily"] is True
    assert result["totals"]["spend"] == pytest.approx(totals["spend"])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_header_with_different_values_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tt.csv",
        "Date,Campaign name,Ad group name,Cost,Conversions,Cost\n"
        "2026-03-01,A,B,100,1,100\n2026-03-02,A,B,120,1,99\n",
    )
    with pytest.raises(ExportError) as caught:
        read_export(path)
    assert str(caught.value).startswith(f"{path}:3: Cost: the header 'Cost' appears twice")


def test_announced_rows_must_match(tmp_path: Path) -> None:
    text = (EXPORTS / "microsoft_ads/campaign_daily.csv").read_text(encoding="utf-8-sig")
    path = write(tmp_path, "ms.csv", text.replace('"Rows: 3"', '"Rows: 4"'))
    with pytest.raises(ExportError, match="announces 4 rows but 3 were read"):
        read_export(path)


def test_ambiguous_slash_dates_ask_for_date_order(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "Day,Campaign,Cost\n01/03/2026,A,1\n02/03/2026,A,1\n")
    with pytest.raises(ExportError, match=r"Day: dates such as '01/03/2026' could be day-first"):
        read_export(path)
    facts, _ = read_export(path, ReadOptions(date_order="month_first"))
    assert facts["date"].to_list() == [date(2026, 1, 3), date(2026, 2, 3)]
    one_late = write(tmp_path, "h.csv", "Day,Campaign,Cost\n01/03/2026,A,1\n02/13/2026,A,1\n")
    facts, _ = read_export(one_late)  # the 13 decides: month-first, read whole
    assert facts["date"].to_list() == [date(2026, 1, 3), date(2026, 2, 13)]


def test_mixed_number_formats_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, "g.csv", 'Day,Campaign,Cost\n2026-03-01,A,"1,234.50"\n2026-03-02,A,"1.234,50"\n'
    )
    with pytest.raises(ExportError) as err:
        read_export(path)
    assert str(err.value).startswith(  # the later cell is the one that contradicts the file
        f"{path}:3: Cost: numbers are written both as 1,234.56 and as 1.234,56 "
        "(Cost row 2: 1,234.56; Cost row 3: 1.234,56)"
    )


def test_meta_day_breakdown_beside_a_period_range_is_daily() -> None:
    _facts, info = read_export(EXPORTS / "meta/ad_level_day_result_type.csv")
    assert info.columns_used["date"] == "Day"
    assert info.attribution == ["7-day click or 1-day view"]


def test_inspect_unknown_file_is_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "a,b\n1,2\n")
    _, stderr = run_cli(["inspect", path], expect=2)
    assert "not a recognised export" in stderr and "columns found: a, b" in stderr


def _format(value: float, style: str) -> str:
    text = f"{value:,.2f}"
    if style == "1.234,56":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


@given(
    value=st.floats(-1e12, 1e12).map(lambda v: round(v, 2)),
    style=st.sampled_from(["1,234.56", "1.234,56"]),
    sign=st.sampled_from(["", "$", "₫"]),
)
def test_number_parser_round_trip(value: float, style: str, sign: str) -> None:
    cell = sign + _format(value, style) if value >= 0 else _format(value, style)
    parsed = pl.DataFrame({"c": [cell]}).select(number_expr("c", style)).item()
    assert parsed == pytest.approx(value, abs=0.005)


@given(
    days=st.lists(st.dates(date(2000, 1, 1), date(2040, 12, 31)), min_size=1, max_size=20),
    pattern=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%b %d, %Y", "%d %B %Y"]),
)
def test_date_parser_round_trip(days: list[date], pattern: str) -> None:
    frame = pl.DataFrame({"d": [d.strftime(pattern) for d in days], "row": range(len(days))})
    order = {"%d/%m/%Y": "day_first", "%m/%d/%Y": "month_first"}.get(pattern)
    assert parse_dates(frame, "d", Path("x.csv"), order).to_list() == days


def test_shopify_orders_counted_once_in_the_plan_timezone() -> None:
    from perfmkt.sources.base import ShopOptions
    from perfmkt.sources.shop import read_shop_export

    path = FIXTURES / "small/exports/shop/orders_export_1.csv"
    orders, info = read_shop_export(path, ShopOptions(timezone="Asia/Ho_Chi_Minh"))
    placed = ["#1001", "#1002", "#1003", "#1004", "#1005", "#1006", "#1007"]
    assert orders["order_id"].to_list() == placed
    outcome = dict(zip(orders["order_id"], orders["outcome"], strict=True))
    assert outcome["#1003"] == "returned"  # refunded
    assert outcome["#1004"] == "cancelled"  # Cancelled at is set
    assert outcome["#1007"] == "open"  # pending: not paid yet, net so far
    net = orders.filter(pl.col("net_orders") == 1)["order_id"].to_list()
    assert net == ["#1001", "#1002", "#1005", "#1006", "#1007"]
    days = dict(zip(orders["order_id"], orders["date"], strict=True))
    assert days["#1002"] == date(2026, 3, 2)  # 1 Mar 18:30 -05:00 is 2 Mar in Hanoi
    assert days["#1006"] == date(2026, 3, 6)  # 5 Mar 17:10 UTC is 6 Mar in Hanoi
    assert info.skipped == {"line-item rows (the order is counted on its first row)": 1}
    subtotal, _ = read_shop_export(path, ShopOptions(revenue="subtotal"))
    assert subtotal["net_revenue"].sum() == 500_000 + 1_200_000 + 800_000 + 450_000 + 300_000


@pytest.mark.skipif(not (FIXTURES.parent.parent.parent / "shared").is_dir(), reason="no shared")
@pytest.mark.parametrize(
    ("name", "orders", "total", "subtotal"),
    [
        ("devstore_orders_export_1.csv", 51, 590_683.29, 585_942.00),
        ("orders_export_trimmed_columns.csv", 1057, 68_141.45, 53_823.55),
    ],
)
def test_real_shopify_exports(name: str, orders: int, total: float, subtotal: float) -> None:
    from perfmkt.sources.base import ShopOptions
    from perfmkt.sources.shop import read_shop_export
    from tests.conftest import REAL_EXPORTS

    frame, _ = read_shop_export(REAL_EXPORTS / "shopify" / name, ShopOptions())
    assert frame.height == orders
    assert frame["revenue"].sum() == pytest.approx(total)
    frame, _ = read_shop_export(REAL_EXPORTS / "shopify" / name, ShopOptions(revenue="subtotal"))
    assert frame["revenue"].sum() == pytest.approx(subtotal)


def test_generic_orders_and_crm_leads_through_a_columns_map() -> None:
    from perfmkt.sources.base import ShopOptions
    from perfmkt.sources.shop import read_shop_export

    columns = {
        "order_id": "Mã đơn",
        "date": "Ngày đặt",
        "revenue": "Doanh thu",
        "status": "Trạng thái",
        "source": "Nguồn",
        "new_customer": "Khách mới",
    }
    orders, info = read_shop_export(
        EXPORTS / "shop/orders_generic.csv",
        ShopOptions(columns=columns, exclude_statuses=("đã hủy",)),
    )
    assert orders["order_id"].to_list() == ["DH-1001", "DH-1002", "DH-1003"]
    assert orders["outcome"].to_list() == ["completed", "cancelled", "completed"]
    net = orders.filter(pl.col("net_orders") == 1)
    assert net["net_revenue"].sum() == 1_250_000 + 2_100_000  # decimal-comma file, read whole
    assert net["date"].to_list() == [date(2026, 3, 1), date(2026, 3, 13)]
    assert info.skipped == {}

    leads, _ = read_shop_export(
        EXPORTS / "shop/crm_leads.csv",
        ShopOptions(
            kind="leads",
            columns={"lead_id": "Lead ID", "date": "Created", "source": "Source", "stage": "Stage"},
        ),
    )
    assert leads["stage"].to_list() == ["won", "mql", "lead", "sal", "lead"]


def test_unknown_lead_stage_is_refused(tmp_path: Path) -> None:
    from perfmkt.sources.base import ShopOptions
    from perfmkt.sources.shop import read_shop_export

    path = write(tmp_path, "l.csv", "id,day,stage\nA,2026-03-01,Lead\nB,2026-03-01,Hot\n")
    with pytest.raises(ExportError, match=r"l.csv:3: stage: unknown lead stage 'hot'"):
        read_shop_export(
            path,
            ShopOptions(kind="leads", columns={"lead_id": "id", "date": "day", "stage": "stage"}),
        )


def test_fx_converts_spend_and_value_alike(small_plan: Path) -> None:
    """Microsoft Ads in USD beside VND exports: converted with the plan's fx: rate."""
    import shutil

    bing = small_plan.parent / "exports" / "bing"
    bing.mkdir()
    shutil.copy(EXPORTS / "microsoft_ads/campaign_daily.csv", bing)
    plan = small_plan.read_text().replace(
        "channels:\n",
        "  - {path: exports/bing/*.csv, currency: USD}\nfx: {USD: 25000}\nchannels:\n"
        "  bing: {platform: microsoft_ads, campaigns: '^SHOPX_'}\n",
    )
    small_plan.write_text(plan)
    result = json.loads(pace_small(small_plan, "-f", "json")[0])
    bing_row = next(c for c in result["channels"] if c["name"] == "bing")
    # 1 Mar is before the flight: only 2 Mar's two rows count
    assert bing_row["actual"]["spend"] == pytest.approx((28.25 + 5.10) * 25_000)
    assert bing_row["actual"]["revenue"] == pytest.approx(60 * 25_000)
    assert result["notes"]["fx"] == {"USD": 25000}
    spend = next(k for k in result["kpis"] if k["name"] == "spend")
    assert spend["actual_to_date"] == pytest.approx(3_250_000 + 33.35 * 25_000)

    small_plan.write_text(plan.replace("fx: {USD: 25000}\n", ""))
    _, stderr = run_cli(["report", small_plan], expect=2)
    assert "amounts are in USD, the plan's currency is VND and fx: has no USD rate" in stderr


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8-sig"])
def test_encodings_without_and_with_bom(tmp_path: Path, encoding: str) -> None:
    text = 'Day\tCampaign\tCost\n2026-03-01\tTết sale\t"1,500.25"\n'
    path = tmp_path / "g.csv"
    path.write_bytes(text.encode(encoding))
    facts, info = read_export(path)
    assert facts["campaign"].to_list() == ["Tết sale"]
    assert facts["spend"].to_list() == [1500.25]
    assert info.encoding == encoding


@given(
    values=st.lists(st.floats(-1e9, 1e9).map(lambda v: round(v, 2)), min_size=1, max_size=30),
    style=st.sampled_from(["1,234.56", "1.234,56"]),
    decimals=st.sampled_from([0, 1, 2]),
)
def test_number_format_detection_never_picks_the_other_format(
    values: list[float], style: str, decimals: int
) -> None:
    from perfmkt.sources.parsing import detect_number_format

    def written(v: float) -> str:
        text = f"{v:,.{decimals}f}"
        if style == "1.234,56":
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return text

    frame = pl.DataFrame({"c": [written(v) for v in values], "row": range(len(values))})
    assert detect_number_format(frame, ["c"], Path("x.csv")) in (style, None)


# -- compact numbers (Formatter.money_compact / count_compact) ------------------------------
# fmt: off
COMPACT = [
    # value, vi VND, en USD, en VND
    (None, "—", "—", "—"),
    (999, "999\u00a0₫", "$999.00", "₫999"),  # under 1,000: as money() shows it
    (1_000, "1\u00a0nghìn\u00a0₫", "$1K", "₫1K"),
    (45_600, "45,6\u00a0nghìn\u00a0₫", "$45.6K", "₫45.6K"),
    (999_999, "1\u00a0tr\u00a0₫", "$1M", "₫1M"),  # rounds up into the next unit, never "1.000 N"
    (1_000_000, "1\u00a0tr\u00a0₫", "$1M", "₫1M"),
    (1_234_567, "1,23\u00a0tr\u00a0₫", "$1.23M", "₫1.23M"),
    (613_015_915, "613\u00a0tr\u00a0₫", "$613M", "₫613M"),
    (2_086_984_085, "2,09\u00a0tỷ\u00a0₫", "$2.09B", "₫2.09B"),  # the demo's revenue projection
    (2_700_000_000, "2,7\u00a0tỷ\u00a0₫", "$2.7B", "₫2.7B"),
    (-613_015_915, "-613\u00a0tr\u00a0₫", "-$613M", "-₫613M"),
    (-999, "-999\u00a0₫", "-$999.00", "-₫999"),
    (1_225_000, "1,23\u00a0tr\u00a0₫", "$1.23M", "₫1.23M"),  # half up, as money is rounded
    (1_500_000_000_000, "1,5\u00a0nghìn\u00a0tỷ\u00a0₫", "$1.5T", "₫1.5T"),
]
# fmt: on


@pytest.mark.parametrize(("value", "vi", "en_usd", "en_vnd"), COMPACT)
def test_money_compact(value: float | None, vi: str, en_usd: str, en_vnd: str) -> None:
    from perfmkt.format import Formatter

    assert Formatter("VND", "vi_VN").money_compact(value) == vi
    assert " " not in vi  # no-break spaces only: "613" never wraps away from "tr ₫"
    assert Formatter("USD", "en_US").money_compact(value) == en_usd
    assert Formatter("VND", "en_US").money_compact(value) == en_vnd


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (None, "—", "—"),
        (999, "999", "999"),
        (999.5, "999,5", "999.5"),  # fractional conversions stay as count() shows them
        (1_000, "1\u00a0nghìn", "1K"),
        (999_999, "1\u00a0tr", "1M"),
        (1_000_000, "1\u00a0tr", "1M"),
        (-45_600, "-45,6\u00a0nghìn", "-45.6K"),
        (3_210_000_000, "3,21\u00a0tỷ", "3.21B"),
    ],
)
def test_count_compact(value: float | None, vi: str, en: str) -> None:
    from perfmkt.format import Formatter

    assert Formatter("VND", "vi_VN").count_compact(value) == vi
    assert Formatter("USD", "en_US").count_compact(value) == en


@given(st.floats(-1e15, 1e15, allow_nan=False))
def test_money_compact_keeps_three_significant_digits(value: float) -> None:
    """Read back, a compact amount is within half a unit of its third digit of the value."""
    from perfmkt.format import Formatter

    text = Formatter("USD", "en_US").money_compact(value)
    if abs(value) < 1000:
        assert text == Formatter("USD", "en_US").money(value)
        return
    number = text.replace("$", "").replace(",", "")
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[number[-1]]
    shown = float(number[:-1]) * scale
    digits = len(number[:-1].replace("-", "").replace(".", "").lstrip("0"))
    assert digits <= 3 or number[-1] == "T"  # past trillions the mantissa grows
    step = 10 ** (math.floor(math.log10(abs(value))) - 2)
    assert abs(shown - value) <= step / 2 * (1 + 1e-9) + abs(value) * 1e-12


@pytest.mark.parametrize(
    ("currency", "locale", "value", "expected"),
    [
        ("IDR", "en_US", 61_030.08, "IDR61,030"),  # a CPO's cents are noise in a sentence
        ("IDR", "vi_VN", 61_030.5, "61.031\u00a0IDR"),  # half up, the locale's own pattern
        ("USD", "en_US", -1_234.5, "-$1,235"),
        ("VND", "vi_VN", 352_916.0, "352.916\u00a0₫"),
        ("", "en_US", 1_234.4, "1,234"),
        ("USD", "en_US", None, "—"),
    ],
)
def test_money_whole(currency: str, locale: str, value: float | None, expected: str) -> None:
    from perfmkt.format import Formatter

    assert Formatter(currency, locale).money_whole(value) == expected


def test_compact_money_only_where_it_is_shorter() -> None:
    vi, en = Formatter("VND", "vi_VN"), Formatter("USD", "en_US")

    def compact(fmt: Formatter, value: float | None, kind: str) -> str:
        return fmt.value(kind, value, compact=True)

    nbsp = "\u00a0"
    assert compact(vi, 313_613, "money") == f"313.613{nbsp}₫"  # not "314 nghìn ₫"
    assert compact(vi, 444_285_714, "money") == f"444{nbsp}tr{nbsp}₫"
    assert compact(en, 61_030.4, "money") == "$61K"
    assert compact(en, 612.5, "money") == "$612.50"  # small amounts keep their cents
    assert compact(en, None, "money") == "—"


def test_a_columns_map_names_only_the_headers_the_file_lacks(tmp_path: Path) -> None:
    """A title line above the header: the error names the one mapped header missing from the
    header line (here 'Lượt click' is written 'Click'), and that line."""
    export = tmp_path / "coccoc.csv"
    export.write_text(
        "Báo cáo chiến dịch Cốc Cốc\n"
        "Ngày,Chiến dịch,Chi phí (đ),Click,Đơn hàng,Doanh thu\n"
        "01/03/2026,CC_Tet,1.000.000,10,1,500.000\n",
        encoding="utf-8",
    )
    with pytest.raises(ExportError) as err:
        read_export(export, COCCOC)
    assert str(err.value) == (
        f"{export}:2: the plan's columns: map names headers this file does not have: ['Lượt click']"
    )


def test_a_chance_is_never_shown_as_certain() -> None:
    from perfmkt.format import Formatter

    fmt = Formatter.for_currency("USD")
    assert [fmt.chance(x) for x in (0.0, 0.004, 0.005, 0.35, 0.995, 0.996, 1.0, None)] == [
        "< 1%",
        "< 1%",
        "1%",  # half up, never Babel's half-even "0%"
        "35%",
        "> 99%",  # would round to 100 %
        "> 99%",
        "> 99%",
        "—",
    ]


def test_a_slash_date_that_is_no_date_either_way_names_its_row() -> None:
    """31/31/2026 is neither day-first nor month-first: a bad cell on its row, not a column
    'written both ways'."""
    frame = pl.DataFrame(
        {"d": ["05/03/2026", "31/31/2026 10:00:00", "14/03/2026"], "row": [2, 3, 4]}
    )
    with pytest.raises(ExportError) as caught:
        parse_dates(frame, "d", Path("orders.csv"))
    assert (
        str(caught.value) == "orders.csv:3: d: expected a date like 2026-01-05, found '31/31/2026'"
    )
