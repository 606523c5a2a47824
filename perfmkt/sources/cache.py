"""Parsed exports cached as Parquet, keyed by file content, so the daily rerun only parses what
is new.

The key is an xxh3 hash of every byte of the export (streamed in 1 MiB chunks), with the read
options that change what is parsed, perfmkt's version and the cache's format. Not the path and
not the modification time: a copy, a git checkout or a re-download of identical bytes is a hit,
and a changed byte anywhere is a miss. A cached read carries the file's own path and current
modification time, as a fresh read would: they name the file in the notes and take part in
ordering re-downloads.

An entry is ``KEY.parquet`` (the parsed rows) and ``KEY.json`` (the ``FileRead``, with the
key, the hash of the Parquet bytes and their row count). An entry that does not check out —
unreadable or incomplete JSON, Parquet bytes that do not hash to what the JSON says, another
row count — is discarded and the export parsed again: the cache is never trusted over the file.

The folder is the platform's cache folder (``platformdirs``: ``$XDG_CACHE_HOME/perfmkt/exports``
or ``~/.cache/perfmkt/exports`` on Linux, ``~/Library/Caches/perfmkt/exports`` on macOS), or
``$PERFMKT_CACHE_DIR``. A hit sets the entry's ``.json`` modification time to now: that is its
last use. At most once a day (``.pruned`` remembers when), a run removes the entries not used
for 30 days, half entries and temporary files a killed run left. Runs reading or writing
entries share a lock on the folder; pruning and ``perfmkt cache clear`` take it alone, so they
never remove an entry another run is reading or writing (pruning skips its turn when the
folder is busy; clearing waits).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

from perfmkt import __version__
from perfmkt.errors import PerfmktError
from perfmkt.machine import cache_folder
from perfmkt.output import lock_within, write_atomic
from perfmkt.sources.base import ReadOptions

if TYPE_CHECKING:
    import polars as pl

    from perfmkt.sources.reader import FileRead

# Bumped when what an entry holds, or what reading a file yields, changes: older entries are
# then misses, never misread (3: lines ended by CR alone are read, a row without its day is an
# error).
CACHE_FORMAT = 3
CHUNK = 1 << 20
DATE_FIELDS = ("first_day", "last_day", "range_start", "range_end")
DATETIME_FIELDS = ("made_at",)
DAY = 24 * 3600.0
UNUSED_FOR = 30 * DAY  # an entry not used for this long is pruned
PRUNE_EVERY = DAY
PRUNED = ".pruned"  # its modification time: the last pruning
CLEAR_WAIT = 30.0  # seconds ``clear`` waits for runs using the cache
# Only files the cache itself names are ever removed, whatever folder it is pointed at.
ENTRY_FILE = re.compile(r"(?P<key>[0-9a-f]{32})\.(?P<kind>parquet|json)")
TEMP_FILE = re.compile(r"\.[0-9a-f]{32}\.(parquet|json)\..+\.tmp")


def cache_dir() -> Path:
    """``$PERFMKT_CACHE_DIR``, else ``exports`` in the platform's cache folder for perfmkt
    (``platformdirs.user_cache_dir``, which follows ``$XDG_CACHE_HOME`` on Linux)."""
    explicit = os.environ.get("PERFMKT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return cache_folder() / "exports"


def content_key(path: Path, options: ReadOptions) -> str:
    """An xxh3 hash of every byte of ``path``, the options that change parsing, the version.

    xxh3 hashes at memory speed: every byte of a 10 M-row year (821 MB) costs about a tenth of
    a second, where hashing only the first and last MiB missed edits in the middle. One buffer
    read into again and again: a new bytes object per chunk cost 0.28 s instead of 0.11 s."""
    digest = xxhash.xxh3_128()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            digest.update(view[:size])
    parsing = dataclasses.replace(options, download_order="content")  # ordering is not parsing
    meta = f"{CACHE_FORMAT}|{__version__}|{parsing!r}|{digest.hexdigest()}"
    return xxhash.xxh3_128_hexdigest(meta.encode())


def _info_to_json(info: FileRead, key: str, parquet: bytes, rows: int) -> str:
    data: dict[str, Any] = dataclasses.asdict(info)
    for name in (*DATE_FIELDS, *DATETIME_FIELDS):
        data[name] = data[name].isoformat() if data[name] else None
    return json.dumps(
        {"key": key, "parquet_xxh3": xxhash.xxh3_128_hexdigest(parquet), "rows": rows, "info": data}
    )


def _info_from_json(data: dict[str, Any], path: Path, mtime: float) -> FileRead:
    from perfmkt.sources.reader import FileRead

    info = dict(data)
    for name in DATE_FIELDS:
        info[name] = date.fromisoformat(info[name]) if info.get(name) else None
    for name in DATETIME_FIELDS:
        info[name] = datetime.fromisoformat(info[name]) if info.get(name) else None
    info["path"] = str(path)  # the file's own, now: a copy elsewhere is the same content
    info["mtime"] = mtime
    return FileRead(**info)


def _load(
    key: str, data: Path, meta: Path, path: Path, mtime: float
) -> tuple[pl.DataFrame, FileRead]:
    """An entry, checked; any doubt raises (the caller discards the entry)."""
    import polars as pl

    entry = json.loads(meta.read_text(encoding="utf-8"))
    parquet = data.read_bytes()
    if entry["key"] != key or entry["parquet_xxh3"] != xxhash.xxh3_128_hexdigest(parquet):
        raise ValueError("the Parquet file is not the one this entry wrote")
    frame = pl.read_parquet(io.BytesIO(parquet))
    if frame.height != entry["rows"]:
        raise ValueError("row count differs")
    if "source_file" in frame.columns:
        frame = frame.with_columns(pl.lit(str(path), dtype=pl.String).alias("source_file"))
    return frame, _info_from_json(entry["info"], path, mtime)


def cached_read(
    path: Path,
    options: ReadOptions,
    read: Callable[[Path, ReadOptions], tuple[pl.DataFrame, FileRead]],
    folder: Path | None = None,
) -> tuple[pl.DataFrame, FileRead]:
    """``read(path, options)`` through the cache in ``folder`` (default: ``cache_dir()``)."""
    import polars as pl

    folder = folder or cache_dir()
    try:
        before = path.stat()
        key = content_key(path, options)
    except OSError:
        return read(path, options)  # the reader says what is wrong with the file
    data, meta = folder / f"{key}.parquet", folder / f"{key}.json"
    if data.is_file() and meta.is_file():
        with _sharing(folder):
            try:
                loaded = _load(key, data, meta, path, before.st_mtime)
            except (OSError, ValueError, TypeError, KeyError, pl.exceptions.PolarsError):
                for damaged in (data, meta):  # read again below and replaced
                    damaged.unlink(missing_ok=True)
            else:
                with contextlib.suppress(OSError):  # a read-only cache still serves
                    os.utime(meta)  # used now: pruning keeps it another 30 days
                return loaded
    frame, info = read(path, options)
    try:
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            return frame, info  # written to while we read it: not cached under the old key
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        parquet = buffer.getvalue()
        folder.mkdir(parents=True, exist_ok=True)
        with _sharing(folder):
            write_atomic(data, parquet)
            write_atomic(meta, _info_to_json(info, key, parquet, frame.height))
    except OSError:
        pass  # no cache (read-only home, full disk): still a correct report, just slower
    return frame, info


@contextlib.contextmanager
def _sharing(folder: Path) -> Iterator[None]:
    """Read or write entries while no pruning or clearing runs (they wait, or skip, for us)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield  # nothing to share (a folder we cannot open): no one prunes it either
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _alone(folder: Path, wait: float) -> Iterator[bool]:
    """Hold the folder alone (no run reading or writing an entry); yields False when other
    runs still use it after ``wait`` seconds."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise _unusable(folder, exc) from None
    try:
        yield lock_within(fd, wait)
    finally:
        os.close(fd)


def _unusable(folder: Path, exc: OSError) -> PerfmktError:
    return PerfmktError(
        f"cannot use the cache folder: {exc.strerror or exc}",
        path=folder,
        hint="check $PERFMKT_CACHE_DIR",
    )


@dataclasses.dataclass(frozen=True)
class Entries:
    """What the cache folder holds: complete entries by key (their ``.json``'s modification
    time is their last use), half entries, temporary files, and bytes in all."""

    used: dict[str, float]
    halves: list[Path]
    temps: list[Path]
    size: int


def _scan(folder: Path) -> Entries:
    kinds: dict[str, dict[str, os.stat_result]] = {}
    temps: list[Path] = []
    size = 0
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        names = []
    except OSError as exc:  # not a folder, not readable
        raise _unusable(folder, exc) from None
    for name in names:
        entry, temp = ENTRY_FILE.fullmatch(name), TEMP_FILE.fullmatch(name)
        if not entry and not temp:
            continue
        try:
            stat = os.stat(folder / name)
        except FileNotFoundError:
            continue  # removed meanwhile
        size += stat.st_size
        if entry:
            kinds.setdefault(entry["key"], {})[entry["kind"]] = stat
        else:
            temps.append(folder / name)
    used = {k: v["json"].st_mtime for k, v in kinds.items() if len(v) == 2}
    halves = [folder / f"{k}.{kind}" for k, v in kinds.items() if len(v) == 1 for kind in v]
    return Entries(used, sorted(halves), sorted(temps), size)


def _remove(folder: Path, keys: list[str], extra: list[Path]) -> int:
    """Remove the entries ``keys`` and the files ``extra``; return the bytes freed."""
    freed = 0
    paths = [folder / f"{k}.{kind}" for k in keys for kind in ("json", "parquet")] + extra
    for path in paths:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue  # removed meanwhile
        except OSError as exc:  # a read-only cache, say
            raise PerfmktError(f"cannot remove: {exc.strerror or exc}", path=path) from None
        freed += size
    return freed


def prune(folder: Path | None = None, now: float | None = None) -> int | None:
    """Remove the entries not used for 30 days, half entries and temporary files a killed run
    left; return how many entries went, or None when other runs were using the folder."""
    folder = folder or cache_dir()
    now = time.time() if now is None else now
    if not folder.is_dir():
        return 0
    with _alone(folder, wait=0.5) as alone:
        if not alone:
            return None  # the next run prunes
        marker = folder / PRUNED
        marker.touch()
        os.utime(marker, (now, now))
        entries = _scan(folder)  # no run is writing: halves and temporary files are left over
        stale = [k for k, used in entries.used.items() if now - used > UNUSED_FOR]
        _remove(folder, stale, [*entries.halves, *entries.temps])
        return len(stale)


def prune_if_due(folder: Path | None = None, now: float | None = None) -> int | None:
    """``prune`` when the last pruning is a day old or more (one ``stat`` otherwise)."""
    folder = folder or cache_dir()
    now = time.time() if now is None else now
    try:
        last = (folder / PRUNED).stat().st_mtime
    except FileNotFoundError:
        last = None
    if last is not None and 0 <= now - last < PRUNE_EVERY:
        return None
    return prune(folder, now)


@dataclasses.dataclass(frozen=True)
class CacheInfo:
    folder: Path
    entries: int
    incomplete: int  # half entries and temporary files (removed by the next pruning)
    size: int  # bytes
    oldest: datetime | None  # least recent use
    newest: datetime | None
    pruned: datetime | None


def _checked(folder: Path) -> Path:
    """``folder``, unless something other than a folder is there (a mistyped variable)."""
    if folder.exists() and not folder.is_dir():
        raise PerfmktError(
            "the cache folder is a file, not a folder", path=folder, hint="check $PERFMKT_CACHE_DIR"
        )
    return folder


def info(folder: Path | None = None) -> CacheInfo:
    """What the cache holds; reads the folder only."""
    folder = _checked(folder or cache_dir())
    entries = _scan(folder)
    used = sorted(entries.used.values())
    try:
        pruned: datetime | None = datetime.fromtimestamp((folder / PRUNED).stat().st_mtime)
    except FileNotFoundError:
        pruned = None
    return CacheInfo(
        folder=folder,
        entries=len(used),
        incomplete=len(entries.halves) + len(entries.temps),
        size=entries.size,
        oldest=datetime.fromtimestamp(used[0]) if used else None,
        newest=datetime.fromtimestamp(used[-1]) if used else None,
        pruned=pruned,
    )


def clear(folder: Path | None = None, wait: float = CLEAR_WAIT) -> tuple[int, int]:
    """Remove every entry (and left-over half entries and temporary files); return (entries,
    bytes) removed. Waits for runs reading or writing entries to finish."""
    folder = _checked(folder or cache_dir())
    if not folder.is_dir():
        return 0, 0
    with _alone(folder, wait) as alone:
        if not alone:
            raise PerfmktError(
                f"other perfmkt runs have been using the cache for {wait:g} s",
                path=folder,
                hint="try again when they are done",
            )
        entries = _scan(folder)
        freed = _remove(folder, list(entries.used), [*entries.halves, *entries.temps])
        return len(entries.used), freed
