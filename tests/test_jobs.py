"""Batches in worker processes (--jobs): the same files, bytes and messages as one process, every
plan's history rows (one batch, and two batches at once on one folder), collisions refused
before anything is written, a failing plan reported while the others run, exit codes, logs and
progress in plan order, and a worker that dies costing only its own plan."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import polars as pl
import pytest

from perfmkt.batch import (
    BAD_INPUT,
    OK,
    UNEXPECTED,
    Outcome,
    Settings,
    _Workers,
    default_jobs,
    run_batch,
)
from tests.conftest import ROOT, run_cli, run_perfmkt, start_perfmkt

DEMO = ROOT / "configs" / "demo.yaml"
AS_OF = ["--as-of", "2026-03-05"]


def campaigns(plan: Path, count: int) -> list[Path]:
    """``count`` plans beside ``plan`` (same exports), each its own campaign of Shop X."""
    text = plan.read_text()
    assert "campaign: Spring sale" in text
    plans = []
    for number in range(count):
        copy = plan.with_name(f"plan-{number}.yaml")
        copy.write_text(text.replace("campaign: Spring sale", f"campaign: Sale {number}"))
        plans.append(copy)
    return plans


def broken_plan(folder: Path) -> Path:
    plan = folder / "broken.yaml"
    plan.write_text("client: x\ncampaign: y\ncurrency: VND\nkpi: {spend: 1}\n")
    return plan


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_parallel_writes_what_one_process_writes_byte_for_byte(
    small_plan: Path, tmp_path: Path
) -> None:
    """Four good plans and a broken one, every format a file takes: the same files with the
    same bytes, the same messages in the same order, the same exit code."""
    plans = [DEMO, *campaigns(small_plan, 3), broken_plan(tmp_path)]
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        pattern = out / "{client}" / "{campaign}-{as_of}.{ext}"
        done = run_perfmkt(
            "report", *plans, *AS_OF, "-f", "html,md,json,csv,table", "-o", pattern, "-j", jobs
        )
        assert done.returncode == BAD_INPUT, done.stderr
        results[jobs] = (tree(out), done.stdout, done.stderr.replace(str(out), "OUT"))
    files, stdout, stderr = results["1"]
    assert results["2"] == results["1"]
    assert len(files) == 4 * (5 + 3) + 2  # dated and latest.* of each plan, two histories
    assert stdout == ""
    lines = stderr.splitlines()
    # in the order the plans were given, whichever worker finished first
    marks = ("tra-sen-tay-ho", "sale-0", "sale-1", "sale-2", str(plans[-1]))
    firsts = [next(i for i, line in enumerate(lines) if mark in line) for mark in marks]
    assert firsts == sorted(firsts)
    assert lines.count("wrote OUT/shop-x/history.csv") == 3
    assert sum("perfmkt: error:" in line for line in lines) == 1


def test_the_terminal_view_of_several_plans_is_the_same(small_plan: Path) -> None:
    plans = campaigns(small_plan, 2)
    one, _ = run_cli(["report", *plans, *AS_OF, "-j", "1"])
    two, _ = run_cli(["report", *plans, *AS_OF, "-j", "2"])
    assert one == two and "Sale 0" in one and "Sale 1" in one
    assert one.index("Sale 0") < one.index("Sale 1")


def test_every_plans_history_rows_after_a_parallel_batch(small_plan: Path, tmp_path: Path):
    """Six plans in two workers writing one history, every write slowed down (half, a pause,
    the rest): without the folder's lock a worker's rows would be lost."""
    plans = campaigns(small_plan, 6)
    out = tmp_path / "reports"
    done = run_perfmkt(
        "report", *plans, *AS_OF, "-f", "md", "-o", out, "-q", "-j", "2",
        PERFMKT_TEST_SLOW_WRITE="0.1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    history = pl.read_csv(out / "history.csv")
    assert history.group_by("campaign").len().sort("campaign").rows() == [
        (f"Sale {n}", 5) for n in range(6)
    ]
    assert not list(out.glob(".*.tmp"))


def test_two_parallel_batches_at_once_on_one_folder(small_plan: Path, tmp_path: Path) -> None:
    """Two cron batches started together, two workers each, writing into one folder."""
    plans = campaigns(small_plan, 8)
    out = tmp_path / "reports"
    slow = {"PERFMKT_TEST_SLOW_WRITE": "0.1"}
    runs = [
        start_perfmkt("report", *plans[:4], *AS_OF, "-f", "md", "-o", out, "-q", "-j", "2", **slow),
        start_perfmkt("report", *plans[4:], *AS_OF, "-f", "md", "-o", out, "-q", "-j", "2", **slow),
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
    history = pl.read_csv(out / "history.csv")
    assert history.group_by("campaign").len().sort("campaign").rows() == [
        (f"Sale {n}", 5) for n in range(8)
    ]
    assert len(list(out.glob("latest-*.md"))) == 8
    assert not list(out.glob(".*.tmp"))


def test_a_collision_is_refused_before_anything_is_written(small_plan: Path, tmp_path: Path):
    other, third = campaigns(small_plan, 2)
    same = small_plan.with_name("same.yaml")
    shutil.copy(other, same)  # the same client and campaign as ``other``
    out = tmp_path / "reports"
    _, stderr = run_cli(
        ["report", other, third, same, *AS_OF, "-f", "md", "-o", out, "-j", "2"], expect=2
    )
    errors = [line for line in stderr.splitlines() if "error" in line]
    assert len(errors) == 2 and errors[0].startswith(f"perfmkt: error: {other}: would write")
    assert errors[1].startswith(f"perfmkt: error: {same}: would write")
    assert all("nothing written for either" in line for line in errors)
    assert sorted(p.name for p in out.iterdir()) == [
        "history.csv",
        "latest-shop-x-sale-1.md",
        "shop-x-sale-1-2026-03-05.md",
    ]
    assert set(pl.read_csv(out / "history.csv")["campaign"]) == {"Sale 1"}


def test_exit_codes_and_a_failing_plan_among_good_ones(small_plan: Path, tmp_path: Path):
    good = campaigns(small_plan, 2)
    out = ["-f", "json", "-o", str(tmp_path / "r"), *AS_OF, "-j", "2"]
    run_cli(["report", *good, *out])  # 0
    # revenue and ROAS are off track (test_end_to_end.py): 1 with --fail-on
    _, stderr = run_cli(["report", *good, *out, "--fail-on", "off_track"], expect=1)
    assert stderr.count("revenue off track") == 2
    # a broken plan in the middle: 2 (the worst), and the plans after it still ran
    broken = broken_plan(tmp_path)
    _, stderr = run_cli(["report", good[0], broken, good[1], *out, "--fail-on", "off_track"], 2)
    (error,) = [line for line in stderr.splitlines() if "error" in line]
    assert str(broken) in error
    assert (tmp_path / "r" / "latest-shop-x-sale-1.json").is_file()
    run_cli(["report", *good, *out[:-2], "-j", "0"], expect=2)  # no such number of workers


def test_a_bug_in_a_worker_is_exit_3_with_a_log_file(small_plan: Path, tmp_path: Path) -> None:
    """A template that divides by zero, rendered in two workers: each plan says so in one
    line naming its own log file, which holds the traceback."""
    custom = tmp_path / "templates" / "partials"
    custom.mkdir(parents=True)
    (custom / "header.html").write_text("{{ 1 / 0 }}")
    logs = tmp_path / "logs"
    done = run_perfmkt(
        "report", *campaigns(small_plan, 2), *AS_OF, "-f", "html", "-o", tmp_path / "out",
        "--templates", tmp_path / "templates", "-j", "2", PERFMKT_LOG_DIR=str(logs),
    )  # fmt: skip
    assert done.returncode == UNEXPECTED
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and all("unexpected error: ZeroDivisionError" in x for x in lines)
    assert "Traceback" not in done.stderr
    for log in logs.iterdir():
        assert "ZeroDivisionError" in log.read_text() and str(log) in done.stderr
    assert len(list(logs.iterdir())) == 2


def test_json_logs_come_in_plan_order(small_plan: Path, tmp_path: Path) -> None:
    plans = campaigns(small_plan, 4)
    out = ["-f", "md", "-o", str(tmp_path / "r"), *AS_OF, "-j", "2", "--log-format", "json"]
    _, stderr = run_cli(["report", *plans, *out])
    records = [json.loads(line) for line in stderr.splitlines()]
    assert {r["level"] for r in records} == {"info"}
    order = list(dict.fromkeys(r["plan"] for r in records))
    assert order == [str(p) for p in plans]


def test_progress_counts_two_steps_a_plan(small_plan: Path, tmp_path: Path) -> None:
    """The progress bar's callback hears the plans, not each worker's files."""
    from perfmkt.cli import _render_as

    heard: list[tuple] = []
    plans = campaigns(small_plan, 3)
    outcomes = run_batch(
        plans,
        Settings(
            formats=["md"],
            render=partial(_render_as, to_stdout=False, days=14, templates=None),
            output=tmp_path / "out",
            progress=lambda *args: heard.append(args),
            jobs=2,
        ),
    )
    assert [o.code for o in outcomes] == [OK] * 3 and [o.plan for o in outcomes] == plans
    assert heard[0] == (6, None, "running plans")
    assert sorted(args[1] for args in heard[1:]) == sorted(plans * 2)


def _die_on_kill_yaml(outcome: Outcome, settings: Settings) -> None:
    """A step that ends its process abruptly for a plan named kill.yaml (as an out-of-memory
    kill would), and does nothing for the others."""
    if outcome.plan.name == "kill.yaml":
        os._exit(9)
    outcome.warnings.append(f"ran in {os.getpid()}")


def test_a_worker_that_dies_costs_only_its_own_plan(tmp_path: Path) -> None:
    plans = [tmp_path / name for name in ("a.yaml", "kill.yaml", "b.yaml", "c.yaml")]
    settings = Settings(formats=["md"], render=repr)
    workers = _Workers(2)
    try:
        futures = [workers.submit(Outcome(p), _die_on_kill_yaml, settings) for p in plans]
        outcomes = [
            workers.result(f, Outcome(p), _die_on_kill_yaml, settings)
            for f, p in zip(futures, plans, strict=True)
        ]
    finally:
        workers.close()
    assert [o.code for o in outcomes] == [OK, UNEXPECTED, OK, OK]
    killed = outcomes[1]
    assert killed.problem == (
        f"{plans[1]}: unexpected error: the process running this plan ended abruptly "
        "(killed, or out of memory?)"
    )
    assert killed.log_file is not None and killed.log_file.is_file()
    assert all(re.fullmatch(r"ran in \d+", o.warnings[0]) for o in outcomes if o.code == OK)


# ``python -m perfmkt`` as started from a terminal's shell, where Ctrl-C is not ignored (this
# test may run under a shell that ignores it for background jobs, which children inherit).
FROM_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'perfmkt'; runpy.run_module('perfmkt', run_name='__main__')"
)


def test_ctrl_c_stops_a_parallel_batch_at_once_without_a_traceback(
    small_plan: Path, tmp_path: Path
) -> None:
    """Ctrl-C reaches every process of the terminal's group. Workers leave it to the batch's
    own process, which ends them at once: no worker's traceback, no waiting for the plans
    under way (here each write pauses 30 s halfway), and no report half written."""
    out = tmp_path / "reports"
    args = [*campaigns(small_plan, 4), *AS_OF, "-f", "md", "-o", out, "-j", "2"]
    run = subprocess.Popen(
        [sys.executable, "-c", FROM_A_TERMINAL, "report", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PERFMKT_TEST_SLOW_WRITE": "30"},
        start_new_session=True,  # a group of its own, as a terminal's foreground job
    )
    try:
        waited = time.monotonic()
        while not list(out.glob(".*.tmp")):  # a worker is halfway through a report
            assert run.poll() is None and time.monotonic() - waited < 60, run.communicate()
            time.sleep(0.05)
        interrupted = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=20)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert time.monotonic() - interrupted < 10
    assert run.returncode == 130 and "Traceback" not in stderr, stderr
    assert not list(out.glob("*.md"))


def test_default_jobs_is_a_worker_per_8_plans_up_to_the_cpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from perfmkt import machine

    monkeypatch.setattr(machine, "usable_cpus", lambda: 4)
    plans = (1, 7, 8, 15, 16, 31, 32, 100)
    assert [default_jobs(n) for n in plans] == [1, 1, 1, 1, 2, 3, 4, 4]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_plan_runs_in_this_process_whatever_jobs_says(small_plan: Path, jobs: str) -> None:
    stdout, _ = run_cli(["report", small_plan, *AS_OF, "-f", "json", "-j", jobs])
    assert json.loads(stdout)["client"] == "Shop X"


def test_a_batchs_history_rows_are_merged_once_per_folder(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history holds every plan's rows, so merging plan by plan rewrote the whole file once
    a plan: a batch merges its rows once per history file (or when rows have waited
    HISTORY_EVERY seconds, so a killed batch loses little)."""
    from perfmkt import batch, history

    merges: list[int] = []
    update = history.update

    def counting(path: Path, today: pl.DataFrame):
        merges.append(today["campaign"].n_unique())
        return update(path, today)

    monkeypatch.setattr(history, "update", counting)
    plans = campaigns(small_plan, 4)
    args = ["report", *plans, *AS_OF, "-f", "md", "-q", "-j", "1"]
    run_cli([*args, "-o", tmp_path / "one"])
    assert merges == [4]
    merges.clear()
    run_cli([*args, "-o", tmp_path / "own" / "{campaign}" / "{as_of}.{ext}"])
    assert merges == [1, 1, 1, 1]  # a history each, merged as soon as its plan is done
    merges.clear()
    monkeypatch.setattr(batch, "HISTORY_EVERY", 0.0)
    run_cli([*args, "-o", tmp_path / "again"])
    assert merges == [1, 1, 1, 1]
    for folder in ("one", "again"):
        history_rows = pl.read_csv(tmp_path / folder / "history.csv")
        assert history_rows["campaign"].n_unique() == 4


def test_a_history_that_cannot_be_written_fails_its_plans_only(
    small_plan: Path, tmp_path: Path
) -> None:
    plans = campaigns(small_plan, 3)
    blocked = tmp_path / "own" / "shop-x" / "sale-1" / "history.csv"
    blocked.mkdir(parents=True)  # a folder where the history file should be
    pattern = tmp_path / "own" / "{client}" / "{campaign}" / "{as_of}.{ext}"
    _, stderr = run_cli(["report", *plans, *AS_OF, "-f", "md", "-o", pattern, "-j", "2"], 2)
    (error,) = [line for line in stderr.splitlines() if "error" in line]
    # The plan first: in a batch, the same failing file can be several plans' problem.
    assert error.startswith(f"perfmkt: error: {plans[1]}: {blocked}: cannot write")
    assert (tmp_path / "own" / "shop-x" / "sale-2" / "history.csv").is_file()
