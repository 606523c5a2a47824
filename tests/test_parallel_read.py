"""A plan's exports are read on several threads: same facts, same order, same first error as
reading them one by one, and no thread disturbs another's writes."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from perfmkt import output
from perfmkt.errors import PerfmktError
from perfmkt.output import write_atomic
from perfmkt.plan import load_plan, resolve_sources
from perfmkt.sources import load


def _edit(path: Path, old: str, new: str, target: Path | None = None) -> None:
    """Replace text in an export, keeping its encoding (one of the small plan's is UTF-16)."""
    raw = path.read_bytes()
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = raw.decode(encoding)
    assert old in text
    (target or path).write_bytes(text.replace(old, new).encode(encoding))


def _many_exports(small_plan: Path, copies: int) -> list:
    """The small plan's Google exports copied under other names, with a distinct campaign in
    each copy so that every file's rows can be told apart."""
    google = small_plan.parent / "exports" / "google"
    originals = sorted(google.glob("*.csv"))
    for n in range(copies):
        for original in originals:
            _edit(original, "Search", f"Search {n:02d}", google / f"copy{n:02d}_{original.name}")
    plan = load_plan(small_plan)
    return resolve_sources(plan, small_plan)


def test_threads_give_the_facts_in_the_order_one_thread_gives(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _many_exports(small_plan, 6)
    assert len(files) > 10
    monkeypatch.setattr(load, "_threads", lambda n: 4)
    seen: list[Path] = []
    parallel = load.load_exports(files, progress=seen.append, cache=False)
    monkeypatch.setattr(load, "_threads", lambda n: 1)
    serial = load.load_exports(files, cache=False)
    assert seen == [path for path, _ in files]  # progress in the given order, once each
    assert [r.path for r in parallel.files] == [r.path for r in serial.files]
    assert parallel.facts.collect().equals(serial.facts.collect())
    assert parallel.replacements == serial.replacements


def test_the_first_bad_file_in_order_is_the_error(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _many_exports(small_plan, 3)
    for bad in (files[2][0], files[-1][0]):  # an early and a late file both broken
        _edit(bad, "2026-03-0", "2026-13-0")
    monkeypatch.setattr(load, "_threads", lambda n: 4)
    with pytest.raises(PerfmktError) as caught:
        load.load_exports(files, cache=False)
    assert files[2][0].name in str(caught.value)
    assert files[-1][0].name not in str(caught.value)


def test_writes_on_many_threads_leave_the_umask_alone(tmp_path: Path) -> None:
    """Reading the umask means setting it: interleaved, two writers could leave it at 0 and
    every later report world-writable (the unlocked read fails this at once)."""
    before = os.umask(0o022)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    seen: set[int] = set()

    def work(i: int) -> None:
        seen.update(output._umask() for _ in range(5000))
        write_atomic(tmp_path / f"{i}.bin", b"x")

    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert seen == {0o022}
        assert os.umask(0o022) == 0o022
        modes = {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("*.bin")}
        assert modes == {0o644}
    finally:
        sys.setswitchinterval(interval)
        os.umask(before)


def test_the_cache_filled_by_threads_serves_the_same_facts(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(tmp_path / "cache"))
    files = _many_exports(small_plan, 4)
    monkeypatch.setattr(load, "_threads", lambda n: 4)
    first = load.load_exports(files, cache=True).facts.collect()
    again = load.load_exports(files, cache=True).facts.collect()
    fresh = load.load_exports(files, cache=False).facts.collect()
    assert first.equals(fresh) and again.equals(fresh)
    assert isinstance(fresh, pl.DataFrame) and fresh.height > 0
    shutil.rmtree(tmp_path / "cache")
