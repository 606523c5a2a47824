"""The query a warehouse: source sends, in every dialect: parsed back with sqlglot, the days,
platforms, campaign patterns and the sum to campaign-days are all there; a pushed pattern keeps
every name polars keeps (checked in DuckDB and PostgreSQL on random names)."""

from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from perfmkt.plan import WAREHOUSE_DIALECTS
from perfmkt.sources import warehouse_sql
from perfmkt.sources.base import LOOKBACK_DAYS, ChannelFilter, WarehouseOptions

POSTGRES = os.environ.get("PERFMKT_TEST_POSTGRES_URI")
COLUMNS: dict[str, warehouse_sql.ColumnKind] = {
    name: "other"
    for name in (
        "platform",
        "account_id",
        "account_name",
        "campaign_id",
        "campaign_name",
        "spend",
        "impressions",
        "clicks",
        "conversions",
        "conversions_value",
    )
} | {"date_day": "date"}


def options(dialect: str, **changes: object) -> WarehouseOptions:
    base = WarehouseOptions(
        uri="",
        label="t",
        table="analytics.ad_reporting__campaign_report",
        layout="ad_reporting",
        dialect=dialect,
        first_day=date(2025, 11, 25),
        last_day=date(2026, 2, 28),
        channels=(
            ChannelFilter("google_ads", "^SHOPX_"),
            ChannelFilter("meta", "SHOPX (VN|TH)"),
            ChannelFilter("tiktok", r"(?i)shopx\d+", account="Shop X's"),
        ),
    )
    return WarehouseOptions(**{**base.__dict__, **changes})


def test_the_lookback_is_the_advice_window() -> None:
    from perfmkt.advice import WINDOW_DAYS

    assert LOOKBACK_DAYS == WINDOW_DAYS - 1


@pytest.mark.parametrize("dialect", WAREHOUSE_DIALECTS)
def test_each_dialect_keeps_the_pushed_filters_and_the_grouping(dialect: str) -> None:
    text = warehouse_sql.build(options(dialect), COLUMNS).sql(dialect)
    tree = sqlglot.parse_one(text, read=dialect)
    assert tree.sql(dialect=dialect) == text
    literals = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    # the flight's days with the lookback, the channels' platforms in the table's own names
    assert {"2025-11-25", "2026-02-28"} <= literals
    where = tree.args["where"]
    assert where.find(exp.Between) is not None
    platforms = {lit.this for lit in where.find(exp.In).expressions}
    assert platforms == {"google_ads", "facebook_ads", "meta", "tiktok_ads", "tiktok"}
    # one row per campaign-day: grouped by day, platform, account and campaign id
    grouped = [g.sql(dialect=dialect) for g in tree.args["group"].expressions]
    quote = "`" if dialect == "bigquery" else '"'
    for column in ("date_day", "platform", "account_name", "campaign_id"):
        assert f"{quote}{column}{quote}" in grouped
    sums = {s.this.name for s in tree.find_all(exp.Sum)}
    assert sums == {"spend", "impressions", "clicks", "conversions", "conversions_value"}
    # the shared patterns are pushed on the campaign-day's name; (?i)…\d is not: its platform
    # and account are
    having = tree.args["having"]
    patterns = sorted(lit.this for lit in having.find_all(exp.Literal) if lit.is_string)
    wrap = {
        "snowflake": lambda p: f".*({p}).*",
        "trino": lambda p: f"(?s){p}",
    }.get(dialect, lambda p: p)
    assert wrap("^SHOPX_") in patterns and wrap("SHOPX (VN|TH)") in patterns
    assert not any("shopx" in p for p in patterns)
    assert "Shop X's" in patterns  # the account, quoted by sqlglot
    matches = list(having.find_all(exp.RegexpLike))
    assert len(matches) == 2
    assert all(isinstance(m.this, exp.Max) for m in matches)


def test_without_channels_nothing_but_the_days_is_pushed() -> None:
    tree = warehouse_sql.build(options("postgres", channels=()), COLUMNS).select
    assert tree.args.get("having") is None
    assert tree.args["where"].find(exp.In) is None


def test_a_facts_table_reads_what_it_has() -> None:
    facts = {"date": "datetime", "platform": "other", "campaign": "other", "spend": "other"}
    query = warehouse_sql.build(options("duckdb", layout="facts", channels=()), facts)  # type: ignore[arg-type]
    assert set(query.used) == {"date", "platform", "campaign", "spend"}
    text = query.sql("duckdb")
    # a timestamp column is compared as itself (its partitions stay usable), summed by day
    assert """"date" >= CAST('2025-11-25' AS TIMESTAMP)""" in text
    assert """"date" < CAST('2026-03-01' AS TIMESTAMP)""" in text
    assert """GROUP BY CAST("date" AS DATE), "platform", "campaign\"""" in text


@pytest.mark.parametrize(
    ("pattern", "shared"),
    [
        ("^SHOPX_", "^SHOPX_"),
        ("SHOPX|shopx", "SHOPX|shopx"),
        ("(?:VN|TH)_[0-9]{2,4}?$", "(VN|TH)_[0-9]{2,4}$"),
        (r"Tết \| Sale\.", r"Tết \| Sale\."),
        ("[^_]+_x*", "[^_]+_x*"),
        (".*", None),  # every name: nothing to push
        (r"\d+", None),  # Unicode digits in Rust, ASCII in RE2
        (r"\bSHOPX", None),  # a word boundary in Rust, a backspace in PostgreSQL
        ("(?i)shopx", None),
        ("a(?=b)", None),
        ("[[:alpha:]]", None),
        ("a|", None),
        ("a**", None),
        ("[a-]", None),
    ],
)
def test_only_the_shared_subset_is_pushed(pattern: str, shared: str | None) -> None:
    assert warehouse_sql.shared_regex(pattern) == shared


# ---- pushed patterns keep every name polars keeps -------------------------------------------

LITERALS = [*"SHOPXshopx_ -1é|", "Đ", "\n", "\\.", "\\|", "\\(", "\\$"]
atoms = st.recursive(
    st.sampled_from([*LITERALS, ".", "[a-z]", "[^_]", "[SH]", "[0-9é]"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["*", "+", "?", "{1,2}", "*?"])).map("".join),
        st.lists(inner, min_size=1, max_size=3).map(lambda a: "(" + "".join(a) + ")"),
        st.lists(inner, min_size=1, max_size=3).map(lambda a: "(?:" + "|".join(a) + ")"),
    ),
    max_leaves=6,
)
patterns = st.one_of(
    st.tuples(
        st.sampled_from(["", "^"]),
        st.lists(atoms, min_size=1, max_size=4).map("".join),
        st.sampled_from(["", "$", "|SHOP", "|^x"]),
    ).map("".join),
    st.text(alphabet="SHOPX_.^$|()[]{}*+?\\-a1é", max_size=12),  # anything, safe or not
)
names = st.lists(
    st.text(alphabet="SHOPXshopx_ -1é|.()$Đ\nÉ0\\", max_size=12), min_size=1, max_size=25
)


def kept_by_polars(pattern: str, values: list[str]) -> set[int] | None:
    try:
        hits = pl.Series(values, dtype=pl.String).str.contains(pattern)
    except pl.exceptions.PolarsError:
        return None  # the plan refuses such a pattern
    return {i for i, hit in enumerate(hits.to_list()) if hit}


def pushed_query(pattern: str, values: list[str], dialect: str) -> str | None:
    shared = warehouse_sql.shared_regex(pattern)
    if shared is None:
        return None
    rows = exp.values(
        [(exp.Literal.number(i), exp.Literal.string(v)) for i, v in enumerate(values)],
        alias="v",
        columns=["i", "n"],
    )
    match = warehouse_sql.regex_match(exp.column("n"), shared, dialect)
    return exp.select("i").from_(rows).where(match).sql(dialect=dialect)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns, names)
def test_a_pushed_pattern_keeps_every_name_polars_keeps_in_duckdb(
    pattern: str, values: list[str]
) -> None:
    import duckdb

    local = kept_by_polars(pattern, values)
    query = pushed_query(pattern, values, "duckdb")
    if local is None or query is None:
        return
    remote = {row[0] for row in duckdb.sql(query).fetchall()}
    assert local <= remote, (pattern, warehouse_sql.shared_regex(pattern))


@pytest.mark.skipif(
    POSTGRES is None and not os.environ.get("CI"), reason="no PERFMKT_TEST_POSTGRES_URI"
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns, names)
def test_a_pushed_pattern_keeps_every_name_polars_keeps_in_postgresql(
    pattern: str, values: list[str]
) -> None:
    assert POSTGRES, "CI must start PostgreSQL and set PERFMKT_TEST_POSTGRES_URI"
    local = kept_by_polars(pattern, values)
    query = pushed_query(pattern, values, "postgres")
    if local is None or query is None:
        return
    remote = set(pl.read_database_uri(query, POSTGRES)["i"].to_list())
    assert local <= remote, (pattern, warehouse_sql.shared_regex(pattern))
