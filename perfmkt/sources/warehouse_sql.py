"""The query a ``warehouse:`` source sends: built once with sqlglot, written in the target's
dialect, so that only campaign-days cross the network.

What is pushed down, and why it is safe: the flight's days (with the lookback the advice
fits on), the channels' platforms, accounts and campaign patterns, and the sum to one row per
campaign-day. perfmkt still applies its own channel filters to what comes back, so every pushed
filter is a *prefilter*: it may keep rows perfmkt then drops, never drop one perfmkt keeps. A
campaign pattern is pushed only when it lies in a subset of regex syntax that Rust's engine
(polars), RE2 (DuckDB, BigQuery, ClickHouse), PostgreSQL, POSIX (Snowflake) and Java (Trino)
read alike; any other pattern pushes only its platform.

No user string is pasted into SQL text: table and column names become sqlglot identifiers,
values become sqlglot literals, and the generator quotes them for each dialect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlglot import exp  # annotations name exp.Expr, the base of every node since sqlglot 30

from perfmkt.metrics import MEASURES
from perfmkt.sources.base import WarehouseOptions
from perfmkt.sources.warehouse import REQUIRED

# Fivetran's dbt_ad_reporting package: ad_reporting__campaign_report has one row per
# source_relation, platform, date_day, account_id and campaign_id (its models .yml), with
# date_day, platform, account_id, account_name, campaign_id, campaign_name, clicks,
# impressions, spend, conversions and conversions_value (macros/get_query.sql and the
# intermediate models' field_mapping). Like a Google Ads export, its conversions are the
# plan's orders or leads and conversions_value the revenue; columns: overrides any of it.
AD_REPORTING: dict[str, str] = {
    "date": "date_day",
    "platform": "platform",
    "account": "account_name",
    "campaign": "campaign_name",
    "campaign_id": "campaign_id",
    "spend": "spend",
    "impressions": "impressions",
    "clicks": "clicks",
    "conversions": "conversions",
    "conversion_value": "conversions_value",
    "orders": "conversions",
    "revenue": "conversions_value",
    "leads": "conversions",
}
# The package's platform values (macros/get_enabled_packages.sql) that perfmkt reads under
# its own names; the others (pinterest_ads, snapchat_ads, amazon_ads…) keep theirs.
AD_REPORTING_PLATFORMS: dict[str, str] = {
    "google_ads": "google_ads",
    "facebook_ads": "meta",
    "tiktok_ads": "tiktok",
    "microsoft_ads": "microsoft_ads",
    "linkedin_ads": "linkedin",
}
# A table with perfmkt's own fact names (perfmkt.schema): each column is read if present.
FACTS: dict[str, str] = {
    name: name
    for name in ("date", "platform", "account", "campaign", "campaign_id", "currency", *MEASURES)
}


def mapping(options: WarehouseOptions) -> tuple[dict[str, str], set[str]]:
    """field -> column the query reads, and the fields that must exist (the required ones and
    every one the plan maps itself); a field mapped to "" is left out."""
    base = AD_REPORTING if options.layout == "ad_reporting" else FACTS
    fields = {**base, **options.columns}
    must = set(REQUIRED) | {f for f, c in options.columns.items() if c}
    return {f: c for f, c in fields.items() if c}, must


def platform_names(options: WarehouseOptions) -> dict[str, str]:
    """The table's platform value -> perfmkt's platform name."""
    base = AD_REPORTING_PLATFORMS if options.layout == "ad_reporting" else {}
    return {**base, **options.platforms}


def table_values(platform: str, names: dict[str, str]) -> list[str]:
    """The table's values a perfmkt platform name can come from (the inverse of ``names``)."""
    found = [raw for raw, name in names.items() if name == platform]
    return found + ([platform] if platform not in names else [])


# ---- regular expressions every engine reads alike -------------------------------------------

_META = set("\\.+*?()|[]{}^$")
_CLASS_SPECIAL = set("\\[]^-&~")  # a class holding one of these is left to perfmkt


class _Unsafe(Exception):
    pass


class _Regex:
    """A recursive-descent reader of the shared subset, writing it back in one canonical form:
    literals, escaped metacharacters, ``.``, ``^``, ``$``, ``|``, groups (``(?:`` becomes
    ``(``), classes of literal characters and ranges, and the quantifiers ``* + ? {n,m}`` (a
    lazy one becomes greedy: whether a pattern matches does not depend on it). Left out: class
    escapes such as ``\\d`` or ``\\w`` (Unicode in Rust, ASCII in RE2), ``\\b`` (a backspace to
    PostgreSQL), flags such as ``(?i)``, look-around, POSIX classes, empty branches."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise _Unsafe
        self.at += 1
        return char

    def parse(self) -> str:
        out = self.alternation()
        if self.at != len(self.text):
            raise _Unsafe
        return out

    def alternation(self) -> str:
        branches = [self.concat()]
        while self.peek() == "|":
            self.take()
            branches.append(self.concat())
        return "|".join(branches)

    def concat(self) -> str:
        pieces = []
        while self.peek() not in ("", "|", ")"):
            pieces.append(self.piece())
        if not pieces:
            raise _Unsafe  # an empty branch or group
        return "".join(pieces)

    def piece(self) -> str:
        atom, quantifiable = self.atom()
        quantifier = self.quantifier()
        if quantifier and not quantifiable:
            raise _Unsafe
        return atom + quantifier

    def atom(self) -> tuple[str, bool]:
        char = self.take()
        if char == "(":
            if self.peek() == "?":
                self.take()
                if self.take() != ":":
                    raise _Unsafe
            inner = self.alternation()
            if self.take() != ")":
                raise _Unsafe
            return f"({inner})", True
        if char in "^$":
            return char, False
        if char == ".":
            return char, True
        if char == "[":
            return self.char_class(), True
        if char == "\\":
            escaped = self.take()
            if escaped not in _META:
                raise _Unsafe
            return "\\" + escaped, True
        if char in _META:
            raise _Unsafe  # a stray ) ] { } or a quantifier with nothing before it
        return char, True

    def char_class(self) -> str:
        negated = "^" if self.peek() == "^" else ""
        if negated:
            self.take()
        items = []
        while self.peek() != "]":
            low = self.take()
            if low in _CLASS_SPECIAL:
                raise _Unsafe
            if self.peek() == "-":
                self.take()
                high = self.take()
                if high in _CLASS_SPECIAL or high < low:
                    raise _Unsafe
                items.append(f"{low}-{high}")
            else:
                items.append(low)
        self.take()
        if not items:
            raise _Unsafe
        return f"[{negated}{''.join(items)}]"

    def quantifier(self) -> str:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.take()
            out = char
        elif char == "{":
            self.take()
            body = ""
            while self.peek() not in ("}", ""):
                body += self.take()
            self.take()
            match = re.fullmatch(r"(\d{1,3})(,(\d{1,3})?)?", body)
            if not match or (match[3] and int(match[3]) < int(match[1])):
                raise _Unsafe
            out = "{" + body + "}"
        else:
            return ""
        if self.peek() == "?":
            self.take()  # lazy: the same rows match
        if self.peek() in ("*", "+", "?", "{"):
            raise _Unsafe  # a quantified quantifier: engines disagree
        return out


def shared_regex(pattern: str) -> str | None:
    """``pattern`` in the canonical shared form, or None when it is outside the subset (or
    matches every name, so filters nothing)."""
    if pattern in ("", ".*"):
        return None
    try:
        return _Regex(pattern).parse()
    except _Unsafe:
        return None


def regex_match(value: exp.Expr, pattern: str, dialect: str) -> exp.Expr:
    """``value`` contains a match of the shared ``pattern``, written for ``dialect``."""
    if dialect == "snowflake":
        # REGEXP_LIKE matches the whole value: wrap to search; 's' lets . match a newline too.
        return exp.RegexpLike(
            this=value,
            expression=exp.Literal.string(f".*({pattern}).*"),
            flag=exp.Literal.string("s"),
        )
    if dialect == "trino":
        pattern = "(?s)" + pattern  # Java's . stops at \r and other line ends; Rust's only at \n
    return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))


# ---- the query -------------------------------------------------------------------------------

ColumnKind = Literal["date", "datetime", "text", "other"]


@dataclass(frozen=True)
class Query:
    """The query, the field -> column map it read, and what the notes should say."""

    select: exp.Select
    used: dict[str, str]
    absent: list[str]  # default columns the table does not have (fields left empty)

    def sql(self, dialect: str) -> str:
        return self.select.sql(dialect=dialect)


class MissingColumn(Exception):
    def __init__(self, field: str, column: str) -> None:
        super().__init__(field, column)
        self.field, self.column = field, column


class TextColumn(MissingColumn):
    """A measure's column holds text: summing it would fail in the warehouse, in its words."""


def table(name: str) -> exp.Table:
    """``analytics.ad_reporting__campaign_report`` (or catalog.schema.table) as an identifier;
    the plan allows only names of letters, digits, _, $ and - parts."""
    parts = name.split(".")
    quoted = [not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p) for p in parts]
    idents = [exp.to_identifier(p, quoted=q) for p, q in zip(parts, quoted, strict=True)]
    return exp.Table(
        this=idents[-1],
        db=idents[-2] if len(idents) > 1 else None,
        catalog=idents[-3] if len(idents) > 2 else None,
    )


def probe(options: WarehouseOptions) -> exp.Select:
    """A query returning no row, only the table's columns."""
    return exp.select("*").from_(table(options.table)).limit(0)


def build(options: WarehouseOptions, columns: dict[str, ColumnKind]) -> Query:
    """The campaign-day query over a table whose columns (actual name -> kind) are ``columns``.
    Column names are matched case-insensitively (Snowflake answers in capitals) and quoted as
    the table spells them."""
    wanted, must = mapping(options)
    actual = {c.casefold(): c for c in columns}
    used: dict[str, str] = {}
    absent: list[str] = []
    for name, column in wanted.items():
        if column.casefold() in actual:
            used[name] = actual[column.casefold()]
        elif name in must:
            raise MissingColumn(name, column)
        else:
            absent.append(name)

    for name in MEASURES:
        if name in used and columns[used[name]] == "text":
            raise TextColumn(name, used[name])

    def col(name: str) -> exp.Column:
        return exp.column(used[name], quoted=True)

    def alias(expression: exp.Expr, name: str) -> exp.Expr:
        return exp.alias_(expression, name, quoted=True)

    day = _day(col("date"), columns[used["date"]])
    keys: list[exp.Expr] = [day, col("platform")]
    picks: list[exp.Expr] = [alias(day, "date"), alias(col("platform"), "platform")]
    for name in ("account", "currency"):
        if name in used:
            keys.append(col(name))
            picks.append(alias(col(name), name))
    if "campaign_id" in used:
        # One row per campaign id and day: a campaign renamed mid-day (or a table holding its
        # old and new names on one day) is neither split in two nor counted twice; rows
        # without an id are told apart by name.
        keys += [
            col("campaign_id"),
            exp.Case().when(col("campaign_id").is_(exp.null()), col("campaign")),
        ]
        name_expr: exp.Expr = exp.Max(this=col("campaign"))
        picks.append(alias(col("campaign_id"), "campaign_id"))
    else:
        keys.append(col("campaign"))
        name_expr = col("campaign")
    picks.append(alias(name_expr, "campaign"))
    picks += [alias(exp.Sum(this=col(m)), m) for m in MEASURES if m in used]

    select = (
        exp.select(*picks)
        .from_(table(options.table))
        .where(_in_days(col("date"), columns[used["date"]], options))
        .group_by(*keys)
    )
    platforms, having = _channel_filters(options, col, name_expr, "account" in used)
    if platforms is not None:
        select = select.where(platforms)
    if having is not None:
        select = select.having(having)
    return Query(select, used, absent)


def _day(column: exp.Column, kind: ColumnKind) -> exp.Expr:
    return column if kind == "date" else exp.cast(column, "date")


def _in_days(column: exp.Column, kind: ColumnKind, options: WarehouseOptions) -> exp.Expr:
    """The days read, compared on the column itself where its type allows (partitions and
    indexes on it stay usable)."""
    first, last = options.first_day.isoformat(), options.last_day.isoformat()
    if kind == "date":
        return column.between(_date(first), _date(last))
    if kind == "datetime":
        after = (options.last_day + timedelta(days=1)).isoformat()
        start = exp.cast(exp.Literal.string(first), "timestamp")
        end = exp.cast(exp.Literal.string(after), "timestamp")
        return exp.and_(column >= start, column < end)
    return exp.cast(column, "date").between(_date(first), _date(last))


def _date(text: str) -> exp.Expr:
    return exp.cast(exp.Literal.string(text), "date")


def _channel_filters(
    options: WarehouseOptions,
    col: Callable[[str], exp.Column],
    name_expr: exp.Expr,
    has_account: bool,
) -> tuple[exp.Expr | None, exp.Expr | None]:
    """WHERE on the channels' platforms (and accounts when every channel names one), HAVING on
    each channel's platform, account and pushed campaign pattern. Both are group keys or the
    group's one name, so filtering them never cuts a campaign-day in part."""
    if not options.channels:  # without channels every platform is a channel
        return None, None
    names = platform_names(options)
    clauses: list[exp.Expr] = []
    every: list[str] = []
    accounts: set[str] = set()
    narrowed = False
    for channel in options.channels:
        values = table_values(channel.platform, names)
        every += [v for v in values if v not in every]
        clause: exp.Expr = col("platform").isin(*map(exp.Literal.string, values))
        if channel.account is not None and has_account:
            clause = exp.and_(clause, col("account").eq(exp.Literal.string(channel.account)))
            accounts.add(channel.account)
            narrowed = True
        pattern = shared_regex(channel.campaigns)
        if pattern is not None:
            clause = exp.and_(clause, regex_match(name_expr, pattern, options.dialect))
            narrowed = True
        clauses.append(clause)
    where: exp.Expr = col("platform").isin(*map(exp.Literal.string, every))
    if has_account and all(c.account is not None for c in options.channels):
        where = exp.and_(where, col("account").isin(*map(exp.Literal.string, sorted(accounts))))
    return where, (exp.or_(*clauses) if narrowed else None)
