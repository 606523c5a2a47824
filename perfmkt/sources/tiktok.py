"""TikTok Ads Manager custom reports by day (a total row last; names vary in case)."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat, has_any


def _matches(header: list[str]) -> bool:
    return has_any(header, "Cost", "Total cost") and has_any(
        header, "Ad group name", "Clicks (destination)", "Impression", "Total complete payment"
    )


TIKTOK = ExportFormat(
    platform="tiktok",
    label="TikTok Ads Manager report",
    matches=_matches,
    columns={
        "date": ("By Day", "Date", "Day", "Stat time day"),
        "account": ("Advertiser name", "Account name"),
        "campaign": ("Campaign name",),
        "campaign_id": ("Campaign ID",),
        "ad_group": ("Ad group name",),
        "ad": ("Ad name",),
        "currency": ("Currency",),
        "video_views": ("Video views", "Video Views"),
        "spend": ("Cost", "Total cost"),
        "impressions": ("Impressions", "Impression"),
        "reach": ("Reach",),
        "clicks": ("Clicks (destination)", "Clicks", "Clicks (all)"),
        # DESIGN: TikTok Conversions / Total complete payment are orders / revenue.
        "conversions": ("Conversions",),
        "conversion_value": ("Total complete payment", "Complete payment value"),
        "orders": ("Conversions", "Complete payment"),
        "revenue": ("Total complete payment", "Complete payment value"),
        "leads": ("Conversions",),
    },
    how_to_export_daily="in TikTok Ads Manager set Breakdown > Time > Day before Export",
    signature="Cost with Impression or Clicks (destination)",
)
