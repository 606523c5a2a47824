"""Client-ready documents: HTML opened in a real headless Chromium, Markdown parsed as GFM,
every number agreeing with the JSON and the terminal, templates overridable, writes atomic."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from perfmkt.format import Formatter
from tests.conftest import ROOT, pace_small, run_cli, run_perfmkt

CHROMIUM = shutil.which("chromium")
# CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="no local chromium"
)


def render(plan: Path, fmt: str, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / f"report.{fmt}"
    run_cli(["report", plan, "--as-of", "2026-03-05", "-f", fmt, "-o", out, *extra])
    return out.read_text(encoding="utf-8")


def test_numbers_agree_across_html_markdown_json_and_terminal(
    small_plan: Path, tmp_path: Path
) -> None:
    result = json.loads(pace_small(small_plan, "-f", "json")[0])
    html = render(small_plan, "html", tmp_path)
    md = render(small_plan, "md", tmp_path)
    terminal, _ = run_cli(["report", small_plan, "--as-of", "2026-03-05"])
    fmt = Formatter("VND", "vi_VN")
    for k in result["kpis"]:
        assert fmt.value(k["kind"], k["actual_to_date"]) in terminal, k["name"]
        for key in ("actual_to_date", "expected_to_date", "projection", "target_total"):
            # what the plan derives is a whole count (32.5 orders expected: 33)
            value = k[key] if key == "actual_to_date" or k["kind"] != "count" else round(k[key])
            shown = fmt.value(k["kind"], value)
            assert shown in html, (k["name"], key, shown)
            assert shown in md, (k["name"], key, shown)
        assert fmt.pace(k["pace"]) in md and fmt.pace(k["pace"]) in html
    assert "3.250.000\u00a0₫" in html  # hand-checked spend to date (test_end_to_end.py)


def test_markdown_is_valid_gfm_with_escaped_pipes(small_plan: Path, tmp_path: Path) -> None:
    small_plan.write_text(
        small_plan.read_text().replace(
            "  meta: {platform: meta", '  "meta | paid social": {platform: meta'
        )
    )
    md = render(small_plan, "md", tmp_path)
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    assert len(tables) >= 4
    # every row of every table has as many cells as its header
    for start in tables:
        widths, row = [], 0
        for t in tokens[start:]:
            if t.type == "table_close":
                break
            if t.type in ("th_open", "td_open"):
                row += 1
            if t.type == "tr_close":
                widths.append(row)
                row = 0
        assert len(set(widths)) == 1, widths
    assert "meta \\| paid social" in md


def test_english_locale_and_logo(small_plan: Path, tmp_path: Path) -> None:
    logo = small_plan.parent / "logo.png"
    shutil.copy(ROOT / "sample_data" / "screenshots" / "agency-logo.png", logo)
    small_plan.write_text(
        small_plan.read_text()
        + "locale: en\n"
        + "branding: {agency: Lotus Digital, logo: logo.png, primary_color: '#5f3dc4'}\n"
    )
    html = render(small_plan, "html", tmp_path)
    assert "Campaign pacing report" in html and "Prepared by Lotus Digital" in html
    assert "₫3,250,000" in html  # en_US money
    assert 'src="data:image/png;base64,' in html
    assert "#5f3dc4" in html


def test_compiled_templates_keep_no_language(small_plan: Path, tmp_path: Path) -> None:
    """Templates compiled for a Vietnamese report and cached must not carry its words into an
    English one (constant folding once baked the status legend's words into the cache)."""
    cache = str(tmp_path / "cache")
    out = tmp_path / "r"
    for lang in ("vi", "en"):  # separate processes: the second reads the cached templates
        done = run_perfmkt(
            "report", small_plan, "--as-of", "2026-03-05", "--lang", lang, "-f", "html",
            "-o", out / f"{lang}.html", PERFMKT_CACHE_DIR=cache,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert any((tmp_path / "cache").glob("templates-v2/html/*"))  # the cache was used
    english = (out / "en.html").read_text(encoding="utf-8")
    for word in ("Đúng tiến độ", "Có rủi ro", "Chậm tiến độ", "Vượt ngân sách"):
        assert word not in english
    assert "On track" in english and "Overspend" in english


def test_campaign_names_are_escaped(small_plan: Path, tmp_path: Path) -> None:
    meta = small_plan.parent / "exports" / "meta" / "Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv"
    meta.write_text(
        meta.read_text(encoding="utf-8-sig").replace('"Page likes"', '"<script>alert(1)</script>"'),
        encoding="utf-8",
    )
    html = render(small_plan, "html", tmp_path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_a_custom_template_overrides_one_partial(small_plan: Path, tmp_path: Path) -> None:
    custom = tmp_path / "agency"
    (custom / "partials").mkdir(parents=True)
    (custom / "partials" / "header.html").write_text(
        "<header class='report'><h1>Lotus Digital for {{ report.client }}</h1></header>"
    )
    html = render(small_plan, "html", tmp_path, "--templates", str(custom))
    assert "Lotus Digital for Shop X" in html
    assert 'id="scorecards"' in html and 'id="notes"' in html  # the rest still renders
    # a template can extend the packaged one and replace a single block
    (custom / "report.html").write_text(
        '{% extends "default:report.html" %}{% block alerts %}<p>no alerts here</p>{% endblock %}'
    )
    html = render(small_plan, "html", tmp_path, "--templates", str(custom))
    assert "no alerts here" in html and 'id="alerts"' not in html and 'id="weekly"' in html


def test_a_failed_render_leaves_the_previous_report(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    pace_small(small_plan, "-f", "html,md", "-o", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "broken"
    (broken / "partials").mkdir(parents=True)
    (broken / "partials" / "notes.html").write_text("{% if %}")
    _, stderr = pace_small(small_plan, "-f", "html,md", "-o", out, "--templates", broken, expect=2)
    assert "template error" in stderr and "notes.html" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched, no temp file


def test_several_formats_from_one_run(small_plan: Path, tmp_path: Path) -> None:
    pattern = str(tmp_path / "out" / "{client}" / "{as_of}.{ext}")
    run_cli(
        ["report", small_plan, "--as-of", "2026-03-05", "-f", "html,md,json,csv", "-o", pattern]
    )
    folder = tmp_path / "out" / "shop-x"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-03-05.csv",
        "2026-03-05.html",
        "2026-03-05.json",
        "2026-03-05.md",
        "history.csv",
        "latest.html",
        "latest.json",
        "latest.md",
    ]
    rows = (folder / "2026-03-05.csv").read_text().splitlines()
    assert rows[0] == (
        "as_of,scope,name,target_total,expected_to_date,actual_to_date,pace,projection,"
        "required_daily,status,level,channel,spend_share,change_vs_last_week,chance,"
        "interval_low,interval_high"
    )
    # money in whole dong, paces to 6 significant digits (test_end_to_end.py has the numbers);
    # the flight's first week has no week before it: no change; then the outlook's three
    assert rows[1].startswith(
        "2026-03-05,total,spend,10000000,3250000,3250000,1,10000000,1125000,on_track,total,,,,"
    )
    assert rows[2].startswith(
        "2026-03-05,total,orders,100,32.5,29,0.892308,89.2308,11.8333,at_risk,total,,,,"
    )
    assert all(len(r.split(",")) == 17 for r in rows)


@needs_chromium
def test_pdf_prints_through_chromium(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    pace_small(small_plan, "-f", "pdf", "-o", out)
    assert out.read_bytes().startswith(b"%PDF")


def test_pdf_without_chromium_says_how_to_get_one(small_plan: Path, tmp_path: Path) -> None:
    done = run_perfmkt(
        "report",
        small_plan,
        "--as-of",
        "2026-03-05",
        "-f",
        "pdf",
        "-o",
        tmp_path / "r.pdf",
        PATH=str(Path(sys.executable).parent),  # no browser on this PATH
    )
    assert done.returncode == 2
    assert "PDF needs a local Chromium" in done.stderr and "apt-get install chromium" in done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_same_span_of_the_previous_flight(small_plan: Path, tmp_path: Path) -> None:
    """The previous flight reads the same exports from 3 Mar: its days 1-4 are 3-6 Mar, with
    spend 500,000 + 1,100,000 + 1,150,000 (no data on 6 Mar) against this flight's 3,250,000."""
    previous = small_plan.parent / "previous.yaml"
    previous.write_text(
        small_plan.read_text()
        .replace("campaign: Spring sale", "campaign: Spring sale 2025")
        .replace("start: 2026-03-02, end: 2026-03-11", "start: 2026-03-03, end: 2026-03-12")
        .replace(
            "  - {start: 2026-03-02, end: 2026-03-03,", "  - {start: 2026-03-03, end: 2026-03-04,"
        )
    )
    small_plan.write_text(small_plan.read_text() + "previous: previous.yaml\n")
    result = json.loads(pace_small(small_plan, "-f", "json")[0])
    p = result["previous_flight"]
    assert (p["campaign"], p["start"], p["end"], p["days"]) == (
        "Spring sale 2025",
        "2026-03-03",
        "2026-03-06",
        4,
    )
    spend = next(k for k in p["kpis"] if k["name"] == "spend")
    assert spend["previous"] == 2_750_000
    assert spend["change"] == 0.181818  # 3,250,000 / 2,750,000 - 1, to 6 significant digits
    assert "Spring sale 2025" in render(small_plan, "md", tmp_path)


def test_a_vietnamese_report_says_its_notes_in_vietnamese(small_plan: Path, tmp_path: Path):
    md = render(small_plan, "md", tmp_path)
    assert "dòng tổng và chân trang" in md and "never data" not in md


# ---- the answer first ----------------------------------------------------------------------


def order_of(text: str, marks: list[str]) -> list[int]:
    return [text.index(m) for m in marks]


def test_the_report_reads_verdict_summary_then_detail(small_plan: Path, tmp_path: Path) -> None:
    html = render(small_plan, "html", tmp_path)
    sections = ["verdict", "summary", "scorecards", "campaigns", "weekly", "daily", "channels"]
    places = order_of(html, [f'id="{s}"' for s in [*sections, "notes"]])
    assert places == sorted(places)
    # the verdict names the worst KPI; the most severe sentence comes first
    assert "Chậm tiến độ — ROAS 2,37 so với kế hoạch 3,00 đến nay · ngày 4/10" in html
    assert html.index("ROAS đang ở mức 2,37") < html.index("Với tốc độ hiện tại, doanh thu")
    assert "Phụ lục: ghi chú dữ liệu" in html  # the data notes are an appendix
    md = render(small_plan, "md", tmp_path)
    headings = [
        "> **Chậm tiến độ",
        "## Tóm tắt",
        "## Chỉ số chính",
        "## Chiến dịch",
        "## Theo tuần",
    ]
    places = order_of(md, [*headings, "## Phụ lục"])
    assert places == sorted(places)


def test_campaign_breakdown_in_html_and_markdown(small_plan: Path, tmp_path: Path) -> None:
    """Meta's one campaign 1,550,000 of 3,250,000 spend (48 %), 9 orders: 172,222 per order;
    Google's renamed search campaign 1,150,000 for 15 orders. CPO's excess over 100,000 an
    order: Meta 1,550,000 − 900,000 = 650,000, SHOPX_Search 550,000 − 500,000 = 50,000."""
    html = render(small_plan, "html", tmp_path)
    md = render(small_plan, "md", tmp_path)
    assert (
        "| SHOPX \\| Prospecting \\| Sale | meta | 1.550.000\u00a0₫ | 48% | 9 | 172.222\u00a0₫ |"
        in md
    )
    assert "| SHOPX_Search_v2 | google | 1.150.000\u00a0₫ | 35% | 15 | 76.667\u00a0₫ |" in md
    assert "**Tất cả chiến dịch** (3 chiến dịch)" in md
    assert (
        "SHOPX \\| Prospecting \\| Sale 93% (650.000\u00a0₫); SHOPX_Search 7% (50.000\u00a0₫)" in md
    )  # whole amounts where compact ones would be no shorter
    assert "CPO cao hơn mục tiêu: 700.000\u00a0₫ chi vượt" in md
    table = html[html.index('id="campaigns"') : html.index('id="weekly"')]
    assert table.count("<tr") == 5  # header, three campaigns, total
    assert 'title="1.550.000\u00a0₫">1,55\u00a0tr\u00a0₫<' in table  # compact, full on hover


def test_week_labels_and_the_weeks_ahead(small_plan: Path, tmp_path: Path) -> None:
    """As of Thu 5 Mar the flight's week 2026-W10 is under way; W11 (9–11 Mar, 3 days) is
    ahead, with the remaining daily targets: 3 × 1,125,000 spend, 3 × 11.25 orders (33.75,
    shown 33,8: a count under 100 keeps its decimal)."""
    small_plan.write_text(
        small_plan.read_text().replace(
            "revenue: 3_000_000}", "revenue: 3_000_000, label: 'Tuần 1 – khởi động'}"
        )
        + "  - {start: 2026-03-09, end: 2026-03-11, label: Chốt sale}\n"
    )
    html = render(small_plan, "html", tmp_path)
    md = render(small_plan, "md", tmp_path)
    assert "<strong>Tuần 1 – khởi động</strong>" in html
    assert "| **Tuần 1 – khởi động** · 2026-W10 (02/03 – 08/03) | 4/7 |" in md
    assert "### Các tuần tới: mục tiêu" in md
    assert "| **Chốt sale** · 2026-W11 (09/03 – 11/03) | 3 | 3.375.000\u00a0₫ | 33,8 |" in md


def test_objective_and_target_are_different_words(small_plan: Path, tmp_path: Path) -> None:
    html = render(small_plan, "html", tmp_path)
    assert "Loại chiến dịch: Thương mại điện tử" in html
    assert "Mục tiêu: Thương mại" not in html


# ---- client-safe ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_white_labelled_report_never_names_perfmkt(
    small_plan: Path, tmp_path: Path, fmt: str
) -> None:
    plain = render(small_plan, fmt, tmp_path)
    assert "perfmkt" in plain.lower()  # unbranded, the tool signs the report
    logo = small_plan.parent / "logo.png"
    shutil.copy(ROOT / "sample_data" / "screenshots" / "agency-logo.png", logo)
    small_plan.write_text(
        small_plan.read_text() + "branding: {agency: Lotus Digital, logo: logo.png}\n"
    )
    branded = render(small_plan, fmt, tmp_path)
    assert "perfmkt" not in branded.lower()
    header = branded[: branded.index('id="verdict"' if fmt == "html" else "## Tóm tắt")]
    assert "Lotus Digital" in header
    if fmt == "html":
        assert '<img class="logo" src="data:image/png;base64,' in branded
        assert '<span class="agency">Lotus Digital</span>' in branded


def test_warnings_name_files_without_their_folders(small_plan: Path, tmp_path: Path) -> None:
    """A source matching no file is a warning; the client reads the pattern, in Vietnamese,
    not the folders of the machine that made the report."""
    small_plan.write_text(
        small_plan.read_text().replace(
            "sources:\n", "sources:\n  - path: exports/tiktok/*.csv\n", 1
        )
    )
    html = render(small_plan, "html", tmp_path)
    warnings = html[html.index('id="warnings"') : html.index('id="scorecards"')]
    assert "không khớp tệp nào" in warnings and "matches no file" not in warnings
    assert str(tmp_path) not in warnings and "*.csv" in warnings


# ---- pieces ---------------------------------------------------------------------------------


def test_bullet_marks_share_one_scale() -> None:
    from perfmkt.pacing import KpiPace
    from perfmkt.render.documents import bullet

    def kpi(**values: float | None) -> KpiPace:
        base = dict.fromkeys(
            ("target_total", "expected_to_date", "actual_to_date", "projection"), None
        )
        return KpiPace(
            name="revenue", label="Revenue", direction="higher", kind="money",
            pace=None, projection_pace=None, required_daily=None, status="off_track",
            **{**base, **values},
        )  # fmt: skip

    # target 2,700 is the largest: scale 2,700 × 1.08 = 2,916
    marks = bullet(kpi(target_total=2700, expected_to_date=1245.7, actual_to_date=962.8,
                       projection=2087.0))  # fmt: skip
    assert marks == {
        "actual": 33.0, "expected": 42.7, "projection": 71.6, "target": 92.6,
        "low": None, "high": None,
    }  # fmt: skip
    # a projection past the target sets the scale: 918 × 1.08 = 991.44
    marks = bullet(kpi(target_total=900, expected_to_date=444, actual_to_date=446, projection=918))
    assert marks["projection"] == 92.6 and marks["target"] == 90.8
    assert bullet(kpi())["actual"] is None
    # the 80 % band on the same scale; its top past the rest sets it: 952 × 1.08 = 1,028.16
    marks = bullet(kpi(target_total=900, expected_to_date=444, actual_to_date=446, projection=918,
                       projection_interval=(880, 952)))  # fmt: skip
    assert (marks["low"], marks["high"], marks["target"]) == (85.6, 92.6, 87.5)


def test_change_tone_follows_the_kpi_direction() -> None:
    from perfmkt.render.documents import tone

    assert tone("revenue", 0.12) == "good" and tone("revenue", -0.12) == "bad"
    assert tone("cpo", 0.12) == "bad" and tone("cpo", -0.12) == "good"
    assert tone("spend", 0.6) == "neutral" and tone("cpo", None) == "neutral"
    assert tone("cpo", 0.004) == "neutral"  # under half a percent reads as no change
    fmt = Formatter("VND", "vi_VN")
    assert fmt.signed(0.625829) == "+63%" and fmt.signed(-0.0616645) == "\u22126%"
    assert fmt.signed(0.001) == "0%" and fmt.signed(None) == "—"


def test_csv_carries_the_campaign_breakdown(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    pace_small(small_plan, "-f", "csv", "-o", out)
    rows = [r.split(",") for r in out.read_text().splitlines()]
    campaign = [r for r in rows if r[10] == "campaign"]
    assert [r[1:3] for r in campaign[:5]] == [
        ["SHOPX | Prospecting | Sale", n] for n in ("spend", "orders", "cpo", "revenue", "roas")
    ]
    # spend 1,550,000 (47.6923 % of 3,250,000), 9 orders, 172,222 per order, ROAS 29/15.5
    assert [r[5] for r in campaign[:5]] == ["1550000", "9", "172222", "2900000", "1.87097"]
    assert {r[11] for r in campaign[:5]} == {"meta"} and campaign[0][12] == "0.476923"
    assert len(campaign) == 15 and {r[10] for r in rows[1:]} == {"total", "campaign"}


# ---- one language ---------------------------------------------------------------------------


def english_sentences(tmp_path: Path) -> list[str]:
    """Every kind of sentence the code writes into data notes and warnings, from the real
    producers: export readers on small broken files, the re-download rule, the as-of choice
    and report-level checks on the small plan."""
    from datetime import date, datetime

    from perfmkt.freshness import Coverage, choose_as_of
    from perfmkt.sources.overlap import DownloadInfo
    from perfmkt.sources.overlap import reason as newer_because
    from perfmkt.sources.reader import read_export
    from perfmkt.sources.shop import ShopOptions, read_shop_export

    said: list[str] = []
    exports = {
        "negative.csv": "Day,Campaign,Cost,Impr.,Conversions\n2026-01-01,A,5,10,-1\n",
        "short.csv": "Day,Campaign,Cost,Clicks,Conversions\n2026-01-01,A,5,1,2\n"
        "2026-01-02,A,6\n2026-01-03,A,7,1,1\n",
        "twice.csv": "Day,Campaign,Cost,Impr.\n2026-01-01,A,5,10\n2026-01-01,A,6,12\n",
        "ids.csv": "Reporting starts,Reporting ends,Campaign ID,Campaign name,Amount spent (VND)\n"
        "2026-03-01,2026-03-01,2.38512E+16,A,5\n",
        "range.csv": "Report\nJanuary 1, 2026 - January 1, 2026\nDay,Campaign,Cost\n"
        "2026-01-01,A,1\n2026-01-02,A,1\n",
        "empty.csv": "Day,Campaign,Cost\n",
        "totals.csv": "Day,Campaign,Cost\n2026-01-01,A,1\nTotal: Campaigns,,1\n",
    }
    for name, text in exports.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        _, info = read_export(path)
        said += [f"{path}: {w}" for w in info.warnings] + list(info.skipped)
        if info.rows_read == 0:
            said.append(f"{path}: no data rows")
    shop = tmp_path / "orders.csv"
    shop.write_text(
        "id,day,total,status\nA,2026-03-01,100,paid\nC,2026-03-02\nA,2026-03-01,100,paid\n"
        "B,2026-03-02,5,refunded\n"
    )
    columns = {"order_id": "id", "date": "day", "revenue": "total", "status": "status"}
    _, info = read_shop_export(shop, ShopOptions(columns=columns))
    said += [f"{shop}: {w}" for w in info.warnings] + list(info.skipped)

    def download(name: str, mtime: float, end: int, **more: object) -> DownloadInfo:
        return DownloadInfo(name, "meta", mtime, date(2026, 1, 1), date(2026, 1, end), **more)  # type: ignore[arg-type]

    made = {"made_at_from": "Report Time"}
    pairs = [
        (download("a", 1, 5), download("b", 2, 6), False),
        (download("a", 1, 5), download("b", 2, 5), False),
        (download("a", 1, 5), download("b", 1, 5), False),
        (download("a", 1, 5, order="name"), download("b", 1, 5, order="name"), False),
        (download("a", 1, 5, order="modified"), download("b", 2, 5, order="modified"), False),
        (download("a", 1, 5, order="modified"), download("b", 1, 5, order="modified"), False),
        (
            download("a", 1, 5, made_at=datetime(2026, 1, 6, 8), **made),
            download("b", 1, 5, made_at=datetime(2026, 1, 6, 9), **made),
            True,
        ),
        (
            download("a", 1, 5, made_at=datetime(2026, 1, 6, 8)),
            download("b", 1, 5, made_at=datetime(2026, 1, 6, 9)),
            False,
        ),
        (
            DownloadInfo("a", "meta", 1, date(2026, 1, 2), date(2026, 1, 5)),
            download("b", 2, 5),
            False,
        ),
    ]
    said += [newer_because(old, new, stamped) for old, new, stamped in pairs]

    day = date(2026, 3, 10)
    late = Coverage("meta", ["m.csv"], date(2026, 3, 9), date(2026, 3, 7))
    fresh = Coverage("google_ads", ["g.csv"], date(2026, 3, 9), date(2026, 3, 9))
    partial = Coverage(
        "shop orders", ["o.csv"], date(2026, 3, 8), date(2026, 3, 7), date(2026, 3, 8),
        "o.csv", "2026-03-08 14:05",
    )  # fmt: skip
    start, end, zone = date(2026, 3, 1), date(2026, 3, 31), "Asia/Ho_Chi_Minh"
    for reach, asked, today in [
        ([late, fresh], None, day),
        ([partial, fresh], None, day),
        ([fresh], None, day),
        ([], None, day),
        ([], None, date(2026, 5, 1)),
        ([late, partial], date(2026, 3, 9), day),
        ([], date(2026, 4, 9), day),
    ]:
        chosen = choose_as_of(reach, today, start, end, zone, asked=asked)
        said += [chosen.reason, *chosen.warnings]
    spread = Coverage("meta", ["m.csv"], date(2026, 3, 9), date(2026, 3, 6))
    said.append(choose_as_of([spread, late, fresh], day, start, end, zone).reason)
    return said


def report_sentences(small_plan: Path) -> list[str]:
    """Notes and warnings of the small plan with a channel matching nothing, a source
    matching no file, weekday weights to learn too early, an attribution the exports do not
    have, and an as-of day with no claimed rows."""
    text = small_plan.read_text()
    text = text.replace("sources:\n", "sources:\n  - path: exports/tiktok/*.csv\n", 1)
    text = text.replace(
        '  meta: {platform: meta, campaigns: "^SHOPX"}',
        '  meta: {platform: meta, campaigns: "^SHOPX", attribution: 28d_click}\n'
        '  tiktok: {platform: tiktok, campaigns: "^NONE"}',
    )
    small_plan.write_text(text + "shape: {weekday_weights: learn}\n")
    said = []
    for day in ("2026-03-05", "2026-03-02"):
        result = json.loads(run_cli(["report", small_plan, "--as-of", day, "-f", "json"])[0])
        notes = result["notes"]
        said += [result["as_of_reason"], *notes["warnings"]]
        said += [s["reason"] for s in notes["rows_skipped"]]
        said += [o["reason"] for o in notes["overlaps"] if o["reason"]]
    empty = small_plan.parent / "empty.yaml"
    empty.write_text(small_plan.read_text().replace('campaigns: "^SHOPX', 'campaigns: "^NONE'))
    result = json.loads(run_cli(["report", empty, "--as-of", "2026-03-05", "-f", "json"])[0])
    said += result["notes"]["warnings"]
    return said


def test_every_note_and_warning_sentence_reads_in_vietnamese(
    small_plan: Path, tmp_path: Path
) -> None:
    from perfmkt.i18n import reason

    said = english_sentences(tmp_path) + report_sentences(small_plan)
    kinds = {s.split(":")[0] if s.startswith("/") else s[:24] for s in said}
    assert len(set(said)) >= 35 and len(kinds) >= 20  # the producers really spoke
    untranslated = [s for s in dict.fromkeys(said) if reason(s, "vi") == s]
    assert untranslated == []
    for s in said:  # none of the sentence's English words are left over
        vi = reason(s, "vi")
        for word in (" the ", " is ", " are ", " rows ", " was ", " later ", " than "):
            assert word not in vi.replace(str(tmp_path), ""), (s, vi)


# ---- the template context is documented -----------------------------------------------------


def documented(section: str) -> set[str]:
    """The backticked names opening each list item of one section of templates/README.md."""
    import re

    text = (ROOT / "templates" / "README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in body.splitlines():
        if line.startswith("- "):
            head = line[2:].split(" — ", 1)[0]
            names.update(re.findall(r"`([^`]+)`", head))
    return names


def test_templates_readme_documents_the_whole_context(small_plan: Path) -> None:
    from dataclasses import fields

    import jinja2

    from perfmkt.render.documents import _filters, context
    from perfmkt.report import Report, report_from_plan_file

    report = report_from_plan_file(small_plan, as_of=date(2026, 3, 5))
    values = context(report, 14, with_charts=False)
    assert documented("Context") == set(values)
    assert documented("Report fields") == {f.name for f in fields(Report)}
    env = jinja2.Environment()
    builtin = dict(env.filters)
    _filters(env, values["fmt"], values["L"], report.locale)
    ours = {name for name, f in env.filters.items() if builtin.get(name) is not f}
    assert documented("Filters") == ours  # "count" replaces Jinja's own


def test_a_template_that_breaks_while_rendering_is_one_line(small_plan: Path, tmp_path: Path):
    """A filter called wrongly in an agency's override is its template's fault: one line with
    the file and line, exit 2 (not the 'unexpected error' of a perfmkt bug)."""
    override = tmp_path / "brand" / "partials"
    override.mkdir(parents=True)
    (override / "header.html").write_text("<h1>ok</h1>\n{{ 1 | value }}\n", encoding="utf-8")
    out = tmp_path / "r.html"
    _, stderr = pace_small(
        small_plan, "-f", "html", "-o", out, "--templates", tmp_path / "brand", expect=2
    )
    assert stderr.startswith(f"perfmkt: error: {override / 'header.html'}:2: template error:")
    assert stderr.count("\n") == 1 and not out.exists()


def test_a_templates_folder_that_does_not_exist_is_refused(small_plan: Path, tmp_path: Path):
    _, stderr = pace_small(small_plan, "--templates", tmp_path / "typo", expect=2)
    assert "does not exist" in stderr


def test_a_bug_under_perfmkts_own_templates_is_not_blamed_on_a_template(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A KeyError in a helper the packaged templates call is perfmkt's bug: it propagates (the
    CLI reports an unexpected error with a log), not 'template error' at a template line."""
    from perfmkt.render import documents
    from perfmkt.report import report_from_plan_file

    report = report_from_plan_file(small_plan)

    def broken(*args: object) -> str:
        raise KeyError("oops")

    monkeypatch.setattr(documents, "chance_text", broken)
    with pytest.raises(KeyError):
        documents.render(report, "html")


def test_markdown_writes_a_comparison_as_the_tables_do(tmp_path: Path) -> None:
    """ "< 1%" in a sentence, as in the KPI table beside it (not "&lt; 1%", which a reader of
    the raw file sees); a < that could open a tag and a > that could start a quote still do
    nothing."""
    from perfmkt.render.documents import md_cell

    assert md_cell("(chance to hit: < 1%)") == "(chance to hit: < 1%)"
    assert md_cell("x > 99%, 0 < b ≤ 1") == "x > 99%, 0 < b ≤ 1"
    assert md_cell("> 99%") == "&gt; 99%"  # opening a line: a quote
    assert md_cell("a <b>c</b>") == "a &lt;b&gt;c&lt;/b&gt;"
    assert md_cell("a< b") == "a&lt; b"
    out = tmp_path / "demo.md"
    run_cli(["report", ROOT / "configs" / "demo.yaml", "-f", "md", "-o", out])
    md = out.read_text(encoding="utf-8")
    assert "(khả năng đạt: < 1%)" in md and "&lt;" not in md
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(md)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [c for c in inline if c.type == "html_inline"]
    assert not [t for t in tokens if t.type == "html_block"]
    assert [t.type for t in tokens].count("blockquote_open") == 1  # the verdict's, no other
