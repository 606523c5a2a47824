"""Google Ads UI report downloads (CSV or "CSV for Excel", with title and date-range lines)."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat


def _matches(header: list[str]) -> bool:
    names = set(header)
    return "Campaign" in names and ("Cost" in names or "Impr." in names)


GOOGLE_ADS = ExportFormat(
    platform="google_ads",
    label="Google Ads report",
    matches=_matches,
    date_columns=("Day", "Date"),
    text_columns={
        "account": ("Account name", "Account", "Customer ID"),
        "campaign": ("Campaign",),
        "ad_group": ("Ad group",),
        "currency": ("Currency code", "Currency"),
    },
    # Default meaning for an e-commerce plan: Conversions are orders, Conv. value is revenue.
    measure_columns={
        "spend": ("Cost",),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks",),
        "conversions": ("Conversions",),
        "conversion_value": ("Conv. value", "Total conv. value"),
        "orders": ("Conversions",),
        "revenue": ("Conv. value", "Total conv. value"),
        "leads": ("Conversions",),
    },
    how_to_export_daily=(
        "in Google Ads open the campaign report, add Segment > Time > Day, then Download"
    ),
)
