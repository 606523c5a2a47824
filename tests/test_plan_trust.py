"""Plans: what is written is what is planned, and no silent wrong answer.

Hand-checked numbers for period volumes beside ratios, the early status bands, statuses where
no pace exists, the CRM's lead funnel, and one clear line for every broken plan file.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt import pacing
from perfmkt.alerts import status_alerts
from perfmkt.errors import PlanError
from perfmkt.metrics import CATALOG, VOLUMES
from perfmkt.plan import Bands, Plan, StatusBands, load_plan, resolve_sources
from perfmkt.sources.shop import ORDERS_SCHEMA
from perfmkt.targets import daily_series, daily_targets
from tests.conftest import ROOT, make_plan, run_cli
from tests.test_plan import plan_file, problem

MON = date(2026, 1, 5)  # a Monday: 2026-W02 is 5..11 Jan, W03 12..18 Jan

# --- 1. a period keeps the volume it writes ------------------------------------------------


def week_sums(plan: Plan, *names: str) -> dict[str, tuple[float, float]]:
    """(W02, W03) sums of each volume's daily targets in a 14-day flight from MON."""
    t = daily_targets(plan)
    return {n: (sum(t[n].to_list()[:7]), sum(t[n].to_list()[7:])) for n in names}


def test_leads_and_cpl_keep_the_leads_and_derive_spend() -> None:
    """W02 writes 450 leads at CPL 300,000: 450 leads, spend 450 × 300,000 = 135,000,000.
    W03 shares the rest: 550 leads, 165,000,000 spend. (Before, the 450 became 150,000,000 /
    300,000 = 500 leads from W02's even share of spend.)"""
    plan = make_plan(
        MON,
        14,
        {"spend": 300_000_000, "leads": 1_000, "cpl": 300_000},
        [{"week": "2026-W02", "leads": 450, "cpl": 300_000}],
    )
    sums = week_sums(plan, "leads", "spend")
    assert sums["leads"] == pytest.approx((450, 550))
    assert sums["spend"] == pytest.approx((135_000_000, 165_000_000))
    assert daily_targets(plan)["leads"].to_list()[:7] == pytest.approx([450 / 7] * 7)


def test_orders_cpo_and_roas_chain_from_the_written_orders() -> None:
    """W02: 20 orders at CPO 300,000 is spend 6,000,000; ROAS 2 on it is revenue 12,000,000."""
    plan = make_plan(
        MON,
        14,
        {"spend": 30_000_000, "orders": 100, "revenue": 50_000_000},
        [{"week": "2026-W02", "orders": 20, "cpo": 300_000, "roas": 2}],
    )
    sums = week_sums(plan, "orders", "spend", "revenue")
    assert sums["orders"] == pytest.approx((20, 80))
    assert sums["spend"] == pytest.approx((6_000_000, 24_000_000))
    assert sums["revenue"] == pytest.approx((12_000_000, 38_000_000))


def test_revenue_and_roas_derive_spend_orders_and_aov_derive_revenue() -> None:
    plan = make_plan(
        MON,
        14,
        {"spend": 10_000, "revenue": 40_000, "orders": 100},
        [
            {"week": "2026-W02", "revenue": 12_000, "roas": 4},  # spend 12,000 / 4 = 3,000
            {"week": "2026-W03", "orders": 30, "aov": 500},  # revenue 30 × 500 = 15,000
        ],
    )
    with pytest.raises(PlanError, match="periods cover the whole flight and their ratio"):
        daily_series(plan)  # revenue 12,000 + 15,000 covers the flight, not 40,000
    plan = make_plan(
        MON,
        21,
        {"spend": 10_000, "revenue": 40_000, "orders": 100},
        [
            {"week": "2026-W02", "revenue": 12_000, "roas": 4},
            {"week": "2026-W03", "orders": 30, "aov": 500},
        ],
    )
    t = daily_targets(plan)
    week = [sum(t[n].to_list()[:7]) for n in ("spend", "revenue")]
    assert week == pytest.approx([3_000, 12_000])
    assert sum(t["revenue"].to_list()[7:14]) == pytest.approx(15_000)
    assert sum(t["revenue"].to_list()[14:]) == pytest.approx(40_000 - 27_000)


def test_a_period_of_ratios_only_keeps_its_spend_share() -> None:
    """W02 gives AOV 50 and ROAS 4, no volume: spend keeps its even share 1,400 × 7/14 = 700,
    ROAS fixes revenue 2,800 from it, AOV then orders 2,800 / 50 = 56."""
    plan = make_plan(
        MON,
        14,
        {"spend": 1_400, "orders": 100, "revenue": 5_000},
        [{"week": "2026-W02", "aov": 50, "roas": 4}],
    )
    sums = week_sums(plan, "spend", "revenue", "orders")
    assert sums == {
        "spend": pytest.approx((700, 700)),
        "revenue": pytest.approx((2_800, 2_200)),
        "orders": pytest.approx((56, 44)),
    }


def test_ratios_alone_that_contradict_each_other_are_problem() -> None:
    """ROAS 4 on W02's 700 spend is revenue 2,800; CIR 0.5 would need 1,400."""
    plan = make_plan(
        MON,
        14,
        {"spend": 1_400, "revenue": 5_000},
        [{"week": "2026-W02", "roas": 4, "cir": 0.5}],
    )
    with pytest.raises(PlanError) as caught:
        daily_series(plan)
    assert str(caught.value) == (
        "timeline[0].cir: spend 700 and revenue 2,800 make cir 0.25, not the 0.5 written: "
        "give two of spend, revenue and cir"
    )


PLAN = """\
client: Shop X
campaign: Spring
currency: VND
flight: {start: 2026-03-02, end: 2026-03-15}
sources:
  - path: exports/*.csv
kpis:
  spend: 10_000_000
  orders: 100
timeline:
  - week: 2026-W10
    orders: 20
    cpo: 300_000
"""


def test_volume_ratio_and_spend_that_disagree_name_the_line(tmp_path: Path) -> None:
    # 20 orders × 300,000 = 6,000,000: agrees (and 6,020,000 is within the 0.5 % of rounding)
    for spend in (6_000_000, 6_020_000):
        load_plan(plan_file(tmp_path, PLAN + f"    spend: {spend}\n"))
    err = problem(tmp_path, PLAN + "    spend: 7_000_000\n")
    assert str(err) == (
        f"{tmp_path / 'plan.yaml'}:13: timeline[0].cpo: spend 7,000,000 and orders 20 make cpo "
        "350,000, not the 300,000 written: give two of spend, orders and cpo"
    )
    # through a chain: ROAS 2 on the 6,000,000 orders × CPO imply is 12,000,000, not 20,000,000
    chained = PLAN.replace("kpis:\n", "kpis:\n  revenue: 50_000_000\n")
    err = problem(tmp_path, chained + "    roas: 2\n    revenue: 20_000_000\n")
    assert err.row == 15
    assert "timeline[0].roas: revenue 20,000,000 and spend 6,000,000 make roas 3.333, not" in str(
        err
    )


def test_validate_prints_the_contradiction_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("x")
    path = plan_file(tmp_path, PLAN + "    spend: 7_000_000\n")
    _, stderr = run_cli(["validate", path], expect=2)
    assert stderr.startswith(f"perfmkt: error: {path}:13: timeline[0].cpo: spend 7,000,000")
    _, stderr = run_cli(["report", path], expect=2)
    assert stderr.count("\n") == 1 and f"{path}:13:" in stderr


@st.composite
def volume_ratio_plans(draw: st.DrawFn) -> tuple[Plan, list[tuple[str, str, float, float]]]:
    """Plans whose periods write a volume and a cost ratio (leads+cpl or orders+cpo)."""
    days = draw(st.integers(8, 90))
    volume, ratio = draw(st.sampled_from([("leads", "cpl"), ("orders", "cpo")]))
    total_volume = draw(st.integers(100, 10**6))
    spend = draw(st.integers(10**6, 10**12))
    periods, written, cursor, left = [], [], 0, total_volume * 0.9
    while cursor < days - 1 and draw(st.booleans()):
        length = draw(st.integers(1, days - 1 - cursor))
        amount = draw(st.floats(0, 1)) * left
        rate = draw(st.floats(1, 1e6))
        first = MON + timedelta(days=cursor)
        end = first + timedelta(days=length - 1)
        periods.append({"start": first, "end": end, volume: amount, ratio: rate})
        written.append((volume, ratio, amount, rate))
        left -= amount
        cursor += length + draw(st.integers(0, 3))
    total_spend = spend + sum(a * r for _, _, a, r in written)  # room for what periods imply
    plan = make_plan(MON, days, {"spend": total_spend, volume: total_volume}, periods)
    return plan, written


@settings(max_examples=100, deadline=None)
@given(volume_ratio_plans())
def test_daily_targets_keep_each_period_written_volume(
    case: tuple[Plan, list[tuple[str, str, float, float]]],
) -> None:
    plan, written = case
    t = daily_targets(plan)
    for period, (volume, _, amount, rate) in zip(plan.timeline, written, strict=True):
        first, last = period.days(plan.flight)
        span = t.filter(pl.col("date").is_between(first, last))
        assert math.isclose(span[volume].sum(), amount, rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(span["spend"].sum(), amount * rate, rel_tol=1e-9, abs_tol=1e-3)
    for volume in ("spend", *[w[0] for w in written]):
        assert t[f"{volume}_cum"][-1] == plan.kpis[volume]  # exact: fractions


def test_series_is_exact_on_the_written_volume() -> None:
    plan = make_plan(
        MON, 14, {"spend": 10**9, "leads": 1_000}, [{"week": "2026-W02", "leads": 450, "cpl": 1}]
    )
    series = daily_series(plan)
    assert sum(series["leads"][:7], Fraction(0)) == 450
    assert sum(series["spend"][:7], Fraction(0)) == 450


# --- 2. early bands --------------------------------------------------------------------------


def test_early_bands_keep_the_plans_overspend_and_hold_on_day_one() -> None:
    plan = make_plan(
        MON,
        11,
        {"spend": 1_100},
        status={"overspend": 1.3, "early": {"on_track": 0.8, "at_risk": 0.6}},
    )
    assert pacing.bands_now(plan, MON) == Bands(on_track=0.8, at_risk=0.6, overspend=1.3)
    assert pacing.bands_now(plan, MON - timedelta(days=3)) == pacing.bands_now(plan, MON)
    # day 6 of 11 is half way from day 1 to day 11
    half = pacing.bands_now(plan, MON + timedelta(days=5))
    assert (half.on_track, half.at_risk, half.overspend) == pytest.approx((0.875, 0.725, 1.3))
    assert pacing.bands_now(plan, MON + timedelta(days=10)) == Bands(overspend=1.3)
    assert plan.status.at(0.0).overspend == 1.3  # was the default 1.10 drifting to 1.3


def test_early_overspend_given_moves_to_the_final_one() -> None:
    bands = StatusBands(overspend=1.2, early={"overspend": 1.5})
    assert bands.at(0.0) == Bands(overspend=1.5)
    assert bands.at(0.5).overspend == pytest.approx(1.35)
    assert bands.at(0.5).on_track == 0.95  # not given early: the final value all along


def test_early_bands_must_be_ordered_once_merged(tmp_path: Path) -> None:
    text = PLAN + "status: {on_track: 0.9, early: {at_risk: 0.92}}\n"
    err = problem(tmp_path, text)
    assert str(err) == where(tmp_path, 14) + (
        "status.early: at_risk 0.92 must not be above on_track 0.9"
    )


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(2, 400),
    on_track=st.floats(0.5, 1.0),
    at_risk=st.floats(0.1, 0.5),
    overspend=st.floats(1.01, 3),
)
def test_first_day_is_early_and_last_day_is_final_exactly(
    days: int, on_track: float, at_risk: float, overspend: float
) -> None:
    early = {"on_track": on_track, "at_risk": at_risk, "overspend": overspend}
    plan = make_plan(MON, days, {"spend": 1}, status={"early": early})
    assert pacing.bands_now(plan, MON) == Bands(**early)
    assert pacing.bands_now(plan, plan.flight.end) == Bands()


# --- 3. statuses where no pace exists ----------------------------------------------------------


BANDS = Bands()


@pytest.mark.parametrize(
    ("name", "actual", "expected", "volumes", "status"),
    [
        ("cpo", None, 300_000, {"spend": 1_000_000, "orders": 0}, "off_track"),
        ("cpl", None, 200_000, {"spend": 1, "leads": 0}, "off_track"),
        ("cir", None, 0.3, {"spend": 5, "revenue": 0}, "off_track"),
        ("cpo", None, 300_000, {"spend": 0, "orders": 0}, "no_data"),  # nothing spent
        ("cpo", None, 300_000, {"spend": 10, "orders": None}, "no_data"),  # orders not measured
        ("cpo", None, None, {"spend": 10, "orders": 0}, "no_data"),  # no target for the span
        ("roas", None, 3.0, {"spend": 0, "revenue": 0}, "no_data"),  # higher-better: no spend
        ("spend", 500.0, 0.0, {}, "overspend"),  # spent where none was planned
        ("spend", 0.0, 0.0, {}, "no_data"),
        ("orders", 3.0, 0.0, {}, "on_track"),  # results where none were planned
        ("cpo", 250_000, 300_000, {}, "on_track"),  # a pace: the bands decide
        ("cpo", 330_000, 300_000, {}, "at_risk"),  # 300 / 330 = 0.91
        ("spend", 1_200.0, 1_000.0, {}, "overspend"),
    ],
)
def test_status_of(
    name: str, actual: float | None, expected: float | None, volumes: dict, status: str
) -> None:
    assert pacing.status_of(name, actual, expected, BANDS, volumes) == status


def test_flight_to_date_cpo_with_spend_and_no_orders_is_off_track_with_an_alert() -> None:
    plan = make_plan(MON, 10, {"spend": 10_000, "orders": 10, "cpo": 1_000})
    targets = daily_targets(plan)
    actuals = pl.DataFrame(
        {"date": [MON, MON + timedelta(1)], "spend": [1_000.0, 1_000.0], "orders": [0.0, 0.0]}
    ).with_columns(pl.lit(None, dtype=pl.Float64).alias(v) for v in VOLUMES[2:] if v != "orders")
    rows = {k.name: k for k in pacing.pace_kpis(plan, actuals, targets, MON + timedelta(1))}
    assert (rows["cpo"].pace, rows["cpo"].status) == (None, "off_track")
    assert rows["orders"].status == "off_track"  # pace 0 / 2
    (cpo_alert,) = [a for a in status_alerts(list(rows.values()), MON) if a.kpi == "cpo"]
    assert cpo_alert.message == "CPO is off track: money spent and no orders to date"
    # A Vietnamese report says it in Vietnamese, not "đạt — kế hoạch".
    from perfmkt.format import Formatter
    from perfmkt.render.documents import alert_words

    fmt = Formatter("VND", "vi_VN")
    message, _ = alert_words(cpo_alert, "vi", fmt, {}, lambda name: name.upper())
    assert message == "CPO chậm tiến độ: đã chi tiền nhưng chưa có kết quả nào đến nay"


def frame(days: list[date], **columns: list[float | None]) -> pl.DataFrame:
    data: dict[str, object] = {"date": days}
    for v in VOLUMES:
        data[v] = columns.get(v, [None] * len(days))
    return pl.DataFrame(data, schema={"date": pl.Date, **{v: pl.Float64 for v in VOLUMES}})


def test_daily_statuses_spend_on_a_zero_day_and_spend_without_orders() -> None:
    """Mon..Sun with Sunday weighted 0: 600 spend is 100 a day Mon..Sat, 0 on Sunday; 6 orders,
    CPO 100. Wednesday spends 100 with no order; Sunday spends 100 where none was planned."""
    plan = make_plan(
        MON,
        7,
        {"spend": 600, "orders": 6, "cpo": 100},
        shape={"weekday_weights": {"sun": 0}},
    )
    days = [MON + timedelta(i) for i in range(7)]
    actuals = frame(days, spend=[100.0] * 7, orders=[1, 1, 0, 1, 1, 1, 0])
    table = pacing.daily_table(plan, actuals, daily_targets(plan))
    assert table["spend_target"].to_list() == pytest.approx([100] * 6 + [0])
    assert table["cpo_status"].to_list()[2] == "off_track"  # was "no_data"
    assert table["spend_status"].to_list()[6] == "overspend"  # was "no_data"
    assert table["cpo_status"].to_list()[6] == "no_data"  # no CPO target on a 0/0 day
    assert table["cpo_status"].to_list()[0] == "on_track"


def test_weekly_statuses_in_a_week_planned_at_zero_spend() -> None:
    """W02 plans spend 0 (W03 gets all 1,400); W02 spends 50 a day and sells nothing."""
    plan = make_plan(
        MON,
        14,
        {"spend": 1_400, "orders": 14, "cpo": 100},
        [{"week": "2026-W02", "spend": 0}],
    )
    days = [MON + timedelta(i) for i in range(7)]
    actuals = frame(days, spend=[50.0] * 7, orders=[0.0] * 7)
    (week,) = pacing.weekly_table(plan, actuals, daily_targets(plan), days[-1]).iter_rows(
        named=True
    )
    assert (week["spend_expected"], week["spend"], week["spend_pace"]) == (0, 350, None)
    assert week["spend_status"] == "overspend"
    assert (week["orders_expected"], week["orders_status"]) == (pytest.approx(7), "off_track")
    assert week["cpo_status"] == "off_track"


# --- 4. the lead funnel is the CRM's ----------------------------------------------------------


def test_funnel_rates_come_from_the_crm_whatever_truth_says() -> None:
    """Platforms claim 10 leads a day; the CRM has 4, 2 of them qualified: lead → MQL is
    2 / 4 = 50 % with truth from platforms or from the shop, never 2 / 10."""
    days = [MON, MON + timedelta(1)]
    actuals = frame(days, spend=[100.0, 100.0], leads=[10.0, 10.0])
    crm = pl.DataFrame(
        {
            "date": [d for d in days for _ in range(4)],
            "lead_id": [str(i) for i in range(8)],
            "source": ["x"] * 8,
            "stage": ["lead", "mql", "sal", "lead"] * 2,
        }
    )
    orders = pl.DataFrame(schema=ORDERS_SCHEMA)
    shop = pacing.shop_daily(orders, crm, days[0], days[-1])
    for truth, leads in (({}, 20.0), ({"leads": "platforms"}, 20.0), ({"leads": "shop"}, 8.0)):
        merged = pacing.with_truth(actuals, shop, truth)
        sums = merged.select(pl.col(v).sum() for v in ("leads", "crm_leads", "qualified_leads"))
        assert sums.row(0) == (leads, 8.0, 4.0)
        rates = merged.sum().select(CATALOG["lead_to_mql"].expr(), CATALOG["cpql"].expr())
        assert rates.row(0) == (0.5, 50.0)  # 200 spend / 4 qualified leads


def test_leadgen_report_funnel_from_the_crm_with_platform_leads(tmp_path: Path) -> None:
    """The leadgen example with truth: {leads: platforms}: leads are the platforms' 735, the
    lead → MQL rate the CRM's 192 qualified / 664 leads (it was 192 / 735)."""
    text = (ROOT / "configs" / "leadgen.yaml").read_text(encoding="utf-8")
    text = text.replace("truth: {leads: shop}", "truth: {leads: platforms}")
    text = text.replace("../sample_data", str(ROOT / "sample_data"))
    path = plan_file(tmp_path, text)
    result = json.loads(run_cli(["report", path, "--as-of", "2026-04-05", "-f", "json"])[0])
    kpis = {k["name"]: k["actual_to_date"] for k in result["kpis"]}
    tracked = {t["name"]: t["actual_to_date"] for t in result["tracked"]}
    crm_leads = result["notes"]["truth"]["leads"]["shop"]
    assert (kpis["leads"], crm_leads, kpis["qualified_leads"]) == (735, 664, 192)
    assert tracked["lead_to_mql"] == pytest.approx(192 / 664, rel=1e-5)  # 6 significant digits


# --- 5. one clear line for a broken plan file -------------------------------------------------


def where(tmp_path: Path, line: int) -> str:
    return f"{tmp_path / 'plan.yaml'}:{line}: "


def test_duplicate_keys(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN.replace("  orders: 100\n", "  orders: 100\n  orders: 200\n"))
    assert str(err) == where(tmp_path, 10) + (
        "kpis: key 'orders' is written twice (first on line 9); YAML would silently keep only "
        "the last"
    )
    err = problem(tmp_path, PLAN + "kpis: {spend: 1}\n")
    assert str(err).startswith(where(tmp_path, 14) + "key 'kpis' is written twice")
    flow = PLAN.replace("{start: 2026-03-02,", "{start: 2026-03-02, start: 2026-03-03,")
    assert "flight: key 'start' is written twice (first on line 4)" in str(problem(tmp_path, flow))
    # a merge key is an override on purpose, not a duplicate
    merged = PLAN + "channels:\n  a: &d {platform: meta}\n  b: {<<: *d, campaigns: x}\n"
    assert load_plan(plan_file(tmp_path, merged)).channels["b"].platform == "meta"


def test_not_utf8(tmp_path: Path) -> None:
    raw = PLAN.replace("Spring", "Xuân").encode("utf-8").replace("â".encode(), b"\xe2")
    err = problem(tmp_path, raw)
    assert str(err) == where(tmp_path, 2) + (
        "not UTF-8: byte 0xE2 at offset 27 (column 13) (save the plan as UTF-8)"
    )
    err = problem(tmp_path, PLAN.encode("utf-16"))
    assert str(err) == where(tmp_path, 1) + "the plan is UTF-16, not UTF-8 (save it as UTF-8)"
    assert load_plan(plan_file(tmp_path, "\ufeff" + PLAN)).client == "Shop X"  # BOM is fine


ZERO_RATIOS = [
    (("  orders: 100", "  orders: 100\n  cpo: 0"), 10, "kpis.cpo: a target must be greater"),
    (("  orders: 100", "  orders: 100\n  roas: 0"), 10, "kpis.roas: a target must be greater"),
    (("    cpo: 300_000", "    cpo: 0"), 13, "timeline[0].cpo: a ratio target must be"),
    (("    cpo: 300_000", "    roas: 0"), 13, "timeline[0].roas: a ratio target must be"),
]


def test_zero_ratio_in_channel_kpis(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN + "channels:\n  g: {platform: google_ads, kpis: {cpo: 0}}\n")
    assert str(err).startswith(where(tmp_path, 15) + "channels.g.kpis.cpo: a target must be")


INF_AND_NAN = [
    (("spend: 10_000_000", "spend: .inf"), 8, "kpis.spend: .inf is not a number a plan"),
    (("orders: 20", "orders: .nan"), 12, "timeline[0].orders: .nan is not a number"),
    (("cpo: 300_000", "cpo: -.Inf"), 13, "timeline[0].cpo: -.Inf is not a number"),
    (("orders: 100", "orders: 'nan'"), 9, "kpis.orders: Input should be a valid number"),
    (("orders: 100", "orders: yes"), 9, "kpis.orders: Input should be a valid number"),  # not 1
    (("orders: 100", "orders: '100'"), 9, "kpis.orders: Input should be a valid number"),
    (("orders: 20", "orders: 'inf'"), 12, "timeline[0].orders: expected a number, got 'inf'"),
]


def test_inf_in_other_numbers(tmp_path: Path) -> None:
    for extra, key in (
        ("margin: .inf\n", "margin"),
        ("costs: {fixed: .nan}\n", "costs.fixed"),
        ("fx: {USD: .inf}\n", "fx.USD"),
        ("shape: {ramp: [1, .inf]}\n", "shape.ramp[1]"),
    ):
        err = problem(tmp_path, PLAN + extra)
        assert str(err).startswith(where(tmp_path, 14) + key + ": "), str(err)


BAD_DATES = [
    (
        ("start: 2026-03-02,", "start: 0026-03-02,"),
        4,
        "flight.start: 0026-03-02: year 0026 is not a plausible campaign year (did you mean 2026?)",
    ),
    (
        ("end: 2026-03-15}", "end: '0026-03-15'}"),
        4,
        "flight.end: 0026-03-15: year 0026 is not a plausible campaign year",
    ),
    (
        ("week: 2026-W10", "week: 0026-W10"),
        11,
        "timeline[0]: week 0026-W10: year 0026 is not a plausible campaign year",
    ),
    (
        ("week: 2026-W10", "start: 2026-03-02\n    end: 2206-03-08"),
        12,
        "timeline[0].end: 2206-03-08: year 2206 is not a plausible campaign year",
    ),
    (
        ("week: 2026-W10", "start: 2026-02-30\n    end: 2026-03-08"),
        11,
        "timeline[0].start: 2026-02-30 is not a date: day is out of range for month",
    ),
    (("orders: 100", "orders: 100\nnote: 0026-01-01"), 10, "note: 0026-01-01: year 0026"),
]


@pytest.mark.parametrize(("edit", "line", "message"), [*ZERO_RATIOS, *INF_AND_NAN, *BAD_DATES])
def test_a_bad_value_is_refused_on_its_line(
    tmp_path: Path, edit: tuple[str, str], line: int, message: str
) -> None:
    err = problem(tmp_path, PLAN.replace(*edit))
    assert str(err).startswith(where(tmp_path, line) + message), str(err)


def test_values_yaml_cannot_construct_have_their_line(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN + "x_time: 2026-01-05 25:00:00\n")
    assert str(err) == where(tmp_path, 14) + (
        "x_time: 2026-01-05 25:00:00 is not a date: hour must be in 0..23"
    )
    err = problem(tmp_path, PLAN + "x_nul: \0\n")
    assert str(err) == where(tmp_path, 14) + (
        "not valid YAML: control character U+0000 is not allowed"
    )
    err = problem(tmp_path, PLAN.replace("orders: 100", "orders: 1" + "0" * 5_000))
    assert str(err) == where(tmp_path, 9) + (
        "kpis.orders: a number 5,001 characters long is not one a plan can use"
    )


def bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


TOO_MANY_VALUES = (
    "the plan has more than 100,000 YAML values (an alias *name counting as what it repeats): "
    "not a plan"
)


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    err = problem(tmp_path, PLAN + bomb(10))  # 9^10 ≈ 3.5 billion nodes once expanded
    assert time.perf_counter() - started < 2
    assert str(err) == where(tmp_path, 19) + TOO_MANY_VALUES
    shared = PLAN + "channels:\n  a: &d {platform: meta}\n  b: *d\n"  # an alias is fine
    assert load_plan(plan_file(tmp_path, shared)).channels["b"].platform == "meta"


def test_recursive_alias_and_deep_nesting(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN + "x_loop: &r [1, *r]\n")
    assert str(err) == where(tmp_path, 14) + (
        "an alias refers to the mapping or list it is in (a recursive alias)"
    )
    started = time.perf_counter()
    err = problem(tmp_path, PLAN + "x_deep: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert time.perf_counter() - started < 5
    assert str(err).startswith(f"{tmp_path / 'plan.yaml'}")


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN + "# many\n" * 300_000)  # 2.1 MB
    # PLAN's 225 bytes (13 lines) and 142,825 lines of 7 bytes fill the 1,000,000 exactly: the
    # first byte over the limit starts line 13 + 142,825 + 1
    assert str(err) == where(tmp_path, 142_839) + (
        "the file is larger than 1,000,000 bytes (the limit falls on this line): not a plan"
    )
    err = problem(tmp_path, PLAN + "x_big: [" + "1," * 200_000 + "]\n")  # 400 KB, no alias
    assert str(err) == where(tmp_path, 14) + TOO_MANY_VALUES


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("^TSTH(?=_)", "look-around, including look-ahead and look-behind, is not supported"),
        (r"(a)\1", "backreferences are not supported"),
        ("([", "unclosed character class"),
    ],
)
@pytest.mark.parametrize("key", ["campaigns", "order_source"])
def test_regexes_polars_cannot_run(tmp_path: Path, pattern: str, reason: str, key: str) -> None:
    text = PLAN + f"channels:\n  g: {{platform: google_ads, {key}: '{pattern}'}}\n"
    err = problem(tmp_path, text)
    assert str(err) == where(tmp_path, 15) + (
        f"channels.g.{key}: not a valid regular expression: {reason} (polars runs it, with "
        "Rust's regex syntax)"
    )


def test_rust_regex_syntax_python_lacks_is_accepted(tmp_path: Path) -> None:
    text = PLAN + "channels:\n  g: {platform: google_ads, campaigns: '^\\pL+_(?<n>x)'}\n"
    assert load_plan(plan_file(tmp_path, text)).channels["g"].campaigns == "^\\pL+_(?<n>x)"


REGEX_TOKENS = [
    *"ab_ é.^$|*+?()[]{}-&~:=!<>,09",
    *[f"\\{c}" for c in "dwsbBZAz1.|-_<>=#/pL"],
    *["(?:", "(?=", "(?!", "(?<n>", "(?i)", "*?", "+?", "*+", "[^", "[^]", "[a-z]", "[[:alpha:]]"],
    *["\\^", "\\]", "--", "&&"],
]


@settings(max_examples=3_000, deadline=None)
@given(st.lists(st.sampled_from(REGEX_TOKENS), min_size=1, max_size=8).map("".join))
def test_patterns_checked_without_polars_are_ones_polars_runs(pattern: str) -> None:
    """The shared syntax load_plan checks with Python's re alone: polars must accept every
    pattern that check lets through (the others go to polars itself)."""
    from perfmkt.plan import _PLAIN_REGEX

    if not _PLAIN_REGEX.fullmatch(pattern):
        return
    try:
        re.compile(pattern)
    except re.error:
        return
    pl.Series([""]).str.contains(pattern)  # raises if polars refuses it


def test_validating_a_plan_does_not_load_polars() -> None:
    code = (
        "import sys; from pathlib import Path; from perfmkt.plan import load_plan; "
        "load_plan(Path('configs/demo.yaml')); print('polars' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", PNG),
        ("logo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 16),
        ("logo.gif", b"GIF89a" + b"\0" * 16),
        ("logo.webp", b"RIFF\0\0\0\0WEBPVP8 "),
        ("logo.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("brand/mark.img", b"  <svg viewBox='0 0 1 1'/>"),  # by its bytes, not its name
    ],
)
def test_logo_images_are_accepted(tmp_path: Path, name: str, content: bytes) -> None:
    logo = tmp_path / name
    logo.parent.mkdir(exist_ok=True)
    logo.write_bytes(content)
    path = plan_file(tmp_path, PLAN + f"branding: {{logo: {name}}}\n")
    assert load_plan(path).branding.logo == name


def test_logo_that_is_not_a_small_image(tmp_path: Path) -> None:
    text = PLAN + "branding:\n  agency: A\n  logo: logo.png\n"
    err = problem(tmp_path, text)
    assert str(err) == where(tmp_path, 16) + (
        f"branding.logo: cannot read the logo {tmp_path / 'logo.png'}: No such file or directory"
    )
    (tmp_path / "logo.png").write_text("<html>not an image</html>")
    err = problem(tmp_path, text)
    assert str(err) == where(tmp_path, 16) + (
        "branding.logo: 'logo.png' is not a PNG, JPEG, GIF, WebP or SVG image"
    )
    (tmp_path / "logo.png").write_bytes(PNG + b"\0" * 2_000_000)
    err = problem(tmp_path, text)
    assert str(err) == where(tmp_path, 16) + (
        "branding.logo: 'logo.png' is 2,000,040 bytes, more than the 2,000,000 a logo may have"
    )
    (tmp_path / "logo.png").unlink()
    (tmp_path / "logo.png").mkdir()
    assert "is not a file" in str(problem(tmp_path, text))


def test_templates_must_be_a_folder(tmp_path: Path) -> None:
    err = problem(tmp_path, PLAN + "templates: brand\n")
    assert str(err) == where(tmp_path, 14) + f"templates: 'brand' is not a folder ({tmp_path})"
    (tmp_path / "brand").mkdir()
    assert load_plan(plan_file(tmp_path, PLAN + "templates: brand\n")).templates == "brand"


BROKEN_PLANS = {
    "empty file": (b"", 1, "a plan is a YAML mapping (client:, campaign:, flight:, …)"),
    "a list at the top": (b"- client: x\n", 1, "a plan is a YAML mapping"),
    "kpis: 5": (
        PLAN.replace("kpis:\n  spend: 10_000_000\n  orders: 100\n", "kpis: 5\n"),
        7,
        "kpis: Input should be a valid dictionary",
    ),
    "flight: {start: x}": (
        PLAN.replace("{start: 2026-03-02, end: 2026-03-15}", "{start: x}"),
        4,
        "flight.start: Input should be a valid date",
    ),
    "week 99": (
        PLAN.replace("2026-W10", "2026-W99"),
        11,
        "timeline[0]: week '2026-W99' does not exist",
    ),
    "a flight week past any date": (
        PLAN.replace("week: 2026-W10", "flight_week: 99999999999"),
        11,
        "timeline[0].flight_week: Input should be less than or equal to 5300",
    ),
    "deep nesting": (PLAN + "x: " + "[" * 50_000 + "]" * 50_000 + "\n", 14, "not valid YAML"),
    "an alias bomb": (PLAN + bomb(10), 19, TOO_MANY_VALUES),
    "2 MB": (PLAN + "#" * 2_000_000 + "\n", 14, "the file is larger than 1,000,000 bytes"),
    "a tab": (PLAN.replace("  spend", "\tspend"), 8, "not valid YAML"),
    "a BOM and a typo": (
        "\ufeff" + PLAN.replace("  orders: 100", "  ordrs: 100"),
        9,
        "kpis.ordrs: unknown KPI 'ordrs' (did you mean 'orders'?)",
    ),
    "CRLF": (
        PLAN.replace("orders: 100", "orders: x").replace("\n", "\r\n"),
        9,
        "kpis.orders: Input should be a valid number",
    ),
    "a date as a key": (PLAN + "2026-01-01: x\n", 14, "key '2026-01-01' is a date, not a name"),
    "a number as a key": (
        PLAN.replace("kpis:\n", "kpis:\n  1: 5\n"),
        8,
        "kpis: key '1' is a number, not a name",
    ),
}


@pytest.mark.parametrize("command", ["validate", "report"])
@pytest.mark.parametrize(("text", "line", "message"), BROKEN_PLANS.values(), ids=BROKEN_PLANS)
def test_cli_gives_one_line_and_exit_2(
    tmp_path: Path, command: str, text: str | bytes, line: int, message: str
) -> None:
    path = plan_file(tmp_path, text)
    _, stderr = run_cli([command, path], expect=2)
    assert stderr.startswith(f"perfmkt: error: {path}:{line}: {message}"), stderr
    lines = stderr.splitlines()  # validate lists every problem, each on its own line
    assert len(lines) == 1 or command == "validate"
    assert all(ln.startswith(f"perfmkt: error: {path}:") for ln in lines), stderr


def test_a_source_outside_the_plan_folder_is_one_line(tmp_path: Path) -> None:
    """../../etc/passwd is read like any export, and refused as one: no traceback, no content."""
    text = PLAN.replace("exports/*.csv", "../" * 40 + "etc/passwd")
    path = plan_file(tmp_path, text)
    for command in ("validate", "report"):
        _, stderr = run_cli([command, path], expect=2)
        assert stderr.startswith("perfmkt: error: ") and stderr.count("\n") == 1
        assert "root:" not in stderr and "unexpected" not in stderr


# --- 6. resolve_sources(warnings=) ------------------------------------------------------------


SOURCES = PLAN.replace(
    "  - path: exports/*.csv\n", "  - path: exports/*.csv\n  - path: meta/*.csv\n    kind: ads\n"
)


def test_a_glob_matching_nothing_is_a_warning_when_asked(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("x")
    path = plan_file(tmp_path, SOURCES)
    plan = load_plan(path)
    warnings: list[str] = []
    files = resolve_sources(plan, path, warnings=warnings)
    assert [f.name for f, _ in files] == ["a.csv"]
    assert warnings == [
        f"{path}:7: sources[1].path: 'meta/*.csv' matches no file (looked in {tmp_path})"
    ]
    with pytest.raises(PlanError) as caught:  # without a list: an error, as before
        resolve_sources(plan, path)
    assert str(caught.value) == warnings[0]


def test_no_source_matching_is_still_an_error(tmp_path: Path) -> None:
    path = plan_file(tmp_path, SOURCES)
    warnings: list[str] = []
    with pytest.raises(PlanError) as caught:
        resolve_sources(load_plan(path), path, warnings=warnings)
    assert str(caught.value) == (
        f"{path}:6: sources[0].path: 'exports/*.csv' matches no file (looked in {tmp_path})"
    )
    assert len(caught.value.problems) == 2 and warnings == []
