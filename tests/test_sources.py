"""Export readers: real platform files (hand-checked totals), our fixtures, and bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA
from perfmkt.sources.reader import read_export
from tests.conftest import FIXTURES, REAL_EXPORTS

needs_real = pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="shared/real-exports absent")

# file: (platform, rows, spend, impressions, clicks, conversions, conversion value, currency)
# Totals from shared/real-exports/README.md, checked by hand there; None = no such column.
# fmt: off
REAL = {
    "google_ads/fruit_campaign_report_utf16_tsv.csv":
        ("google_ads", 1, 365.22, 9380, 264, 25.00, 841.23, "GBP"),
    "google_ads/fruit_campaign_report_utf8.csv":
        ("google_ads", 2, 1164.10, 40585, 867, 74.00, 2127.81, "GBP"),
    "google_ads/calpreserving_campaign_report_all_time.csv":
        ("google_ads", 12, 199421.15, 14117313, 167739, 18703.32, None, "USD"),
    "meta/isn_medical_campaigns_eur_period.csv":
        ("meta", 2, 33.65, 297644, None, None, None, "EUR"),
    "meta/monfrere_ads_lifetime_2023-02-05_to_2026-03-05.csv":
        ("meta", 1751, 514859.87, 28416507, None, 5588, None, "USD"),
    "microsoft_ads/fridgefilters_adgroup_daily_api.csv":
        ("microsoft_ads", 320, 656.87, 39702, 451, 14, None, None),
    "tiktok/anonymized_daily_ad_idr.csv":
        ("tiktok", 141, 49068186, 4774891, 17445, 804, None, "IDR"),
}
DAILY = {"microsoft_ads/fridgefilters_adgroup_daily_api.csv", "tiktok/anonymized_daily_ad_idr.csv"}
# fmt: on


def total(frame: pl.DataFrame, column: str) -> float | None:
    series = frame[column]
    return None if series.null_count() == series.len() else series.sum()


@needs_real
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_export_totals(name: str) -> None:
    platform, rows, spend, impressions, clicks, conversions, value, currency = REAL[name]
    facts, info = read_export(REAL_EXPORTS / name, daily=False)
    assert info.platform == platform
    assert facts.height == rows
    assert total(facts, "spend") == pytest.approx(spend, abs=0.005)
    assert total(facts, "impressions") == impressions
    assert total(facts, "clicks") == clicks
    assert total(facts, "conversions") == (
        pytest.approx(conversions) if conversions is not None else None
    )
    assert total(facts, "conversion_value") == (pytest.approx(value) if value else None)
    assert facts["currency"].unique().to_list() == [currency]


@needs_real
@pytest.mark.parametrize("name", sorted(set(REAL) - DAILY))
def test_period_exports_are_refused_for_pacing_with_how_to(name: str) -> None:
    with pytest.raises(ExportError) as caught:
        read_export(REAL_EXPORTS / name)
    message = str(caught.value)
    assert name.split("/")[-1] in message
    assert "one row per day" in message
    assert "Day" in message  # says how to export by day


@needs_real
@pytest.mark.parametrize("name", sorted(DAILY))
def test_real_daily_exports_read_for_pacing(name: str) -> None:
    facts, _info = read_export(REAL_EXPORTS / name)
    assert facts["date"].null_count() == 0
    assert facts.height == REAL[name][1]


@needs_real
def test_every_real_export_is_covered() -> None:
    on_disk = {
        str(p.relative_to(REAL_EXPORTS))
        for p in REAL_EXPORTS.rglob("*.csv")
        if "shopify" not in p.parts
    }
    assert on_disk == set(REAL) | {"meta/no_data_available.csv"}


@needs_real
def test_meta_no_data_available_is_zero_rows() -> None:
    facts, info = read_export(REAL_EXPORTS / "meta/no_data_available.csv")
    assert facts.height == 0
    assert info.skipped == {"'No data available.' marker": 1}


def test_fixture_google_utf16_with_preamble_and_totals() -> None:
    path = FIXTURES / "small/exports/google/search_2026-03-02_2026-03-04.csv"
    facts, info = read_export(path)
    assert facts.schema == pl.Schema(FACTS_SCHEMA)
    assert info.detected_by == "header on line 3"
    assert facts["row"].to_list() == [4, 5, 6, 7]  # line numbers in the file
    assert facts["spend"].sum() == 1_250_000
    assert facts["conversions"].to_list() == [3.0, 2.0, 2.0, 0.0]
    assert info.skipped == {"totals rows and footers (never data: rows are summed instead)": 1}


def test_fixture_meta_daily_newest_first() -> None:
    path = FIXTURES / "small/exports/meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv"
    facts, info = read_export(path)
    assert info.platform == "meta"
    assert facts.height == 5  # account-total row skipped
    assert facts["currency"].unique().to_list() == ["VND"]
    assert facts.filter(pl.col("campaign") == "Page likes")["orders"].to_list() == [None]
    assert info.columns_used["orders"] == "Purchases"
    assert info.columns_used["clicks"] == "Link clicks"


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOGLE_HEAD = "Report\nJanuary 1, 2026 - January 2, 2026\nDay,Campaign,Cost,Impr.,Clicks\n"


def test_bad_number_names_file_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-01,A,100,10,1\n2026-01-02,A,12abc,10,1\n")
    with pytest.raises(ExportError) as caught:
        read_export(path)
    assert str(caught.value) == f"{path}:5: Cost: expected a number, found '12abc'"


def test_bad_date_names_row(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-01,A,1,1,1\nyesterday,A,1,1,1\n")
    with pytest.raises(ExportError, match=r":5: Day: expected a date like 2026-01-05"):
        read_export(path)


def test_number_formats(tmp_path: Path) -> None:
    body = (
        '2026-01-01,A,"1,234.56",--,\n2026-01-01,B, --,$1000, \n2026-01-01,C,"₫1,234,567",12%,7\n'
    )
    facts, _ = read_export(write(tmp_path, GOOGLE_HEAD + body))
    assert facts["spend"].to_list() == [1234.56, None, 1234567.0]
    assert facts["impressions"].to_list() == [None, 1000.0, 12.0]
    assert facts["clicks"].to_list() == [None, None, 7.0]


def test_unknown_shape_says_what_was_expected(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(ExportError) as caught:
        read_export(path)
    message = str(caught.value)
    assert message.startswith(
        f"{path}: not a recognised export: no known ad-platform header in the first 2 lines "
        "(expected Google Ads: Campaign with Cost or Impr.; Meta: Amount spent (…) or "
        "Reporting starts; TikTok: Cost with Impression or Clicks (destination); "
        "Microsoft Advertising: Spend with TimePeriod, CampaignName or AdGroupName; "
        "LinkedIn: Total Spent or Amount Spent with Campaign Name); columns found: a, b, c"
    )
    assert "columns: {date:" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot read the file"):
        read_export(tmp_path / "nope.csv")


def test_init_skips_what_it_cannot_read_and_globs_only_whole_folders(tmp_path: Path) -> None:
    """A cp1258 or binary file beside the exports is a note in the starter plan, never the end
    of ``perfmkt init``; a glob never takes in a folder's other files (the shop's orders)."""
    from datetime import date

    from perfmkt.init import starter_plan
    from tests.conftest import run_cli

    folder = tmp_path / "exports"
    folder.mkdir()
    small = FIXTURES / "small/exports"
    meta = (small / "meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv").read_bytes()
    for name in ("meta-1.csv", "meta-2.csv"):  # a download and its re-download
        (folder / name).write_bytes(meta)
    (folder / "orders.csv").write_bytes((small / "shop/orders_export_1.csv").read_bytes())
    (folder / "vi.csv").write_bytes(
        (FIXTURES / "exports/google_ads/vi_campaign_day_cp1258.csv").read_bytes()
    )
    (folder / "logo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    text = starter_plan(folder, tmp_path, date(2026, 3, 6))
    for name in ("meta-1.csv", "meta-2.csv"):
        assert f"  - path: exports/{name}    # meta\n" in text
    assert "  - path: exports/orders.csv\n    kind: orders" in text
    assert "*.csv" not in text  # exports/*.csv would read the orders as an ad export
    notes = text[text.index("# Files not used:") :]
    assert "#   logo.csv: not a recognised export: a binary file, not CSV text" in notes
    assert "#   vi.csv: expected UTF-8 text, found byte" in notes and "`encoding: cp1258`" in notes
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    run_cli(["validate", plan])


def test_init_takes_a_shopee_workbook_as_the_shops_orders(tmp_path: Path) -> None:
    """Shop systems export .xlsx: ``perfmkt init`` finds a Shopee order workbook beside the ad
    exports and writes it as a ``kind: orders`` source; an unrelated workbook is a note."""
    from datetime import date

    from perfmkt.init import starter_plan
    from tests.conftest import run_cli
    from tests.shop_files import shopee_line, write_shopee, write_xlsx

    folder = tmp_path / "exports"
    folder.mkdir()
    small = FIXTURES / "small/exports"
    (folder / "meta.csv").write_bytes(
        (small / "meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv").read_bytes()
    )
    write_shopee(
        folder / "Order.all.20260301_20260305.xlsx",
        [shopee_line("260302ABC", "2026-03-02 10:15", "Hoàn thành", 250_000, 250_000)],
    )
    write_xlsx(folder / "budget.xlsx", [["Tháng", "Ngân sách"], ["3", "1000"]])
    text = starter_plan(folder, tmp_path, date(2026, 3, 6))
    assert "  - path: exports/Order.all.20260301_20260305.xlsx\n    kind: orders" in text
    assert "#   budget.xlsx: " in text[text.index("# Files not used:") :]
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    run_cli(["validate", plan])
