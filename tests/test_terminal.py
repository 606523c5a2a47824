"""The terminal view renders at a fixed width, colour off, Vietnamese text intact."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from perfmkt.render.terminal import THEME, render
from perfmkt.report import report_from_plan_file
from tests.conftest import REAL_EXPORTS, run_cli


def rendered(plan: Path, width: int = 120, days: int = 14) -> str:
    report = report_from_plan_file(plan, as_of=date(2026, 3, 5))
    out = io.StringIO()
    console = Console(file=out, width=width, theme=THEME, color_system=None, highlight=False)
    for part in render(report, days):
        console.print(part)
    return out.getvalue()


def test_kpi_rows_show_formatted_numbers(small_plan: Path) -> None:
    text = rendered(small_plan)
    spend_row = next(line for line in text.splitlines() if line.startswith("│ Spend"))
    cells = [c.strip() for c in spend_row.strip("│").split("│")]
    nbsp = "\u00a0"
    assert cells == [
        "Spend",
        f"10.000.000{nbsp}₫",
        f"3.250.000{nbsp}₫",
        f"3.250.000{nbsp}₫",
        "100%",
        f"10.000.000{nbsp}₫",
        f"1.125.000{nbsp}₫",
        "on track",
    ]
    cpo_row = next(line for line in text.splitlines() if line.startswith("│ CPO"))
    assert "89%" in cpo_row and "at risk" in cpo_row
    assert "\x1b[" not in text  # no colour codes when colour is off


def test_campaign_names_are_not_markup(small_plan: Path) -> None:
    meta = small_plan.parent / "exports" / "meta" / "Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv"
    meta.write_text(
        meta.read_text(encoding="utf-8-sig").replace('"Page likes"', '"[bold]Likes[/]"')
    )
    assert "[bold]Likes[/] (meta)" in rendered(small_plan, width=200)


def test_narrow_terminal_still_renders(small_plan: Path) -> None:
    text = rendered(small_plan, width=60, days=0)
    assert "Shop X — Spring sale" in text
    assert "Daily, last 0 days" in text


@pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="shared/real-exports not present")
def test_inspect_panel_shows_what_the_export_says_of_its_download() -> None:
    stdout, _ = run_cli(
        ["inspect", REAL_EXPORTS / "microsoft_ads" / "fridgefilters_adgroup_daily_api.csv"]
    )
    assert "stated range      2022-10-18 … 2022-10-25 (Report Time line)" in stdout
    assert "made at           2022-10-25 17:25 (Last Completed Available Hour)" in stdout
