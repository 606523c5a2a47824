"""The campaign breakdown: hand-computed small cases, the small plan through the CLI, and the
invariants that tie it to the KPI actuals (hypothesis)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt import campaigns as cp
from perfmkt import pacing
from perfmkt.schema import FACTS_SCHEMA
from tests.conftest import make_plan, pace_small

MON = date(2026, 3, 9)  # a Monday: the flight below starts a week earlier
START = MON - timedelta(days=7)
WINDOW = cp.Window(MON, MON + timedelta(days=1), START, START + timedelta(days=1))


def facts(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Claimed facts as ``build_report`` passes them: the unified schema plus ``channel``."""
    full = [
        {
            "platform": "google_ads",
            "account": "1",
            "campaign_id": None,
            "currency": "VND",
            "source_file": "x.csv",
            "row": i,
            **r,
        }
        for i, r in enumerate(rows)
    ]
    schema = {**FACTS_SCHEMA, "channel": pl.String()}
    return pl.DataFrame(full, schema=schema)


def day(n: int) -> date:
    return START + timedelta(days=n)


def ecommerce_plan() -> Any:
    return make_plan(
        START,
        14,
        {"spend": 10_000_000, "orders": 100, "revenue": 30_000_000, "cpo": 100, "roas": 3.0},
    )


def test_renamed_campaign_is_one_row_with_its_latest_name() -> None:
    # id 7 was "Sale" on day 0 and "Sale v2" from day 8; a later file without ids names
    # "Sale v2" on day 9, which has only id 7 elsewhere: one campaign, its latest name.
    used = facts(
        [
            {"date": day(0), "channel": "g", "campaign": "Sale", "campaign_id": "7",
             "spend": 100.0, "orders": 1.0},
            {"date": day(8), "channel": "g", "campaign": "Sale v2", "campaign_id": "7",
             "spend": 200.0, "orders": 2.0},
            {"date": day(9), "channel": "g", "campaign": "Sale v2", "spend": 50.0, "orders": 0.0},
            {"date": day(9), "channel": "g", "campaign": "Brand", "spend": 30.0, "orders": 3.0},
        ]
    )  # fmt: skip
    sums = cp.campaign_sums(used, ["spend", "orders"], WINDOW)
    by_name = {r["name"]: r for r in sums.iter_rows(named=True)}
    assert set(by_name) == {"Sale v2", "Brand"}
    sale = by_name["Sale v2"]
    assert (sale["spend"], sale["orders"]) == (350.0, 3.0)
    # this week = days 7–8 (Mon–Tue), last week = days 0–1
    assert (sale["spend_this"], sale["spend_last"]) == (200.0, 100.0)
    assert by_name["Brand"]["spend_last"] is None  # nothing that week: no value, not 0


def test_breakdown_rows_hand_computed() -> None:
    used = facts(
        [
            # A: last week 100 spend / 2 orders, this week 300 / 3, plus 600 / 1 mid-week
            {"date": day(0), "channel": "g", "campaign": "A", "spend": 100.0, "orders": 2.0,
             "revenue": 400.0},
            {"date": day(3), "channel": "g", "campaign": "A", "spend": 600.0, "orders": 1.0,
             "revenue": 200.0},
            {"date": day(7), "channel": "g", "campaign": "A", "spend": 300.0, "orders": 3.0,
             "revenue": 900.0},
            {"date": day(8), "channel": "m", "platform": "meta", "campaign": "B",
             "spend": 250.0, "orders": 0.0, "revenue": 0.0},
        ]
    )  # fmt: skip
    sums = cp.campaign_sums(used, ["spend", "orders", "revenue"], WINDOW)
    block = cp.breakdown(sums, "orders", "revenue", WINDOW, ("Others", "All"))
    a, b = block["rows"]
    assert a["name"] == "A" and a["channel"] == "g" and a["platform"] == "google_ads"
    assert a["spend"] == 1000.0
    assert a["spend_share"] == pytest.approx(1000 / 1250)
    assert a["result"] == 6.0
    assert a["cost_per_result"] == pytest.approx(1000 / 6)
    assert a["value"] == 1500.0
    assert a["roas"] == pytest.approx(1.5)
    assert a["change"]["spend"] == pytest.approx(300 / 100 - 1)
    assert a["change"]["result"] == pytest.approx(3 / 2 - 1)
    assert a["change"]["cost_per_result"] == pytest.approx((300 / 3) / (100 / 2) - 1)
    assert (a["others"], a["count"]) == (False, 1)
    # B: spend and no orders: no cost per result (not infinity), no base to compare with
    assert b["cost_per_result"] is None and b["roas"] == 0.0
    assert b["change"] == {"spend": None, "result": None, "cost_per_result": None}
    total = block["total"]
    assert (total["spend"], total["result"], total["value"], total["count"]) == (
        1250.0, 6.0, 1500.0, 2,
    )  # fmt: skip
    assert total["channel"] == "g, m" and total["platform"] == "google_ads, meta"
    assert total["cost_per_result"] == pytest.approx(1250 / 6)
    # both weeks, both campaigns: this week 300 + 250 on 3 orders, last week 100 on 2
    assert total["change"]["spend"] == pytest.approx(550 / 100 - 1)
    assert total["change"]["cost_per_result"] == pytest.approx((550 / 3) / (100 / 2) - 1)
    assert block["window"] == WINDOW.as_dict()
    assert block["result"] == "orders" and block["value"] == "revenue"


def test_others_row_sums_and_recomputes_ratios() -> None:
    # 12 campaigns: spend 1200, 1100, …, 100; the last two (200/4 and 100/1 orders) make
    # "others": cost per result 300 / 5 = 60, not the mean of 50 and 100.
    rows = [
        {"date": day(1), "channel": "g", "campaign": f"C{i:02}", "spend": 100.0 * (12 - i),
         "orders": 4.0 if i == 10 else 1.0}
        for i in range(12)
    ]  # fmt: skip
    sums = cp.campaign_sums(facts(rows), ["spend", "orders"], None)
    block = cp.breakdown(sums, "orders", None, None, ("Others", "All"))
    assert [r["name"] for r in block["rows"][:10]] == [f"C{i:02}" for i in range(10)]
    others = block["rows"][10]
    assert len(block["rows"]) == 11
    assert others["others"] is True and others["count"] == 2 and others["name"] == "Others"
    assert others["spend"] == 300.0 and others["result"] == 5.0
    assert others["cost_per_result"] == pytest.approx(60.0)
    assert others["spend_share"] == pytest.approx(300 / 7800)
    assert others["value"] is None and others["roas"] is None
    assert block["total"]["count"] == 12 and block["window"] is None


def test_drivers_hand_computed() -> None:
    # CPO target 100: X 500 − 100×3 = 200, Y 300 − 100×4 < 0 (left out), Z 150 − 100×1 = 50.
    # ROAS target 3: X 3×500 − 1000 = 500, Y 3×300 − 1200 < 0, Z 3×150 − 300 = 150.
    used = facts(
        [
            {"date": day(1), "channel": "g", "campaign": "X", "spend": 500.0, "orders": 3.0,
             "revenue": 1000.0},
            {"date": day(1), "channel": "g", "campaign": "Y", "spend": 300.0, "orders": 4.0,
             "revenue": 1200.0},
            {"date": day(1), "channel": "m", "campaign": "Z", "spend": 150.0, "orders": 1.0,
             "revenue": 300.0},
        ]
    )  # fmt: skip
    sums = cp.campaign_sums(used, ["spend", "orders", "revenue"], None)
    found = cp.drivers(sums, ecommerce_plan(), ["cpo", "roas"])
    got = [(d["kpi"], d["campaign"], d["channel"], d["excess"], d["share"]) for d in found]
    assert got == [
        ("cpo", "X", "g", 200.0, pytest.approx(0.8)),
        ("cpo", "Z", "m", 50.0, pytest.approx(0.2)),
        ("roas", "X", "g", 500.0, pytest.approx(500 / 650)),
        ("roas", "Z", "m", 150.0, pytest.approx(150 / 650)),
    ]
    assert cp.drivers(sums, ecommerce_plan(), ["cpo"], limit=1)[0]["share"] == pytest.approx(0.8)


def test_driver_kpis_are_off_plan_ratios_the_exports_carry() -> None:
    plan = make_plan(
        START, 14, {"spend": 1000, "orders": 10, "cpo": 100, "roas": 3.0, "cpql": 50,
                    "qualified_leads": 20}
    )  # fmt: skip
    statuses = {
        "spend": "off_track",
        "orders": "off_track",
        "cpo": "at_risk",
        "roas": "on_track",
        "cpql": "off_track",
        "qualified_leads": "off_track",
    }
    # spend/orders are volumes, ROAS is on plan, qualified leads come from the CRM only
    assert cp.driver_kpis(plan, statuses) == ["cpo"]


@pytest.mark.parametrize(
    ("objective", "kpis", "expected"),
    [
        ("ecommerce", {"spend": 1, "revenue": 5, "orders": 1}, "revenue"),  # plan order
        ("leadgen", {"spend": 1, "cpl": 1}, "leads"),  # what the cost ratio divides by
        ("branding", {"spend": 1, "video_views": 9}, "video_views"),
        ("branding", {"spend": 1}, "impressions"),  # the objective's natural result
        ("leadgen", {"spend": 1, "qualified_leads": 5}, "leads"),  # CRM-only: not a campaign's
    ],
)
def test_result_kpi(objective: str, kpis: dict[str, float], expected: str) -> None:
    plan = make_plan(START, 14, kpis, objective=objective)
    assert cp.result_kpi(plan) == expected


def test_value_kpi_only_when_the_plan_tracks_revenue() -> None:
    assert cp.value_kpi(make_plan(START, 14, {"spend": 1, "roas": 2.0})) == "revenue"
    branding = make_plan(START, 14, {"spend": 1}, objective="branding")
    assert cp.value_kpi(branding) is None


def test_no_value_when_no_export_carries_revenue() -> None:
    """The plan tracks revenue (ROAS), but the exports carry none: no value column, no ROAS;
    one row with revenue brings both back (ROAS 600 / 300 = 2 over the total)."""
    plan = ecommerce_plan()
    rows = [
        {"date": day(0), "channel": "g", "campaign": "A", "spend": 200.0, "orders": 2.0},
        {"date": day(1), "channel": "g", "campaign": "B", "spend": 100.0, "orders": 1.0},
    ]
    names = ("Others", "All", "(unnamed)")
    block, _ = cp.campaigns_block(facts(rows), plan, {}, None, names)
    assert (block["result"], block["value"]) == ("orders", None)
    assert all(r["value"] is None and r["roas"] is None for r in [*block["rows"], block["total"]])
    rows[0]["revenue"] = 600.0
    block, _ = cp.campaigns_block(facts(rows), plan, {}, None, names)
    assert block["value"] == "revenue"
    assert (block["total"]["value"], block["total"]["roas"]) == (600.0, 2.0)
    assert block["rows"][1]["roas"] is None  # B carries no revenue of its own


def test_small_plan_campaigns_in_json(small_plan: Path, tmp_path: Path) -> None:
    """tests/fixtures/small on 5 Mar, by hand from the exports (re-download: 4 Mar is the
    newer file's, where the Search campaign is named SHOPX_Search_v2; no ids to join them):
      meta  SHOPX | Prospecting | Sale  200k+250k+500k+600k = 1,550,000  orders 9  rev 2,900,000
      google SHOPX_Search_v2            600k+550k           = 1,150,000  orders 15 rev 3,400,000
      google SHOPX_Search               300k+250k           =   550,000  orders 5  rev 1,400,000
    """
    out = tmp_path / "r.json"
    pace_small(small_plan, "-f", "json", "-o", out)
    report = json.loads(out.read_text())
    block = report["campaigns"]
    got = [(r["name"], r["channel"], r["spend"], r["result"], r["value"]) for r in block["rows"]]
    assert got == [
        ("SHOPX | Prospecting | Sale", "meta", 1_550_000, 9, 2_900_000),
        ("SHOPX_Search_v2", "google", 1_150_000, 15, 3_400_000),
        ("SHOPX_Search", "google", 550_000, 5, 1_400_000),
    ]
    first = block["rows"][0]
    assert first["cost_per_result"] == round(1_550_000 / 9)  # VND: whole dong
    assert first["spend_share"] == round(1_550_000 / 3_250_000, 6)
    assert first["roas"] == round(2_900_000 / 1_550_000, 5)  # 6 significant digits
    # 5 Mar is a Thursday and the flight began on Monday: no week before to compare with
    assert block["window"] is None and first["change"]["spend"] is None
    kpis = {k["name"]: k for k in report["kpis"]}
    assert block["total"]["spend"] == kpis["spend"]["actual_to_date"] == 3_250_000
    assert block["total"]["result"] == kpis["orders"]["actual_to_date"] == 29
    assert block["total"]["value"] == kpis["revenue"]["actual_to_date"] == 7_700_000
    # CPO (at risk) and ROAS (off track), against their flight targets 100,000 and 3.0
    drivers = [(d["kpi"], d["campaign"], d["excess"], d["share"]) for d in block["drivers"]]
    assert drivers == [
        ("cpo", "SHOPX | Prospecting | Sale", 650_000, round(650 / 700, 6)),
        ("cpo", "SHOPX_Search", 50_000, round(50 / 700, 7)),
        ("roas", "SHOPX | Prospecting | Sale", 1_750_000, round(1750 / 2050, 6)),
        ("roas", "SHOPX_Search", 250_000, round(250 / 2050, 6)),
        ("roas", "SHOPX_Search_v2", 50_000, round(50 / 2050, 7)),
    ]
    assert block["note"] is None  # orders and revenue are the platforms' here too


def test_truth_from_the_shop_is_said(small_plan: Path, tmp_path: Path) -> None:
    text = small_plan.read_text() + "truth: {orders: shop, revenue: shop}\nlocale: en\n"
    small_plan.write_text(text)
    out = tmp_path / "r.json"
    pace_small(small_plan, "-f", "json", "-o", out)
    report = json.loads(out.read_text())
    block = report["campaigns"]
    assert block["total"]["result"] == 29  # what the platforms claim, not the shop's orders
    assert block["note"] == (
        "Campaign results are what the platforms claim; the report's orders and revenue come "
        "from the shop's own data."
    )


# -- invariants ---------------------------------------------------------------------------

CAMPAIGN = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["google", "meta"]),
        "campaign": st.sampled_from([f"C{i}" for i in range(14)]),
        "campaign_id": st.one_of(st.none(), st.sampled_from(["1", "2", "3"])),
        "offset": st.integers(0, 13),
        "spend": st.floats(0, 1e9, allow_nan=False),
        "orders": st.one_of(st.none(), st.integers(0, 500).map(float)),
        "revenue": st.floats(0, 1e10, allow_nan=False),
    }
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(CAMPAIGN, min_size=1, max_size=60))
def test_breakdown_adds_up_to_the_kpi_actuals(rows: list[dict[str, Any]]) -> None:
    used = facts(
        [{**{k: v for k, v in r.items() if k != "offset"}, "date": day(r["offset"])} for r in rows]
    )
    plan = ecommerce_plan()
    sums = cp.campaign_sums(used, ["spend", "orders", "revenue"], WINDOW)
    block = cp.breakdown(sums, "orders", "revenue", WINDOW, ("Others", "All"))
    actuals = pacing.daily_actuals(used.lazy(), START, day(13))
    spend = actuals["spend"].sum()
    assert sum(r["spend"] for r in block["rows"]) == pytest.approx(spend, rel=1e-9, abs=1e-6)
    assert block["total"]["spend"] == pytest.approx(spend, rel=1e-9, abs=1e-6)
    assert block["total"]["value"] == pytest.approx(actuals["revenue"].sum(), rel=1e-9, abs=1e-6)
    assert len(block["rows"]) <= cp.TOP + 1
    assert sum(r["count"] for r in block["rows"]) == block["total"]["count"] == sums.height
    if spend > 0:
        shares = sum(r["spend_share"] for r in block["rows"])
        assert shares == pytest.approx(1.0, rel=1e-9)
    spends = [r["spend"] for r in block["rows"] if not r["others"]]
    assert spends == sorted(spends, reverse=True)

    found = cp.drivers(sums, plan, ["cpo", "roas"], limit=None)
    for kpi, below, excess in (
        ("cpo", "orders", lambda s: s["spend"] - 100 * s["orders"]),
        ("roas", "spend", lambda s: 3.0 * s["spend"] - s["revenue"]),
    ):
        mine = [d for d in found if d["kpi"] == kpi]
        # a campaign whose export lacks the ratio's volume has no excess to speak of
        known = [s for s in sums.iter_rows(named=True) if s[below] is not None]
        whole = [excess(s) for s in known if excess(s) > 0]
        assert sum(d["excess"] for d in mine) == pytest.approx(sum(whole), rel=1e-9, abs=1e-6)
        if mine:
            assert sum(d["share"] for d in mine) == pytest.approx(1.0, rel=1e-9)
            assert [d["excess"] for d in mine] == sorted((d["excess"] for d in mine), reverse=True)


def test_a_campaign_its_export_does_not_name_is_called_so() -> None:
    """An ad-group export without a campaign column: its rows are one campaign, named in the
    report's language, never an empty cell."""
    plan = ecommerce_plan()
    rows = [
        {"date": day(0), "channel": "bing", "campaign": "", "spend": 50.0, "orders": 1.0},
        {"date": day(1), "channel": "bing", "campaign": "", "spend": 30.0, "orders": 1.0},
    ]
    block, _ = cp.campaigns_block(facts(rows), plan, {}, None, ("Others", "All", "(unnamed)"))
    assert [r["name"] for r in block["rows"]] == ["(unnamed)"]
    assert block["rows"][0]["spend"] == 80.0 and block["total"]["count"] == 1
