"""The verdict, the summary sentences, the weeks as the plan names them and the weeks ahead:
hand-computed cases, the demo's revenue sentence, and the JSON they leave in."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from perfmkt import pacing
from perfmkt.metrics import VOLUMES
from perfmkt.report import FlightInfo, week_label
from perfmkt.summary import Stall, severity_of, since_when, stalls, verdict_of
from perfmkt.targets import daily_targets
from tests.conftest import ROOT, make_plan, pace_small, run_cli

START = date(2026, 3, 2)  # a Monday
DEMO = ROOT / "configs" / "demo.yaml"


def kpi(name: str, status: str, pace: float | None, **values: float | None) -> pacing.KpiPace:
    fields = {
        "label": name.upper() if name in ("cpo", "roas") else name.capitalize(),
        "direction": "higher",
        "kind": "count",
        "target_total": 100.0,
        "expected_to_date": 50.0,
        "actual_to_date": 50.0,
        "projection": 100.0,
        "projection_pace": 1.0,
        "required_daily": None,
        **values,
    }
    return pacing.KpiPace(name=name, pace=pace, status=status, **fields)  # type: ignore[arg-type]


DAY_30 = FlightInfo(date(2026, 1, 5), date(2026, 3, 1), 56, 30, 26)


def test_verdict_takes_the_worst_status_then_the_lowest_pace() -> None:
    kpis = [
        kpi("spend", "on_track", 1.0),
        kpi("orders", "at_risk", 0.86),
        kpi("revenue", "off_track", 0.77, kind="money"),
        kpi("roas", "off_track", 0.8, kind="ratio", actual_to_date=2.16, expected_to_date=2.8),
    ]
    verdict = verdict_of(kpis, DAY_30, "en", "VND")
    assert verdict == {
        "status": "off_track",
        "kpi": "revenue",
        "pace": 0.77,
        "day": 30,
        "days_total": 56,
        "text": "Off track — revenue at 77% of plan · day 30 of 56",
    }
    vi = verdict_of(kpis, DAY_30, "vi", "VND")["text"]
    assert vi == "Chậm tiến độ — doanh thu đạt 77% kế hoạch · ngày 30/56"
    # overspend outranks at risk; a ratio says its value against the plan to date
    kpis[2] = kpi("revenue", "on_track", 1.0)
    kpis[3] = kpi("roas", "on_track", 1.0)
    kpis[0] = kpi("spend", "overspend", 1.2, kind="money")
    assert verdict_of(kpis, DAY_30, "en", "VND")["kpi"] == "spend"
    only_ratio = [kpi("roas", "at_risk", 0.9, kind="ratio", actual_to_date=2.5,
                      expected_to_date=2.8)]  # fmt: skip
    text = verdict_of(only_ratio, DAY_30, "en", "USD")["text"]
    assert text == "At risk — ROAS 2.50 vs 2.80 planned to date · day 30 of 56"


def test_verdict_all_on_track_and_no_data() -> None:
    on = verdict_of([kpi("spend", "on_track", 1.02), kpi("orders", "on_track", 0.97)], DAY_30,
                    "en", "USD")  # fmt: skip
    assert (on["status"], on["kpi"], on["pace"]) == ("on_track", "orders", 0.97)
    assert on["text"] == "On track — every KPI on plan · day 30 of 56"
    before = FlightInfo(date(2026, 1, 5), date(2026, 3, 1), 56, 0, 56)
    none = verdict_of([kpi("spend", "no_data", None)], before, "vi", "VND")
    assert (none["status"], none["kpi"], none["pace"]) == ("no_data", None, None)
    assert none["text"] == "Chưa có dữ liệu · ngày 0/56"


def test_since_when_is_the_current_run_of_cumulative_status() -> None:
    """Orders planned 10 a day, delivered 10, 5, 12, 4: cumulative pace 10/10 = 100 % (on
    track), 15/20 = 75 % (off), 27/30 = 90 % (at risk), 31/40 = 77.5 % (off). Spend 100 a day
    on plan, so CPO (target 10) runs 10, 13.3, 11.1, 12.9: the same statuses."""
    plan = make_plan(START, 4, {"spend": 400, "orders": 40, "cpo": 10})
    targets = daily_targets(plan)
    days = [START + timedelta(days=i) for i in range(4)]
    actuals = pl.DataFrame(
        {
            "date": days,
            **{v: [None] * 4 for v in VOLUMES},
            "spend": [100.0] * 4,
            "orders": [10.0, 5.0, 12.0, 4.0],
        },
        schema={"date": pl.Date, **{v: pl.Float64 for v in VOLUMES}},
    )
    now = {k.name: k.status for k in pacing.pace_kpis(plan, actuals, targets, days[-1])}
    assert now == {"spend": "on_track", "orders": "off_track", "cpo": "off_track"}
    # off track today, at risk the day before: the run is today only
    assert since_when(plan, actuals, targets, now) == {"orders": days[3], "cpo": days[3]}
    # at risk or worse has held since day 2
    at_risk = {"orders": "at_risk", "cpo": "at_risk"}
    assert since_when(plan, actuals, targets, at_risk) == {"orders": days[1], "cpo": days[1]}


def test_week_label_is_the_period_covering_most_of_the_week() -> None:
    plan = make_plan(
        START,
        21,
        {"spend": 2100},
        [
            {"start": START, "end": START + timedelta(days=4), "label": "Launch", "spend": 100},
            {"start": START + timedelta(days=5), "end": START + timedelta(days=9),
             "label": "Sale", "spend": 500},
            {"week": "2026-W12", "spend": 700},  # no label
        ],
    )  # fmt: skip
    week = [START + timedelta(days=d) for d in (0, 6, 7, 13, 14, 20)]
    assert week_label(plan, week[0], week[1]) == "Launch"  # 5 days Launch, 2 days Sale
    assert week_label(plan, week[2], week[3]) == "Sale"  # 3 days Sale, 4 days of no period
    assert week_label(plan, week[4], week[5]) is None  # the covering period has no label


def test_small_plan_weeks_ahead_and_all_on_track(small_plan: Path, tmp_path: Path) -> None:
    """Targets: 2–3 Mar carry spend 1,000,000 / orders 10 / revenue 3,000,000, the other 8
    days 1,125,000 / 11.25 / 3,375,000 each; after Thu 5 Mar come the rest of its week, 6–8
    Mar, and the week after, 9–11 Mar (3 days each)."""
    out = tmp_path / "r.json"
    pace_small(small_plan, "-f", "json", "-o", out)
    report = json.loads(out.read_text())
    three_days = {"spend": 3_375_000, "orders": 33.75, "revenue": 10_125_000, "cpo": 100_000,
                  "roas": 3.0}  # fmt: skip
    assert report["weeks_ahead"] == [
        {"week": "2026-W10", "label": None, "start": "2026-03-06", "end": "2026-03-08",
         "days": 3, "target": three_days},
        {
            "week": "2026-W11",
            "label": None,
            "start": "2026-03-09",
            "end": "2026-03-11",
            "days": 3,
            # CPO: 100,000 × (3,375,000 / 33.75) / (10,000,000 / 100); ROAS likewise flat
            "target": {"spend": 3_375_000, "orders": 33.75, "revenue": 10_125_000,
                       "cpo": 100_000, "roas": 3.0},
        }
    ]  # fmt: skip
    assert [w["label"] for w in report["weekly"]] == [None]

    run_cli(["report", small_plan, "--as-of", "2026-03-02", "--lang", "en", "-f", "json",
             "-o", out])  # fmt: skip
    day_one = json.loads(out.read_text())
    assert day_one["verdict"]["text"] == "On track — every KPI on plan · day 1 of 10"
    assert [s["text"] for s in day_one["summary"]] == [
        "Every KPI is on plan after 1 of 10 days.",
        "At this pace orders end near 100 against a target of 100.",
        "Spend is ₫500,000 of the ₫10M budget, heading for ₫10M.",
    ]
    run_cli(["report", small_plan, "--as-of", "2026-03-01", "-f", "json", "-o", out])
    before = json.loads(out.read_text())
    assert before["summary"] == [
        {
            "severity": "no_data",
            "kpi": None,
            "scope": None,
            "text": "Chiến dịch bắt đầu ngày 02/03/2026: chưa có dữ liệu để theo dõi tiến độ.",
        }
    ]
    assert len(before["weeks_ahead"]) == 2 and before["campaigns"]["rows"] == []


def test_small_plan_summary_hand_checked(small_plan: Path, tmp_path: Path) -> None:
    """5 Mar, day 4 of 10 (see test_end_to_end): revenue 7,700,000 of 9,750,000 expected
    (79 %, off track), ROAS 7.7 / 3.25 = 2.37 against 3 (off track), CPO 3,250,000 / 29 =
    112,069 against 100,000 (at risk), orders 29 of 32.5 (89 %, at risk), spend on plan. Each
    had been on track until 4 Mar, the day the Google re-download shows less."""
    out = tmp_path / "r.json"
    pace_small(small_plan, "--lang", "en", "-f", "json", "-o", out)
    report = json.loads(out.read_text())
    summary = report["summary"]
    assert [(s["severity"], s["kpi"]) for s in summary] == [
        ("off_track", "roas"),  # pace 2.37 / 3 = 0.790
        ("off_track", "revenue"),  # pace 7.7 / 9.75 = 0.790 (higher, by a hair)
        ("at_risk", "cpo"),
        ("at_risk", "orders"),
        ("on_track", "spend"),
    ]
    roas = summary[0]
    assert roas["scope"] == "SHOPX | Prospecting | Sale"
    assert roas["text"] == (
        "ROAS is 2.37, 21% below the 3.00 target, and heads for 2.37 at flight end (chance to "
        "hit: 6%); off track since 4 Mar; “SHOPX | Prospecting | Sale” accounts for 85% of the "
        "gap."
    )
    # projection: 7,700,000 + (30,000,000 − 9,750,000) × 7,700,000 / 9,750,000
    projected = 7_700_000 + 20_250_000 * 7_700_000 / 9_750_000
    assert round(projected) == 23_692_308
    assert summary[1]["text"] == (
        "At this pace revenue ends near ₫23.7M, ₫6.31M short of ₫30M (chance to hit: 5%); off "
        "track since 4 Mar."
    )
    assert summary[4]["text"] == (
        "Spend is on plan: ₫3.25M against ₫3.25M expected to date (100%)."
    )


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "vi",
            "Với tốc độ hiện tại, doanh thu cuối chiến dịch sẽ đạt khoảng 2,08\u00a0tỷ\u00a0₫, "
            "thiếu 621\u00a0tr\u00a0₫ so với mục tiêu 2,7\u00a0tỷ\u00a0₫ (khả năng đạt: < 1%); "
            "chậm tiến độ từ ngày đầu tiên.",
        ),
        (
            "en",
            "At this pace revenue ends near ₫2.08B, ₫621M short of ₫2.7B (chance to hit: < 1%); "
            "off track since the first day.",
        ),
    ],
)
def test_demo_revenue_sentence(lang: str, sentence: str, tmp_path: Path) -> None:
    """The demo on 3 Feb: revenue projected 2,079,242,185 ₫ (from the results the days will have
    once late conversions are in) against 2,700,000,000 ₫, so 620,757,815 ₫ short ("621 tr");
    below 85 % of plan since the flight's first day."""
    out = tmp_path / "demo.json"
    run_cli(["report", DEMO, "--as-of", "2026-02-03", "--lang", lang, "-f", "json", "-o", out])
    report = json.loads(out.read_text())
    revenue = next(k for k in report["kpis"] if k["name"] == "revenue")
    assert revenue["projection"] == 2_079_242_185
    said = {s["kpi"]: s for s in report["summary"]}
    assert said["revenue"]["text"] == sentence
    assert said["revenue"]["severity"] == "off_track"
    assert 3 <= len(report["summary"]) <= 5
    ranks = ["off_track", "overspend", "at_risk", "on_track", "no_data"]
    order = [ranks.index(s["severity"]) for s in report["summary"]]
    assert order == sorted(order)
    # the backup action the plan names for ROAS (its alert fired)
    assert said["roas"]["text"].endswith("mã giảm giá TET10 cho khách cũ.")
    weekly = {w["week"]: w["label"] for w in report["weekly"]}
    assert weekly["2026-W02"] == "Tuần 1 – khởi động" and weekly["2026-W03"] is None
    assert [(w["week"], w["label"], w["days"]) for w in report["weeks_ahead"]] == [
        ("2026-W06", "Cao điểm mua quà", 5),  # the rest of the as-of week: 4–8 Feb
        ("2026-W07", "Đơn cuối trước Tết", 7),
        ("2026-W08", "Nghỉ Tết", 7),
        ("2026-W09", None, 7),
    ]
    # W06 is a period of 190,000,000 over 7 days: 5 of them are left (flat within the period)
    assert report["weeks_ahead"][0]["target"]["spend"] == round(190_000_000 * 5 / 7)
    # W07 is a period of its own: its whole-week targets are what the plan writes
    w07 = report["weeks_ahead"][1]["target"]
    assert (w07["spend"], w07["orders"], w07["revenue"]) == (170_000_000, 620, 580_000_000)
    assert w07["cpo"] == round(300_000 * (170_000_000 / 620) / (900_000_000 / 3_000))


def test_demo_json_is_byte_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        run_cli(["report", DEMO, "--as-of", "2026-02-03", "-f", "json", "-o", out])
    assert first.read_bytes() == second.read_bytes()
    report = json.loads(first.read_text())
    for key in ("verdict", "summary", "campaigns", "weeks_ahead"):
        assert report[key], key
    rows = report["campaigns"]["rows"]
    # money in whole dong, shares to 6 significant digits
    assert all(isinstance(r["spend"], int) and isinstance(r["cost_per_result"], int) for r in rows)
    assert all(len(repr(r["spend_share"]).lstrip("0.").rstrip("0")) <= 6 for r in rows)


def test_volume_sentence_names_the_channel_behind_its_own_plan(
    small_plan: Path, tmp_path: Path
) -> None:
    """Channel targets: google 60 orders, meta 40, shaped like the plan's 100. On 5 Mar the plan
    expects 32.5 orders, so google 19.5 (has 20: ahead) and meta 13 (has 9: 4 short)."""
    text = small_plan.read_text()
    text = text.replace('campaigns: "^SHOPX_"}', 'campaigns: "^SHOPX_", kpis: {orders: 60.0}}')
    text = text.replace('campaigns: "^SHOPX"}', 'campaigns: "^SHOPX", kpis: {orders: 40.0}}')
    small_plan.write_text(text)
    out = tmp_path / "r.json"
    pace_small(small_plan, "--lang", "en", "-f", "json", "-o", out)
    report = json.loads(out.read_text())
    orders = next(s for s in report["summary"] if s["kpi"] == "orders")
    assert orders["scope"] == "meta"
    assert orders["text"] == (
        "At this pace orders end near 89.2, 10.8 short of 100 (chance to hit: 27%); at risk "
        "since 4 Mar; furthest behind: channel meta, 4 short of its own plan to date."
    )
    assert report["campaigns"]["total"]["name"] == "All campaigns"


def _report_parts(plan, actuals: pl.DataFrame, as_of: date):  # type: ignore[no-untyped-def]
    from perfmkt.report import FlightInfo

    targets = daily_targets(plan)
    kpis = pacing.pace_kpis(plan, actuals, targets, as_of)
    elapsed = (as_of - plan.flight.start).days + 1
    info = FlightInfo(plan.flight.start, plan.flight.end, plan.flight.days, elapsed,
                      plan.flight.days - elapsed)  # fmt: skip
    return kpis, info, targets


def _actuals(days: list[date], **columns: list[float]) -> pl.DataFrame:
    data = {v: columns.get(v, [None] * len(days)) for v in VOLUMES}
    return pl.DataFrame(
        {"date": days, **data}, schema={"date": pl.Date, **{v: pl.Float64 for v in VOLUMES}}
    )


def test_cost_ratio_with_spend_and_no_result() -> None:
    """Spend 100 a day on plan, no order in 4 days: orders off track (pace 0), CPO has no value
    and is off track all the same (money spent, nothing bought)."""
    from perfmkt.summary import summarize

    plan = make_plan(START, 8, {"spend": 800, "orders": 80, "cpo": 10}, locale="en")
    days = [START + timedelta(days=i) for i in range(4)]
    actuals = _actuals(days, spend=[100.0] * 4, orders=[0.0] * 4)
    kpis, info, targets = _report_parts(plan, actuals, days[-1])
    verdict = verdict_of(kpis, info, "en", "VND")
    assert (verdict["status"], verdict["kpi"]) == ("off_track", "orders")  # pace 0 < no pace
    cpo_only = [k for k in kpis if k.name == "cpo"]
    assert verdict_of(cpo_only, info, "en", "VND")["text"] == (
        "Off track — CPO: money spent and no orders · day 4 of 8"
    )
    summary = summarize(plan, kpis, info, actuals, targets, [], {}, pl.DataFrame(), days[-1])
    assert [s["text"] for s in summary] == [
        # nothing bought since day one, while 10 a day were planned: the stop is said first
        "No orders since the flight started (4 days) while the plan expected 40; ₫400 spent "
        "meanwhile; at this pace orders end near 0, 80 short of 80.",
        "CPO has no value: ₫400 spent and no orders yet; off track since the first day.",
        "Spend is on plan: ₫400 against ₫400 expected to date (100%).",
    ]


def test_more_trouble_than_room_ends_with_the_rest_named() -> None:
    """Everything at half its plan but spend: six KPIs off track, four sentences' room beside
    the spend sentence: three told in full, the other three named."""
    from perfmkt.summary import summarize

    kpis_plan = {"spend": 800, "orders": 80, "revenue": 8000, "clicks": 800,
                 "impressions": 8000, "cpo": 10, "roas": 10.0}  # fmt: skip
    plan = make_plan(START, 8, kpis_plan, locale="en")
    days = [START + timedelta(days=i) for i in range(4)]
    actuals = _actuals(days, spend=[100.0] * 4, orders=[5.0] * 4, revenue=[500.0] * 4,
                       clicks=[50.0] * 4, impressions=[500.0] * 4)  # fmt: skip
    kpis, info, targets = _report_parts(plan, actuals, days[-1])
    summary = summarize(plan, kpis, info, actuals, targets, [], {}, pl.DataFrame(), days[-1])
    assert len(summary) == 5
    assert [s["kpi"] for s in summary[:3]] == ["orders", "revenue", "clicks"]  # plan order
    assert summary[3] == {
        "severity": "off_track",
        "kpi": None,
        "scope": None,
        "text": "Also off track: impressions, CPO and ROAS.",
    }
    assert summary[4]["kpi"] == "spend"
    # orders from the shop: the KPIs named in passing say which figure too, as the full
    # sentences do ("Orders (shop, net)…")
    shop = make_plan(START, 8, kpis_plan, locale="en", truth={"orders": "shop_net"})
    kpis, info, targets = _report_parts(shop, actuals, days[-1])
    summary = summarize(shop, kpis, info, actuals, targets, [], {}, pl.DataFrame(), days[-1])
    assert summary[0]["text"].startswith("At this pace orders (shop, net) end near 40")
    assert summary[3]["text"] == "Also off track: impressions, CPO (shop, net) and ROAS."


def test_weeks_ahead_targets_are_the_weekly_rows_targets() -> None:
    """The weeks ahead carry the targets the weekly table gives those weeks once they come
    (ramped timeline, a ratio that follows its volumes' shape, a flat one)."""
    from perfmkt.report import _weeks_ahead

    plan = make_plan(
        START,
        30,
        {"spend": 3000, "orders": 60, "revenue": 9000, "cpo": 50, "roas": 3.0, "cpc": 2.0},
        [{"start": START + timedelta(days=7), "end": START + timedelta(days=13), "spend": 500,
          "orders": 5, "label": "Slow week"}],
    )  # fmt: skip
    targets = daily_targets(plan)
    as_of = START + timedelta(days=2)
    rest, *ahead = _weeks_ahead(plan, targets, as_of)
    # the rest of the as-of week: its 4 remaining days' targets (3000 over 30 days is not flat
    # here: the slow week takes 500, the other 23 days share 2500)
    assert (rest["start"], rest["days"]) == (as_of + timedelta(days=1), 4)
    assert rest["target"]["spend"] == pytest.approx(4 * 2500 / 23, rel=1e-12)
    empty = _actuals([])
    whole = pacing.weekly_table(plan, empty, targets, plan.flight.end)
    later = whole.filter(pl.col("start") > START + timedelta(days=6))
    assert [w["week"] for w in ahead] == later["week"].to_list()
    assert ahead[0]["label"] == "Slow week" and ahead[0]["target"]["orders"] == 5
    for week, row in zip(ahead, later.iter_rows(named=True), strict=True):
        for k in plan.kpis:
            assert week["target"][k] == pytest.approx(row[f"{k}_target"], rel=1e-12), k
    assert ahead[-1]["days"] == 2  # the flight's last two days, cut at its end


def _summary_of(plan, actuals: pl.DataFrame, as_of: date):  # type: ignore[no-untyped-def]
    from perfmkt.summary import summarize, warnings_of

    kpis, info, targets = _report_parts(plan, actuals, as_of)
    warnings = warnings_of(plan, kpis, actuals, targets, as_of)
    verdict = verdict_of(kpis, info, plan.language, plan.currency, warnings)
    summary = summarize(
        plan, kpis, info, actuals, targets, [], {}, pl.DataFrame(), as_of, None, warnings
    )
    return kpis, verdict, summary


def test_delivery_that_stopped_leads_though_pace_to_date_is_on_track() -> None:
    """14 days planned flat: spend 1,000, orders 10 a day, CPO 100. Delivered 1,700 and 17 a
    day for 6 days, then nothing for 4: on day 10 spend is 10,200 of 10,000 (102 %), orders 102
    of 100, CPO 100: all on track. The plan expected 4 × 1,000 over the silent days. Spend
    projection (shape, last 7 days): 10,200 + 4,000 × 5,100 / 7,000 = 13,114, so 886 under the
    14,000 budget; orders 102 + 40 × 51 / 70 = 131."""
    plan = make_plan(START, 14, {"spend": 14_000, "orders": 140, "cpo": 100}, locale="en")
    days = [START + timedelta(days=i) for i in range(10)]
    actuals = _actuals(days, spend=[1700.0] * 6 + [0.0] * 4, orders=[17.0] * 6 + [0.0] * 4)
    kpis, verdict, summary = _summary_of(plan, actuals, days[-1])
    assert {k.name: k.status for k in kpis} == dict.fromkeys(("spend", "orders", "cpo"), "on_track")
    assert verdict["status"] == "on_track"  # the status stays pace to date…
    assert verdict["text"] == "On track to date — no spend for 4 days · day 10 of 14"  # …the line
    assert severity_of(verdict, summary) == "at_risk"  # …and its colour
    assert summary == [
        {
            "severity": "at_risk",
            "kpi": "spend",
            "scope": None,
            "text": "No spend for 4 days (last on 7 Mar 2026) while the plan expected ₫4,000; "
            "at this pace spend ends near ₫13,114, ₫886 under the ₫14,000 budget.",
        },
        {
            "severity": "on_track",
            "kpi": "orders",
            "scope": None,
            "text": "At this pace orders end near 131 against a target of 140.",
        },
        {"severity": "on_track", "kpi": None, "scope": None, "text": "Orders and CPO are on plan."},
    ]
    # two silent days are not a stop yet, three are
    targets = daily_targets(plan)
    assert stalls(plan, actuals.head(8), targets, days[7]) == []
    assert stalls(plan, actuals.head(9), targets, days[8]) == [
        Stall("spend", days=3, last=days[5], planned=3000.0, spent=0.0)
    ]


def test_results_that_stopped_while_money_goes_out() -> None:
    """Spend 1,050 every day, orders 12 a day for 7 days then none for 3 (the plan expected
    30): on day 10 orders are 84 of 100 (off track), CPO 10,500 / 84 = 125 against 100 (pace
    0.8, off track, the verdict's). Orders land near 84 + 40 × 48 / 70 = 111.4, 28.6 short."""
    plan = make_plan(START, 14, {"spend": 14_000, "orders": 140, "cpo": 100}, locale="vi")
    days = [START + timedelta(days=i) for i in range(10)]
    actuals = _actuals(days, spend=[1050.0] * 10, orders=[12.0] * 7 + [0.0] * 3)
    _, verdict, summary = _summary_of(plan, actuals, days[-1])
    # a worse status keeps its KPI's line; the summary's first sentence says the stop
    assert (
        verdict["text"]
        == "Chậm tiến độ — CPO 125\u00a0₫ so với kế hoạch 100\u00a0₫ đến nay · ngày 10/14"
    )
    first = summary[0]
    assert (first["severity"], first["kpi"]) == ("off_track", "orders")  # worse than at risk
    assert first["text"] == (
        "Không có đơn hàng trong 3 ngày qua (lần cuối ngày 08/03/2026), trong khi kế hoạch dự "
        "kiến 30; vẫn chi 3.150\u00a0₫ trong thời gian này; với tốc độ hiện tại, đơn hàng cuối "
        "chiến dịch sẽ đạt khoảng 111, thiếu 28,6 so với mục tiêu 140."
    )
    assert summary[1]["kpi"] == "cpo"
    assert [s["kpi"] for s in summary].count("orders") == 1  # said once, with the stop
    # a trickle of 1 order expected over the silent days is chance, not a stop
    few = make_plan(START, 14, {"spend": 14_000, "orders": 4, "cpo": 3500}, locale="en")
    trickle = actuals.with_columns(orders=pl.Series([1.0, 0, 1, 0, 1, 0, 0, 0, 0, 0]))
    assert not any("No orders" in s["text"] for s in _summary_of(few, trickle, days[-1])[2])


def test_volume_on_pace_that_lands_short_is_at_risk() -> None:
    """Orders 25 a day for 3 days, then 25 over the next 7: 100 of 100 expected on day 10
    (on track), but the last 7 days ran at 25 / 70 of plan, so they end near 100 + 40 × 25 /
    70 = 114.3, 81.6 % of 140: below the 85 % at-risk band, 18 % short. Spend on plan."""
    plan = make_plan(START, 14, {"spend": 14_000, "orders": 140, "cpo": 100}, locale="en")
    days = [START + timedelta(days=i) for i in range(10)]
    orders = [25.0, 25.0, 25.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0]
    actuals = _actuals(days, spend=[1000.0] * 10, orders=orders)
    kpis, verdict, summary = _summary_of(plan, actuals, days[-1])
    by_name = {k.name: k for k in kpis}
    assert by_name["orders"].status == "on_track"
    assert by_name["orders"].projection_pace == pytest.approx(114.2857 / 140, abs=1e-5)
    assert verdict["text"] == "On track to date — orders heading for 82% of target · day 10 of 14"
    assert [(s["severity"], s["kpi"], s["text"]) for s in summary] == [
        (
            "at_risk",
            "orders",
            "Orders are on plan to date, but at this pace they end near 114, 18% short of 140.",
        ),
        (
            "at_risk",
            "orders",
            # (140 − 100) / 4 days; 25 over the last 7 days is 3.6 a day
            "To reach 140, orders need 10 a day for the remaining 4 days, against 3.6 a day over "
            "the last 7 days.",
        ),
        ("on_track", None, "Spend and CPO are on plan."),
    ]
    # 10 a day lands on target: no warning
    steady = actuals.with_columns(orders=pl.Series([10.0] * 10))
    _, verdict, summary = _summary_of(plan, steady, days[-1])
    assert verdict["text"] == "On track — every KPI on plan · day 10 of 14"


def test_spend_where_none_was_planned_reads_in_the_verdict() -> None:
    """A pre-launch period planned at 0: 3 days of 100 spent by day 3 is overspend with no
    pace; the verdict says what was spent, not "at — of plan"."""
    plan = make_plan(
        START, 10, {"spend": 7000, "orders": 70},
        [{"start": START, "end": START + timedelta(days=2), "spend": 0, "orders": 0}],
        locale="en",
    )  # fmt: skip
    days = [START + timedelta(days=i) for i in range(3)]
    _, verdict, _ = _summary_of(plan, _actuals(days, spend=[100.0] * 3, orders=[1.0] * 3), days[-1])
    assert verdict["status"] == "overspend" and verdict["kpi"] == "spend"
    assert verdict["text"] == "Overspend — spend ₫300 where the plan has none to date · day 3 of 10"


def test_method_paragraphs_speak_the_reports_language() -> None:
    from perfmkt import advice, forecast
    from perfmkt.report import methods

    assert methods("en") == {"chance": forecast.METHOD, "advice": advice.METHOD}
    vi = methods("vi")
    assert vi == {"chance": forecast.METHOD_VI, "advice": advice.METHOD_VI}
    for text in vi.values():
        # the same numbers as the English paragraph, in Vietnamese words
        assert "khoảng 80 %" in text.lower() and " the " not in text and " of " not in text
    assert "2.000 lần" in vi["chance"] and "42 ngày" in vi["advice"]
