"""The metric catalog: one definition per KPI, as polars expressions over summed volumes.

Ratios over any period are ratios of sums (total spend / total orders), never averages of
daily ratios, and a zero or missing denominator gives null ("no value", shown as —).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars loads only when a metric is computed: `perfmkt validate` stays fast
    import polars as pl


# Numbers a platform row can carry (the unified facts schema, perfmkt.schema). Null means "the
# export has no such column / no value". Kept here, free of polars, for the plan's validation.
MEASURES: tuple[str, ...] = (
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversions",
    "conversion_value",
    "leads",
    "orders",
    "revenue",
    "video_views",
)


class Direction(StrEnum):
    HIGHER = "higher"  # more is better: volumes, ROAS, CTR, CVR
    LOWER = "lower"  # less is better: costs per result, CIR
    BUDGET = "budget"  # on budget: under- and over-pacing are both problems
    NONE = "none"  # descriptive only (frequency)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    direction: Direction
    numerator: str | None = None  # for ratios: the summed volume on top…
    denominator: str | None = None  # …and below
    scale: float = 1.0
    kind: str = "count"  # count | money | ratio | percent — how to show it

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    def expr(self, margin: float = 1.0) -> pl.Expr:
        """This metric computed from columns holding summed volumes."""
        import polars as pl

        if not self.is_ratio:
            return pl.col(self.name)
        assert self.numerator is not None and self.denominator is not None
        top = pl.col(self.numerator)
        if self.name == "roi":  # ROI = (revenue × margin − spend) / spend
            top = pl.col("revenue") * margin - pl.col("spend")
        return ratio(top, pl.col(self.denominator), self.scale).alias(self.name)


def ratio(top: pl.Expr, bottom: pl.Expr, scale: float = 1.0) -> pl.Expr:
    """top / bottom × scale; null when bottom is zero or missing."""
    import polars as pl

    return pl.when(bottom != 0).then(top / bottom * scale).otherwise(None)


H, L = Direction.HIGHER, Direction.LOWER
CATALOG: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("spend", "Spend", Direction.BUDGET, kind="money"),
        Metric("impressions", "Impressions", H),
        Metric("reach", "Reach", H),
        Metric("clicks", "Clicks", H),
        Metric("conversions", "Conversions", H),
        Metric("leads", "Leads", H),
        Metric("qualified_leads", "Qualified leads", H),
        Metric("orders", "Orders", H),
        Metric("revenue", "Revenue", H, kind="money"),
        Metric("video_views", "Video views", H),
        Metric("new_customers", "New customers", H),
        Metric("sals", "SALs", H),
        Metric("wins", "Won deals", H),
        # The CRM's own lead count, beside `leads` (which may be what platforms claim): the
        # funnel's first step divides by it, so every funnel rate is the CRM's alone.
        Metric("crm_leads", "CRM leads", H),
        Metric("ctr", "CTR", H, "clicks", "impressions", kind="percent"),
        Metric("cpc", "CPC", L, "spend", "clicks", kind="money"),
        Metric("cpm", "CPM", L, "spend", "impressions", 1000.0, kind="money"),
        Metric("cvr", "CVR", H, "conversions", "clicks", kind="percent"),
        Metric("cpa", "CPA", L, "spend", "conversions", kind="money"),
        Metric("cpl", "CPL", L, "spend", "leads", kind="money"),
        Metric("cpql", "CPQL", L, "spend", "qualified_leads", kind="money"),
        Metric("cpo", "CPO", L, "spend", "orders", kind="money"),
        Metric("aov", "AOV", H, "revenue", "orders", kind="money"),
        Metric("roas", "ROAS", H, "revenue", "spend", kind="ratio"),
        Metric("cir", "CIR", L, "spend", "revenue", kind="percent"),
        Metric("roi", "ROI", H, "revenue", "spend", kind="percent"),
        Metric("frequency", "Frequency", Direction.NONE, "impressions", "reach", kind="ratio"),
        Metric("cpv", "CPV", L, "spend", "video_views", kind="money"),
        Metric(
            "new_customer_share", "New-customer share", H, "new_customers", "orders", kind="percent"
        ),
        Metric("cpnc", "Cost per new customer", L, "spend", "new_customers", kind="money"),
        # funnel step rates: lead -> MQL (qualified) -> SAL -> won
        Metric("lead_to_mql", "Lead → MQL", H, "qualified_leads", "crm_leads", kind="percent"),
        Metric("mql_to_sal", "MQL → SAL", H, "sals", "qualified_leads", kind="percent"),
        Metric("sal_to_won", "SAL → won", H, "wins", "sals", kind="percent"),
    )
}

VOLUMES: tuple[str, ...] = tuple(n for n, m in CATALOG.items() if not m.is_ratio)
RATIOS: tuple[str, ...] = tuple(n for n, m in CATALOG.items() if m.is_ratio)

# KPIs shown by default per objective, main result first after spend.
DEFAULT_KPIS: dict[str, tuple[str, ...]] = {
    "ecommerce": (
        "spend",
        "orders",
        "revenue",
        "cpo",
        "roas",
        "aov",
        "cir",
        "roi",
        "new_customer_share",
        "cpnc",
        "clicks",
        "cpc",
        "cvr",
    ),
    "leadgen": (
        "spend",
        "leads",
        "cpl",
        "qualified_leads",
        "cpql",
        "lead_to_mql",
        "mql_to_sal",
        "sal_to_won",
        "cpa",
        "clicks",
        "cpc",
        "ctr",
    ),
    "branding": (
        "spend",
        "impressions",
        "reach",
        "frequency",
        "video_views",
        "cpv",
        "clicks",
        "ctr",
        "cpm",
    ),
}


def sum_or_null(column: str) -> pl.Expr:
    """The column's sum, or null when no row has a value: a measure no source carries stays
    "no value" instead of becoming a false 0."""
    import polars as pl

    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).alias(column)


def total(series: pl.Series, empty: float | None = None) -> float | None:
    """``sum_or_null`` of a Series, as a float; ``empty`` for a Series with no rows."""
    if series.len() == 0:
        return empty
    return None if series.null_count() == series.len() else float(series.sum())


def volumes_needed(names: list[str] | tuple[str, ...]) -> list[str]:
    """The summed volumes required to compute ``names``, in catalog order."""
    needed: set[str] = set()
    for name in names:
        metric = CATALOG[name]
        if metric.is_ratio:
            needed.update({metric.numerator, metric.denominator})  # type: ignore[arg-type]
            if name == "roi":
                needed.update({"revenue", "spend"})
        else:
            needed.add(name)
    return [v for v in VOLUMES if v in needed]


def with_metrics(frame: pl.LazyFrame, names: list[str], margin: float = 1.0) -> pl.LazyFrame:
    """Add each ratio metric in ``names`` to a frame of summed volumes."""
    ratios = [CATALOG[n].expr(margin) for n in names if CATALOG[n].is_ratio]
    return frame.with_columns(ratios) if ratios else frame
