"""Unattended runs: batches, exit codes, history, latest copies, notifications that arrive."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest

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
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        pace_small(small_plan, "-f", "html", "-o", str(tmp_path / "r"), "--notify", f"slack:{url}")
    finally:
        server.shutdown()
    (message,) = _Hook.received
    text = message["text"]
    assert "*Shop X — Spring sale* · as of 2026-03-05" in text
    assert "Revenue: 7.700.000\u00a0₫ of 9.750.000\u00a0₫ expected — pace 79%" in text
    assert "Full report: " in text and ".html" in text


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
    assert smtp_inbox.subject() == "Shop X — Spring sale: pacing 2026-03-05"
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert 'id="scorecards"' in html.get_payload(decode=True).decode()


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
