"""Google Ads UI report downloads: CSV or "CSV for Excel" (UTF-16, tabs), with the report name
and date-range lines above the header and ``Total: …`` rows below; English or Vietnamese UI."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat, Stated, has_any, range_line


def _matches(header: list[str]) -> bool:
    return has_any(header, "Campaign", "Chiến dịch") and has_any(
        header, "Cost", "Impr.", "Chi phí", "Lượt hiển thị", "Số lần hiển thị"
    )


def _stated(preamble: list[str]) -> Stated:
    """The date-range line under the report name (``27 January 2026 - 23 February 2026``;
    ``All time`` states no range)."""
    for number, line in enumerate(preamble, start=1):
        found = range_line(line)
        if found:
            start, end = found
            return Stated(range_start=start, range_end=end, range_from=f"date-range line {number}")
    return Stated()


GOOGLE_ADS = ExportFormat(
    platform="google_ads",
    label="Google Ads report",
    matches=_matches,
    columns={
        "date": ("Day", "Date", "Ngày"),
        "account": ("Account name", "Account", "Customer ID", "Tên tài khoản", "Tài khoản"),
        "campaign": ("Campaign", "Chiến dịch"),
        "campaign_id": ("Campaign ID", "ID chiến dịch"),
        "ad_group": ("Ad group", "Nhóm quảng cáo"),
        "ad": ("Ad", "Ad ID", "Quảng cáo"),
        "currency": ("Currency code", "Currency", "Mã đơn vị tiền tệ", "Đơn vị tiền tệ"),
        "video_views": ("Views", "Video views", "Lượt xem"),
        "spend": ("Cost", "Chi phí"),
        "impressions": ("Impr.", "Impressions", "Lượt hiển thị", "Số lần hiển thị"),
        "clicks": ("Clicks", "Lượt nhấp", "Số lượt nhấp"),
        # Default meaning for an e-commerce plan: Conversions are orders, Conv. value revenue;
        # for lead generation, Conversions are leads.
        "conversions": ("Conversions", "Lượt chuyển đổi", "Chuyển đổi"),
        "conversion_value": ("Conv. value", "Total conv. value", "Giá trị chuyển đổi"),
        "orders": ("Conversions", "Lượt chuyển đổi", "Chuyển đổi"),
        "revenue": ("Conv. value", "Total conv. value", "Giá trị chuyển đổi"),
        "leads": ("Conversions", "Lượt chuyển đổi", "Chuyển đổi"),
    },
    how_to_export_daily=(
        "in Google Ads open the report, add Segment > Time > Day, then Download as CSV"
    ),
    day_first_headers=("Ngày", "Chiến dịch", "Chi phí"),
    stated=_stated,
    signature="Campaign with Cost or Impr.",
)
