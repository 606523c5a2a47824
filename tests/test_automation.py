"""Unattended runs: batches, exit codes, history, latest copies, notifications that arrive."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from email.message import Message
from email.utils import parsedate_to_datetime
from html import unescape
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest
from markupsafe import escape

from perfmkt.report import report_from_plan_file
from tests.conftest import ROOT, Inbox, pace_small, run_cli, run_perfmkt

DEMO = ROOT / "configs" / "demo.yaml"


def broken_plan(tmp_path: Path) -> Path:
    plan = tmp_path / "broken.yaml"
    plan.write_text("client: x\ncampaign: y\ncurrency: VND\nkpi: {spend: 1}\n")
    return plan


def test_a_batch_runs_every_plan_and_reports_the_broken_one(small_plan: Path, tmp_path: Path):
    out = tmp_path / "reports" / "{client}" / "{as_of}.{ext}"
    _, stderr = run_cli(
        [
            "report",
            DEMO,
            broken_plan(tmp_path),
            small_plan,
            "-f",
            "html,md",
            "-o",
            out,
            "--as-of",
            "2026-02-03",
        ],
        expect=2,
    )
    assert stderr.count("perfmkt: error:") == 1 and "broken.yaml" in stderr
    reports = tmp_path / "reports"
    assert (reports / "tra-sen-tay-ho" / "2026-02-03.html").is_file()
    assert (reports / "tra-sen-tay-ho" / "latest.md").is_file()
    assert (reports / "shop-x" / "2026-02-03.md").is_file()  # after the broken one


def test_exit_codes(small_plan: Path, tmp_path: Path) -> None:
    as_of = ["--as-of", "2026-03-05", "-f", "json", "-o", str(tmp_path / "r.json")]
    run_cli(["report", small_plan, *as_of])  # 0: no --fail-on
    # revenue and ROAS are off track (test_end_to_end.py): exit 1 with --fail-on
    _, stderr = run_cli(["report", small_plan, *as_of, "--fail-on", "off_track"], expect=1)
    assert "revenue off track" in stderr and "roas off track" in stderr
    run_cli(["report", small_plan, *as_of, "--fail-on", "at_risk"], expect=1)
    run_cli(["report", broken_plan(tmp_path), *as_of], expect=2)
    # an on-plan campaign with --fail-on exits 0: spend only, exactly on pace
    plan = small_plan.read_text()
    small_plan.write_text(
        plan[: plan.index("kpis:")]
        + "kpis: {spend: 10_000_000}\n"
        + "timeline: [{start: 2026-03-02, end: 2026-03-03, spend: 1_000_000}]\n"
    )
    run_cli(["report", small_plan, *as_of, "--fail-on", "at_risk"])


def test_unexpected_failure_is_exit_3_with_a_log_file(small_plan: Path, tmp_path: Path) -> None:
    """A template that divides by zero: a real failure outside perfmkt's error family."""
    custom = tmp_path / "templates" / "partials"
    custom.mkdir(parents=True)
    (custom / "header.html").write_text("{{ 1 / 0 }}")
    done = run_perfmkt(
        "report",
        small_plan,
        "-f",
        "html",
        "-o",
        tmp_path / "out",
        "--templates",
        tmp_path / "templates",
        PERFMKT_LOG_DIR=str(tmp_path / "logs"),
    )
    assert done.returncode == 3
    assert "unexpected error: ZeroDivisionError" in done.stderr
    assert "Traceback" not in done.stderr  # one short line; the traceback is in the log
    (log,) = (tmp_path / "logs").iterdir()
    assert "ZeroDivisionError" in log.read_text() and str(log) in done.stderr


def test_rerunning_the_same_day_replaces_its_history_rows(small_plan: Path, tmp_path: Path):
    out = tmp_path / "reports"
    for as_of in ("2026-03-04", "2026-03-05", "2026-03-05"):
        run_cli(["report", small_plan, "--as-of", as_of, "-f", "html", "-o", out, "-q"])
    history = pl.read_csv(out / "history.csv", try_parse_dates=True)
    assert history.group_by("client", "campaign", "as_of", "scope", "kpi").len()["len"].max() == 1
    assert history["client"].unique().to_list() == ["Shop X"]
    assert history["campaign"].unique().to_list() == ["Spring sale"]
    assert sorted(history["as_of"].unique().cast(pl.String).to_list()) == [
        "2026-03-04",
        "2026-03-05",
    ]
    spend = history.filter(pl.col("kpi") == "spend").sort("as_of")
    assert spend["actual_to_date"].to_list() == pytest.approx([2_100_000, 3_250_000])
    html = (out / "latest-shop-x-spring-sale.html").read_text()
    assert 'class="trend"' in html  # the pace trend from the history
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "history.csv",
        "latest-shop-x-spring-sale.html",  # a folder of reports: the plan's own latest copy
        "shop-x-spring-sale-2026-03-04.html",
        "shop-x-spring-sale-2026-03-05.html",
    ]


def test_quiet_and_json_logs(small_plan: Path, tmp_path: Path) -> None:
    out = ["-f", "md", "-o", str(tmp_path / "r"), "--as-of", "2026-03-05"]
    stdout, stderr = run_cli(["report", small_plan, *out, "--quiet"])
    assert stdout == "" and stderr == ""
    _, stderr = run_cli(["report", small_plan, *out, "--log-format", "json"])
    records = [json.loads(line) for line in stderr.splitlines()]
    assert {r["level"] for r in records} == {"info"}
    assert any(r["file"].endswith("latest-shop-x-spring-sale.md") for r in records)
    _, stderr = run_cli(["report", broken_plan(tmp_path), *out, "--log-format", "json"], expect=2)
    (record,) = [json.loads(line) for line in stderr.splitlines()]
    assert record["level"] == "error" and record["exit_code"] == 2


def test_no_colour_when_piped_or_no_color(small_plan: Path) -> None:
    for env in ({}, {"NO_COLOR": "1", "TERM": "xterm-256color"}):
        done = run_perfmkt("report", small_plan, "--as-of", "2026-03-05", **env)
        assert done.returncode == 0
        assert "\x1b[" not in done.stdout and "Shop X" in done.stdout


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_slack_notification_arrives(small_plan: Path, tmp_path: Path) -> None:
    """The verdict first, then the summary, KPI statuses, alerts and links, in the report's
    language: the small plan is in dong, so Vietnamese; --lang en makes it English."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received.clear()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        for lang in ("vi", "en"):
            out, slack = tmp_path / lang, f"slack:{url}"
            pace_small(small_plan, "-f", "html", "-o", out, "--notify", slack, "--lang", lang)
    finally:
        server.shutdown()
    vi, en = (m["text"] for m in _Hook.received)
    # ROAS 7,700,000 / 3,250,000 = 2.37 against 3.00: pace 79 %, the worst KPI; day 4 of 10
    assert vi.startswith(
        "🔴 *Chậm tiến độ — ROAS 2,37 so với kế hoạch 3,00 đến nay · ngày 4/10*\n"
        "Shop X — Spring sale · số liệu đến 05/03/2026\n\n• "
    )
    lines = vi.splitlines()
    bullets = [i for i, line in enumerate(lines) if line.startswith("• ")]
    kpi_line = "🔴 Doanh thu: 7.700.000\u00a0₫ / 9.750.000\u00a0₫ kế hoạch đến nay — tiến độ 79%"
    assert 3 <= len(bullets) <= 5 and bullets == list(range(3, 3 + len(bullets)))
    # KPIs after the summary, each with its chance to hit (the summary's revenue sentence says 5%)
    assert lines.index(f"{kpi_line} (chậm tiến độ) · khả năng đạt: 5%") > bullets[-1]
    assert "▲ Doanh thu chậm tiến độ: đạt 79% kế hoạch đến nay" in lines
    assert lines[-1].startswith("Báo cáo đầy đủ: ") and lines[-1].endswith(".html")
    assert en.startswith(
        "🔴 *Off track — ROAS 2.37 vs 3.00 planned to date · day 4 of 10*\n"
        "Shop X — Spring sale · as of 5 Mar 2026\n\n• "
    )
    assert "🔴 Revenue: ₫7,700,000 of ₫9,750,000 expected — pace 79% (off track)" in en
    assert "Full report: " in en and "Báo cáo" not in en and "tiến độ" not in en


def test_slack_writes_what_the_plan_derives_as_the_reports_do() -> None:
    """The demo's orders on 31 January: 1,034.5 claimed (platforms report fractions) of
    1,159.05 expected, written 1.159 as every report writes a derived count from 100 up;
    1,034.5 / 1,159.05 is a pace of 89 %."""
    from perfmkt.notify import summary

    report = report_from_plan_file(DEMO, as_of=date(2026, 1, 31))
    orders = next(k for k in report.kpis if k.name == "orders")
    assert (orders.actual_to_date, round(orders.expected_to_date, 2)) == (1034.5, 1159.05)
    assert (
        "⚠️ Đơn hàng: 1.034,5 / 1.159 kế hoạch đến nay — tiến độ 89% (có rủi ro) · khả năng đạt: 10%"
    ) in summary(report, []).splitlines()


def test_failed_notification_keeps_the_report(small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    _, stderr = pace_small(
        small_plan, "-f", "md", "-o", str(out), "--notify", "slack:http://127.0.0.1:9/nothing-here"
    )
    assert (
        f"perfmkt: warning: {small_plan}: notification not sent: Slack webhook at "
        "http://127.0.0.1 failed: [Errno 111] Connection refused\n"
    ) in stderr
    assert "nothing-here" not in stderr  # a webhook's path is its secret: never in logs
    assert (out / "latest-shop-x-spring-sale.md").is_file()


def parts(message: Message) -> list[tuple[str, str | None]]:
    """Every leaf of a MIME tree: (content type, attachment file name)."""
    leaves = [p for p in message.walk() if not p.is_multipart()]
    return [(p.get_content_type(), p.get_filename()) for p in leaves]


def payload(message: Message, content_type: str, attachment: bool = False) -> bytes:
    (part,) = (
        p
        for p in message.walk()
        if p.get_content_type() == content_type and (p.get_filename() is not None) == attachment
    )
    return part.get_payload(decode=True)


def cell_texts(html: str) -> list[str]:
    """The text of every table cell: markup out (a line break as a space), entities decoded,
    no-break spaces kept as they are."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    texts = [re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", cell)) for cell in cells]
    return [unescape(re.sub(r"\s+", " ", text, flags=re.ASCII).strip()) for text in texts]


def test_email_arrives_at_a_local_smtp_server(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_inbox: Inbox
) -> None:
    def send() -> None:
        pace_small(
            small_plan, "-f", "md", "-o", tmp_path / "r", "--notify", "email:client@shop.example"
        )

    monkeypatch.setenv("PERFMKT_SMTP_FROM", "reports@agency.example")
    send()
    # the same through the plan's smtp: (no password here: none is needed on loopback)
    monkeypatch.delenv("PERFMKT_SMTP_HOST")
    small_plan.write_text(
        small_plan.read_text()
        + f"smtp: {{host: 127.0.0.1, port: {smtp_inbox.port}, starttls: false, "
        "sender: a@agency.example}\n"
    )
    send()
    message, second = smtp_inbox.messages
    assert (message["From"], second["From"]) == ("reports@agency.example", "a@agency.example")
    assert message["To"] == "client@shop.example"
    # the subject says the status first, in the report's language
    assert smtp_inbox.subject() == "Chậm tiến độ: Shop X — Spring sale · tiến độ 05/03/2026"
    sent = parsedate_to_datetime(message["Date"])
    assert sent.tzinfo is not None and abs(time.time() - sent.timestamp()) < 120
    assert re.fullmatch(r"<[^<>@\s]+@agency\.example>", message["Message-ID"])
    assert re.fullmatch(r"<[^<>@\s]+@agency\.example>", second["Message-ID"])
    assert message["Message-ID"] != second["Message-ID"]
    # text and HTML as alternatives, then the full report as PDF and as HTML
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_payload()[0]
    assert body.get_content_type() == "multipart/alternative"
    name = "shop-x-spring-sale-2026-03-05"
    assert parts(message) == [
        ("text/plain", None),
        ("text/html", None),
        ("application/pdf", f"{name}.pdf"),
        ("text/html", f"{name}.html"),
    ]
    assert payload(message, "application/pdf", attachment=True).startswith(b"%PDF-")
    report_html = payload(message, "text/html", attachment=True).decode()
    assert 'id="scorecards"' in report_html and "<svg" in report_html  # the whole report
    text = payload(message, "text/plain").decode()
    assert text.startswith("🔴 *Chậm tiến độ — ROAS 2,37 so với kế hoạch 3,00 đến nay")
    assert "Báo cáo đầy đủ được đính kèm." in text and str(tmp_path) not in text
    html = payload(message, "text/html").decode()
    # what Gmail and Outlook drop is not relied on: no style element, no SVG, no data: URI
    assert "<svg" not in html.lower() and "data:" not in html and "<style" not in html.lower()
    assert "<script" not in html.lower()
    report = report_from_plan_file(small_plan, as_of=date(2026, 3, 5))
    assert 3 <= len(report.summary) <= 5
    for sentence in report.summary:
        assert str(escape(sentence["text"])) in html
    assert "Chậm tiến độ — ROAS 2,37 so với kế hoạch 3,00 đến nay · ngày 4/10" in html
    # the KPI table's revenue row: 7,700,000 of 9,750,000 expected (79 %), the expected under
    # the actual (a phone's width), projection and target compact
    cells = cell_texts(html)
    start = cells.index("Doanh thu")
    assert cells[start : start + 5] == [
        "Doanh thu",
        "7,7\u00a0tr\u00a0₫ / 9,75\u00a0tr\u00a0₫",
        "79%",
        "●\u00a0Chậm tiến độ khả năng đạt: 5%",  # the chance under the status
        "23,7\u00a0tr\u00a0₫ / 30\u00a0tr\u00a0₫ 80 %: 20,7–28,8\u00a0tr\u00a0₫",  # and the range
    ]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Chromium")
def test_email_attaches_the_pdf_the_run_printed(
    small_plan: Path, tmp_path: Path, smtp_inbox: Inbox
) -> None:
    out = tmp_path / "r"
    pace_small(small_plan, "-f", "pdf,html", "-o", out, "--notify", "email:client@shop.example")
    (message,) = smtp_inbox.messages
    name = "shop-x-spring-sale-2026-03-05"
    # the very bytes written (a second print would differ: Chromium stamps the time in it)
    pdf = payload(message, "application/pdf", attachment=True)
    assert pdf == (out / f"{name}.pdf").read_bytes()
    assert payload(message, "text/html", attachment=True) == (out / f"{name}.html").read_bytes()


def test_email_without_chromium_goes_with_the_html_report_and_a_warning(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_inbox: Inbox
) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no browser on this PATH
    _, stderr = pace_small(
        small_plan,
        "-f",
        "md",
        "-o",
        tmp_path / "r",
        "--notify",
        "email:client@shop.example",
        "--notify",
        "email:boss@shop.example",
    )
    for message in smtp_inbox.messages:
        assert parts(message) == [
            ("text/plain", None),
            ("text/html", None),
            ("text/html", "shop-x-spring-sale-2026-03-05.html"),
        ]
    assert [m["To"] for m in smtp_inbox.messages] == ["client@shop.example", "boss@shop.example"]
    no_pdf = (
        f"perfmkt: warning: {small_plan}: email sent with the HTML report only, no PDF: "
        "PDF needs a local Chromium or Chrome and none was found"
    )
    assert stderr.count(no_pdf) == 1  # said once, for both e-mails
    assert "notification not sent" not in stderr


def test_killed_mid_run_leaves_the_previous_report(small_plan: Path, tmp_path: Path) -> None:
    """A run killed while it works (a template slow on purpose) leaves yesterday's files
    exactly as they were, and no temporary file."""
    out = tmp_path / "r"
    pace_small(small_plan, "-f", "html,md", "-o", str(out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    slow = tmp_path / "slow" / "partials"
    slow.mkdir(parents=True)
    (slow / "notes.html").write_text("{% for i in range(10**9) %}{% endfor %}")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "perfmkt",
            "report",
            str(small_plan),
            "--as-of",
            "2026-03-05",
            "-f",
            "html,md",
            "-o",
            str(out),
            "--templates",
            str(tmp_path / "slow"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_several_plans_need_a_folder(small_plan: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copy(small_plan, copy)
    _, stderr = run_cli(["report", small_plan, copy, "-f", "json"], expect=2)
    assert "need -o" in stderr


def test_dated_folders_keep_one_history_and_latest_above_them(
    small_plan: Path, tmp_path: Path
) -> None:
    pattern = str(tmp_path / "reports" / "{client}" / "{as_of}" / "report.{ext}")
    for as_of in ("2026-03-04", "2026-03-05"):
        run_cli(["report", small_plan, "--as-of", as_of, "-f", "md", "-o", pattern, "-q"])
    client = tmp_path / "reports" / "shop-x"
    assert sorted(p.name for p in client.iterdir()) == [
        "2026-03-04",
        "2026-03-05",
        "history.csv",
        "latest.md",
    ]
    history = pl.read_csv(client / "history.csv")
    assert history["as_of"].n_unique() == 2


def test_an_unwritable_folder_is_one_line_exit_2(small_plan: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    _, stderr = pace_small(small_plan, "-f", "md", "-o", blocker / "{as_of}.{ext}", expect=2)
    assert stderr.startswith(f"perfmkt: error: {blocker}/2026-03-05.md: cannot write")
    assert stderr.count("\n") == 1
