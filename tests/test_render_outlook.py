"""Chance to hit, the 80 % interval, late conversions and "what now" in every view, on the demo
report with hand values in those fields (what perfmkt.forecast, perfmkt.lag and perfmkt.advice
compute), each shown string checked by hand; and nothing of it shown when the fields are empty."""

from __future__ import annotations

import copy
import dataclasses
import io
import re
from datetime import date
from typing import Any

import pytest
from rich.console import Console

from perfmkt.pacing import KpiPace
from perfmkt.plan import load_plan
from perfmkt.report import Report, report_from_plan_file
from tests.conftest import ROOT

DEMO = ROOT / "configs" / "demo.yaml"
NBSP = "\u00a0"

# Per KPI of the demo (as of 3 Feb 2026, day 30 of 56): chance and 80 % interval.
OUTLOOK: dict[str, tuple[float | None, tuple[float, float] | None]] = {
    "spend": (0.62, (880e6, 952e6)),
    "orders": (0.08, (2380.4, 2651.2)),
    "revenue": (0.003, (1.82e9, 2.07e9)),
    "cpo": (0.04, (338_000.0, 392_500.0)),
    "roas": (None, None),  # unknowable: shown as nothing at all
}
MATURITY = {
    date(2026, 2, 3): 0.58,
    date(2026, 2, 2): 0.81,
    date(2026, 2, 1): 0.93,
    date(2026, 1, 31): 0.97,
    date(2026, 1, 30): 0.995,  # mature enough: not marked
}
LINES = {
    "vi": [
        "Dữ liệu gợi ý chuyển khoảng 12 tr ₫ ngân sách còn lại từ meta sang google: đơn hàng "
        "tiếp theo ở google tốn khoảng 210.000 ₫, ở meta khoảng 480.000 ₫; có thể thêm khoảng "
        "40 đơn.",
        "Để đạt 3.000 đơn cần khoảng 68 đơn/ngày, tức khoảng 29,5 tr ₫/ngày ở chi phí biên hiện "
        "tại; ngân sách còn lại chỉ cho phép khoảng 17,5 tr ₫/ngày. Phương án dự phòng: creative "
        "mới cho Shopping và DPA.",
    ],
    "en": [
        "The data suggest moving about ₫12M of the remaining budget from meta to google: the "
        "next order costs about ₫210K on google, about ₫480K on meta; probably about 40 more "
        "orders.",
        "Reaching 3,000 orders needs about 68 a day, about ₫29.5M a day at the marginal cost; "
        "the budget left allows about ₫17.5M a day. Backup plan: creative mới cho Shopping và "
        "DPA.",
    ],
}
# sentences of the parts: the catch-up's is inside a line (the line adds the backup plan);
# the runway's is in no line, so it follows them
RUNWAY = {
    "vi": "Với mức chi hiện tại, ngân sách có lẽ hết vào khoảng 28/02, trước ngày kết thúc.",
    "en": "At the current rate the budget probably runs out around 28 Feb, before the end.",
}
METHODS = {
    "vi": {
        "chance": "Mô phỏng 2.000 kịch bản cho các ngày còn lại từ các ngày gần đây.",
        "advice": "Mỗi kênh một đường cong chi phí → kết quả, ước lượng từ các ngày gần đây.",
    },
    "en": {
        "chance": "2,000 simulated futures of the remaining days, drawn from recent days.",
        "advice": "One spend → result curve per channel, fitted on its recent days.",
    },
}


def report_of(lang: str = "vi") -> Report:
    plan = load_plan(DEMO).model_copy(update={"locale": lang})
    return report_from_plan_file(DEMO, plan=plan)


def channel_kpi(name: str, kind: str, direction: str, **values: Any) -> KpiPace:
    return KpiPace(name=name, label=name, direction=direction, kind=kind, **values)


def filled(report: Report) -> Report:
    """``report`` with hand values in every field of issue 13 (in its own language)."""
    lang = report.locale
    report.kpis = [
        dataclasses.replace(k, chance=OUTLOOK[k.name][0], projection_interval=OUTLOOK[k.name][1])
        for k in report.kpis
    ]
    google = channel_kpi(
        "orders", "count", "higher", target_total=1700.0, expected_to_date=802.8,
        actual_to_date=679.5, pace=0.846, projection=1420.2, projection_pace=0.835,
        required_daily=39.3, status="at_risk", chance=0.21, projection_interval=(1310.0, 1530.0),
    )  # fmt: skip
    meta = channel_kpi(
        "cpo", "money", "lower", target_total=320_000.0, expected_to_date=320_000.0,
        actual_to_date=374_732.0, pace=0.854, projection=371_000.0, projection_pace=0.86,
        required_daily=268_000.0, status="at_risk", chance=None,
        projection_interval=(350_000.0, 401_000.0),
    )  # fmt: skip
    for channel, kpis in zip(report.channels, ([google], [meta]), strict=True):
        channel["kpis"] = kpis
    for day in report.daily:
        day["maturity"] = MATURITY.get(day["date"], 1.0)
    report.notes.conversion_lag = {
        "google_ads": {
            "maturity": [0.58, 0.81, 0.93, 0.97, 0.99, 1.0, 1.0],
            "source": "learned",
            "detail": "learned from 6 downloads (41 days seen twice)",
        },
        "meta": {"maturity": [0.7, 0.9, 1.0], "source": "plan", "detail": ""},
    }
    report.notes.methods = METHODS[lang]
    move = {
        "kind": "move", "kpi": "orders", "from": "meta", "to": "google", "amount": 12e6,
        "gain": 40.0, "marginal_cost": {"google": 210_000.0, "meta": 480_000.0},
        "text": LINES[lang][0],
    }  # fmt: skip
    report.advice = [move]
    report.what_now = {
        "advice": [move],
        "marginal_costs": {
            "orders": {
                "google": {
                    "value": 210_000.0,
                    "low": 180_000.0,
                    "high": 250_000.0,
                    "average": 357_328.0,
                    "spend_per_day": 9.1e6,
                    "days": 21,
                    "reason": None,
                },
                "meta": {
                    "value": 480_000.0,
                    "low": 410_000.0,
                    "high": 570_000.0,
                    "average": 374_732.0,
                    "spend_per_day": 7.6e6,
                    "days": 21,
                    "reason": None,
                },
            },
            "revenue": {
                "google": {
                    "value": 0.4,
                    "low": 0.32,
                    "high": 0.5,
                    "average": 0.47,
                    "spend_per_day": 9.1e6,
                    "days": 21,
                    "reason": None,
                },
                "meta": {
                    "value": None,
                    "low": None,
                    "high": None,
                    "average": 0.49,
                    "spend_per_day": 7.6e6,
                    "days": 9,
                    "reason": "too few days (9 of 14)",
                },
            },
        },
        "campaigns": {},
        "catch_up": [
            {
                "kpi": "orders",
                "required_daily": 68.4,
                "marginal_cost": 210_000.0,
                "daily_spend_needed": 29.5e6,
                "daily_spend_affordable": 17.5e6,
                "affordable": False,
                "text": LINES[lang][1].split(" Backup")[0].split(" Phương")[0],
            }
        ],
        "runway": {
            "spend_per_day": 17.9e6,
            "budget_left": 454e6,
            "days_left": 25.4,
            "days_remaining": 26,
            "runs_out": date(2026, 2, 28),
            "text": RUNWAY[lang],
        },
        "lines": LINES[lang],
        "method": METHODS["en"]["advice"],
    }
    return report


@pytest.fixture(scope="module")
def vi() -> Report:
    return filled(report_of("vi"))


@pytest.fixture(scope="module")
def en() -> Report:
    return filled(report_of("en"))


@pytest.fixture(scope="module")
def bare() -> Report:
    """The demo as built today: every field of issue 13 empty or None."""
    report = report_of("vi")
    report.kpis = [
        dataclasses.replace(k, chance=None, projection_interval=None) for k in report.kpis
    ]
    for day in report.daily:
        day["maturity"] = 1.0
    report.notes.conversion_lag, report.notes.methods = {}, {}
    report.advice, report.what_now = [], {}
    return report


def terminal(report: Report, width: int = 80) -> str:
    from perfmkt.render.terminal import THEME, render

    out = io.StringIO()
    console = Console(file=out, width=width, theme=THEME, color_system=None, highlight=False)
    for part in render(report, 14, width):
        console.print(part)
    return out.getvalue()


def flat(text: str) -> str:
    """Text with panel borders and line breaks gone: sentences wrap inside panels."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def card(html: str, kpi: str) -> str:
    start = html.index(f'<div class="card" data-kpi="{kpi}">')
    end = html.find('<div class="card"', start + 1)
    return html[start : end if end > 0 else html.index('<div class="legend"', start)]


def text_of(html: str) -> str:
    """The words of some HTML, tags gone, spaces collapsed (no-break spaces too)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ---- pieces ---------------------------------------------------------------------------------


def test_an_interval_writes_its_unit_once() -> None:
    from perfmkt.format import Formatter
    from perfmkt.render.documents import span

    vi, en = Formatter("VND", "vi_VN"), Formatter("VND", "en_US")
    assert span(vi, "money", (880e6, 952e6)) == f"880–952{NBSP}tr{NBSP}₫"
    assert span(vi, "money", (1.82e9, 2.07e9)) == f"1,82–2,07{NBSP}tỷ{NBSP}₫"
    # different units: both ends whole, spaced
    assert span(vi, "money", (880e6, 1.02e9)) == f"880{NBSP}tr{NBSP}₫ – 1,02{NBSP}tỷ{NBSP}₫"
    assert span(vi, "money", (338_000, 392_500)) == f"338.000–392.500{NBSP}₫"
    assert span(en, "money", (880e6, 952e6)) == "₫880–952M"
    assert span(en, "money", (338_000, 392_500)) == "₫338–393K"  # three significant digits
    # counts from 100 whole (as the plan's own figures), smaller ones keep their decimal
    assert span(vi, "count", (2380.4, 2651.2)) == "2.380–2.651"
    assert span(vi, "count", (12.4, 15.6)) == "12,4–15,6"
    assert span(en, "ratio", (1.98, 2.27)) == "1.98–2.27"
    assert span(vi, "money", (5e6, 5e6)) == f"5{NBSP}tr{NBSP}₫"  # no days left: one value
    assert span(vi, "money", None) == "" and span(vi, "money", (None, 3.0)) == ""  # type: ignore[arg-type]


def test_a_days_share_is_rounded_down() -> None:
    from perfmkt.format import Formatter

    fmt = Formatter("VND", "vi_VN")
    assert fmt.maturity(0.58) == "58%"  # 0.58 × 100 is 57.999… in floating point
    assert fmt.maturity(0.9899) == "98%"  # marked below 99 %: never reads "99%"
    assert fmt.maturity(0.727) == "72%"


def test_chance_words_per_kpi(vi: Report, en: Report) -> None:
    from perfmkt.format import Formatter
    from perfmkt.i18n import labels
    from perfmkt.render.documents import chance_text

    fmt = Formatter("VND", "vi_VN")
    said = {k.name: chance_text(fmt, labels("vi"), k) for k in vi.kpis}
    assert said == {
        "spend": "khả năng đúng ngân sách: 62%",  # spend: on budget, not "hit"
        "orders": "khả năng đạt: 8%",
        "revenue": f"khả năng đạt: <{NBSP}1%",  # 0.3 %: never shown as impossible
        "cpo": "khả năng đạt: 4%",
        "roas": "",  # unknowable: nothing
    }
    fmt = Formatter("VND", "en_US")
    assert chance_text(fmt, labels("en"), en.kpis[1]) == "chance to hit: 8%"
    assert chance_text(fmt, labels("en"), en.kpis[0]) == "chance on budget: 62%"


def test_what_now_holds_each_sentence_once(vi: Report) -> None:
    from perfmkt.format import Formatter
    from perfmkt.i18n import kpi_label, labels
    from perfmkt.metrics import CATALOG
    from perfmkt.render.documents import what_now

    def label(name: str) -> str:
        return kpi_label(name, CATALOG[name].label, "vi")

    now = what_now(vi, Formatter("VND", "vi_VN"), labels("vi"), label)
    assert now is not None
    # the move's and the catch-up's sentences are inside the lines; the runway's is not
    assert now["lines"] == [*LINES["vi"], RUNWAY["vi"]]
    orders, revenue = now["costs"]
    assert orders["title"] == "Chi phí cho thêm một đơn hàng ở mức chi hiện tại, theo kênh"
    assert orders["rows"][0] == {
        "channel": "google",
        "value": f"210.000{NBSP}₫",
        "range": f"180.000–250.000{NBSP}₫",
        "average": f"357.328{NBSP}₫",
        "spend_per_day": f"9,1{NBSP}tr{NBSP}₫",
        "days": 21,
        "move": f"+12{NBSP}tr{NBSP}₫",
        "move_sign": 1,
        "reason": "",
    }
    assert orders["rows"][1]["move"] == f"\u221212{NBSP}tr{NBSP}₫" and orders["moves"]
    # an estimate to three significant digits, the average as measured
    fitted = copy.deepcopy(vi)
    google = fitted.what_now["marginal_costs"]["orders"]["google"]
    google.update(value=345_393.0, low=336_047.0, high=359_453.0)
    row = what_now(fitted, Formatter("VND", "vi_VN"), labels("vi"), label)["costs"][0]["rows"][0]
    assert (row["value"], row["range"]) == (f"345.000{NBSP}₫", f"336.000–359.000{NBSP}₫")
    # revenue per unit of spend: marginal ROAS 1 / 0.4 = 2.50, its range 1/0.5 – 1/0.32 (3.125,
    # three significant digits half up: 3.13)
    assert revenue["value_header"] == "ROAS biên" and not revenue["moves"]
    google, meta = revenue["rows"]
    assert (google["value"], google["range"], google["average"]) == ("2,50", "2,00–3,13", "2,13")
    # an English reason no translation knows: the Vietnamese report says only that it can't
    assert meta["value"] is None and meta["reason"] == "chưa đủ cơ sở để ước tính"


def test_nothing_to_say_is_none(bare: Report) -> None:
    from perfmkt.format import Formatter
    from perfmkt.i18n import labels
    from perfmkt.render.documents import has_outlook, lag_curves, what_now

    fmt = Formatter("VND", "vi_VN")
    assert what_now(bare, fmt, labels("vi"), str) is None
    assert lag_curves(bare, fmt, labels("vi")) == [] and not has_outlook(bare)


# ---- each view ------------------------------------------------------------------------------


def test_html_scorecards_show_chance_and_band(vi: Report) -> None:
    from perfmkt.render.documents import render

    html = render(vi, "html")
    orders = card(html, "orders")
    assert "khả năng đạt: 8%" in orders
    assert "2.380–2.651" in text_of(orders)
    # scale: the target 3,000 is the largest, × 1.08 = 3,240; band 2,380.4 and 2,651.2 of it
    assert 'class="band" style="left: 73.5%; width: 8.3%"' in orders
    assert "khoảng 80 % cuối chiến dịch 2.380–2.651" in orders  # the bullet's spoken label
    assert "khả năng đúng ngân sách: 62%" in card(html, "spend")
    roas = card(html, "roas")  # no chance, no interval: neither line, no band
    assert "khả năng" not in roas and 'class="band"' not in roas and "80 %" not in roas
    channels = text_of(html[html.index('<section id="channels">') :])
    assert "google · Đơn hàng 1.700 803 679,5 85% 1.420 1.310–1.530 21%" in channels
    assert "meta · CPO" in channels and "350.000–401.000 ₫ —" in channels


def test_html_marks_days_still_arriving(vi: Report) -> None:
    from perfmkt.render.documents import render

    html = render(vi, "html")
    daily = html[html.index('<section id="daily">') : html.index('<section id="channels">')]
    marks = re.findall(r"(\d\d/\d\d/\d{4}) <span class=\"late\"[^>]*>◔ (\d+%)</span>", daily)
    assert marks == [
        ("31/01/2026", "97%"), ("01/02/2026", "93%"), ("02/02/2026", "81%"), ("03/02/2026", "58%")
    ]  # fmt: skip
    assert "◔ phần kết quả của ngày đã về đến nay" in daily
    # daily result charts: that day's bar pale with its maturity; spend's bars as they were
    orders = html[html.index('data-chart="daily_orders"') :]
    orders = orders[: orders.index("</figure>")]
    assert orders.count('data-maturity="0.580" data-series="bar" data-day="2026-02-03"') == 2
    assert 'data-day="2026-01-30"' in orders and "0.995" not in orders
    assert "cột nhạt: kết quả còn đang về (31/01 97%, 01/02 93%, 02/02 81%, 03/02 58%)" in orders
    # the chart says it too, to a screen reader: in its own description
    desc = orders[orders.index("<desc") : orders.index("</desc>")]
    assert "Cột nhạt: kết quả còn đang về (31/01 97%, 01/02 93%, 02/02 81%, 03/02 58%)." in desc
    spend = html[html.index('data-chart="daily_spend"') :]
    assert "data-maturity" not in spend[: spend.index("</figure>")]


def test_html_what_now_sits_with_the_alerts(vi: Report, en: Report) -> None:
    from perfmkt.render.documents import render

    html = render(vi, "html")
    alerts = html[html.index('<section id="alerts"') : html.index('<section id="charts">')]
    words = text_of(alerts)
    assert "Nên làm gì tiếp" in words and all(line in words for line in LINES["vi"])
    assert RUNWAY["vi"] in words
    assert "google ≈ 210.000 ₫ (180.000–250.000 ₫) 357.328 ₫" in words
    assert "+12 tr ₫" in words and "\u221212 tr ₫" in words
    assert "meta chưa đủ cơ sở để ước tính 2,04" in words
    english = text_of(render(en, "html"))
    assert "What now" in english and "cannot tell: too few days (9 of 14)" in english
    assert "Marginal cost of orders at today&#39;s spend, by channel" in english


def test_html_appendix_lists_curves_and_methods(vi: Report, en: Report) -> None:
    from perfmkt.render.documents import render

    notes = text_of(render(vi, "html").split('<section id="notes"', 1)[1])
    assert "google_ads (học từ các lần tải lại): 58% · 81% · 93% · 97% · 99% · 100%" in notes
    assert "meta (theo kế hoạch): 70% · 90% · 100%" in notes
    assert "Khả năng đạt. " + METHODS["vi"]["chance"] in notes
    assert "Nên làm gì tiếp. " + METHODS["vi"]["advice"] in notes
    notes = text_of(render(en, "html").split('<section id="notes"', 1)[1])
    # English says what the curve rests on
    assert "google_ads (learned from 6 downloads (41 days seen twice)): 58%" in notes


def test_a_vietnamese_report_has_no_english_of_these_fields(vi: Report) -> None:
    from perfmkt.notify import summary
    from perfmkt.render.documents import render

    said = [render(vi, kind) for kind in ("html", "md", "email")]
    said += [terminal(vi, 120), summary(vi, [])]
    for text in said:
        for english in ("chance to", "What now", "still arriving", "cannot tell", "learned from",
                        "80 % range", "Marginal", "Suggested"):  # fmt: skip
            assert english not in text, english


def test_markdown_rows(vi: Report) -> None:
    from markdown_it import MarkdownIt

    from perfmkt.render.documents import render

    md = render(vi, "md")
    lines = md.splitlines()
    orders = next(line for line in lines if line.startswith("| Đơn hàng | "))
    assert "| 2.380–2.651 | 8% | 3.000 |" in orders  # the projection's column, then these two
    roas = next(line for line in lines if line.startswith("| ROAS | "))
    assert "| — | — | 3,00 |" in roas
    assert "_Chi phí: khả năng kết thúc trong khoảng đúng ngân sách._" in lines
    assert any(line.startswith("| 03/02/2026 ◔ 58% |") for line in lines)
    assert any(line.startswith("| 30/01/2026 |") for line in lines)
    assert (
        "| google | ≈ 210.000 ₫ | 180.000–250.000 ₫ | 357.328 ₫ | 9,1 tr ₫ | 21 | +12 tr ₫ |"
        in [line.replace(NBSP, " ") for line in lines]
    )
    assert "| meta | chưa đủ cơ sở để ước tính | — | 2,04 | 7,6\u00a0tr\u00a0₫ | 9 |" in lines
    assert (
        "| google · Đơn hàng | 1.700 | 679,5 | 85% | 1.420 | 1.310–1.530 | 21% | Có rủi ro |"
        in lines
    )
    assert "- google_ads (học từ các lần tải lại): 58% · 81% · 93% · 97% · 99% · 100%" in lines
    # every table row has as many cells as its header
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    widths: list[int] = []
    row = 0
    for t in tokens:
        if t.type == "table_open":
            widths = []
        if t.type in ("th_open", "td_open"):
            row += 1
        if t.type == "tr_close":
            widths.append(row)
            row = 0
        if t.type == "table_close":
            assert len(set(widths)) == 1, widths


def test_terminal_flight_end_and_days_still_arriving(vi: Report, en: Report) -> None:
    from tests.test_terminal import cells

    text = terminal(vi)
    assert max(len(line) for line in text.splitlines()) <= 80
    head = text.index("Cuối chiến dịch: dự báo, khoảng 80 % và khả năng đạt")
    outlook = text[head:]
    revenue = cells(outlook, "Doanh thu")
    assert revenue[:2] == ["Doanh thu", f"2,7{NBSP}tỷ{NBSP}₫"]
    assert revenue[3:] == [f"1,82–2,07{NBSP}tỷ{NBSP}₫", "< 1%"]
    orders = next(k for k in vi.kpis if k.name == "orders")
    assert cells(outlook, "Đơn hàng")[2:] == [
        format(round(orders.projection), ",").replace(",", "."), "2.380–2.651", "8%"
    ]  # fmt: skip
    assert cells(outlook, "ROAS")[3:] == ["—", "—"]
    # the to-date table above it no longer repeats the projection
    assert "Dự báo" not in text[text.index("Tiến độ chỉ số") : head]
    assert cells(text, "03/02/2026 ◔ 58%")[1] == f"28,8{NBSP}tr{NBSP}₫"
    assert cells(text, "30/01/2026")  # 99.5 %: not marked
    words = flat(text)
    assert all(line in words for line in LINES["vi"]) and RUNWAY["vi"] in words
    assert "meta: chưa đủ cơ sở để ước tính" in words
    assert (
        "chuyển đổi ghi nhận muộn, meta (theo kế hoạch): 70% · 90% · 100% sau 1, 2, 3… ngày"
        in words
    )
    english = terminal(en)
    assert max(len(line) for line in english.splitlines()) <= 80
    spend = cells(english[english.index("Flight end") :], "Spend")
    assert (spend[1], spend[3:]) == ("₫900M", ["₫880–952M", "62%"])
    assert "Spend: the chance to end inside the on-budget band." in flat(english)
    assert "meta: cannot tell: too few days (9 of 14)" in flat(english)


def test_email_and_slack(vi: Report) -> None:
    from perfmkt.notify import summary
    from perfmkt.render.documents import render

    email = render(vi, "email")
    assert "<style" not in email  # inline styles only, what mail clients keep
    words = text_of(email)
    assert "Có rủi ro khả năng đạt: 8%" in words
    assert "/ 3.000 80 %: 2.380–2.651" in words
    assert "◔ kết quả còn đang về: 31/01 97%, 01/02 93%, 02/02 81%, 03/02 58%" in words.replace(
        "&#9684;", "◔"
    )
    assert "Nên làm gì tiếp" in words and RUNWAY["vi"] in words
    slack = summary(vi, []).splitlines()
    assert (
        "⚠️ Đơn hàng: 1.221,5 / 1.417 kế hoạch đến nay — tiến độ 86% (có rủi ro) · khả năng "
        "đạt: 8%" in slack
    )
    assert "🔴 ROAS: 2,08 / 2,80 kế hoạch đến nay — tiến độ 74% (chậm tiến độ)" in slack
    assert "◔ kết quả còn đang về: 31/01 97%, 01/02 93%, 02/02 81%, 03/02 58%" in slack
    assert slack[slack.index("*Nên làm gì tiếp*") + 1] == "→ " + LINES["vi"][0]


def test_csv_ends_each_kpi_row_with_its_outlook(vi: Report) -> None:
    from perfmkt.render.documents import render_csv

    rows = [r.split(",") for r in render_csv(vi).splitlines()]
    assert rows[0][-3:] == ["chance", "interval_low", "interval_high"]
    by_name = {(r[1], r[2]): r for r in rows[1:]}
    assert by_name[("total", "orders")][-3:] == ["0.08", "2380.4", "2651.2"]
    assert by_name[("total", "revenue")][-3:] == ["0.003", "1820000000", "2070000000"]
    assert by_name[("total", "roas")][-3:] == ["", "", ""]
    assert by_name[("google", "orders")][-3:] == ["0.21", "1310", "1530"]
    assert all(len(r) == len(rows[0]) for r in rows)


def test_empty_fields_show_nothing(bare: Report) -> None:
    """The report as built before the modules fill the fields: no new heading, no mark, no
    "None", no empty column anywhere."""
    from perfmkt.i18n import labels
    from perfmkt.notify import summary
    from perfmkt.render.documents import render

    L = labels("vi")
    outputs = {kind: render(bare, kind) for kind in ("html", "md", "email")}
    outputs["html"] = re.sub(r"<style>.*?</style>", "", outputs["html"], flags=re.S)
    outputs["terminal"] = terminal(bare, 120)
    outputs["slack"] = summary(bare, [])
    for kind, text in outputs.items():
        for word in (L["what_now"], L["chance"], L["conversion_lag"], L["methods"], "◔",
                     L["interval"], "80 %", "None", 'class="band"'):  # fmt: skip
            assert word not in text, (kind, word)
    assert "data-maturity" not in outputs["html"]


def test_curve_details_and_reasons_read_in_vietnamese(small_plan: Any) -> None:
    """What perfmkt.lag says a curve rests on and why perfmkt.advice cannot tell a marginal
    cost, from the producers themselves, all have a Vietnamese form (else the Vietnamese report
    would say less): learned (the demo's Google), the plan's (its Meta), none (the small plan)."""
    from datetime import timedelta

    import polars as pl

    from perfmkt.advice import fit_response
    from perfmkt.i18n import reason

    said = [c["detail"] for c in report_of("en").notes.conversion_lag.values()]
    small = report_from_plan_file(small_plan, as_of=date(2026, 3, 5))
    said += [c["detail"] for c in small.notes.conversion_lag.values()]
    assert {c["source"] for c in small.notes.conversion_lag.values()} == {"none"}
    start = date(2026, 1, 1)

    def daily(spend: list[float], result: list[float]) -> pl.DataFrame:
        days = [start + timedelta(i) for i in range(len(spend))]
        return pl.DataFrame({"date": days, "spend": spend, "result": result})

    said += [
        fit_response(daily([1e6] * 5, [3.0] * 5), "google").reason,  # too few days
        fit_response(daily([1e6] * 21, [3.0] * 21), "google").reason,  # spend never varies
        fit_response(daily([1e6 * (1 + i % 3 / 3) for i in range(21)], [0.0] * 21), "g").reason,
    ]
    assert len(said) == 7 and all(said)
    for text in said:
        vi = reason(text, "vi")
        assert vi != text, text
        for word in (" the ", " from ", " days", " spend", " plan"):
            assert word not in vi, (text, vi)
