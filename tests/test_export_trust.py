"""No silent wrong answers from an export: every doubtful byte, cell or row is an error naming
file, row and column, or a warning the data notes show — never a guess, a silent sum or a
silent drop. Files are written in tmp_path; expected messages are exact."""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from perfmkt.errors import ExportError
from perfmkt.sources.base import ReadOptions, ShopOptions
from perfmkt.sources.cache import cached_read
from perfmkt.sources.load import _read_campaign_days, load_exports
from perfmkt.sources.reader import FileRead, read_export
from perfmkt.sources.shop import EXPECTED_ORDERS, read_shop_export
from tests.conftest import FIXTURES, ROOT, run_cli

GOOGLE_HEAD = "Report\nJanuary 1, 2026 - January 2, 2026\nDay,Campaign,Cost,Impr.,Clicks\n"
EXPECTED = (
    "(expected Google Ads: Campaign with Cost or Impr.; Meta: Amount spent (…) or Reporting "
    "starts; TikTok: Cost with Impression or Clicks (destination); Microsoft Advertising: "
    "Spend with TimePeriod, CampaignName or AdGroupName; LinkedIn: Total Spent or Amount "
    "Spent with Campaign Name)"
)


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(
    tmp_path: Path, text: str, options: ReadOptions | None = None
) -> tuple[pl.DataFrame, FileRead]:
    """``read_export`` of ``text`` written as a UTF-8 file in ``tmp_path``."""
    return read_export(write(tmp_path, text), options)


def error(path: Path, options: ReadOptions | None = None) -> str:
    with pytest.raises(ExportError) as caught:
        read_export(path, options)
    return str(caught.value)


# ---- encodings: detected where the bytes say, stated where they cannot --------------------


def cp1258(text: str) -> bytes:
    """As Vietnamese Excel writes it: letters cp1258 lacks as a base letter + a tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            head = unicodedata.normalize("NFC", base + "".join(marks[:-1]))
            out += (head + marks[-1]).encode("cp1258")
    return bytes(out)


VI_BYTES = cp1258(
    "Báo cáo\n1 tháng 3, 2026 - 2 tháng 3, 2026\nNgày,Chiến dịch,Chi phí,Lượt hiển thị\n"
    '01/03/2026,Tết,"1.250.000","12.000"\n02/03/2026,Tết,"980.500","10.500"\n'
)


def test_one_invalid_utf8_byte_is_an_error_naming_its_line(tmp_path: Path) -> None:
    text = GOOGLE_HEAD + "2026-01-01,A,1,1,1\n2026-01-02,Caf\u00e9,1,1,1\n"
    path = tmp_path / "g.csv"
    path.write_bytes(text.encode("utf-8").replace("é".encode(), b"\xe9"))
    assert error(path) == (
        f"{path}:5: expected UTF-8 text, found byte 0xE9 (byte 15 of the line), which is not "
        "UTF-8 (state the file's encoding for this source in the plan: `encoding: cp1258` for "
        "Vietnamese Excel, `encoding: windows-1252` for Western European Excel; or save it as "
        "CSV UTF-8)"
    )
    facts, info = read_export(path, ReadOptions(encoding="windows-1252"))
    assert facts["campaign"].to_list() == ["A", "Café"] and info.encoding == "cp1252"


def test_windows_1258_is_stated_and_composed(tmp_path: Path) -> None:
    path = tmp_path / "vi.csv"
    path.write_bytes(VI_BYTES)
    assert error(path).startswith(f"{path}:1: expected UTF-8 text, found byte 0xE1")
    facts, info = read_export(path, ReadOptions(encoding="cp1258"))
    assert facts["campaign"].to_list() == ["Tết", "Tết"]  # composed (NFC), as we write it
    assert facts["spend"].sum() == 1_250_000 + 980_500
    assert (info.encoding, info.range_start, info.range_end) == (
        "cp1258",
        date(2026, 3, 1),
        date(2026, 3, 2),
    )


def test_stated_encodings(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-01,A,1,1,1\n")
    assert error(path, ReadOptions(encoding="klingon")) == (
        f"{path}: unknown encoding 'klingon' (name a codec such as utf-8, utf-16, cp1258 or "
        "windows-1252)"
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (GOOGLE_HEAD + "2026-01-01,A,1,1,1\n").encode())
    _, info = read_export(bom, ReadOptions(encoding="utf-8"))
    assert info.encoding == "utf-8-sig"
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes((GOOGLE_HEAD + "2026-01-01,A,1,1,1\n").encode("utf-16"))
    assert error(utf16, ReadOptions(encoding="utf-8")).startswith(
        f"{utf16}:1: expected UTF-8 text (the plan's encoding:), found byte 0xFF"
    )


NOT_AN_EXPORT = (
    "(expected a CSV or TSV export from an ad platform, with a header such as Day, Campaign, Cost)"
)
EXCEL = "not CSV text (in Excel: File > Save As > CSV UTF-8)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            f"not a recognised export: a binary file, not CSV text {NOT_AN_EXPORT}",
        ),
        (
            b"PK\x03\x04" + bytes(200),
            f"not a recognised export: an Excel workbook (.xlsx) or another zip archive, {EXCEL}",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
            f"not a recognised export: an Excel 97-2003 workbook (.xls), {EXCEL}",
        ),
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            f"not a recognised export: a PDF document, not CSV text {NOT_AN_EXPORT}",
        ),
        (
            b"\x1f\x8b\x08\x00" + bytes(range(100, 200)),
            f"not a recognised export: a gzip archive, not CSV text {NOT_AN_EXPORT}",
        ),
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"\xef\xbb\xbf\r\n", "the file is empty"),
        (b"\xff\xfe", "the file is empty"),
        (b"\n\n  \t\n", "the file is empty"),
    ],
)
def test_files_that_are_not_exports_say_what_they_are(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    assert error(path) == f"{path}: {message}"


def test_a_utf16_download_cut_mid_character_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes((GOOGLE_HEAD + "2026-01-01,A,1,1,1\n").encode("utf-16")[:-1])
    assert error(path) == (
        f"{path}:4: the file ends in the middle of a UTF-16 character: it is cut short "
        "(download the export again; an interrupted download ends like this)"
    )


@pytest.mark.parametrize(
    "text",
    [
        (GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02,A,6,10,1\n").replace("\n", "\r"),
        (GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02,A,6,10,1\n").replace("\n", "\r", 2),
        (GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02,A,6,10,1\n").replace("\n", "\r\n"),
        "Report\u2028Shop\x0cX\n" + GOOGLE_HEAD[7:] + "2026-01-01,A,5,10,1\n2026-01-02,A,6,10,1\n",
    ],
    ids=["CR alone", "CR in the preamble", "CRLF", "U+2028 and form feed in the title"],
)
def test_lines_are_what_the_csv_reader_counts(tmp_path: Path, text: str) -> None:
    """Excel for Mac ends lines with CR alone; a title may hold other line breaks. Lines,
    the CSV reader and row numbers must agree, or rows go missing without a word."""
    for encoding in ("utf-8", "utf-16"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        facts, info = read_export(path)
        assert facts["spend"].to_list() == [5.0, 6.0] and facts["row"].to_list() == [4, 5]
        assert info.range_end == date(2026, 1, 2)


def test_cli_attacks_are_one_line_each(tmp_path: Path) -> None:
    """Whatever the file, ``perfmkt inspect`` says one line per bad file and exits 2."""
    bad = {
        "dir.csv": None,
        "zero.csv": b"",
        "logo.csv": b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)),
        "sheet.csv": b"PK\x03\x04" + bytes(100),
        "u16.csv": (GOOGLE_HEAD + "2026-01-01,A,1,1,1\n").encode("utf-16")[:-1],
        "vi.csv": VI_BYTES,
        "long.csv": b"x," * 1_000_000 + b"\n",
        "quote.csv": (GOOGLE_HEAD + '2026-01-01,"A,5,10,1\n2026-01-02,B,6,10,1\n').encode(),
        "meta.csv": b"Reporting starts,Reporting ends,Campaign name,Amount spent (VND)\n"
        b",2026-01-01,A,5\n2026-01-02,2026-01-02,A,6\n",
    }
    for name, content in bad.items():
        if content is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(content)
    stdout, stderr = run_cli(["inspect", "--format", "json", *(tmp_path / n for n in bad)], 2)
    lines = stderr.splitlines()
    assert json.loads(stdout) == [] and len(lines) == len(bad)
    for name, line in zip(bad, lines, strict=True):
        assert line.startswith(f"perfmkt: error: {tmp_path / name}"), line


# ---- cells that are not figures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("2026-01-01,A,inf,10,1", "Cost", "expected a finite number, found 'inf'"),
        ("2026-01-01,A,5,NaN,1", "Impr.", "expected a finite number, found 'NaN'"),
        ("2026-01-01,A,1e999,10,1", "Cost", "expected a finite number, found '1e999'"),
        ('2026-01-01,A,"-1,234.50",10,1', "Cost", "expected spend of 0 or more, found '-1,234.50'"),
        ("2026-01-01,A,5,-10,1", "Impr.", "expected impressions of 0 or more, found '-10'"),
        ("2026-01-01,A,5,10,-1", "Clicks", "expected clicks of 0 or more, found '-1'"),
    ],
)
def test_infinite_and_negative_figures_are_errors(
    tmp_path: Path, row: str, column: str, message: str
) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-02,A,5,10,1\n" + row + "\n")
    assert error(path) == f"{path}:5: {column}: {message}"


def test_negative_conversions_are_summed_with_a_warning(tmp_path: Path) -> None:
    facts, info = read(
        tmp_path,
        "Day,Campaign,Cost,Impr.,Conversions,Conv. value\n"
        "2026-01-01,A,5,10,3,300\n2026-01-02,A,5,10,-1,-100\n2026-01-03,A,5,10,-2,50\n",
    )
    assert facts["orders"].sum() == 0 and facts["revenue"].sum() == 250
    assert info.warnings == [
        "2 rows with a negative Conversions (a conversion adjustment?): summed as written",
        "1 row with a negative Conv. value (a conversion adjustment?): summed as written",
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (GOOGLE_HEAD + "2026-01-01,A,5,10,1\n,A,6,10,1\n", ":5: Day"),
        (GOOGLE_HEAD + "2026-01-01,A,5,10,1\n   ,A,6,10,1\n", ":5: Day"),
        (GOOGLE_HEAD + "01/13/2026,A,5,10,1\n,A,6,10,1\n", ":5: Day"),
        (
            "Reporting starts,Reporting ends,Campaign name,Amount spent (VND)\n"
            ",2026-01-01,A,5\n2026-01-02,2026-01-02,A,6\n",
            ":2: Reporting starts",
        ),
    ],
)
def test_a_row_without_its_day_is_an_error(tmp_path: Path, text: str, where: str) -> None:
    """Left as a null day, the row would fall out of every period without a word."""
    path = write(tmp_path, text)
    assert error(path) == (
        f"{path}{where}: expected a date like 2026-01-05, found an empty cell (every row needs "
        "its day: fill it in, or remove the row)"
    )


def test_an_unclosed_quote_names_its_row(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + '2026-01-01,Sale 50" TV,5,10,1\n2026-01-02,B,6,10,1\n')
    assert error(path) == (
        f'{path}:4: not a readable CSV table: a quote (") in this row does not close (a quote '
        'inside a cell needs the whole cell quoted and the quote doubled: "Sale 50"" TV")'
    )


@pytest.mark.parametrize(
    "header",
    [
        # a quoted name cut by a line break: the header read its cells from the lines below
        # (an exit 3 crash)
        '"Reporting starts","Campaign name","Amount spent (VND)","Re\r\nult indicator"\n',
        # a bare quote inside a name: every row was read as one cell of the header (0 rows)
        'Reporting starts,Campaign name,Amount spent (VND),Size 5"\n',
    ],
)
def test_an_unclosed_quote_in_the_header_names_the_header_line(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, header + "2026-01-01,A,5,x\n2026-01-02,B,6,y\n")
    message = (
        f'{path}:1: not a readable CSV table: a quote (") in this row does not close (a quote '
        'inside a cell needs the whole cell quoted and the quote doubled: "Sale 50"" TV")'
    )
    assert error(path) == message
    with pytest.raises(ExportError) as caught:  # the one-pass reader hands it to read_export
        _read_campaign_days(path, ReadOptions())
    assert str(caught.value) == message


def test_long_cells_are_cut_in_messages(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + f"2026-01-01,A,{'x' * 500},10,1\n")
    assert error(path) == f"{path}:4: Cost: expected a number, found '{'x' * 39}…'"


# ---- rows that do not have the header's cells ----------------------------------------------


def test_a_download_cut_mid_line_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02,A,5")
    assert error(path) == (
        f"{path}:5: the last row ends after 3 of the header's 5 cells: the file is cut short "
        "(download the export again; an interrupted download ends like this)"
    )
    quoted = write(
        tmp_path, GOOGLE_HEAD + '2026-01-01,"A, b",5,10,1\n2026-01-02,"A, b",5,', "q.csv"
    )
    assert error(quoted).startswith(f"{quoted}:5: the last row ends after 4 of the header's 5")


def test_a_line_with_another_delimiter_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02;A;5;10;1\n2026-01-03,A,5,10,1\n"
    )
    assert error(path) == (
        f"{path}:5: this row is written with ';' between cells, the header with ',': it reads "
        "as 1 of the header's 5 cells (export the file again, or write that line with the "
        "header's delimiter)"
    )
    tsv = tmp_path / "t.csv"
    tsv.write_text(GOOGLE_HEAD.replace(",", "\t") + "2026-01-01,A,5,10,1\n", encoding="utf-8")
    assert "this row is written with ',' between cells, the header with tab" in error(tsv)


def test_a_row_with_more_cells_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOGLE_HEAD + "2026-01-01,Brand, Sale,5,10,1\n2026-01-02,A,5,10,1\n")
    assert error(path) == (
        f"{path}:4: this row has more cells than the header's 5: a ',' inside a cell that is "
        "not quoted? (quote that cell, or download the export again)"
    )


def test_short_rows_before_the_end_are_read_with_a_warning(tmp_path: Path) -> None:
    """A spreadsheet re-save drops trailing empty cells (Excel does): read as empty, said."""
    facts, info = read(
        tmp_path,
        "Day,Campaign,Cost,Clicks,Conversions\n"
        "2026-01-01,A,5,1,2\n2026-01-02,A,6,1\n2026-01-03,A,7\n2026-01-04,A,8,1,1\n",
    )
    assert facts["spend"].to_list() == [5.0, 6.0, 7.0, 8.0]
    assert facts["clicks"].to_list() == [1.0, 1.0, None, 1.0]
    assert info.warnings == [
        "2 rows have fewer cells than the header's 5 (first: row 3, 4 cells): the cells "
        "missing at the end of the line are read as empty, as a spreadsheet that drops "
        "trailing empty cells means them"
    ]


def test_blank_lines_footers_and_quoted_line_breaks_are_fine(tmp_path: Path) -> None:
    facts, info = read(
        tmp_path,
        GOOGLE_HEAD + '2026-01-01,"Tet\nsale",5,10,1\n   \n2026-01-02,B,6,10,1\n\n'
        "Total: Campaigns,,11,20,2\n\n©2026 Google\n",
    )
    assert facts["campaign"].to_list() == ["Tet\nsale", "B"] and info.warnings == []
    cut = write(tmp_path, GOOGLE_HEAD + '2026-01-01,"Tet\nsale",5,10,1\n2026-01-02,B,6\n', "c.csv")
    # the cell count is right across the line break (row numbers count records there)
    assert "the last row ends after 3 of the header's 5 cells" in error(cut)


def test_shop_exports_are_checked_the_same_way(tmp_path: Path) -> None:
    path = write(tmp_path, "id,day,total\nA,2026-03-01,100\nB,2026-03-02\n")
    options = ShopOptions(columns={"order_id": "id", "date": "day", "revenue": "total"})
    with pytest.raises(ExportError, match=r":3: the last row ends after 2 of the header's 3"):
        read_shop_export(path, options)
    path.write_text("id,day,total\nA,2026-03-01\nB,2026-03-02,100\n")
    frame, info = read_shop_export(path, options)
    assert frame["revenue"].to_list() == [100.0]  # A has no revenue: a line-item row
    assert info.warnings == [
        "1 row has fewer cells than the header's 3 (first: row 2, 2 cells): the cells missing "
        "at the end of the line are read as empty, as a spreadsheet that drops trailing empty "
        "cells means them"
    ]


# ---- a campaign-day repeated at campaign level ---------------------------------------------


def test_the_same_campaign_day_line_twice_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOGLE_HEAD + "2026-01-01,A,5,10,1\n2026-01-02,A,5,10,1\n2026-01-01,A,5,10,1\n",
    )
    assert error(path) == (
        f"{path}:6: campaign 'A' on 2026-01-01 is on rows 4 and 6 with the same cells: one "
        "campaign-day counted twice (remove the repeated row; were two downloads pasted into "
        "one file?)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Day,Campaign,Device,Cost,Impr.\n2026-01-01,A,Mobile phones,5,10\n"
        "2026-01-01,A,Computers,5,10\n2026-01-01,A,Tablets,0,0\n2026-01-01,A,TV screens,0,0\n",
        "Day,Campaign,Ad group,Cost,Impr.\n"
        "2026-01-01,A,G1,0,0\n2026-01-01,A,G2,5,10\n2026-01-01,A,G2,5,10\n",  # lines may repeat
        "Day,Campaign ID,Campaign,Cost,Impr.\n2026-01-01,1,A,5,10\n2026-01-01,2,A,5,10\n",
    ],
    ids=["segmented by device", "ad group rows", "campaign ids"],
)
def test_a_campaign_day_on_rows_a_column_tells_apart_is_summed_silently(
    tmp_path: Path, text: str
) -> None:
    facts, info = read(tmp_path, text)
    assert facts["spend"].sum() == 10 and info.warnings == []


def test_a_campaign_day_on_rows_only_figures_tell_apart_is_a_warning(tmp_path: Path) -> None:
    facts, info = read(
        tmp_path,
        "Day,Campaign,Cost,Impr.,CTR\n"
        "2026-01-01,A,5,10,10.00%\n2026-01-01,A,6,12,8.33%\n2026-01-02,B,1,1,0%\n"
        '2026-01-02,B,"1,000",1,0%\n',
    )
    assert facts["spend"].sum() == 5 + 6 + 1 + 1000
    assert info.warnings == [
        "2 campaign-days are on more than one row with different figures and no column telling "
        "them apart (first: 'A' on 2026-01-01, rows 2 and 3): summed — two campaigns sharing a "
        "name, or two downloads pasted into one file?"
    ]


# ---- campaign ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "platform"),
    [
        ("Day,Campaign ID,Campaign,Cost,Impr.", "google_ads"),
        ("Reporting starts,Reporting ends,Campaign ID,Campaign name,Amount spent (USD)", "meta"),
        ("By Day,Campaign ID,Campaign name,Ad group name,Cost,Impression", "tiktok"),
        ("TimePeriod,CampaignId,CampaignName,Spend,Impressions", "microsoft_ads"),
        ("Start Date (in UTC),Campaign ID,Campaign Name,Total Spent,Impressions", "linkedin"),
    ],
)
def test_campaign_ids_are_kept_for_every_platform(
    tmp_path: Path, header: str, platform: str
) -> None:
    names = header.split(",")
    row = {
        "Day": "2026-03-01",
        "Reporting starts": "2026-03-01",
        "Reporting ends": "2026-03-01",
        "By Day": "2026-03-01",
        "TimePeriod": "2026-03-01",
        "Start Date (in UTC)": "3/1/2026",
        "Ad group name": "G",
    }
    cells = [
        row.get(n, "'120330000001.0" if "id" in n.lower() else ("Tet" if "ampaign" in n else "5"))
        for n in names
    ]
    facts, info = read(
        tmp_path, header + "\n" + ",".join(cells) + "\n", ReadOptions(currency="USD")
    )
    assert info.platform == platform
    assert facts["campaign_id"].to_list() == ["120330000001"]  # Excel's ' and .0 dropped
    assert info.columns_used["campaign_id"] in ("Campaign ID", "CampaignId")


def test_ids_a_spreadsheet_wrote_in_scientific_notation_are_not_used(tmp_path: Path) -> None:
    facts, info = read(
        tmp_path,
        "Reporting starts,Reporting ends,Campaign ID,Campaign name,Amount spent (VND)\n"
        "2026-03-01,2026-03-01,2.38512E+16,A,5\n2026-03-01,2026-03-01,2.38512E+16,B,5\n",
    )
    assert facts["campaign_id"].to_list() == [None, None]
    assert info.warnings == [
        "Campaign ID holds ids in scientific notation (a spreadsheet re-save?): they are not "
        "used, campaigns are matched by name"
    ]


def test_campaign_ids_survive_campaign_days_and_the_cache(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Day,Campaign ID,Campaign,Ad group,Cost\n"
        "2026-01-01,7,A,G1,5\n2026-01-01,7,A,G2,6\n2026-01-01,8,B,G1,1\n",
    )
    folder = tmp_path / "cache"
    fresh, info = cached_read(path, ReadOptions(), _read_campaign_days, folder)
    cached, again = cached_read(path, ReadOptions(), _read_campaign_days, folder)
    assert fresh.equals(cached) and again == info
    assert dict(cached.select("campaign_id", "spend").iter_rows()) == {"7": 11.0, "8": 1.0}
    loaded = load_exports([(path, ReadOptions())])
    assert loaded.facts.collect()["campaign_id"].to_list() == ["7", "8"]


# ---- what an export states about its download ----------------------------------------------


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("27 January 2026 - 23 February 2026", date(2026, 1, 27), date(2026, 2, 23)),
        ("March 2, 2026 - March 4, 2026", date(2026, 3, 2), date(2026, 3, 4)),
        ("Jan 27, 2026 – Feb 23, 2026", date(2026, 1, 27), date(2026, 2, 23)),
        ("1 tháng 3, 2026 - 13 tháng 3, 2026", date(2026, 3, 1), date(2026, 3, 13)),
        ("2026-03-01 - 2026-03-13", date(2026, 3, 1), date(2026, 3, 13)),
        ("All time", None, None),
    ],
)
def test_google_date_range_lines(tmp_path: Path, line: str, start: date, end: date) -> None:
    day = start or date(2026, 3, 2)
    _, info = read(tmp_path, f"Report\n{line}\nDay,Campaign,Cost\n{day.isoformat()},A,1\n")
    assert (info.range_start, info.range_end) == (start, end)
    assert info.range_from == ("date-range line 2" if start else "")


def test_a_stated_range_the_rows_disagree_with_is_not_used(tmp_path: Path) -> None:
    _, info = read(
        tmp_path,
        "Report\nJanuary 1, 2026 - January 1, 2026\nDay,Campaign,Cost\n"
        "2026-01-01,A,1\n2026-01-02,A,1\n",
    )
    assert info.range_start is None and info.warnings == [
        "the stated range (date-range line 2) is 2026-01-01 to 2026-01-01 but the rows run "
        "2026-01-01 to 2026-01-02: it is not used to order re-downloads"
    ]


def test_platform_stamps_are_read() -> None:
    _, linkedin = read_export(FIXTURES / "exports/linkedin/campaign_performance_daily.csv")
    assert (linkedin.range_start, linkedin.range_end, linkedin.made_at, linkedin.made_at_from) == (
        date(2026, 3, 1),
        date(2026, 3, 2),
        datetime(2026, 3, 3, 9, 14),
        "Date Generated",
    )
    _, microsoft = read_export(FIXTURES / "exports/microsoft_ads/campaign_daily.csv")
    assert (microsoft.range_start, microsoft.range_end, microsoft.made_at) == (
        date(2026, 3, 1),
        date(2026, 3, 2),
        datetime(2026, 3, 3, 2, 0),
    )
    _, meta = read_export(
        FIXTURES / "small/exports/meta/Shop-X-Campaigns-Mar-2-2026-Mar-5-2026.csv"
    )
    assert (meta.range_start, meta.range_end, meta.range_from) == (
        date(2026, 3, 2),
        date(2026, 3, 5),
        "Reporting starts/Reporting ends columns",
    )


# ---- files that are not exports are never quoted -------------------------------------------

PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "lan:x:1000:1000:Lan Nguyen,,,:/home/lan:/bin/bash\n"
)


def test_a_file_that_is_not_an_export_is_named_never_quoted(tmp_path: Path) -> None:
    for name, text in (
        ("passwd", PASSWD),
        ("letter.txt", "Dear Lan, the figures, as promised\nBest, Minh\n"),
        ("secret.env", "API_KEY=sk-123, TOKEN=abc\n"),
    ):
        path = write(tmp_path, text, name)
        message = error(path)
        assert message == (
            f"{path}: not a recognised export: no known ad-platform header in the first "
            f"{text.count(chr(10))} lines {EXPECTED} (export the report from the ad platform as "
            "CSV, broken down by day)"
        )
        for word in ("root", "bash", "Lan", "sk-123", "TOKEN", "promised"):
            assert word not in message.replace(str(path), "")


def test_inspect_of_a_system_file_says_not_an_export(tmp_path: Path) -> None:
    path = write(tmp_path, PASSWD, "passwd")
    stdout, stderr = run_cli(["inspect", path], expect=2)
    assert stderr.startswith(f"perfmkt: error: {path}: not a recognised export: no known")
    assert "root" not in stderr.replace(str(path), "") and stdout == ""
    if Path("/etc/passwd").is_file():
        _, stderr = run_cli(["inspect", "/etc/passwd"], expect=2)
        assert "not a recognised export" in stderr and "/bin/" not in stderr


def test_a_shop_source_that_is_not_an_export(tmp_path: Path) -> None:
    path = write(tmp_path, PASSWD, "orders.csv")
    with pytest.raises(ExportError) as caught:
        read_shop_export(path, ShopOptions())
    assert str(caught.value) == (
        f"{path}: not a recognised orders export (expected {EXPECTED_ORDERS}) (map them in the "
        'plan: columns: {order_id: "…", date: "…", revenue: "…"})'
    )
    table = write(tmp_path, "Mã đơn,Ngày\nDH-1,01/03/2026\n", "orders2.csv")
    with pytest.raises(ExportError, match=r"; columns found: Mã đơn, Ngày \(map them"):
        read_shop_export(table, ShopOptions())


def test_a_plan_source_pointing_at_a_non_export(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    write(tmp_path, PASSWD, "passwd.csv")
    plan.write_text(
        "client: c\ncampaign: k\ncurrency: VND\nflight: {start: 2026-01-01, end: 2026-01-31}\n"
        "sources:\n  - path: passwd.csv\nkpis: {spend: 1000}\n"
    )
    _, stderr = run_cli(["report", plan, "--as-of", "2026-01-10"], expect=2)
    assert "passwd.csv: not a recognised export: no known ad-platform header" in stderr
    assert "root" not in stderr.replace(str(tmp_path), "")


# ---- what reads cleanly stays clean --------------------------------------------------------


def test_sample_data_and_fixtures_read_without_warnings() -> None:
    for path in sorted((ROOT / "sample_data").rglob("*.csv")) + sorted(
        (FIXTURES / "exports").glob("[!cs]*/*.csv")
    ):
        if path.parent.name in ("crm", "shop"):
            continue
        options = ReadOptions(encoding="cp1258") if "cp1258" in path.name else None
        _, info = read_export(path, options)
        assert info.warnings == [], path


def test_cached_reads_keep_the_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "Day,Campaign,Cost,Conversions\n2026-01-01,A,5,-1\n2026-01-02,A,5,1\n")
    os.utime(path, (1e9, 1e9))
    folder = tmp_path / "cache"
    _, first = cached_read(path, ReadOptions(), _read_campaign_days, folder)
    _, again = cached_read(path, ReadOptions(), _read_campaign_days, folder)
    assert again.warnings == first.warnings != []
    entry = json.loads(next(folder.glob("*.json")).read_text())
    assert entry["info"]["warnings"] == first.warnings
    assert pl.read_parquet(next(folder.glob("*.parquet")))["campaign_id"].dtype == pl.String
