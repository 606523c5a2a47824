"""Load every export a plan names into one frame of unified daily facts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfmkt.schema import empty_facts
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.overlap import Replacement, resolve_overlaps
from perfmkt.sources.reader import FileRead, read_export


@dataclass
class Loaded:
    """Unified daily facts from every file, with what reading them did."""

    facts: pl.LazyFrame
    files: list[FileRead]
    replacements: list[Replacement]


def load_exports(files: list[tuple[Path, ReadOptions]]) -> Loaded:
    """Read every (path, options) pair and count re-downloaded days once."""
    frames: list[pl.DataFrame] = []
    reads: list[FileRead] = []
    for path, options in files:
        frame, info = read_export(path, options)
        frames.append(frame)
        reads.append(info)
    facts = pl.concat(frames) if frames else empty_facts()
    recency = {r.path: (r.mtime, r.last_day) for r in reads}
    kept, replacements = resolve_overlaps(facts, recency)
    return Loaded(facts=kept.lazy(), files=reads, replacements=replacements)
