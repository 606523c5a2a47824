"""Shared test helpers: run the CLI in process, strictly, and locate fixtures."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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


def start_perfmkt(*args: object, **env: str) -> subprocess.Popen[str]:
    """``python -m perfmkt ARGS`` started in a real process, left running (runs at once)."""
    return subprocess.Popen(
        [sys.executable, "-m", "perfmkt", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
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


@dataclass
class Inbox:
    """A local SMTP server's port and the messages it received."""

    port: int
    messages: list = field(default_factory=list)

    def subject(self, index: int = 0) -> str:
        from email.header import decode_header, make_header

        return str(make_header(decode_header(self.messages[index]["Subject"])))


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback (aiosmtpd), with PERFMKT_SMTP_* pointing at it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        inbox = Inbox(probe.getsockname()[1])

    class Keep(Message):
        def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
            inbox.messages.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    monkeypatch.setenv("PERFMKT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PERFMKT_SMTP_PORT", str(inbox.port))
    monkeypatch.setenv("PERFMKT_SMTP_STARTTLS", "0")
    try:
        yield inbox
    finally:
        controller.stop()
