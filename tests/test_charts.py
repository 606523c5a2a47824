"""The report's SVG charts: well-formed, named for assistive technology, unique ids, escaped
text, dates in the report's language, geometry checked by hand, KPIs in trouble first, edge
cases that must still draw, and no plotting library loaded."""

from __future__ import annotations

import copy
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from perfmkt.format import Formatter
from perfmkt.i18n import LOCALES, kpi_label, labels
from perfmkt.metrics import CATALOG
from perfmkt.render import svg
from perfmkt.render.charts import (
    NARROW,
    WIDE,
    Frame,
    chart_words,
    charted,
    charts,
    cumulative,
    cumulative_series,
)
from perfmkt.report import Report, report_from_plan_file

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "configs" / "demo.yaml"
NS = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


def draw(report: Report, language: str | None = None, frame: Frame = WIDE) -> dict[str, str]:
    """The charts as the HTML report draws them, in ``language`` (default: the report's)."""
    report.locale = language or report.locale
    fmt = Formatter(report.currency, LOCALES[report.locale])
    names = {n: kpi_label(n, CATALOG[n].label, report.locale) for n in CATALOG}
    if frame is WIDE:  # the default, as documents.context() calls it
        return charts(report, labels(report.locale), names, fmt)
    return charts(report, labels(report.locale), names, fmt, frame)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def series(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("data-series") == name]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{NS}text")]


def points(d: str) -> list[tuple[float, float]]:
    """The (x, y) points of a path made of M/L commands."""
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", d)]


def tick_y(root: ET.Element) -> dict[float, float]:
    """Grid value -> its y, read from the y axis lines."""
    return {float(e.get("data-tick")): points(e.get("d"))[0][1] for e in series_ticks(root)}


def series_ticks(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("data-tick") is not None]


def assert_drawable(markup: str, frame: Frame = WIDE) -> ET.Element:
    """Well-formed, named, sized by its viewBox, and every number in it finite."""
    root = parse(markup)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    width = float(root.get("viewBox").split()[2])
    assert width == frame.width
    title_id, desc_id = root.get("aria-labelledby").split()
    named = {e.get("id"): "".join(e.itertext()).strip() for e in root.iter() if e.get("id")}
    assert named[title_id] and named[desc_id]
    assert root.find(f"{NS}title").get("id") == title_id
    assert root.find(f"{NS}desc").get("id") == desc_id
    for element in list(root.iter())[1:]:
        for key in ("x", "y", "width", "height", "cx", "cy", "r"):
            if element.get(key) is not None:
                assert math.isfinite(float(element.get(key))), (key, element.attrib)
        if element.get("d"):
            assert not re.search(r"nan|inf", element.get("d"), re.I), element.get("d")
        if element.get("font-size"):
            assert float(element.get("font-size")) >= 11
    return root


@pytest.fixture(scope="module")
def demo() -> Report:
    return report_from_plan_file(DEMO, as_of=date(2026, 2, 3))


@pytest.fixture
def small(small_plan: Path) -> Report:
    """The hand-checked small plan on 2026-03-05: day 4 of 10."""
    return report_from_plan_file(small_plan, as_of=date(2026, 3, 5))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_demo_chart_is_named_svg_with_unique_ids(demo: Report, language: str) -> None:
    out = draw(copy.deepcopy(demo), language)
    ids: list[str] = []
    for markup in out.values():
        root = assert_drawable(markup)
        ids += [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == 2 * len(out)  # a title and a desc each
    assert len(set(ids)) == len(ids)


def text_extents(root: ET.Element) -> list[tuple[str, float, float]]:
    """Each text's (words, left, right) in viewBox px, by the width estimate the layout uses
    and the text's anchor."""
    out = []
    for e in root.iter(f"{NS}text"):
        words = "".join(e.itertext())
        width = svg.text_width(words, float(e.get("font-size")), e.get("font-weight") == "700")
        x = float(e.get("x"))
        left = {"end": x - width, "middle": x - width / 2}.get(e.get("text-anchor") or "", x)
        out.append((words, left, left + width))
    return out


def dates_of(root: ET.Element) -> list[str]:
    """The x axis's dates ("05/01", "5 Jan")."""
    return [t for t in texts(root) if re.fullmatch(r"\d\d/\d\d|\d+ [A-Z][a-z]{2}", t)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_narrow_charts_for_phones(demo: Report, language: str) -> None:
    wide = draw(copy.deepcopy(demo), language)
    narrow = draw(copy.deepcopy(demo), language, NARROW)
    assert list(narrow) == list(wide)  # the same charts, in the same order
    ids: list[str] = []
    for name, markup in [*wide.items(), *narrow.items()]:
        frame = NARROW if markup in narrow.values() else WIDE
        root = assert_drawable(markup, frame)
        ids += [e.get("id") for e in root.iter() if e.get("id")]
        # every text inside the viewBox (the estimate is a little generous, so this is strict)
        for words, left, right in text_extents(root):
            assert left >= 0 and right <= frame.width, (name, frame.width, words, left, right)
    assert len(set(ids)) == len(ids) == 4 * len(wide)  # a title and a desc each, twice
    assert all(i.startswith("chart-narrow-") for i in ids[2 * len(wide) :])
    for name in wide:
        w, n = parse(wide[name]), parse(narrow[name])
        # the same words for assistive technology, the same text sizes in viewBox px
        assert w.find(f"{NS}title").text == n.find(f"{NS}title").text
        assert w.find(f"{NS}desc").text == n.find(f"{NS}desc").text
        sizes = {float(e.get("font-size")) for e in n.iter(f"{NS}text")}
        assert sizes <= {15.0, 13.0, 12.0}
        if name.startswith("cumulative"):
            # the demo's 56-day flight: at most 5 dates narrow, never more than wide
            assert 2 <= len(dates_of(n)) <= min(NARROW.x_labels, len(dates_of(w)))
            assert len(series_ticks(n)) <= len(series_ticks(w))
    revenue = parse(narrow["cumulative_revenue"])
    # every 14 days where "05/01" fits four times in the plot's ~190 px; every 21 where the
    # wider "19 Jan" fits only three times
    assert dates_of(revenue) == (
        ["05/01", "19/01", "02/02", "16/02"] if language == "vi" else ["5 Jan", "26 Jan", "16 Feb"]
    )
    assert sorted(tick_y(revenue)) == [0, 1e9, 2e9, 3e9]


def test_narrow_titles_and_legends_wrap(demo: Report) -> None:
    root = parse(draw(copy.deepcopy(demo), "vi", NARROW)["cumulative_revenue"])
    shown = [t.replace(NBSP, " ") for t in texts(root)]
    # "Doanh thu lũy kế: thực tế và kế hoạch" fills the 316-px row: the status on a row below
    status = next(e for e in root.iter(f"{NS}text") if e.text == "Chậm tiến độ")
    title = next(e for e in root.iter(f"{NS}text") if e.text.startswith("Doanh thu"))
    assert float(status.get("y")) > float(title.get("y")) and status.get("text-anchor") == "start"
    # four legend keys in two rows of two
    rows = {
        e.get("y")
        for e in root.iter(f"{NS}text")
        if e.text in ("Thực tế đến nay", "Kế hoạch", "Dự báo", "Mục tiêu")
        and e.get("font-size") == "13"
    }
    assert len(rows) == 2
    assert "2,7 tỷ ₫" in shown and "2,08 tỷ ₫" in shown and "−316 tr ₫ (−25%)" in shown
    # the plot keeps its least height below the taller header
    ticks = tick_y(root)
    assert ticks[0.0] - ticks[3e9] >= NARROW.min_plot
    height = float(root.get("viewBox").split()[3])
    assert height > NARROW.height  # grew with the header


def test_demo_charts_the_kpis_in_trouble_first(demo: Report) -> None:
    # revenue is off track (77 %), orders at risk (89 %), spend on track: in that order, each
    # cumulative chart followed by its daily bars, the channel split last
    assert {k.name: k.status for k in demo.kpis if k.name in ("spend", "orders", "revenue")} == {
        "spend": "on_track",
        "orders": "at_risk",
        "revenue": "off_track",
    }
    assert list(draw(copy.deepcopy(demo))) == [
        "cumulative_revenue",
        "daily_revenue",
        "cumulative_orders",
        "daily_orders",
        "cumulative_spend",
        "daily_spend",
        "channels",
    ]


def test_revenue_chart_says_its_numbers(demo: Report) -> None:
    root = parse(draw(copy.deepcopy(demo), "vi")["cumulative_revenue"])
    desc = root.find(f"{NS}desc").text
    # to date 929,412,335 (as reported: late conversions not yet in) against 1,245,714,285.7
    # planned: −316,301,951, −25.4 %; projected 2,079,242,185 against 2,700,000,000
    for said in ("929 tr ₫", "1,25 tỷ ₫", "−316 tr ₫ (−25%)", "2,08 tỷ ₫", "2,7 tỷ ₫", "03/02"):
        assert said.replace(" ", NBSP) in desc.replace(" ", NBSP), (said, desc)
    shown = [t.replace(NBSP, " ") for t in texts(root)]
    assert "−316 tr ₫ (−25%)" in shown  # the gap labelled on the chart
    assert "2,08 tỷ ₫" in shown and "2,7 tỷ ₫" in shown  # projection and target at the end
    assert any(t.endswith("03/02") for t in shown)  # the as-of marker
    assert series(root, "projection") and series(root, "target") and series(root, "plan")
    assert series(root, "plan")[0].get("stroke-dasharray")  # plan dashed
    assert series(root, "projection")[0].get("stroke-dasharray")  # projection dotted
    assert series(root, "actual")[0].get("stroke-dasharray") is None  # actual solid


def test_cumulative_geometry_is_the_hand_computed_sum(small: Report) -> None:
    # revenue per day to 2026-03-05: 1.5 + 1.4 + 1.8 + 3.0 = 7.7 M (tr ₫); plan over 10 days
    # 1.5, 1.5, then 3.375 a day: 30 M at the flight end, so the axis runs 0..30 M
    assert cumulative_series(small, "revenue")["actual"] == pytest.approx(
        [1.5e6, 2.9e6, 4.7e6, 7.7e6]
    )
    root = parse(draw(small)["cumulative_revenue"])
    ticks = tick_y(root)
    assert sorted(ticks) == [0, 10e6, 20e6, 30e6]
    y0, y30 = ticks[0.0], ticks[30e6]
    plan = points(series(root, "plan")[0].get("d"))
    assert len(plan) == 10
    (x_first, y_first), (x_last, y_last) = plan[0], plan[-1]
    assert y_first == pytest.approx(y0 + (y30 - y0) * 1.5 / 30, abs=0.06)
    assert y_last == pytest.approx(y30, abs=0.06)  # the plan ends on the 30 M target
    end = series(root, "actual-end")[0]
    # day 4 of 10 sits 3/9 of the way along; 7.7 M sits 7.7/30 of the way up
    assert float(end.get("cx")) == pytest.approx(x_first + (x_last - x_first) * 3 / 9, abs=0.06)
    assert float(end.get("cy")) == pytest.approx(y0 + (y30 - y0) * 7.7 / 30, abs=0.06)
    actual = points(series(root, "actual")[0].get("d"))
    assert actual[-1] == pytest.approx((float(end.get("cx")), float(end.get("cy"))), abs=0.06)
    # the projection runs from there to the report's projection at the flight end
    projection = points(series(root, "projection")[0].get("d"))
    assert projection[0] == actual[-1]
    kpi = next(k for k in small.kpis if k.name == "revenue")
    expected = y0 + (y30 - y0) * kpi.projection / 30e6
    assert projection[-1] == pytest.approx((x_last, expected), abs=0.06)
    # the gap: 7.7 M against 9.75 M planned to date is −2.05 M, −21 %
    assert "−2,05 tr ₫ (−21%)" in [t.replace(NBSP, " ") for t in texts(root)]


def test_daily_bars_stand_on_the_target_step(small: Report) -> None:
    root = parse(draw(small)["daily_revenue"])
    ticks = tick_y(root)
    top, y0 = max(ticks), ticks[0.0]
    bars = {e.get("data-day"): e for e in series(root, "bar")}
    assert list(bars) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    third = bars["2026-03-04"]  # 1.8 M
    assert float(third.get("y")) == pytest.approx(y0 + (ticks[top] - y0) * 1.8e6 / top, abs=0.06)
    assert float(third.get("y")) + float(third.get("height")) == pytest.approx(y0, abs=0.06)
    step = series(root, "target-step")[0].get("d")
    # targets 1.5, 1.5, 3.375, 3.375 M: one riser, flat where the target holds
    assert step.count("V") == 1 and step.count("H") == 4
    desc = root.find(f"{NS}desc").text
    assert "1/4 ngày đạt mục tiêu ngày" in desc  # only 02/03 reached its 1.5 M


def test_dates_on_the_x_axis_follow_the_report_language(small: Report) -> None:
    vi = texts(parse(draw(copy.deepcopy(small), "vi")["cumulative_spend"]))
    en = texts(parse(draw(copy.deepcopy(small), "en")["cumulative_spend"]))
    assert "02/03" in vi and "04/03" in vi and "2 Mar" not in vi
    assert "2 Mar" in en and "4 Mar" in en and "02/03" not in en
    assert "As of 5 Mar" in en and "Số liệu đến ngày 05/03" in vi


def test_words_are_in_the_report_language(small: Report) -> None:
    vi = " ".join(texts(parse(draw(copy.deepcopy(small), "vi")["cumulative_orders"])))
    en = " ".join(texts(parse(draw(copy.deepcopy(small), "en")["cumulative_orders"])))
    assert "Kế hoạch" in vi and "Dự báo" in vi and "Plan" not in vi
    assert "Plan" in en and "Projection" in en and "Kế hoạch" not in en


def test_untrusted_names_are_escaped(small: Report) -> None:
    name = "Meta <b>\"Tết\" & 'sale'</b>\x07"
    small.channels[1]["name"] = name
    markup = draw(small)["channels"]
    assert "<b>" not in markup
    root = assert_drawable(markup)
    clean = name.replace("\x07", "")
    assert clean in root.find(f"{NS}desc").text
    assert any(clean.startswith(t.rstrip("…")) for t in texts(root) if t.startswith("Meta"))
    fmt = Formatter(small.currency, LOCALES[small.locale])
    kpi = next(k for k in small.kpis if k.name == "revenue")
    words = {**chart_words(labels("vi"), "vi"), "kpi_name": '<Rev & "co">'}
    out = cumulative(small, kpi, "<script>x</script>", "#0b7285", fmt, words, "chart-x")
    root = assert_drawable(out)
    assert root.find(f"{NS}title").text == "<script>x</script>"
    assert root.find(f"{NS}desc").text.startswith('<Rev & "co">')


def test_trouble_first_follows_status_then_pace(small: Report) -> None:
    changed = {
        "spend": ("overspend", 1.25),
        "orders": ("on_track", 1.02),
        "revenue": ("at_risk", 0.9),
    }
    small.kpis = [
        replace(k, status=changed[k.name][0], pace=changed[k.name][1]) if k.name in changed else k
        for k in small.kpis
    ]
    ordered, daily = charted(small)
    assert [k.name for k in ordered] == ["spend", "revenue", "orders"]
    assert [k.name for k in daily] == ["spend", "revenue", "orders"]
    assert list(draw(small))[:3] == ["cumulative_spend", "daily_spend", "cumulative_revenue"]


def test_one_day_and_no_daily_data_still_draw(small_plan: Path) -> None:
    first = report_from_plan_file(small_plan, as_of=date(2026, 3, 2))
    out = draw(first)
    for markup in out.values():
        assert_drawable(markup)
    assert len(series(parse(out["daily_revenue"]), "bar")) == 1
    assert len(series(parse(out["cumulative_revenue"]), "actual-end")) == 1
    first.daily = []
    out = draw(first)
    assert "cumulative_revenue" in out and "daily_revenue" not in out
    for markup in out.values():
        root = assert_drawable(markup)
        assert not series(root, "actual")


def test_zero_targets_and_zero_actuals(small: Report) -> None:
    for day in small.plan_daily:
        day["target"] = dict.fromkeys(day["target"], 0.0)
    for row in small.daily:
        row["actual"] = dict.fromkeys(row["actual"], 0.0)
        row["target"] = dict.fromkeys(row["target"], 0.0)
    small.kpis = [replace(k, target_total=0.0, projection=0.0) for k in small.kpis]
    small.channels = [{**c, "actual": {**c["actual"], "spend": 0.0}} for c in small.channels]
    out = draw(small)
    assert "channels" not in out  # nothing spent: no split to show
    for markup in out.values():
        root = assert_drawable(markup)
        assert not series(root, "bar")  # zero days draw no bar


def test_negative_none_and_huge_values(small: Report) -> None:
    small.daily[1]["actual"]["revenue"] = -2_000_000.0  # a refund larger than the day's sales
    small.daily[2]["actual"]["revenue"] = None
    small.daily[3]["actual"]["revenue"] = float("nan")
    out = draw(small)
    root = assert_drawable(out["daily_revenue"])
    bars = {e.get("data-day"): e for e in series(root, "bar")}
    assert list(bars) == ["2026-03-02", "2026-03-03"]  # None and NaN: no bar
    zero = tick_y(root)[0.0]
    refund = bars["2026-03-03"]
    assert float(refund.get("y")) == pytest.approx(zero, abs=0.06)  # hangs below zero
    assert min(tick_y(root)) < 0
    # cumulative: 1.5 − 2.0 + 0 + 0
    assert cumulative_series(small, "revenue")["actual"] == pytest.approx(
        [1.5e6, -0.5e6, -0.5e6, -0.5e6]
    )
    assert_drawable(out["cumulative_revenue"])
    for row in small.daily:
        row["actual"] = {k: (v or 0) * 1e12 for k, v in row["actual"].items()}
    for markup in draw(small).values():
        assert_drawable(markup)


def test_days_without_data_are_gaps_not_zero_bars(small: Report) -> None:
    small.notes.days_without_data = [date(2026, 3, 3)]
    small.daily[1]["actual"]["spend"] = 0.0
    root = parse(draw(small)["daily_spend"])
    assert [e.get("data-day") for e in series(root, "no-data")] == ["2026-03-03"]
    assert "2026-03-03" not in [e.get("data-day") for e in series(root, "bar")]
    assert "Không có dữ liệu" in texts(root)
    # the cumulative line carries on through it: 0.5 + 0 + 1.1 + 1.15 M
    assert cumulative_series(small, "spend")["actual"] == pytest.approx(
        [0.5e6, 0.5e6, 1.6e6, 2.75e6]
    )


def test_a_kpi_without_plan_targets_draws_actual_only(small: Report) -> None:
    for day in small.plan_daily:
        day["target"].pop("revenue")
    assert "cumulative_revenue" not in draw(copy.deepcopy(small))
    fmt = Formatter(small.currency, LOCALES[small.locale])
    kpi = next(k for k in small.kpis if k.name == "revenue")
    root = assert_drawable(
        cumulative(small, kpi, "t", "#0b7285", fmt, chart_words(labels("vi"), "vi"), "c")
    )
    assert series(root, "actual") and not series(root, "plan") and not series(root, "target")
    assert "không có kế hoạch" in root.find(f"{NS}desc").text


def test_rendering_loads_no_plotting_library() -> None:
    code = (
        "import sys; from datetime import date; from pathlib import Path;"
        "from perfmkt.report import report_from_plan_file;"
        "from perfmkt.render.documents import context;"
        f"r = report_from_plan_file(Path({str(DEMO)!r}), as_of=date(2026, 2, 3));"
        "assert context(r, 14, with_charts=True)['charts'];"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_no_matplotlib_dependency() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert "matplotlib" not in text
    for path in (ROOT / "perfmkt").rglob("*.py"):
        source = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+matplotlib", source, re.M), path


def test_nice_ticks_escape_and_paths() -> None:
    assert svg.nice_ticks(0, 2.7e9) == [0, 1e9, 2e9, 3e9]
    assert svg.nice_ticks(0, 30e6) == [0, 10e6, 20e6, 30e6]
    assert svg.nice_ticks(0, 100, 4) == [0, 25, 50, 75, 100]
    assert svg.nice_ticks(-3, 7) == [-4, -2, 0, 2, 4, 6, 8]
    assert svg.nice_ticks(0, 0) == [0, 1]
    assert svg.nice_ticks(0.1, 0.3, 2) == [0.1, 0.2, 0.3]  # no 0.30000000000000004
    assert svg.esc("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;"
    assert svg.path([(0, 0), (1, 2.26), None, (3, 4)]) == "M0 0L1 2.3M3 4"
    assert svg.steps([0, 10, 20, 30], [5, 5, 8]) == "M0 5H10H20V8H30"
    assert svg.fit("a very long channel name indeed", 12, 60).endswith("…")
    assert svg.text_width("Mục tiêu", 12) == pytest.approx(svg.text_width("Muc tieu", 12))
    # 10-px letters 0.54 em and spaces 0.3 em, × 1.04: "aaaa aaaa" is 4.62 em = 48.048 px
    assert svg.text_width("aaaa aaaa", 10) == pytest.approx(48.048)
    assert svg.wrap("aaaa aaaa aaaa", 10, 48.1) == ["aaaa aaaa", "aaaa"]
    # 48 px: one word on the first line, the rest cut ("aaaa aa…" is 4.08 em = 42.4 px)
    assert svg.wrap("aaaa aaaa aaaa", 10, 48) == ["aaaa", "aaaa aa…"]
    assert svg.wrap("aaaaaaaaaaaa b", 10, 48) == ["aaaaaaa…"]  # a word wider than a line
    assert svg.wrap("aaaa aaaa", 10, 200) == ["aaaa aaaa"]
    assert svg.wrap("", 10, 50) == [""]


def test_charts_stay_fast(demo: Report) -> None:
    import time

    report = copy.deepcopy(demo)
    draw(report)  # first call: Babel loads its locale data
    start = time.perf_counter()
    for _ in range(5):
        draw(report)
    # a few milliseconds each on a quiet machine; generous for a shared CI core
    assert (time.perf_counter() - start) / 5 < 0.1


def test_charts_write_numbers_as_the_tables_do() -> None:
    """A chart's numbers follow the tables' rules (Formatter.value / Formatter.planned): a plan
    of 4.3 orders keeps its decimal, 1,416.7 reads whole, 313,613 ₫ is not "314 nghìn ₫",
    and a gap of −0.4 orders on 4.3 is "−0,4 (−9%)", not "0 (−9%)"."""
    from perfmkt.format import Formatter
    from perfmkt.render.charts import Numbers

    fmt = Formatter.for_currency("VND")
    orders, money = Numbers(fmt, "count"), Numbers(fmt, "money")
    assert orders.compact(4.3, whole=True) == "4,3"
    assert orders.compact(1416.7, whole=True) == "1.417"
    assert money.compact(313_613) == fmt.value("money", 313_613, compact=True) == "313.613\xa0₫"
    assert orders.gap(-0.4, 4.3) == "\u22120,4 (\u22129%)"
