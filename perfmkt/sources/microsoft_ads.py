"""Microsoft Advertising reports: a quoted preamble ("Report Name: …", "Rows: N"), a blank
line, the header, the rows, a blank line and a copyright footer. No currency column."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat, has_any, rows_from_preamble


def _matches(header: list[str]) -> bool:
    return has_any(header, "Spend") and has_any(
        header,
        "TimePeriod",
        "Gregorian date",
        "AccountName",
        "CampaignName",
        "AdGroupName",
        "Campaign name",
        "Ad group",
    )


MICROSOFT_ADS = ExportFormat(
    platform="microsoft_ads",
    label="Microsoft Advertising report",
    matches=_matches,
    columns={
        "date": ("TimePeriod", "Gregorian date", "Day", "Date"),
        "account": ("AccountName", "Account name"),
        "campaign": ("CampaignName", "Campaign name"),
        "ad_group": ("AdGroupName", "Ad group"),
        "ad": ("AdId", "Ad ID", "Ad title"),
        "currency": ("CurrencyCode", "Currency code", "Currency"),
        "video_views": ("VideoViews", "Video views"),
        "spend": ("Spend",),
        "impressions": ("Impressions", "Impr."),
        "clicks": ("Clicks",),
        "conversions": ("Conversions", "Conv."),
        "conversion_value": ("Revenue",),
        "orders": ("Conversions", "Conv."),
        "revenue": ("Revenue",),
        "leads": ("Conversions", "Conv."),
    },
    how_to_export_daily="in Microsoft Advertising set the report's Time unit to Day",
    announced_rows=rows_from_preamble,
)
