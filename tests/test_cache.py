"""The Parquet cache: a rerun reads unchanged exports from it, a changed file is parsed again,
--no-cache bypasses it, and the numbers never change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from perfmkt.sources.base import ReadOptions
from perfmkt.sources.cache import cached_read, content_key
from perfmkt.sources.load import _read_campaign_days
from tests.conftest import run_cli


def test_rerun_reads_from_the_cache_and_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    export = tmp_path / "meta.csv"
    export.write_bytes(
        (FIXTURES / "small/exports/meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv").read_bytes()
    )
    calls: list[Path] = []

    def read(path: Path, options: ReadOptions):
        calls.append(path)
        return _read_campaign_days(path, options)

    folder = tmp_path / "cache"
    first, info = cached_read(export, ReadOptions(), read, folder)
    again, info_again = cached_read(export, ReadOptions(), read, folder)
    assert calls == [export]  # the second read came from the cache
    assert again.equals(first) and info_again.columns_used == info.columns_used
    assert len(list(folder.glob("*.parquet"))) == 1
    export.write_text(
        export.read_text(encoding="utf-8-sig").replace("600000,15000", "700000,15000")
    )
    changed, _ = cached_read(export, ReadOptions(), read, folder)
    assert calls == [export, export]
    assert changed["spend"].sum() == pytest.approx(first["spend"].sum() + 100_000)


def test_options_are_part_of_the_key(tmp_path: Path) -> None:
    export = tmp_path / "a.csv"
    export.write_text("Day,Campaign,Cost\n2026-03-01,A,1\n")
    assert content_key(export, ReadOptions()) != content_key(export, ReadOptions(currency="USD"))
    before = content_key(export, ReadOptions())
    os.utime(export, (1_000_000, 1_000_000))
    assert content_key(export, ReadOptions()) != before  # a touched file is read again


def test_cached_and_uncached_reports_agree(small_plan: Path) -> None:
    args = ["report", small_plan, "--as-of", "2026-03-05", "-f", "json"]
    fresh = json.loads(run_cli([*args, "--no-cache"])[0])
    run_cli(args)  # fills the cache
    cached = json.loads(run_cli(args)[0])
    assert cached["kpis"] == fresh["kpis"]
    assert cached["notes"]["overlaps"] == fresh["notes"]["overlaps"]
