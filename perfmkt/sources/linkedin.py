"""LinkedIn Campaign Manager performance exports: a few preamble lines (report name, date
range, time zone) above the header; daily when "Time breakdown: Daily" was chosen."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat, has_any


def _matches(header: list[str]) -> bool:
    return has_any(header, "Total Spent", "Amount Spent") and has_any(
        header, "Campaign Name", "Campaign Group Name", "Start Date (in UTC)"
    )


LINKEDIN = ExportFormat(
    platform="linkedin",
    label="LinkedIn Campaign Manager export",
    matches=_matches,
    columns={
        "date": ("Start Date (in UTC)", "Date", "Day"),
        "account": ("Account Name",),
        "campaign": ("Campaign Name",),
        "ad": ("Ad Name", "Creative Name"),
        "currency": ("Currency",),
        "video_views": ("Video Views",),
        "spend": ("Total Spent", "Amount Spent"),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Clicks",),
        "conversions": ("Conversions",),
        "conversion_value": ("Conversion Value",),
        "orders": ("Conversions",),
        "revenue": ("Conversion Value",),
        "leads": ("Leads",),
    },
    how_to_export_daily="in Campaign Manager choose Export > Time breakdown: Daily",
    date_order="month_first",
)
