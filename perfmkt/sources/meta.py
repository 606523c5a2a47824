"""Meta Ads Manager exports with a daily breakdown (``Day``, or one-day reporting ranges)."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat


def _matches(header: list[str]) -> bool:
    return any(h.startswith("Amount spent") for h in header) or (
        "Reporting starts" in header and "Reporting ends" in header
    )


META = ExportFormat(
    platform="meta",
    label="Meta Ads Manager export",
    matches=_matches,
    date_columns=("Day", "Reporting starts"),
    text_columns={
        "account": ("Account name", "Account ID"),
        "campaign": ("Campaign name",),
        "ad_group": ("Ad set name",),
        "currency": ("Currency",),
    },
    # `Results` mixes result indicators and is never summed; purchases and leads have columns.
    measure_columns={
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Link clicks", "Clicks (all)"),
        "conversions": ("Purchases", "Website purchases"),
        "conversion_value": ("Purchases conversion value", "Website purchases conversion value"),
        "orders": ("Purchases", "Website purchases"),
        "revenue": ("Purchases conversion value", "Website purchases conversion value"),
        "leads": ("Leads", "Meta leads"),
    },
    measure_prefixes={"spend": ("Amount spent",)},
    how_to_export_daily=(
        "in Ads Manager choose Breakdown > By time > Day before Export table data"
    ),
)
