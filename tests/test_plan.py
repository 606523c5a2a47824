"""Plan validation: every problem located by YAML line and key path, with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfmkt.errors import PlanError
from perfmkt.plan import load_plan, resolve_sources

GOOD = """\
client: Shop X
campaign: Spring
currency: VND
flight: {start: 2026-03-02, end: 2026-03-11}
sources:
  - path: exports/*.csv
kpis:
  spend: 1000
  orders: 10
timeline:
  - {start: 2026-03-02, end: 2026-03-03, spend: 100}
"""


def plan_file(tmp_path: Path, text: str | bytes) -> Path:
    """``text`` written as ``tmp_path/plan.yaml`` (UTF-8), or ``bytes`` as they are."""
    path = tmp_path / "plan.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str | bytes) -> PlanError:
    """The ``PlanError`` that loading ``text`` as a plan raises."""
    with pytest.raises(PlanError) as caught:
        load_plan(plan_file(tmp_path, text))
    return caught.value


def test_good_plan(tmp_path: Path) -> None:
    plan = load_plan(plan_file(tmp_path, GOOD))
    assert plan.flight.days == 10
    assert plan.timeline[0].targets == {"spend": 100}
    assert plan.objective == "ecommerce" and plan.status.on_track == 0.95


def test_typo_key_did_you_mean_with_line(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("kpis:", "kpi:"))
    assert err.row == 7
    assert "unknown key 'kpi' (did you mean 'kpis'?)" in str(err)
    assert "kpis: required key is missing" in " ".join(err.problems)


def test_unknown_kpi_did_you_mean(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("  orders: 10", "  order: 10"))
    assert str(err) == (
        f"{tmp_path / 'plan.yaml'}:9: kpis.order: unknown KPI 'order' (did you mean 'orders'?)"
    )


def test_end_before_start(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("end: 2026-03-11", "end: 2026-02-11"))
    assert err.row == 4
    assert "flight: end 2026-02-11 is before start 2026-03-02" in str(err)


def test_timeline_outside_flight_and_overlaps(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("start: 2026-03-02, end: 2026-03-03", "week: 2026-W12"))
    assert "timeline[0]: 2026-W12 runs 2026-03-16..2026-03-22, outside the flight" in str(err)
    assert err.row == 11
    overlapping = GOOD + "  - {start: 2026-03-03, end: 2026-03-04, spend: 100}\n"
    err = problem(tmp_path, overlapping)
    assert "timeline[1]: overlaps timeline[0] (2026-03-02..2026-03-03)" in str(err)
    assert err.row == 12


def test_period_targets_above_total(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("spend: 100}", "spend: 5000}"))
    assert "timeline: periods plan 5,000 spend, more than the total 1,000" in str(err)
    assert err.row == 10


def test_wrong_type_names_key_and_line(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("  orders: 10", "  orders: ten"))
    assert err.row == 9
    assert "kpis.orders: Input should be a valid number" in str(err)
    err = problem(tmp_path, GOOD + "shape: {ramp: [1, 0]}\n")
    assert "shape.ramp: ramp multipliers must be greater than 0" in str(err)
    err = problem(
        tmp_path, GOOD + "alerts:\n  - {kpi: orders, pace_below: 0.9, days: 3, pace_above: 2}\n"
    )
    assert "alerts[0]: give exactly one condition" in str(err) and err.row == 13


def test_period_target_without_total_and_ratio_in_period(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("spend: 100}", "revenue: 100}"))
    assert "timeline[0].revenue: revenue has no flight total: add revenue under kpis" in str(err)
    assert err.row == 11
    # a period CPO needs spend and orders totals: orders is planned, roas needs revenue
    assert load_plan(plan_file(tmp_path, GOOD.replace("spend: 100}", "cpo: 100}")))
    err = problem(tmp_path, GOOD.replace("spend: 100}", "roas: 2}"))
    assert "timeline[0].roas: revenue has no flight total" in str(err)
    # all three written: kept when they agree (100 / 5 = 20), refused with the line otherwise
    agree = load_plan(
        plan_file(tmp_path, GOOD.replace("spend: 100}", "spend: 100, orders: 5, cpo: 20}"))
    )
    assert agree.timeline[0].targets == {"spend": 100, "orders": 5, "cpo": 20}
    err = problem(tmp_path, GOOD.replace("spend: 100}", "spend: 100, orders: 5, cpo: 30}"))
    assert str(err) == (
        f"{tmp_path / 'plan.yaml'}:11: timeline[0].cpo: spend 100 and orders 5 make cpo 20, "
        "not the 30 written: give two of spend, orders and cpo"
    )


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD.replace("kpis:\n", "kpis: [\n"))
    assert "not valid YAML" in str(err) and err.row is not None


def test_bad_regex_and_timezone(tmp_path: Path) -> None:
    bad = GOOD + "timezone: Mars/Olympus\nchannels:\n  g: {platform: google_ads, campaigns: '(['}\n"
    err = problem(tmp_path, bad)
    text = " ".join(err.problems)
    assert "unknown time zone 'Mars/Olympus'" in text
    assert "channels.g.campaigns: not a valid regular expression" in text
    assert len(err.problems) == 2


def test_source_glob_matching_nothing(tmp_path: Path) -> None:
    path = plan_file(tmp_path, GOOD)
    with pytest.raises(PlanError, match=r":6: sources\[0\].path: 'exports/\*.csv' matches no"):
        resolve_sources(load_plan(path), path)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("x")
    assert [p.name for p, _ in resolve_sources(load_plan(path), path)] == ["a.csv"]


def test_source_columns_encoding_and_campaign_id(tmp_path: Path) -> None:
    for name in ("exports/a.csv", "orders/o.csv"):
        (tmp_path / name).parent.mkdir()
        (tmp_path / name).write_text("x")
    sources = (
        "sources:\n"
        "  - path: exports/*.csv\n"
        "    columns: {date: Ngày, spend: Chi phí, campaign: Tên, campaign_id: Mã}\n"
        "    encoding: cp1258\n"
        "  - path: orders/*.csv\n"
        "    kind: orders\n"
        "    encoding: cp1258\n"
    )
    text = GOOD.replace("sources:\n  - path: exports/*.csv\n", sources)
    path = plan_file(tmp_path, text)
    (_, ads), (_, shop) = resolve_sources(load_plan(path), path)
    assert ads.columns["campaign_id"] == "Mã"
    assert (ads.encoding, shop.encoding) == ("cp1258", "cp1258")
    err = problem(tmp_path, text.replace("encoding: cp1258", "encoding: cp9999", 1))
    assert str(err) == (
        f"{tmp_path / 'plan.yaml'}:8: sources[0].encoding: unknown encoding 'cp9999' (name a "
        "codec such as utf-8, utf-16, cp1258 or windows-1252)"
    )
    err = problem(tmp_path, text.replace("encoding: cp1258", "encoding: base64", 1))
    assert str(err) == (
        f"{tmp_path / 'plan.yaml'}:8: sources[0].encoding: 'base64' is not a text encoding (name "
        "a codec such as utf-8, utf-16, cp1258 or windows-1252)"
    )


def test_conversion_lag_curves_are_checked_where_written(tmp_path: Path) -> None:
    lag = GOOD + "channels:\n  g: {platform: google_ads}\nconversion_lag:\n"
    plan = load_plan(plan_file(tmp_path, lag + "  google_ads: [0.6, 0.85, 0.95, 1]\n"))
    assert plan.conversion_lag == {"google_ads": [0.6, 0.85, 0.95, 1.0]}
    assert load_plan(plan_file(tmp_path, lag + "  meta: [0.7, 0.9]\n")).conversion_lag  # < 1 ok
    plan_path = tmp_path / "plan.yaml"
    cases = {
        "  google_ads: [0.6, 0.9, 0.8]": "conversion_lag.google_ads: a share cannot fall (late "
        "results only add): 0.8 after 3 days is below 0.9 after 2",
        "  google_ads: [0.6, 1.2]": "conversion_lag.google_ads: a share must be above 0 and at "
        "most 1, got 1.2 after 2 days",
        "  google_ads: [0, 1]": "conversion_lag.google_ads: a share must be above 0 and at most "
        "1, got 0 after 1 day",
        "  google_ads: []": "conversion_lag.google_ads: give the share reported after 1, 2, 3… "
        "days",
        "  google: [0.6, 1]": "conversion_lag.google: unknown platform 'google' (did you mean "
        "'google_ads'?)",
        "  google_ads: [0.6, yes]": "conversion_lag.google_ads[1]: Input should be a valid number",
        "  google_ads: 0.8": "conversion_lag.google_ads: expected a list in brackets [ … ], not "
        "0.8",
    }
    for line, message in cases.items():
        err = problem(tmp_path, lag + line + "\n")
        assert str(err) == f"{plan_path}:15: {message}", line
    err = problem(tmp_path, lag + f"  meta: [{', '.join(['0.5'] * 91)}]\n")
    assert "conversion_lag.meta: 91 shares, more than the 90 days a curve may have" in str(err)


def test_conversion_lag_platform_names_follow_the_sources_and_channels(tmp_path: Path) -> None:
    # A source's own platform name (a columns: map) and a channel's are names a curve may use;
    # a plan reading a query cannot know its platforms, so any name goes.
    mapped = GOOD.replace(
        "  - path: exports/*.csv\n",
        "  - {path: exports/*.csv, platform: shopee_ads, columns: {date: Day, spend: Cost}}\n",
    )
    plan = load_plan(plan_file(tmp_path, mapped + "conversion_lag:\n  shopee_ads: [0.8, 1]\n"))
    assert plan.conversion_lag == {"shopee_ads": [0.8, 1.0]}
    err = problem(tmp_path, mapped + "conversion_lag:\n  shopee: [0.8, 1]\n")
    assert "conversion_lag.shopee: unknown platform 'shopee' (did you mean 'shopee_ads'?)" in str(
        err
    )
    assert err.row == 13
    query = GOOD.replace(
        "  - path: exports/*.csv\n", "  - sql: {uri: 'duckdb:///x.duckdb', query: 'select 1'}\n"
    )
    assert load_plan(plan_file(tmp_path, query + "conversion_lag:\n  zalo: [0.5, 1]\n"))
