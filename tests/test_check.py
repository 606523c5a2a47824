"""``perfmkt validate`` reads the exports too: every problem a report would hit, all at once."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from perfmkt.check import check_plan, describe
from tests.conftest import FIXTURES

NOW = datetime(2026, 3, 7, 7, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def copy_small(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "small", tmp_path / "small")
    return tmp_path / "small" / "plan.yaml"


def test_a_good_plan_reports_its_sources_and_as_of(tmp_path: Path) -> None:
    result = check_plan(copy_small(tmp_path), now=NOW, cache=False)
    assert result.ok, result.errors
    assert result.as_of == date(2026, 3, 5)
    sources = {c["source"]: c for c in result.coverage}
    assert sources["google_ads"]["complete_until"] == date(2026, 3, 5)
    assert sources["meta"]["complete_until"] == date(2026, 3, 5)
    lines = describe(result)
    assert lines[0].endswith(
        "ok — Shop X / Spring sale, flight 2026-03-02 to 2026-03-11 "
        "(10 days), 5 KPIs, 4 export files"
    )
    assert "  google_ads: 2 files, 7 rows, to 2026-03-05" in lines


def test_every_bad_export_is_listed_not_just_the_first(tmp_path: Path) -> None:
    plan = copy_small(tmp_path)
    google = plan.parent / "exports" / "google"
    for name in ("search_2026-03-02_2026-03-04.csv", "search_2026-03-04_2026-03-05.csv"):
        (google / name).write_bytes(b"Day,Campaign,Cost\n2026-03-02,SHOPX_A,abc\n")
    text = plan.read_text(encoding="utf-8")  # and a source that matches nothing
    plan.write_text(
        text.replace("  - path: exports/shop/*.csv", "  - path: exports/tiktok/*.csv\n"
                     "  - path: exports/shop/*.csv"),
        encoding="utf-8",
    )  # fmt: skip
    result = check_plan(plan, now=NOW, cache=False)
    assert len(result.errors) == 2
    assert all("search_2026-03-0" in e for e in result.errors)
    # the missing source is still said beside the broken exports
    assert [w for w in result.warnings if "exports/tiktok/*.csv' matches no file" in w]


def test_warnings_a_report_would_give(tmp_path: Path) -> None:
    plan = copy_small(tmp_path)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace(
            'meta: {platform: meta, campaigns: "^SHOPX"}',
            'meta: {platform: meta, campaigns: "^NOPE"}',
        ).replace(
            "  - path: exports/shop/*.csv",
            "  - path: exports/tiktok/*.csv\n  - path: exports/shop/*.csv",
        ),
        encoding="utf-8",
    )
    result = check_plan(plan, now=NOW, cache=False)
    assert result.ok
    assert any(
        "sources[2].path: 'exports/tiktok/*.csv' matches no file" in w for w in result.warnings
    )
    assert any(
        w.startswith("channel 'meta' (meta, campaigns '^NOPE') matches no rows")
        for w in result.warnings
    )


def test_a_plan_error_stops_before_reading(tmp_path: Path) -> None:
    plan = copy_small(tmp_path)
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("orders: 100", "order: 100"), encoding="utf-8"
    )
    result = check_plan(plan, now=NOW, cache=False)
    assert not result.ok
    assert "unknown KPI 'order'" in result.errors[0]
    assert describe(result) == []


def test_validate_command_lists_problems_and_exits_2(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    plan = copy_small(tmp_path)
    stdout, _ = run_cli(["validate", plan])
    assert "google_ads: 2 files, 7 rows" in stdout
    google = plan.parent / "exports" / "google" / "search_2026-03-04_2026-03-05.csv"
    google.write_bytes(b"Day,Campaign,Cost\n2026-03-04,SHOPX_A,abc\n")
    _, stderr = run_cli(["validate", plan], expect=2)
    assert stderr.startswith("perfmkt: error: ") and "search_2026-03-04_2026-03-05.csv" in stderr
