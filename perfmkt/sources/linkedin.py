"""LinkedIn Campaign Manager performance exports: a few preamble lines (report name, date
range, time zone) above the header; daily when "Time breakdown: Daily" was chosen."""

from __future__ import annotations

import re
from datetime import datetime

from perfmkt.sources.base import (
    MONTH_FIRST,
    ExportFormat,
    Stated,
    day_range,
    has_any,
    preamble_values,
)


def _matches(header: list[str]) -> bool:
    return has_any(header, "Total Spent", "Amount Spent") and has_any(
        header, "Campaign Name", "Campaign Group Name", "Start Date (in UTC)"
    )


PREAMBLE = re.compile(r'^"?(Report Start|Report End|Date Generated):\s*(.+?)"?\s*$', re.IGNORECASE)


def _stated(preamble: list[str]) -> Stated:
    """``Report Start: 3/1/2026, 12:00 AM``, ``Report End: …`` and ``Date Generated: 3/3/2026,
    9:14 AM`` (month first, as LinkedIn always writes them)."""
    found = preamble_values(preamble, PREAMBLE)
    start, end = (found.get(f"report {edge}", "").split(",")[0] for edge in ("start", "end"))
    days = day_range(start, end, MONTH_FIRST)
    first, last = days or (None, None)
    try:
        made_at = datetime.strptime(found.get("date generated", ""), "%m/%d/%Y, %I:%M %p")
    except ValueError:
        made_at = None
    return Stated(
        range_start=first,
        range_end=last,
        range_from="Report Start/End lines" if days else "",
        made_at=made_at,
        made_at_from="Date Generated" if made_at else "",
    )


LINKEDIN = ExportFormat(
    platform="linkedin",
    label="LinkedIn Campaign Manager export",
    matches=_matches,
    columns={
        "date": ("Start Date (in UTC)", "Date", "Day"),
        "account": ("Account Name",),
        "campaign": ("Campaign Name",),
        "campaign_id": ("Campaign ID",),
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
    stated=_stated,
    signature="Total Spent or Amount Spent with Campaign Name",
)
