"""Meta Ads Manager exports broken down by day (``Day``, or one-day reporting ranges), at
campaign, ad set or ad level, English or Vietnamese UI."""

from __future__ import annotations

from perfmkt.sources.base import ExportFormat, has_any, starts_any


def _matches(header: list[str]) -> bool:
    return starts_any(header, "Amount spent", "Số tiền đã chi tiêu") or has_any(
        header, "Reporting starts", "Bắt đầu báo cáo"
    )


PURCHASES = ("Purchases", "Website purchases", "Lượt mua", "Lượt mua trên trang web")
PURCHASE_VALUE = (
    "Purchases conversion value",
    "Website purchases conversion value",
    "Giá trị chuyển đổi mua hàng",
    "Giá trị chuyển đổi lượt mua",
)

META = ExportFormat(
    platform="meta",
    label="Meta Ads Manager export",
    matches=_matches,
    columns={
        "date": ("Day", "Reporting starts", "Ngày", "Bắt đầu báo cáo"),
        "date_start": ("Reporting starts", "Bắt đầu báo cáo"),
        "date_end": ("Reporting ends", "Kết thúc báo cáo"),
        "account": ("Account name", "Account ID", "Tên tài khoản"),
        "campaign": ("Campaign name", "Tên chiến dịch"),
        "campaign_id": ("Campaign ID", "ID chiến dịch"),
        "ad_group": ("Ad set name", "Tên nhóm quảng cáo"),
        "ad": ("Ad name", "Tên quảng cáo"),
        "currency": ("Currency", "Đơn vị tiền tệ"),
        "video_views": ("ThruPlays", "Video plays", "Lượt ThruPlay"),
        "impressions": ("Impressions", "Lượt hiển thị"),
        "reach": ("Reach", "Người tiếp cận", "Lượt tiếp cận"),
        "clicks": ("Link clicks", "Lượt click vào liên kết", "Clicks (all)"),
        "conversions": PURCHASES,
        "conversion_value": PURCHASE_VALUE,
        "orders": PURCHASES,
        "revenue": PURCHASE_VALUE,
        "leads": ("Leads", "Meta leads", "Khách hàng tiềm năng"),
        # `Results` mixes result types and is never summed blindly: see `results_by_indicator`.
        "results": ("Results", "Kết quả"),
        "result_indicator": ("Result indicator", "Result type", "Chỉ báo kết quả", "Loại kết quả"),
        "attribution": ("Attribution setting", "Cài đặt phân bổ"),
    },
    prefixes={"spend": ("Amount spent", "Số tiền đã chi tiêu")},
    how_to_export_daily="in Ads Manager choose Breakdown > By time > Day, then Export table data",
    day_first_headers=("Tên chiến dịch", "Bắt đầu báo cáo"),
    signature="Amount spent (…) or Reporting starts",
)

# What a `Results` cell counts, by its indicator, when the export has no dedicated column.
RESULT_MEASURES = {
    "orders": ("purchase",),
    "leads": ("lead",),
}
