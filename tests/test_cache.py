"""The Parquet cache: a rerun reads unchanged exports from it, a changed byte anywhere is parsed
again, a copy with another modification time is a hit, a damaged entry is rebuilt, --no-cache
bypasses it, and the numbers never change. It lives in the platform's cache folder, a hit is a
use, entries unused for 30 days are pruned at most once a day (never while a run uses the
folder), and ``perfmkt cache info|clear`` show and empty it."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from perfmkt.errors import PerfmktError
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.cache import DAY, cached_read, clear, content_key, prune, prune_if_due
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


def test_the_key_is_every_byte_not_the_modification_time(tmp_path: Path) -> None:
    export = tmp_path / "a.csv"
    export.write_text("Day,Campaign,Cost\n2026-03-01,A,1\n")
    assert content_key(export, ReadOptions()) != content_key(export, ReadOptions(currency="USD"))
    assert content_key(export, ReadOptions()) != content_key(export, ReadOptions(encoding="cp1258"))
    # the order of re-downloads is not parsing: the same entry
    assert content_key(export, ReadOptions()) == content_key(
        export, ReadOptions(download_order="name")
    )
    before = content_key(export, ReadOptions())
    os.utime(export, (1_000_000, 1_000_000))
    assert content_key(export, ReadOptions()) == before  # a touched file is the same content
    # one byte in the middle of a 5 MiB file (the old key hashed only the first and last MiB)
    big = tmp_path / "big.csv"
    body = b"Day,Campaign,Cost\n" + b"2026-03-01,A,1\n" * 350_000
    big.write_bytes(body)
    whole = content_key(big, ReadOptions())
    middle = len(body) // 2
    changed = (
        body[:middle] + (b"2" if body[middle : middle + 1] != b"2" else b"3") + body[middle + 1 :]
    )
    big.write_bytes(changed)
    os.utime(big, (1_000_000, 1_000_000))
    assert len(changed) == len(body) and content_key(big, ReadOptions()) != whole


def _counting_read(calls: list[Path]):
    def read(path: Path, options: ReadOptions):
        calls.append(path)
        return _read_campaign_days(path, options)

    return read


def _small_export(tmp_path: Path, name: str = "meta.csv") -> Path:
    from tests.conftest import FIXTURES

    export = tmp_path / name
    export.write_bytes(
        (FIXTURES / "small/exports/meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv").read_bytes()
    )
    return export


def test_a_copy_elsewhere_with_another_mtime_is_a_hit_with_its_own_path_and_mtime(
    tmp_path: Path,
) -> None:
    export = _small_export(tmp_path)
    os.utime(export, (1_000_000, 1_000_000))
    calls: list[Path] = []
    folder = tmp_path / "cache"
    first, info = cached_read(export, ReadOptions(), _counting_read(calls), folder)
    copy = tmp_path / "elsewhere" / "copy.csv"
    copy.parent.mkdir()
    copy.write_bytes(export.read_bytes())
    os.utime(copy, (2_000_000, 2_000_000))
    frame, copied = cached_read(copy, ReadOptions(), _counting_read(calls), folder)
    assert calls == [export]  # the copy came from the cache
    assert (copied.path, copied.mtime) == (str(copy), 2_000_000.0)
    assert frame["source_file"].unique().to_list() == [str(copy)]
    assert frame.drop("source_file").equals(first.drop("source_file"))
    assert dataclasses.replace(copied, path=info.path, mtime=info.mtime) == info
    # and the original still reads as itself
    again, original = cached_read(export, ReadOptions(), _counting_read(calls), folder)
    assert calls == [export]
    assert original == info and again.equals(first)


@pytest.mark.parametrize(
    "damage",
    [
        "truncated parquet",
        "garbage parquet",
        "another entry's parquet",
        "garbage json",
        "empty json object",
        "json missing info fields",
    ],
)
def test_a_damaged_entry_is_discarded_and_rebuilt(tmp_path: Path, damage: str) -> None:
    export = _small_export(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("Day,Campaign,Cost\n2026-03-01,A,1\n")
    calls: list[Path] = []
    folder = tmp_path / "cache"
    fresh, info = cached_read(export, ReadOptions(), _counting_read(calls), folder)
    cached_read(other, ReadOptions(), _counting_read(calls), folder)
    key = content_key(export, ReadOptions())
    data, meta = folder / f"{key}.parquet", folder / f"{key}.json"
    other_data = folder / f"{content_key(other, ReadOptions())}.parquet"
    if damage == "truncated parquet":
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    elif damage == "garbage parquet":
        raw = bytearray(data.read_bytes())
        raw[len(raw) // 3 : len(raw) // 3 + 16] = b"\x00" * 16  # still the same size
        data.write_bytes(bytes(raw))
    elif damage == "another entry's parquet":
        data.write_bytes(other_data.read_bytes())
    elif damage == "garbage json":
        meta.write_text("{not json")
    elif damage == "empty json object":
        meta.write_text("{}")
    else:
        entry = json.loads(meta.read_text())
        del entry["info"]["platform"]
        meta.write_text(json.dumps(entry))
    calls.clear()
    frame, again = cached_read(export, ReadOptions(), _counting_read(calls), folder)
    assert calls == [export]  # parsed again, not trusted
    assert frame.equals(fresh) and again == info
    calls.clear()
    cached_read(export, ReadOptions(), _counting_read(calls), folder)
    assert calls == []  # the rebuilt entry is good


def test_a_file_written_while_it_is_read_is_not_cached(tmp_path: Path) -> None:
    export = _small_export(tmp_path)
    folder = tmp_path / "cache"

    def read_while_downloading(path: Path, options: ReadOptions):
        result = _read_campaign_days(path, options)
        with path.open("a", encoding="utf-8") as handle:  # the browser is still writing it
            handle.write("")
        os.utime(path, (3_000_000, 3_000_000))
        return result

    cached_read(export, ReadOptions(), read_while_downloading, folder)
    assert not folder.exists() or not list(folder.glob("*.parquet"))


def test_cached_and_uncached_reports_agree(small_plan: Path) -> None:
    args = ["report", small_plan, "--as-of", "2026-03-05", "-f", "json"]
    fresh = json.loads(run_cli([*args, "--no-cache"])[0])
    run_cli(args)  # fills the cache
    cached = json.loads(run_cli(args)[0])
    assert cached["kpis"] == fresh["kpis"]
    assert cached["notes"]["overlaps"] == fresh["notes"]["overlaps"]


# --- where the cache lives, its use times, pruning, info and clear ----------------------------


def _entry(folder: Path, key: str, used: float, half: str | None = None) -> None:
    """A fake entry (the cache's own file names) last used at ``used``."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("parquet", "json"):
        if kind != half:
            (folder / f"{key}.{kind}").write_bytes(b"x" * 10)
            os.utime(folder / f"{key}.{kind}", (used, used))


def test_the_cache_folder_is_the_platforms_unless_perfmkt_cache_dir_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from platformdirs import user_cache_dir

    from perfmkt.sources.cache import cache_dir

    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("PERFMKT_CACHE_DIR")
    assert cache_dir() == Path(user_cache_dir("perfmkt", appauthor=False)) / "exports"
    if sys.platform.startswith("linux"):  # platformdirs follows XDG there
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_dir() == tmp_path / "xdg" / "perfmkt" / "exports"


def test_a_hit_is_a_use(tmp_path: Path) -> None:
    export = _small_export(tmp_path)
    folder = tmp_path / "cache"
    cached_read(export, ReadOptions(), _read_campaign_days, folder)
    meta = folder / f"{content_key(export, ReadOptions())}.json"
    os.utime(meta, (1_000_000, 1_000_000))
    cached_read(export, ReadOptions(), _read_campaign_days, folder)
    assert abs(meta.stat().st_mtime - time.time()) < 60


def test_pruning_removes_what_was_not_used_for_30_days_and_leftovers(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    now = time.time()
    old, recent, half_old, half_new = "a" * 32, "b" * 32, "c" * 32, "d" * 32
    _entry(folder, old, now - 31 * DAY)
    _entry(folder, recent, now - 29 * DAY)  # pruned in 1 day
    _entry(folder, half_old, now - 2 * DAY, half="json")  # a killed run's half entry
    _entry(folder, half_new, now, half="parquet")
    (folder / f".{recent}.parquet.x1y2.tmp").write_bytes(b"half")  # a killed write
    (folder / "notes.txt").write_text("not the cache's")  # never removed: not its name
    (folder / "templates-v2").mkdir()
    assert prune(folder, now) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        ".pruned",
        f"{recent}.json",
        f"{recent}.parquet",
        "notes.txt",
        "templates-v2",
    ]
    # at most once a day: a day later than the last pruning, not before
    _entry(folder, old, now - 40 * DAY)
    assert prune_if_due(folder, now + DAY - 60) is None
    assert (folder / f"{old}.json").exists()
    assert prune_if_due(folder, now + DAY + 60) == 2  # and the one 30 days old now
    assert [p.name for p in folder.glob("*.json")] == []
    assert prune_if_due(tmp_path / "no-cache-yet", now) == 0


def test_pruning_and_clearing_leave_entries_in_use_alone(tmp_path: Path) -> None:
    """A run reading or writing entries shares the folder's lock: pruning skips its turn (and
    tries again next run), clearing waits for it, or says it gave up."""
    from perfmkt.sources.cache import _sharing

    folder = tmp_path / "cache"
    now = time.time()
    key = "e" * 32
    _entry(folder, key, now - 60 * DAY)
    _entry(folder, "f" * 32, now, half="json")  # being written: its .json comes next
    with _sharing(folder):
        assert prune_if_due(folder, now) is None
        with pytest.raises(PerfmktError, match="other perfmkt runs have been using the cache"):
            clear(folder, wait=0.2)
    assert (folder / f"{key}.json").exists() and (folder / ("f" * 32 + ".parquet")).exists()
    assert not (folder / ".pruned").exists()  # so the next run prunes
    release = threading.Event()

    def reader() -> None:
        with _sharing(folder):
            release.wait(5)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.1)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    assert clear(folder, wait=10) == (1, 30)  # one entry; its two files and the half one
    assert time.monotonic() - started >= 0.2
    thread.join()
    assert not list(folder.iterdir())


def test_cache_info_and_clear_commands(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(folder))
    stdout, _ = run_cli(["cache", "info"])
    assert stdout.splitlines() == [
        f"folder      {folder} (not created yet)",  # a mistyped variable is not an empty cache
        "entries     0",
        "size        0 bytes",
        "oldest use  —",
        "newest use  —",
        "pruned      —",
    ]
    assert run_cli(["cache", "clear"])[0] == f"removed 0 entries (0 bytes) from {folder}\n"
    run_cli(["report", small_plan, "--as-of", "2026-03-05", "-f", "json"])
    lines = run_cli(["cache", "info"])[0].splitlines()
    files = len(list(folder.glob("*.parquet")))
    assert files == 3 and lines[1] == "entries     3"  # the small plan's three exports
    assert re.fullmatch(r"size        \d+\.\d KB", lines[2])
    assert re.fullmatch(r"(oldest|newest) use  \d{4}-\d\d-\d\d \d\d:\d\d \(today\)", lines[3])
    assert lines[5].startswith("pruned      ") and lines[5].endswith("(today)")  # after the run
    assert all(len(line) <= 80 for line in lines if not line.startswith("folder"))
    stdout, _ = run_cli(["cache", "clear"])
    assert re.fullmatch(
        rf"removed 3 entries \(\d+\.\d KB\) from {re.escape(str(folder))}\n", stdout
    )
    assert not list(folder.glob("*.parquet")) and not list(folder.glob("*.json"))


def test_a_run_prunes_the_cache_once_a_day(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(folder))
    stale = "9" * 32
    _entry(folder, stale, time.time() - 31 * DAY)
    run_cli(["report", small_plan, "--as-of", "2026-03-05", "-f", "json"])
    assert not (folder / f"{stale}.json").exists() and (folder / ".pruned").is_file()
    _entry(folder, stale, time.time() - 31 * DAY)
    run_cli(["report", small_plan, "--as-of", "2026-03-05", "-f", "json"])
    assert (folder / f"{stale}.json").exists()  # pruned today already
    run_cli(["report", small_plan, "--as-of", "2026-03-05", "-f", "json", "--no-cache"])
    assert (folder / f"{stale}.json").exists()


def test_a_cache_folder_that_is_a_file_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("x")
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(not_a_folder))
    for command in ("info", "clear"):
        _, stderr = run_cli(["cache", command], 2)
        assert stderr.strip() == (
            f"perfmkt: error: {not_a_folder}: the cache folder is a file, not a folder "
            "(check $PERFMKT_CACHE_DIR)"
        )
    assert not_a_folder.read_text() == "x"


def test_cache_info_counts_bytes_and_calendar_days_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(folder))
    today = datetime.now().replace(hour=0, minute=5, second=0, microsecond=0)
    late_yesterday = today - timedelta(minutes=10)  # 23:55: yesterday, though under 24 h ago
    month = today - timedelta(days=29)
    _entry(folder, "a" * 32, late_yesterday.timestamp())
    _entry(folder, "b" * 32, month.timestamp())
    (folder / f"{'c' * 32}.json").write_bytes(b"x" * 980)  # a half entry: counted, flagged
    lines = run_cli(["cache", "info"])[0].splitlines()
    # 2 entries of two 10-byte files, and the 980-byte half: 1,020 bytes = 1.0 KB.
    assert lines[1:5] == [
        "entries     2 (+1 incomplete file)",
        "size        1.0 KB",
        f"oldest use  {month:%Y-%m-%d %H:%M} (29 days ago)",
        f"newest use  {late_yesterday:%Y-%m-%d %H:%M} (1 day ago)",
    ]
    (folder / f"{'c' * 32}.json").unlink()
    assert run_cli(["cache", "info"])[0].splitlines()[2] == "size        40 bytes"
    assert run_cli(["cache", "clear"])[0] == f"removed 2 entries (40 bytes) from {folder}\n"


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 KB"),
        (999_949, "999.9 KB"),
        (999_950, "1.0 MB"),  # not "1000.0 KB"
        (1_500_000, "1.5 MB"),
        (2_345_678_901, "2.3 GB"),
    ],
)
def test_sizes_are_shown_in_the_unit_that_keeps_them_under_1000(count: int, shown: str) -> None:
    from perfmkt.cli import _size

    assert _size(count) == shown


def test_a_cache_that_cannot_be_read_or_emptied_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside_a_file = tmp_path / "plan.yaml" / "cache"
    (tmp_path / "plan.yaml").write_text("x")
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(inside_a_file))
    _, stderr = run_cli(["cache", "info"], 2)
    assert stderr.startswith(f"perfmkt: error: {inside_a_file}: cannot use the cache folder: ")
    folder = tmp_path / "cache"
    monkeypatch.setenv("PERFMKT_CACHE_DIR", str(folder))
    _entry(folder, "a" * 32, time.time())
    stuck = folder / f"{'b' * 32}.parquet"
    stuck.mkdir()  # an entry file that cannot be unlinked (as a read-only cache would be)
    (folder / f"{'b' * 32}.json").write_bytes(b"{}")
    _, stderr = run_cli(["cache", "clear"], 2)
    assert stderr.strip().startswith(f"perfmkt: error: {stuck}: cannot remove: ")
    assert len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("plans", "cpus", "jobs"),
    [(1, 8, 1), (7, 8, 1), (8, 2, 1), (16, 2, 2), (200, 2, 2), (200, 16, 16)],
)
def test_the_default_jobs_start_workers_only_where_they_pay(
    plans: int, cpus: int, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from perfmkt import batch, machine

    monkeypatch.setattr(machine, "usable_cpus", lambda: cpus)
    assert batch.default_jobs(plans) == jobs
