"""The one-pass reader (``streaming.read_campaign_days``) gives what ``read_export`` summed by
``load.campaign_days`` gives — the same frame bit for bit, the same ``FileRead``, the same one
error line — and transcodes UTF-16 and cp1258 exports in chunks."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from perfmkt.errors import ExportError
from perfmkt.sources import streaming, transcode
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.load import campaign_days
from perfmkt.sources.reader import FileRead, read_export
from tests.conftest import run_cli
from tests.test_export_trust import cp1258

HEADER = "Day,Campaign,Ad group,Currency code,Cost,Impr.,Clicks,Conversions,Conv. value\n"
PREAMBLE = "Ad group report\nMarch 1, 2026 - March 31, 2026\n"


def old_way(path: Path, options: ReadOptions) -> tuple[pl.DataFrame, FileRead] | str:
    try:
        frame, info = read_export(path, options)
    except ExportError as exc:
        return str(exc)
    return campaign_days(frame), info


def new_way(path: Path, options: ReadOptions) -> tuple[pl.DataFrame, FileRead] | str:
    try:
        return streaming.read_campaign_days(path, options)
    except ExportError as exc:
        return str(exc)


def fast_only(path: Path, options: ReadOptions) -> tuple[pl.DataFrame, FileRead] | None:
    """The one-pass path alone: None where it hands the file to read_export."""
    with __import__("tempfile").TemporaryDirectory() as scratch:
        source = streaming._open(path, options, Path(scratch))
        return streaming._fast(path, options, source) if source else None


def assert_same(
    old: tuple[pl.DataFrame, FileRead] | str, new: tuple[pl.DataFrame, FileRead] | str
) -> None:
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    assert_frame_equal(new[0], old[0], check_exact=True)
    assert dataclasses.asdict(new[1]) == dataclasses.asdict(old[1])


# ---- transcoding in chunks ------------------------------------------------------------------


def _vi_rows(count: int) -> str:
    names = ["Tết_Tìm kiếm", "Khuyến mãi_Hiển thị", "Chiến dịch_Mua sắm"]
    return "".join(
        f'2026-03-{1 + i % 28:02d},{names[i % 3]},Nhóm {i % 7},VND,"{1000 + i:,}.50",'
        f"{10 + i},{i % 9},{i % 3}.0,{i * 3}.25\n"
        for i in range(count)
    )


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "cp1258"])
def test_transcoding_in_chunks_splits_characters_and_reads_like_utf8(
    tmp_path: Path, codec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PREAMBLE + HEADER + _vi_rows(400)
    raw = cp1258(text) if codec == "cp1258" else text.encode(codec)
    chunk = 1001  # odd: UTF-16 code units and cp1258 base + tone mark pairs fall across it
    # a character is cut by a chunk boundary somewhere in the file
    assert any(raw[k - 1] >= 0x80 or raw[k] >= 0x80 for k in range(chunk, len(raw), chunk))
    assert len(raw) > 10 * chunk
    encoded, utf8 = tmp_path / f"{codec}.csv", tmp_path / "utf8.csv"
    encoded.write_bytes(raw)
    utf8.write_text(text, encoding="utf-8")
    options = ReadOptions(encoding="cp1258") if codec == "cp1258" else ReadOptions()

    out = io.BytesIO()
    transcode.transcode(encoded, codec, out, normalize=codec == "cp1258", chunk=chunk)
    assert out.getvalue().decode("utf-8") == text  # cp1258's letter + tone mark made one (NFC)

    monkeypatch.setattr(transcode, "CHUNK", chunk)
    read = fast_only(encoded, options)
    assert read is not None  # read in one pass, not whole by read_export
    reference = fast_only(utf8, ReadOptions())
    assert reference is not None
    same_facts = read[0].with_columns(pl.lit(str(utf8)).alias("source_file"))
    assert_frame_equal(same_facts, reference[0], check_exact=True)
    assert read[1].encoding == {"cp1258": "cp1258", "utf-16": "utf-16"}.get(codec, codec)
    assert_same(old_way(encoded, options), new_way(encoded, options))


def test_an_undecodable_byte_past_the_first_chunk_is_read_exports_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = (PREAMBLE + HEADER + _vi_rows(200)).encode("utf-8") + b"2026-03-02,Caf\xe9,x\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(raw)
    monkeypatch.setattr(transcode, "CHUNK", 512)
    assert not transcode.is_valid_utf8(path)
    new = new_way(path, ReadOptions())
    assert isinstance(new, str) and "expected UTF-8 text, found byte 0xE9" in new
    assert new == old_way(path, ReadOptions())


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        # UTF-16's incremental decoder refuses a start without a byte-order mark (exit 3)
        ("utf-16", "the file ends in the middle of a UTF-16 character"),
        ("base64", "'base64' is not a text encoding (name a codec such as utf-8"),
        ("undefined", "cannot decode the file as undefined (the plan's encoding:): "),
    ],
)
def test_a_stated_encoding_that_cannot_read_the_file_is_one_line_either_way(
    tmp_path: Path, stated: str, expected: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(PREAMBLE + HEADER + "2026-03-01,Tết,g1,VND,10,1,1,1,12\n", encoding="utf-8")
    assert len(path.read_bytes()) % 2  # odd: UTF-16 cannot end on it
    new = new_way(path, ReadOptions(encoding=stated))
    assert isinstance(new, str) and expected in new
    assert new == old_way(path, ReadOptions(encoding=stated))


def test_a_report_on_utf8_exports_stated_utf16_is_exit_2(small_plan: Path) -> None:
    plan = small_plan.read_text()
    google = "  - path: exports/google/*.csv\n"
    small_plan.write_text(plan.replace(google, google + "    encoding: utf-16\n"))
    _, stderr = run_cli(["report", small_plan, "--as-of", "2026-03-05", "--no-cache"], expect=2)
    assert stderr.startswith("perfmkt: error: ") and stderr.count("\n") == 1, stderr
    assert "unexpected error" not in stderr


# ---- the one pass against read_export + campaign_days ---------------------------------------


def _cell(value: float, style: str) -> str:
    if style == "plain":
        return f"{value:.2f}"
    if style == "thousands":
        return f'"{value:,.2f}"'
    return f'"{value:,.2f}"'.replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234,56


CASES = {
    "plain, totals row": (
        HEADER + "2026-03-01,A,g1,VND,10.5,100,3,1.0,20.25\n"
        "2026-03-01,A,g2,VND,4.5,50,1,0.0,0.00\n2026-03-02,B,g1,VND,7,70,2,1,9\n"
        "Total: Campaigns, --, --,VND,22.0,220,6,2.0,29.25\n"
    ),
    "thousands": (
        HEADER + '2026-03-01,A,g1,VND,"1,234.50",100,3,1.0,"12,000.25"\n'
        '2026-03-02,A,g1,VND,"2,000.00","1,500",3,1.0,"1,000,000.00"\n'
    ),
    "decimal comma in a 1,234.56 file": (
        HEADER + '2026-03-01,A,g1,VND,"1,234.50",1,1,1,1\n2026-03-02,A,g1,VND,"1.234,50",1,1,1,1\n'
    ),
    "bad cell": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,1\n2026-03-02,A,g1,VND,ten,1,1,1,1\n",
    "no value": HEADER + "2026-03-01,A,g1,VND, --,1,1,1,1\n2026-03-02,A,g1,VND,$5,1,1,1,1\n",
    "negative spend": HEADER + "2026-03-01,A,g1,VND,-10,1,1,1,1\n",
    "negative conversions": HEADER + "2026-03-01,A,g1,VND,10,1,1,-1,1\n",
    "blank day": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,1\n,A,g1,VND,10,1,1,1,1\n",
    "slash days": HEADER + "13/03/2026,A,g1,VND,10,1,1,1,1\n14/03/2026,A,g1,VND,1,1,1,1,1\n",
    "cut short": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,1\n2026-03-02,A,g1,VND,10\n",
    "short row": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,\n2026-03-02,A,g1,VND,10,1,1\n"
    "2026-03-03,A,g1,VND,10,1,1,1,1\n",
    "empty last cells": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,\n2026-03-02,A,g1,VND,3,1,1,,\n",
    "extra cell": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,1,9\n",
    "no campaign": HEADER + "2026-03-01,,g1,VND,10,1,1,1,1\n2026-03-01,A,g1,VND,1,1,1,1,1\n",
    "blank lines": HEADER + "2026-03-01,A,g1,VND,10,1,1,1,1\n\n2026-03-02,A,g1,VND,1,1,1,1,1\n",
    "infinite": HEADER + "2026-03-01,A,g1,VND,inf,1,1,1,1\n",
}


@pytest.mark.parametrize("name", CASES)
def test_a_table_of_files_reads_alike(tmp_path: Path, name: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(PREAMBLE + CASES[name], encoding="utf-8")
    assert_same(old_way(path, ReadOptions()), new_way(path, ReadOptions()))


def test_a_clean_file_takes_the_one_pass(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(PREAMBLE + CASES["thousands"], encoding="utf-8")
    assert fast_only(path, ReadOptions()) is not None


def test_slash_days_are_handed_to_read_export_before_any_scan(tmp_path: Path) -> None:
    """Days like 13/03/2026 are seen in the first lines (a 1.8 M-row file of them was scanned
    in vain, then read again: 3.4 s instead of 2.0 s)."""
    slash = tmp_path / "slash.csv"
    slash.write_text(PREAMBLE + CASES["slash days"], encoding="utf-8")
    with __import__("tempfile").TemporaryDirectory() as scratch:
        source = streaming._open(slash, ReadOptions(), Path(scratch))
        assert source is not None and streaming._shape(slash, ReadOptions(), source) is None


META_HEAD = "Reporting starts,Reporting ends,Campaign name,{spend},Impressions\n"


@pytest.mark.parametrize(
    ("head", "row", "plan", "currency", "said"),
    [
        (HEADER, "2026-03-01,A,g1, USD ,1,1,1,1,1\n", "EUR", "USD", "Currency code"),
        (
            META_HEAD.format(spend="Amount spent (VND)"),
            "2026-03-01,2026-03-01,A,5,9\n",
            "EUR",
            "VND",
            "Amount spent (VND) (header)",
        ),
        (
            META_HEAD.format(spend="Amount spent"),
            "2026-03-01,2026-03-01,A,5,9\n",
            "EUR",
            "EUR",
            "currency: in the plan",
        ),
        (
            META_HEAD.format(spend="Amount spent"),
            "2026-03-01,2026-03-01,A,5,9\n",
            None,
            None,
            None,
        ),
    ],
)
def test_the_currency_comes_from_its_column_the_spend_header_or_the_plan(
    tmp_path: Path, head: str, row: str, plan: str | None, currency: str | None, said: str | None
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(head + row, encoding="utf-8")
    options = ReadOptions(currency=plan)
    assert fast_only(path, options) is not None  # both readers' part
    new = new_way(path, options)
    assert_same(old_way(path, options), new)
    assert not isinstance(new, str)
    assert new[0]["currency"].to_list() == [currency]
    assert new[1].columns_used.get("currency") == said


def test_the_one_pass_counts_rows_and_sums_campaign_days_by_hand(tmp_path: Path) -> None:
    """A Meta export with its account row first and a totals row last: what the notes show
    (rows read and left out, days, range, attribution) and the sums, counted by hand."""
    path = tmp_path / "meta.csv"
    path.write_text(
        "Reporting starts,Reporting ends,Campaign name,Attribution setting,"
        "Amount spent (VND),Impressions,Purchases\n"
        "2026-03-01,2026-03-03,,,900,90,9\n"  # the account's row: no campaign
        "2026-03-01,2026-03-01,A,7-day click,100,10,1\n"
        "2026-03-02,2026-03-02,A,7-day click,250.5,20,\n"  # no purchases: an empty last cell
        "2026-03-02,2026-03-02,B,1-day view,40,4,0\n"
        "2026-03-03,2026-03-03,B,7-day click,60,6,2\n"
        "Total,,,,450.5,40,3\n",
        encoding="utf-8",
    )
    found = fast_only(path, ReadOptions())
    assert found is not None
    frame, info = found
    rows = frame.sort("campaign", "date").select("date", "campaign", "spend", "orders").rows()
    assert [(d.isoformat(), c, s, o) for d, c, s, o in rows] == [
        ("2026-03-01", "A", 100.0, 1.0),
        ("2026-03-02", "A", 250.5, None),
        ("2026-03-02", "B", 40.0, 0.0),
        ("2026-03-03", "B", 60.0, 2.0),
    ]
    assert frame["currency"].unique().to_list() == ["VND"]
    assert info.rows_read == 4
    assert info.skipped == {
        "totals rows and footers (never data: rows are summed instead)": 1,
        "rows without a campaign name (account totals)": 1,
    }
    assert (info.first_day.isoformat(), info.last_day.isoformat()) == ("2026-03-01", "2026-03-03")
    assert (info.range_start.isoformat(), info.range_end.isoformat(), info.range_from) == (
        "2026-03-01",
        "2026-03-03",
        "Reporting starts/Reporting ends columns",
    )
    assert info.attribution == ["1-day view", "7-day click"]
    assert_same(old_way(path, ReadOptions()), found)


ROW = st.fixed_dictionaries(
    {
        "day": st.integers(1, 28),
        "campaign": st.sampled_from(["A", "B", "Tết", ""]),
        "spend": st.floats(0, 2e6, allow_nan=False).map(lambda v: round(v, 2)),
        "clicks": st.integers(-1, 5000),
        "value": st.floats(-10, 5e6, allow_nan=False).map(lambda v: round(v, 2)),
        "style": st.sampled_from(["plain", "thousands", "comma"]),
        "odd": st.sampled_from(["", "", "", "", "bad", "blank day", "total", "short"]),
    }
)


def _line(row: dict) -> str:
    style = row["style"]
    day = "" if row["odd"] == "blank day" else f"2026-03-{row['day']:02d}"
    spend = "n/a!" if row["odd"] == "bad" else _cell(row["spend"], style)
    cells = [day, row["campaign"], "g", "VND", spend, "10", str(row["clicks"]), "1.0"]
    cells.append(_cell(row["value"], style))
    if row["odd"] == "total":
        cells[0] = "Total: Campaigns"
    if row["odd"] == "short":
        cells = cells[:6]
    return ",".join(cells) + "\n"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=12), stated=st.sampled_from([None, "1,234.56"]))
def test_generated_files_read_alike(tmp_path: Path, rows: list[dict], stated: str | None) -> None:
    path = tmp_path / "generated.csv"
    path.write_text(PREAMBLE + HEADER + "".join(_line(r) for r in rows), encoding="utf-8")
    options = ReadOptions(number_format=stated)  # type: ignore[arg-type]
    assert_same(old_way(path, options), new_way(path, options))


def test_benchmark_shapes_read_alike_and_in_one_pass(tmp_path: Path) -> None:
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("gen", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate(tmp_path, rows=3_000, files=6)
    for path in sorted(tmp_path.glob("*/*.csv")):
        assert fast_only(path, ReadOptions()) is not None, path
        assert_same(old_way(path, ReadOptions()), new_way(path, ReadOptions()))
