"""Re-downloads count once, whatever the files' modification times say; exports that share no
campaign-day add up. The newer download is decided by what the files say (see
perfmkt.sources.overlap); modification time only breaks ties."""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmkt.errors import ExportError
from perfmkt.schema import FACTS_SCHEMA
from perfmkt.sources.base import ReadOptions
from perfmkt.sources.load import load_exports
from perfmkt.sources.overlap import DownloadInfo, oldest_first, resolve_overlaps
from perfmkt.sources.reader import read_export
from tests.conftest import REAL_EXPORTS

needs_real = pytest.mark.skipif(not REAL_EXPORTS.is_dir(), reason="shared/real-exports absent")

D0 = date(2026, 1, 1)
COLUMNS = ("date", "platform", "account", "campaign", "campaign_id", "spend", "source_file", "row")


def facts(file: str, rows: list[tuple], platform: str = "google_ads") -> pl.DataFrame:
    """rows: (day offset, campaign, spend) or (day offset, campaign, spend, campaign id)."""
    return pl.DataFrame(
        [
            {
                "date": D0 + timedelta(days=r[0]),
                "platform": platform,
                "account": "",
                "campaign": r[1],
                "campaign_id": r[3] if len(r) > 3 else None,
                "spend": r[2],
                "source_file": file,
                "row": i + 2,
            }
            for i, r in enumerate(rows)
        ],
        schema={k: FACTS_SCHEMA[k] for k in COLUMNS},
    )


def download(path: str, frame: pl.DataFrame | None = None, **info) -> DownloadInfo:
    """A DownloadInfo whose covered days are ``frame``'s unless given."""
    if frame is not None and frame.height:
        info.setdefault("first_day", frame["date"].min())
        info.setdefault("last_day", frame["date"].max())
    info.setdefault("platform", "google_ads")
    info.setdefault("mtime", 1000.0)
    return DownloadInfo(path=path, **info)


def spend_by_day(frame: pl.DataFrame) -> dict[date, float]:
    return dict(frame.group_by("date").agg(pl.col("spend").sum()).sort("date").iter_rows())


@settings(max_examples=100, deadline=None)
@given(
    days=st.integers(2, 20),
    campaigns=st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True),
    with_ids=st.booleans(),
    data=st.data(),
)
def test_redownloads_in_any_order_and_modification_time_count_once(
    days: int, campaigns: list[str], with_ids: bool, data: st.DataObject
) -> None:
    """Downloads made one after the other, each reaching a later day than the one before
    (older ones may hold stale or partial figures, and the campaigns may have been renamed
    since when ids are exported): the newest supplies every day it covers, and neither the
    order files are read in nor their modification times change anything."""
    truth = {
        (d, c): float(data.draw(st.integers(0, 10**6))) for d in range(days) for c in campaigns
    }
    ends = [*sorted(set(data.draw(st.lists(st.integers(0, days - 2), max_size=3)))), days - 1]
    frames, downloads = [], []
    for n, last in enumerate(ends):
        first = data.draw(st.integers(0, last))
        newest = n == len(ends) - 1
        rows = [
            (
                d,
                f"{c}_v{n}" if with_ids else c,  # renamed in every download when ids tell
                truth[(d, c)] if newest else truth[(d, c)] * data.draw(st.floats(0, 1)),
                f"id-{c}" if with_ids else None,
            )
            for d in range(first, last + 1)
            for c in campaigns
        ]
        name = f"file{n}.csv"
        frames.append(facts(name, rows))
        downloads.append(download(name, frames[-1]))
    newest_first = frames[-1]["date"].min()
    expected = {
        D0 + timedelta(d): sum(truth[(d, c)] for c in campaigns)
        for d in range((newest_first - D0).days, days)
    }
    results = []
    for _ in range(3):
        order = data.draw(st.permutations(range(len(frames))))
        mtimes = data.draw(st.permutations([1000.0 + 3600 * i for i in range(len(frames))]))
        shuffled = [DownloadInfo(**{**downloads[i].__dict__, "mtime": mtimes[i]}) for i in order]
        kept, _ = resolve_overlaps(pl.concat([frames[i] for i in order]), shuffled)
        got = spend_by_day(kept)
        assert {d: got[d] for d in expected} == expected
        results.append(got)
    assert results[0] == results[1] == results[2]
    # re-reading the newest export again (a copy, modified earlier) changes nothing
    copy = frames[-1].with_columns(source_file=pl.lit("copy.csv"))
    again = [*downloads, download("copy.csv", copy, mtime=1.0)]
    kept_again, _ = resolve_overlaps(pl.concat([*frames, copy]), again)
    assert spend_by_day(kept_again) == results[0]


def test_exports_sharing_no_campaign_day_add_up() -> None:
    search = facts("search.csv", [(0, "Search", 10.0), (1, "Search", 20.0)])
    shopping = facts("shopping.csv", [(0, "Shopping", 1.0), (1, "Shopping", 2.0)])
    downloads = [download("search.csv", search), download("shopping.csv", shopping, mtime=5e3)]
    kept, replaced = resolve_overlaps(pl.concat([search, shopping]), downloads)
    assert kept.height == 4 and replaced == []


def test_a_combined_redownload_replaces_only_the_days_it_covers() -> None:
    """Search and Shopping exports for days 0-3, then one file with both for days 2-4."""
    search = facts("search.csv", [(d, "Search", 10.0) for d in range(4)])
    shopping = facts("shopping.csv", [(d, "Shopping", 1.0) for d in range(4)])
    both = facts("both.csv", [(d, c, 100.0) for d in range(2, 5) for c in ("Search", "Shopping")])
    downloads = [
        download("search.csv", search, mtime=9999.0),  # modified last: does not matter
        download("shopping.csv", shopping),
        download("both.csv", both, mtime=1.0),
    ]
    kept, replaced = resolve_overlaps(pl.concat([search, shopping, both]), downloads)
    assert spend_by_day(kept) == {
        D0: 11.0,
        D0 + timedelta(1): 11.0,
        D0 + timedelta(2): 200.0,
        D0 + timedelta(3): 200.0,
        D0 + timedelta(4): 200.0,
    }
    assert {(r.older, r.newer, r.days, r.rows_dropped, r.reason) for r in replaced} == {
        ("search.csv", "both.csv", 2, 2, "covers up to 2026-01-05, later than 2026-01-04"),
        ("shopping.csv", "both.csv", 2, 2, "covers up to 2026-01-05, later than 2026-01-04"),
    }


def test_renamed_campaign_is_not_counted_twice() -> None:
    old = facts("old.csv", [(0, "Brand", 5.0), (0, "Tet_v1", 50.0), (1, "Tet_v1", 50.0)])
    new = facts("new.csv", [(0, "Brand", 5.0), (0, "Tet_v2", 60.0), (1, "Tet_v2", 70.0)])
    downloads = [download("old.csv", old), download("new.csv", new, mtime=7200.0)]
    kept, _ = resolve_overlaps(pl.concat([old, new]), downloads)
    assert spend_by_day(kept) == {D0: 65.0, D0 + timedelta(1): 70.0}


def test_every_campaign_renamed_is_matched_by_id() -> None:
    """No name in common: only the ids say the second file is a re-download."""
    old = facts("old.csv", [(0, "Tet_v1", 50.0, "111"), (1, "Tet_v1", 50.0, "111")])
    new = facts("new.csv", [(1, "Tet 2026", 70.0, "111"), (2, "Tet 2026", 80.0, "111")])
    downloads = [download("old.csv", old), download("new.csv", new)]
    kept, replaced = resolve_overlaps(pl.concat([old, new]), downloads)
    assert spend_by_day(kept) == {D0: 50.0, D0 + timedelta(1): 70.0, D0 + timedelta(2): 80.0}
    assert [(r.older, r.newer, r.first_day, r.days) for r in replaced] == [
        ("old.csv", "new.csv", D0 + timedelta(1), 1)
    ]
    # without ids the same two files add up: nothing says they are one report
    no_ids = [f.with_columns(campaign_id=pl.lit(None, dtype=pl.String)) for f in (old, new)]
    kept, replaced = resolve_overlaps(pl.concat(no_ids), downloads)
    assert replaced == [] and kept.height == 4


def test_one_name_with_two_ids_is_two_campaigns() -> None:
    """Both files have ids: a name in common is not enough (a campaign deleted and recreated
    under the same name); a file without ids is matched by name."""
    search = facts("search.csv", [(0, "Brand", 10.0, "1"), (1, "Brand", 10.0, "1")])
    other = facts("other.csv", [(1, "Brand", 3.0, "2"), (2, "Brand", 3.0, "2")])
    downloads = [download("search.csv", search), download("other.csv", other)]
    kept, replaced = resolve_overlaps(pl.concat([search, other]), downloads)
    assert replaced == [] and kept.height == 4
    no_ids = facts("plain.csv", [(1, "Brand", 12.0), (2, "Brand", 12.0)])
    downloads.append(download("plain.csv", no_ids))
    kept, replaced = resolve_overlaps(pl.concat([search, no_ids]), downloads)
    assert spend_by_day(kept) == {D0: 10.0, D0 + timedelta(1): 12.0, D0 + timedelta(2): 12.0}


def test_order_rules_and_reasons() -> None:
    jan24 = download("a.csv", first_day=D0, last_day=date(2026, 1, 24), mtime=9e9)
    jan25 = download("b.csv", first_day=D0, last_day=date(2026, 1, 25), mtime=1.0)
    assert oldest_first([jan25, jan24]) == ["a.csv", "b.csv"]  # reach beats modification time
    same_range = download("c.csv", first_day=D0, last_day=date(2026, 1, 25), mtime=2.0)
    assert oldest_first([same_range, jan25]) == ["b.csv", "c.csv"]  # then modification time
    # the stated range counts, not the rows (no delivery on the last days)
    stated = download(
        "d.csv", first_day=D0, last_day=date(2026, 1, 20), range_end=date(2026, 1, 26)
    )
    assert oldest_first([stated, same_range]) == ["c.csv", "d.csv"]
    # the same everything: the later name, so every run agrees
    twin = download("e.csv", first_day=D0, last_day=date(2026, 1, 25), mtime=2.0)
    assert oldest_first([twin, same_range]) == ["c.csv", "e.csv"]

    from perfmkt.sources.overlap import reason

    assert reason(jan24, jan25, False) == "covers up to 2026-01-25, later than 2026-01-24"
    assert reason(jan25, same_range, False) == "same range; modified later"
    later_start = download("f.csv", first_day=date(2026, 1, 10), last_day=date(2026, 1, 25))
    assert reason(jan25, later_start, False) == "both cover up to 2026-01-25; modified later"
    assert reason(same_range, twin, False) == "same range and modification time; named later"


def test_platform_stamps_decide_when_every_download_has_one() -> None:
    """Microsoft's Last Completed Available Day: a download of an older range made later
    (re-checking restated days) is the newer one."""

    def stamped(path: str, last_day: int, made_on: int, **info) -> DownloadInfo:
        return download(
            path,
            platform="microsoft_ads",
            first_day=D0,
            last_day=date(2026, 1, last_day),
            made_at=datetime(2026, 1, made_on, 8, 0),
            made_at_from="Last Completed Available Day",
            **info,
        )

    later = stamped("recheck.csv", last_day=10, made_on=31)
    earlier = stamped("month.csv", last_day=20, made_on=21, mtime=9e9)
    assert oldest_first([later, earlier]) == ["month.csv", "recheck.csv"]
    old = facts("month.csv", [(d, "A", 1.0) for d in range(20)], platform="microsoft_ads")
    new = facts("recheck.csv", [(d, "A", 2.0) for d in range(10)], platform="microsoft_ads")
    kept, (replaced,) = resolve_overlaps(pl.concat([old, new]), [later, earlier])
    assert sum(spend_by_day(kept).values()) == 10 * 2.0 + 10 * 1.0
    assert replaced.reason == (
        "Last Completed Available Day 2026-01-31 08:00, later than 2026-01-21 08:00"
    )


def test_download_order_name_and_modified() -> None:
    by_name = [
        download("exports/meta_2026-01-25.csv", mtime=5.0, order="name"),
        download("exports/meta_2026-01-09.csv", mtime=9.0, order="name"),
        download("exports/report (10).csv", mtime=1.0, order="name"),
        download("exports/report (2).csv", mtime=1.0, order="name"),
        download("exports/report.csv", mtime=1.0, order="name"),
    ]
    assert oldest_first(by_name) == [
        "exports/meta_2026-01-09.csv",
        "exports/meta_2026-01-25.csv",
        "exports/report.csv",
        "exports/report (2).csv",
        "exports/report (10).csv",
    ]
    a = facts("x.csv", [(0, "A", 1.0), (29, "A", 1.0)])
    b = facts("y.csv", [(0, "A", 2.0)])
    by_time = [
        download("x.csv", a, mtime=5.0, order="modified"),  # reaches further, modified earlier
        download("y.csv", b, mtime=9.0, order="modified"),
    ]
    assert oldest_first(by_time) == ["x.csv", "y.csv"]
    _, (replaced,) = resolve_overlaps(pl.concat([a, b]), by_time)
    assert replaced.newer == "y.csv"
    assert replaced.reason == "modified later (download_order: modified)"
    names = [download("x.csv", a, order="name"), download("y.csv", b, order="name")]
    _, (replaced,) = resolve_overlaps(pl.concat([a, b]), names)
    assert (replaced.newer, replaced.reason) == ("y.csv", "named later (download_order: name)")


def test_downloads_of_one_report_with_different_orders_are_refused() -> None:
    a = facts("x.csv", [(0, "A", 1.0)])
    b = facts("y.csv", [(0, "A", 2.0)])
    with pytest.raises(ExportError) as caught:
        resolve_overlaps(
            pl.concat([a, b]), [download("x.csv", a, order="name"), download("y.csv", b)]
        )
    assert str(caught.value) == (
        "y.csv: x.csv and y.csv are downloads of one report read with different "
        "download_order: settings (name and content) (give their sources the same "
        "download_order:)"
    )


# ---- real exports ------------------------------------------------------------------------


@needs_real
def test_real_google_redownloads_state_the_same_range(tmp_path: Path) -> None:
    """fruit_*: two downloads of one Google report (one UTF-16 "CSV for Excel"), both stating
    27 January 2026 - 23 February 2026. Nothing in them says which was made later, so the
    modification time decides, and the reason says so."""
    reads = {}
    names = ("fruit_campaign_report_utf16_tsv.csv", "fruit_campaign_report_utf8.csv")
    for name, mtime in zip(names, (1e9, 2e9), strict=True):
        path = tmp_path / name
        path.write_bytes((REAL_EXPORTS / "google_ads" / name).read_bytes())
        os.utime(path, (mtime, mtime))
        _, info = read_export(path, daily=False)
        reads[name] = DownloadInfo.of(info)
        assert (info.range_start, info.range_end, info.range_from) == (
            date(2026, 1, 27),
            date(2026, 2, 23),
            "date-range line 2",
        )
    utf16, utf8 = (reads[name] for name in names)
    assert oldest_first([utf8, utf16]) == [utf16.path, utf8.path]
    from perfmkt.sources.overlap import reason

    assert reason(utf16, utf8, False) == "same range; modified later"
    # with the modification times swapped, the decision follows them: the files cannot say
    swapped = [DownloadInfo(**{**d.__dict__, "mtime": 3e9 - d.mtime}) for d in (utf16, utf8)]
    assert oldest_first(swapped) == [utf8.path, utf16.path]
    assert reason(swapped[1], swapped[0], False) == "same range; modified later"


def _write_csv(path: Path, header: list[str], rows: list[list[str]], preamble: str = "") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(preamble + buffer.getvalue(), encoding="utf-8")
    return path


def _swap_mtimes(a: Path, b: Path) -> None:
    ta, tb = a.stat().st_mtime, b.stat().st_mtime
    os.utime(a, (tb, tb))
    os.utime(b, (ta, ta))


@needs_real
@pytest.mark.parametrize("cache", [False, True])
def test_real_tiktok_daily_split_into_two_downloads(tmp_path: Path, cache: bool) -> None:
    """The real TikTok daily export (README: 49,068,186 IDR) as two overlapping downloads: to
    31 January with stale January figures (halved), and from 1 January to the end. The one
    reaching further supplies January, whichever file was modified last."""
    text = (REAL_EXPORTS / "tiktok/anonymized_daily_ad_idr.csv").read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    day, cost = header.index("Date"), header.index("Cost")
    stale = [[*r[:cost], str(float(r[cost]) / 2), *r[cost + 1 :]] for r in rows]
    early = [s if r[day] >= "2024-01-01" else r for r, s in zip(rows, stale, strict=True)]
    early = [r for r in early if r[day] <= "2024-01-31"]
    late = [r for r in rows if r[day] >= "2024-01-01"]
    a = _write_csv(tmp_path / "ads_a.csv", header, early)
    b = _write_csv(tmp_path / "ads_b.csv", header, late)
    os.utime(a, (2e9, 2e9))  # the stale download was modified last (a copy, a re-save)
    os.utime(b, (1e9, 1e9))
    totals = []
    for _ in range(2):
        loaded = load_exports([(a, ReadOptions()), (b, ReadOptions())], cache=cache)
        facts_ = loaded.facts.collect()
        totals.append(facts_["spend"].sum())
        (replaced,) = loaded.replacements
        assert (replaced.older, replaced.newer) == (str(a), str(b))
        assert replaced.reason == "covers up to 2024-03-26, later than 2024-01-31"
        _swap_mtimes(a, b)
    assert totals == [pytest.approx(49_068_186), pytest.approx(49_068_186)]


@needs_real
def test_real_microsoft_daily_split_into_two_downloads(tmp_path: Path) -> None:
    """The real Microsoft ad-group daily export (README: 656.87 spend, 320 rows) as two
    downloads, each with its own Report Time, Rows and Last Completed Available lines."""
    text = (REAL_EXPORTS / "microsoft_ads/fridgefilters_adgroup_daily_api.csv").read_text(
        encoding="utf-8-sig"
    )
    lines = text.splitlines()
    preamble, header_line, body = lines[:9], lines[10], lines[11:]
    data = [line for line in body if line.startswith('"EF/')]
    assert len(data) == 320

    def write(name: str, first: str, last: str, done: str, stale_from: str = "9") -> Path:
        kept = []
        for line in data:
            cells = line.split('","')
            if first <= cells[8] <= last:
                if cells[8] >= stale_from:  # a partial day: no spend counted yet
                    cells[10] = '0.00"'
                kept.append('","'.join(cells))
        stated = f"{first[5:7]}/{first[8:]}/2022,{last[5:7]}/{last[8:]}/2022"
        head = [
            line.replace("10/18/2022,10/25/2022", stated)
            .replace("10/25/2022 5:25:00 PM", done)
            .replace('"Rows: 320"', f'"Rows: {len(kept)}"')
            for line in preamble
        ]
        path = tmp_path / name
        path.write_text("\r\n".join([*head, "", header_line, *kept, "", '"©2022 Microsoft"']))
        return path

    # the first download, made on 22 Oct, has stale figures for 20-22 Oct: it is replaced
    a = write("report_a.csv", "2022-10-18", "2022-10-22", "10/22/2022 5:25:00 PM", "2022-10-20")
    b = write("report_b.csv", "2022-10-20", "2022-10-25", "10/25/2022 5:25:00 PM")
    os.utime(a, (2e9, 2e9))
    os.utime(b, (1e9, 1e9))
    options = ReadOptions(currency="USD")
    results = []
    for _ in range(2):
        loaded = load_exports([(b, options), (a, options)], cache=False)
        results.append(round(loaded.facts.collect()["spend"].sum(), 2))
        (replaced,) = loaded.replacements
        assert (replaced.older, replaced.newer) == (str(a), str(b))
        assert replaced.reason == (
            "Last Completed Available Hour 2022-10-25 17:25, later than 2022-10-22 17:25"
        )
        assert (replaced.first_day, replaced.last_day) == (date(2022, 10, 20), date(2022, 10, 22))
        _swap_mtimes(a, b)
    assert results == [656.87, 656.87]


def test_generated_google_redownload_renamed_everywhere_counts_once(tmp_path: Path) -> None:
    """Two Google downloads with Campaign ID: every campaign renamed in the second; the ids
    make it a re-download, so 5 Jan is counted once (from the newer, reaching further)."""
    head = "Campaign report\n{} - {}\n"
    header = ["Day", "Campaign ID", "Campaign", "Currency code", "Cost", "Impr.", "Clicks"]
    old = _write_csv(
        tmp_path / "google_1.csv",
        header,
        [
            ["2026-01-04", "123", "Tet_Search", "VND", "100", "10", "1"],
            ["2026-01-05", "123", "Tet_Search", "VND", "40", "5", "1"],  # partial day
        ],
        head.format("January 4, 2026", "January 5, 2026"),
    )
    new = _write_csv(
        tmp_path / "google_2.csv",
        header,
        [
            ["2026-01-05", "123", "TET 2026 | Search", "VND", "120", "12", "2"],
            ["2026-01-06", "123", "TET 2026 | Search", "VND", "130", "13", "2"],
        ],
        head.format("January 5, 2026", "January 6, 2026"),
    )
    for first, second in ((old, new), (new, old)):
        os.utime(first, (1e9, 1e9))
        os.utime(second, (2e9, 2e9))
        loaded = load_exports([(old, ReadOptions()), (new, ReadOptions())], cache=False)
        got = loaded.facts.collect().sort("date")
        assert got["spend"].to_list() == [100.0, 120.0, 130.0]
        assert got["campaign_id"].to_list() == ["123", "123", "123"]
        (replaced,) = loaded.replacements
        assert replaced.reason == "covers up to 2026-01-06, later than 2026-01-05"


def test_shuffled_inputs_give_the_same_replacements() -> None:
    rng = random.Random(7)
    frames = [facts(f"f{n}.csv", [(d, "A", float(n)) for d in range(n, n + 5)]) for n in range(4)]
    downloads = [download(f"f{n}.csv", frames[n], mtime=rng.random()) for n in range(4)]
    first = resolve_overlaps(pl.concat(frames), downloads)
    rng.shuffle(frames)
    rng.shuffle(downloads)
    second = resolve_overlaps(pl.concat(frames), downloads)
    assert spend_by_day(first[0]) == spend_by_day(second[0])
    assert first[1] == second[1]
