"""Which days are complete: pace only days every source has finished reporting.

A morning run sees platforms that lag (Meta's export ends on the 24th, Google's on the 25th)
and downloads made before a day ended (an export saved at 10:32 on the 25th holds a partial
25th). Counting either as data would read as a collapse. So each source's last complete day is
its last covered day, less one when the file was downloaded on that very day (its modification
time, in the plan's time zone), and the default as-of is the earliest of those, capped at
yesterday and the flight end. The shop's own export counts only for the partial-day rule: days
without orders leave no rows, so its last order day says nothing about how far it reaches.

Pure functions: the caller gives file facts and today's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Download:
    """One file as freshness sees it."""

    path: str
    source: str  # platform (google_ads, meta…) or "shop orders" / "shop leads"
    last_day: date | None  # the last day it covers (from its rows or its date-range line)
    mtime: float  # modification time: when it was downloaded, unless it was copied since
    holds_back: bool = True  # False for sources whose last day only bounds a partial day


@dataclass
class Coverage:
    """How far one source reaches."""

    source: str
    files: list[str] = field(default_factory=list)
    last_day: date | None = None
    complete_until: date | None = None
    partial_day: date | None = None  # a day downloaded before it ended
    partial_file: str | None = None
    downloaded: str | None = None  # the partial file's download time, in the plan's zone
    holds_back: bool = True


def downloaded_on(mtime: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(mtime, tz)


def coverage(downloads: list[Download], tz: ZoneInfo) -> list[Coverage]:
    """Each source's reach, in the order sources first appear."""
    by_source: dict[str, Coverage] = {}
    for d in downloads:
        c = by_source.setdefault(d.source, Coverage(d.source, holds_back=d.holds_back))
        c.files.append(d.path)
        if d.last_day is None:
            continue
        complete = d.last_day
        when = downloaded_on(d.mtime, tz)
        if when.date() == d.last_day:
            complete = d.last_day - timedelta(days=1)
            if c.partial_day is None or d.last_day > c.partial_day:
                c.partial_day, c.partial_file = d.last_day, d.path
                c.downloaded = when.strftime("%Y-%m-%d %H:%M")
        c.last_day = max(filter(None, (c.last_day, d.last_day)))
        c.complete_until = max(filter(None, (c.complete_until, complete)))
    for c in by_source.values():
        # A newer download of a later day makes an older partial day complete.
        if c.partial_day is not None and c.complete_until and c.complete_until >= c.partial_day:
            c.partial_day = c.partial_file = c.downloaded = None
        if not c.holds_back:  # only a partial day bounds it
            c.complete_until = c.partial_day - timedelta(days=1) if c.partial_day else None
    return list(by_source.values())


@dataclass(frozen=True)
class AsOf:
    day: date
    reason: str
    warnings: tuple[str, ...] = ()


def choose_as_of(
    reach: list[Coverage],
    today: date,
    flight_start: date,
    flight_end: date,
    timezone: str,
    asked: date | None = None,
) -> AsOf:
    """The day pacing stops at, why, and what a reader must be warned of.

    ``asked`` is ``--as-of``: kept (a later day than a source covers is allowed, with a warning
    naming the source) but capped at the flight end."""
    yesterday = today - timedelta(days=1)
    held = [c for c in reach if c.complete_until is not None]
    warnings: list[str] = []
    if asked is not None:
        if asked > flight_end:
            day, reason = flight_end, f"flight end (the as-of day asked for, {asked}, is after it)"
        else:
            day, reason = asked, "the as-of day asked for"
        for c in held:
            if c.complete_until is not None and c.complete_until < day:
                if c.partial_day and c.partial_day <= day:
                    what = f"its {c.partial_day} was downloaded part-way, at {c.downloaded}"
                    effect = f"{c.partial_day} counts only in part"
                else:
                    what = f"its exports end on {c.complete_until}"
                    effect = f"{c.source} counts as 0 after {c.complete_until}"
                warnings.append(
                    f"as-of {day} is past {c.source}'s last complete day ({what}): {effect}"
                )
        return AsOf(day, reason, tuple(warnings))

    candidates = [(yesterday, f"yesterday in {timezone}"), (flight_end, "flight end")]
    if held:
        slowest = min(held, key=lambda c: (c.complete_until, c.source))
        assert slowest.complete_until is not None
        if slowest.partial_day and slowest.complete_until == slowest.partial_day - timedelta(1):
            why = (
                f"the day before {slowest.partial_day}, which the {slowest.source} export "
                f"holds only in part (downloaded {slowest.downloaded})"
            )
        elif len({c.complete_until for c in held}) > 1:
            why = f"last day every source covers, {slowest.source}'s last"
        else:
            why = "latest complete day in the data"
        candidates.insert(0, (slowest.complete_until, why))
    day, reason = min(candidates, key=lambda c: c[0])

    # Say what held the day back, and what was left out, when it matters to the flight.
    reach_end = max((c.complete_until for c in held if c.complete_until), default=None)
    for c in held:
        assert c.complete_until is not None
        if (
            c.holds_back
            and reach_end
            and c.complete_until < reach_end
            and c.complete_until < min(yesterday, flight_end)
        ):
            others = ", ".join(
                f"{o.source} {o.complete_until}"
                for o in held
                if o is not c and o.complete_until and o.complete_until > c.complete_until
            )
            warnings.append(
                f"{c.source} lags: its exports end on {c.complete_until} ({others}); "
                f"pacing stops at {day} so {c.source} does not count as 0 on later days"
            )
    for c in reach:
        partial = c.partial_day
        if partial is None or not flight_start <= partial <= flight_end or partial >= today:
            continue  # today's partial day is never paced anyway: no news
        warnings.append(
            f"{c.partial_file} was downloaded at {c.downloaded} ({timezone}), during "
            f"{partial}, its last day: {partial} is incomplete and not paced"
        )
    return AsOf(day, reason, tuple(warnings))
