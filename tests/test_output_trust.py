"""Outputs a reader can trust: every plan keeps its own files in a shared folder, the history
survives concurrent and damaged runs, numbers are rounded to what they mean, names from ad
accounts are inert, warnings reach stderr (and --strict), notifications never hold a batch,
and a run killed while writing leaves complete files only.

Numbers are the small plan's (tests/test_end_to_end.py), as of 5 Mar 2026."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import signal
import socketserver
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from perfmkt.output import slug
from perfmkt.serialize import csv_cell, money, round_number, rounded, significant
from tests.conftest import ROOT, Inbox, pace_small, run_cli, run_perfmkt, start_perfmkt

DEMO = ROOT / "configs" / "demo.yaml"
AS_OF = ["--as-of", "2026-03-05"]


def sibling(plan: Path, name: str, **replace: str) -> Path:
    """A copy of ``plan`` beside it (same exports) with some of its text replaced."""
    text = plan.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    copy = plan.with_name(name)
    copy.write_text(text)
    return copy


def autumn(plan: Path) -> Path:
    """Another campaign of the same client."""
    return sibling(plan, "autumn.yaml", **{"campaign: Spring sale": "campaign: Autumn sale"})


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- Batches and outputs: one plan never touches another's files -----------------------------


def test_two_campaigns_of_one_client_keep_their_own_files_in_one_folder(
    small_plan: Path, tmp_path: Path
) -> None:
    """A real batch process, then a rerun of one plan: it replaces only its own files and rows."""
    other = autumn(small_plan)
    out = tmp_path / "reports"
    done = run_perfmkt("report", small_plan, other, *AS_OF, "-f", "html,md,json", "-o", out)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "history.csv",
        "latest-shop-x-autumn-sale.html",
        "latest-shop-x-autumn-sale.json",
        "latest-shop-x-autumn-sale.md",
        "latest-shop-x-spring-sale.html",
        "latest-shop-x-spring-sale.json",
        "latest-shop-x-spring-sale.md",
        "shop-x-autumn-sale-2026-03-05.html",
        "shop-x-autumn-sale-2026-03-05.json",
        "shop-x-autumn-sale-2026-03-05.md",
        "shop-x-spring-sale-2026-03-05.html",
        "shop-x-spring-sale-2026-03-05.json",
        "shop-x-spring-sale-2026-03-05.md",
    ]
    assert json.loads((out / "latest-shop-x-autumn-sale.json").read_text())["campaign"] == (
        "Autumn sale"
    )
    history = pl.read_csv(out / "history.csv")
    # 5 KPIs in total for each plan, each row carrying its plan
    assert history.group_by("campaign").len().sort("campaign").rows() == [
        ("Autumn sale", 5),
        ("Spring sale", 5),
    ]
    assert set(history["client"]) == {"Shop X"}
    autumn_files = {k: v for k, v in tree(out).items() if "autumn" in k}
    autumn_rows = history.filter(pl.col("campaign") == "Autumn sale")

    done = run_perfmkt("report", small_plan, "--as-of", "2026-03-04", "-f", "html,md", "-o", out)
    assert done.returncode == 0, done.stderr
    assert {k: v for k, v in tree(out).items() if "autumn" in k} == autumn_files
    history = pl.read_csv(out / "history.csv")
    assert history.filter(pl.col("campaign") == "Autumn sale").equals(autumn_rows)
    spring = history.filter(pl.col("campaign") == "Spring sale")
    assert sorted(set(spring["as_of"])) == ["2026-03-04", "2026-03-05"]


def test_a_pattern_two_plans_share_is_refused_before_anything_is_written(
    small_plan: Path, tmp_path: Path
) -> None:
    other = autumn(small_plan)
    reports = tmp_path / "reports"
    pattern = reports / "{client}" / "{as_of}.{ext}"
    args = ["report", small_plan, other, DEMO, *AS_OF, "-f", "html,md", "-o", pattern]
    done = run_perfmkt(*args)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    day = reports / "shop-x" / "2026-03-05.html"
    assert errors == [
        f"perfmkt: error: {small_plan}: would write {day}, as {other} (Shop X / Autumn sale) "
        "does: put {campaign} in the -o pattern; nothing written for either",
        f"perfmkt: error: {other}: would write {day}, as {small_plan} (Shop X / Spring sale) "
        "does: put {campaign} in the -o pattern; nothing written for either",
    ]
    assert not (reports / "shop-x").exists()
    # the batch's other plan still ran (the demo's as-of is capped at its data: 3 Feb)
    assert (reports / "tra-sen-tay-ho" / "latest.html").is_file()


def test_the_same_names_in_two_plans_are_refused(small_plan: Path, tmp_path: Path) -> None:
    copy = sibling(small_plan, "copy.yaml")
    out = tmp_path / "reports"
    _, stderr = run_cli(["report", small_plan, copy, *AS_OF, "-f", "md", "-o", out], expect=2)
    assert stderr.splitlines()[0] == (
        f"perfmkt: error: {small_plan}: would write {out}/shop-x-spring-sale-2026-03-05.md, as "
        f"{copy} (Shop X / Spring sale) does: both plans have the same client and campaign: "
        "rename one's campaign; nothing written for either"
    )
    assert not out.exists()
    # one plan named twice (plans/*.yaml plans/shop.yaml) is one plan: it runs once
    run_cli(["report", small_plan, small_plan, *AS_OF, "-f", "md", "-o", out])


def test_patterns_name_latest_by_what_tells_plans_apart(small_plan: Path, tmp_path: Path):
    other = autumn(small_plan)
    own = tmp_path / "own" / "{client}" / "{campaign}" / "{as_of}.{ext}"
    run_cli(["report", small_plan, other, *AS_OF, "-f", "md", "-o", own, "-q"])
    for campaign in ("spring-sale", "autumn-sale"):  # a folder per plan: plain latest.md
        folder = tmp_path / "own" / "shop-x" / campaign
        assert sorted(p.name for p in folder.iterdir()) == [
            "2026-03-05.md",
            "history.csv",
            "latest.md",
        ]
    shared = tmp_path / "shared" / "{client}" / "{campaign}-{as_of}.{ext}"
    run_cli(["report", small_plan, other, *AS_OF, "-f", "md", "-o", shared, "-q"])
    folder = tmp_path / "shared" / "shop-x"
    assert sorted(p.name for p in folder.iterdir()) == [
        "autumn-sale-2026-03-05.md",
        "history.csv",
        "latest-autumn-sale.md",
        "latest-spring-sale.md",
        "spring-sale-2026-03-05.md",
    ]
    assert pl.read_csv(folder / "history.csv")["campaign"].n_unique() == 2


NAMES = {
    "Trà Sen Tây Hồ": "tra-sen-tay-ho",
    "Đà Nẵng Tết 2026": "da-nang-tet-2026",
    "茶园": "茶园",
    "ร้านชาไทย": "ร้านชาไทย",  # Thai keeps its vowel and tone marks
    "Чайный дом": "чайный-дом",
    "Shop X / Spring sale!": "shop-x-spring-sale",
}


def test_client_names_in_any_script_give_distinct_readable_file_names() -> None:
    for name, expected in NAMES.items():
        assert slug(name) == expected
        assert slug(unicodedata.normalize("NFD", name)) == expected  # however it was typed
        assert unicodedata.is_normalized("NFC", slug(name))
    # no letter at all: a short hash of the name, never one shared fallback
    assert re.fullmatch(r"n-[0-9a-f]{8}", slug("🍵🍵"))
    assert slug("🍵🍵") != slug("☕") != slug("")
    long = slug("Chiến dịch " * 20)
    assert len(long) <= 57 and long.startswith("chien-dich-chien-dich")
    assert long != slug("Chiến dịch " * 21)


def test_plans_of_clients_in_other_scripts_do_not_share_files(
    small_plan: Path, tmp_path: Path
) -> None:
    tea = sibling(small_plan, "tea.yaml", **{"client: Shop X": "client: 茶园"})
    russian = sibling(small_plan, "ru.yaml", **{"client: Shop X": "client: Чайный дом"})
    thai = sibling(small_plan, "th.yaml", **{"client: Shop X": "client: ร้านชาไทย"})
    out = tmp_path / "reports"
    run_cli(["report", tea, russian, thai, *AS_OF, "-f", "md", "-o", out, "-q"])
    assert sorted(p.name for p in out.iterdir()) == [
        "history.csv",
        "latest-чайный-дом-spring-sale.md",
        "latest-ร้านชาไทย-spring-sale.md",
        "latest-茶园-spring-sale.md",
        "чайный-дом-spring-sale-2026-03-05.md",
        "ร้านชาไทย-spring-sale-2026-03-05.md",
        "茶园-spring-sale-2026-03-05.md",
    ]
    assert set(pl.read_csv(out / "history.csv")["client"]) == {"茶园", "Чайный дом", "ร้านชาไทย"}


# --- history.csv: concurrent runs, damaged files ---------------------------------------------


def test_two_runs_at_once_keep_both_plans_history_rows(small_plan: Path, tmp_path: Path) -> None:
    """Two processes started together; every write is slowed down (half, a pause, the rest),
    so without the folder's lock both would read the history before either wrote it, and
    the last to write would drop the other's rows."""
    other = autumn(small_plan)
    out = tmp_path / "reports"
    slow = {"PERFMKT_TEST_SLOW_WRITE": "0.4"}
    runs = [
        start_perfmkt("report", plan, *AS_OF, "-f", "md", "-o", out, "-q", **slow)
        for plan in (small_plan, other)
    ]
    runs.append(
        start_perfmkt("report", small_plan, "--as-of", "2026-03-04", "-f", "md", "-o", out, **slow)
    )
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
    history = pl.read_csv(out / "history.csv")
    assert history.group_by("campaign", "as_of").len().sort("campaign", "as_of").rows() == [
        ("Autumn sale", "2026-03-05", 5),
        ("Spring sale", "2026-03-04", 5),
        ("Spring sale", "2026-03-05", 5),
    ]
    assert not list(out.glob(".*.tmp"))


def test_a_damaged_history_is_set_aside_with_a_warning(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    damaged = 'as_of,scope\n2026-03-04,"total\n\x00\x01 not csv'
    (out / "history.csv").write_text(damaged)
    _, stderr = pace_small(small_plan, "-f", "md", "-o", out)
    (aside,) = out.glob("history.csv.damaged-*")
    assert re.fullmatch(r"history\.csv\.damaged-\d{8}-\d{6}", aside.name)
    assert aside.read_text() == damaged  # kept for a person to look at
    (warning,) = [line for line in stderr.splitlines() if line.startswith("perfmkt:")]
    assert re.fullmatch(
        rf"perfmkt: warning: {re.escape(f'{small_plan}: {out}/history.csv')}: the history cannot "
        rf"be read \(.+\); moved aside to {aside.name}, a new history starts",
        warning,
    )
    assert pl.read_csv(out / "history.csv").height == 5  # a new history, this run's rows
    _, stderr = pace_small(small_plan, "-f", "md", "-o", out)  # and the next run is clean
    assert "perfmkt: warning" not in stderr


def test_a_history_that_cannot_be_written_is_exit_2_even_with_fail_on(
    small_plan: Path, tmp_path: Path
) -> None:
    """The reports are written; the history is not, which is the user's to fix (exit 2), and
    outweighs --fail-on's 1 (revenue and ROAS are off track)."""
    out = tmp_path / "reports"
    (out / "history.csv").mkdir(parents=True)
    _, stderr = pace_small(small_plan, "-f", "md", "-o", out, "--fail-on", "off_track", expect=2)
    assert stderr.splitlines()[0] == (
        f"perfmkt: error: {out}/history.csv: cannot write: Is a directory"
    )
    assert (out / "latest-shop-x-spring-sale.md").is_file()


def test_a_history_from_before_plans_had_rows_of_their_own_is_kept(
    small_plan: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "history.csv").write_text(
        "as_of,scope,kpi,target_total,expected_to_date,actual_to_date,pace,status\n"
        "2026-03-01,total,spend,10000000,1000000,900000,0.9,at_risk\n"
    )
    _, stderr = pace_small(small_plan, "-f", "md", "-o", out)
    assert "perfmkt: warning" not in stderr
    history = pl.read_csv(out / "history.csv")
    old = history.filter(pl.col("as_of") == "2026-03-01")
    assert old.select("client", "campaign", "actual_to_date").rows() == [(None, None, 900000)]
    assert history.filter(pl.col("campaign") == "Spring sale").height == 5


# --- -o and --format -------------------------------------------------------------------------


def test_the_file_extension_chooses_the_format(small_plan: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    pace_small(small_plan, "-o", page)
    assert page.read_text().lstrip().lower().startswith("<!doctype html")
    both = tmp_path / "x.html"
    pace_small(small_plan, "-f", "html,md", "-o", both)
    assert both.is_file() and (tmp_path / "x.md").read_text().startswith("# Shop X")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "small", "x.html", "x.md"]
    _, stderr = pace_small(small_plan, "-f", "json", "-o", tmp_path / "y.html", expect=2)
    assert stderr == (
        f"perfmkt: error: {tmp_path}/y.html: the file name says html but --format asks for "
        "json (name the file for its format, or give a folder or a pattern with {ext})\n"
    )
    assert not (tmp_path / "y.html").exists()
    _, stderr = pace_small(small_plan, "-f", "md", "-o", tmp_path / "{client}.html", expect=2)
    assert stderr == (
        f"perfmkt: error: {tmp_path}/{{client}}.html: the file name says html but --format asks "
        "for md (name the file for its format, or end the pattern with .{ext})\n"
    )


# --- numbers rounded to what they mean ------------------------------------------------------


def test_rounding_helpers() -> None:
    assert significant(99.99999999999996) == 100.0
    assert significant(0.1 + 0.2) == 0.3
    assert significant(29 / 32.5) == 0.892308
    assert significant(12_345_678.4) == 12_345_678.0  # never an integer digit lost
    assert str(significant(-0.0)) == "0.0" and str(money(-0.004, "USD")) == "0.0"
    assert money(2.675, "USD") == 2.68  # half up, on the decimal the number shows
    assert money(1_234.5, "VND") == 1_235 and isinstance(money(1.0, "VND"), int)
    assert money(1.2345, "KWD") == 1.235  # three decimals
    assert round_number(99.99999999999996, "count", "VND") == 100
    assert round_number(None, "money", "VND") is None
    assert rounded({"fx": {"USD": 25_400.123456}}, "VND") == {"fx": {"USD": 25_400.1}}
    assert csv_cell(-1.5) == "-1.5" and csv_cell("-1.5") == "'-1.5"
    for text in ("=1+1", "+1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text


def all_floats(value: object) -> Iterator[float]:
    if isinstance(value, dict):
        for item in value.values():
            yield from all_floats(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_floats(item)
    elif isinstance(value, float):
        yield value


def test_json_numbers_are_rounded_to_what_they_mean(small_plan: Path) -> None:
    result = json.loads(pace_small(small_plan, "-f", "json")[0])
    kpis = {k["name"]: k for k in result["kpis"]}
    # hand-checked (test_end_to_end.py): money in whole dong, paces to 6 significant digits
    assert kpis["cpo"]["actual_to_date"] == 112_069  # 3,250,000 / 29 = 112,068.97
    assert kpis["orders"]["pace"] == 0.892308  # 29 / 32.5
    assert kpis["orders"]["projection"] == 89.2308  # 29 + 67.5 × 29 / 32.5 = 89.230769…
    assert kpis["roas"]["actual_to_date"] == 2.36923  # 7,700,000 / 3,250,000
    assert kpis["revenue"]["projection"] == 23_692_308  # 7,700,000 + 20,250,000 × 0.789744
    assert isinstance(kpis["spend"]["target_total"], int)
    for value in all_floats(result):
        assert value.is_integer() or float(f"{value:.6g}") == value, value


def test_money_in_a_currency_with_cents(small_plan: Path) -> None:
    """The plan in USD, the exports' dong converted at 0.00004: spend 3,250,000 ₫ = $130,
    revenue 7,700,000 ₫ = $308, CPO 130 / 29 = $4.482758… → 4.48."""
    small_plan.write_text(
        small_plan.read_text().replace("currency: VND", "currency: USD\nfx: {VND: 0.00004}")
    )
    kpis = {k["name"]: k for k in json.loads(pace_small(small_plan, "-f", "json")[0])["kpis"]}
    assert kpis["spend"]["actual_to_date"] == 130.0
    assert kpis["revenue"]["actual_to_date"] == 308.0
    assert kpis["cpo"]["actual_to_date"] == 4.48
    assert kpis["roas"]["actual_to_date"] == 2.36923


def test_identical_runs_give_byte_identical_files(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ["-f", "json,csv,md", "-o", out, "-q"]
    pace_small(small_plan, *args)
    first = tree(out)
    time.sleep(1.1)  # a clock in any file would show now
    pace_small(small_plan, *args)
    assert tree(out) == first
    assert set(first) >= {"history.csv", "shop-x-spring-sale-2026-03-05.json"}
    history = first["history.csv"].decode()
    assert "2026-03-05,Shop X,Spring sale,total,cpo,100000,100000,112069,0.892308,at_risk" in (
        history
    )


# --- names from ad accounts are inert ------------------------------------------------------


HOSTILE = "<img src=x onerror=alert(1)> [click](http://evil.example) *x* & `y`"


def test_names_are_inert_in_markdown(small_plan: Path, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    meta = small_plan.parent / "exports" / "meta" / "Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv"
    meta.write_text(
        meta.read_text(encoding="utf-8-sig").replace('"Page likes"', json.dumps(HOSTILE)),
        encoding="utf-8",
    )
    small_plan.write_text(
        small_plan.read_text()
        .replace("client: Shop X", 'client: "Shop <b>X</b>"')
        .replace(
            "  meta: {platform: meta", '  "<i>meta</i> [m](http://evil.example)": {platform: meta'
        )
    )
    out = tmp_path / "r.md"
    pace_small(small_plan, "-o", out)
    md = out.read_text()
    assert "<img" not in md and "<b>" not in md and "<i>" not in md
    assert (
        "&lt;img src=x onerror=alert(1)&gt; \\[click\\](http://evil.example) \\*x\\* &amp; \\`y\\`"
        in md
    )
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(md)
    assert not [t for t in tokens if t.type == "html_block"]
    # wherever a hostile name is (heading, table cell, list of unclaimed campaigns), it is one
    # piece of text that reads as it was written: no tag, link, image, code or emphasis
    children = [
        c
        for t in tokens
        if t.type == "inline" and any(m in t.content for m in ("&lt;img", "&lt;b&gt;", "evil."))
        for c in t.children or []
    ]
    assert {c.type for c in children} <= {"text", "strong_open", "strong_close"}  # the template's
    for name in ("Shop <b>X</b>", "<i>meta</i> [m](http://evil.example)", HOSTILE):
        assert any(name in c.content for c in children if c.type == "text"), name


def test_names_cannot_run_as_spreadsheet_formulas(small_plan: Path, tmp_path: Path) -> None:
    """A channel named like a formula, and a negative ROI: with a 30 % margin, (7,700,000 ×
    0.3 - 3,250,000) / 3,250,000 = -0.289231, pace against 0.5 = -0.578462."""
    sibling(
        small_plan,
        "plan.yaml",
        **{
            '  google: {platform: google_ads, campaigns: "^SHOPX_"}': (
                '  "=HYPERLINK(\\"http://evil.example\\")": {platform: google_ads, '
                'campaigns: "^SHOPX_", kpis: {orders: 10}}'
            ),
            "  roas: 3.0\n": "  roas: 3.0\n  roi: 0.5\nmargin: 0.3\n",
        },
    )
    out = tmp_path / "reports"
    pace_small(small_plan, "-f", "csv", "-o", out)
    text = (out / "shop-x-spring-sale-2026-03-05.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    level = rows[0].index("level")
    paced = [r[:level] for r in rows[1:] if r[level] in ("total", "channel")]
    assert paced[5:] == [
        ["2026-03-05", "total", "roi", "0.5", "0.5", "-0.289231", "-0.578462", "-0.289231", "",
         "off_track"],
        # google's 20 orders against its own target of 10
        ["2026-03-05", "'=HYPERLINK(\"http://evil.example\")", "orders", "10", "3.25", "20",
         "6.15385", "61.5385", "0", "on_track"],
    ]  # fmt: skip
    history = list(csv.reader(io.StringIO((out / "history.csv").read_text())))
    scopes = {r[3] for r in history[1:]}  # as_of, client, campaign, scope, …
    assert scopes == {"total", '\'=HYPERLINK("http://evil.example")'}


# --- warnings reach people ------------------------------------------------------------------


def unmatched(plan: Path) -> Path:
    plan.write_text(plan.read_text().replace('campaigns: "^SHOPX"}', 'campaigns: "^NOPE"}'))
    return plan


WARNING = "channel 'meta' (meta, campaigns '^NOPE') matches no rows: its numbers are 0"


def test_data_warnings_go_to_stderr_for_every_plan(small_plan: Path, tmp_path: Path) -> None:
    clean = autumn(small_plan)
    plan = unmatched(small_plan)
    out = tmp_path / "reports"
    done = run_perfmkt("report", plan, clean, *AS_OF, "-f", "md", "-o", out)
    assert done.returncode == 0
    assert [line for line in done.stderr.splitlines() if line.startswith("perfmkt:")] == [
        f"perfmkt: warning: {plan}: {WARNING}"
    ]
    done = run_perfmkt("report", plan, *AS_OF, "-f", "md", "-o", out, "--quiet")
    assert (done.returncode, done.stderr) == (0, "")
    done = run_perfmkt("report", plan, *AS_OF, "-f", "md", "-o", out, "--log-format", "json")
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records[0] == {
        "level": "warning",
        "message": f"{plan}: {WARNING}",
        "plan": str(plan),
    }
    # the terminal view prints them too (on stderr, the view on stdout)
    _, stderr = pace_small(plan)
    assert stderr == f"perfmkt: warning: {plan}: {WARNING}\n"


def test_strict_makes_a_warning_exit_2_with_the_reports_written(
    small_plan: Path, tmp_path: Path
) -> None:
    clean = autumn(small_plan)
    plan = unmatched(small_plan)
    out = tmp_path / "reports"
    done = run_perfmkt("report", plan, clean, *AS_OF, "-f", "md", "-o", out, "--strict", "-q")
    assert done.returncode == 2
    assert done.stderr == (
        f"perfmkt: warning: {plan}: {WARNING}\n"
        f"perfmkt: error: {plan}: --strict: 1 warning (the reports were written)\n"
    )
    assert (out / "latest-shop-x-spring-sale.md").is_file()
    assert (out / "latest-shop-x-autumn-sale.md").is_file()
    done = run_perfmkt("report", clean, *AS_OF, "-f", "md", "-o", out, "--strict")
    assert done.returncode == 0


# --- notifications never hold a batch -------------------------------------------------------


class Trickle(socketserver.ThreadingTCPServer):
    """A server that, once asked, answers one byte every 0.2 s, forever: a per-read timeout
    never fires; only a deadline for the whole exchange ends it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, first: bytes) -> None:
        self.first = first
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(socketserver.BaseRequestHandler):
        server: Trickle

        def handle(self) -> None:
            self.request.settimeout(0.2)
            answer = self.server.first
            while not self.server.stop.is_set():
                with contextlib.suppress(TimeoutError, OSError):
                    self.request.recv(65536)  # whatever the client says
                try:
                    self.request.sendall(answer[:1] or b" ")
                except OSError:
                    return
                answer = answer[1:]
                time.sleep(0.2)


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    server = Trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


def test_a_slow_slack_is_cut_at_the_deadline(trickle: Trickle) -> None:
    from perfmkt.notify import NotifyError, post_slack

    started = time.monotonic()
    with pytest.raises(NotifyError) as err:
        post_slack(f"http://127.0.0.1:{trickle.server_address[1]}/hook", "text", seconds=1.0)
    assert time.monotonic() - started < 2.5
    assert str(err.value) == "Slack webhook at http://127.0.0.1: no answer within 1 s"


def test_a_slow_smtp_server_is_cut_at_the_deadline() -> None:
    from perfmkt.notify import NotifyError, SmtpSettings, send_email
    from perfmkt.report import report_from_plan_file

    server = Trickle(b"220 slow.example ESMTP")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report = report_from_plan_file(ROOT / "tests" / "fixtures" / "small" / "plan.yaml")
    settings = SmtpSettings("127.0.0.1", server.server_address[1], security="none")
    started = time.monotonic()
    try:
        with pytest.raises(NotifyError) as err:
            send_email("a@shop.example", report, "text", None, settings, seconds=1.0)
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 2.5
    port = server.server_address[1]
    assert str(err.value) == (
        f"email to a@shop.example through 127.0.0.1:{port}: no answer within 1 s"
    )


def test_failed_notifications_are_warnings_and_the_batch_goes_on(
    small_plan: Path, tmp_path: Path, trickle: Trickle
) -> None:
    other = autumn(small_plan)
    out = tmp_path / "reports"
    slow = f"slack:http://127.0.0.1:{trickle.server_address[1]}/hook"
    started = time.monotonic()
    done = run_perfmkt(
        "report",
        small_plan,
        other,
        *AS_OF,
        "-f",
        "md",
        "-o",
        out,
        "-q",
        "--notify",
        slow,
        "--notify",
        "slack:file:///etc/passwd",
        "--notify",
        "email:client@shop.example",
        "--jobs",
        "2",  # plans in two workers; notifications are still sent one plan after another
        PERFMKT_NOTIFY_TIMEOUT="1",
        PERFMKT_SMTP_HOST="127.0.0.1",
        PERFMKT_SMTP_PORT="not-a-port",
    )
    assert time.monotonic() - started < 12
    assert done.returncode == 0
    slow_slack = "Slack webhook at http://127.0.0.1: no answer within 1 s"
    # a server that timed out once is not waited for again in the same batch
    skipped = f"{slow_slack} (for an earlier plan): skipped"
    for plan, slack in ((small_plan, slow_slack), (other, skipped)):
        sent = f"perfmkt: warning: {plan}: notification not sent: "
        assert done.stderr.count(sent) == 3
        assert f"{sent}{slack}\n" in done.stderr
        assert f"{sent}Slack webhook must be an http(s) URL, not file://\n" in done.stderr
        assert (
            f"{sent}PERFMKT_SMTP_PORT must be a port number (1-65535), not 'not-a-port'\n"
            in done.stderr
        )
    assert (out / "latest-shop-x-spring-sale.md").is_file()
    assert (out / "latest-shop-x-autumn-sale.md").is_file()


def test_a_newline_in_a_name_never_becomes_an_email_header(
    small_plan: Path, tmp_path: Path, smtp_inbox: Inbox
) -> None:
    small_plan.write_text(
        small_plan.read_text().replace(
            "client: Shop X", 'client: "Shop X\\r\\nBcc: thief@evil.example"'
        )
    )
    _, stderr = pace_small(
        small_plan, "-f", "md", "-o", tmp_path / "r", "--notify", "email:client@shop.example"
    )
    assert "perfmkt: warning" not in stderr
    (message,) = smtp_inbox.messages
    assert message["Bcc"] is None and "thief" not in message["X-RcptTo"]
    assert message["X-RcptTo"] == "client@shop.example"
    assert smtp_inbox.subject() == (
        "Chậm tiến độ: Shop X Bcc: thief@evil.example — Spring sale · tiến độ 05/03/2026"
    )


# --- a run killed while writing -------------------------------------------------------------


def test_killed_while_writing_leaves_old_or_new_complete_files(
    small_plan: Path, tmp_path: Path
) -> None:
    """Today's reports exist; a rerun (with a longer daily table) writes each file in two
    halves with a pause between them (PERFMKT_TEST_SLOW_WRITE) and is killed while the first
    report is half written over the old one."""
    out = tmp_path / "reports"
    pace_small(small_plan, "-f", "html", "-o", out, "-q", "--days", "3")
    old = tree(out)
    child = start_perfmkt(
        "report", small_plan, *AS_OF, "-f", "html", "-o", out, PERFMKT_TEST_SLOW_WRITE="30"
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            temps = [p for p in out.glob(".*.tmp") if p.stat().st_size > 0]
            if temps:
                break
            time.sleep(0.02)
        else:
            pytest.fail("no report was being written")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        child.communicate()
    # the dated report was half written when the process died…
    (temp,) = temps
    assert temp.name.startswith(".shop-x-spring-sale-2026-03-05.html.")
    half = temp.read_bytes()
    assert len(half) > 1000 and b"</html>" not in half
    # …yet no report is half: every report is the old one, complete; the only other file is
    # the hidden temporary one, which no reader takes for a report
    assert tree(out) == {**old, temp.name: half}
    # the next run finishes the job and clears what the killed one left
    pace_small(small_plan, "-f", "html", "-o", out, "-q")
    assert not list(out.glob(".*.tmp"))
    new = (out / "shop-x-spring-sale-2026-03-05.html").read_bytes()
    assert new != old["shop-x-spring-sale-2026-03-05.html"] and new.rstrip().endswith(b"</html>")
