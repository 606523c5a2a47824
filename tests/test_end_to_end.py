"""The small plan, end to end through the CLI, against numbers computed by hand.

Flight 2–11 Mar 2026 (10 days), as of 5 Mar (4 days elapsed, 6 remaining).
Targets: 2–3 Mar carry spend 1,000,000 / orders 10 / revenue 3,000,000; the other 8 days
share the rest: spend 1,125,000, orders 11.25, revenue 3,375,000 a day.
Expected to date: spend 1,000,000 + 2 × 1,125,000 = 3,250,000; orders 10 + 22.5 = 32.5;
revenue 3,000,000 + 6,750,000 = 9,750,000.
Actuals (claimed rows; Google's 4 Mar comes from the newer re-download, whose campaign was
renamed; Meta's account-total row, its blank purchases and 'Page likes' are not counted):
  Google  spend 300k+250k+600k+550k = 1,700,000  orders 3+2+6+9 = 20  revenue 4,800,000
  Meta    spend 200k+250k+500k+600k = 1,550,000  orders 2+3+0+4 = 9   revenue 2,900,000
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import pace_small, run_cli

APPROX = {"rel": 1e-5}  # JSON rounds ratios to 6 significant digits


@pytest.fixture
def result(small_plan: Path) -> dict:
    stdout, _ = pace_small(small_plan, "--format", "json")
    return json.loads(stdout)


def test_header_and_flight(result: dict) -> None:
    assert set(result) >= {
        "client",
        "campaign",
        "currency",
        "as_of",
        "flight",
        "kpis",
        "daily",
        "weekly",
        "channels",
        "alerts",
        "notes",
    }
    assert result["as_of"] == "2026-03-05"
    assert result["flight"] == {
        "start": "2026-03-02",
        "end": "2026-03-11",
        "days_total": 10,
        "days_elapsed": 4,
        "days_remaining": 6,
    }


def test_kpi_pacing_matches_hand_computation(result: dict) -> None:
    kpis = {k["name"]: k for k in result["kpis"]}
    expected = {
        # name: (expected_to_date, actual, pace, projection, required_daily, status)
        "spend": (3_250_000, 3_250_000, 1.0, 10_000_000, 6_750_000 / 6, "on_track"),
        "orders": (32.5, 29, 29 / 32.5, 29 + 67.5 * 29 / 32.5, 71 / 6, "at_risk"),
        "revenue": (
            9_750_000,
            7_700_000,
            7.7 / 9.75,
            7_700_000 + 20_250_000 * 7.7 / 9.75,
            22_300_000 / 6,
            "off_track",
        ),
        # CPO = spend / orders; lower is better so pace = target / actual.
        "cpo": (
            100_000,
            3_250_000 / 29,
            100_000 / (3_250_000 / 29),
            10_000_000 / (29 + 67.5 * 29 / 32.5),
            (100_000 * 100 - 3_250_000) / (100 - 29),
            "at_risk",
        ),
        # ROAS = revenue / spend; needed on the remaining 6,750,000 of budget.
        "roas": (
            3.0,
            7.7 / 3.25,
            (7.7 / 3.25) / 3.0,
            (7.7 + 20.25 * 7.7 / 9.75) / 10,
            (3.0 * 10_000_000 - 7_700_000) / 6_750_000,
            "off_track",
        ),
    }
    for name, (exp, act, pace, proj, req, status) in expected.items():
        k = kpis[name]
        assert k["expected_to_date"] == pytest.approx(exp, **APPROX), name
        assert k["actual_to_date"] == pytest.approx(act, **APPROX), name
        assert k["pace"] == pytest.approx(pace, **APPROX), name
        assert k["projection"] == pytest.approx(proj, **APPROX), name
        assert k["required_daily"] == pytest.approx(req, **APPROX), name
        assert k["status"] == status, name
    assert [a["kpi"] for a in result["alerts"]] == ["revenue", "roas"]
    # projection against the flight target, in the same direction as pace
    assert kpis["orders"]["projection_pace"] == pytest.approx((29 + 67.5 * 29 / 32.5) / 100)
    assert kpis["cpo"]["projection_pace"] == pytest.approx(
        100_000 / (10_000_000 / (29 + 67.5 * 29 / 32.5))
    )
    tracked = {t["name"]: t["actual_to_date"] for t in result["tracked"]}
    assert tracked["aov"] == pytest.approx(7_700_000 / 29)  # revenue / orders
    # spend / clicks, money in the currency's minor unit (VND has none)
    assert tracked["cpc"] == round(3_250_000 / (1_130 + 390))


def test_weekly_daily_and_channels(result: dict) -> None:
    (week,) = result["weekly"]  # as of Thursday: only ISO week 10 has begun
    assert (week["week"], week["days"], week["days_elapsed"]) == ("2026-W10", 7, 4)
    assert week["target"]["spend"] == pytest.approx(1_000_000 + 5 * 1_125_000)
    assert week["expected_to_date"]["orders"] == pytest.approx(32.5)
    assert week["actual"]["orders"] == 29
    assert week["pace"]["spend"] == pytest.approx(1.0)

    days = {d["date"]: d for d in result["daily"]}
    assert list(days) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert days["2026-03-04"]["actual"]["spend"] == 600_000 + 500_000  # re-download, no partial
    assert days["2026-03-04"]["actual"]["orders"] == 6  # Meta's blank purchases are 0, not NaN
    assert days["2026-03-04"]["target"]["spend"] == pytest.approx(1_125_000)
    assert days["2026-03-02"]["target"]["orders"] == pytest.approx(5)

    google, meta = result["channels"]
    assert google["name"] == "google" and meta["name"] == "meta"
    assert google["actual"]["spend"] == 1_700_000
    assert google["actual"]["orders"] == 20
    assert google["actual"]["cpo"] == pytest.approx(85_000)
    assert meta["actual"]["revenue"] == 2_900_000
    assert google["spend_share"] == pytest.approx(1_700_000 / 3_250_000)


def test_notes_say_what_was_read_and_left_out(result: dict) -> None:
    notes = result["notes"]
    assert len(notes["files"]) == 4
    # Shop orders 2–5 Mar in Asia/Ho_Chi_Minh: #1001 (530,000), #1002 (placed 1 Mar 18:30
    # -05:00 = 2 Mar 06:30 in Hanoi, 1,200,000), #1005 (800,000). #1003 refunded and #1004
    # cancelled are placed, not net; #1006 (5 Mar 17:10 UTC = 6 Mar in Hanoi) is after the
    # as-of date; #1007 is before the flight.
    orders = notes["truth"]["orders"]
    assert {k: orders[k] for k in ("shop", "platforms", "platforms_per_shop")} == {
        "shop": 3,
        "platforms": 29,
        "platforms_per_shop": pytest.approx(29 / 3),
    }
    assert (orders["placed"], orders["net"]) == (5, 3)
    assert notes["truth"]["revenue"]["shop"] == 530_000 + 1_200_000 + 800_000
    (overlap,) = notes["overlaps"]
    assert overlap["file"].endswith("search_2026-03-02_2026-03-04.csv")
    assert overlap["replaced_by"].endswith("search_2026-03-04_2026-03-05.csv")
    assert (overlap["first_day"], overlap["days"], overlap["rows_dropped"]) == (
        "2026-03-04",
        1,
        2,
    )
    unclaimed = {(c["platform"], c["campaign"]) for c in notes["unclaimed_campaigns"]}
    assert unclaimed == {("google_ads", "OTHER_Brand"), ("meta", "Page likes")}
    reasons = {s["reason"] for s in notes["rows_skipped"]}
    assert any("totals" in r for r in reasons)
    assert any("account totals" in r for r in reasons)
    assert notes["kpi_sources"]["orders"] == ["google_ads: Conversions", "meta: Purchases"]


def test_overlap_not_decided_by_modification_time(small_plan: Path) -> None:
    """A file touched later (a copy, a re-save) does not become the newer download: the one
    reaching further (to 5 Mar) still supplies 4 Mar, and the data notes say why."""
    from tests.conftest import touch

    google = small_plan.parent / "exports" / "google"
    touch(google / "search_2026-03-02_2026-03-04.csv", "2026-03-07T09:00:00")
    stdout, _ = pace_small(small_plan, "-f", "json")
    result = json.loads(stdout)
    days = {d["date"]: d for d in result["daily"]}
    assert days["2026-03-04"]["actual"]["spend"] == 600_000 + 500_000
    assert days["2026-03-05"]["actual"]["spend"] == 550_000 + 600_000
    (overlap,) = result["notes"]["overlaps"]
    assert overlap["replaced_by"].endswith("search_2026-03-04_2026-03-05.csv")
    assert overlap["reason"] == "covers up to 2026-03-05, later than 2026-03-04"


def test_json_to_file_and_terminal_view(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "pacing.json"
    stdout, _ = pace_small(small_plan, "-f", "json", "-o", out)
    assert stdout == ""
    assert json.loads(out.read_text())["as_of"] == "2026-03-05"
    assert [p.name for p in out.parent.iterdir()] == ["pacing.json"]  # no temp file left

    stdout, _ = pace_small(small_plan, "--days", "2")
    assert "Shop X — Spring sale" in stdout
    assert "3.250.000\u00a0₫" in stdout  # spend to date, Vietnamese money format (Babel)
    # statuses in the plan's language (Vietnamese: VND, no locale: set)
    assert "Có rủi ro" in stdout and "Chậm tiến độ" in stdout and "Đúng tiến độ" in stdout
    assert "04/03/2026" in stdout and "03/03/2026" not in stdout  # --days 2
    assert "OTHER_Brand" in stdout  # the unclaimed campaign is named in the data notes


def test_week_over_week_by_hand(small_plan: Path) -> None:
    """As of Tuesday 10 Mar: this week is 9-10 Mar (no data: 0), last week's same days are
    2-3 Mar: spend 300,000 + 250,000 (Google) + 200,000 + 250,000 (Meta) = 1,000,000."""
    stdout, _ = run_cli(["report", small_plan, "--as-of", "2026-03-10", "-f", "json"])
    wow = json.loads(stdout)["week_over_week"]
    assert wow["this_week"] == {"start": "2026-03-09", "end": "2026-03-10"}
    assert wow["last_week"] == {"start": "2026-03-02", "end": "2026-03-03"}
    spend = next(k for k in wow["kpis"] if k["name"] == "spend")
    assert spend["last_week"] == pytest.approx(1_000_000)
    assert spend["this_week"] == 0 and spend["change"] == pytest.approx(-1.0)
    orders = next(k for k in wow["kpis"] if k["name"] == "orders")
    assert orders["last_week"] == 3 + 2 + 2 + 3
