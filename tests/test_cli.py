"""The command line: exit codes, one-line errors, help, version, the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, pace_small, run_cli

DEMO = ROOT / "configs" / "demo.yaml"


def test_demo_report_has_one_kpi_in_each_band() -> None:
    stdout, _ = run_cli(["report", DEMO, "-f", "json"])
    result = json.loads(stdout)
    assert result["as_of"] == "2026-02-03"  # mid-flight: the latest day in the exports
    assert result["flight"]["days_elapsed"] == 30
    statuses = {k["name"]: k["status"] for k in result["kpis"]}
    assert {"on_track", "at_risk", "off_track"} <= set(statuses.values())
    assert statuses["spend"] == "on_track"
    # the Google re-downloads: 12..18 Jan by the 1 Feb download, 26 Jan..1 Feb by the 4 Feb one
    assert [(o["first_day"], o["days"]) for o in result["notes"]["overlaps"]] == [
        ("2026-01-12", 7),
        ("2026-01-26", 7),
    ]


def test_demo_terminal_view() -> None:
    stdout, _ = run_cli(["report", DEMO])  # VND: in Vietnamese, like the plan's reports
    headings = (
        "Tiến độ chỉ số",
        "Chiến dịch theo chi phí",
        "Theo tuần",
        "Theo ngày, 14 ngày gần nhất",
        "Kênh, tính đến nay",
        "Ghi chú dữ liệu",
    )
    for heading in headings:
        assert heading in stdout
    assert "Trà Sen Tây Hồ — Tết 2026 – Hộp quà" in stdout


def test_missing_plan_is_one_line_exit_2(tmp_path: Path) -> None:
    _, stderr = run_cli(["report", tmp_path / "nope.yaml"], expect=2)
    assert stderr.count("\n") == 1
    assert stderr.startswith(f"perfmkt: error: {tmp_path / 'nope.yaml'}: cannot read the plan")


def test_bad_export_is_one_line_exit_2(small_plan: Path) -> None:
    bad = small_plan.parent / "exports" / "meta" / "broken.csv"
    bad.write_text(
        '"Reporting starts","Reporting ends","Campaign name","Amount spent (VND)"\n'
        "2026-03-02,2026-03-02,SHOPX,12x\n",
        encoding="utf-8",
    )
    _, stderr = run_cli(["report", small_plan], expect=2)
    expected = f"{bad}:2: Amount spent (VND): expected a number, found '12x'"
    assert stderr == f"perfmkt: error: {expected}\n"


def test_other_currency_is_refused(small_plan: Path) -> None:
    google = small_plan.parent / "exports" / "google" / "search_2026-03-04_2026-03-05.csv"
    google.write_text(google.read_text().replace(",VND,", ",USD,"))
    _, stderr = run_cli(["report", small_plan], expect=2)
    assert "amounts are in USD, the plan's currency is VND" in stderr


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "client: x\ncampaign: y\ncurrency: vnd\nflight: {start: 2026-01-02, "
        "end: 2026-01-01}\nsources: []\nkpis: {spend: 1}\n"
    )
    _, stderr = run_cli(["validate", plan], expect=2)
    lines = stderr.splitlines()
    assert len(lines) == 3
    assert any(":3: currency:" in line for line in lines)
    assert any(":4: flight: end 2026-01-01 is before start" in line for line in lines)


def test_validate_ok() -> None:
    stdout, _ = run_cli(["validate", DEMO])
    assert "ok" in stdout and "56 days" in stdout and "6 export files" in stdout


def test_bad_as_of_and_format(small_plan: Path) -> None:
    _, stderr = run_cli(["report", small_plan, "--as-of", "March 5"], expect=2)
    assert "is not a date like" in stderr
    run_cli(["report", small_plan, "--format", "xml"], expect=2)


UNKNOWN = "use slack (the webhook in PERFMKT_SLACK_WEBHOOK), slack:env:NAME or email:ADDRESS"


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("garbage", f"unknown notification 'garbage': {UNKNOWN}"),
        ("Slack", f"unknown notification 'Slack': {UNKNOWN}"),
        (
            "slak:https://hooks.slack.com/services/T0/B0/s3cret",
            f"unknown notification 'slak': {UNKNOWN}",
        ),
        ("hooks.slack.com/services/T0/B0/s3cret", f"unknown notification: {UNKNOWN}"),
        ("email:", "'email:' has no address: email:ADDRESS, e.g. email:client@shop.vn"),
        ("email:client", "'email:client' has no address: email:ADDRESS, e.g. email:client@shop.vn"),
    ],
)
def test_a_notify_target_that_cannot_work_is_refused_before_any_plan_runs(
    small_plan: Path, tmp_path: Path, target: str, said: str
) -> None:
    out = tmp_path / "r"
    _, stderr = pace_small(small_plan, "-f", "md", "-o", out, "--notify", target, expect=2)
    assert stderr.splitlines()[-1] == f"Error: Invalid value for --notify: {said}"
    assert "s3cret" not in stderr  # a webhook written without slack: is never echoed
    assert not out.exists()


def test_channel_matching_nothing_is_a_visible_warning(small_plan: Path) -> None:
    small_plan.write_text(
        small_plan.read_text().replace('campaigns: "^SHOPX"}', 'campaigns: "^NOPE"}')
    )
    stdout, _ = pace_small(small_plan, "-f", "json")
    warnings = json.loads(stdout)["notes"]["warnings"]
    assert any("channel 'meta'" in w and "matches no rows" in w for w in warnings)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)


def test_help_is_fast_because_polars_is_not_imported() -> None:
    code = (
        "import sys; from perfmkt.cli import app; from typer.testing import CliRunner; "
        "CliRunner().invoke(app, ['--help']); "
        "print(sorted(m for m in ('polars', 'babel', 'pydantic') if m in sys.modules))"
    )
    assert run("-c", code).stdout.strip() == "[]"


@pytest.mark.parametrize("args", [("-m", "perfmkt", "--version")])
def test_python_dash_m_and_version(args: tuple[str, ...]) -> None:
    from perfmkt import __version__

    done = run(*args)
    assert done.returncode == 0 and done.stdout.strip() == f"perfmkt {__version__}"


def test_every_command_help_ends_with_an_example() -> None:
    from perfmkt.cli import app

    for command in app.registered_commands:
        doc = (command.callback.__doc__ or "").strip()
        assert doc.splitlines()[-1].strip().startswith("Example: perfmkt"), command.name


def test_init_writes_a_plan_that_validates_and_reports(tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "starter.yaml"
    stdout, _ = run_cli(["init", "--from", ROOT / "sample_data" / "demo", "-o", plan])
    assert "wrote" in stdout
    text = plan.read_text()
    assert "flight: {start: 2026-01-05, end: 2026-02-03}" in text
    assert "campaigns: '^TSTH_'" in text  # the Google campaigns' common prefix
    assert "objective: ecommerce" in text
    run_cli(["validate", plan])
    result = json.loads(run_cli(["report", plan, "-f", "json"])[0])
    # the re-downloaded Google days are counted once in the starter totals too
    spend = next(k for k in result["kpis"] if k["name"] == "spend")
    assert spend["actual_to_date"] == pytest.approx(spend["target_total"], rel=0.01)
    _, stderr = run_cli(["init", "--from", ROOT / "sample_data" / "demo", "-o", plan], expect=2)
    assert "already exists" in stderr


def test_validate_catches_period_ratio_targets_beyond_the_total(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    (tmp_path / "x.csv").write_text("x")
    plan.write_text(
        "client: x\ncampaign: y\ncurrency: VND\nflight: {start: 2026-01-05, end: 2026-01-18}\n"
        "sources: [{path: x.csv}]\nkpis: {spend: 1000, orders: 10, cpo: 100}\n"
        "timeline:\n  - {flight_week: 1, spend: 900, cpo: 10}\n"
    )
    _, stderr = run_cli(["validate", plan], expect=2)
    assert "period ratio targets imply 90 orders, more than the total 10" in stderr


def test_sizes_and_ages_as_cache_info_shows_them() -> None:
    from datetime import date, datetime, time, timedelta

    from perfmkt.cli import _size, _when

    sizes = (0, 1, 999, 1000, 1049, 999_949, 999_950, 1_234_567, 5_000_000_000)
    assert [_size(n) for n in sizes] == [
        "0 bytes",
        "1 byte",
        "999 bytes",
        "1.0 KB",
        "1.0 KB",
        "999.9 KB",
        "1.0 MB",  # 999.95 KB rounds to 1000.0: said in the next unit
        "1.2 MB",
        "5.0 GB",
    ]
    today = date.today()
    late_yesterday = datetime.combine(today - timedelta(days=1), time(23, 59))
    assert _when(late_yesterday) == f"{today - timedelta(days=1)} 23:59 (1 day ago)"
    assert _when(datetime.combine(today - timedelta(days=3), time(8, 5))).endswith(
        " 08:05 (3 days ago)"
    )
    assert _when(datetime.combine(today, time(0, 1))).endswith("(today)")
    assert _when(None) == "—"
