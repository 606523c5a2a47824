"""Warehouse sources: the pacing of a plan read from PostgreSQL, a DuckDB file or Parquet equals
the same plan read from the equivalent CSV exports."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import polars as pl
import pytest

from perfmkt.plan import load_plan, resolve_sources
from perfmkt.sources.load import load_exports
from tests.conftest import run_cli

# CI starts a PostgreSQL server (.ci/run) and sets this; elsewhere the test needs one too.
POSTGRES = os.environ.get("PERFMKT_TEST_POSTGRES_URI")
needs_postgres = pytest.mark.skipif(
    POSTGRES is None and not os.environ.get("CI"), reason="no PERFMKT_TEST_POSTGRES_URI"
)
COLUMNS = [
    "date",
    "platform",
    "account",
    "campaign",
    "currency",
    "spend",
    "impressions",
    "clicks",
    "conversions",
    "conversion_value",
    "orders",
    "revenue",
]


def daily_facts(plan: Path) -> pl.DataFrame:
    """What the CSV exports hold, as a warehouse would: daily campaign rows, counted once."""
    loaded = load_exports(resolve_sources(load_plan(plan), plan), cache=False)
    return loaded.facts.collect().select(COLUMNS)


def kpis(plan: Path) -> list[dict]:
    stdout, _ = run_cli(["report", plan, "--as-of", "2026-03-05", "-f", "json", "--no-cache"])
    return json.loads(stdout)["kpis"]


def with_sources(plan: Path, sources: str, name: str) -> Path:
    text = plan.read_text()
    text = re.sub(r"sources:\n(  - .*\n|    .*\n)+", "sources:\n" + sources, text)
    out = plan.with_name(name)
    out.write_text(text)
    return out


def test_duckdb_file_and_parquet_pace_like_the_csv_exports(small_plan: Path) -> None:
    import duckdb

    facts = daily_facts(small_plan)
    parquet = small_plan.parent / "daily.parquet"
    facts.write_parquet(parquet)
    database = small_plan.parent / "ads.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE TABLE daily_ads AS SELECT * FROM read_parquet('{parquet}')")
    expected = kpis(small_plan)
    from_duckdb = with_sources(
        small_plan,
        (f"  - sql: {{uri: 'duckdb:///{database}', query: 'SELECT * FROM daily_ads'}}\n"),
        "duck.yaml",
    )
    from_parquet = with_sources(small_plan, "  - path: daily.parquet\n", "parquet.yaml")
    assert kpis(from_duckdb) == expected
    assert kpis(from_parquet) == expected


@needs_postgres
def test_postgresql_paces_like_the_csv_exports(small_plan: Path, tmp_path: Path) -> None:
    assert POSTGRES, "CI must start PostgreSQL and set PERFMKT_TEST_POSTGRES_URI"
    facts = daily_facts(small_plan)
    csv = tmp_path / "daily.csv"
    facts.write_csv(csv)
    types = {pl.Date: "date", pl.String: "text", pl.Float64: "double precision"}
    columns = ", ".join(f"{c} {types[facts.schema[c].base_type()]}" for c in COLUMNS)
    script = (
        f"DROP TABLE IF EXISTS daily_ads; CREATE TABLE daily_ads ({columns});\n"
        f"\\copy daily_ads FROM '{csv}' CSV HEADER\n"
    )
    subprocess.run(
        ["psql", POSTGRES, "-v", "ON_ERROR_STOP=1", "-q"],
        input=script,
        text=True,
        check=True,
        capture_output=True,
    )
    from_postgres = with_sources(
        small_plan,
        ("  - sql: {uri: '$PERFMKT_TEST_POSTGRES_URI', query: 'SELECT * FROM daily_ads'}\n"),
        "pg.yaml",
    )
    assert kpis(from_postgres) == kpis(small_plan)
    stdout, _ = run_cli(["report", from_postgres, "--as-of", "2026-03-05", "-f", "json"])
    files = json.loads(stdout)["notes"]["files"]
    assert any(f["path"].startswith("sources[0] sql: postgresql://") for f in files)
    secret = POSTGRES.split("//", 1)[1].split("@")[0].partition(":")[2]
    assert not secret or f":{secret}@" not in stdout  # the password never reaches a report


def test_a_failing_query_is_one_line(small_plan: Path) -> None:
    plan = with_sources(
        small_plan,
        ("  - sql: {uri: 'duckdb://', query: 'SELECT * FROM no_such_table'}\n"),
        "bad.yaml",
    )
    _, stderr = run_cli(["report", plan], expect=2)
    assert stderr.startswith("perfmkt: error: sources[0] sql: duckdb://: the query failed")
    assert stderr.count("\n") == 1


# ---- warehouse: sources (perfmkt writes the query) --------------------------------------------

AD_REPORTING = (
    "SELECT date AS date_day, CASE platform WHEN 'meta' THEN 'facebook_ads' ELSE platform END "
    "AS platform, account AS account_name, campaign_id, campaign AS campaign_name, spend, "
    "impressions, clicks, orders AS conversions, revenue AS conversions_value FROM facts"
)
WAREHOUSE_SOURCE = "  - warehouse: {{connection: PERFMKT_TEST_WAREHOUSE, table: {table}}}\n"


def report(plan: Path, as_of: str = "2026-03-05") -> dict:
    stdout, _ = run_cli(["report", plan, "--as-of", as_of, "-f", "json", "--no-cache"])
    return json.loads(stdout)


def warehouse_file(report: dict) -> dict:
    return next(f for f in report["notes"]["files"] if " warehouse: " in f["path"])


def test_an_ad_reporting_table_in_duckdb_paces_like_the_csv_exports(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    facts = daily_facts(small_plan).with_columns(campaign_id=pl.lit(None, dtype=pl.String))
    database = small_plan.parent / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.register("facts", facts.to_arrow())
        con.execute(f"CREATE TABLE ad_reporting__campaign_report AS {AD_REPORTING}")
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", f"duckdb:///{database}")
    plan = with_sources(
        small_plan, WAREHOUSE_SOURCE.format(table="ad_reporting__campaign_report"), "wh.yaml"
    )
    expected, got = report(small_plan), report(plan)
    assert got["kpis"] == expected["kpis"]
    assert got["daily"] == expected["daily"]
    read = warehouse_file(got)
    assert read["path"] == (
        "sources[0] warehouse: ad_reporting__campaign_report (duckdb, $PERFMKT_TEST_WAREHOUSE)"
    )
    # Only the channels' campaign-days come back: the two non-SHOPX campaigns stay there.
    assert read["rows"] == 8
    assert read["columns"]["orders"] == "conversions"
    assert read["columns"]["revenue"] == "conversions_value"


def psql(script: str) -> None:
    assert POSTGRES
    subprocess.run(
        ["psql", POSTGRES, "-v", "ON_ERROR_STOP=1", "-q"],
        input=script,
        text=True,
        check=True,
        capture_output=True,
    )


@needs_postgres
def test_an_ad_reporting_table_in_postgresql_paces_like_the_csv_exports(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert POSTGRES, "CI must start PostgreSQL and set PERFMKT_TEST_POSTGRES_URI"
    facts = daily_facts(small_plan).with_columns(
        campaign_id=pl.col("campaign").str.len_bytes().cast(pl.String)  # ids, one per name
    )
    csv = tmp_path / "facts.csv"
    facts.write_csv(csv)
    types = {pl.Date: "date", pl.String: "text", pl.Float64: "double precision"}
    columns = ", ".join(f"{c} {types[t.base_type()]}" for c, t in facts.schema.items())
    psql(
        "DROP SCHEMA IF EXISTS ad_reporting CASCADE; CREATE SCHEMA ad_reporting;\n"
        f"CREATE TEMP TABLE facts ({columns});\n"
        f"\\copy facts FROM '{csv}' CSV HEADER\n"
        f"CREATE TABLE ad_reporting.ad_reporting__campaign_report AS {AD_REPORTING};\n"
    )
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", POSTGRES)
    plan = with_sources(
        small_plan,
        WAREHOUSE_SOURCE.format(table="ad_reporting.ad_reporting__campaign_report"),
        "pg-wh.yaml",
    )
    expected, got = report(small_plan), report(plan)
    assert got["kpis"] == expected["kpis"]
    assert got["daily"] == expected["daily"]
    read = warehouse_file(got)
    assert read["rows"] == 8
    assert "(postgres, $PERFMKT_TEST_WAREHOUSE)" in read["path"]
    secret = POSTGRES.split("//", 1)[1].split("@")[0].partition(":")[2]
    assert not secret or secret not in json.dumps(got)
