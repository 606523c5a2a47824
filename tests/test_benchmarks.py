"""The benchmark runs at a tiny size in every test run, so it cannot rot, and perfmkt's totals
on its generated exports (with their overlapping re-downloads) match the data it was made from."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_exports_are_counted_once(tmp_path: Path) -> None:
    gen = _generator()
    plan = gen.generate(tmp_path / "data", rows=6_000, files=15)
    result = json.loads(run_cli(["report", plan, "-f", "json", "--no-cache"])[0])
    expected = sum(gen._rows(6_000 // 3, seed=p)["spend"].sum() for p in range(3))
    spend = next(k for k in result["kpis"] if k["name"] == "spend")
    assert spend["actual_to_date"] == pytest.approx(expected)
    assert result["notes"]["overlaps"]  # the re-downloads were there, and resolved


def test_runner_at_a_tiny_size(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--rows",
            "3000",
            "--runs",
            "1",
            "--files",
            "6",
            "--data",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    results = json.loads(done.stdout)
    engines = {r["engine"] for r in results}
    assert {
        "perfmkt report (no cache)",
        "perfmkt report (cached rerun)",
        "polars lazy, streaming",
    } <= engines
    assert all(r["median_s"] > 0 and r["peak_mb"] > 0 for r in results)
