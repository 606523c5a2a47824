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
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xxhash

from perfmkt import __version__
from perfmkt.output import write_atomic
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.reader import FileRead

# Bumped when what an entry holds, or what reading a file yields, changes: older entries are
# then misses, never misread (3: lines ended by CR alone are read, a row without its day is an
# error).
CACHE_FORMAT = 3
CHUNK = 1 << 20
DATE_FIELDS = ("first_day", "last_day", "range_start", "range_end")
DATETIME_FIELDS = ("made_at",)


def cache_dir() -> Path:
    """``$PERFMKT_CACHE_DIR``, else ``$XDG_CACHE_HOME/perfmkt/exports`` (~/.cache/…)."""
    explicit = os.environ.get("PERFMKT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "perfmkt" / "exports"


def content_key(path: Path, options: ReadOptions) -> str:
    """An xxh3 hash of every byte of ``path``, the options that change parsing, the version.

    xxh3 hashes at memory speed: every byte of a 10 M-row year (821 MB) costs about a tenth of
    a second, where hashing only the first and last MiB missed edits in the middle."""
    digest = xxhash.xxh3_128()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
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
    folder = folder or cache_dir()
    try:
        before = path.stat()
        key = content_key(path, options)
    except OSError:
        return read(path, options)  # the reader says what is wrong with the file
    data, meta = folder / f"{key}.parquet", folder / f"{key}.json"
    if data.is_file() and meta.is_file():
        try:
            return _load(key, data, meta, path, before.st_mtime)
        except (OSError, ValueError, TypeError, KeyError, pl.exceptions.PolarsError):
            for damaged in (data, meta):  # read again below and replaced
                damaged.unlink(missing_ok=True)
    frame, info = read(path, options)
    try:
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            return frame, info  # written to while we read it: not cached under the old key
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        parquet = buffer.getvalue()
        write_atomic(data, parquet)
        write_atomic(meta, _info_to_json(info, key, parquet, frame.height))
    except OSError:
        pass  # no cache (read-only home, full disk): still a correct report, just slower
    return frame, info
