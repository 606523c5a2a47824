"""Numbers, money, percentages and dates for people, through Babel, in one place.

Every renderer formats through a ``Formatter`` so the terminal and the files agree.
No value is always shown as ``—``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

NO_VALUE = "—"

# The locale a currency's marketers read by default (a plan `locale:` will override).
CURRENCY_LOCALES = {"VND": "vi_VN", "USD": "en_US", "EUR": "en_IE", "GBP": "en_GB"}

# Dates with a four-digit year in the order each locale reads (22/11/2026, 22 Nov 2026).
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


# Compact units as Vietnamese business writing abbreviates them (nghìn, triệu, tỷ, nghìn tỷ):
# CLDR's "Tr" and "T" read as odd capitals, and its "T" (tỷ) is easily taken for "triệu".
VI_UNITS = ((10**12, "nghìn\u00a0tỷ"), (10**9, "tỷ"), (10**6, "tr"), (10**3, "nghìn"))
# Number, unit and currency sign are joined by a no-break space, as Babel joins "352.916 ₫":
# a table cell or a sentence never wraps "613" away from "tr ₫".
NBSP = "\u00a0"
COMPACT_DIGITS = 3  # significant digits of a compact number: 2,09 tỷ · 613 tr · $1.2M


def three_significant(value: float, digits: int = COMPACT_DIGITS) -> Decimal:
    """``value`` to ``digits`` significant digits, half up (613,015,915 -> 613,000,000;
    999,999 -> 1,000,000, so it reads "1 tr", never "1.000 N")."""
    exact = Decimal(repr(float(value)))
    if exact == 0:
        return exact
    step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def locale_for(currency: str) -> str:
    return CURRENCY_LOCALES.get(currency, "en_US")


@dataclass(frozen=True)
class Formatter:
    currency: str
    locale: str

    @classmethod
    def for_currency(cls, currency: str | None) -> Formatter:
        return cls(currency or "", locale_for(currency or ""))

    def money(self, value: float | None) -> str:
        if value is None:
            return NO_VALUE
        if not self.currency:  # unknown currency: an amount without a sign
            return babel_numbers.format_decimal(value, format="#,##0.##", locale=self.locale)
        return babel_numbers.format_currency(value, self.currency, locale=self.locale)

    def money_whole(self, value: float | None) -> str:
        """Money rounded to the unit, in the locale's own currency pattern: a sentence says
        "IDR61,030" or "61.030 IDR", not "IDR61,030.08" (vi "352.916 ₫" as ``money``)."""
        if value is None:
            return NO_VALUE
        unit = Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if not self.currency:
            return babel_numbers.format_decimal(unit, format="#,##0", locale=self.locale)
        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        whole = re.sub(r"\.0+", "", pattern)  # "¤#,##0.00" -> "¤#,##0"
        return babel_numbers.format_currency(
            unit, self.currency, format=whole, locale=self.locale, currency_digits=False
        )

    def money_compact(self, value: float | None) -> str:
        """Money in three significant digits where space is short: vi "2,09 tỷ ₫", "613 tr ₫",
        "45,6 nghìn ₫"; en "$1.2M", "$613K", "₫2.09B". Amounts under 1,000 as ``money`` shows them.
        """
        if value is None:
            return NO_VALUE
        if abs(value) < 1000:
            return self.money(value)
        if not self.currency:
            return self.count_compact(value)
        rounded = three_significant(value)
        if self._language == "vi":
            symbol = babel_numbers.get_currency_symbol(self.currency, locale=self.locale)
            return f"{self._vi_compact(rounded)}{NBSP}{symbol}"
        return babel_numbers.format_compact_currency(
            rounded, self.currency, locale=self.locale, fraction_digits=COMPACT_DIGITS - 1
        )

    def count_compact(self, value: float | None) -> str:
        """A count in three significant digits: vi "45,6 nghìn", "613 tr", "2,09 tỷ"; en "45.6K",
        "613M", "2.09B". Under 1,000 as ``count`` shows it."""
        if value is None:
            return NO_VALUE
        if abs(value) < 1000:
            return self.count(value)
        rounded = three_significant(value)
        if self._language == "vi":
            return self._vi_compact(rounded)
        return babel_numbers.format_compact_decimal(
            rounded, locale=self.locale, fraction_digits=COMPACT_DIGITS - 1
        )

    @property
    def _language(self) -> str:
        return self.locale.split("_")[0]

    def _vi_compact(self, rounded: Decimal) -> str:
        size = abs(rounded)
        unit, word = next(((u, w) for u, w in VI_UNITS if size >= u), (1, ""))
        number = babel_numbers.format_decimal(rounded / unit, format="#,##0.##", locale=self.locale)
        return f"{number}{NBSP}{word}" if word else number

    def day_month(self, value: date | None) -> str:
        """A day within the flight, short: vi "12/01", en "12 Jan"."""
        if value is None:
            return NO_VALUE
        pattern = "dd/MM" if self._language == "vi" else "d MMM"
        return babel_dates.format_date(value, format=pattern, locale=self.locale)

    def count(self, value: float | None) -> str:
        if value is None:
            return NO_VALUE
        # Google reports fractional conversions (data-driven attribution): keep one decimal.
        return babel_numbers.format_decimal(value, format="#,##0.#", locale=self.locale)

    def ratio(self, value: float | None) -> str:
        if value is None:
            return NO_VALUE
        return babel_numbers.format_decimal(value, format="#,##0.00", locale=self.locale)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return NO_VALUE
        pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return babel_numbers.format_percent(value, format=pattern, locale=self.locale)

    def pace(self, value: float | None) -> str:
        return self.percent(value, digits=0)

    def signed(self, change: float | None) -> str:
        """A change as "+12%" / "−6%" (a real minus sign), whole percent; "0%" when it rounds
        to nothing; no value as "—"."""
        if change is None:
            return self.pace(None)
        text = self.pace(abs(change))
        if round(change * 100) == 0:
            return text
        return ("+" if change > 0 else "\u2212") + text

    def chance(self, value: float | None) -> str:
        """A probability in whole percent, never shown as certain: a simulated 0 or 100 %
        reads "< 1 %" or "> 99 %" (what was not simulated can still happen)."""
        if value is None:
            return NO_VALUE
        whole = int(Decimal(repr(float(value) * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if whole <= 0:
            return "< " + self.percent(0.01, digits=0)
        if whole >= 100:
            return "> " + self.percent(0.99, digits=0)
        return self.percent(whole / 100, digits=0)

    def value(self, kind: str, value: float | None, compact: bool = False) -> str:
        """Format by metric kind: money | count | ratio | percent. ``compact``: where space is
        short (tables, cards, the terminal) — money in three significant digits only where that
        is shorter than the whole amount ("2,09 tỷ ₫" but "313.613 ₫", never "314 nghìn ₫";
        small amounts keep their cents), counts from 10,000 ("45,6 nghìn")."""
        if kind == "money":
            if not compact or value is None or abs(value) < 1_000:
                return self.money(value)
            whole, short = self.money_whole(value), self.money_compact(value)
            return whole if len(whole) <= len(short) + 1 else short
        if kind == "percent":
            return self.percent(value, digits=2)
        if kind == "ratio":
            return self.ratio(value)
        if compact and value is not None and abs(value) >= 10_000:
            return self.count_compact(value)
        return self.count(value)

    def maturity(self, value: float) -> str:
        """A day's share of its eventual results in so far, whole percent rounded down: 98.9 %
        reads "98%", never the "99%" the "still arriving" mark (below 99 %) would contradict."""
        return self.percent(math.floor(value * 100 + 1e-9) / 100, digits=0)

    def planned(self, kind: str, value: float | None, compact: bool = False) -> str:
        """A value the plan derives (a target, the expected-to-date, a projection, what is
        needed, a gap): counts from 100 whole (1.417 orders, not 1.416,7); smaller ones keep
        their decimal, where rounding would change what the reader computes (7 of 4,3 orders
        is 163 %, "7 / 4" is not). Otherwise as ``value``."""
        if kind == "count" and value is not None and abs(value) >= 100:
            value = round(value)
        return self.value(kind, value, compact)

    def date(self, value: date | None) -> str:
        if value is None:
            return NO_VALUE
        pattern = DATE_PATTERNS.get(self.locale.split("_")[0], "yyyy-MM-dd")
        return babel_dates.format_date(value, format=pattern, locale=self.locale)
