"""The answer first: a verdict line and three to five sentences written from the numbers, in the
report's language (English or Vietnamese), most severe first.

For each KPI not on track, one sentence says where it lands at flight end against its target,
since when it has been at this status or worse (the cumulative pace day by day, with pacing's
own status rules), where the gap sits when the data can tell (the campaign driving a ratio's
gap, the campaign whose volume fell most this week) and the backup action the plan names for it.
Then what is on plan. Templated sentences, numbers through ``Formatter``; no external service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from perfmkt import pacing
from perfmkt.alerts import Alert
from perfmkt.campaigns import weekly_drops
from perfmkt.format import Formatter
from perfmkt.i18n import LOCALES, kpi_label, labels
from perfmkt.metrics import CATALOG, MEASURES, VOLUMES, Direction, total, with_metrics
from perfmkt.plan import Plan

# Worst first: the verdict takes the first status any KPI has.
SEVERITY = ("off_track", "overspend", "at_risk", "on_track", "no_data")
# A KPI "at this status or worse", for the run that tells since when.
AT_LEAST = {
    "off_track": {"off_track"},
    "overspend": {"overspend"},
    "at_risk": {"at_risk", "off_track"},
}
MAX_SENTENCES = 5
MIN_SENTENCES = 3
# Delivery has stopped when a planned volume is 0 on at least this many days up to the as-of
# day while the plan expected some (for a count at least STALL_UNITS over those days: with a
# Poisson count, zero where 3 were expected happens by chance 5 % of the time).
STALL_DAYS = 3
STALL_UNITS = 3.0

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "others": "Other campaigns",
        "all_campaigns": "All campaigns",
        "unnamed_campaign": "(no campaign name in the export)",
        "day": "day {day} of {total}",
        "verdict_volume": "{status} — {kpi} at {pace} of plan",
        "verdict_unplanned": "{status} — {kpi} {actual} where the plan has none to date",
        "verdict_ratio": "{status} — {kpi} {actual} vs {expected} planned to date",
        "verdict_no_result": "{status} — {kpi}: money spent and no {result}",
        "verdict_all_on": "{status} — every KPI on plan",
        "verdict_warning": "{status} to date — {warning}",
        "verdict_none": "{status}",
        "warn_stall": "no {kpi} for {days} days",
        "warn_short": "{kpi} heading for {pct} of target",
        "warn_budget": "spend heading for {pct} of budget",
        "stall": "No {kpi} for {days} days (last on {last}) while the plan expected {planned}",
        "stall_never": "No {kpi} since the flight started ({days} days) while the plan expected "
        "{planned}",
        "stall_spent": "{spent} spent meanwhile",
        "short": "{Kpi} {is} on plan to date, but at this pace {it} {ends} near {projection}, "
        "{pct} short of {target}.",
        "short_budget": "Spend is on plan to date, but at this pace it ends near {projection}, "
        "{pct} under the {target} budget.",
        "over_budget": "Spend is on plan to date, but at this pace it ends near {projection}, "
        "{pct} over the {target} budget.",
        "lands_short": "At this pace {kpi} {ends} near {projection}, {gap} short of {target}",
        "lands_above": "{Kpi} {is} at {pace} of plan to date, though at this pace {it} {ends} "
        "near {projection}, above {target}",
        "lands_over_budget": "At this pace spend ends near {projection}, {gap} over the "
        "{target} budget",
        "lands_under_budget": "At this pace spend ends near {projection}, {gap} under the "
        "{target} budget",
        "pace_only": "{Kpi} {is} at {pace} of plan to date",
        "ratio": "{Kpi} is {actual}, {pct} {side} the {target} target, and heads for "
        "{projection} at flight end",
        "ratio_now": "{Kpi} is {actual}, {pct} {side} the {target} target",
        "above": "above",
        "below": "below",
        "no_result": "{Kpi} has no value: {spend} spent and no {result} yet",
        "since": "{status} since {day}",
        "since_start": "{status} since the first day",
        "driver": "“{campaign}” accounts for {share} of the gap",
        "driver_all": "all of the gap is in “{campaign}”",
        "driver_claimed": "“{campaign}” has the largest share of the gap, by the platforms' "
        "own numbers",
        "drop": "{kpi} fell most in “{campaign}”, down {drop} on the same days last week",
        "channel_behind": "furthest behind: channel {channel}, {gap} short of its own plan to date",
        "action": "Backup plan: {action}.",
        "on_plan_one": "{Kpi} {is} on plan: {actual} against {expected} expected to date ({pace}).",
        "on_plan_many": "{kpis} are on plan.",
        "and": " and ",
        "also": "Also {status}: {kpis}.",
        "needed_volume": "To reach {target}, {kpi} {needs} {needed} a day for the remaining "
        "{days} days, against {current} a day over the last {window} days.",
        "needed_ratio": "To land on the {target} target, {kpi} must average {needed} for the "
        "rest of the flight.",
        "out_of_reach": "The {target} target for {kpi} is out of reach for the rest of the flight.",
        "all_on": "Every KPI is on plan after {day} of {total} days.",
        "projects": "At this pace {kpi} {ends} near {projection} against a target of {target}.",
        "budget": "Spend is {actual} of the {target} budget, heading for {projection}.",
        "no_data_kpis": "No data yet for {kpis}.",
        "not_started": "The flight starts on {start}: no data to pace yet.",
        "nothing_claimed": "No claimed data between {start} and {as_of}: check that the exports "
        "cover the flight and that the channels' campaign patterns match.",
        "claimed_note": "Campaign results are what the platforms claim; the report's {kpis} "
        "come from the shop's own data.",
        "off_track": "off track",
        "at_risk": "at risk",
        "overspend": "overspending",
    },
    "vi": {
        "others": "Chiến dịch khác",
        "all_campaigns": "Tất cả chiến dịch",
        "unnamed_campaign": "(tệp không có tên chiến dịch)",
        "day": "ngày {day}/{total}",
        "verdict_volume": "{status} — {kpi} đạt {pace} kế hoạch",
        "verdict_unplanned": "{status} — {kpi} {actual} khi kế hoạch đến nay là 0",
        "verdict_ratio": "{status} — {kpi} {actual} so với kế hoạch {expected} đến nay",
        "verdict_no_result": "{status} — {kpi}: đã chi tiền nhưng chưa có {result}",
        "verdict_all_on": "{status} — mọi chỉ số đều đúng kế hoạch",
        "verdict_warning": "{status} đến nay — {warning}",
        "verdict_none": "{status}",
        "warn_stall": "không có {kpi} trong {days} ngày qua",
        "warn_short": "{kpi} dự kiến chỉ đạt {pct} mục tiêu",
        "warn_budget": "chi phí dự kiến {pct} ngân sách",
        "stall": "Không có {kpi} trong {days} ngày qua (lần cuối ngày {last}), trong khi kế "
        "hoạch dự kiến {planned}",
        "stall_never": "Không có {kpi} từ đầu chiến dịch ({days} ngày), trong khi kế hoạch dự "
        "kiến {planned}",
        "stall_spent": "vẫn chi {spent} trong thời gian này",
        "short": "{Kpi} đúng kế hoạch đến nay, nhưng với tốc độ hiện tại cuối chiến dịch chỉ "
        "đạt khoảng {projection}, thiếu {pct} so với mục tiêu {target}.",
        "short_budget": "Chi phí đúng kế hoạch đến nay, nhưng với tốc độ hiện tại cuối chiến "
        "dịch chỉ vào khoảng {projection}, thấp hơn {pct} so với ngân sách {target}.",
        "over_budget": "Chi phí đúng kế hoạch đến nay, nhưng với tốc độ hiện tại cuối chiến "
        "dịch sẽ vào khoảng {projection}, vượt {pct} so với ngân sách {target}.",
        "lands_short": "Với tốc độ hiện tại, {kpi} cuối chiến dịch sẽ đạt khoảng {projection}, "
        "thiếu {gap} so với mục tiêu {target}",
        "lands_above": "{Kpi} mới đạt {pace} kế hoạch đến nay, dù với tốc độ hiện tại sẽ về "
        "khoảng {projection}, vượt mục tiêu {target}",
        "lands_over_budget": "Với tốc độ hiện tại, chi phí cuối chiến dịch sẽ vào khoảng "
        "{projection}, vượt {gap} so với ngân sách {target}",
        "lands_under_budget": "Với tốc độ hiện tại, chi phí cuối chiến dịch sẽ vào khoảng "
        "{projection}, thấp hơn {gap} so với ngân sách {target}",
        "pace_only": "{Kpi} mới đạt {pace} kế hoạch đến nay",
        "ratio": "{Kpi} đang ở mức {actual}, {side} {pct} so với mục tiêu {target}, dự kiến "
        "{projection} khi kết thúc chiến dịch",
        "ratio_now": "{Kpi} đang ở mức {actual}, {side} {pct} so với mục tiêu {target}",
        "above": "cao hơn",
        "below": "thấp hơn",
        "no_result": "{Kpi} chưa có giá trị: đã chi {spend} nhưng chưa có {result}",
        "since": "{status} từ {day}",
        "since_start": "{status} từ ngày đầu tiên",
        "driver": "“{campaign}” chiếm {share} phần chênh lệch",
        "driver_all": "toàn bộ chênh lệch nằm ở “{campaign}”",
        "driver_claimed": "“{campaign}” chiếm phần chênh lệch lớn nhất (theo số nền tảng ghi nhận)",
        "drop": "{kpi} giảm mạnh nhất ở “{campaign}”, ít hơn {drop} so với cùng kỳ tuần trước",
        "channel_behind": "chậm nhất: kênh {channel}, thiếu {gap} so với kế hoạch riêng đến nay",
        "action": "Phương án dự phòng: {action}.",
        "on_plan_one": "{Kpi} đúng kế hoạch: {actual} so với {expected} dự kiến đến nay ({pace}).",
        "on_plan_many": "{kpis} đều đúng kế hoạch.",
        "and": " và ",
        "also": "Ngoài ra {status}: {kpis}.",
        "needed_volume": "Để đạt {target}, {kpi} cần {needed} mỗi ngày trong {days} ngày còn "
        "lại, so với {current} mỗi ngày trong {window} ngày gần nhất.",
        "needed_ratio": "Để đạt mục tiêu {target}, {kpi} cần ở mức trung bình {needed} trong "
        "phần còn lại của chiến dịch.",
        "out_of_reach": "Mục tiêu {target} của {kpi} không còn đạt được trong phần còn lại của "
        "chiến dịch.",
        "all_on": "Mọi chỉ số đều đúng kế hoạch tính đến ngày {day}/{total}.",
        "projects": "Với tốc độ hiện tại, {kpi} cuối chiến dịch sẽ đạt khoảng {projection}, so "
        "với mục tiêu {target}.",
        "budget": "Đã chi {actual} trên ngân sách {target}, dự kiến cả chiến dịch {projection}.",
        "no_data_kpis": "Chưa có dữ liệu cho {kpis}.",
        "not_started": "Chiến dịch bắt đầu ngày {start}: chưa có dữ liệu để theo dõi tiến độ.",
        "nothing_claimed": "Không có dữ liệu thuộc chiến dịch từ {start} đến {as_of}: kiểm tra "
        "tệp xuất có phủ thời gian chạy và mẫu tên chiến dịch của các kênh.",
        "claimed_note": "Kết quả theo chiến dịch là số nền tảng ghi nhận; {kpis} của báo cáo "
        "lấy từ dữ liệu của shop.",
        "off_track": "chậm tiến độ",
        "at_risk": "có rủi ro",
        "overspend": "vượt ngân sách",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def verbs(kpi: str) -> dict[str, str]:
    """English agreement for a KPI as a sentence's subject: "revenue ends", "orders end"."""
    plural = CATALOG[kpi].label.endswith("s")
    if plural:
        return {"is": "are", "ends": "end", "it": "they", "needs": "need"}
    return {"is": "is", "ends": "ends", "it": "it", "needs": "needs"}


def others_label(language: str) -> tuple[str, str, str]:
    """The names of the campaign table's "others" row, of its total, and of a campaign its
    export does not name."""
    w = words(language)
    return w["others"], w["all_campaigns"], w["unnamed_campaign"]


def formatter(language: str, currency: str) -> Formatter:
    return Formatter(currency, LOCALES.get(language, "en_US"))


def name_of(
    kpi: str, language: str, start: bool = False, truth: Mapping[str, str] | None = None
) -> str:
    """A KPI's name inside a sentence: "revenue", "doanh thu", "CPO"; capitalised at the start.
    With the plan's ``truth``, a KPI from the shop says which figure: "orders (shop, net)"."""
    label = kpi_label(kpi, CATALOG[kpi].label, language)
    if start:
        label = label[:1].upper() + label[1:]
    elif not label[1:2].isupper():
        label = label[:1].lower() + label[1:]
    source = pacing.truth_of(kpi, truth) if truth else None
    return f"{label} ({labels(language)[f'truth_{source}']})" if source else label


@dataclass(frozen=True)
class Voice:
    """How the summary speaks: the report's ``language``, its words (``w``) and number formats
    (``fmt``), and the plan's ``truth``, so a KPI from the shop is named with its figure."""

    language: str
    w: dict[str, str]
    fmt: Formatter
    truth: Mapping[str, str] | None = None

    @classmethod
    def of(cls, language: str, currency: str, truth: Mapping[str, str] | None = None) -> Voice:
        return cls(language, words(language), formatter(language, currency), truth)

    def name(self, kpi: str, start: bool = False) -> str:
        """``name_of`` in this voice: "orders (shop, net)" when they come from the shop."""
        return name_of(kpi, self.language, start, self.truth)


def shown(fmt: Formatter, kpi: str, value: float | None, scale: float | None = None) -> str:
    """A KPI value in a sentence: from a million on compact ("2,09 tỷ ₫", "1,2 tr"), below it
    whole ("352.916 ₫"; "317 orders": a projected count's fraction is not news); ratios and
    percents as the tables show them. ``scale``: the largest number of the same sentence, so
    that "941K, 259K short of 1.2M" reads in one unit rather than "940,825, … of 1.2M"."""
    kind = CATALOG[kpi].kind
    if value is None or kind not in ("money", "count"):
        return fmt.value(kind, value)
    big = max(abs(value), abs(scale or 0.0))
    if big >= 1_000_000 and abs(value) >= 1000:
        return fmt.money_compact(value) if kind == "money" else fmt.count_compact(value)
    if kind == "money":  # cents of a CPC matter, those of a CPO of IDR61,030 do not
        return fmt.money_whole(value) if abs(value) >= 1000 else fmt.money(value)
    return fmt.count(round(value) if abs(value) >= 100 else value)


def _rank(status: str) -> int:
    return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)


def _severity_key(kpis: list[pacing.KpiPace]) -> Any:
    """Worst first: status, then the lowest pace (no pace after every pace), then plan order.
    The verdict's KPI and the summary's order agree."""
    order = {k.name: i for i, k in enumerate(kpis)}
    return lambda k: (
        _rank(k.status),
        k.pace is None,
        k.pace if k.pace is not None else 0.0,
        order[k.name],
    )


def _worst(kpis: list[pacing.KpiPace]) -> pacing.KpiPace | None:
    """The KPI that sets the verdict: the most severe (``_severity_key``)."""
    return min(kpis, key=_severity_key(kpis)) if kpis else None


@dataclass(frozen=True)
class Stall:
    """A planned volume with no delivery over the last ``days`` days up to the as-of day."""

    kpi: str
    days: int
    last: date | None  # the last day it had some; None: none since the flight started
    planned: float  # what the plan expected over those days
    spent: float  # spend over those days (money still going out for no result)


@dataclass(frozen=True)
class Warnings:
    """What pace to date hides: delivery that stopped, and volumes on pace to date whose
    projection lands below the at-risk band of their target (spend: outside its budget band).
    Statuses stay pacing's; these add sentences (severity at least at risk) and name the first
    problem in an on-track verdict."""

    stalls: list[Stall]
    short: list[pacing.KpiPace]


def stalls(plan: Plan, actuals: pl.DataFrame, targets: pl.DataFrame, as_of: date) -> list[Stall]:
    """Planned volumes at 0 on the last ``STALL_DAYS`` or more days up to ``as_of`` while the
    plan expected some over them. Spend first: when spend stopped, nothing else is news."""
    frame = actuals.filter(pl.col("date") <= as_of).sort("date")
    planned = [
        k
        for k in plan.kpis
        if not CATALOG[k].is_ratio and k in targets.columns and k in frame.columns
    ]
    planned.sort(key=lambda k: k != "spend")  # spend first, then plan order
    out: list[Stall] = []
    for k in planned:
        values = frame[k]
        if values.null_count() == values.len():  # no export carries it
            continue
        delivered = (values.fill_null(0.0) > 0).to_list()
        silent = next((i for i, d in enumerate(reversed(delivered)) if d), len(delivered))
        if silent < STALL_DAYS:
            continue
        days = frame["date"].tail(silent)
        expected = float(targets.filter(pl.col("date").is_in(days.implode()))[k].sum())
        enough = expected > 0 if CATALOG[k].kind == "money" else expected >= STALL_UNITS
        if not enough:
            continue
        last = frame["date"][len(delivered) - silent - 1] if silent < len(delivered) else None
        spent = float(frame["spend"].tail(silent).fill_null(0.0).sum())
        out.append(Stall(k, silent, last, expected, spent))
        if k == "spend":
            break
    return out


def short_landings(
    kpis: list[pacing.KpiPace], bands: Any, covered: set[str] | None = None
) -> list[pacing.KpiPace]:
    """Volumes on track to date whose projection lands below the at-risk band of their target
    (``projection_pace < bands.at_risk``), or for spend above the overspend band."""
    out = []
    for k in kpis:
        metric = CATALOG[k.name]
        if k.status != "on_track" or metric.is_ratio or k.projection_pace is None:
            continue
        if k.name in (covered or set()):
            continue
        over = metric.direction is Direction.BUDGET and k.projection_pace > bands.overspend
        if k.projection_pace < bands.at_risk or over:
            out.append(k)
    return out


def warnings_of(
    plan: Plan,
    kpis: list[pacing.KpiPace],
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
) -> Warnings:
    stopped = stalls(plan, actuals, targets, as_of)
    bands = pacing.bands_now(plan, as_of)
    return Warnings(stopped, short_landings(kpis, bands, {s.kpi for s in stopped}))


def _warning_clause(warnings: Warnings, v: Voice) -> str | None:
    """The first warning in a few words, for an on-track verdict."""
    if warnings.stalls:
        stall = warnings.stalls[0]
        return v.w["warn_stall"].format(kpi=v.name(stall.kpi), days=stall.days)
    if warnings.short:
        k = warnings.short[0]
        pct = v.fmt.pace(k.projection_pace)
        if CATALOG[k.name].direction is Direction.BUDGET:
            return v.w["warn_budget"].format(pct=pct)
        return v.w["warn_short"].format(kpi=v.name(k.name), pct=pct)
    return None


def severity_of(verdict: dict[str, Any], summary: list[dict[str, Any]]) -> str:
    """The colour the answer is shown in: the most severe of the verdict's status and its
    sentences, so an on-track verdict that leads with stopped delivery is not green."""
    return min([verdict["status"], *(s["severity"] for s in summary)], key=_rank)


def verdict_of(
    kpis: list[pacing.KpiPace],
    days: Any,
    language: str,
    currency: str,
    warnings: Warnings | None = None,
    truth: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``report.verdict``: the worst status, the KPI that sets it, its pace and one line.

    The status is always the KPI statuses' worst (pace to date). When it is on track but the
    summary warns (delivery stopped, a projection short of target), the line says "on track to
    date" and names the first warning instead of "every KPI on plan"; a worse status keeps its
    KPI's line and the summary's first sentence tells the rest. ``truth``: the plan's, so a KPI
    from the shop is named with its figure ("orders (shop, net)")."""
    v = Voice.of(language, currency, truth)
    w, fmt = v.w, v.fmt
    status_words = labels(language)
    worst = _worst(kpis)
    status = worst.status if worst is not None else "no_data"
    day = w["day"].format(day=days.days_elapsed, total=days.days_total)
    head = status_words.get(status, status)
    if worst is None or status == "no_data":
        text = w["verdict_none"].format(status=head)
        kpi, pace = None, None
    else:
        kpi, pace = worst.name, worst.pace
        name = v.name(worst.name)
        metric = CATALOG[worst.name]
        warning = _warning_clause(warnings, v) if warnings else None
        if status == "on_track" and warning:
            text = w["verdict_warning"].format(status=head, warning=warning)
        elif status == "on_track":
            text = w["verdict_all_on"].format(status=head)
        elif worst.pace is None and metric.is_ratio:
            result = name_of(metric.denominator or "", language) if metric.denominator else ""
            text = w["verdict_no_result"].format(status=head, kpi=name, result=result)
        elif metric.is_ratio:
            text = w["verdict_ratio"].format(
                status=head,
                kpi=name,
                actual=shown(fmt, worst.name, worst.actual_to_date),
                expected=shown(fmt, worst.name, worst.expected_to_date),
            )
        elif worst.pace is None:  # a volume with actuals where nothing was planned yet
            actual = shown(fmt, worst.name, worst.actual_to_date)
            text = w["verdict_unplanned"].format(status=head, kpi=name, actual=actual)
        else:
            text = w["verdict_volume"].format(status=head, kpi=name, pace=fmt.pace(worst.pace))
    return {
        "status": status,
        "kpi": kpi,
        "pace": pace,
        "day": days.days_elapsed,
        "days_total": days.days_total,
        "text": f"{text} · {day}",
    }


def since_when(
    plan: Plan,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    statuses: dict[str, str],
) -> dict[str, date]:
    """For each KPI whose status is at risk or worse: the first day of the current unbroken run
    of days whose cumulative pace (flight start to that day, against the cumulative target, with
    the bands in force that day) had this status or worse."""
    wanted = [k for k, s in statuses.items() if s in AT_LEAST]
    if not wanted or actuals.is_empty():
        return {}
    cum = actuals.select("date", *[pl.col(v).cum_sum() for v in VOLUMES])
    cum = with_metrics(cum.lazy(), wanted, plan.margin).collect()
    planned = [v for v in VOLUMES if f"{v}_cum" in targets.columns]
    expected = targets.select("date", *[pl.col(f"{v}_cum").alias(f"{v}_exp") for v in planned])
    table = cum.join(expected, on="date", how="left").sort("date", descending=True)
    since: dict[str, date] = {}
    running = set(wanted)
    for row in table.iter_rows(named=True):
        if not running:
            break
        bands = pacing.bands_now(plan, row["date"])
        volumes = {v: row[v] for v in VOLUMES}
        planned_now = {v: row[f"{v}_exp"] for v in planned}
        for k in list(running):
            if CATALOG[k].is_ratio:
                exp = pacing.ratio_target(plan, k, planned_now)
            else:
                exp = planned_now.get(k)
            status = pacing.status_of(k, row[k], exp, bands, volumes)
            if status in AT_LEAST[statuses[k]]:
                since[k] = row["date"]
            else:
                running.discard(k)
    return since


def _lands(k: pacing.KpiPace, v: Voice, spent: float | None) -> str:
    """Where a KPI not on track lands at flight end against its target, and the chance that it
    reaches the target after all (perfmkt.forecast)."""
    text = _landing(k, v, spent)
    if k.chance is None:
        return text
    budget = CATALOG[k.name].direction is Direction.BUDGET
    chance = labels(v.language)["chance_budget_of" if budget else "chance_of"]  # the cards'
    return f"{text} ({chance.format(pct=v.fmt.chance(k.chance))})"


def _landing(k: pacing.KpiPace, v: Voice, spent: float | None) -> str:
    w, fmt, language = v.w, v.fmt, v.language
    metric = CATALOG[k.name]
    name, title = v.name(k.name), v.name(k.name, start=True)
    target = shown(fmt, k.name, k.target_total)
    if metric.is_ratio:
        if k.actual_to_date is None:
            result = name_of(metric.denominator or "spend", language)
            return w["no_result"].format(Kpi=title, spend=shown(fmt, "spend", spent), result=result)
        gap = k.actual_to_date / k.target_total - 1 if k.target_total else None
        side = w["above"] if (gap or 0) > 0 else w["below"]
        pct = fmt.percent(abs(gap), digits=0) if gap is not None else fmt.percent(None)
        template = "ratio" if k.projection is not None else "ratio_now"
        return w[template].format(
            Kpi=title,
            actual=shown(fmt, k.name, k.actual_to_date),
            target=target,
            pct=pct,
            side=side,
            projection=shown(fmt, k.name, k.projection),
        )
    if k.projection is None:
        return w["pace_only"].format(Kpi=title, pace=fmt.pace(k.pace), **verbs(k.name))
    gap = k.projection - k.target_total
    scale = max(abs(k.projection), abs(k.target_total))  # one unit for the sentence's numbers
    projection, target = shown(fmt, k.name, k.projection, scale), shown(fmt, k.name, k.target_total)
    if metric.direction is Direction.BUDGET:
        template = "lands_over_budget" if gap > 0 else "lands_under_budget"
        return w[template].format(
            projection=projection, gap=shown(fmt, k.name, abs(gap), scale), target=target
        )
    if gap >= 0:
        return w["lands_above"].format(
            **verbs(k.name), Kpi=title, pace=fmt.pace(k.pace), projection=projection, target=target
        )
    return w["lands_short"].format(
        **verbs(k.name),
        kpi=name,
        projection=projection,
        gap=shown(fmt, k.name, -gap, scale),
        target=target,
    )


def _where(
    k: pacing.KpiPace, plan: Plan, v: Voice, campaigns: dict[str, Any], sums: pl.DataFrame
) -> tuple[str | None, str | None]:
    """(clause, scope): the campaign a KPI's gap sits in, when the data says so."""
    w, fmt = v.w, v.fmt
    metric = CATALOG[k.name]
    from_shop = {v for v in plan.truth if plan.from_shop(v)}
    if metric.is_ratio:
        mine = [d for d in campaigns.get("drivers", []) if d["kpi"] == k.name]
        if not mine:
            return None, None
        top = mine[0]
        if {metric.numerator, metric.denominator} & from_shop:
            # the KPI counts the shop's orders, the campaigns what platforms claim: name it only
            return w["driver_claimed"].format(campaign=top["campaign"]), top["campaign"]
        if top["share"] >= 0.995:  # "100 %" of the gap: one campaign holds it
            return w["driver_all"].format(campaign=top["campaign"]), top["campaign"]
        share = fmt.percent(top["share"], digits=0)
        return w["driver"].format(campaign=top["campaign"], share=share), top["campaign"]
    if k.name not in MEASURES or k.name in from_shop or metric.direction is Direction.BUDGET:
        return None, None
    this, last = f"{k.name}_this", f"{k.name}_last"
    if this not in sums.columns:
        return None, None
    before, now = sums[last].sum(), sums[this].sum()
    if not before or now >= before:  # the KPI did not fall this week: no drop to point at
        return None, None
    drops = weekly_drops(sums, k.name)
    if drops.is_empty():
        return None, None
    top = drops.row(0, named=True)
    clause = w["drop"].format(
        kpi=v.name(k.name),
        campaign=top["name"],
        drop=shown(fmt, k.name, top["drop"]),
    )
    return clause, top["name"]


def _behind_channel(
    k: pacing.KpiPace, channels: list[dict[str, Any]], v: Voice
) -> tuple[str | None, str | None]:
    """(clause, scope): for a volume, the channel furthest behind its own target for it, when
    channels have targets of their own (``channels: {x: {kpis: …}}``) and one is behind."""
    metric = CATALOG[k.name]
    if metric.is_ratio or metric.direction is Direction.BUDGET:
        return None, None
    behind = []
    for channel in channels:
        for own in channel.get("kpis", []):
            if own.name != k.name or own.status not in AT_LEAST:
                continue
            if own.expected_to_date is None or own.actual_to_date is None:
                continue
            gap = own.expected_to_date - own.actual_to_date
            if gap > 0:
                behind.append((gap, channel["name"]))
    if not behind:
        return None, None
    gap, name = max(behind, key=lambda b: (b[0], b[1]))
    clause = v.w["channel_behind"].format(
        channel=name, gap=shown(v.fmt, k.name, gap), kpi=v.name(k.name)
    )
    return clause, name


def _join(names: list[str], w: dict[str, str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + w["and"] + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def summarize(
    plan: Plan,
    kpis: list[pacing.KpiPace],
    days: Any,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    alerts: list[Alert],
    campaigns: dict[str, Any],
    campaign_sums: pl.DataFrame,
    as_of: date,
    channels: list[dict[str, Any]] | None = None,
    warnings: Warnings | None = None,
) -> list[dict[str, Any]]:
    """``report.summary``: 3–5 sentences (fewer only when there is nothing more to say: no data
    yet). Delivery that stopped leads; then the KPIs not on track and the volumes on pace to
    date that land short, most severe first; what the worst of them needs; what is on plan.
    ``warnings``: ``warnings_of`` (computed here when not given)."""
    language = plan.language
    v = Voice.of(language, plan.currency, plan.truth)
    w, fmt = v.w, v.fmt
    if warnings is None:
        warnings = warnings_of(plan, kpis, actuals, targets, as_of)
    troubled = [k for k in kpis if k.status in AT_LEAST]
    on_plan = [k for k in kpis if k.status == "on_track"]
    no_data = [k for k in kpis if k.status == "no_data"]
    if not troubled and not on_plan:
        if days.days_elapsed == 0:
            text = w["not_started"].format(start=fmt.date(plan.flight.start))
        else:
            text = w["nothing_claimed"].format(
                start=fmt.date(plan.flight.start), as_of=fmt.date(as_of)
            )
        return [{"severity": "no_data", "kpi": None, "scope": None, "text": text}]

    stalled = {stall.kpi for stall in warnings.stalls}
    short = [k for k in warnings.short if k.name not in stalled]
    flagged = stalled | {k.name for k in short}
    troubled = [k for k in troubled if k.name not in stalled]
    on_plan = [k for k in on_plan if k.name not in flagged]
    since = since_when(plan, actuals, targets, {k.name: k.status for k in troubled})
    spent = total(actuals.filter(pl.col("date") <= as_of)["spend"])
    actions: dict[str, list[str]] = {}
    for alert in alerts:
        if alert.action and alert.action not in actions.get(alert.kpi, []):
            actions.setdefault(alert.kpi, []).append(alert.action)

    def acted(text: str, kpi: str) -> str:
        if kpi in actions:
            return text + " " + w["action"].format(action="; ".join(actions[kpi]))
        return text

    by_name = {k.name: k for k in kpis}
    warned: list[dict[str, Any]] = []  # delivery stopped: first, whatever else is wrong
    for stall in warnings.stalls:
        k = by_name[stall.kpi]
        text = _stall(stall, k, v, spent) + "."
        severity = min((k.status, "at_risk"), key=_rank)
        warned.append(
            {"severity": severity, "kpi": k.name, "scope": None, "text": acted(text, k.name)}
        )
    ranked: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    key = _severity_key(kpis)
    for k in troubled:
        parts = [_lands(k, v, spent)]
        day = since.get(k.name)
        if day is not None:
            template = "since_start" if day == plan.flight.start else "since"
            parts.append(w[template].format(status=w[k.status], day=fmt.day_month(day)))
        clause, scope = _behind_channel(k, channels or [], v)
        if clause is None:
            clause, scope = _where(k, plan, v, campaigns, campaign_sums)
        if clause:
            parts.append(clause)
        text = acted("; ".join(parts) + ".", k.name)
        item = {"severity": k.status, "kpi": k.name, "scope": scope, "text": text}
        ranked.append(((_rank(k.status), 0, key(k)), item))
    for k in short:  # on track to date: after the KPIs at risk, before what is on plan
        item = {
            "severity": "at_risk",
            "kpi": k.name,
            "scope": None,
            "text": _short(k, v),
        }
        ranked.append(((_rank("at_risk"), 1, key(k)), item))
    warned += [item for _, item in sorted(ranked, key=lambda r: r[0])]

    room = MAX_SENTENCES - (1 if on_plan else 0)
    items = list(warned) if len(warned) <= room else warned[: room - 1]
    rest = warned[len(items) :]
    if rest:
        names = _join([v.name(r["kpi"]) for r in rest], w)
        items.append(
            {
                "severity": rest[0]["severity"],
                "kpi": None,
                "scope": None,
                "text": w["also"].format(status=w[rest[0]["severity"]], kpis=names),
            }
        )
    if not warned:  # every KPI with data is on plan: say so once, then where they land
        text = w["all_on"].format(day=days.days_elapsed, total=days.days_total)
        items.append({"severity": "on_track", "kpi": None, "scope": None, "text": text})
    # Short of three sentences: what the flight needs (before what is on plan), or where it lands.
    worried = [by_name[r["kpi"]] for r in warned if r["kpi"] is not None]
    room_left = MIN_SENTENCES - len(items) - (1 if warned and on_plan else 0)
    # the recent daily rate, the one the projection carries forward (not the flight average)
    window = min(plan.projection.window_days, days.days_elapsed)
    recent_days = actuals.filter(pl.col("date") <= as_of).tail(window)
    recent = {
        k.name: float(recent_days[k.name].fill_null(0.0).sum()) / window
        for k in worried
        if window and k.name in recent_days.columns
    }
    context = _context(kpis, worried, days, v, recent, window)
    items += context[: max(0, room_left)]
    if warned and on_plan:
        items.append(_on_plan(on_plan, v))
    if no_data and len(items) < MAX_SENTENCES:
        names = _join([v.name(k.name) for k in no_data], w)
        items.append(
            {
                "severity": "no_data",
                "kpi": no_data[0].name if len(no_data) == 1 else None,
                "scope": None,
                "text": w["no_data_kpis"].format(kpis=names),
            }
        )
    return items[:MAX_SENTENCES]


def _lower(text: str) -> str:
    """A sentence's start inside another sentence: "At this pace" -> "at this pace"; "CPO" stays."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _stall(stall: Stall, k: pacing.KpiPace, v: Voice, spent: float | None) -> str:
    """Delivery stopped: for how long, what the plan expected meanwhile, and where the KPI lands."""
    w, fmt = v.w, v.fmt
    name = v.name(stall.kpi)
    planned = shown(fmt, stall.kpi, stall.planned)
    if stall.last is None:
        text = w["stall_never"].format(kpi=name, days=stall.days, planned=planned)
    else:
        last = fmt.date(stall.last)
        text = w["stall"].format(kpi=name, days=stall.days, last=last, planned=planned)
    if stall.kpi != "spend" and stall.spent > 0:
        text += "; " + w["stall_spent"].format(spent=shown(fmt, "spend", stall.spent))
    return text + "; " + _lower(_lands(k, v, spent))


def _short(k: pacing.KpiPace, v: Voice) -> str:
    """On plan to date, but the projection lands short of the target (or outside the budget)."""
    w, fmt = v.w, v.fmt
    assert k.projection is not None and k.projection_pace is not None
    scale = max(abs(k.projection), abs(k.target_total))
    values = {
        "projection": shown(fmt, k.name, k.projection, scale),
        "target": shown(fmt, k.name, k.target_total),
        "pct": fmt.pace(abs(1 - k.projection_pace)),
    }
    if CATALOG[k.name].direction is Direction.BUDGET:
        template = "over_budget" if k.projection_pace > 1 else "short_budget"
        return w[template].format(**values)
    return w["short"].format(**values, **verbs(k.name), Kpi=v.name(k.name, start=True))


def _on_plan(on_plan: list[pacing.KpiPace], v: Voice) -> dict[str, Any]:
    """One sentence for everything on plan: the numbers when it is one KPI."""
    w, fmt = v.w, v.fmt
    if len(on_plan) == 1:
        k = on_plan[0]
        text = w["on_plan_one"].format(
            **verbs(k.name),
            Kpi=v.name(k.name, start=True),
            actual=shown(fmt, k.name, k.actual_to_date),
            expected=shown(fmt, k.name, k.expected_to_date),
            pace=fmt.pace(k.pace),
        )
        return {"severity": "on_track", "kpi": k.name, "scope": None, "text": text}
    names = _join([v.name(k.name) for k in on_plan], w)
    return {
        "severity": "on_track",
        "kpi": None,
        "scope": None,
        "text": w["on_plan_many"].format(kpis=_capital(names)),
    }


def _context(
    kpis: list[pacing.KpiPace],
    troubled: list[pacing.KpiPace],
    days: Any,
    v: Voice,
    recent: dict[str, float],
    window: int,
) -> list[dict[str, Any]]:
    """Sentences that fill a short summary: what the KPIs in trouble need for the rest of the
    flight (a volume against its ``recent`` daily rate over the last ``window`` days); when
    that says nothing, where the main result and spend land (those not in trouble)."""
    w, fmt = v.w, v.fmt
    out: list[dict[str, Any]] = []
    for k in troubled:
        name, metric = v.name(k.name), CATALOG[k.name]
        severity = k.status if k.status in AT_LEAST else "at_risk"  # on track, but warned
        target = shown(fmt, k.name, k.target_total)
        if metric.direction is Direction.BUDGET or not days.days_remaining:
            continue
        if metric.is_ratio:
            if k.required_daily is None:
                text = w["out_of_reach"].format(target=target, kpi=name)
            else:
                needed = shown(fmt, k.name, k.required_daily)
                text = w["needed_ratio"].format(target=target, kpi=name, needed=needed)
        else:
            if k.name not in recent:
                continue
            text = w["needed_volume"].format(
                **verbs(k.name),
                target=target,
                kpi=name,
                needed=shown(fmt, k.name, k.required_daily),
                days=days.days_remaining,
                current=shown(fmt, k.name, recent[k.name]),
                window=window,
            )
        out.append({"severity": severity, "kpi": k.name, "scope": None, "text": text})
    if out:
        return out
    worried = {k.name for k in troubled}
    volumes = [
        k
        for k in kpis
        if k.projection is not None and not CATALOG[k.name].is_ratio and k.name not in worried
    ]
    results = [k for k in volumes if CATALOG[k.name].direction is not Direction.BUDGET]
    budget = [k for k in volumes if CATALOG[k.name].direction is Direction.BUDGET]
    # the main result, then the budget, then the other results
    for k in [*results[:1], *budget, *results[1:]]:
        if CATALOG[k.name].direction is Direction.BUDGET:
            text = w["budget"].format(
                actual=shown(fmt, k.name, k.actual_to_date),
                target=shown(fmt, k.name, k.target_total),
                projection=shown(fmt, k.name, k.projection),
            )
        else:
            text = w["projects"].format(
                **verbs(k.name),
                kpi=v.name(k.name),
                projection=shown(fmt, k.name, k.projection),
                target=shown(fmt, k.name, k.target_total),
            )
        out.append({"severity": "on_track", "kpi": k.name, "scope": None, "text": text})
    return out


def claimed_note(plan: Plan, campaigns: dict[str, Any]) -> str | None:
    """When the report's result or value KPI comes from the shop (``truth:``), the campaign
    table still counts what platforms claim: say so."""
    mine = [campaigns.get("result"), campaigns.get("value")]
    from_shop = [k for k in mine if k and plan.from_shop(k)]
    if not from_shop:
        return None
    names = _join([name_of(k, plan.language) for k in from_shop], words(plan.language))
    return words(plan.language)["claimed_note"].format(kpis=names)
