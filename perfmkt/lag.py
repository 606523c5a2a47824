"""Late conversions: how much of a day's eventual results a download shows, per platform.

Platforms keep adding conversions (and their value, leads, orders, revenue) to past days for a
week or more, so the newest days of every download look short. A *maturity curve* says what
share of a day's eventual results a download made N days after it shows: ``maturity[N - 1]``,
complete (1) past its end.

Where the curve comes from, per platform, first that applies:

1. **learned** from re-downloads: files of one report (platform and account) sharing
   campaign-days show the same day at two ages. The day each file was made is its platform
   stamp, else its modification day held to [covers_to, covers_to + 1], because modification
   times lie (``perfmkt.sources.overlap``), and its last day when that day's spend falls short
   of a later download's (made while the day ran; see ``supplied_on``). Age = that day − the
   row's day.
2. **plan**: the plan's ``conversion_lag:`` for the platform.
3. **none**: results are taken as complete.

A learned curve wins over the plan's: it is this account's own behaviour, measured. The curve's
``detail`` says which was used and why the others were not.

How the curve is learned (a chain ladder for irregular download intervals):

- Each campaign-day's looks are sorted by age; consecutive looks (age a1 < a2) form a pair.
  Left out: looks at age 0 (made on the day itself: a partial day, not lag) and pairs whose
  spend differs by more than 2 % (spend is final once the day is over, so the younger look was
  taken before the day ended). Of two looks at one age the newer download is kept.
- Pairs are summed by (a1, a2) into cells: r = log(Σ later / Σ earlier), a ratio of sums over
  every campaign-day seen at both ages. The count column with most results (orders,
  conversions or leads) is learned from, because its noise is known: later conversions are
  the earlier ones plus new arrivals, so Var r ≈ 1/S1 − 1/S2 (binomial thinning; one
  pseudo-arrival is added so a cell where nothing arrived is not infinitely sure).
- Unknowns are the log-growths δ_k ≥ 0 from age k to k + 1 (so the curve is monotone and
  at most 1), with log m(a) = −Σ_{k ≥ a} δ_k: the oldest look is taken as complete. Each cell
  says Σ_{a1 ≤ k < a2} δ_k ≈ r. Weighted least squares with δ ≥ 0 (Lawson–Hanson NNLS) and a
  weak prior δ_k ~ N(0, (0.5 / k)²), i.e. late arrivals shrink with age, which settles ages
  no pair separates (e.g. only ages 1 and 14 seen) toward the early ages, as lags behave.
- The curve ends at the first age whose maturity reaches 0.995 (1 from there on).

Minimum evidence to call a curve learned (else the plan's, else none; the detail says why):

- at least ``MIN_DAYS`` (7) days seen at two ages: a whole week, so no weekday or single
  promotion day decides;
- at least ``MIN_RESULTS`` (100) results on those days: below that the standard error is itself
  too unsure (on sparse simulated re-downloads, the few fits that passed the next test by luck
  were off by 0.2);
- a standard error of the learned maturity of at most ``MAX_SE`` (0.1, the accuracy asked of a
  learned curve) at every age. It comes from the fit's curvature (data and prior) over the
  growths up to the last one found; on simulated re-downloads it matches the spread of the
  errors. An age the pairs do not reach, e.g. no day re-downloaded at age 1, keeps the prior's
  wide error, so such a curve is not called learned.

A curve that clears the bar beats the alternatives even near it: "none" is off by the whole lag
(0.2–0.4 the day after), and the plan's curve is a guess about some account, this one measured.

Pure functions over polars frames; the raw frames are never modified: ``eventual`` returns new
columns and the report keeps the reported numbers beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import polars as pl

from perfmkt.sources.overlap import DownloadInfo, oldest_first

if TYPE_CHECKING:  # numpy loads only when a curve is learned from re-downloads
    import numpy as np

RESULTS: tuple[str, ...] = ("conversions", "conversion_value", "leads", "orders", "revenue")
IMMATURE_BELOW: float = 0.99  # a day whose maturity is below this is marked in every view

# Learned from counts: their noise is known (Poisson arrivals), a value's is not.
COUNTS: tuple[str, ...] = ("orders", "conversions", "leads")
MIN_DAYS = 7  # days seen at two ages: a whole week
MIN_RESULTS = 100  # results on those days: below this the standard error itself is unsure
MAX_SE = 0.1  # largest standard error of a learned maturity at any age
SETTLED = 0.995  # a curve ends where it reaches this
SPEND_AGREES = 0.02  # two looks at one campaign-day whose spend differs more: a partial day
PRIOR_SD = 0.5  # prior sd of the log-growth from age k to k + 1 is PRIOR_SD / k
IRLS_STEPS = 3  # weights from the fitted shares, refitted (see _fit)


@dataclass(frozen=True)
class Curve:
    """One platform's maturity curve and where it came from."""

    platform: str
    maturity: tuple[float, ...]  # [i] = share of a day's eventual results in (i+1) days after it
    source: str  # "learned" | "plan" | "none"
    detail: str  # English, e.g. "learned from 6 downloads (41 days seen twice)"

    def at(self, age: int) -> float:
        """The share in ``age`` days after the day: 1.0 past the curve's end; an age of 1 or
        less (a download made on the day itself) reads the first share."""
        if not self.maturity or age > len(self.maturity):
            return 1.0
        return self.maturity[max(age, 1) - 1]


_CAMPAIGN = pl.coalesce(
    pl.lit("id:") + pl.col("campaign_id"), pl.lit("name:") + pl.col("campaign")
).alias("_key")  # a campaign by its id where the row has one, else its name


def _made_on_last_day(
    facts: pl.DataFrame, downloads: list[DownloadInfo], days: dict[str, date]
) -> dict[str, date]:
    """``days``, with the files made on their last day (see ``supplied_on``)."""
    last = {d.path: d.last_day for d in downloads if d.made_at is None and d.last_day}
    ends = pl.DataFrame(
        {"source_file": list(last), "date": list(last.values())},
        schema={"source_file": pl.String, "date": pl.Date},
    )
    spend = (
        facts.with_columns(_CAMPAIGN)
        .group_by("platform", "account", "_key", "date", "source_file")
        .agg(pl.col("spend").sum())
    )
    short = (
        spend.join(ends, on=["source_file", "date"])
        .join(spend, on=["platform", "account", "_key", "date"], suffix="_b")
        .filter(pl.col("source_file") != pl.col("source_file_b"))
        .group_by("source_file", "source_file_b")
        .agg(pl.col("spend").sum(), pl.col("spend_b").sum())
        .filter(pl.col("spend") < (1 - SPEND_AGREES) * pl.col("spend_b"))
    )
    partial = set(short["source_file"].to_list())
    return {path: last[path] if path in partial else day for path, day in days.items()}


def supplied_on(
    downloads: list[DownloadInfo], tz: ZoneInfo, facts: pl.DataFrame | None = None
) -> dict[str, date]:
    """The day each file was downloaded, by path, for the age of its days.

    The platform's stamp when the file has one (never before the file's last day: a download
    holds no day after it was made), else the modification day in ``tz`` held to
    [covers_to, covers_to + 1]: copies, re-saves and checkouts change modification times, and
    an export is normally downloaded on the last day it covers or the morning after. Under
    ``download_order: modified`` the plan vouches for modification times: their day is taken
    (never before the last day). Known limit: without either, a later re-download of the same
    range reads as made on the same day, so it shows no lag (its ages cannot be told).

    With ``facts`` (every file's campaign-day rows, superseded ones too), a file without a
    stamp whose last day has less spend than another download of that day (on the same
    campaigns, more than 2 % less) was made while that day ran: on that day, whatever its
    modification time says. ``learn_curves`` ages the looks this way; pass the same facts to
    age the rows for ``eventual`` alike."""
    days: dict[str, date] = {}
    for d in downloads:
        if d.made_at is not None:
            stamp = d.made_at.astimezone(tz) if d.made_at.tzinfo else d.made_at
            day = stamp.date()
            floor = d.last_day or d.covers_to
            days[d.path] = max(day, floor) if floor else day
            continue
        day = datetime.fromtimestamp(d.mtime, tz).date()
        if d.order == "modified":  # the plan says modification times can be trusted
            floor = d.last_day or d.covers_to
            days[d.path] = max(day, floor) if floor else day
        elif d.covers_to is not None:
            days[d.path] = min(max(day, d.covers_to), d.covers_to + timedelta(days=1))
        else:
            days[d.path] = day
    if facts is not None and not facts.is_empty():
        days = _made_on_last_day(facts, downloads, days)
    return days


def _days_frame(days: dict[str, date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"source_file": list(days), "_made": list(days.values())},
        schema={"source_file": pl.String, "_made": pl.Date},
    )


def _counted(facts: pl.DataFrame) -> str | None:
    """The count column with most results in ``facts`` (None when none has any)."""
    totals = {
        c: float(facts[c].fill_null(0).clip(lower_bound=0).sum())
        for c in COUNTS
        if c in facts.columns
    }
    best = max(totals, key=lambda c: totals[c], default=None)
    return best if best is not None and totals[best] > 0 else None


def _pairs(
    facts: pl.DataFrame, days: dict[str, date], rank: dict[str, int], column: str
) -> pl.DataFrame:
    """Consecutive looks at each campaign-day of one platform: a1, y1, a2, y2 of ``column``
    (and the campaign, day and files), for the looks that can tell lag (module docstring)."""
    looks = (
        facts.join(_days_frame(days), on="source_file", how="inner")
        .with_columns(
            _CAMPAIGN,
            (pl.col("_made") - pl.col("date")).dt.total_days().alias("_age"),
            pl.col("source_file").replace_strict(rank, default=-1).alias("_rank"),
        )
        .filter(pl.col("_age") >= 1)
        .group_by("account", "_key", "date", "source_file", "_age", "_rank")
        .agg(
            y=pl.col(column).fill_null(0).sum(),
            spend=pl.col("spend").fill_null(0).sum(),
        )
        # one look per campaign-day and age: the newer download's
        .sort("_rank")
        .unique(subset=["account", "_key", "date", "_age"], keep="last")
        .sort("account", "_key", "date", "_age")
    )
    group = ["account", "_key", "date"]
    paired = looks.with_columns(
        a2=pl.col("_age").shift(-1).over(group),
        y2=pl.col("y").shift(-1).over(group),
        spend2=pl.col("spend").shift(-1).over(group),
        file2=pl.col("source_file").shift(-1).over(group),
    ).filter(pl.col("a2").is_not_null())
    agrees = (pl.col("spend") - pl.col("spend2")).abs() <= SPEND_AGREES * pl.max_horizontal(
        pl.col("spend").abs(), pl.col("spend2").abs()
    )
    return paired.filter(agrees).select(
        "account", "_key", "date", "source_file", "file2", a1="_age", y1="y", a2="a2", y2="y2"
    )


def _nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """min ‖a x − b‖ subject to x ≥ 0 (Lawson and Hanson's active-set method)."""
    import numpy as np

    n = a.shape[1]
    x = np.zeros(n)
    free = np.zeros(n, dtype=bool)
    tol = 1e-10 * max(1.0, float(np.abs(a).max(initial=0.0))) * max(a.shape)
    gradient = a.T @ (b - a @ x)
    for _ in range(3 * n + 10):
        if free.all() or gradient[~free].max(initial=-np.inf) <= tol:
            break
        free[int(np.argmax(np.where(free, -np.inf, gradient)))] = True
        while True:
            z = np.zeros(n)
            z[free] = np.linalg.lstsq(a[:, free], b, rcond=None)[0]
            if (z[free] > tol).all():
                break
            # step back toward x until the first free variable reaches 0; it leaves the set
            blocking = free & (z <= tol)
            alpha = float(np.min(x[blocking] / (x[blocking] - z[blocking])))
            x = x + alpha * (z - x)
            free &= x > tol
            x[~free] = 0.0
        x = z
        gradient = a.T @ (b - a @ x)
    return x


@dataclass(frozen=True)
class _Fit:
    maturity: np.ndarray  # ages 1..K
    se: np.ndarray


def _fit(cells: pl.DataFrame) -> _Fit:
    """The curve from cells (a1, a2, s1, s2); see the module docstring."""
    import numpy as np

    a1 = cells["a1"].to_numpy()
    a2 = cells["a2"].to_numpy()
    s1 = cells["s1"].to_numpy().astype(float)
    s2 = cells["s2"].to_numpy().astype(float)
    oldest = int(a2.max())
    ages = np.arange(1, oldest)  # δ_k for k = 1 .. oldest - 1
    design = (ages[None, :] >= a1[:, None]) & (ages[None, :] < a2[:, None])
    ratio = np.log(s2 / s1)
    prior = (ages / PRIOR_SD) ** 2
    # Var r = (1 − p) / (p S2) for binomial thinning (p = the share at a1 of that at a2), plus
    # one arrival. p comes from the fit, not from the cell itself: weights from each cell's
    # own increment would trust most the cells where by chance little arrived (a bias toward
    # no lag). Start from the cells' own ratios, then refit on the fitted shares.
    share = np.clip(s1 / s2, 0.05, 1.0)
    for _ in range(IRLS_STEPS):
        weight = share * s2**2 / ((1 - share) * s2 + 1.0)
        a = np.vstack([design * np.sqrt(weight)[:, None], np.diag(np.sqrt(prior))])
        b = np.concatenate([ratio * np.sqrt(weight), np.zeros(len(ages))])
        delta = _nnls(a, b)
        share = np.exp(-(design @ delta))
    # log m(a) = −Σ_{k ≥ a} δ_k. Its variance from the curvature of the fit (data and prior)
    # over the growths up to the last one found above 0; those after it, held at 0 by the
    # constraint, are taken as settled. A growth at 0 between two others is as uncertain as
    # they are: leaving it out would make a sparse fit that missed a growth look sure.
    tail = np.triu(np.ones((len(ages), len(ages))))  # row a: δ_k for k ≥ a
    log_m = np.append(-(tail @ delta), 0.0)
    found = np.flatnonzero(delta > 0)
    grows = ages <= ages[found[-1]] if found.size else np.zeros(len(ages), dtype=bool)
    covariance = np.zeros((len(ages), len(ages)))
    if grows.any():
        free = a[:, grows]
        covariance[np.ix_(grows, grows)] = np.linalg.inv(free.T @ free)
    var_log = np.append(np.einsum("ij,jk,ik->i", tail, covariance, tail), 0.0)
    maturity = np.exp(log_m)
    return _Fit(maturity=maturity, se=maturity * np.sqrt(var_log))


def _trimmed(maturity: np.ndarray) -> tuple[float, ...]:
    """Up to the first age reaching ``SETTLED``, that one written as 1."""

    out: list[float] = []
    for m in maturity:
        if m >= SETTLED:
            break
        out.append(round(float(m), 4))
    return (*out, 1.0)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _plan_curve(shares: list[float]) -> tuple[float, ...]:
    """The plan's shares; one ending below 1 is complete the day after its last."""
    curve = tuple(float(s) for s in shares)
    return curve if curve and curve[-1] >= 1 else (*curve, 1.0)


def _learn(
    facts: pl.DataFrame, days: dict[str, date], rank: dict[str, int]
) -> tuple[tuple[float, ...] | None, str]:
    """One platform's learned curve, or None; and what it rests on (or why not)."""
    looks = facts.group_by("account", "campaign", "date").agg(pl.col("source_file").n_unique())
    if looks.is_empty() or looks["source_file"].max() < 2:  # type: ignore[operator]
        return None, "no re-downloads to learn from"
    column = _counted(facts)
    if column is None:
        return None, f"re-downloads show no {', '.join(COUNTS[:-1])} or {COUNTS[-1]} to learn from"
    pairs = _pairs(facts, days, rank, column)
    if pairs.is_empty():
        return None, "re-downloads show no day at two ages (of 1 day or more, same spend)"
    seen = pairs["date"].n_unique()
    files = pl.concat([pairs["source_file"], pairs["file2"]]).n_unique()
    counted = f"{_plural(files, 'download')}, {_plural(seen, 'day')} seen twice"
    if seen < MIN_DAYS:
        return None, f"re-downloads show {_plural(seen, 'day')} twice, fewer than {MIN_DAYS}"
    cells = (
        pairs.group_by("a1", "a2")
        .agg(s1=pl.col("y1").sum(), s2=pl.col("y2").sum())
        .filter((pl.col("s1") > 0) & (pl.col("s2") > 0))
        .sort("a1", "a2")
    )
    if cells.is_empty():
        return None, f"re-downloads ({counted}) show no results to learn from"
    # the days seen twice hold this many results by their newest look
    results = float(
        pairs.sort("a2").group_by("account", "_key", "date").agg(pl.col("y2").last())["y2"].sum()
    )
    if results < MIN_RESULTS:
        return (
            None,
            f"re-downloads ({counted}) hold {results:,.0f} results, fewer than {MIN_RESULTS}",
        )
    fit = _fit(cells)
    worst = int(fit.se.argmax())
    if fit.se[worst] > MAX_SE:
        return None, (
            f"re-downloads ({counted}) tell the share after {_plural(worst + 1, 'day')} only "
            f"to ±{fit.se[worst]:.2f}, wider than ±{MAX_SE}"
        )
    return _trimmed(fit.maturity), (
        f"{counted} ({results:,.0f} results); ±{fit.se[worst]:.2f} after "
        f"{_plural(worst + 1, 'day')}"
    )


def learn_curves(
    facts: pl.DataFrame,
    downloads: list[DownloadInfo],
    tz: ZoneInfo,
    plan_curves: dict[str, list[float]],
) -> dict[str, Curve]:
    """One curve per platform in ``facts``: learned from its re-downloads when they tell
    enough, else the plan's ``conversion_lag:``, else none (see the module docstring).

    ``facts`` holds every file's campaign-day rows, the ones a newer download superseded too
    (``Loaded.facts`` and ``Loaded.superseded``); ``downloads`` describes those files."""
    days = supplied_on(downloads, tz, facts)
    rank = {path: i for i, path in enumerate(oldest_first(downloads))}
    curves: dict[str, Curve] = {}
    for platform in sorted(facts["platform"].drop_nulls().unique().to_list()):
        rows = facts.filter(pl.col("platform") == platform)
        learned, why = _learn(rows, days, rank)
        planned = plan_curves.get(platform)
        if learned is not None:
            detail = f"learned from {why}"
            if planned:
                mine = Curve(platform, learned, "", "")
                theirs = Curve(platform, _plan_curve(planned), "", "")
                ages = range(1, max(len(learned), len(planned)) + 1)
                gap = max(abs(mine.at(a) - theirs.at(a)) for a in ages)
                detail += (
                    f"; used instead of the plan's conversion_lag, which differs by up to {gap:.2f}"
                )
            curves[platform] = Curve(platform, learned, "learned", detail)
        elif planned:
            curves[platform] = Curve(
                platform, _plan_curve(planned), "plan", f"the plan's conversion_lag: {why}"
            )
        else:
            curves[platform] = Curve(
                platform,
                (),
                "none",
                f"none: {why}; no conversion_lag in the plan, so results are taken as complete",
            )
    return curves


def eventual(rows: pl.DataFrame, curves: dict[str, Curve], days: dict[str, date]) -> pl.DataFrame:
    """``rows`` (claimed facts: date, platform, source_file, spend, RESULTS…) with every RESULTS
    column divided by the maturity at its age (``days``: ``supplied_on``), plus ``maturity``.

    Same rows in the same order; spend and every other column untouched. A platform without a
    curve, or a file without a known download day, is taken as complete (maturity 1)."""
    table = pl.DataFrame(
        {
            "platform": [c.platform for c in curves.values() for _ in c.maturity],
            "_age": [a for c in curves.values() for a in range(1, len(c.maturity) + 1)],
            "maturity": [m for c in curves.values() for m in c.maturity],
        },
        schema={"platform": pl.String, "_age": pl.Int64, "maturity": pl.Float64},
    )
    aged = (
        rows.with_row_index("_i")
        .join(_days_frame(days), on="source_file", how="left")
        .with_columns(
            (pl.col("_made") - pl.col("date")).dt.total_days().clip(lower_bound=1).alias("_age")
        )
        .join(table, on=["platform", "_age"], how="left")
        .sort("_i")
    )
    maturity = aged["maturity"].fill_null(1.0)
    present = [c for c in RESULTS if c in rows.columns]
    return rows.with_columns(
        *[(pl.col(c) / maturity).alias(c) for c in present], maturity.alias("maturity")
    )


def daily_maturity(
    rows_with_maturity: pl.DataFrame, result: str, start: date, end: date
) -> pl.DataFrame:
    """One row per day from ``start`` to ``end``: ``date`` and ``maturity``, the share of the
    day's eventual ``result`` already reported (Σ raw / Σ eventual, a ratio of sums over the
    day's rows from ``eventual``). A day without results weighs its rows by spend (their plain
    mean without spend either); a day without rows is 1."""
    frame = rows_with_maturity
    value = pl.col(result).fill_null(0) if result in frame.columns else pl.lit(0.0)
    spend = pl.col("spend").fill_null(0) if "spend" in frame.columns else pl.lit(0.0)
    per_day = (
        frame.filter(pl.col("date").is_between(start, end))
        .group_by("date")
        .agg(
            raw=(value * pl.col("maturity")).sum(),
            whole=value.sum(),
            spent=(spend * pl.col("maturity")).sum(),
            spend=spend.sum(),
            mean=pl.col("maturity").mean(),
        )
        .select(
            "date",
            maturity=pl.when(pl.col("whole") > 0)
            .then(pl.col("raw") / pl.col("whole"))
            .when(pl.col("spend") > 0)
            .then(pl.col("spent") / pl.col("spend"))
            .otherwise(pl.col("mean")),
        )
    )
    calendar = pl.DataFrame(
        {"date": pl.date_range(start, end, eager=True)}, schema={"date": pl.Date}
    )
    return calendar.join(per_day, on="date", how="left").select(
        "date", pl.col("maturity").fill_null(1.0).cast(pl.Float64)
    )
