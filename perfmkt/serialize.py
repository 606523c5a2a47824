"""Plain JSON-ready data from report objects: dates as ISO strings, no value as None; and the
one place numbers are rounded to what they mean before they leave in JSON, CSV or history.

Rounding, by what a number is (the metric catalog's ``kind``):

- money: to the currency's minor unit (VND 0 decimals, USD 2, KWD 3), half up;
- counts: as given — whole counts stay whole, an expected 1416.666… keeps 6 significant digits;
- ratios, percents, paces, shares, rates: 6 significant digits.

No number ever loses an integer digit (12,345,678 impressions stay 12345678), so identical runs
give byte-identical files and no ``99.99999999999996`` reaches a reader.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

SIGNIFICANT = 6

# Fields that are ratios whatever metric they belong to (a cost's pace is not money).
RATIO_FIELDS = frozenset(
    {
        "pace",
        "projection_pace",
        "change",
        "spend_share",
        "share",
        "threshold",
        "gap",
        "sds",
        "platforms_per_shop",
        "agency_fee_rate",
        "vat_rate",
        "roi_media",
        "roi_all_in",
        "cir_media",
        "cir_all_in",
        "fx",  # exchange rates
        "weekday_weights",
        "chance",  # probabilities and shares of results already in
        "maturity",
        "elasticity",
    }
)
# Amounts outside the metric catalog (the all-in cost block).
MONEY_FIELDS = frozenset({"media", "agency_fee", "vat", "fixed", "all_in", "fixed_total"})


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN never leaves as a number
        return None
    return value


@lru_cache(maxsize=32)
def minor_digits(currency: str) -> int:
    """Decimals of a currency's minor unit (VND 0, USD 2, KWD 3); 2 for an unknown code."""
    from babel.numbers import get_currency_precision

    try:
        return int(get_currency_precision(currency.upper()))
    except Exception:  # Babel answers 2 for unknown codes; a broken locale DB should not crash
        return 2


def significant(value: float, digits: int = SIGNIFICANT) -> float:
    """``value`` to ``digits`` significant digits, never dropping an integer digit."""
    if value == 0 or not math.isfinite(value):
        return 0.0 if value == 0 else value
    places = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, max(places, 0))
    return rounded + 0.0  # no -0.0


def money(value: float, currency: str) -> float | int:
    """``value`` to the currency's minor unit, half up (2.675 USD -> 2.68), as an int for
    currencies without decimals."""
    digits = minor_digits(currency)
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if digits == 0:
        return int(exact)
    return float(exact) + 0.0


def round_number(value: Any, kind: str, currency: str) -> Any:
    """One number rounded for its kind (``money``, ``count``, ``ratio``, ``percent``, ``pace``).
    Anything that is not a finite float (None, ints, strings, NaN) is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
        return value
    if kind == "money":
        return money(value, currency)
    rounded = significant(value)
    if kind == "count" and rounded.is_integer():
        return int(rounded)
    return rounded


def _metric_kind(name: Any) -> str | None:
    from perfmkt.metrics import CATALOG

    metric = CATALOG.get(name) if isinstance(name, str) else None
    return metric.kind if metric is not None else None


def _campaigns(block: dict[str, Any], currency: str) -> dict[str, Any]:
    """The campaign breakdown's numbers by what each is: spend, cost per result, value and an
    excess of money are money; the result counts as its KPI does; shares, ROAS and changes are
    ratios. A driver's excess is in its ratio's numerator unit (CPO: spend, ROAS: revenue)."""
    from perfmkt.metrics import CATALOG

    result = _metric_kind(block.get("result")) or "count"
    kinds = {
        "spend": "money",
        "cost_per_result": "money",
        "value": "money",
        "result": result,
        "roas": "ratio",
    }

    def row(item: dict[str, Any]) -> dict[str, Any]:
        return {
            k: rounded(v, currency, kinds.get(k, "ratio"), locked=True) for k, v in item.items()
        }

    def driver(item: dict[str, Any]) -> dict[str, Any]:
        metric = CATALOG.get(item.get("kpi", ""))
        unit = _metric_kind(metric.numerator) if metric is not None else None
        return {
            k: round_number(v, (unit or "ratio") if k == "excess" else "ratio", currency)
            for k, v in item.items()
        }

    out = dict(block)
    out["rows"] = [row(r) for r in block.get("rows", [])]
    if isinstance(block.get("total"), dict):
        out["total"] = row(block["total"])
    out["drivers"] = [driver(d) for d in block.get("drivers", [])]
    return out


def _cost_kind(kpi: Any) -> str:
    """The unit of "cost of one more ``kpi``": money per order or lead, a ratio per unit of
    revenue (spend per ₫ of revenue)."""
    return "ratio" if _metric_kind(kpi) == "money" else "money"


ADVICE_MONEY = frozenset(
    {"spend_per_day", "budget_left", "amount", "daily_spend_needed", "daily_spend_affordable"}
)
ADVICE_COSTS = frozenset({"value", "low", "high", "average", "marginal_cost"})


def _advice_item(entry: Any, kpi: Any, currency: str) -> Any:
    """One entry of the advice (see ``perfmkt.advice``): spend levels, budgets and amounts are
    money; a marginal or average cost is money per result (a ratio per unit of revenue);
    results and gains count as their KPI does; days, ROAS and elasticities are ratios."""
    if not isinstance(entry, dict):
        return rounded(entry, currency)
    kpi = entry.get("kpi", kpi)
    out = {}
    for key, v in entry.items():
        if key in ADVICE_MONEY:
            kind = "money"
        elif key in ADVICE_COSTS:
            kind = _cost_kind(kpi)
        elif key in ("gain", "required_daily"):
            kind = _metric_kind(kpi) or "count"
        else:
            kind = "ratio"
        out[key] = rounded(v, currency, kind, locked=True)
    return out


def _what_now(block: dict[str, Any], currency: str) -> dict[str, Any]:
    """``what_now``'s numbers, entry by entry (``_advice_item``)."""
    out = dict(block)
    for key in ("marginal_costs", "campaigns"):
        out[key] = {
            kpi: {name: _advice_item(entry, kpi, currency) for name, entry in per.items()}
            for kpi, per in (block.get(key) or {}).items()
        }
    out["catch_up"] = [_advice_item(e, None, currency) for e in block.get("catch_up") or []]
    if isinstance(block.get("runway"), dict):
        out["runway"] = _advice_item(block["runway"], "spend", currency)
    return out


def rounded(value: Any, currency: str, kind: str = "ratio", locked: bool = False) -> Any:
    """JSON-ready data with every number rounded for what it means: a key naming a catalog
    metric (``spend``, ``cpo``…) or a record naming one (``{"name": "cpo", …}``, an alert's
    ``kpi``) gives its numbers the metric's kind; ratio fields (``pace``, ``change``…) stay
    ratios inside any of them."""
    if isinstance(value, dict):
        owner = _metric_kind(value.get("name")) or _metric_kind(value.get("kpi"))
        here = kind if locked or owner is None else owner
        out = {}
        for key, item in value.items():
            if locked:
                out[key] = rounded(item, currency, kind, True)
            elif key == "campaigns" and isinstance(item, dict) and "rows" in item:
                out[key] = _campaigns(item, currency)
            elif key == "what_now" and isinstance(item, dict):
                out[key] = _what_now(item, currency)
            elif key == "advice" and isinstance(item, list):
                out[key] = [_advice_item(a, None, currency) for a in item]
            elif key in RATIO_FIELDS:
                out[key] = rounded(item, currency, "ratio", True)
            elif key in MONEY_FIELDS:
                out[key] = rounded(item, currency, "money")
            elif (metric := _metric_kind(key)) is not None:
                out[key] = rounded(item, currency, metric)
            else:
                out[key] = rounded(item, currency, here)
        return out
    if isinstance(value, list | tuple):
        return [rounded(v, currency, kind, locked) for v in value]
    return round_number(value, kind, currency)


NEUTRALISE = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting with ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return gets a leading ``'`` (numbers are written as numbers, so a
    negative amount is never touched)."""
    return "'" + text if text.startswith(NEUTRALISE) else text


def csv_cell(value: Any, kind: str | None = None, currency: str = "") -> str:
    """One CSV cell: no value empty, dates ISO, numbers rounded for their ``kind`` (as they
    are without one) and whole numbers without ``.0``, text inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | int):
        number = round_number(value, kind, currency) if kind and isinstance(value, float) else value
        if isinstance(number, float):
            if not math.isfinite(number):
                return ""
            if number.is_integer() and abs(number) < 2**53:
                return str(int(number))
        return repr(number)
    return csv_text(str(value))
