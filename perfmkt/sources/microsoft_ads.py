"""Microsoft Advertising reports: a quoted preamble ("Report Name: …", "Rows: N"), a blank
line, the header, the rows, a blank line and a copyright footer. No currency column."""

from __future__ import annotations

import re
from datetime import datetime

from perfmkt.sources.base import (
    MONTH_FIRST,
    ExportFormat,
    Stated,
    has_any,
    preamble_values,
    range_line,
    rows_from_preamble,
)


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


PREAMBLE = re.compile(
    r'^"?(Report Time|Last Completed Available Day|Last Completed Available Hour):\s*(.*?)"?\s*$',
    re.IGNORECASE,
)


REPORT_TIME_SPLIT = re.compile(r"\s*,\s*|\s+[-–]\s+")  # 10/18/2022,10/25/2022


def _stamp(text: str) -> datetime | None:
    """``10/25/2022 5:25:00 PM (GMT)`` -> 2022-10-25 17:25."""
    text = re.sub(r"\s*\(.*\)\s*$", "", text).strip()
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _stated(preamble: list[str]) -> Stated:
    """``Report Time: 10/18/2022,10/25/2022`` (month first) and ``Last Completed Available
    Day/Hour: 10/25/2022 5:25:00 PM (GMT)``: the time the data was complete to, which a later
    download never has earlier."""
    found = preamble_values(preamble, PREAMBLE)
    days = range_line(found.get("report time", ""), MONTH_FIRST, REPORT_TIME_SPLIT)
    first, last = days or (None, None)
    stamps = {
        label: stamp
        for label in ("Last Completed Available Hour", "Last Completed Available Day")
        if label.lower() in found and (stamp := _stamp(found[label.lower()])) is not None
    }
    label, made_at = max(stamps.items(), key=lambda kv: kv[1], default=("", None))
    return Stated(
        range_start=first,
        range_end=last,
        range_from="Report Time line" if days else "",
        made_at=made_at,
        made_at_from=label,
    )


MICROSOFT_ADS = ExportFormat(
    platform="microsoft_ads",
    label="Microsoft Advertising report",
    matches=_matches,
    columns={
        "date": ("TimePeriod", "Gregorian date", "Day", "Date"),
        "account": ("AccountName", "Account name"),
        "campaign": ("CampaignName", "Campaign name"),
        "campaign_id": ("CampaignId", "Campaign ID"),
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
    stated=_stated,
    signature="Spend with TimePeriod, CampaignName or AdGroupName",
)
