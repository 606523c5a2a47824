"""Numbers, money, percentages and dates for people, through Babel, in one place.

Every renderer formats through a ``Formatter`` so the terminal and the files agree.
No value is always shown as ``—``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates
from babel import numbers as babel_numbers

NO_VALUE = "—"

# The locale a currency's marketers read by default (a plan `locale:` will override).
CURRENCY_LOCALES = {"VND": "vi_VN", "USD": "en_US", "EUR": "en_IE", "GBP": "en_GB"}

# Dates with a four-digit year in the order each locale reads (22/11/2026, 22 Nov 2026).
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def locale_for(currency: str) -> str:
    return CURRENCY_LOCALES.get(currency, "en_US")


@dataclass(frozen=True)
class Formatter:
    currency: str
    locale: str

    @classmethod
    def for_currency(cls, currency: str | None) -> Formatter:
        return cls(currency or "", locale_for(currency or ""))

    def money(self, value: float | None, compact: bool = False) -> str:
        if value is None:
            return NO_VALUE
        if not self.currency:  # unknown currency: an amount without a sign
            return babel_numbers.format_decimal(value, format="#,##0.##", locale=self.locale)
        if compact and abs(value) >= 1_000_000:
            return babel_numbers.format_compact_currency(
                value, self.currency, locale=self.locale, fraction_digits=1
            )
        return babel_numbers.format_currency(value, self.currency, locale=self.locale)

    def count(self, value: float | None, compact: bool = False) -> str:
        if value is None:
            return NO_VALUE
        if compact and abs(value) >= 100_000:
            return babel_numbers.format_compact_decimal(
                value, locale=self.locale, fraction_digits=1
            )
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

    def value(self, kind: str, value: float | None, compact: bool = False) -> str:
        """Format by metric kind: money | count | ratio | percent."""
        if kind == "money":
            return self.money(value, compact)
        if kind == "percent":
            return self.percent(value, digits=2)
        if kind == "ratio":
            return self.ratio(value)
        return self.count(value, compact)

    def date(self, value: date | None) -> str:
        if value is None:
            return NO_VALUE
        pattern = DATE_PATTERNS.get(self.locale.split("_")[0], "yyyy-MM-dd")
        return babel_dates.format_date(value, format=pattern, locale=self.locale)
