"""Truth sources, channel targets, tightening bands, all-in cost, alert rules and
attribution checks, on the small hand-checked plan (see test_end_to_end.py for its numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

EXTRA = """
truth: {revenue: shop}
costs: {agency_fee: 0.1, vat: 0.1, fixed: 1_000_000}
status: {on_track: 0.95, at_risk: 0.85, early: {on_track: 0.80, at_risk: 0.60}}
alerts:
  - {kpi: spend, pace_above: 0.99, action: slow down}
  - {kpi: cpo, above_target_by: 0.2, days: 1, action: promo code}
  - {kpi: spend, anomaly_sd: 1.2, window_days: 3, action: check tracking}
"""
CHANNELS = """channels:
  google: {platform: google_ads, campaigns: "^SHOPX_", kpis: {spend: 6_000_000, orders: 60},
           order_source: "^web$"}
  meta: {platform: meta, campaigns: "^SHOPX", attribution: 1d_click}
"""


def report(plan: Path, as_of: str = "2026-03-05") -> dict:
    text = plan.read_text()
    start = text.index("channels:")
    end = text.index("kpis:")
    plan.write_text(text[:start] + CHANNELS + text[end:] + EXTRA)
    return json.loads(run_cli(["report", plan, "--as-of", as_of, "-f", "json"])[0])


def test_revenue_from_the_shop(small_plan: Path) -> None:
    result = report(small_plan)
    kpis = {k["name"]: k for k in result["kpis"]}
    # shop orders #1001 530,000 + #1002 1,200,000 + #1005 800,000 (see test_end_to_end)
    assert kpis["revenue"]["actual_to_date"] == 2_530_000
    assert kpis["revenue"]["pace"] == pytest.approx(2_530_000 / 9_750_000)
    assert kpis["roas"]["actual_to_date"] == pytest.approx(2.53 / 3.25)
    assert kpis["orders"]["actual_to_date"] == 29  # orders stay platform-reported
    assert result["notes"]["truth_sources"] == {"revenue": "shop_net"}


def test_tightening_bands(small_plan: Path) -> None:
    """Day 4 of 10, a third of the way from day 1 (early bands) to day 10 (final ones):
    on track from 0.80 + (0.95 - 0.80) / 3 = 0.85, at risk from 0.60 + (0.85 - 0.60) / 3 =
    0.683. Orders pace 29 / 32.5 = 0.892."""
    kpis = {k["name"]: k for k in report(small_plan)["kpis"]}
    assert kpis["orders"]["status"] == "on_track"  # at risk with the final bands
    assert kpis["revenue"]["status"] == "off_track"


def test_channel_targets_follow_the_plan_shape(small_plan: Path) -> None:
    google = next(c for c in report(small_plan)["channels"] if c["name"] == "google")
    kpis = {k["name"]: k for k in google["kpis"]}
    # 6,000,000 of 10,000,000: expected to date 0.6 × 3,250,000
    assert kpis["spend"]["expected_to_date"] == pytest.approx(1_950_000)
    assert kpis["spend"]["actual_to_date"] == 1_700_000
    assert kpis["spend"]["pace"] == pytest.approx(1_700_000 / 1_950_000)
    assert kpis["spend"]["status"] == "on_track"  # 0.872 ≥ 0.85 (tightening bands)
    assert kpis["orders"]["expected_to_date"] == pytest.approx(0.6 * 32.5)
    assert kpis["orders"]["actual_to_date"] == 20
    # the shop's orders from source "web": #1001 and #1002
    assert (google["truth"]["orders"], google["truth"]["revenue"]) == (2, 1_730_000)
    assert google["truth"]["leads"] is None  # no CRM export in this plan
    # truth: {revenue: shop}, so the channel's revenue is its shop revenue too
    assert google["actual"]["revenue"] == 1_730_000
    assert google["actual"]["orders"] == 20  # orders stay platform-reported


def test_all_in_cost(small_plan: Path) -> None:
    all_costs = report(small_plan)["costs"]
    costs = all_costs["to_date"]
    media, revenue = 3_250_000, 2_530_000
    fee, vat, fixed = 325_000, (3_250_000 + 325_000) * 0.1, 1_000_000 * 4 / 10
    all_in = media + fee + vat + fixed
    assert costs["all_in"] == pytest.approx(rel=1e-5, expected=all_in)
    assert costs["roi_media"] == pytest.approx(rel=1e-5, expected=(revenue - media) / media)
    assert costs["roi_all_in"] == pytest.approx(rel=1e-5, expected=(revenue - all_in) / all_in)
    assert costs["cir_all_in"] == pytest.approx(rel=1e-5, expected=all_in / revenue)
    # at the flight end: spend on plan (10,000,000); shop revenue projected in the plan's shape
    # from its recent efficiency, 2,530,000 + 20,250,000 × 2,530,000 / 9,750,000
    projected = all_costs["projection"]
    media_end, revenue_end = 10_000_000, 2_530_000 + 20_250_000 * 2_530_000 / 9_750_000
    all_in_end = media_end * 1.1 * 1.1 + 1_000_000
    assert projected["all_in"] == pytest.approx(rel=1e-5, expected=all_in_end)
    assert projected["roi_all_in"] == pytest.approx(
        rel=1e-5, expected=(revenue_end - all_in_end) / all_in_end
    )


def test_alert_rules_fire_with_numbers_and_actions(small_plan: Path) -> None:
    alerts = report(small_plan)["alerts"]
    fired = {(a["rule"], a["action"]) for a in alerts}
    assert ("spend pace above 99%", "slow down") in fired
    # spend by day 500k, 500k, 1.1M: mean 700k, sd 346,410; 5 Mar 1.15M is 1.3 sd above
    anomaly = next(a for a in alerts if a["action"] == "check tracking")
    assert "1.3 standard deviations above its 3-day mean of 700,000.00" in anomaly["message"]
    # a report shows it in its own number format: money as money, the day as a date
    md = run_cli(["report", small_plan, "--as-of", "2026-03-05", "--lang", "en", "-f", "md"])[0]
    assert (
        "Spend on 5 Mar 2026 is ₫1,150,000, 1.3 standard deviations above its 3-day mean of "
        "₫700,000" in md
    )
    # CPO on 5 Mar: 1,150,000 / 13 = 88,462, under its 100,000 target: no alert that day
    assert not any(a["action"] == "promo code" for a in alerts)
    assert len({a["rule"] for a in alerts}) == len(alerts)  # one alert per rule


def test_cpo_alert_on_the_day_it_holds(small_plan: Path) -> None:
    alerts = report(small_plan, as_of="2026-03-04")["alerts"]
    (promo,) = [a for a in alerts if a["action"] == "promo code"]
    # 4 Mar: spend 1,100,000 / 6 orders = 183,333 vs a 100,000 target: 83 % above
    assert "at most 83%: 183,333.33 vs 100,000.00" in promo["message"]
    assert promo["day"] == "2026-03-04"
    md = run_cli(["report", small_plan, "--as-of", "2026-03-04", "--lang", "en", "-f", "md"])[0]
    assert (
        "CPO above its daily target by more than 20% on each of the last 1 day(s) (at most 83%: "
        "₫183,333 vs ₫100,000)" in md
    )


def test_attribution_differing_from_the_plan_is_a_warning(small_plan: Path) -> None:
    warnings = report(small_plan)["notes"]["warnings"]
    assert any(
        "channel 'meta' expects attribution 1d_click" in w and "7-day click or 1-day view" in w
        for w in warnings
    )


def test_terminal_shows_the_new_sections(small_plan: Path) -> None:
    report(small_plan)
    stdout, _ = run_cli(["report", small_plan, "--as-of", "2026-03-05", "--lang", "en"])
    for text in (
        "Cost: media and all-in",
        "Channel pacing",
        "google · Spend",
        "slow down",
        "Revenue (shop, net)",
        "Shop orders",
    ):
        assert text in stdout, text


def test_alerts_in_a_vietnamese_report_say_it_in_vietnamese(small_plan: Path, tmp_path: Path):
    report(small_plan, as_of="2026-03-04")  # writes the alert rules into the plan
    out = tmp_path / "r.md"
    run_cli(["report", small_plan, "--as-of", "2026-03-04", "-f", "md", "-o", out])
    text = out.read_text()
    nbsp = "\u00a0"
    assert (
        f"CPO cao hơn mục tiêu ngày trên 20% trong 1 ngày liên tiếp (nhiều nhất 83%: "
        f"183.333{nbsp}₫ so với 100.000{nbsp}₫) — **Hành động: promo code**"
    ) in text
