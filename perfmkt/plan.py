"""The campaign plan: YAML in, a typed and validated ``Plan`` out.

Problems are reported with the YAML line and key path (``plan.yaml:12: timeline[1].orders: …``)
so a marketer can fix the file without reading Python. Reading the file and its YAML (size,
encoding, aliases, duplicate keys, the line of each key) is ``perfmkt.plan_yaml``'s; this module
says what the keys mean.
"""

from __future__ import annotations

import codecs
import difflib
import glob
import math
import os
import re
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from perfmkt.errors import PlanError
from perfmkt.metrics import CATALOG, DEFAULT_KPIS, MEASURES, RATIOS, VOLUMES
from perfmkt.plan_yaml import (
    PLAUSIBLE_YEARS,
    Loc,
    line_of,
    loc_text,
    raise_problems,
    read_plan,
    year_problem,
)
from perfmkt.sources.base import (
    EXCLUDED_STATUSES,
    LOOKBACK_DAYS,
    TEXT_FIELDS,
    ChannelFilter,
    QueryOptions,
    ReadOptions,
    ShopOptions,
    SourceOptions,
    WarehouseOptions,
)


def _plausible(value: date) -> date:
    problem = year_problem(value.year, value.isoformat())
    if problem:
        raise ValueError(problem)
    return value


# A date anywhere in a plan: the year check also catches quoted dates, which YAML leaves as text.
PlanDate = Annotated[date, AfterValidator(_plausible)]


class Strict(BaseModel):
    # A typo such as `kpi:` for `kpis:` must fail, not be ignored; so must .inf and .nan.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Flight(Strict):
    start: PlanDate
    end: PlanDate

    @model_validator(mode="after")
    def _ordered(self) -> Flight:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


AD_FIELDS = ("date", *TEXT_FIELDS)
# The platforms perfmkt reads by their header; other names come from a source's columns: map.
AD_PLATFORMS = ("google_ads", "meta", "tiktok", "microsoft_ads", "linkedin")
# A maturity curve longer than this is a typo, not a lag (platforms settle within weeks).
MAX_LAG_DAYS = 90
SHOP_FIELDS = {
    "orders": (
        "order_id",
        "date",
        "revenue",
        "status",
        "source",
        "new_customer",
        "currency",
        "refund",  # the amount refunded: taken off the order's net revenue
        "payment",  # the payment method: cash on delivery is recognised
    ),
    "leads": ("lead_id", "date", "source", "stage"),
}


class Sql(Strict):
    uri: str = Field(description="postgresql://… or duckdb:///file.duckdb; $VARS are expanded")
    query: str = Field(description="returns daily rows: date, platform, campaign, spend, …")


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # an environment variable's name

# The warehouses perfmkt writes queries for (sqlglot's dialect names), and the one a
# connection URI's scheme implies.
WAREHOUSE_DIALECTS = ("postgres", "duckdb", "bigquery", "snowflake", "clickhouse", "trino")
URI_DIALECTS = {d: d for d in WAREHOUSE_DIALECTS} | {"postgresql": "postgres"}


class Warehouse(Strict):
    """A warehouse table perfmkt queries itself, summing it to campaign-days where it lives:
    the flight's days, the channels' platforms, accounts and campaign patterns are pushed down
    (see perfmkt.sources.warehouse_sql)."""

    connection: str = Field(
        description="the name of the environment variable holding the connection URI "
        "(postgresql://…, duckdb:///file.duckdb, bigquery://…, snowflake://…, clickhouse://…, "
        "trino://…), e.g. WAREHOUSE_URL: a URI written in a plan or a crontab leaks its password",
    )
    table: str = Field(
        pattern=r"^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+){0,2}$",
        description="the table, optionally with its schema (and catalog or project), e.g. "
        "analytics.ad_reporting__campaign_report",
    )
    layout: Literal["ad_reporting", "facts"] = Field(
        "ad_reporting",
        description="ad_reporting: the ad_reporting__campaign_report table Fivetran's "
        "dbt_ad_reporting package builds (date_day, platform, account_name, campaign_id, "
        "campaign_name, spend, impressions, clicks, conversions, conversions_value; "
        "conversions are orders, leads and conversions, conversions_value revenue and "
        "conversion_value, as in a Google Ads export; facebook_ads reads as meta, tiktok_ads as "
        "tiktok, linkedin_ads as linkedin). facts: a table with perfmkt's own fact names (date, "
        "platform, account, campaign, campaign_id, currency, spend, impressions, reach, clicks, "
        "conversions, conversion_value, leads, orders, revenue, video_views), each read if "
        'present. The source\'s columns: map overrides any field (field: column; "" leaves it '
        "out)",
    )
    dialect: Literal[WAREHOUSE_DIALECTS] | None = Field(  # type: ignore[valid-type]
        None, description="the SQL dialect to write (default: from the URI's scheme)"
    )
    platforms: dict[str, str] = Field(
        default_factory=dict,
        description="the table's platform value -> perfmkt's platform name, added to (or "
        "overriding) the layout's, e.g. {Google Ads: google_ads}",
    )

    @field_validator("connection")
    @classmethod
    def _variable(cls, value: str) -> str:
        if not ENV_NAME.fullmatch(value):
            # Never echoed when it looks like a URI: it may hold a password, and errors go to
            # cron logs.
            shown = "a URI" if "://" in value or "@" in value else repr(value)
            raise ValueError(
                f"{shown} is not an environment variable's name: name the variable that holds "
                "the URI (e.g. WAREHOUSE_URL, without $), never the URI itself"
            )
        return value


class Source(Strict):
    path: str | None = Field(None, description="path or glob, relative to the plan file")
    sql: Sql | None = Field(None, description="a query run where the data lives")
    warehouse: Warehouse | None = Field(
        None, description="a warehouse table perfmkt queries as campaign-days"
    )
    kind: Literal["ads", "orders", "leads"] = Field(
        "ads", description="ad-platform export, or the shop's own orders / CRM leads"
    )
    revenue: Literal["total", "subtotal"] = Field(
        "total",
        description="order revenue: Shopify's Total or Subtotal; Shopify Analytics' Total sales "
        "or Net sales (marketplace exports: the order's value)",
    )
    exclude_statuses: list[str] = Field(
        default_factory=lambda: list(EXCLUDED_STATUSES),
        description="order statuses left out (compared case-insensitively)",
    )
    platform: str | None = Field(
        None, description="force the reader (google_ads, meta, tiktok, microsoft_ads, linkedin)"
    )
    number_format: Literal["1,234.56", "1.234,56"] | None = Field(
        None, description="for files where no number shows it (e.g. only 1.234)"
    )
    date_order: Literal["day_first", "month_first"] | None = Field(
        None, description="for 01/03/2026-style dates when no day after the 12th shows it"
    )
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="for exports without a currency column"
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="unified field -> header, for any other CSV or to override one column",
    )
    encoding: str | None = Field(
        None, description="the files' encoding (e.g. cp1258, utf-16) when detection must not guess"
    )
    download_order: Literal["content", "name", "modified"] = Field(
        "content",
        description="which re-download is newer: what the files say (covered days, date-range "
        "line; modification time breaks ties), their names (dated file names), or modification "
        "time alone",
    )

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str | None) -> str | None:
        if value is None:
            return value
        examples = "name a codec such as utf-8, utf-16, cp1258 or windows-1252"
        try:
            codec = codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} ({examples})") from None
        # base64, hex, zlib…: codecs, but not of text (what bytes.decode itself refuses)
        if not getattr(codec, "_is_text_encoding", True):
            raise ValueError(f"{value!r} is not a text encoding ({examples})")
        return value

    @model_validator(mode="after")
    def _platform_known(self) -> Source:
        given = [k for k in ("path", "sql", "warehouse") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give one of path:, sql: or warehouse:")
        if self.sql is not None:
            return self
        if self.warehouse is not None:
            if self.kind != "ads":
                raise ValueError("a warehouse: source reads ads (kind: ads)")
            for name in self.columns:
                _check_kpi_name(name, (*AD_FIELDS, *MEASURES), "field", f"columns: {name}: ")
            return self
        allowed = (*AD_FIELDS, *MEASURES) if self.kind == "ads" else SHOP_FIELDS[self.kind]
        for name in self.columns:
            _check_kpi_name(name, allowed, f"column field for {self.kind}", f"columns: {name}: ")
        if self.kind != "ads":
            return self
        if self.platform and self.platform not in AD_PLATFORMS and not self.columns:
            raise ValueError(
                f"unknown platform {self.platform!r} (one of: {', '.join(AD_PLATFORMS)}; "
                "any other export needs a columns: map)"
            )
        if self.columns and not {"date", "spend"} <= set(self.columns):
            raise ValueError("a columns: map needs at least date and spend")
        return self

    def read_options(self, timezone: str) -> ReadOptions | ShopOptions:
        if self.kind != "ads":
            return ShopOptions(
                kind=self.kind,
                revenue=self.revenue,
                timezone=timezone,
                columns=dict(self.columns),
                date_order=self.date_order,
                number_format=self.number_format,
                exclude_statuses=tuple(s.casefold() for s in self.exclude_statuses),
                encoding=self.encoding,
            )
        return ReadOptions(
            platform=self.platform,
            number_format=self.number_format,
            date_order=self.date_order,
            currency=self.currency,
            columns=dict(self.columns),
            encoding=self.encoding,
            download_order=self.download_order,
        )


class Channel(Strict):
    platform: str = Field(
        description="google_ads, meta, tiktok, microsoft_ads, linkedin or a "
        "source's own platform name"
    )
    campaigns: str = Field(".*", description="regex searched in campaign names")
    account: str | None = None
    kpis: dict[str, StrictFloat] = Field(
        default_factory=dict, description="the channel's own targets (flight totals)"
    )
    attribution: str | None = Field(
        None, description="attribution window the plan expects, e.g. 7d_click_1d_view"
    )
    order_source: str | None = Field(
        None, description="regex on the shop orders' source that marks this channel's orders"
    )

    @field_validator("kpis")
    @classmethod
    def _channel_kpis(cls, value: dict[str, float]) -> dict[str, float]:
        return _valid_kpis(value)

    @field_validator("campaigns", "order_source")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return None if value is None else _polars_regex(value)


# Patterns whose meaning Python's ``re`` and polars (Rust's regex) share: literals, . ^ $ |,
# greedy or lazy quantifiers, plain groups and classes, \d \w \s \b and escaped
# metacharacters. What either engine accepts of these, the other accepts too (tested against
# polars), so such a pattern is checked without importing polars (~0.1 s).
_PLAIN_REGEX = re.compile(
    r"""(?x)
    (?: [^\\\[\]{}()*+?]                          # a literal, . ^ $ |
      | [*+?]\??(?![*+?])                         # a quantifier, never possessive
      | \\[dDwWsSbB] | \\[-\\.^$|?*+()\[\]{}/]    # a class escape, an escaped metacharacter
      | \((?:\?:|(?!\?)) | \)                     # a group, capturing or not
      | \[\^?(?:[^\\\[\]&~^-] | \\[dDwWsS] | \\[-\\.^$|?*+()\[\]{}/] | -(?!-))+\]  # a class
    )*"""
)


def _polars_regex(pattern: str) -> str:
    """``pattern``, checked by the engine that runs it: polars (Rust's regex) has no
    look-around or backreferences, which Python's ``re`` would accept."""
    if len(pattern) <= 200 and _PLAIN_REGEX.fullmatch(pattern):
        try:
            re.compile(pattern)
            return pattern
        except re.error:
            pass  # polars words the reason the way the report would meet it
    import polars as pl  # only a pattern beyond the shared syntax pays for the import

    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.PolarsError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines()]
        reason = next((ln.removeprefix("error: ") for ln in lines if ln.startswith("error:")), "")
        raise ValueError(
            f"not a valid regular expression: {reason or lines[0]}"
            + (" (polars runs it, with Rust's regex syntax)" if reason else "")
        ) from None
    return pattern


def _valid_kpis(value: dict[str, float]) -> dict[str, float]:
    for name, target in value.items():
        _check_kpi_name(name, tuple(CATALOG), "KPI", f"{name}: ")
        if target <= 0:
            raise ValueError(f"{name}: a target must be greater than 0, got {target}")
    return value


def _check_kpi_name(name: str, allowed: tuple[str, ...], what: str, at: str = "") -> None:
    """Refuse an unknown name with "did you mean"; ``at`` ("orders: ") starts the message with
    the key it is about, so the problem points at that key's own line (see ``_problems``)."""
    if name in allowed:
        return
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (one of: {', '.join(allowed)})"
    raise ValueError(f"{at}unknown {what} {name!r}{hint}")


# Ratios a period can target: each fixes one of its volumes from the other (see targets.py).
PERIOD_RATIOS = tuple(r for r in RATIOS if r not in ("roi", "frequency"))


class Period(BaseModel):
    """A stretch of the flight with its own targets: a date range, an ISO week or a flight
    week (``flight_week: 1`` is the flight's first seven days)."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    start: PlanDate | None = None
    end: PlanDate | None = None
    week: str | None = Field(None, description="ISO week such as 2026-W03")
    flight_week: int | None = Field(
        None, ge=1, le=53 * len(PLAUSIBLE_YEARS), description="1 = the flight's first 7 days"
    )
    label: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Period:
        given = [k for k in ("week", "flight_week") if getattr(self, k) is not None]
        if self.start or self.end:
            given.append("start/end")
        if len(given) > 1:
            raise ValueError(f"give one of week, flight_week or start/end, not {given}")
        if self.week is not None:
            match = re.fullmatch(r"(\d{4})-?W(\d{2})", self.week)
            if not match:
                raise ValueError(f"week {self.week!r} is not an ISO week like 2026-W03")
            try:
                date.fromisocalendar(int(match[1]), int(match[2]), 1)
            except ValueError as exc:
                raise ValueError(f"week {self.week!r} does not exist") from exc
            problem = year_problem(int(match[1]), f"week {self.week}")
            if problem:
                raise ValueError(problem)
        elif self.flight_week is None and (self.start is None or self.end is None):
            raise ValueError("a period needs start and end dates, a week or a flight_week")
        elif self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        for key, value in self.targets.items():
            _check_kpi_name(key, (*VOLUMES, *PERIOD_RATIOS), "timeline target", f"{key}: ")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"{key}: expected a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{key}: {value} is not a number a plan can use")
            if key in PERIOD_RATIOS and value <= 0:  # a ratio of 0 would divide by zero
                raise ValueError(f"{key}: a ratio target must be greater than 0, got {value}")
            if value < 0:
                raise ValueError(f"{key}: expected a number ≥ 0, got {value!r}")
        return self

    @property
    def targets(self) -> dict[str, float]:
        return dict(self.model_extra or {})

    def days(self, flight: Flight) -> tuple[date, date]:
        """First and last day of the period (a flight week is cut at the flight end)."""
        if self.week:
            year, week = re.findall(r"\d+", self.week)
            first = date.fromisocalendar(int(year), int(week), 1)
            return first, first + timedelta(days=6)
        if self.flight_week:
            first = flight.start + timedelta(days=7 * (self.flight_week - 1))
            return first, min(first + timedelta(days=6), flight.end)
        assert self.start is not None and self.end is not None
        return self.start, self.end

    def name(self, flight: Flight) -> str:
        if self.label or self.week:
            return self.label or str(self.week)
        if self.flight_week:
            return f"flight week {self.flight_week}"
        first, last = self.days(flight)
        return f"{first}..{last}"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Shape(Strict):
    """How targets spread over the days of a period (and of the remainder)."""

    ramp: list[float] = Field(
        default_factory=list,
        description="multiplier per flight week, e.g. [0.6, 1.0, 1.2]; the last holds after",
    )
    weekday_weights: dict[str, float] | Literal["learn"] | None = Field(
        None, description="e.g. {sat: 1.3, sun: 1.3} (others 1), or learn from the data"
    )
    learn_weeks: int = Field(4, ge=1, le=26, description="weeks of data that learn weights")

    @field_validator("ramp")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(v <= 0 for v in value):
            raise ValueError("ramp multipliers must be greater than 0")
        return value

    @field_validator("weekday_weights")
    @classmethod
    def _weekdays(cls, value: dict[str, float] | str | None) -> dict[str, float] | str | None:
        if isinstance(value, dict):
            for day, weight in value.items():
                _check_kpi_name(day, WEEKDAYS, "weekday", f"{day}: ")
                if weight < 0:
                    raise ValueError(f"{day}: a weight must be ≥ 0")
            if not any(value.get(d, 1.0) > 0 for d in WEEKDAYS):
                raise ValueError("at least one weekday needs a weight above 0")
        return value


class Bands(Strict):
    on_track: float = Field(0.95, gt=0, description="pace at or above this is on track")
    at_risk: float = Field(0.85, gt=0, description="pace at or above this is at risk")
    overspend: float = Field(1.10, gt=1, description="spend pace above this is overspend")

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.at_risk > self.on_track:
            raise ValueError("at_risk must not be above on_track")
        return self


class EarlyBands(Strict):
    """The bands on the flight's first day; a value not given is the final one."""

    on_track: float | None = Field(None, gt=0)
    at_risk: float | None = Field(None, gt=0)
    overspend: float | None = Field(None, gt=1)


class StatusBands(Bands):
    """Status thresholds; with ``early:`` they are the early values on day 1 and tighten
    linearly to these values on the flight's last day, so early noise does not cry wolf and
    late drift does."""

    early: EarlyBands | None = None

    @model_validator(mode="after")
    def _early_ordered(self) -> StatusBands:
        first = self.at(0.0)
        if first.at_risk > first.on_track:
            raise ValueError(
                f"early: at_risk {first.at_risk} must not be above on_track {first.on_track}"
            )
        return self

    def at(self, progress: float) -> Bands:
        """The bands in force when ``progress`` (0 = first day, 1 = last day) has elapsed."""
        if self.early is None:
            return self
        p = min(max(progress, 0.0), 1.0)

        def mix(name: str) -> float:
            start, end = getattr(self.early, name), getattr(self, name)
            if start is None:
                return end
            return start * (1 - p) + end * p  # exactly start at 0 and end at 1

        return Bands.model_construct(
            on_track=mix("on_track"), at_risk=mix("at_risk"), overspend=mix("overspend")
        )


class Projection(Strict):
    method: Literal["shape", "run_rate"] = "shape"
    window_days: int = Field(7, ge=1, le=90)


class Branding(Strict):
    """How client-facing reports look: an agency's name, logo and colour."""

    agency: str | None = None
    logo: str | None = Field(None, description="image file, relative to the plan (PNG/SVG/JPG)")
    primary_color: str = Field("#0b7285", pattern=r"^#[0-9a-fA-F]{6}$")


SmtpSecurity = Literal["starttls", "ssl", "none"]
SMTP_SECURITY: tuple[SmtpSecurity, ...] = ("starttls", "ssl", "none")


def smtp_security(
    port: int | None, security: SmtpSecurity | None, starttls: bool | None
) -> tuple[SmtpSecurity, int]:
    """How to speak to an SMTP server, and on which port, from what was given.

    ``security``: ssl is implicit TLS (TLS from the first byte, port 465), starttls a plain
    connection upgraded before anything is sent (587), none a local relay (no encryption).
    Without it, the older ``starttls`` flag: false is none; else the port says: 465 is ssl,
    any other starttls. The port, when not given, is 465 for ssl and 587 otherwise. Raises
    ``ValueError`` when ``security`` and ``starttls`` disagree."""
    if security is not None and starttls is not None and (security == "none") == starttls:
        flag = "true" if starttls else "false"
        raise ValueError(
            f"security {security} and starttls {flag} disagree: give security only "
            "(starttls is its older form)"
        )
    if security is None:
        security = "none" if starttls is False else "ssl" if port == 465 else "starttls"
    return security, port or (465 if security == "ssl" else 587)


class Smtp(Strict):
    """Where emailed reports go out. The password is read from the environment variable named
    here, never written in a plan."""

    host: str
    port: int | None = Field(
        None, ge=1, le=65535, description="default: 465 with security: ssl, else 587"
    )
    security: SmtpSecurity | None = Field(
        None,
        description="ssl (implicit TLS, port 465), starttls (587) or none (a local relay); "
        "default from the port: 465 is ssl, any other starttls",
    )
    starttls: bool | None = Field(None, description="older form of security: false is none")
    user: str | None = None
    password_env: str | None = Field(None, description="e.g. PERFMKT_SMTP_PASSWORD")
    sender: str = "perfmkt@localhost"

    @model_validator(mode="after")
    def _agree(self) -> Smtp:
        smtp_security(self.port, self.security, self.starttls)
        return self

    @property
    def connection(self) -> tuple[SmtpSecurity, int]:
        """(security, port), each from the other when not given (``smtp_security``)."""
        return smtp_security(self.port, self.security, self.starttls)


class Costs(Strict):
    """What the campaign costs beyond media, for ROI and CIR on all-in cost."""

    agency_fee: float = Field(0.0, ge=0, le=1, description="share of media spend, e.g. 0.1")
    vat: float = Field(0.0, ge=0, le=1, description="on media and fee, e.g. 0.1")
    fixed: float = Field(0.0, ge=0, description="tools, team… for the whole flight")


class AlertRule(Strict):
    """A condition on one KPI and the backup action to take when it holds."""

    kpi: str
    name: str | None = None
    above_target_by: float | None = Field(
        None, gt=0, description="daily actual above the daily target by this share (0.2 = 20 %)"
    )
    below_target_by: float | None = Field(None, gt=0, le=1)
    days: int = Field(1, ge=1, le=60, description="…on this many consecutive days to as-of")
    pace_above: float | None = Field(None, gt=0, description="flight-to-date pace above this")
    pace_below: float | None = Field(None, gt=0, description="flight-to-date pace below this")
    anomaly_sd: float | None = Field(
        None, gt=0, description="as-of day this many standard deviations from the window"
    )
    window_days: int = Field(14, ge=3, le=90, description="trailing days for anomaly_sd")
    action: str | None = Field(None, description="the backup action, e.g. 'promo code'")

    @field_validator("kpi")
    @classmethod
    def _kpi(cls, value: str) -> str:
        _check_kpi_name(value, tuple(CATALOG), "KPI")
        return value

    CONDITIONS: ClassVar[tuple[str, ...]] = (
        "above_target_by",
        "below_target_by",
        "pace_above",
        "pace_below",
        "anomaly_sd",
    )

    @model_validator(mode="after")
    def _one_condition(self) -> AlertRule:
        kinds = [k for k in self.CONDITIONS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one condition: above_target_by, below_target_by, pace_above, "
                f"pace_below or anomaly_sd (got {kinds or 'none'})"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in self.CONDITIONS if getattr(self, k) is not None)


TRUTH_KPIS = {
    "orders": "orders",
    "revenue": "orders",
    "new_customers": "orders",
    "leads": "leads",
    "qualified_leads": "leads",
}


class Plan(Strict):
    client: str
    campaign: str
    objective: Literal["ecommerce", "leadgen", "branding"] = "ecommerce"
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    timezone: str = "UTC"
    flight: Flight
    sources: list[Source] = Field(min_length=1)
    channels: dict[str, Channel] = Field(default_factory=dict)
    kpis: dict[str, StrictFloat] = Field(min_length=1)
    timeline: list[Period] = Field(default_factory=list)
    shape: Shape = Shape()
    status: StatusBands = StatusBands()
    projection: Projection = Projection()
    costs: Costs | None = None
    truth: dict[str, Literal["platforms", "shop", "shop_net", "shop_placed"]] = Field(
        default_factory=dict,
        description="where each result KPI's actuals come from: platforms (default), "
        "shop_net (the shop's orders less cancelled, returned and failed deliveries; shop "
        "means the same) or shop_placed (every order placed)",
    )
    track: list[str] | None = Field(
        None, description="metrics shown without targets (default: the objective's)"
    )
    alerts: list[AlertRule] = Field(default_factory=list)
    margin: float = Field(1.0, gt=0, le=1, description="gross margin used by ROI")
    locale: Literal["vi", "en"] | None = Field(
        None, description="report language and number format (default: vi for VND, else en)"
    )
    branding: Branding = Branding()
    templates: str | None = Field(
        None, description="folder of templates overriding the packaged ones (relative to plan)"
    )
    smtp: Smtp | None = Field(None, description="for --notify email: (else PERFMKT_SMTP_*)")
    previous: str | None = Field(
        None, description="the previous flight's plan file, to compare the same span of days"
    )
    fx: dict[str, float] = Field(
        default_factory=dict,
        description="units of the plan currency per unit of another, e.g. {USD: 25400}",
    )
    conversion_lag: dict[str, list[StrictFloat]] = Field(
        default_factory=dict,
        description="platform -> share of a day's eventual results (conversions, leads, orders "
        "and their value) reported 1, 2, 3… days after it, e.g. {google_ads: [0.6, 0.85, 0.95, "
        "1]}: each above 0 and at most 1, never decreasing; a curve ending below 1 is taken as "
        "complete the day after its last share. Used where the platform's re-downloads do not "
        "tell its curve (a curve learned from them wins; see perfmkt.lag)",
    )

    @field_validator("fx")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        for code, rate in value.items():
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(f"{code!r} is not a currency code like USD")
            if rate <= 0:
                raise ValueError(f"{code}: a rate must be greater than 0, got {rate}")
        return value

    @field_validator("conversion_lag")
    @classmethod
    def _lag_curves(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for platform, shares in value.items():
            # "google_ads: …" points the problem at that platform's own line (see _problems).
            if not shares:
                raise ValueError(f"{platform}: give the share reported after 1, 2, 3… days")
            if len(shares) > MAX_LAG_DAYS:
                raise ValueError(
                    f"{platform}: {len(shares)} shares, more than the {MAX_LAG_DAYS} days a "
                    "curve may have"
                )
            for day, share in enumerate(shares, start=1):
                if not 0 < share <= 1:
                    raise ValueError(
                        f"{platform}: a share must be above 0 and at most 1, got {share:g} "
                        f"after {day} day{'s' if day > 1 else ''}"
                    )
            for day, (before, after) in enumerate(pairwise(shares), 2):
                if after < before:
                    raise ValueError(
                        f"{platform}: a share cannot fall (late results only add): {after} "
                        f"after {day} days is below {before} after {day - 1}"
                    )
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    @field_validator("kpis")
    @classmethod
    def _kpis(cls, value: dict[str, float]) -> dict[str, float]:
        return _valid_kpis(value)

    @field_validator("track")
    @classmethod
    def _track(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            _check_kpi_name(name, tuple(CATALOG), "metric")
        return value

    @field_validator("truth")
    @classmethod
    def _truth(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            _check_kpi_name(name, tuple(TRUTH_KPIS), "truth KPI", f"{name}: ")
        # "shop" is the shop's net figure: what a plan meant before placed and net were told apart
        return {k: "shop_net" if v == "shop" else v for k, v in value.items()}

    def from_shop(self, kpi: str) -> bool:
        """True when ``kpi``'s actuals come from the shop's own data (placed or net)."""
        return self.truth.get(kpi, "platforms") != "platforms"

    @property
    def tracked(self) -> list[str]:
        """Metrics shown beside the KPIs, without targets."""
        wanted = self.track if self.track is not None else DEFAULT_KPIS[self.objective]
        return [m for m in wanted if m not in self.kpis]

    @property
    def language(self) -> str:
        return self.locale or ("vi" if self.currency == "VND" else "en")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def cross_checks(plan: Plan) -> list[tuple[tuple[Any, ...], str]]:
    """Problems between parts of a valid-looking plan, each with its key path."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    flight = plan.flight
    seen: list[tuple[date, date, int]] = []
    for i, period in enumerate(plan.timeline):
        first, last = period.days(flight)
        where = ("timeline", i)
        if first < flight.start or last > flight.end:
            problems.append(
                (
                    where,
                    f"{period.name(flight)} runs {first}..{last}, outside the "
                    f"flight {flight.start}..{flight.end}",
                )
            )
        for a, b, j in seen:
            if first <= b and a <= last:
                problems.append((where, f"overlaps timeline[{j}] ({a}..{b})"))
        seen.append((first, last, i))
        for kpi in period.targets:
            metric = CATALOG[kpi]
            needed = [kpi] if not metric.is_ratio else [metric.numerator, metric.denominator]
            for volume in needed:
                if volume not in plan.kpis:
                    problems.append(
                        ((*where, kpi), f"{volume} has no flight total: add {volume} under kpis")
                    )
    covered = sum((b - a).days + 1 for a, b, _ in seen)
    for kpi, total in plan.kpis.items():
        if CATALOG[kpi].is_ratio:  # a ratio per period is a rate, not a share of the total
            continue
        planned = sum(p.targets.get(kpi, 0) for p in plan.timeline)
        if planned > total * (1 + 1e-9):
            problems.append(
                (
                    ("timeline",),
                    f"periods plan {planned:,.0f} {kpi}, more than the total {total:,.0f}",
                )
            )
        periods_with = [p for p in plan.timeline if kpi in p.targets]
        fully_planned = covered == flight.days and len(periods_with) == len(plan.timeline)
        if plan.timeline and fully_planned and abs(planned - total) > 1e-9 * max(total, 1):
            problems.append(
                (
                    ("timeline",),
                    f"covers the whole flight but its {kpi} adds up to "
                    f"{planned:,.0f}, not the total {total:,.0f}",
                )
            )
    for kpi in plan.kpis:
        if CATALOG[kpi].is_ratio:
            continue
        in_channels = sum(c.kpis.get(kpi, 0) for c in plan.channels.values())
        if in_channels > plan.kpis[kpi] * (1 + 1e-9):
            problems.append(
                (
                    ("channels",),
                    f"channel {kpi} targets add up to "
                    f"{in_channels:,.0f}, more than the plan's "
                    f"{plan.kpis[kpi]:,.0f}",
                )
            )
    for i, rule in enumerate(plan.alerts):
        if rule.kpi not in plan.kpis:
            problems.append(
                (
                    ("alerts", i, "kpi"),
                    f"{rule.kpi} has no target: add it under kpis to alert on it",
                )
            )
    if not problems and any(CATALOG[k].is_ratio for p in plan.timeline for k in p.targets):
        from perfmkt.targets import day_weights, resolve_timeline  # targets imports this module

        problems.extend(resolve_timeline(plan, day_weights(plan))[1])
    problems.extend(_lag_platform_problems(plan))
    kinds = {s.kind for s in plan.sources}
    for kpi, where_from in plan.truth.items():
        if where_from != "platforms" and TRUTH_KPIS[kpi] not in kinds:
            problems.append(
                (
                    ("truth", kpi),
                    f"the shop's {TRUTH_KPIS[kpi]} are the truth but "
                    f"no source has kind: {TRUTH_KPIS[kpi]}",
                )
            )
    return problems


def _lag_platform_problems(plan: Plan) -> list[tuple[tuple[Any, ...], str]]:
    """``conversion_lag:`` names platforms as sources and channels do: one perfmkt reads, or a
    name a source or channel gives (a columns: map without one reads as "custom"). A query's
    rows name their own platforms, so with a sql: source any name may be right."""
    if not plan.conversion_lag or any(s.path is None for s in plan.sources):
        return []
    named = [s.platform for s in plan.sources if s.platform] + [
        c.platform for c in plan.channels.values()
    ]
    if any(s.columns and not s.platform for s in plan.sources if s.kind == "ads"):
        named.append("custom")
    allowed = tuple(dict.fromkeys([*AD_PLATFORMS, *named]))
    problems: list[tuple[tuple[Any, ...], str]] = []
    for name in plan.conversion_lag:
        try:
            _check_kpi_name(name, allowed, "platform")
        except ValueError as exc:
            problems.append((("conversion_lag", name), str(exc)))
    return problems


def _problems(exc: ValidationError, lines: dict[tuple[Any, ...], int]) -> list[tuple[int, str]]:
    """(line, "key.path: message") per problem; unknown keys first, since a typo in a key
    also makes the key it was meant to be "missing"."""
    found: list[tuple[bool, int, str]] = []
    for err in exc.errors():
        # pydantic adds the model-validator "mode" or union branch names to loc; keep keys only.
        loc = tuple(p for p in err["loc"] if p in ("",) or not str(p).startswith("function-"))
        message = str(err["msg"]).removeprefix("Value error, ")
        while err["type"] == "value_error":  # "roas: …" under kpis points at roas's own line
            key, sep, rest = message.partition(": ")
            if not sep or (*loc, key) not in lines:
                break
            loc, message = (*loc, key), rest
        line = line_of(loc, lines)
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            siblings = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(key, siblings, n=1)
            message = f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            loc = loc[:-1]
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"] == "list_type":  # pydantic's "Input should be a valid list"
            message = f"expected a list in brackets [ … ], not {err['input']!r}"
        where = loc_text(loc)
        typo = err["type"] == "extra_forbidden"
        found.append((not typo, line, f"{where}: {message}" if where else message))
    return [(line, text) for _, line, text in sorted(found, key=lambda f: (f[0], f[1]))]


def _allowed_keys(parent: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Plan
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            return []
    return list(model.model_fields)


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file; raise ``PlanError`` listing every problem."""
    lines, data = read_plan(path)
    if not isinstance(data, dict):
        raise PlanError(
            "a plan is a YAML mapping (client:, campaign:, flight:, …)",
            path=path,
            row=lines.get((), 1),
        )
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise_problems(path, _problems(exc, lines))
    found = [*cross_checks(plan), *_file_checks(plan, path.parent)]
    if found:
        raise_problems(path, [(line_of(loc, lines), f"{loc_text(loc)}: {m}") for loc, m in found])
    return plan


LOGO_MAX_BYTES = 2_000_000  # a logo is inlined into every HTML report and email
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)


def _image_kind(head: bytes) -> str | None:
    """PNG, JPEG, GIF, WebP or SVG, by the file's first bytes (not its name)."""
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<svg") or (
        text.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head.lower()
    ):
        return "SVG"
    return None


def _file_checks(plan: Plan, base: Path) -> list[tuple[Loc, str]]:
    """Files the plan names, relative to it as reports find them: the logo must be a small
    image, the templates a folder (else a white-label report would silently be unbranded)."""
    problems: list[tuple[Loc, str]] = []
    if plan.branding.logo:
        problem = _logo_problem(plan.branding.logo, base / plan.branding.logo)
        if problem:
            problems.append((("branding", "logo"), problem))
    if plan.templates and not (base / plan.templates).is_dir():
        problems.append((("templates",), f"{plan.templates!r} is not a folder ({base})"))
    return problems


def _logo_problem(name: str, logo: Path) -> str | None:
    try:
        size = logo.stat().st_size
        if not logo.is_file():
            return f"{name!r} is not a file ({logo})"
        with logo.open("rb") as file:
            head = file.read(4096)
    except OSError as exc:
        return f"cannot read the logo {logo}: {exc.strerror}"
    if size > LOGO_MAX_BYTES:
        return f"{name!r} is {size:,} bytes, more than the {LOGO_MAX_BYTES:,} a logo may have"
    if _image_kind(head) is None:
        return f"{name!r} is not a PNG, JPEG, GIF, WebP or SVG image"
    return None


def _without_password(uri: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user@host/db, for notes and errors."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1@", uri)


def warehouse_options(
    plan: Plan, i: int, warehouse: Warehouse, source: Source, plan_path: Path
) -> WarehouseOptions:
    """The warehouse source's connection (from its environment variable), dialect, days and
    channel filters; an unset variable or an unknown scheme is a plan error on its line."""

    def problem(message: str, key: str) -> PlanError:
        where = ("sources", i, "warehouse", key)
        return PlanError(
            f"{loc_text(where)}: {message}",
            path=plan_path,
            row=line_of(where, _source_lines(plan_path)),
        )

    uri = os.environ.get(warehouse.connection, "").strip()
    if not uri:
        raise problem(
            f"the environment variable {warehouse.connection} is not set (it holds the "
            "warehouse's URI, e.g. postgresql://user:password@host/db)",
            "connection",
        )
    scheme = uri.split(":", 1)[0].split("+", 1)[0].lower()
    dialect = warehouse.dialect or URI_DIALECTS.get(scheme)
    if dialect is None:
        raise problem(
            f"cannot tell the SQL dialect of a {scheme}: URI (in ${warehouse.connection}): add "
            f"dialect: ({', '.join(WAREHOUSE_DIALECTS)})",
            "connection",
        )
    return WarehouseOptions(
        uri=uri,
        label=f"sources[{i}] warehouse: {warehouse.table} ({dialect}, ${warehouse.connection})",
        table=warehouse.table,
        layout=warehouse.layout,
        dialect=dialect,
        first_day=plan.flight.start - timedelta(days=LOOKBACK_DAYS),
        last_day=plan.flight.end,
        channels=tuple(
            ChannelFilter(c.platform, c.campaigns, c.account) for c in plan.channels.values()
        ),
        columns=dict(source.columns),
        platforms=dict(warehouse.platforms),
        currency=source.currency,
    )


def resolve_sources(
    plan: Plan, plan_path: Path, warnings: list[str] | None = None
) -> list[tuple[Path, SourceOptions]]:
    """Expand each source glob relative to the plan file.

    A glob matching nothing is an error, unless ``warnings`` is given: then it is one line
    there (``plan.yaml:7: sources[1].path …``) and the source is skipped, so a check can go on
    with the others. No file at all is an error either way.
    """
    base = plan_path.parent
    files: list[tuple[Path, SourceOptions]] = []
    lines: dict[tuple[Any, ...], int] | None = None
    missing: list[PlanError] = []
    for i, source in enumerate(plan.sources):
        if source.sql is not None:
            uri = os.path.expandvars(source.sql.uri)
            label = f"sources[{i}] sql: {_without_password(uri)}"
            query = QueryOptions(
                uri=uri, query=source.sql.query, label=label, columns=dict(source.columns)
            )
            files.append((Path(label), query))
            continue
        if source.warehouse is not None:
            table = warehouse_options(plan, i, source.warehouse, source, plan_path)
            files.append((Path(table.label), table))
            continue
        assert source.path is not None
        pattern = Path(source.path).expanduser()
        full = pattern if pattern.is_absolute() else base / pattern
        matches = sorted(Path(os.path.normpath(p)) for p in glob.glob(str(full), recursive=True))
        matches = [m for m in matches if m.is_file()]
        if not matches:
            if lines is None:
                lines = _source_lines(plan_path)
            err = PlanError(
                f"sources[{i}].path: {source.path!r} matches no file (looked in {base})",
                path=plan_path,
                row=line_of(("sources", i, "path"), lines),
            )
            if warnings is None:
                raise err
            missing.append(err)
            continue
        files.extend((m, source.read_options(plan.timezone)) for m in matches)
    if missing and not files:  # nothing at all to read: a report could only be empty
        missing[0].problems = [p for err in missing for p in err.problems]
        raise missing[0]
    if warnings is not None:
        warnings.extend(str(err) for err in missing)
    seen: set[Path] = set()
    unique = []
    for file, options in files:  # two globs naming one file must not read it twice
        key = file if isinstance(options, QueryOptions | WarehouseOptions) else file.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((file, options))
    return unique


def _source_lines(plan_path: Path) -> dict[tuple[Any, ...], int]:
    """The plan's line map, read again only to locate a source (the plan already loaded)."""
    try:
        return read_plan(plan_path)[0]
    except PlanError:  # changed since it loaded: the message still names the source
        return {}
