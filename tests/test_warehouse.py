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
    psql(script)
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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'inf'::DOUBLE", "spend: expected a finite number, found 'inf' for 'SHOPX_A' on "),
        ("-2.0", "spend: expected spend of 0 or more, found '-2.0' for 'SHOPX_A' on "),
        ("'nan'::DOUBLE", "clicks: expected a finite number, found 'nan' for 'SHOPX_A' on "),
    ],
)
def test_a_sql_or_parquet_amount_that_is_not_finite_or_below_zero_is_one_line(
    small_plan: Path, value: str, expected: str
) -> None:
    """The rules of an export (and of a warehouse: table) hold for sql: and Parquet rows too."""
    import duckdb

    amounts = {"spend": "1.0", "clicks": "1.0", expected.split(":")[0]: value}
    query = (
        "SELECT DATE '2026-03-02' AS date, 'google_ads' AS platform, 'SHOPX_A' AS campaign, "
        + ", ".join(f"{v} AS {k}" for k, v in amounts.items())
    )
    parquet = small_plan.parent / "bad.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM ({query})) TO '{parquet}' (FORMAT parquet)")
    sources = {
        "sql.yaml": f'  - sql: {{uri: "duckdb://", query: "{query}"}}\n',
        "parquet.yaml": "  - path: bad.parquet\n",
    }
    for name, source in sources.items():
        plan = with_sources(small_plan, source, name)
        _, stderr = run_cli(["report", plan, "--as-of", "2026-03-05"], expect=2)
        assert expected + "2026-03-02\n" in stderr and stderr.count("\n") == 1, stderr


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


# ---- 10 M ad-level rows in a DuckDB file ----------------------------------------------------

ROWS = 10_000_000
DAYS = 160  # 2025-10-01 .. 2026-03-09: beyond the flight and its 41-day lookback both sides
CAMPAIGNS = 200  # 4 platforms x 50; the ads of one campaign-day: ROWS / DAYS / CAMPAIGNS
RAW_PLATFORMS = ("google_ads", "facebook_ads", "tiktok_ads", "pinterest_ads")
RENAMED = 12  # a google SHOPX campaign renamed on 2026-02-01 (that day's ads carry both names)
BIG_PLAN = """\
client: Shop X
campaign: Big
currency: VND
timezone: Asia/Ho_Chi_Minh
flight: {{start: 2026-01-05, end: 2026-02-28}}
sources:
{sources}
channels:
  google: {{platform: shop_google, campaigns: "^SHOPX_"}}
  meta: {{platform: shop_meta, campaigns: "SHOPX_(Old|New|[A-Z])"}}
  tiktok: {{platform: shop_tiktok, campaigns: "(?i)shopx"}}
kpis: {{spend: 2_000_000_000_000, orders: 3_000_000, revenue: 200_000_000_000, cpo: 700_000,
  roas: 0.1}}
"""
NAMES = {"google_ads": "shop_google", "facebook_ads": "shop_meta", "tiktok_ads": "shop_tiktok"}
CSV_COLUMNS = (
    "{date: date_day, account: account_name, campaign: campaign_name, campaign_id: campaign_id, "
    "spend: spend, impressions: impressions, clicks: clicks, conversions: conversions, "
    "orders: conversions, revenue: conversions_value, conversion_value: conversions_value}"
)


def make_ad_table(database: Path, rows: int = ROWS) -> None:
    """``ad_report``: one row per ad and day with dbt_ad_reporting's column names, built inside
    DuckDB (about 2 s for 10 M rows). Whole numbers only, so any order of summing is exact."""
    import duckdb

    per_day = rows // DAYS
    platforms = ", ".join(f"'{p}'" for p in RAW_PLATFORMS)
    with duckdb.connect(str(database)) as con:
        con.execute(f"""
            CREATE TABLE ad_report AS
            WITH campaigns AS (
                SELECT c, [{platforms}][c % 4 + 1] AS platform,
                       'Acc ' || (c % 3) AS account_id, 'Account ' || (c % 3) AS account_name,
                       'c' || c AS campaign_id,
                       CASE WHEN c % 5 < 3 THEN 'SHOPX_' || chr((65 + c % 26)::INTEGER) || '_' || c
                            ELSE 'OTHER_' || c END AS campaign_name
                FROM range({CAMPAIGNS}) t(c)
            ), ads AS (
                SELECT i, i // {per_day} AS d, (i % {per_day}) % {CAMPAIGNS} AS c,
                       (i % {per_day}) // {CAMPAIGNS} AS ad
                FROM range({per_day * DAYS}) t(i)
            )
            SELECT DATE '2025-10-01' + d::INTEGER AS date_day, platform, account_id, account_name,
                   campaign_id,
                   CASE WHEN c <> {RENAMED} THEN campaign_name
                        WHEN d < 123 OR (d = 123 AND ad % 2 = 0) THEN 'SHOPX_Old_' || c
                        ELSE 'SHOPX_New_' || c END AS campaign_name,
                   ad AS ad_id,
                   ((i * 7919) % 1000) * 100.0 AS spend,
                   (i % 50) * 10 + 100 AS impressions, i % 7 AS clicks,
                   (i % 11 = 0)::INTEGER AS conversions,
                   (i % 11 = 0)::INTEGER * (i % 13) * 10000.0 AS conversions_value
            FROM ads JOIN campaigns USING (c)
        """)


@pytest.fixture(scope="session")
def big_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 10 M-row DuckDB file, built once per test session."""
    database = tmp_path_factory.mktemp("warehouse") / "ads.duckdb"
    make_ad_table(database)
    return database


def write_csv_exports(database: Path, folder: Path) -> str:
    """What the platforms' exports would hold: the table's campaign-days (a renamed campaign's
    day under each of its names), one CSV per platform; the plan's sources: lines for them."""
    import duckdb

    folder.mkdir(exist_ok=True)
    sources = ""
    with duckdb.connect(str(database), read_only=True) as con:
        for raw, name in NAMES.items():
            csv = folder / f"{name}.csv"
            con.execute(f"""
                COPY (SELECT date_day, account_name, campaign_id, campaign_name,
                             SUM(spend)::BIGINT AS spend, SUM(impressions) AS impressions,
                             SUM(clicks) AS clicks, SUM(conversions) AS conversions,
                             SUM(conversions_value)::BIGINT AS conversions_value
                      FROM ad_report WHERE platform = '{raw}'
                      GROUP BY ALL ORDER BY ALL) TO '{csv}' (HEADER)
            """)
            sources += f"  - {{path: {csv.name}, platform: {name}, columns: {CSV_COLUMNS}}}\n"
    return sources


def test_ten_million_rows_pace_like_the_csv_exports_and_only_campaign_days_come_back(
    big_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", f"duckdb:///{big_table}")
    csv_plan = tmp_path / "csv.yaml"
    csv_plan.write_text(BIG_PLAN.format(sources=write_csv_exports(big_table, tmp_path)))
    platforms = ", ".join(f"{raw}: {name}" for raw, name in NAMES.items())
    warehouse_plan = tmp_path / "warehouse.yaml"
    warehouse_plan.write_text(
        BIG_PLAN.format(
            sources="  - warehouse: {connection: PERFMKT_TEST_WAREHOUSE, table: ad_report, "
            f"platforms: {{{platforms}}}}}"
        )
    )
    expected = report(csv_plan, "2026-02-10")
    got = report(warehouse_plan, "2026-02-10")
    assert got["kpis"] == expected["kpis"]
    assert got["daily"] == expected["daily"]
    # Fetched: the 96 days from 41 before the flight to its end, for the 30 google and 30 meta
    # SHOPX campaigns (pattern pushed down) and all 50 tiktok ones ((?i) is not: its platform
    # is); pinterest is no channel. The renamed campaign's mixed day is one row.
    assert warehouse_file(got)["rows"] == 96 * (30 + 30 + 50)


# ---- what a plan or a table can get wrong: one line, exit 2 -----------------------------------


def warehouse_plan(small_plan: Path, warehouse: str) -> Path:
    return with_sources(small_plan, f"  - warehouse: {warehouse}\n", "bad.yaml")


def one_line_error(plan: Path) -> str:
    _, stderr = run_cli(["report", plan, "--as-of", "2026-03-05"], expect=2)
    assert stderr.count("\n") == 1, stderr
    return stderr


def test_an_unset_connection_variable_is_a_plan_error_on_its_line(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PERFMKT_NO_SUCH_WAREHOUSE", raising=False)
    plan = warehouse_plan(small_plan, "{connection: PERFMKT_NO_SUCH_WAREHOUSE, table: t}")
    line = (
        plan.read_text()
        .splitlines()
        .index("  - warehouse: {connection: PERFMKT_NO_SUCH_WAREHOUSE, table: t}")
    )
    assert one_line_error(plan) == (
        f"perfmkt: error: {plan}:{line + 1}: sources[0].warehouse.connection: the environment "
        "variable PERFMKT_NO_SUCH_WAREHOUSE is not set (it holds the warehouse's URI, e.g. "
        "postgresql://user:password@host/db)\n"
    )


@pytest.mark.parametrize(
    ("warehouse", "expected"),
    [
        ("{connection: W, table: t, dialect: oracle}", "sources[0].warehouse.dialect: Input"),
        ("{connection: 'postgresql://u:p@h/db', table: t}", "is not an environment variable"),
        ("{connection: W, table: 't; DROP TABLE x'}", "sources[0].warehouse.table"),
    ],
)
def test_a_bad_warehouse_key_is_a_plan_error(
    small_plan: Path, warehouse: str, expected: str
) -> None:
    plan = warehouse_plan(small_plan, warehouse)
    _, stderr = run_cli(["validate", plan], expect=2)
    assert expected in stderr
    assert "u:p@h" not in stderr  # a URI written where the variable's name goes is not echoed


def test_a_scheme_without_a_dialect_is_a_plan_error(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", "oracle://u:secret@host/db")
    plan = warehouse_plan(small_plan, "{connection: PERFMKT_TEST_WAREHOUSE, table: t}")
    stderr = one_line_error(plan)
    assert "cannot tell the SQL dialect of a oracle: URI" in stderr
    assert "add dialect: (postgres, duckdb, bigquery, snowflake, clickhouse, trino)" in stderr
    assert "secret" not in stderr


def test_a_missing_column_names_the_column_and_what_it_was_for(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    database = small_plan.parent / "thin.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "CREATE TABLE report AS SELECT DATE '2026-03-02' AS date_day, 'google_ads' AS "
            "platform, 'SHOPX_A' AS campaign_name, 1.0 AS cost"
        )
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", f"duckdb:///{database}")
    plan = warehouse_plan(small_plan, "{connection: PERFMKT_TEST_WAREHOUSE, table: report}")
    assert one_line_error(plan) == (
        "perfmkt: error: sources[0] warehouse: report (duckdb, $PERFMKT_TEST_WAREHOUSE): the "
        "table report has no column 'spend', expected for spend (found: date_day, platform, "
        "campaign_name, cost) (map it with columns: {spend: <column>} or use layout: facts)\n"
    )
    # Mapped, it reads; a mapped column the table lacks is named the same way.
    mapped = with_sources(
        small_plan,
        "  - warehouse: {connection: PERFMKT_TEST_WAREHOUSE, table: report}\n"
        "    columns: {spend: cost, orders: purchases}\n",
        "mapped.yaml",
    )
    assert "no column 'purchases', expected for orders" in one_line_error(mapped)


def test_a_missing_driver_is_one_line_with_the_pip_hint(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_sqlalchemy(name: str, *args: object, **kwargs: object) -> object:
        if name == "sqlalchemy":
            raise ImportError("No module named 'sqlalchemy'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_sqlalchemy)
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", "snowflake://u:secret@account/db/schema")
    plan = warehouse_plan(small_plan, "{connection: PERFMKT_TEST_WAREHOUSE, table: t}")
    stderr = one_line_error(plan)
    assert "the snowflake reader is not installed" in stderr
    assert "pip install snowflake-sqlalchemy" in stderr


def _table(small_plan: Path, monkeypatch: pytest.MonkeyPatch, select: str) -> Path:
    """A DuckDB file whose table ``report`` is ``select``, and a plan reading it."""
    import duckdb

    database = small_plan.parent / "edge.duckdb"
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE TABLE report AS {select}")
    monkeypatch.setenv("PERFMKT_TEST_WAREHOUSE", f"duckdb:///{database}")
    return warehouse_plan(small_plan, "{connection: PERFMKT_TEST_WAREHOUSE, table: report}")


ROW = (
    "SELECT DATE '2026-03-0{day}' AS date_day, 'google_ads' AS platform, 'Shop' AS account_name, "
    "{id} AS campaign_id, '{name}' AS campaign_name, {spend} AS spend, 10 AS impressions, "
    "1 AS clicks, 1.0 AS conversions, 100.0 AS conversions_value"
)


def test_campaigns_without_ids_are_told_apart_by_name(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two campaigns with a null id on one day are two campaign-days (the query groups them by
    name), not 'rows that are not campaign-days'."""
    rows = " UNION ALL ".join(
        ROW.format(day=2, id="CAST(NULL AS VARCHAR)", name=name, spend=spend)
        for name, spend in (("SHOPX_A", 100.0), ("SHOPX_B", 50.0), ("SHOPX_B", 25.0))
    )
    got = report(_table(small_plan, monkeypatch, rows))
    assert warehouse_file(got)["rows"] == 2
    assert got["kpis"][0]["name"] == "spend" and got["kpis"][0]["actual_to_date"] == 175.0
    assert got["notes"]["files"][0]["modified"][:4] != "1970"  # the fetch time, not zero


@pytest.mark.parametrize(
    ("spend", "expected"),
    [
        (
            "'100'",
            "the table's column 'spend' holds text, expected numbers for spend (cast it to a "
            "number in a view, or map another column with columns:)",
        ),
        ("-5.0", "spend: expected spend of 0 or more, found '-5.0' for 'SHOPX_A' on 2026-03-02"),
        # not a number the report could show (it crashed formatting the projection)
        ("'inf'::DOUBLE", "spend: expected a finite number, found 'inf' for 'SHOPX_A' on 2026-"),
        ("'nan'::DOUBLE", "spend: expected a finite number, found 'nan' for 'SHOPX_A' on 2026-"),
    ],
)
def test_a_spend_column_of_text_or_below_zero_is_one_line(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch, spend: str, expected: str
) -> None:
    plan = _table(small_plan, monkeypatch, ROW.format(day=2, id="'1'", name="SHOPX_A", spend=spend))
    stderr = one_line_error(plan)
    assert stderr.startswith("perfmkt: error: sources[0] warehouse: report (duckdb, ")
    assert expected in stderr
