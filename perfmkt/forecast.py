"""The chance of reaching each KPI's flight target, and an 80 % interval of its flight-end value.

Pure and deterministic: frames in, numbers out, randomness only through
``numpy.random.default_rng(seed)``. See ``METHOD`` for the method in one paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from perfmkt.metrics import CATALOG, Direction, volumes_needed
from perfmkt.plan import Plan
from perfmkt.targets import day_weights

# Assumptions, fixed before calibrating (only WINDOW was chosen on the simulator, among 14, 21
# and 28 days: 28 covered best late in the flight).
WINDOW = 28  # recent days that set the level the campaign runs at
BLOCK = 7  # days per bootstrap block: every block holds each weekday once
PRIOR_SD = 0.3  # day-to-day spread of log efficiency assumed before the data show theirs…
PRIOR_DAYS = 3.0  # …worth this many days of data
DRIFT_PRIOR = 0.015  # daily step of the efficiency's random walk assumed before the data…
DRIFT_WEIGHT = 2.0  # …worth this many lag-2 week pairs
# Most daily drift believed however erratic the elapsed weeks (set after a real TikTok account
# swinging between 13 % and 213 % of plan week to week compounded into ranges of 6× the budget;
# the calibration's fastest stress setting is this).
DRIFT_MAX = 0.05
ELASTICITY_SD = 0.3  # sd of the response of results per spend to the planned daily spend

METHOD = (
    "Each KPI's flight-end value is simulated 2,000 times. Every elapsed day is compared with "
    "the plan's daily target (its efficiency; a volume the plan does not target follows the "
    "planned spend's shape). Each simulated future first redraws up to the last four weeks in "
    "blocks of seven days, all volumes together, and takes the ratio of the redrawn sums as the"
    " level the campaign runs at, centred on the last days the projection looks at; with few "
    "days an assumed day-to-day spread of 30 % widens that level, so a short history gives a "
    "wide interval, never a point. The remaining days are then drawn from that redrawn history "
    "a week at a time, each day from one on the same weekday (day by day with less than two "
    "weeks), and scaled by the plan's remaining daily targets and by two random walks of "
    "efficiency, spend's own and that of results per unit of spend, whose steps are estimated "
    "from how the elapsed weeks moved (from an assumed 1.5 % a day while they are few, and at "
    "most 5 % a day); where the plan changes its daily spend (a ramp, a final push), results "
    "per unit of spend may respond with an unknown elasticity (±0.3). Flight-end values are the"
    " actuals to date plus the simulated rest; ratios (CPO, ROAS, ROI…) come from each future's"
    " simulated sums. The 80 % interval runs from the 10th to the 90th percentile of the "
    "futures; the chance is the share of futures that reach the target (for a cost per result: "
    "end at or below it; for spend: end inside the on-budget band)."
)
# The same paragraph for Vietnamese reports (a report speaks one language).
METHOD_VI = (
    "Giá trị cuối chiến dịch của mỗi chỉ số được mô phỏng 2.000 lần. Mỗi ngày đã qua được so "
    "với mục tiêu ngày của kế hoạch (hiệu quả của ngày đó; chỉ số không có mục tiêu đi theo "
    "hình dạng chi phí kế hoạch). Mỗi tương lai mô phỏng trước hết rút lại tối đa bốn tuần gần "
    "nhất theo từng khối bảy ngày, mọi chỉ số cùng nhau, và lấy tỷ lệ giữa các tổng rút lại làm"
    " mức hiệu quả hiện tại, lấy tâm theo các ngày gần nhất mà dự báo dùng; khi còn ít ngày dữ "
    "liệu, một độ dao động giả định 30 % mỗi ngày nới rộng mức này, nên lịch sử ngắn cho khoảng"
    " rộng, không bao giờ là một điểm. Các ngày còn lại được rút từ lịch sử đó theo từng tuần, "
    "mỗi ngày lấy từ một ngày cùng thứ trong tuần (từng ngày khi có dưới hai tuần), nhân với "
    "mục tiêu ngày còn lại của kế hoạch và với hai bước ngẫu nhiên của hiệu quả (của chi phí và"
    " của kết quả trên mỗi đồng chi), có độ lớn ước tính từ biến động giữa các tuần đã qua (giả"
    " định 1,5 % mỗi ngày khi còn ít tuần, tối đa 5 % mỗi ngày); khi kế hoạch thay đổi mức chi "
    "mỗi ngày (tăng tốc, dồn cuối), kết quả trên mỗi đồng chi có thể phản ứng với độ co giãn "
    "chưa biết (±0,3). Giá trị cuối chiến dịch là thực tế đến nay cộng phần mô phỏng; các tỷ lệ"
    " (CPO, ROAS, ROI…) tính từ tổng của từng tương lai. Khoảng 80 % đi từ phân vị 10 đến phân "
    "vị 90 của các tương lai; khả năng đạt là tỷ lệ tương lai đạt mục tiêu (với chi phí trên "
    "mỗi kết quả: bằng hoặc thấp hơn mục tiêu; với chi phí: kết thúc trong khoảng đúng ngân "
    "sách)."
)


@dataclass(frozen=True)
class Outlook:
    chance: float | None  # P(reach the flight target by flight end); None when unknowable
    low: float | None  # 80 % interval of the flight-end value (10th and 90th percentile)
    high: float | None
    median: float | None


UNKNOWN = Outlook(None, None, None, None)


def outlooks(
    plan: Plan,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
    *,
    sims: int = 2000,
    seed: int = 0,
) -> dict[str, Outlook]:
    """One ``Outlook`` per KPI of ``plan``.

    ``actuals``: one row per day from the flight start to ``as_of`` (``pacing.daily_actuals``,
    results already lag-corrected); ``targets``: ``targets.daily_targets(plan)``. No day
    elapsed: every outlook is unknown. No day left: the known value, chance 0 or 1.
    """
    names = list(plan.kpis)
    flight = plan.flight
    elapsed = max(0, min((as_of - flight.start).days + 1, flight.days))
    if elapsed == 0:
        return dict.fromkeys(names, UNKNOWN)
    volumes = volumes_needed(names)
    history = _history(actuals, flight.start, elapsed, volumes)
    known = [v for v in volumes if history[v] is not None]
    shapes = _shapes(plan, targets, known)
    finals = _simulate(
        {v: history[v] for v in known},  # type: ignore[misc]
        shapes,
        elapsed,
        flight.days,
        sims,
        np.random.default_rng(seed),
        plan.projection.window_days,
    )
    return {name: _outlook(plan, name, finals) for name in names}


def _history(
    actuals: pl.DataFrame, start: date, elapsed: int, volumes: list[str]
) -> dict[str, np.ndarray | None]:
    """Each volume's daily actuals over the elapsed days (a day without a row delivered 0);
    None for a volume no source measures."""
    grid = pl.DataFrame({"date": [start + timedelta(days=i) for i in range(elapsed)]})
    present = [v for v in volumes if v in actuals.columns]
    rows = grid.with_columns(pl.col("date").cast(pl.Date)).join(
        actuals.select("date", *present), on="date", how="left"
    )
    out: dict[str, np.ndarray | None] = {}
    for v in volumes:
        if v not in present or rows[v].null_count() == elapsed:
            out[v] = None
        else:
            out[v] = rows[v].fill_null(0.0).cast(pl.Float64).to_numpy()
    return out


def _shapes(plan: Plan, targets: pl.DataFrame, volumes: list[str]) -> dict[str, np.ndarray]:
    """Each volume's planned daily series over the whole flight: its own targets, else the
    planned spend's, else the first planned volume's, else the plan's day weights."""
    days = plan.flight.days
    planned = [c for c in targets.columns if c in CATALOG and not c.endswith("_cum")]
    fallback_name = "spend" if "spend" in planned else (planned[0] if planned else None)
    if fallback_name is not None:
        fallback = targets[fallback_name].cast(pl.Float64).to_numpy()[:days]
    else:
        fallback = np.array([float(w) for w in day_weights(plan)])
    return {
        v: targets[v].cast(pl.Float64).to_numpy()[:days] if v in planned else fallback
        for v in volumes
    }


def _simulate(
    history: dict[str, np.ndarray],
    shapes: dict[str, np.ndarray],
    elapsed: int,
    days: int,
    sims: int,
    rng: np.random.Generator,
    recent: int = WINDOW,
) -> dict[str, np.ndarray]:
    """Simulated flight-end sums of every volume: an array of ``sims`` values each (one value
    when no day is left). The futures centre on the efficiency of the last ``recent`` days
    (the point projection's window), the spread around it from the longer WINDOW."""
    names = list(history)
    done = {v: float(history[v].sum()) for v in names}
    if not names or elapsed >= days:
        return {v: np.array([done[v]]) for v in names}
    actual = np.stack([history[v] for v in names])  # (volumes, elapsed)
    plan = np.stack([shapes[v] for v in names])  # (volumes, days)

    # Units to resample: circular blocks of 7 days over whole weeks when there are two weeks
    # or more (circling a whole number of weeks keeps every day on its weekday), else days.
    window = min(elapsed, WINDOW)
    length = BLOCK if window >= 2 * BLOCK else 1
    window -= window % length
    a, s = actual[:, -window:], plan[:, elapsed - window : elapsed]
    # A volume whose window was planned at nothing is projected at its run rate instead.
    flat = s.sum(axis=1) <= 0
    if flat.any():
        plan = np.where(flat[:, None], 1.0, plan)
        s = plan[:, elapsed - window : elapsed]
    idx = (np.arange(window)[:, None] + np.arange(length)[None, :]) % window  # (units, length)
    unit_a, unit_s = a[:, idx].sum(axis=2), s[:, idx].sum(axis=2)  # (volumes, units)
    usable = np.flatnonzero((unit_s > 0).all(axis=0))
    if usable.size == 0:
        usable = np.arange(window)
    count = window // length  # units per redrawn window

    # Stage 1: redraw the window; its ratio of sums is the level of this future.
    pick = usable[rng.integers(0, usable.size, size=(sims, count))]  # (sims, count)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.nan_to_num(unit_a[:, pick].sum(axis=2) / unit_s[:, pick].sum(axis=2))
    point = a.sum(axis=1) / s.sum(axis=1)  # (volumes,)
    # Centre on the recent days as the point projection does, so a campaign that fell off in
    # its last week is not given the chance of the four weeks before (the range would hold
    # the projection no longer).
    last = min(recent, elapsed)
    with np.errstate(invalid="ignore", divide="ignore"):
        lately = actual[:, -last:].sum(axis=1) / plan[:, elapsed - last : elapsed].sum(axis=1)
    shift = np.where((point > 0) & np.isfinite(lately), lately / np.where(point > 0, point, 1), 1.0)
    # A redraw of k units spreads too little by (k − 1) / k: widen it back.
    widen = np.sqrt(count / (count - 1)) if count > 1 else 1.0
    widened = np.maximum(point[:, None] + widen * (level - point[:, None]), 0.0)
    # Few days: shrink the seen spread of a day's efficiency towards an assumed one.
    spread = _log_spread(unit_a[:, usable], unit_s[:, usable], length)
    assumed = (window * spread**2 + PRIOR_DAYS * PRIOR_SD**2) / (window + PRIOR_DAYS)
    seen = np.var(np.log(np.maximum(widened, 1e-12) / np.maximum(point[:, None], 1e-12)), axis=1)
    seen = np.where(point > 0, seen, 0.0)
    extra = np.sqrt(np.maximum(assumed / window - seen, 0.0))
    widened = widened * np.exp(extra[:, None] * rng.standard_normal((len(names), sims)))
    widened = widened * shift[:, None]

    # Stage 2: each remaining day takes the efficiency of a day of this future's redraw: a
    # block of 7 at a time, each day from the block's day on the same weekday.
    rest = np.arange(elapsed, days)
    block_of = (rest - elapsed) // BLOCK
    blocks = int(block_of[-1]) + 1
    if length == BLOCK:
        chosen = pick[np.arange(sims)[:, None], rng.integers(0, count, size=(sims, blocks))]
        start = chosen[:, block_of]  # (sims, rest): first window day of the source block
        source = (start + (rest - (elapsed - window) - start) % BLOCK) % window
    else:
        source = pick[np.arange(sims)[:, None], rng.integers(0, count, size=(sims, rest.size))]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(level > 0, widened / level, 0.0)  # (volumes, sims)
        day_eff = np.where(s > 0, a / s, point[:, None])  # (volumes, window)
    efficiency = day_eff[:, source] * ratio[:, :, None]  # (volumes, sims, rest)
    # Nothing delivered in the window (a pause, a count that came out 0) does not prove
    # nothing will be: such a volume runs at a level between nothing and one planned day's
    # worth over the window, flat.
    empty = point <= 0
    if empty.any():
        lifted = rng.uniform(0.0, 1.0 / window, size=(int(empty.sum()), sims))
        efficiency[empty] = lifted[:, :, None]

    # Drift: random walks of log efficiency starting mid-window, one for spend and one for
    # every volume per unit of spend (so CPO and ROAS drift even when spend does not).
    spend = names.index("spend") if "spend" in names else None
    own, per_spend = (np.sqrt(q) for q in _drift(actual, plan[:, :elapsed], spend))
    offset = window / 2 + BLOCK / 2
    steps = np.concatenate([np.full(1, offset), np.full(blocks - 1, float(BLOCK))])
    walks = np.cumsum(np.sqrt(steps) * rng.standard_normal((2, sims, blocks)), axis=2)
    log_drift = own[:, None, None] * walks[0][None] + per_spend[:, None, None] * walks[1][None]
    drift = np.exp(log_drift)[:, :, block_of]  # (volumes, sims, rest)
    if spend is not None and ELASTICITY_SD > 0:
        # Results need not follow the plan when its daily spend changes (a ramp, a final
        # push): per future, an unknown elasticity of results per spend to the planned level.
        level_now = plan[spend, elapsed - window : elapsed].mean()
        change = np.log(np.maximum(plan[spend, rest], 1e-12 * level_now) / level_now)
        if level_now > 0:
            gamma = ELASTICITY_SD * rng.standard_normal(sims)
            bend = np.exp(gamma[:, None] * change[None, :])  # (sims, rest)
            others = np.arange(len(names)) != spend
            drift[others] *= bend[None]
    future = (efficiency * drift * plan[:, None, rest]).sum(axis=2)  # (volumes, sims)
    return {v: done[v] + future[i] for i, v in enumerate(names)}


def _log_spread(unit_a: np.ndarray, unit_s: np.ndarray, length: int) -> np.ndarray:
    """The seen spread (sd of log efficiency) of one day, from the units' efficiencies."""
    if unit_a.shape[1] < 2:
        return np.zeros(unit_a.shape[0])
    eff = unit_a / unit_s  # the units are those planned above 0
    mean = eff.mean(axis=1, keepdims=True)
    safe = np.where(mean > 0, mean, 1.0)
    logs = np.log(np.maximum(eff, 0.05 * safe) / safe)  # a zero unit counts as 5 % of the mean
    return np.where(mean[:, 0] > 0, logs.std(axis=1), 0.0) * np.sqrt(length)


def _drift(
    actual: np.ndarray, plan: np.ndarray, spend: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per volume, the daily variance of two random walks of log efficiency: spend's own,
    and that of the volume per unit of spend (0 for spend itself; without spend, all of a
    volume's drift is its own). Each is estimated from how the elapsed weeks' efficiencies
    move apart with the lag between them, shrunk towards ``DRIFT_PRIOR``.

    For weekly means of a walk with daily variance q plus noise of variance v per week,
    E[(y[k+L] − y[k])²] = 2v + q (7L − 2.29): the growth from lag 1 to lag 2 is 7q.
    """
    count = actual.shape[0]
    weeks = actual.shape[1] // BLOCK
    prior = DRIFT_PRIOR**2
    if weeks >= 3:
        tail = slice(actual.shape[1] - weeks * BLOCK, None)
        wa = actual[:, tail].reshape(count, weeks, BLOCK).sum(axis=2)
        ws = plan[:, tail].reshape(count, weeks, BLOCK).sum(axis=2)
        eff = np.divide(wa, ws, out=np.zeros_like(wa), where=ws > 0)
        mean = eff.mean(axis=1, keepdims=True)
        safe = np.where(mean > 0, mean, 1.0)
        y = np.log(np.maximum(eff, 0.05 * safe) / safe)
    else:
        y = np.zeros((count, weeks))

    def walk(series: np.ndarray) -> np.ndarray:
        if weeks < 3:
            return np.full(series.shape[0], prior)
        lag1 = np.mean((series[:, 1:] - series[:, :-1]) ** 2, axis=1)
        lag2 = np.mean((series[:, 2:] - series[:, :-2]) ** 2, axis=1)
        seen = np.minimum(np.maximum(lag2 - lag1, 0.0) / BLOCK, DRIFT_MAX**2)
        pairs = weeks - 2
        return (pairs * seen + DRIFT_WEIGHT * prior) / (pairs + DRIFT_WEIGHT)

    if spend is None:
        return walk(y), np.zeros(count)
    own = np.full(count, walk(y[spend : spend + 1])[0])
    per_spend = walk(y - y[spend : spend + 1])
    per_spend[spend] = 0.0
    return own, per_spend


def _outlook(plan: Plan, name: str, finals: dict[str, np.ndarray]) -> Outlook:
    metric = CATALOG[name]
    needed = volumes_needed([name])
    if any(v not in finals for v in needed):
        return UNKNOWN
    frame = pl.DataFrame({v: finals[v] for v in needed})
    values = frame.select(metric.expr(plan.margin).alias(name))[name].to_numpy()
    values = values.astype(float)  # null (a zero denominator) becomes NaN
    defined = values[np.isfinite(values)]
    if defined.size == 0:
        return UNKNOWN
    target = plan.kpis[name]
    if metric.direction is Direction.BUDGET:
        bands = plan.status.at(1.0)
        hit = (values >= bands.on_track * target) & (values <= bands.overspend * target)
    elif metric.direction is Direction.LOWER:
        hit = values <= target
    elif metric.direction is Direction.HIGHER:
        hit = values >= target
    else:
        hit = None
    low, median, high = np.percentile(defined, [10, 50, 90])
    return Outlook(
        chance=None if hit is None else float(np.mean(hit)),
        low=float(low),
        high=float(high),
        median=float(median),
    )
