"""Shared test helpers: run the CLI in process, strictly, and locate fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfmkt.cli import app

# Tests never write into the user's caches or logs.
os.environ.setdefault("PERFMKT_CACHE_DIR", tempfile.mkdtemp(prefix="perfmkt-test-cache-"))
os.environ.setdefault("PERFMKT_LOG_DIR", tempfile.mkdtemp(prefix="perfmkt-test-logs-"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_EXPORTS = ROOT.parent / "shared" / "real-exports"


def make_plan(start: date, days: int, kpis: dict, timeline: list | None = None, **extra: object):
    """A validated Plan for tests that need no files."""
    from perfmkt.plan import Plan

    return Plan.model_validate(
        {
            "client": "c",
            "campaign": "k",
            "currency": "VND",
            "flight": {"start": start, "end": start + timedelta(days=days - 1)},
            "sources": [{"path": "x.csv"}],
            "kpis": kpis,
            "timeline": timeline or [],
            **extra,
        }
    )


def run_cli(args: Sequence[str], expect: int = 0) -> tuple[str, str]:
    """Run ``perfmkt ARGS`` in process; fail unless it exits with ``expect``."""
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == expect, (
        f"exit {result.exit_code}, expected {expect}\nstdout:\n{result.stdout}\n"
        f"stderr:\n{result.stderr}"
    )
    return result.stdout, result.stderr


def pace_small(plan: Path, *args: object, expect: int = 0) -> tuple[str, str]:
    """``perfmkt report PLAN --as-of 2026-03-05 ARGS``: the small plan on its hand-checked day."""
    return run_cli(["report", plan, "--as-of", "2026-03-05", *map(str, args)], expect=expect)


def run_perfmkt(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m perfmkt ARGS`` in a real process (exit codes, environment, no terminal),
    with ``env`` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "perfmkt", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def touch(path: Path, when: str) -> None:
    """Set a file's modification time (git checkouts do not keep them)."""
    stamp = datetime.fromisoformat(when).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture
def small_plan(tmp_path: Path) -> Path:
    """The hand-checked small plan and its exports, copied with download times set."""
    target = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", target)
    google = target / "exports" / "google"
    touch(google / "search_2026-03-02_2026-03-04.csv", "2026-03-04T09:00:00")
    touch(google / "search_2026-03-04_2026-03-05.csv", "2026-03-06T08:00:00")
    return target / "plan.yaml"
