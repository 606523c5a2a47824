"""Net outcomes through the report: which orders are real (platform-claimed, placed in the
shop, net after cancellations, returns and failed deliveries), pacing on placed or net, and a
plan refused when its shop exports cannot give the figure it paces on.

The small plan (tests/fixtures/small, as of 5 Mar 2026; see test_end_to_end.py) reads a
Shopify orders export. Orders placed 2–5 Mar in Asia/Ho_Chi_Minh, each at its Total:
  #1001 web      530,000  paid                 net
  #1002 web    1,200,000  paid (1 Mar -05:00)  net
  #1003 web      430,000  refunded             returned: placed, not net
  #1004 web      350,000  paid, cancelled      cancelled: placed, not net
  #1005 draft    800,000  paid                 net
(#1006 is placed 6 Mar, after the as-of day; #1007 before the flight.)
Placed: 5 orders, 3,310,000. Net: 3 orders, 2,530,000. Lost: cancelled 1 (350,000),
returned 1 (430,000). Platforms claim 29 orders and 7,700,000 (Google 20 / 4,800,000,
Meta 9 / 2,900,000); spend to date 3,250,000.
"""

from __future__ import annotations

import html as html_lib
import importlib
import io
import json
import os
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from perfmkt import pacing
from perfmkt.errors import DataError
from perfmkt.metrics import VOLUMES
from perfmkt.plan import load_plan, resolve_sources
from perfmkt.render.documents import render as render_document
from perfmkt.render.json import to_json
from perfmkt.render.terminal import THEME
from perfmkt.render.terminal import render as render_terminal
from perfmkt.report import Report, build_report
from perfmkt.sources.load import Loaded, load_exports
from perfmkt.sources.shop import LEADS_SCHEMA, ORDERS_SCHEMA, ShopRead
from perfmkt.targets import daily_targets
from tests.conftest import make_plan, pace_small, run_cli, run_perfmkt
from tests.test_browser import ARGS, CHROMIUM, MEASURE

AS_OF = date(2026, 3, 5)
CHANNELS_BY_SOURCE = """channels:
  google: {platform: google_ads, campaigns: "^SHOPX_", order_source: "^web$"}
  meta: {platform: meta, campaigns: "^SHOPX", order_source: "draft"}
"""


def with_lines(plan: Path, *lines: str, channels: bool = False) -> Path:
    """The small plan with YAML ``lines`` added (and channels telling the shop's orders apart
    by source)."""
    text = plan.read_text()
    if channels:
        start, end = text.index("channels:"), text.index("kpis:")
        text = text[:start] + CHANNELS_BY_SOURCE + text[end:]
    plan.write_text(text + "".join(f"{line}\n" for line in lines))
    return plan


def as_json(plan: Path, *args: str) -> dict:
    return json.loads(pace_small(plan, "-f", "json", *args)[0])


def rendered(plan: Path, fmt: str, tmp_path: Path, *args: str) -> str:
    out = tmp_path / f"report.{fmt}"
    pace_small(plan, "-f", fmt, "-o", out, *args)
    return out.read_text(encoding="utf-8")


def terminal_text(report: Report, width: int = 80) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, theme=THEME, color_system=None, highlight=False)
    for part in render_terminal(report, 14, width):
        console.print(part)
    return out.getvalue()


def table_rows(html: str, section: str) -> list[list[str]]:
    """The cells of each table row inside ``<section id=section>``, as the reader sees them."""
    body = re.search(rf'<section id="{section}".*?</section>', html, re.S)
    assert body, section
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(0), re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


# ---- JSON: the numbers by hand ---------------------------------------------------------------

ORDERS_TRUTH = {
    "platforms": 29,
    "placed": 5,
    "net": 3,
    "shop": 3,
    "lost": {"cancelled": 1, "returned": 1, "failed_delivery": 0, "refunded": 0, "unknown": 0},
    "open": 0,
    "open_cod": 0,
}
REVENUE_TRUTH = {
    "platforms": 7_700_000,
    "placed": 3_310_000,
    "net": 2_530_000,
    "shop": 2_530_000,
    "lost": {
        "cancelled": 350_000,
        "returned": 430_000,
        "failed_delivery": 0,
        "refunded": 0,
        "unknown": 0,
    },
    "open": 0,
    "open_cod": 0,
}


def test_json_has_claimed_placed_and_net_by_hand(small_plan: Path) -> None:
    result = as_json(with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}"))
    truth = result["notes"]["truth"]
    orders, revenue = dict(truth["orders"]), dict(truth["revenue"])
    assert orders.pop("platforms_per_shop") == pytest.approx(29 / 3, rel=1e-5)
    assert revenue.pop("platforms_per_shop") == pytest.approx(7.7 / 2.53, rel=1e-5)
    assert orders == ORDERS_TRUTH
    assert revenue == REVENUE_TRUTH
    assert result["notes"]["truth_sources"] == {"orders": "shop_net", "revenue": "shop_net"}


def test_pacing_on_net_orders(small_plan: Path) -> None:
    """Actuals from the net column; CPO and ROAS are ratios of sums over them."""
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}", "locale: en")
    result = as_json(plan)
    kpis = {k["name"]: k for k in result["kpis"]}
    assert kpis["orders"]["actual_to_date"] == 3
    assert kpis["orders"]["pace"] == pytest.approx(3 / 32.5, rel=1e-5)
    assert kpis["revenue"]["actual_to_date"] == 2_530_000
    assert kpis["cpo"]["actual_to_date"] == round(3_250_000 / 3)  # VND: whole đồng
    assert kpis["roas"]["actual_to_date"] == pytest.approx(2_530_000 / 3_250_000, rel=1e-5)
    tracked = {t["name"]: t["actual_to_date"] for t in result["tracked"]}
    assert tracked["aov"] == round(2_530_000 / 3)
    # the headline and the sentences say which figure is paced
    assert result["verdict"]["text"].startswith("Off track — CPO (shop, net) ₫1.08M")
    texts = " ".join(s["text"] for s in result["summary"])
    assert "At this pace orders (shop, net) end near" in texts
    assert "revenue (shop, net)" in texts


def test_pacing_on_placed_orders(small_plan: Path) -> None:
    plan = with_lines(
        small_plan, "truth: {orders: shop_placed, revenue: shop_placed}", "locale: en"
    )
    result = as_json(plan)
    kpis = {k["name"]: k for k in result["kpis"]}
    assert kpis["orders"]["actual_to_date"] == 5
    assert kpis["revenue"]["actual_to_date"] == 3_310_000
    assert kpis["cpo"]["actual_to_date"] == 650_000  # 3,250,000 / 5
    assert kpis["roas"]["actual_to_date"] == pytest.approx(3_310_000 / 3_250_000, rel=1e-5)
    assert "CPO (shop, placed)" in result["verdict"]["text"]
    # a script reading the JSON's labels knows which figure each KPI paces on too
    labels = {k["name"]: k["label"] for k in result["kpis"]}
    assert labels["orders"] == "Orders (shop, placed)"
    assert labels["roas"] == "ROAS (shop, placed)"
    assert labels["spend"] == "Spend"
    # the gap is the same whichever figure is paced
    assert result["notes"]["truth"]["orders"]["net"] == 3
    # the projection and the advice work from the placed figure too: to date + the 67.5 orders
    # still planned × recent efficiency (5 of 32.5 planned); the rest of the flight needs
    # (100 − 5) / 6 a day, and revenue (30,000,000 − 3,310,000) / 6
    assert kpis["orders"]["projection"] == pytest.approx(5 + 67.5 * 5 / 32.5, rel=1e-5)
    catch_up = {c["kpi"]: c for c in result["what_now"]["catch_up"]}
    assert catch_up["orders"]["required_daily"] == pytest.approx(95 / 6, rel=1e-5)
    assert catch_up["revenue"]["required_daily"] == round(26_690_000 / 6)


def test_the_columns_a_kpi_from_the_shop_comes_from(small_plan: Path, tmp_path: Path) -> None:
    """The appendix names the shop's columns for what pacing takes from the shop (the count,
    and for net what says where an order went), the platforms' for the rest."""
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_placed}", "locale: en")
    sources = as_json(plan)["notes"]["kpi_sources"]
    assert sources["orders"] == ["Shopify: Name, Financial Status"]
    assert sources["revenue"] == ["Shopify: Total"]
    assert sources["spend"] == ["google_ads: Cost", "meta: Amount spent (VND)"]
    html = rendered(plan, "html", tmp_path)
    assert "<li>Orders (shop, net) ← Shopify: Name, Financial Status</li>" in html
    assert "<li>Revenue (shop, placed) ← Shopify: Total</li>" in html
    from perfmkt.report import _shop_name

    for label, name in (
        ("Shopee order export", "Shopee"),
        ("TikTok Shop order export", "TikTok Shop"),
        ("Shopify Analytics: Sales over time by day", "Shopify Analytics"),
        ("orders export mapped by columns:", "shop"),
    ):
        assert _shop_name(label) == name


def test_shop_means_net_and_platforms_stay_platforms(small_plan: Path) -> None:
    result = as_json(with_lines(small_plan, "truth: {orders: shop}"))
    kpis = {k["name"]: k for k in result["kpis"]}
    assert kpis["orders"]["actual_to_date"] == 3
    assert kpis["revenue"]["actual_to_date"] == 7_700_000  # claimed: no truth for revenue
    assert (kpis["orders"]["label"], kpis["revenue"]["label"]) == ("Orders (shop, net)", "Revenue")
    assert kpis["cpo"]["label"] == "CPO (shop, net)"  # a ratio: its denominator's figure


def test_channels_with_an_order_source_get_their_own_gap(small_plan: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_net}", channels=True)
    channels = {c["name"]: c for c in as_json(plan)["channels"]}
    google = channels["google"]["outcomes"]
    # web orders: #1001, #1002 net; #1003 returned; #1004 cancelled
    assert google["orders"]["platforms"] == 20
    assert (google["orders"]["placed"], google["orders"]["net"]) == (4, 2)
    assert google["orders"]["lost"]["cancelled"] == 1
    assert google["orders"]["lost"]["returned"] == 1
    assert (google["revenue"]["placed"], google["revenue"]["net"]) == (2_510_000, 1_730_000)
    assert google["revenue"]["platforms_per_shop"] == pytest.approx(4.8 / 1.73, rel=1e-5)
    meta = channels["meta"]["outcomes"]  # the draft order #1005
    assert (meta["orders"]["platforms"], meta["orders"]["placed"], meta["orders"]["net"]) == (
        9,
        1,
        1,
    )
    assert meta["revenue"]["net"] == 800_000
    # the channel paces its orders on its own net orders
    assert channels["google"]["actual"]["orders"] == 2


# ---- the views ------------------------------------------------------------------------------

GAP_EN = [
    ["", "Orders", "Revenue"],
    ["Platforms claim", "29", "₫7,700,000"],
    ["Placed in the shop", "5", "₫3,310,000"],
    ["Cancelled", "−1", "−₫350,000"],
    ["Returned or refunded", "−1", "−₫430,000"],
    ["Net: what the shop kept", "3", "₫2,530,000"],
    ["Claimed ÷ net", "9.67×", "3.04×"],
]


def test_html_shows_the_gap_where_the_client_reads(small_plan: Path, tmp_path: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}", channels=True)
    html = rendered(plan, "html", tmp_path, "--lang", "en")
    assert table_rows(html, "orders-truth")[: len(GAP_EN)] == GAP_EN
    # right after the KPI cards, before the alerts and the charts
    assert (
        html.index('id="scorecards"') < html.index('id="orders-truth"') < html.index('id="alerts"')
    )
    assert "The platforms claim 29 orders; the shop received 5 orders and kept 3 of them." in html
    assert "Pacing counts orders (shop, net) and revenue (shop, net)." in html
    # each card paced on the shop says so
    card = re.search(r'class="card" data-kpi="orders">.*?</dl>', html, re.S)
    assert card and '<div class="source">shop, net</div>' in card.group(0)
    # per channel: orders and revenue claimed, placed, net and claimed ÷ net
    rows = table_rows(html, "orders-truth")[len(GAP_EN) :]
    assert rows[0] == ["Channel", "Claimed", "Placed", "Net", "÷ net"]
    assert rows[1] == ["google · orders", "20", "4", "2", "10.00×"]
    assert rows[2] == ["google · revenue", "₫4,800,000", "₫2,510,000", "₫1,730,000", "2.77×"]
    assert rows[3] == ["meta · orders", "9", "1", "1", "9.00×"]
    # the appendix no longer repeats the orders (the leads comparison would stay there)
    notes = html[html.index('id="notes"') :]
    assert "Platform-claimed vs the shop" not in notes


def test_vietnamese_html(small_plan: Path, tmp_path: Path) -> None:
    html = rendered(with_lines(small_plan, "truth: {orders: shop_net}"), "html", tmp_path)
    rows = table_rows(html, "orders-truth")
    nb = "\u00a0"
    assert rows[1] == ["Nền tảng ghi nhận", "29", f"7.700.000{nb}₫"]
    assert rows[3] == ["Đã hủy", "−1", f"−350.000{nb}₫"]
    assert rows[4] == ["Trả hàng/hoàn tiền", "−1", f"−430.000{nb}₫"]
    assert rows[5] == ["Còn lại sau hủy, hoàn, giao thất bại", "3", f"2.530.000{nb}₫"]
    assert rows[6] == ["Ghi nhận ÷ sau hủy/hoàn", "9,67×", "3,04×"]
    assert "Đơn hàng nào là thật, tính đến nay" in html
    # orders from the shop, revenue still from the platforms: both said
    assert "Tiến độ tính theo đơn hàng (shop, sau hủy/hoàn)." in html
    assert "Với tốc độ hiện tại, đơn hàng (shop, sau hủy/hoàn) cuối chiến dịch" in html
    # the appendix's list of files says what a shop export holds in Vietnamese too
    files = html[html.index('id="notes"') :]
    assert re.search(r"<li>[^<]+ — đơn hàng của shop, \d+ dòng", files)
    assert "shop orders" not in html


def test_markdown_table(small_plan: Path, tmp_path: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_placed}", channels=True)
    md = rendered(plan, "md", tmp_path, "--lang", "en")
    section = md[md.index("## Which orders are real") : md.index("## Alerts")]
    assert "| Placed in the shop | 5 | ₫3,310,000 |" in section
    assert "| Cancelled | −1 | −₫350,000 |" in section
    assert "| Net: what the shop kept | 3 | ₫2,530,000 |" in section
    assert "| Claimed ÷ net | 9.67× | 3.04× |" in section
    assert "_Pacing counts orders (shop, placed)._" in section
    assert "| meta · revenue | ₫2,900,000 | ₫800,000 | ₫800,000 | 3.62× |" in section
    assert "| Orders (shop, placed) |" in md  # the KPI table names the figure
    assert md.index("## KPIs, flight to date") < md.index("## Which orders are real")
    # what now's curves count what the platforms claim: its table and sentences say so
    assert "**Marginal cost of orders at today's spend, by channel (platform-claimed)**" in md
    assert "what one more order (platform-claimed) costs on google" in md


def terminal_row(text: str, first: str) -> list[str]:
    row = next(line for line in text.splitlines() if line.startswith(f"│ {first}"))
    return [c.strip() for c in row.strip("│").split("│")]


def test_terminal_at_80_columns(small_plan: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}", channels=True)
    process = run_perfmkt("report", plan, "--as-of", "2026-03-05", "--lang", "en", COLUMNS="80")
    assert process.returncode == 0, process.stderr
    text = process.stdout
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Which orders are real, flight to date" in text
    assert terminal_row(text, "Platforms claim") == ["Platforms claim", "29", "₫7,700,000"]
    assert terminal_row(text, "Placed in the shop") == ["Placed in the shop", "5", "₫3,310,000"]
    assert terminal_row(text, "  Cancelled") == ["Cancelled", "−1", "−₫350,000"]
    assert terminal_row(text, "Net: what") == ["Net: what the shop kept", "3", "₫2,530,000"]
    assert terminal_row(text, "Claimed ÷ net") == ["Claimed ÷ net", "9.67×", "3.04×"]
    assert terminal_row(text, "google · revenue") == [
        "google · revenue",
        "₫4,800,000",
        "₫2,510,000",
        "₫1,730,000",
        "2.77×",
    ]
    # where space is short the figure goes under the KPI's name, and no column is dropped for it
    lines = text.splitlines()
    orders = next(i for i, line in enumerate(lines) if line.startswith("│ Orders "))
    assert terminal_row(text, "Orders ")[:3] == ["Orders", "100", "32.5"]
    assert lines[orders + 1].startswith("│ shop, net ")
    assert "Needed/day" in text
    # after the KPI tables, before the alerts
    assert text.index("KPI pacing") < text.index("Which orders are real") < text.index("Alerts")


def test_no_shop_orders_no_gap(small_plan: Path, tmp_path: Path) -> None:
    text = small_plan.read_text()
    shop = "  - path: exports/shop/*.csv      # the shop's own orders: platform claims are compared"
    start = text.index(shop)
    end = text.index("\n", text.index("kind: orders", start)) + 1
    small_plan.write_text(text[:start] + text[end:])
    result = as_json(small_plan)
    assert "orders" not in result["notes"]["truth"]
    assert all(c["outcomes"] is None for c in result["channels"])
    html = rendered(small_plan, "html", tmp_path)
    md = rendered(small_plan, "md", tmp_path)
    terminal, _ = pace_small(small_plan)
    assert 'id="orders-truth"' not in html
    assert "Đơn hàng nào là thật" not in md and "Đơn hàng nào là thật" not in terminal


# ---- a marketplace's outcomes: open, cash on delivery, failed delivery, partial refunds ------

# Placed 2–5 Mar (the small plan's flight to date), as a Shopee or TikTok Shop export gives them:
# (day, order, revenue, outcome, cod, refund)
MARKETPLACE = [
    (2, "A", 500_000, "completed", True, 0),
    (2, "B", 300_000, "failed_delivery", True, 0),
    (2, "C", 200_000, "cancelled", False, 0),
    (3, "D", 400_000, "open", True, 0),
    (3, "E", 250_000, "open", False, 0),
    (3, "F", 600_000, "completed", False, 100_000),  # kept, 100,000 refunded
    (4, "G", 350_000, "returned", False, 0),
    (5, "H", 150_000, "open", True, 0),
    (6, "I", 999_000, "open", True, 0),  # after the as-of day: not counted
]
# Placed: 8 orders, 2,750,000. Net: A, D, E, F, H = 5 orders; 500 + 400 + 250 + 500 + 150 =
# 1,800,000. Lost: cancelled 1 / 200,000, failed delivery 1 / 300,000, returned 1 / 350,000,
# refunded in part 100,000. Open: D, E, H = 3 orders, 800,000; cash on delivery: D, H = 2.


def orders_frame(rows: list[tuple], path: str = "shop/Order.all.xlsx") -> pl.DataFrame:
    not_net = ("cancelled", "returned", "failed_delivery")
    return pl.DataFrame(
        [
            {
                "date": date(2026, 3, d),
                "order_id": oid,
                "orders": 1.0,
                "revenue": float(revenue),
                "net_orders": 0.0 if outcome in not_net else 1.0,
                "net_revenue": 0.0 if outcome in not_net else float(revenue - refund),
                "outcome": outcome,
                "cod": cod,
                "status": outcome,
                "source": "shopee",
                "new_customer": None,
                "currency": "VND",
                "source_file": path,
                "row": i + 2,
            }
            for i, (d, oid, revenue, outcome, cod, refund) in enumerate(rows)
        ],
        schema=ORDERS_SCHEMA,
    )


def shop_read(
    frame: pl.DataFrame, path: str = "shop/Order.all.xlsx", orders_refused: str | None = None
) -> ShopRead:
    mine = frame.filter(pl.col("source_file") == path)
    return ShopRead(
        path=path,
        kind="orders",
        label="marketplace orders",
        rows_read=mine.height,
        columns_used={},
        first_day=mine["date"].min(),  # type: ignore[arg-type]
        last_day=mine["date"].max(),  # type: ignore[arg-type]
        orders_refused=orders_refused,
    )


def report_with_orders(
    plan_path: Path,
    frame: pl.DataFrame,
    language: str = "en",
    reads: list[ShopRead] | None = None,
    **read: str,
) -> Report:
    """The small plan's ad exports with ``frame`` as the shop's orders, read from one file
    (``shop_read(frame, **read)``) or ``reads``."""
    plan = load_plan(plan_path).model_copy(update={"locale": language})
    loaded = load_exports(resolve_sources(plan, plan_path), cache=False)
    loaded = replace(loaded, orders=frame, shop_files=reads or [shop_read(frame, **read)])
    return build_report(plan, loaded, date(2026, 3, 6), AS_OF)


def test_open_and_cash_on_delivery_orders(small_plan: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}")
    report = report_with_orders(plan, orders_frame(MARKETPLACE))
    data = json.loads(to_json(report))
    orders, revenue = data["notes"]["truth"]["orders"], data["notes"]["truth"]["revenue"]
    assert (orders["placed"], orders["net"], orders["open"], orders["open_cod"]) == (8, 5, 3, 2)
    assert orders["lost"] == {
        "cancelled": 1,
        "returned": 1,
        "failed_delivery": 1,
        "refunded": 0,
        "unknown": 0,
    }
    assert (revenue["placed"], revenue["net"], revenue["open"]) == (2_750_000, 1_800_000, 800_000)
    assert revenue["lost"] == {
        "cancelled": 200_000,
        "returned": 350_000,
        "failed_delivery": 300_000,
        "refunded": 100_000,
        "unknown": 0,
    }
    kpis = {k["name"]: k for k in data["kpis"]}
    assert kpis["orders"]["actual_to_date"] == 5
    assert kpis["revenue"]["actual_to_date"] == 1_800_000

    text = terminal_text(report)
    assert terminal_row(text, "  Failed delivery") == ["Failed delivery", "−1", "−₫300,000"]
    assert terminal_row(text, "  Refunded in part") == [
        "Refunded in part (order kept)",
        "",
        "−₫100,000",
    ]
    said = " ".join(text.split())
    assert (
        "Net can still fall: 3 orders not yet delivered or paid (₫800,000), 2 of them cash on "
        "delivery." in said
    )
    html = render_document(report, "html")
    rows = table_rows(html, "orders-truth")
    assert [r[0] for r in rows[1:]] == [
        "Platforms claim",
        "Placed in the shop",
        "Cancelled",
        "Returned or refunded",
        "Failed delivery",
        "Refunded in part (order kept)",
        "Net: what the shop kept",
        "Claimed ÷ net",
    ]
    vi = render_document(report_with_orders(plan, orders_frame(MARKETPLACE), "vi"), "md")
    assert (
        "Số sau hủy/hoàn còn có thể giảm: 3 đơn chưa giao xong hoặc chưa thanh toán "
        "(800.000\u00a0₫), trong đó 2 thanh toán khi nhận hàng (COD)." in vi
    )
    assert "| Giao không thành công | −1 | −300.000\u00a0₫ |" in vi


def test_day_totals_whose_export_does_not_say_why(small_plan: Path) -> None:
    """A day's total row (no order id, no outcome): what it lost is 'not said', not guessed."""
    frame = orders_frame(MARKETPLACE[:3]).vstack(
        pl.DataFrame(
            [
                {
                    "date": date(2026, 3, 4),
                    "orders": 10.0,
                    "revenue": 1_000_000.0,
                    "net_orders": 8.0,
                    "net_revenue": 850_000.0,
                    "source_file": "shop/Order.all.xlsx",
                    "row": 9,
                }
            ],
            schema=ORDERS_SCHEMA,
        )
    )
    report = report_with_orders(with_lines(small_plan, "truth: {orders: shop_net}"), frame)
    orders = report.notes.truth["orders"]
    assert (orders["placed"], orders["net"]) == (13.0, 9.0)
    assert orders["lost"]["unknown"] == 2.0 and orders["lost"]["cancelled"] == 1.0
    assert report.notes.truth["revenue"]["lost"]["unknown"] == 150_000.0
    assert "Not net, the export does not say why" in terminal_text(report)


# ---- refused: the plan paces on a figure the shop exports cannot give -----------------------


def by_product() -> pl.DataFrame:
    """Shopify Analytics 'sales by product' as day rows: revenue exact, orders not countable."""
    return pl.DataFrame(
        [
            {
                "date": date(2026, 3, d),
                "revenue": 1_000_000.0,
                "net_revenue": 900_000.0,
                "source_file": "shop/sales_by_product.csv",
                "row": d,
            }
            for d in (2, 3, 4, 5)
        ],
        schema=ORDERS_SCHEMA,
    )


REASON = "Shopify 'sales by product' counts an order once per product it holds"


def test_orders_from_an_export_that_cannot_count_them_are_refused(small_plan: Path) -> None:
    plan = with_lines(small_plan, "truth: {orders: shop_placed}")
    frame = by_product()
    with pytest.raises(DataError) as caught:
        report_with_orders(plan, frame, path="shop/sales_by_product.csv", orders_refused=REASON)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        "shop/sales_by_product.csv: the plan takes the orders from the shop (truth: {orders: "
        f"shop_placed}}), but this export cannot give them: {REASON}"
    )
    assert "truth: {orders: platforms}" in message  # what to do instead


def test_net_orders_need_an_export_that_says_which_were_cancelled(small_plan: Path) -> None:
    """Day totals that count orders but not what became of them: net cannot be paced, placed
    can (the hint says so); without the reader's own reason the line says why."""
    frame = by_product().with_columns(orders=pl.lit(40.0))
    original = small_plan.read_text()
    plan = with_lines(small_plan, "truth: {orders: shop_net}")
    with pytest.raises(DataError) as caught:
        report_with_orders(plan, frame, path="shop/sales_by_product.csv")
    message = str(caught.value)
    assert "cannot give them: it does not say which orders were cancelled, returned" in message
    assert "truth: {orders: shop_placed}" in message
    # revenue from the same export is fine: it says its net
    small_plan.write_text(original)
    plan = with_lines(small_plan, "truth: {revenue: shop_net}")
    report = report_with_orders(plan, frame, path="shop/sales_by_product.csv")
    revenue = next(k for k in report.kpis if k.name == "revenue")
    assert revenue.actual_to_date == 4 * 900_000


def test_days_only_an_export_that_cannot_count_covers_are_refused(small_plan: Path) -> None:
    """Orders listed for 2–3 Mar, Sales by product alone for 4–5 Mar: those two days would
    count no orders while their revenue counts (AOV, CPO and ROAS of two sets of orders), so
    the plan is refused as when that export is alone — also beside another shop's orders."""
    listed = orders_frame([r for r in MARKETPLACE if r[0] <= 3])
    days = by_product().filter(pl.col("date") >= date(2026, 3, 4))
    frame = pl.concat([listed, days])
    reads = [
        shop_read(frame),
        shop_read(frame, "shop/sales_by_product.csv", orders_refused=REASON),
    ]
    plan = with_lines(small_plan, "truth: {orders: shop_placed}")
    with pytest.raises(DataError, match=r"^shop/sales_by_product.csv: the plan takes the orders"):
        report_with_orders(plan, frame, reads=reads)
    # Revenue from the same exports is exact: paced.
    plan.write_text(plan.read_text().replace("{orders: shop_placed}", "{revenue: shop_placed}"))
    report = report_with_orders(plan, frame, reads=reads)
    revenue = next(k for k in report.kpis if k.name == "revenue")
    assert revenue.actual_to_date == frame["revenue"].sum()


def test_the_refusal_is_one_line_and_exit_2(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # perfmkt.report is also the library's report() function: the module, by its name
    report_module = importlib.import_module("perfmkt.report")
    real = report_module.load_exports
    frame = by_product()

    def loads_by_product(*args: object, **kwargs: object) -> Loaded:
        loaded = real(*args, **kwargs)  # type: ignore[arg-type]
        read = shop_read(frame, "shop/sales_by_product.csv", orders_refused=REASON)
        return replace(loaded, orders=frame, shop_files=[read])

    monkeypatch.setattr(report_module, "load_exports", loads_by_product)
    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}")
    stdout, stderr = run_cli(["report", plan, "--as-of", "2026-03-05"], expect=2)
    assert stderr.count("\n") == 1 and stdout == ""
    assert stderr.startswith(
        "perfmkt: error: shop/sales_by_product.csv: the plan takes the net orders from the shop"
    )
    assert REASON in stderr


# ---- invariants ------------------------------------------------------------------------------

OUTCOME = st.sampled_from(("completed", "open", "cancelled", "returned", "failed_delivery"))
NOT_NET = st.sampled_from(("cancelled", "returned", "failed_delivery"))
NO_LEADS = pl.DataFrame(schema=LEADS_SCHEMA)


@st.composite
def order_frames(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    for i in range(draw(st.integers(0, 40))):
        outcome = draw(OUTCOME)
        revenue = draw(st.floats(0, 10**7, allow_nan=False))
        net = outcome in ("completed", "open")
        refund = draw(st.floats(0, 1)) * revenue if net and draw(st.booleans()) else 0.0
        rows.append(
            {
                "date": date(2026, 3, 2) + timedelta(days=draw(st.integers(0, 6))),
                "order_id": str(i),
                "orders": 1.0,
                "revenue": revenue,
                "net_orders": 1.0 if net else 0.0,
                "net_revenue": revenue - refund if net else 0.0,
                "outcome": outcome,
                "cod": draw(st.booleans()),
                "source_file": "x",
                "row": i,
            }
        )
    return pl.DataFrame(rows, schema=ORDERS_SCHEMA)


@settings(max_examples=60, deadline=None)
@given(frame=order_frames())
def test_net_never_exceeds_placed_and_the_losses_add_up(frame: pl.DataFrame) -> None:
    out = pacing.order_outcomes(frame, date(2026, 3, 2), date(2026, 3, 6))
    for measure in ("orders", "revenue"):
        o = out[measure]
        assert o["net"] <= o["placed"] + 1e-6
        assert sum(o["lost"].values()) == pytest.approx(o["placed"] - o["net"], abs=1e-3)
        assert 0 <= o["open_cod"] <= o["open"] <= o["net"] + 1e-6
    daily = pacing.shop_daily(frame, NO_LEADS, date(2026, 3, 2), date(2026, 3, 6))
    if frame.height:
        assert (daily["orders"] <= daily["placed_orders"]).all()
        assert (daily["revenue"] <= daily["placed_revenue"] + 1e-6).all()


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(2, 40),
    per_day=st.integers(1, 50),
    aov=st.integers(10_000, 2_000_000),
    data=st.data(),
)
def test_exactly_on_plan_paced_on_net_is_100_percent(
    days: int, per_day: int, aov: int, data: st.DataObject
) -> None:
    """Net orders and revenue exactly on the daily targets, with cancelled and returned orders
    on top (placed, never net): pace is 100 % and on track, CPO and ROAS included."""
    start = date(2026, 3, 2)
    spend = per_day * days * 50_000
    plan = make_plan(
        start,
        days,
        {
            "spend": spend,
            "orders": per_day * days,
            "revenue": per_day * days * aov,
            "cpo": spend / (per_day * days),
            "roas": aov * per_day * days / spend,
        },
        truth={"orders": "shop_net", "revenue": "shop_net"},
    )
    targets = daily_targets(plan)
    elapsed = data.draw(st.integers(1, days))
    as_of = start + timedelta(days=elapsed - 1)
    rows = []
    for d in range(elapsed):
        day = start + timedelta(days=d)
        for i in range(per_day):
            rows.append((day, f"{d}-{i}", aov, 1.0, "completed"))
        for i in range(data.draw(st.integers(0, 5))):
            rows.append((day, f"{d}-x{i}", aov * 2, 0.0, data.draw(NOT_NET)))
    frame = pl.DataFrame(
        [
            {
                "date": day,
                "order_id": oid,
                "orders": 1.0,
                "revenue": float(revenue),
                "net_orders": net,
                "net_revenue": float(revenue) * net,
                "outcome": outcome,
                "source_file": "x",
                "row": 1,
            }
            for day, oid, revenue, net, outcome in rows
        ],
        schema=ORDERS_SCHEMA,
    )
    spent = targets.head(elapsed).select("date", "spend")
    actuals = spent.with_columns(
        *[pl.lit(None, dtype=pl.Float64).alias(v) for v in VOLUMES if v != "spend"]
    ).select("date", *VOLUMES)
    shop = pacing.shop_daily(frame, NO_LEADS, start, as_of)
    paced = pacing.with_truth(actuals, shop, plan.truth)
    for k in pacing.pace_kpis(plan, paced, targets, as_of):
        assert k.pace == pytest.approx(1.0, rel=1e-9), k.name
        assert k.status == "on_track", k.name


def test_what_reading_shop_exports_noticed_reads_in_vietnamese() -> None:
    from perfmkt.i18n import reason
    from perfmkt.sources.marketplaces import LINES_SKIPPED
    from perfmkt.sources.shopify_analytics import RETURNS_DATED

    said = [
        LINES_SKIPPED,
        "column descriptions under the header",
        "repeated orderItemIds",
        f"/shop/a.csv: {RETURNS_DATED}",
        "/shop/a.csv: Sales by product leaves shipping out (it is not a product's): its Total "
        "sales is products and their taxes",
        "/shop/a.csv: Sales over time covers its days: orders and revenue come from there",
        "/shop/a.csv: Shopify's orders export lists orders on 3 of its days too: those orders "
        "are counted twice (read one of the two for this shop)",
        "/shop/a.csv: 2 days supplied by the newer download /shop/b.csv",
    ]
    for text in said:
        vi = reason(text, "vi")
        assert vi != text, text
        for word in (" the ", " is ", " are ", " its ", " of "):
            assert word not in vi.replace("Total sales", ""), (text, vi)


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no local chromium")
def test_the_gap_fits_a_phone_and_a_desktop(small_plan: Path, tmp_path: Path) -> None:
    """The small plan with channels by order source, in Chromium at 1280 and 390 px: nothing
    wider than its box, the section visible right after the cards."""
    from playwright.sync_api import sync_playwright

    plan = with_lines(small_plan, "truth: {orders: shop_net, revenue: shop_net}", channels=True)
    html = tmp_path / "report.html"
    pace_small(plan, "-f", "html", "-o", html)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.as_uri())
            seen = page.evaluate(MEASURE)
            assert seen["wide"] == [], width
            assert seen["scrollWidth"] <= width
            section = page.query_selector("#orders-truth")
            assert section is not None and section.is_visible()
            assert "Nền tảng ghi nhận" in section.inner_text()
            page.close()
        browser.close()


def test_the_demo_shows_which_of_its_website_orders_are_real() -> None:
    """The demo reads its website's Shopify orders beside the ads. Hand count (stdlib csv and
    Decimal over sample_data/demo/shop/orders_export_1.csv, flight 5 Jan..3 Feb): 973 orders
    placed for ₫739,420,000; 87 voided (₫66,571,000) and 28 refunded (₫20,675,000) are not net;
    17 partly refunded orders lose ₫3,660,000; net 858 for ₫648,514,000; 112 pending, all COD
    (₫91,367,000). What the platforms claim, by hand over the ad exports (stdlib csv, Decimal;
    the channels' campaigns, each Google day from its latest download): Google 679.5
    conversions for ₫518,129,631.42, Meta 542 purchases for ₫411,282,704 — 1,221.5 orders,
    1,221.5 / 858 = 1.42× net; ₫929,412,335.42, / ₫648,514,000 = 1.43×."""
    from tests.conftest import ROOT, run_cli

    demo = ROOT / "configs" / "demo.yaml"
    truth = json.loads(run_cli(["report", demo, "-f", "json"])[0])["notes"]["truth"]
    orders, revenue = truth["orders"], truth["revenue"]
    assert (orders["placed"], orders["net"], orders["open"], orders["open_cod"]) == (
        973,
        858,
        112,
        112,
    )
    assert (orders["lost"]["cancelled"], orders["lost"]["returned"]) == (87, 28)
    assert (revenue["placed"], revenue["net"], revenue["open"]) == (
        739_420_000,
        648_514_000,
        91_367_000,
    )
    assert revenue["lost"] == {
        "cancelled": 66_571_000,
        "returned": 20_675_000,
        "failed_delivery": 0,
        "refunded": 3_660_000,
        "unknown": 0,
    }
    assert orders["platforms"] == 1221.5
    assert revenue["platforms"] == 929_412_335  # whole đồng
    assert orders["platforms_per_shop"] == pytest.approx(1221.5 / 858, rel=1e-5)
    assert revenue["platforms_per_shop"] == pytest.approx(929_412_335.42 / 648_514_000, rel=1e-5)
    md = run_cli(["report", demo, "--lang", "en", "-f", "md"])[0]
    assert "112 orders not yet delivered or paid (₫91,367,000), all cash on delivery." in md
    assert "The platforms claim 1,221.5 orders; the shop received 973 orders and kept 858" in md
    assert "| Platforms claim | 1,221.5 | ₫929,412,335 |" in md
    assert "| Claimed ÷ net | 1.42× | 1.43× |" in md
