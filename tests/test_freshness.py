"""Pace only complete days: lagging platforms, partial downloads, --as-of past the data.

The end-to-end plan: flight 1–10 Mar 2026, spend 10,000,000 (1,000,000 a day). Google has
1–5 Mar at 600,000 a day; Meta has 1–4 Mar at 400,000 a day (it lags a day). So on the morning
of 7 Mar the last day both cover is 4 Mar: expected 4,000,000, actual 4 × 1,000,000 = 4,000,000,
pace exactly 100 %. Pacing 5 Mar would count Meta as 0 there: 4,600,000 against 5,000,000.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from perfmkt.freshness import Download, choose_as_of, coverage
from perfmkt.report import report_from_plan_file
from tests.conftest import REAL_EXPORTS, run_cli, touch

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2026, 3, 1), date(2026, 3, 10)


def stamp(when: str) -> float:
    """A download time given in the plan's zone."""
    return datetime.fromisoformat(when).replace(tzinfo=TZ).timestamp()


def choose(downloads: list[Download], today: date, asked: date | None = None):
    return choose_as_of(coverage(downloads, TZ), today, START, END, "Asia/Ho_Chi_Minh", asked)


# Downloaded on the morning of 6 Mar: Google reaches the 5th, Meta only the 4th.
LAGGING = [
    Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-06T08:00")),
    Download("m.csv", "meta", date(2026, 3, 4), stamp("2026-03-06T08:05")),
]


def test_lagging_platform_holds_the_as_of_and_is_named() -> None:
    chosen = choose(
        LAGGING,
        today=date(2026, 3, 7),
    )
    assert chosen.day == date(2026, 3, 4)
    assert chosen.reason == "last day every source covers, meta's last"
    assert chosen.warnings == (
        "meta lags: its exports end on 2026-03-04 (google_ads 2026-03-05); pacing stops at "
        "2026-03-04 so meta does not count as 0 on later days",
    )


def test_a_day_downloaded_before_it_ended_is_partial() -> None:
    # Saved at 10:32 on 5 Mar, holding 5 Mar: the 5th is incomplete, whatever today is.
    downloads = [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T10:32"))]
    chosen = choose(downloads, today=date(2026, 3, 7))
    assert chosen.day == date(2026, 3, 4)
    assert "which the google_ads export holds only in part (downloaded 2026-03-05 10:32)" in (
        chosen.reason
    )
    assert chosen.warnings == (
        "g.csv was downloaded at 2026-03-05 10:32 (Asia/Ho_Chi_Minh), during 2026-03-05, its "
        "last day: 2026-03-05 is incomplete and not paced",
    )


def test_todays_partial_day_is_no_news() -> None:
    downloads = [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T07:00"))]
    chosen = choose(downloads, today=date(2026, 3, 5))
    assert chosen.day == date(2026, 3, 4)
    assert chosen.warnings == ()


def test_a_later_download_completes_an_earlier_partial_day() -> None:
    chosen = choose(
        [
            Download("a.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T10:00")),
            Download("b.csv", "google_ads", date(2026, 3, 6), stamp("2026-03-07T08:00")),
        ],
        today=date(2026, 3, 7),
    )
    assert chosen.day == date(2026, 3, 6)
    assert chosen.warnings == ()


def test_a_copy_made_later_is_not_partial() -> None:
    # Copied (or checked out) days later: its modification time says nothing about the 5th.
    downloads = [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-09T16:00"))]
    assert choose(downloads, today=date(2026, 3, 10)).day == date(2026, 3, 5)


def test_shop_export_bounds_only_by_its_partial_day() -> None:
    ads = Download("g.csv", "google_ads", date(2026, 3, 6), stamp("2026-03-07T08:00"))
    # Orders stop on the 3rd (a quiet shop): that must not hold pacing back…
    quiet = Download("o.csv", "shop orders", date(2026, 3, 3), stamp("2026-03-07T08:00"), False)
    assert choose([ads, quiet], today=date(2026, 3, 7)).day == date(2026, 3, 6)
    # …but an order export saved during the 5th holding the 5th stops pacing at the 4th.
    part = Download("o.csv", "shop orders", date(2026, 3, 5), stamp("2026-03-05T15:00"), False)
    assert choose([ads, part], today=date(2026, 3, 7)).day == date(2026, 3, 4)


def test_as_of_past_a_source_is_allowed_with_a_warning() -> None:
    chosen = choose(
        LAGGING,
        today=date(2026, 3, 7),
        asked=date(2026, 3, 5),
    )
    assert chosen.day == date(2026, 3, 5)
    assert chosen.reason == "the as-of day asked for"
    assert chosen.warnings == (
        "as-of 2026-03-05 is past meta's last complete day (its exports end on 2026-03-04): "
        "meta counts as 0 after 2026-03-04",
    )


def test_as_of_after_the_flight_is_capped() -> None:
    downloads = [Download("g.csv", "google_ads", date(2026, 3, 12), stamp("2026-03-13T08:00"))]
    chosen = choose(downloads, today=date(2026, 3, 20), asked=date(2026, 3, 15))
    assert chosen.day == END
    assert chosen.reason == "flight end (the as-of day asked for, 2026-03-15, is after it)"


GOOGLE_HEADER = "Day,Campaign,Currency code,Cost,Impr.,Clicks,Conversions,Conv. value\n"
META_HEADER = (
    '"Reporting starts","Reporting ends","Campaign name","Amount spent (VND)",Impressions,'
    '"Link clicks",Purchases,"Purchases conversion value"\n'
)


@pytest.fixture
def lagging_plan(tmp_path: Path) -> Path:
    (tmp_path / "google").mkdir()
    (tmp_path / "meta").mkdir()
    google = tmp_path / "google" / "daily.csv"
    google.write_text(
        "Daily\nMarch 1, 2026 - March 5, 2026\n"
        + GOOGLE_HEADER
        + "".join(f"2026-03-0{d},SHOPX_Search,VND,600000,1000,10,1,100000\n" for d in range(1, 6)),
        encoding="utf-8",
    )
    meta = tmp_path / "meta" / "daily.csv"
    meta.write_text(
        META_HEADER
        + "".join(
            f"2026-03-0{d},2026-03-0{d},SHOPX | Sale,400000,1000,10,1,100000\n" for d in range(1, 5)
        ),
        encoding="utf-8",
    )
    touch(google, "2026-03-06T08:00:00+07:00")
    touch(meta, "2026-03-06T08:05:00+07:00")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        """client: Shop X
campaign: Lag test
currency: VND
timezone: Asia/Ho_Chi_Minh
flight: {start: 2026-03-01, end: 2026-03-10}
sources:
  - path: google/*.csv
  - path: meta/*.csv
channels:
  google: {platform: google_ads, campaigns: "^SHOPX_"}
  meta: {platform: meta, campaigns: "^SHOPX"}
kpis: {spend: 10_000_000}
""",
        encoding="utf-8",
    )
    return plan


def test_lagging_meta_is_not_counted_as_zero(lagging_plan: Path) -> None:
    now = datetime(2026, 3, 7, 7, 0, tzinfo=TZ)
    report = report_from_plan_file(lagging_plan, now=now, cache=False)
    assert report.as_of == date(2026, 3, 4)
    spend = next(k for k in report.kpis if k.name == "spend")
    assert spend.expected_to_date == pytest.approx(4_000_000)
    assert spend.actual_to_date == pytest.approx(4_000_000)
    assert spend.pace == pytest.approx(1.0)
    assert any(
        w.startswith("meta lags: its exports end on 2026-03-04") for w in report.notes.warnings
    )
    by_source = {c["source"]: c for c in report.notes.coverage}
    assert by_source["meta"]["complete_until"] == date(2026, 3, 4)
    assert by_source["google_ads"]["complete_until"] == date(2026, 3, 5)


def test_as_of_past_meta_counts_it_as_zero_and_says_so(lagging_plan: Path) -> None:
    now = datetime(2026, 3, 7, 7, 0, tzinfo=TZ)
    report = report_from_plan_file(lagging_plan, as_of=date(2026, 3, 5), now=now, cache=False)
    spend = next(k for k in report.kpis if k.name == "spend")
    assert spend.actual_to_date == pytest.approx(4_600_000)
    assert spend.expected_to_date == pytest.approx(5_000_000)
    assert any("past meta's last complete day" in w for w in report.notes.warnings)


def test_json_carries_coverage_and_warnings(lagging_plan: Path) -> None:
    stdout, _ = run_cli(["report", lagging_plan, "--as-of", "2026-03-05", "-f", "json"])
    notes = json.loads(stdout)["notes"]
    assert {"source": "meta", "complete_until": "2026-03-04"}.items() <= {
        k: v for k, v in notes["coverage"][1].items() if k in ("source", "complete_until")
    }.items()
    assert any("meta" in w for w in notes["warnings"])


def test_every_view_puts_the_warnings_first(lagging_plan: Path, tmp_path: Path) -> None:
    stdout, _ = run_cli(["report", lagging_plan, "--as-of", "2026-03-05", "--lang", "en"])
    assert stdout.index("past meta's last complete day") < stdout.index("KPI pacing")
    for ext in ("md", "html"):
        run_cli(
            [
                "report",
                lagging_plan,
                "--as-of",
                "2026-03-05",
                "-f",
                ext,
                "-o",
                tmp_path / f"r.{ext}",
            ]
        )
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    # a VND plan reports in Vietnamese, warnings included
    warning = md.index("> - ngày số liệu 05/03/2026 sau ngày đầy đủ cuối cùng của meta")
    assert warning < md.index("\n## Chỉ số chính")  # after the verdict and summary
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.index('class="warnings"') < html.index('class="cards')


def test_as_of_on_a_partial_day_says_when_it_was_downloaded() -> None:
    downloads = [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T10:32"))]
    chosen = choose(downloads, today=date(2026, 3, 7), asked=date(2026, 3, 5))
    assert chosen.warnings == (
        "as-of 2026-03-05 is past google_ads's last complete day (its 2026-03-05 was downloaded "
        "part-way, at 2026-03-05 10:32): 2026-03-05 counts only in part",
    )


def test_a_source_matching_no_file_is_a_warning_the_others_still_pace(
    lagging_plan: Path,
) -> None:
    text = lagging_plan.read_text(encoding="utf-8")
    lagging_plan.write_text(
        text.replace("  - path: meta/*.csv\n", "  - path: meta/*.csv\n  - path: tiktok/*.csv\n"),
        encoding="utf-8",
    )
    now = datetime(2026, 3, 7, 7, 0, tzinfo=TZ)
    report = report_from_plan_file(lagging_plan, now=now, cache=False)
    assert report.notes.warnings[0].startswith(
        f"{lagging_plan}:9: sources[2].path: 'tiktok/*.csv' matches no file"
    )
    assert report.as_of == date(2026, 3, 4)


def test_vietnamese_reports_say_the_warnings_in_vietnamese(lagging_plan: Path) -> None:
    """Every sentence freshness writes has its Vietnamese form (a pattern that stopped matching
    would leave English in a Vietnamese client's report)."""
    from perfmkt.i18n import reason

    now = datetime(2026, 3, 7, 7, 0, tzinfo=TZ)
    lagging = report_from_plan_file(lagging_plan, now=now, cache=False).notes.warnings
    past = report_from_plan_file(
        lagging_plan, as_of=date(2026, 3, 5), now=now, cache=False
    ).notes.warnings
    partial = choose(
        [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T10:32"))],
        today=date(2026, 3, 7),
    ).warnings
    part_way = choose(
        [Download("g.csv", "google_ads", date(2026, 3, 5), stamp("2026-03-05T10:32"))],
        today=date(2026, 3, 7),
        asked=date(2026, 3, 5),
    ).warnings
    assert [reason(w, "vi") for w in [*lagging, *past, *partial, *part_way]] == [
        "meta cập nhật chậm: số liệu chỉ đến 2026-03-04 (google_ads 2026-03-05); báo cáo dừng ở "
        "2026-03-04 để meta không bị tính là 0 cho các ngày sau",
        "ngày số liệu 2026-03-05 sau ngày đầy đủ cuối cùng của meta (2026-03-04): meta được tính "
        "là 0 sau 2026-03-04",
        "g.csv được tải lúc 2026-03-05 10:32 (Asia/Ho_Chi_Minh), khi ngày 2026-03-05 chưa kết "
        "thúc: ngày 2026-03-05 chưa đủ số liệu nên không được tính",
        "ngày số liệu 2026-03-05 sau ngày đầy đủ cuối cùng của google_ads: ngày 2026-03-05 được "
        "tải giữa chừng (lúc 2026-03-05 10:32) nên chỉ có một phần số liệu",
    ]
    assert reason("covers up to 2026-02-03, later than 2026-02-01", "vi") == (
        "có số liệu đến 2026-02-03, sau 2026-02-01"
    )
    assert reason("an unknown sentence", "vi") == "an unknown sentence"


def test_a_shop_export_saved_during_its_last_day_stops_the_pacing(lagging_plan: Path) -> None:
    """The shop's orders, downloaded at 15:00 on 3 Mar with orders of the 3rd: pacing stops on
    the 2nd even though both platforms reach further."""
    shop = lagging_plan.parent / "shop"
    shop.mkdir()
    orders = shop / "orders.csv"
    orders.write_text(
        "Name,Financial Status,Total,Created at\n"
        "#1,paid,100000,2026-03-02 09:00:00 +0700\n"
        "#2,paid,200000,2026-03-03 10:00:00 +0700\n",
        encoding="utf-8",
    )
    touch(orders, "2026-03-03T15:00:00+07:00")
    text = lagging_plan.read_text(encoding="utf-8")
    lagging_plan.write_text(
        text.replace("channels:", "  - path: shop/*.csv\n    kind: orders\nchannels:")
        + "truth: {orders: shop}\n",
        encoding="utf-8",
    )
    report = report_from_plan_file(
        lagging_plan, now=datetime(2026, 3, 7, 7, 0, tzinfo=TZ), cache=False
    )
    assert report.as_of == date(2026, 3, 2)
    assert "which the shop orders (Shopify) export holds only in part" in report.as_of_reason


@pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="shared/real-exports not present")
def test_a_platform_stamp_marks_the_partial_day_whatever_the_file_time(tmp_path: Path) -> None:
    """The real Microsoft export says its data is complete to 25 Oct 2022 17:25 GMT (13:25 in
    New York) with rows for 25 Oct: that day is partial, even when the file was copied days
    later (its modification time then says nothing of the download)."""
    export = tmp_path / "bing.csv"
    export.write_bytes(
        (REAL_EXPORTS / "microsoft_ads/fridgefilters_adgroup_daily_api.csv").read_bytes()
    )
    touch(export, "2022-11-02T09:00:00")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "client: FridgeFilters\ncampaign: Bing\nobjective: ecommerce\ncurrency: USD\n"
        "timezone: America/New_York\nflight: {start: 2022-10-18, end: 2022-10-31}\n"
        "sources:\n  - {path: bing.csv, currency: USD}\nkpis: {spend: 1200, orders: 30}\n",
        encoding="utf-8",
    )
    report = report_from_plan_file(plan, now=datetime(2022, 11, 2, 9, tzinfo=ZoneInfo("UTC")))
    assert report.as_of == date(2022, 10, 24)
    (cover,) = report.notes.coverage
    assert cover["partial_day"] == date(2022, 10, 25) and cover["downloaded"] == "2022-10-25 13:25"
    # 18–24 Oct by hand from the rows: spend $602.08, 13 orders
    spend, orders = (k.actual_to_date for k in report.kpis)
    assert round(spend, 2) == 602.08 and orders == 13


@pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="shared/real-exports not present")
@pytest.mark.parametrize("stated", [True, False])
def test_an_export_without_a_currency_is_taken_as_the_plans_with_a_warning(
    tmp_path: Path, stated: bool
) -> None:
    """Microsoft Ads exports carry no currency: unless the source says which, the amounts are
    the plan's currency, and the report says so (a USD export in a VND plan would be $ as ₫)."""
    export = tmp_path / "bing.csv"
    export.write_bytes(
        (REAL_EXPORTS / "microsoft_ads/fridgefilters_adgroup_daily_api.csv").read_bytes()
    )
    source = "{path: bing.csv, currency: USD}" if stated else "{path: bing.csv}"
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "client: FridgeFilters\ncampaign: Bing\nobjective: ecommerce\ncurrency: USD\n"
        f"timezone: America/New_York\nflight: {{start: 2022-10-18, end: 2022-10-31}}\n"
        f"sources:\n  - {source}\nkpis: {{spend: 1200, orders: 30}}\n",
        encoding="utf-8",
    )
    report = report_from_plan_file(plan, now=datetime(2022, 11, 2, 9, tzinfo=ZoneInfo("UTC")))
    said = [w for w in report.notes.warnings if "states no currency" in w]
    assert said == ([] if stated else [
        f"{export} states no currency: its amounts are taken as USD (set currency: on its source "
        "to say which)"
    ])  # fmt: skip
