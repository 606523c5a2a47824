"""Where the next budget buys most: each channel's marginal cost, budget moves, catch-up spend
and the budget runway ("what now").

Per channel (and per campaign with enough days) a concave response ``results = a · spend^b``
is fitted on the recent days, with a level per weekday (Poisson likelihood over a grid of
``b``; for each ``b`` the best levels have a closed form, so days without results are fine).
The marginal cost of one more result at the current daily spend ``s`` is
``1 / (a · b · s^(b−1))``; a bootstrap over days gives its ~80 % interval. When the data
cannot tell (too few days, spend too flat, no results, interval too wide) the marginal cost
is None and ``reason`` says why.

Pure functions over polars frames, numpy for the numerics; randomness only through
``numpy.random.default_rng`` seeded from the channel's name, so a report is reproducible.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from perfmkt.campaigns import result_kpi
from perfmkt.format import Formatter, three_significant
from perfmkt.metrics import CATALOG, Direction, volumes_needed
from perfmkt.pacing import KpiPace
from perfmkt.plan import Plan
from perfmkt.summary import formatter, name_of, shown, verbs

WINDOW_DAYS = 42  # the recent days a curve is fitted on: six whole weeks
LEVEL_DAYS = 7  # the current level: mean daily spend (and results) over the last week
MIN_DAYS = 14  # fewer days with spend than this: cannot tell
MIN_SPREAD = 0.10  # standard deviation of log daily spend below this (about ±10 %): too flat
MAX_WIDTH = 2.5  # the 80 % interval's high / low above this: too wide to act on
SIMS = 1000  # bootstrap resamples of the days
# b on a grid: the curve is concave (b ≤ 1); the grid runs on to 2 so that "can the data
# tell" is judged without that limit (a slope pressed against it looks falsely certain)
B_GRID = np.round(np.arange(0.02, 2.0 + 1e-9, 0.02), 2)  # steps of 0.02: ±1 % on a cost
CONCAVE = B_GRID <= 1.0
WEEKDAYS = True  # a level per weekday: spend that follows weekday demand is not mistaken for b
CLEAR = 0.90  # a move needs the two channels' 90 % intervals apart (the 80 % ones are shown)
MOVE_CAP = 0.30  # a move changes a channel's daily spend by at most this share
MIN_GAIN = 0.02  # a move must add this share of the two channels' remaining results
TOP_CAMPAIGNS = 10  # campaigns fitted, by recent spend
RESULT_SUMS = ("orders", "leads", "conversions", "revenue")  # what advice can be about

METHOD = (
    "For each channel (and each campaign with enough days) the last 42 days of spend and "
    "results are fitted with a concave response, results = a · spend^b with 0 < b ≤ 1 and a "
    "level of its own for each weekday, by Poisson likelihood (b on a grid, the levels in "
    "closed form for each b, so days without results count). The marginal cost of one more "
    "result at the current daily spend s (the mean of the last 7 days) is "
    "1 / (a · b · s^(b−1)), a the weekdays' mean level; resampling each weekday's days 1,000 "
    "times gives its 80 % interval. The data cannot tell when fewer than 14 days had spend, "
    "daily spend varied by less than about ±10 % beyond its weekday pattern, or the "
    "interval's ends (with b left free) are more than a factor 2.5 apart. A move shifts "
    "remaining budget from the channel whose next result costs most to the one where it costs "
    "least, sized so their marginal costs meet but by no more than 30 % of either channel's "
    "daily spend and within the daily spend each has seen; it is proposed only when the two "
    "channels' 90 % intervals do not overlap and the fitted curves gain at least 2 % of their "
    "results. Catch-up spend raises every channel in proportion along the fitted curves until "
    "the required daily rate is reached. The budget runway spends the plan's remaining daily "
    "budget at the last 7 days' pace against plan (at their mean daily spend where the plan "
    "planned none) until the budget left is used up. Spend that follows demand within a week "
    "(more spend on the days that convert better) still makes b look larger than it is, and "
    "efficiency that drifts blurs it: these are estimates, never promises."
)

# The same paragraph for Vietnamese reports (a report speaks one language).
METHOD_VI = (
    "Với mỗi kênh (và mỗi chiến dịch đủ số ngày), chi phí và kết quả của 42 ngày gần nhất được "
    "khớp với một đường phản hồi lõm, kết quả = a · chi phí^b với 0 < b ≤ 1 và một mức riêng cho "
    "từng thứ trong tuần, theo hợp lý cực đại Poisson (b trên một lưới, các mức tính trực tiếp "
    "cho mỗi b, nên cả những ngày không có kết quả cũng được tính). Chi phí biên cho thêm một kết"
    " quả ở mức chi hiện tại s (trung bình 7 ngày gần nhất) là 1 / (a · b · s^(b−1)), với a là "
    "mức trung bình của các thứ; lấy mẫu lại các ngày theo từng thứ 1.000 lần cho khoảng 80 % của"
    " nó. Dữ liệu chưa đủ để kết luận khi có dưới 14 ngày có chi tiêu, chi tiêu mỗi ngày dao động"
    " dưới khoảng ±10 % ngoài nhịp trong tuần, hoặc hai đầu của khoảng (khi để b tự do) chênh "
    "nhau hơn 2,5 lần. Một đề xuất chuyển ngân sách còn lại từ kênh có kết quả tiếp theo đắt nhất"
    " sang kênh rẻ nhất, với lượng vừa đủ để chi phí biên hai bên gặp nhau nhưng không quá 30 % "
    "mức chi mỗi ngày của kênh nào và trong phạm vi mức chi mỗi kênh từng có; chỉ đề xuất khi "
    "khoảng 90 % của hai kênh không chồng lên nhau và các đường khớp cho thêm ít nhất 2 % kết "
    "quả. Mức chi cần để bắt kịp tăng mọi kênh theo cùng tỷ lệ dọc các đường khớp cho đến khi đạt"
    " mức cần mỗi ngày. Thời gian ngân sách còn đủ dùng được tính bằng cách chi theo ngân sách "
    "ngày còn lại của kế hoạch với tốc độ so với kế hoạch của 7 ngày gần nhất (theo mức chi trung"
    " bình khi kế hoạch không có chi tiêu) cho đến khi hết ngân sách còn lại. Chi tiêu chạy theo "
    "nhu cầu trong tuần (chi nhiều hơn vào những ngày chuyển đổi tốt) vẫn làm b trông lớn hơn "
    "thực tế, và hiệu quả thay đổi theo thời gian làm nó kém rõ: đây là ước tính, không phải cam "
    "kết."
)


@dataclass(frozen=True)
class Response:
    """One channel's (or campaign's) fitted spend → result curve."""

    name: str
    days: int  # days with spend in the fitted window
    spend_per_day: float  # the current level (mean daily spend over the last LEVEL_DAYS)
    average_cost: float | None  # spend / results over the fitted window (a ratio of sums)
    marginal_cost: float | None  # cost of one more result at the current level; None: can't tell
    low: float | None  # ~80 % interval of the marginal cost (kept when only too wide)
    high: float | None
    elasticity: float | None  # b in results = a · spend^b
    reason: str | None  # English, why it cannot tell
    reason_code: str | None = None  # few_days | flat | no_results | no_spend | wide | unmeasured
    scale: float | None = None  # a in results = a · spend^b (spend in currency units per day)
    seen: tuple[float, float] | None = None  # lowest and highest daily spend fitted on
    results_per_day: float | None = None  # mean daily results over the last LEVEL_DAYS
    clear: tuple[float, float] | None = None  # the CLEAR interval a move's test compares

    def results_at(self, spend: float) -> float:
        """Expected daily results at a daily spend, from the fitted curve."""
        assert self.scale is not None and self.elasticity is not None
        return self.scale * max(spend, 0.0) ** self.elasticity

    def marginal_at(self, spend: float) -> float:
        """The cost of one more result at a daily spend, from the fitted curve."""
        assert self.scale is not None and self.elasticity is not None
        b = self.elasticity
        return max(spend, 1e-12) ** (1.0 - b) / (self.scale * b)


def _seed(name: str, seed: int) -> int:
    # one stream per channel name (str hash is salted per process; crc32 is not)
    return zlib.crc32(name.encode("utf-8")) + seed


def _profile(
    logx: np.ndarray, r: np.ndarray, weekday: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, ...]:
    """For each row of ``weights`` (days counted 0, 1, 2… times) the b on B_GRID that maximises
    the Poisson likelihood of results r = a_d · x^b, a_d one level per weekday in ``weekday``
    (closed form for each b: a_d = Σ_d r / Σ_d x^b), and the weekdays' mean a: the concave fit
    (b ≤ 1), then the free one (b up to 2). Returns a, b, a_free, b_free."""
    powers = np.exp(logx[:, None] * B_GRID[None, :])  # days × grid
    present = np.unique(weekday)
    onehot = (weekday[:, None] == present[None, :]).astype(float)  # days × weekdays
    # per weekday: results (resamples × weekdays) and Σ x^b (resamples × weekdays × grid), the
    # latter as one product with a block matrix (days × weekdays·grid)
    totals = weights @ (onehot * r[:, None])
    blocks = (onehot[:, :, None] * powers[:, None, :]).reshape(len(r), -1)
    sums = (weights @ blocks).reshape(len(weights), len(present), len(B_GRID))
    tilt = weights @ (r * logx)
    # every weekday keeps its days in a resample (drawn within weekdays), so Σ x^b > 0
    loglik = B_GRID[None, :] * tilt[:, None] - np.einsum("kd,kdg->kg", totals, np.log(sums))
    rows = np.arange(len(tilt))
    out = []
    for best in (np.where(CONCAVE, loglik, -np.inf).argmax(axis=1), loglik.argmax(axis=1)):
        chosen = sums[rows, :, best]  # resamples × weekdays
        with np.errstate(divide="ignore", invalid="ignore"):
            levels = np.where(chosen > 0, totals / chosen, np.nan)  # a weekday not drawn: nan
        out += [np.nanmean(levels, axis=1), B_GRID[best]]
    return tuple(out)


def _covered(first: date | None, end: date, days: int = LEVEL_DAYS) -> int:
    """The days of the last ``days`` to ``end`` since the data start on ``first``: a level
    over a flight's first 3 days is their mean, not a third of a week's."""
    if first is None:
        return days
    return max(1, min(days, (end - first).days + 1))


def fit_response(
    daily: pl.DataFrame,
    name: str,
    *,
    as_of: date | None = None,
    window: int = WINDOW_DAYS,
    level_days: int = LEVEL_DAYS,
    sims: int = SIMS,
    seed: int = 0,
) -> Response:
    """Fit results = a · spend^b on ``daily`` (date, spend, result; one row per day, days
    missing count as no spend) over the ``window`` days to ``as_of`` (default: the last date).
    Days without spend are left out of the fit: they say nothing about the curve's shape."""
    end = as_of if as_of is not None else daily["date"].max()
    if end is None:
        return _cannot(name, 0, 0.0, None, "too few days: none with spend", "few_days")
    assert isinstance(end, date)
    recent = daily.filter(pl.col("date").is_between(end - timedelta(window - 1), end))
    spend = recent["spend"].fill_null(0.0).to_numpy().astype(float)
    result = recent["result"].fill_null(0.0).to_numpy().astype(float)
    last = recent.filter(pl.col("date") > end - timedelta(level_days))
    began = daily.filter(pl.col("spend").fill_null(0.0) > 0)["date"].min()
    covered = _covered(began, end, level_days)  # type: ignore[arg-type]
    level = float(last["spend"].fill_null(0.0).sum()) / covered
    per_day = float(last["result"].fill_null(0.0).sum()) / covered
    used = spend > 0
    days = int(used.sum())
    total_spend, total_result = float(spend[used].sum()), float(result[used].sum())
    average = total_spend / total_result if total_result > 0 else None

    def cannot(reason: str, code: str) -> Response:
        return _cannot(name, days, level, average, reason, code, per_day=per_day)

    if days < MIN_DAYS:
        return cannot(f"too few days: {days} with spend ({MIN_DAYS} needed)", "few_days")
    if total_result <= 0:
        return cannot(f"no results in the last {window} days", "no_results")
    if level <= 0:
        return cannot(f"no spend in the last {level_days} days", "no_spend")
    x, r = spend[used] / level, result[used]
    logx = np.log(x)
    weekday = np.array([d.weekday() for d in recent["date"].to_list()])[used]
    if not WEEKDAYS:
        weekday = np.zeros_like(weekday)
    # the variation that tells the slope is the one beyond the weekday pattern
    means = {d: logx[weekday == d].mean() for d in set(weekday.tolist())}
    spread = float(np.std(logx - np.array([means[d] for d in weekday])))
    if spread < MIN_SPREAD:
        return cannot(
            f"too little spend variation: daily spend varied by about ±{spread:.0%}", "flat"
        )
    a_hat, b_hat, _, _ = _profile(logx, r, weekday, np.ones((1, days)))
    a, b = float(a_hat[0]), float(b_hat[0])  # a: results per day at the current level
    rng = np.random.default_rng(_seed(name, seed))
    # each resample draws every weekday's days with replacement (0, 1, 2… times each), so the
    # weekday pattern stays whole
    drawn = []
    for d in sorted(set(weekday.tolist())):
        where = np.flatnonzero(weekday == d)
        drawn.append(where[rng.integers(0, len(where), size=(sims, len(where)))])
    flat = (np.concatenate(drawn, axis=1) + days * np.arange(sims)[:, None]).ravel()
    weights = np.bincount(flat, minlength=sims * days).reshape(sims, days).astype(float)
    a_boot, b_boot, a_free, b_free = _profile(logx, r, weekday, weights)
    with np.errstate(divide="ignore"):
        costs = level / (a_boot * b_boot)  # a resample without results: infinitely dear
        free = level / (a_free * b_free)
    # a free slope at the grid's end stands for any slope beyond it: the cost is unbounded
    free = np.where(b_free >= B_GRID[-1], 0.0, np.where(b_free <= B_GRID[0], np.inf, free))
    value = level / (a * b)
    # resampling n days spreads an estimate by √((n − k)/n) of the truth's spread when k
    # levels (weekdays) are fitted: widen the intervals back, in log, around the estimate
    widen = math.sqrt(days / max(days - len(set(weekday.tolist())), 1))
    free_low, free_high = np.quantile(free, [0.1, 0.9], method="inverted_cdf")
    tail = (1.0 - CLEAR) / 2
    quantiles = np.quantile(costs, [tail, 0.1, 0.9, 1.0 - tail], method="inverted_cdf")
    with np.errstate(divide="ignore", invalid="ignore"):
        quantiles = value * (quantiles / value) ** widen
        free_width = (free_high / free_low) ** widen if free_low > 0 else np.inf
    clear_low, low, high, clear_high = (float(q) for q in quantiles)
    scale = a / level**b  # back from spend relative to the level to currency units
    seen = (float(spend[used].min()), float(spend[used].max()))
    common = {
        "name": name,
        "days": days,
        "spend_per_day": level,
        "average_cost": average,
        "elasticity": b,
        "scale": scale,
        "seen": seen,
        "results_per_day": per_day,
        "clear": (clear_low, clear_high),
    }
    if not free_width <= MAX_WIDTH:
        reason = f"interval too wide: 80 % between {low:,.4g} and {high:,.4g}"
        return Response(
            **common,
            marginal_cost=None,
            low=low,
            high=high if math.isfinite(high) else None,
            reason=reason,
            reason_code="wide",
        )
    return Response(**common, marginal_cost=value, low=low, high=high, reason=None)


def _cannot(
    name: str,
    days: int,
    level: float,
    average: float | None,
    reason: str,
    code: str,
    per_day: float | None = None,
) -> Response:
    return Response(
        name=name,
        days=days,
        spend_per_day=level,
        average_cost=average,
        marginal_cost=None,
        low=None,
        high=None,
        elasticity=None,
        reason=reason,
        reason_code=code,
        results_per_day=per_day,
    )


# --- what now ---------------------------------------------------------------------------------

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "mc_intro": "At the current spend, one more {result} probably costs ",
        "mc_item": "about {value} on {channel} ({pct}: {low}–{high})",
        "roas_intro": "At the current spend, the marginal ROAS ({revenue} from one more unit of "
        "spend) is probably ",
        "roas_item": "about {value} on {channel} ({pct}: {low}–{high})",
        "and": " and ",
        "cannot": "The data cannot tell yet what one more {result} costs on {channel}: {why}.",
        "cannot_roas": "The data cannot tell yet what more spend on {channel} brings in "
        "revenue: {why}.",
        "few_days": "only {days} days with spend ({need} needed)",
        "flat": "its daily spend has hardly varied",
        "no_results": "no {results} in the last {window} days",
        "no_spend": "no spend in the last {days} days",
        "unmeasured": "its exports carry no {results}",
        "wide": "the range is too wide ({low}–{high})",
        "move": "The data suggest moving about {amount} of the remaining budget ({per_day} a "
        "day) from {source} to {target}: one more {result} costs about {mc_from} on {source} "
        "but about {mc_to} on {target}, which would probably add about {gain} {results} by the "
        "flight end.",
        "move_roas": "The data suggest moving about {amount} of the remaining budget ({per_day} "
        "a day) from {source} to {target}: the marginal ROAS{claimed} is about {mc_from} on "
        "{source} against {mc_to} on {target}, which would probably add about {gain} of revenue "
        "by the flight end.",
        "no_move": "; no move between them is clearly better",
        "conflict": "Orders and revenue point different ways ({result} cheaper on {cheap}, more "
        "revenue per unit of spend on {rich}): no move is clearly better.",
        "catch_up": "{Kpi} {is} behind: reaching {target} takes about {required} a day against "
        "about {current} now. At the current marginal cost (about {mc} per extra {result}) that "
        "probably means about {needed} of spend a day instead of {spend_now}{rough}",
        "catch_up_roas": "{Kpi} {is} behind: reaching {target} takes about {required} a day "
        "against about {current} now. At the current marginal ROAS (about {mc}) that probably "
        "means about {needed} of spend a day instead of {spend_now}{rough}",
        "catch_up_blind": "{Kpi} {is} behind: reaching {target} takes about {required} a day "
        "against about {current} now. The data cannot tell the marginal cost yet; at the "
        "average cost it would take at least {needed} of spend a day instead of {spend_now}",
        "rough": " (a rough figure: more than the daily spend seen so far)",
        # a result the plan takes from the shop, where the fitted curves count the platforms'
        "claimed": " (platform-claimed)",
        "revenue": "revenue",
        "revenue_claimed": "platform-claimed revenue",
        "affordable": "; the remaining budget, about {per_day} a day, allows it.",
        "unaffordable": ", more than the remaining budget allows (about {per_day} a day).",
        "no_budget": ".",
        "runs_out": "At about {spend} a day, the {left} left of the budget probably runs out "
        "in about {days} days, around {day}, {early} days before the flight ends.",
        "lasts": "At about {spend} a day, the {left} left of the budget lasts the {days} days "
        "remaining, with about {spare} probably unspent.",
        "lasts_even": "At about {spend} a day, the {left} left of the budget lasts about to the "
        "flight end ({days} days).",
        "runs_out_plan": "Spending as the plan plans at the last 7 days' pace ({pace} of plan), "
        "the {left} left of the budget probably runs out around {day}, {early} days before the "
        "flight ends.",
        "lasts_plan": "Spending as the plan plans at the last 7 days' pace ({pace} of plan), the "
        "{left} left of the budget lasts the {days} days remaining, with about {spare} probably "
        "unspent.",
        "lasts_even_plan": "Spending as the plan plans at the last 7 days' pace ({pace} of plan), "
        "the {left} left of the budget lasts about to the flight end ({days} days).",
        "spent": "The budget is spent: {spent} against {budget}.",
        "idle": "No spend in the last {days} days; {left} of the budget is left.",
        "action": "Backup plan: {action}.",
    },
    "vi": {
        "mc_intro": "Với mức chi hiện tại, thêm một {result} ước tính tốn ",
        "mc_item": "khoảng {value} trên {channel} ({pct}: {low}–{high})",
        "roas_intro": "Với mức chi hiện tại, ROAS biên ({revenue} có thêm từ mỗi đồng chi thêm) "
        "ước tính ",
        "roas_item": "khoảng {value} trên {channel} ({pct}: {low}–{high})",
        "and": " và ",
        "cannot": "Dữ liệu chưa đủ để biết thêm một {result} trên {channel} tốn bao nhiêu: {why}.",
        "cannot_roas": "Dữ liệu chưa đủ để biết chi thêm trên {channel} mang lại bao nhiêu "
        "doanh thu: {why}.",
        "few_days": "mới có {days} ngày có chi tiêu (cần {need} ngày)",
        "flat": "mức chi hằng ngày gần như không đổi",
        "no_results": "chưa có {results} nào trong {window} ngày gần nhất",
        "no_spend": "không có chi tiêu trong {days} ngày gần nhất",
        "unmeasured": "tệp xuất của kênh này không có số liệu {results}",
        "wide": "khoảng ước lượng còn quá rộng ({low}–{high})",
        "move": "Dữ liệu cho thấy nên chuyển khoảng {amount} ngân sách còn lại ({per_day} mỗi "
        "ngày) từ {source} sang {target}: thêm một {result} trên {source} tốn khoảng {mc_from}, "
        "trên {target} chỉ khoảng {mc_to}; như vậy có thể có thêm khoảng {gain} {results} đến "
        "cuối chiến dịch.",
        "move_roas": "Dữ liệu cho thấy nên chuyển khoảng {amount} ngân sách còn lại ({per_day} "
        "mỗi ngày) từ {source} sang {target}: ROAS biên{claimed} trên {source} khoảng {mc_from}, "
        "trên {target} khoảng {mc_to}; như vậy có thể có thêm khoảng {gain} doanh thu đến cuối "
        "chiến dịch.",
        "no_move": "; chưa có lý do rõ ràng để chuyển ngân sách giữa các kênh",
        "conflict": "Đơn hàng và doanh thu cho tín hiệu ngược nhau ({result} rẻ hơn trên "
        "{cheap}, doanh thu trên mỗi đồng chi cao hơn trên {rich}): chưa có phương án chuyển "
        "ngân sách nào rõ ràng tốt hơn.",
        "catch_up": "{Kpi} đang chậm: để đạt {target} cần khoảng {required} mỗi ngày, hiện chỉ "
        "khoảng {current}. Với chi phí biên hiện tại (khoảng {mc} cho mỗi {result} thêm), có lẽ "
        "cần chi khoảng {needed} mỗi ngày thay vì {spend_now}{rough}",
        "catch_up_roas": "{Kpi} đang chậm: để đạt {target} cần khoảng {required} mỗi ngày, hiện "
        "chỉ khoảng {current}. Với ROAS biên hiện tại (khoảng {mc}), có lẽ cần chi khoảng "
        "{needed} mỗi ngày thay vì {spend_now}{rough}",
        "catch_up_blind": "{Kpi} đang chậm: để đạt {target} cần khoảng {required} mỗi ngày, "
        "hiện chỉ khoảng {current}. Dữ liệu chưa đủ để biết chi phí biên; tính theo chi phí "
        "trung bình thì cần chi ít nhất {needed} mỗi ngày thay vì {spend_now}",
        "rough": " (con số ước chừng, cao hơn mức chi mỗi ngày từng thấy)",
        "claimed": " (theo số nền tảng ghi nhận)",
        "revenue": "doanh thu",
        "revenue_claimed": "doanh thu theo số nền tảng ghi nhận",
        "affordable": "; ngân sách còn lại (khoảng {per_day} mỗi ngày) vẫn đủ.",
        "unaffordable": ", vượt mức ngân sách còn lại cho phép (khoảng {per_day} mỗi ngày).",
        "no_budget": ".",
        "runs_out": "Với mức chi khoảng {spend} mỗi ngày, {left} ngân sách còn lại có lẽ sẽ hết "
        "sau khoảng {days} ngày, vào khoảng ngày {day}, sớm {early} ngày so với ngày kết thúc "
        "chiến dịch.",
        "lasts": "Với mức chi khoảng {spend} mỗi ngày, {left} ngân sách còn lại đủ cho {days} "
        "ngày còn lại và có lẽ sẽ dư khoảng {spare}.",
        "lasts_even": "Với mức chi khoảng {spend} mỗi ngày, {left} ngân sách còn lại đủ dùng "
        "đến khoảng cuối chiến dịch ({days} ngày).",
        "runs_out_plan": "Nếu chi theo kế hoạch với tốc độ 7 ngày gần nhất ({pace} kế hoạch), "
        "{left} ngân sách còn lại có lẽ sẽ hết vào khoảng ngày {day}, sớm {early} ngày so với "
        "ngày kết thúc chiến dịch.",
        "lasts_plan": "Nếu chi theo kế hoạch với tốc độ 7 ngày gần nhất ({pace} kế hoạch), "
        "{left} ngân sách còn lại đủ cho {days} ngày còn lại và có lẽ sẽ dư khoảng {spare}.",
        "lasts_even_plan": "Nếu chi theo kế hoạch với tốc độ 7 ngày gần nhất ({pace} kế hoạch), "
        "{left} ngân sách còn lại đủ dùng đến khoảng cuối chiến dịch ({days} ngày).",
        "spent": "Ngân sách đã chi hết: {spent} trên {budget}.",
        "idle": "Không có chi tiêu trong {days} ngày gần nhất; ngân sách còn lại {left}.",
        "action": "Phương án dự phòng: {action}.",
    },
}

# English needs the singular for "one more order"; Vietnamese nouns do not change.
SINGULAR = {"orders": "order", "leads": "lead", "conversions": "conversion"}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _one(kpi: str, language: str) -> str:
    name = name_of(kpi, language)
    return SINGULAR.get(kpi, name) if language == "en" else name


def _entry(response: Response, kpi: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "value": response.marginal_cost,
        "low": response.low,
        "high": response.high,
        "average": response.average_cost,
        "spend_per_day": response.spend_per_day,
        "days": response.days,
        "elasticity": response.elasticity,
        "reason": response.reason,
    }
    if kpi == "revenue":  # cost per unit of revenue reads better as its inverse, marginal ROAS
        entry["roas"] = _inverse(response.marginal_cost)
        entry["roas_low"] = _inverse(response.high)
        entry["roas_high"] = _inverse(response.low)
    return entry


def _inverse(value: float | None) -> float | None:
    return 1.0 / value if value else None


def _daily(rows: pl.DataFrame, keys: list[str], kpi: str, start: date, end: date) -> pl.DataFrame:
    """Spend and result per key and day over start..end (rows outside dropped)."""
    return (
        rows.filter(pl.col("date").is_between(start, end))
        .group_by(*keys, "date")
        .agg(
            pl.col("spend").fill_null(0.0).sum(),
            pl.col(kpi).fill_null(0.0).sum().alias("result"),
            pl.col(kpi).count().alias("measured"),  # rows where the export has the column
        )
        .sort(*keys, "date")
    )


def _fits(
    rows: pl.DataFrame, keys: list[str], kpi: str, as_of: date
) -> dict[tuple[Any, ...], Response]:
    start = as_of - timedelta(WINDOW_DAYS - 1)
    daily = _daily(rows, keys, kpi, start, as_of)
    out: dict[tuple[Any, ...], Response] = {}
    for key, frame in daily.group_by(keys, maintain_order=True):
        name = " · ".join(str(k) for k in key)
        fitted = fit_response(frame.select("date", "spend", "result"), name, as_of=as_of)
        if frame["measured"].sum() == 0:  # not "no orders": its exports cannot say
            fitted = _cannot(
                name,
                fitted.days,
                fitted.spend_per_day,
                None,
                f"its exports carry no {kpi}",
                "unmeasured",
                per_day=None,
            )
        out[tuple(key)] = fitted
    return out


def _cap(expensive: Response, cheap: Response) -> float:
    """The most daily spend a move may shift: ≤ MOVE_CAP of either channel's level, and
    neither channel beyond the daily spend range it was fitted on."""
    assert expensive.seen is not None and cheap.seen is not None
    limits = (
        MOVE_CAP * cheap.spend_per_day,
        MOVE_CAP * expensive.spend_per_day,
        cheap.seen[1] - cheap.spend_per_day,
        expensive.spend_per_day - expensive.seen[0],
    )
    return max(0.0, min(limits))


def _meet(expensive: Response, cheap: Response) -> float:
    """The daily spend to shift so both marginal costs meet (bisection), within ``_cap``."""
    cap = _cap(expensive, cheap)
    s_e, s_c = expensive.spend_per_day, cheap.spend_per_day

    def gap(d: float) -> float:  # falls with d: the expensive gets cheaper, the cheap dearer
        return expensive.marginal_at(s_e - d) - cheap.marginal_at(s_c + d)

    if cap <= 0 or gap(0.0) <= 0:
        return 0.0
    if gap(cap) >= 0:
        return cap
    lo, hi = 0.0, cap
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gap(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def _moves(fits: dict[str, Response], kpi: str, days_remaining: int) -> list[dict[str, Any]]:
    """Pairs (dearest, cheapest), (second dearest, second cheapest)…, each channel once, when
    the intervals do not overlap and the gain is material."""
    known = sorted(
        (r for r in fits.values() if r.marginal_cost is not None),
        key=lambda r: -(r.marginal_cost or 0.0),
    )
    out = []
    for i in range(len(known) // 2):
        expensive, cheap = known[i], known[-1 - i]
        assert expensive.clear is not None and cheap.clear is not None
        if expensive.clear[0] <= cheap.clear[1] or days_remaining <= 0:
            continue  # the intervals overlap: not clearly better
        shift = _meet(expensive, cheap)
        s_e, s_c = expensive.spend_per_day, cheap.spend_per_day
        per_day = (cheap.results_at(s_c + shift) - cheap.results_at(s_c)) - (
            expensive.results_at(s_e) - expensive.results_at(s_e - shift)
        )
        base = expensive.results_at(s_e) + cheap.results_at(s_c)
        gain = per_day * days_remaining
        if per_day < MIN_GAIN * base or (kpi != "revenue" and gain < 1.0):
            continue
        out.append(
            {
                "kind": "move",
                "kpi": kpi,
                "from": expensive.name,
                "to": cheap.name,
                "amount": shift * days_remaining,
                "per_day": shift,
                "gain": gain,
                "marginal_cost": {
                    cheap.name: cheap.marginal_cost,
                    expensive.name: expensive.marginal_cost,
                },
            }
        )
    return out


def _actions(plan: Plan, kpi: str) -> list[str]:
    """The backup actions the plan names for a volume: on the volume itself and on the ratios
    that judge it (a cost per it, such as CPO for orders; a return on it, such as ROAS)."""
    related = {kpi}
    for name, metric in CATALOG.items():
        if not metric.is_ratio:
            continue
        if metric.direction is Direction.LOWER and metric.denominator == kpi:
            related.add(name)
        returns = metric.direction is Direction.HIGHER and metric.denominator == "spend"
        if returns and metric.numerator == kpi:
            related.add(name)
    out: list[str] = []
    for alert in plan.alerts:
        if alert.kpi in related and alert.action and alert.action not in out:
            out.append(alert.action)
    return out


def _spend_actions(plan: Plan) -> list[str]:
    out: list[str] = []
    for alert in plan.alerts:
        if alert.kpi == "spend" and alert.action and alert.action not in out:
            out.append(alert.action)
    return out


def _acted(text: str, actions: list[str], w: dict[str, str]) -> str:
    return text + " " + w["action"].format(action="; ".join(actions)) if actions else text


def _catch_up(
    plan: Plan,
    k: KpiPace,
    fits: dict[str, Response],
    rows: pl.DataFrame,
    as_of: date,
    days_remaining: int,
    budget_per_day: float | None,
) -> dict[str, Any] | None:
    """The daily spend the required rate implies when a volume is behind, scaling every
    channel together along its fitted curve (the result-weighted elasticity b̄ of the
    channels that can tell: spend × (required / current)^(1/b̄))."""
    if k.projection is None or k.required_daily is None or k.projection >= k.target_total:
        return None
    spend_now, claimed_now = _per_day(rows, as_of, "spend", k.name)
    # when the shop's numbers are the truth, the platforms' claims are rescaled to them
    scale = 1.0
    if plan.from_shop(k.name) and k.actual_to_date:
        in_flight = rows.filter(pl.col("date") >= plan.flight.start)
        claimed = float(in_flight[k.name].fill_null(0.0).sum())
        scale = k.actual_to_date / claimed if claimed > 0 else 1.0
    current = claimed_now * scale
    required = k.required_daily
    if spend_now <= 0 or current <= 0 or required <= current:
        return None
    known = [r for r in fits.values() if r.marginal_cost is not None]
    weight = sum(r.results_at(r.spend_per_day) for r in known)
    fitted_spend = sum(r.spend_per_day for r in known)
    elasticity = None
    if known and weight > 0 and fitted_spend >= 0.5 * spend_now:
        elasticity = (
            sum(r.results_at(r.spend_per_day) * (r.elasticity or 0.0) for r in known) / weight
        )
    factor = required / current
    if elasticity:
        needed = spend_now * factor ** (1.0 / elasticity)
        # one more result with every channel raised together, on the channels' own fitted
        # curves (so it lies between their marginal costs, as the table beside it shows)
        marginal = fitted_spend / (weight * elasticity * scale)
    else:  # concave: at least proportionally more spend
        needed, marginal = spend_now * factor, None
    return {
        "kpi": k.name,
        "required_daily": required,
        "current_daily": current,
        "spend_per_day": spend_now,
        "marginal_cost": marginal,
        "elasticity": elasticity,
        "daily_spend_needed": needed,
        "at_least": marginal is None,
        "beyond_seen": needed > _most_spent(rows, as_of),
        "daily_spend_affordable": budget_per_day,
        "affordable": None if budget_per_day is None else needed <= budget_per_day,
    }


def _per_day(rows: pl.DataFrame, as_of: date, *columns: str) -> tuple[float, ...]:
    """The current level of each column: its daily mean over the last LEVEL_DAYS to ``as_of``
    (over fewer when the data start later, ``_covered``), every channel and campaign together."""
    covered = _covered(rows["date"].min(), as_of)  # type: ignore[arg-type]
    recent = rows.filter(pl.col("date") > as_of - timedelta(LEVEL_DAYS))
    sums = recent.select(pl.col(c).fill_null(0.0).sum() for c in columns).row(0)
    return tuple(float(x) / covered for x in sums)


def _most_spent(rows: pl.DataFrame, as_of: date) -> float:
    """The highest total daily spend over the fitted window: beyond it the curves guess."""
    start = as_of - timedelta(WINDOW_DAYS - 1)
    days = (
        rows.filter(pl.col("date").is_between(start, as_of))
        .group_by("date")
        .agg(pl.col("spend").fill_null(0.0).sum())
    )
    return float(days["spend"].max() or 0.0)  # type: ignore[arg-type]


def _runway(
    plan: Plan,
    kpis: list[KpiPace],
    rows: pl.DataFrame,
    as_of: date,
    days_remaining: int,
    planned: pl.DataFrame | None = None,
) -> dict[str, Any] | None:
    """How long the budget left lasts. With the plan's daily spend (``planned``: date, spend)
    the remaining days spend what the plan plans for them at the last 7 days' pace against
    plan, so a quiet week the plan foresees (Tết) is not read as money left over; without it
    (or where the plan planned no spend lately) at the last 7 days' mean."""
    if "spend" not in plan.kpis or days_remaining <= 0:
        return None
    (per_day,) = _per_day(rows, as_of, "spend")
    covered = _covered(rows["date"].min(), as_of)  # type: ignore[arg-type]
    left = plan.kpis["spend"] - _spent(plan, kpis, rows)
    future = [per_day] * days_remaining
    pace = None
    if planned is not None:
        lately = planned.filter(pl.col("date").is_between(as_of - timedelta(covered - 1), as_of))
        ahead = planned.filter(pl.col("date") > as_of).sort("date")["spend"].to_list()
        if float(lately["spend"].sum()) > 0 and len(ahead) == days_remaining:
            pace = per_day * covered / float(lately["spend"].sum())
            future = [v * pace for v in ahead]
    days_left: float | None
    if left <= 0:
        days_left, runs_out = 0.0, as_of
    elif sum(future) <= 0:
        days_left, runs_out = None, None
    else:
        # the day the money runs out on (the first day it cannot be spent whole); running out
        # on the last day is lasting the flight
        days_left, runs_out, spent = None, None, 0.0
        for i, day_spend in enumerate(future):
            if spent + day_spend > left * (1 + 1e-9):
                days_left = i + (left - spent) / day_spend
                runs_out = as_of + timedelta(i + 1) if i < days_remaining - 1 else None
                break
            spent += day_spend
        if days_left is None:  # lasts: the days the rest would buy at the last day's rate
            tail = future[-1] or per_day
            days_left = days_remaining + ((left - spent) / tail if tail > 0 else 0.0)
    return {
        "spend_per_day": per_day,
        "pace": pace,
        "budget_left": left,
        "days_left": days_left,
        "days_remaining": days_remaining,
        "runs_out": runs_out,
        "left_over": left - sum(future),
    }


def _spent(plan: Plan, kpis: list[KpiPace], rows: pl.DataFrame) -> float:
    for k in kpis:
        if k.name == "spend" and k.actual_to_date is not None:
            return k.actual_to_date
    return float(rows.filter(pl.col("date") >= plan.flight.start)["spend"].fill_null(0.0).sum())


def what_now(
    plan: Plan,
    kpis: list[KpiPace],
    rows: pl.DataFrame,
    as_of: date,
    days_remaining: int,
    planned: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Marginal costs per channel (and campaign), budget moves, catch-up spend and runway,
    with sentences in the plan's language. ``rows``: claimed, lag-corrected facts up to
    ``as_of`` (channel, campaign, date, spend and the result columns); ``planned``: the plan's
    daily targets (date, spend…), so the runway follows the plan's remaining shape."""
    rows = rows.filter(pl.col("date") <= as_of)
    language = plan.language
    w, fmt = _words(language), formatter(language, plan.currency)
    present = [c for c in RESULT_SUMS if c in rows.columns and rows[c].null_count() < rows.height]
    # revenue when the plan plans it (as a KPI or through ROAS, CIR…), not when only tracked
    wanted = [result_kpi(plan), "revenue" if "revenue" in volumes_needed(list(plan.kpis)) else None]
    targets = [kpi for kpi in dict.fromkeys(wanted) if kpi in present]

    marginal: dict[str, dict[str, dict[str, Any]]] = {}
    campaigns: dict[str, dict[str, dict[str, Any]]] = {}
    fits: dict[str, dict[str, Response]] = {}
    advice: list[dict[str, Any]] = []
    for kpi in targets:
        by_channel = {str(key[0]): r for key, r in _fits(rows, ["channel"], kpi, as_of).items()}
        fits[kpi] = by_channel
        marginal[kpi] = {name: _entry(r, kpi) for name, r in by_channel.items()}
        campaigns[kpi] = _campaigns(rows, kpi, as_of)
        advice += _moves(by_channel, kpi, days_remaining)
    advice, conflicts = _without_conflicts(advice)

    runway = _runway(plan, kpis, rows, as_of, days_remaining, planned)
    budget_per_day = None
    if runway is not None:
        budget_per_day = max(runway["budget_left"], 0.0) / days_remaining
    catch = []
    for k in kpis:
        if k.name in fits and days_remaining > 0:
            item = _catch_up(plan, k, fits[k.name], rows, as_of, days_remaining, budget_per_day)
            if item is not None:
                catch.append(item)

    texts = _Texts(plan, fmt, w)
    for item in advice:
        item["text"] = texts.move(item)
    for item in catch:
        item["text"] = texts.catch_up(item)
    if runway is not None:
        runway["text"] = texts.runway(runway)

    lines: list[str] = []
    early = runway is not None and (runway["runs_out"] is not None or runway["budget_left"] <= 0)
    if early:
        lines.append(runway["text"])  # type: ignore[index]
    lines += [item["text"] for item in catch]
    lines += [item["text"] for item in advice]
    lines += [texts.conflict(c) for c in conflicts]
    for kpi in targets:
        moved = any(a["kpi"] == kpi for a in advice) or any(kpi in c for c in conflicts)
        lines += texts.marginal(kpi, fits[kpi], moved)
    if runway is not None and not early:
        lines.append(runway["text"])
    return {
        "advice": advice,
        "marginal_costs": marginal,
        "campaigns": campaigns,
        "catch_up": catch,
        "runway": runway,
        "lines": lines,
        "method": METHOD,
    }


def _campaigns(rows: pl.DataFrame, kpi: str, as_of: date) -> dict[str, dict[str, Any]]:
    """Per campaign with at least MIN_DAYS days of spend in the window, the TOP_CAMPAIGNS
    with most recent spend: the same entries as the channels'."""
    if "campaign" not in rows.columns:
        return {}
    start = as_of - timedelta(WINDOW_DAYS - 1)
    recent = rows.filter(pl.col("date").is_between(start, as_of) & (pl.col("spend") > 0))
    ranked = (
        recent.group_by("channel", "campaign")
        .agg(pl.col("date").n_unique().alias("days"), pl.col("spend").sum())
        .filter(pl.col("days") >= MIN_DAYS)
        .sort("spend", "channel", "campaign", descending=[True, False, False])
        .head(TOP_CAMPAIGNS)
    )
    if ranked.is_empty():
        return {}
    chosen = rows.join(ranked.select("channel", "campaign"), on=["channel", "campaign"])
    fits = _fits(chosen, ["channel", "campaign"], kpi, as_of)
    names = [str(campaign) for _, campaign in fits]
    out = {}
    for (channel, campaign), response in fits.items():
        # a campaign name two channels share is told apart by its channel
        key = str(campaign) if names.count(str(campaign)) == 1 else f"{channel} · {campaign}"
        out[key] = {"channel": channel, **_entry(response, kpi)}
    return out


def _without_conflicts(
    advice: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Moves for orders and for revenue that point opposite ways between the same channels
    cancel: neither is clearly better. Returns the moves kept and the conflicts."""
    kept, conflicts = [], []
    for item in advice:
        opposite = [
            other
            for other in advice
            if other["kpi"] != item["kpi"]
            and (other["from"], other["to"]) == (item["to"], item["from"])
        ]
        if not opposite:
            kept.append(item)
        elif item["kpi"] != "revenue":
            conflicts.append({item["kpi"]: item["to"], "revenue": item["from"]})
    return kept, conflicts


@dataclass(frozen=True)
class _Texts:
    """The sentences, in the plan's language, numbers through the Formatter."""

    plan: Plan
    fmt: Formatter
    w: dict[str, str]

    @property
    def language(self) -> str:
        return self.plan.language

    def _claimed(self, kpi: str) -> str:
        """ " (platform-claimed)" for a result the plan takes from the shop: the curves, the
        marginal costs and the moves count what the platforms claim, not the shop's figure."""
        return self.w["claimed"] if self.plan.from_shop(kpi) else ""

    def _result(self, kpi: str) -> str:
        """One result in a marginal-cost sentence: "order", "order (platform-claimed)"."""
        return _one(kpi, self.language) + self._claimed(kpi)

    def _cost(self, kpi: str, value: float | None) -> str:
        # a cost per result is money; per unit of revenue it reads as the return (ROAS)
        if kpi == "revenue":
            return self.fmt.ratio(_inverse(value))
        return self._money(value)

    def _money(self, value: float | None, scale: float | None = None) -> str:
        return self._volume("spend", value, scale)

    def _volume(self, kpi: str, value: float | None, scale: float | None = None) -> str:
        """An estimate in a sentence: money to three significant digits ("₫355,000", not
        "₫355,037"), counts whole from 10 on ("68 a day", "4.5 a day")."""
        if value is None:
            return self.fmt.count(None)
        if CATALOG[kpi].kind == "money":
            return shown(self.fmt, kpi, float(three_significant(value)), scale)
        return self.fmt.count(round(value) if abs(value) >= 10 else round(value, 1))

    def move(self, item: dict[str, Any]) -> str:
        kpi = item["kpi"]
        costs = item["marginal_cost"]
        values = {
            "amount": self._money(item["amount"]),
            "per_day": self._money(item["per_day"]),
            "source": item["from"],
            "target": item["to"],
            "mc_from": self._cost(kpi, costs[item["from"]]),
            "mc_to": self._cost(kpi, costs[item["to"]]),
            "gain": self._volume(kpi, item["gain"]),
            "result": self._result(kpi),
            "results": name_of(kpi, self.language),
            "claimed": self._claimed(kpi),
        }
        return self.w["move_roas" if kpi == "revenue" else "move"].format(**values)

    def conflict(self, conflict: dict[str, str]) -> str:
        kpi = next(k for k in conflict if k != "revenue")
        return self.w["conflict"].format(
            result=name_of(kpi, self.language), cheap=conflict[kpi], rich=conflict["revenue"]
        )

    def marginal(self, kpi: str, fits: dict[str, Response], moved: bool) -> list[str]:
        """One sentence with every channel that can tell (saying no move is clearly better
        when two or more can and none was proposed); one per channel that cannot."""
        w, fmt = self.w, self.fmt
        pct = fmt.percent(0.8, digits=0)
        known = [r for r in fits.values() if r.marginal_cost is not None]
        out = []
        if known:
            item, intro = (
                ("roas_item", "roas_intro") if kpi == "revenue" else ("mc_item", "mc_intro")
            )
            parts = []
            for r in sorted(known, key=lambda r: r.marginal_cost or 0.0):
                low, high = (r.high, r.low) if kpi == "revenue" else (r.low, r.high)
                parts.append(
                    w[item].format(
                        value=self._cost(kpi, r.marginal_cost),
                        channel=r.name,
                        pct=pct,
                        low=self._cost(kpi, low),
                        high=self._cost(kpi, high),
                    )
                )
            joined = ", ".join(parts[:-1]) + w["and"] + parts[-1] if len(parts) > 1 else parts[0]
            # two or more that can tell and no move between them: say so in the same sentence
            tail = w["no_move"] if len(known) >= 2 and not moved else ""
            revenue = w["revenue_claimed" if self._claimed(kpi) else "revenue"]
            out.append(
                w[intro].format(result=self._result(kpi), revenue=revenue) + joined + tail + "."
            )
        for r in fits.values():
            if r.marginal_cost is None:
                key = "cannot_roas" if kpi == "revenue" else "cannot"
                why = self._why(kpi, r)
                out.append(w[key].format(result=self._result(kpi), channel=r.name, why=why))
        return out

    def _why(self, kpi: str, r: Response) -> str:
        w = self.w
        code = r.reason_code or "few_days"
        if code == "wide":
            low, high = (r.high, r.low) if kpi == "revenue" else (r.low, r.high)
            return w["wide"].format(low=self._cost(kpi, low), high=self._cost(kpi, high))
        return w[code].format(
            days=r.days if code == "few_days" else LEVEL_DAYS,
            need=MIN_DAYS,
            results=name_of(kpi, self.language),
            window=WINDOW_DAYS,
        )

    def catch_up(self, item: dict[str, Any]) -> str:
        kpi, w, fmt = item["kpi"], self.w, self.fmt
        k_values = {
            **verbs(kpi),
            # what the catch-up compares is the paced figure: "Orders (shop, net) are behind"
            "Kpi": name_of(kpi, self.language, start=True, truth=self.plan.truth),
            "target": shown(fmt, kpi, self.plan.kpis[kpi]),
            "required": self._volume(kpi, item["required_daily"]),
            "current": self._volume(kpi, item["current_daily"]),
            "needed": self._money(item["daily_spend_needed"]),
            "spend_now": self._money(item["spend_per_day"]),
            "result": _one(kpi, self.language),
            "rough": w["rough"] if item["beyond_seen"] else "",
        }
        if item["marginal_cost"] is None:
            text = w["catch_up_blind"].format(**k_values)
        else:
            template = "catch_up_roas" if kpi == "revenue" else "catch_up"
            text = w[template].format(**k_values, mc=self._cost(kpi, item["marginal_cost"]))
        per_day = self._money(item["daily_spend_affordable"])
        if item["affordable"] is None:
            text += w["no_budget"]
        else:
            text += w["affordable" if item["affordable"] else "unaffordable"].format(
                per_day=per_day
            )
        return _acted(text, _actions(self.plan, kpi), w)

    def runway(self, runway: dict[str, Any]) -> str:
        w, fmt = self.w, self.fmt
        budget = self.plan.kpis["spend"]
        if runway["budget_left"] <= 0:
            text = w["spent"].format(
                spent=self._money(budget - runway["budget_left"]), budget=self._money(budget)
            )
            return _acted(text, _spend_actions(self.plan), w)
        values = {
            "spend": self._money(runway["spend_per_day"]),
            "left": self._money(runway["budget_left"]),
        }
        if runway["days_left"] is None:
            return w["idle"].format(days=LEVEL_DAYS, left=values["left"])
        shaped = "_plan" if runway.get("pace") is not None else ""
        values["pace"] = fmt.percent(runway.get("pace"), digits=0)
        if runway["runs_out"] is not None:
            days_left = runway["days_left"]
            text = w["runs_out" + shaped].format(
                **values,
                days=fmt.count(round(days_left, 1) if days_left < 10 else round(days_left)),
                day=fmt.date(runway["runs_out"]),
                early=runway["days_remaining"] - math.ceil(days_left),
            )
            return _acted(text, _spend_actions(self.plan), w)
        spare = runway["left_over"]
        if spare <= 0.05 * runway["budget_left"]:
            return w["lasts_even" + shaped].format(**values, days=runway["days_remaining"])
        return w["lasts" + shaped].format(
            **values, days=runway["days_remaining"], spare=self._money(spare, runway["budget_left"])
        )
