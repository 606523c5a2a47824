"""The unified daily facts schema, declared once: every reader produces exactly this."""

from __future__ import annotations

import polars as pl

from perfmkt.metrics import MEASURES

FACTS_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "platform": pl.String(),
    "account": pl.String(),
    "campaign": pl.String(),
    # the platform's campaign id where the export has one (null otherwise): a campaign renamed
    # between two downloads is still the same campaign
    "campaign_id": pl.String(),
    "ad_group": pl.String(),
    "currency": pl.String(),
    **{m: pl.Float64() for m in MEASURES},
    # lineage: which file and line each fact came from
    "source_file": pl.String(),
    "row": pl.Int64(),
}


def empty_facts() -> pl.DataFrame:
    return pl.DataFrame(schema=FACTS_SCHEMA)
