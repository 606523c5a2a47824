"""Words in client-facing reports, in English and Vietnamese. Numbers, money and dates are
localized by Babel (``perfmkt.format``); these are the labels around them."""

from __future__ import annotations

import re

LOCALES = {"en": "en_US", "vi": "vi_VN"}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "Campaign pacing report",
        "flight": "Flight",
        "as_of": "As of",
        "day_of": "Day {elapsed} of {total}",
        "remaining": "{days} days remaining",
        "objective": "Campaign type",
        "coverage": "Data coverage",
        "coverage_text": "{files}, {rows} rows, {first} – {last}",
        "n_files": "{n} files",
        "one_file": "1 file",
        "scorecards": "KPIs, flight to date",
        "target": "Target",
        "expected": "Expected to date",
        "actual": "Actual to date",
        "pace": "Pace",
        "projection": "Projection at flight end",
        "needed": "Needed per day",
        "needed_ratio": "Needed for the rest",
        "status": "Status",
        "charts": "Charts",
        "chart_cumulative": "Cumulative {kpi}: actual vs plan",
        "chart_daily": "Daily {kpi} and target",
        "chart_channels": "Spend by channel",
        "weekly": "Weekly",
        "week": "Week",
        "days": "Days",
        "daily": "Daily, last {days} days",
        "date": "Date",
        "channels": "Channels",
        "channel": "Channel",
        "platform": "Platform",
        "share": "Share of spend",
        "channel_pacing": "Channel pacing",
        "wow": "This week vs last week",
        "previous_flight": "Same days of the previous flight ({campaign}, {start} – {end})",
        "this_flight": "This flight",
        "previous": "Previous flight",
        "this_week": "This week",
        "last_week": "Last week",
        "change": "Change",
        "alerts": "Alerts",
        "no_alerts": "No alert fired.",
        "action": "Action",
        "costs": "Media and all-in cost",
        "media": "Media",
        "fee": "Agency fee",
        "vat": "VAT",
        "fixed": "Fixed costs",
        "all_in": "All-in",
        "to_date": "To date",
        "projected": "Projected",
        "notes": "Data notes",
        "files_read": "Files read",
        "attribution": "attribution",
        "rows_skipped": "Rows left out",
        "overlaps": "Re-downloads counted once",
        "unclaimed": "Campaigns in no channel (left out)",
        "days_missing": "Days without data",
        "truth": "Platform-claimed vs the shop's own data",
        "platforms": "Platforms claim",
        "shop": "Shop",
        "sources_of": "Columns used",
        "warnings": "Warnings",
        "data_warnings": "Check the data before relying on these numbers",
        "tracked": "Also tracked",
        "prepared_by": "Prepared by {agency}",
        "projection_shape": "Projection: to date + remaining plan × recent efficiency.",
        "projection_run_rate": "Projection: to date + recent daily average × days left.",
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "overspend": "Overspend",
        "no_data": "No data",
        "plan": "Plan",
        "file": "File",
        "rows": "Rows",
        "rows_unit": "rows",
        # what a shop export holds, in the appendix's list of files (report.Notes.files)
        "platform_shop_orders": "shop orders",
        "platform_shop_leads": "shop leads",
        "reason": "Reason",
        "replaced_by": "Replaced by",
        "summary": "In brief",
        "projection_short": "Projection",
        "verdict": "Overall",
        "legend": "How to read the cards",
        "legend_actual": "actual to date",
        "legend_expected": "plan to date",
        "legend_projection": "projection at flight end",
        "legend_target": "flight target",
        "vs_last_week": "vs last week",
        "pace_trend": "Pace by day",
        "flight_progress": "Flight: day {elapsed} of {total}",
        "campaigns": "Campaigns by spend, to date",
        "campaign": "Campaign",
        "results": "Results",
        "cost_per": "Cost per {kpi}",
        "value": "Value",
        "change_of": "{what} vs last week",
        "delta_of": "Δ {what}",
        "change_window": (
            "Δ: {this_start} – {this_end} against the same days of the week before "
            "({last_start} – {last_end})."
        ),
        "others_count": "{count} campaigns",
        "one_campaign": "1 campaign",
        "drivers": "What drives the gap",
        "drivers_cost": "{kpi} above target: {amount} spent beyond the target {kpi}, from",
        "drivers_value": (
            "{kpi} below target: {amount} of {value} missing at the target {kpi}, from"
        ),
        "weeks_ahead": "Weeks ahead: targets",
        "week_plan": "actual / plan to date, pace",
        "appendix": "Appendix: data notes",
        "as_of_reason": "As-of day",
        "prepared_on": "Report of {date}",
        # chance to hit and the 80 % interval of the flight-end value (perfmkt.forecast)
        "chance": "Chance to hit",
        "chance_of": "chance to hit: {pct}",
        "chance_budget_of": "chance on budget: {pct}",
        "chance_budget_note": "{kpi}: the chance to end inside the on-budget band.",
        "interval": "80 % range",
        "interval_short": "80 %",
        "interval_of": "80 %: {range}",
        "legend_interval": "80 % range at flight end",
        # late conversions (perfmkt.lag)
        "immature_mark": "◔ {pct}",
        "immature": "results still arriving",
        "immature_legend": (
            "◔ share of the day's results in so far: platforms still add conversions to "
            "recent days, so these days look short"
        ),
        "immature_bars": "paler bars: results still arriving ({days})",
        "conversion_lag": "Late conversions",
        "conversion_lag_caption": "share of a day's eventual results in after 1, 2, 3… days",
        "lag_learned": "learned from re-downloads",
        "lag_plan": "from the plan",
        "lag_none": "none assumed",
        # what now (perfmkt.advice)
        "what_now": "What now",
        "move": "{source} → {target}: {amount}, about {gain} more {kpi}",
        "marginal_title": "Marginal cost of {kpi} at today's spend, by channel",
        "marginal_title_value": "Marginal {kpi}: revenue from the next unit of spend, by channel",
        "marginal": "Next one costs",
        "marginal_roas": "Marginal {kpi}",
        # after a marginal-cost table's title when the plan takes that result from the shop
        "marginal_claimed": " (platform-claimed)",
        "average_cost": "Average",
        "spend_per_day": "Spend/day",
        "days_fitted": "Days",
        "move_column": "Suggested move",
        "cannot_tell": "cannot tell: {reason}",
        "cannot_tell_bare": "cannot tell yet",
        "marginal_caption": (
            "Estimated from each channel's recent days, with 80 % ranges: a guide, not a certainty."
        ),
        "methods": "How the chance and the advice are worked out",
        "method_chance": "Chance to hit",
        "method_advice": "What now",
        # which orders are real: platform-claimed, placed in the shop, net (report.order_truth)
        "gap_title": "Which orders are real, flight to date",
        "gap_lead": "The platforms claim {claimed}; the shop received {placed} and kept {net} "
        "of them.",
        "gap_claimed": "Platforms claim",
        "gap_placed": "Placed in the shop",
        "gap_net": "Net: what the shop kept",
        "gap_ratio": "Claimed ÷ net",
        "lost_cancelled": "Cancelled",
        "lost_returned": "Returned or refunded",
        "lost_failed_delivery": "Failed delivery",
        "lost_refunded": "Refunded in part (order kept)",
        "lost_unknown": "Not net, the export does not say why",
        "gap_open": "Net can still fall: {orders} not yet delivered or paid ({revenue}){cod}.",
        "gap_open_cod": ", {count} of them cash on delivery",
        "gap_open_all_cod": ", all cash on delivery",
        "gap_none_lost": "No order placed in the flight so far was cancelled or returned.",
        "one_order": "1 order",
        "n_orders": "{n} orders",
        "gap_paced": "Pacing counts {items}.",
        "gap_paced_platforms": "Pacing counts what the platforms claim; the shop's figures are "
        "shown beside it.",
        "truth_shop_net": "shop, net",
        "truth_shop_placed": "shop, placed",
        "gap_channels": "By channel (the shop's orders by source)",
        "gap_col_claimed": "Claimed",
        "gap_col_placed": "Placed",
        "gap_col_net": "Net",
        "gap_col_ratio": "÷ net",
        "list_and": " and ",
    },
    "vi": {
        "report_title": "Báo cáo tiến độ chiến dịch",
        "flight": "Thời gian chạy",
        "as_of": "Số liệu đến ngày",
        "day_of": "Ngày {elapsed}/{total}",
        "remaining": "còn {days} ngày",
        "objective": "Loại chiến dịch",
        "coverage": "Phạm vi dữ liệu",
        "coverage_text": "{files}, {rows} dòng, {first} – {last}",
        "n_files": "{n} tệp",
        "one_file": "1 tệp",
        "scorecards": "Chỉ số chính, tính đến nay",
        "target": "Mục tiêu",
        "expected": "Kế hoạch đến nay",
        "actual": "Thực tế đến nay",
        "pace": "Tiến độ",
        "projection": "Dự báo cuối chiến dịch",
        "needed": "Cần mỗi ngày",
        "needed_ratio": "Cần cho phần còn lại",
        "status": "Trạng thái",
        "charts": "Biểu đồ",
        "chart_cumulative": "{kpi} lũy kế: thực tế và kế hoạch",
        "chart_daily": "{kpi} theo ngày và mục tiêu",
        "chart_channels": "Chi phí theo kênh",
        "weekly": "Theo tuần",
        "week": "Tuần",
        "days": "Ngày",
        "daily": "Theo ngày, {days} ngày gần nhất",
        "date": "Ngày",
        "channels": "Kênh",
        "channel": "Kênh",
        "platform": "Nền tảng",
        "share": "Tỷ trọng chi phí",
        "channel_pacing": "Tiến độ theo kênh",
        "wow": "Tuần này so với tuần trước",
        "previous_flight": "Cùng số ngày của đợt trước ({campaign}, {start} – {end})",
        "this_flight": "Đợt này",
        "previous": "Đợt trước",
        "this_week": "Tuần này",
        "last_week": "Tuần trước",
        "change": "Thay đổi",
        "alerts": "Cảnh báo",
        "no_alerts": "Không có cảnh báo.",
        "action": "Hành động",
        "costs": "Chi phí quảng cáo và tổng chi phí",
        "media": "Quảng cáo",
        "fee": "Phí agency",
        "vat": "VAT",
        "fixed": "Chi phí cố định",
        "all_in": "Tổng chi phí",
        "to_date": "Đến nay",
        "projected": "Dự báo",
        "notes": "Ghi chú dữ liệu",
        "files_read": "Tệp đã đọc",
        "attribution": "phân bổ chuyển đổi",
        "rows_skipped": "Dòng bị loại",
        "overlaps": "Tệp tải lại chỉ tính một lần",
        "unclaimed": "Chiến dịch không thuộc kênh nào (không tính)",
        "days_missing": "Ngày không có dữ liệu",
        "truth": "Nền tảng ghi nhận so với dữ liệu của shop",
        "platforms": "Nền tảng ghi nhận",
        "shop": "Shop",
        "sources_of": "Cột dữ liệu đã dùng",
        "warnings": "Lưu ý",
        "data_warnings": "Cần kiểm tra dữ liệu trước khi dùng các số liệu này",
        "tracked": "Theo dõi thêm",
        "prepared_by": "Thực hiện bởi {agency}",
        "projection_shape": "Dự báo: thực tế + kế hoạch còn lại × hiệu quả gần đây.",
        "projection_run_rate": "Dự báo: thực tế + trung bình ngày gần đây × số ngày còn lại.",
        "on_track": "Đúng tiến độ",
        "at_risk": "Có rủi ro",
        "off_track": "Chậm tiến độ",
        "overspend": "Vượt ngân sách",
        "no_data": "Chưa có dữ liệu",
        "plan": "Kế hoạch",
        "file": "Tệp",
        "rows": "Số dòng",
        "rows_unit": "dòng",
        "platform_shop_orders": "đơn hàng của shop",
        "platform_shop_leads": "khách hàng tiềm năng của shop",
        "reason": "Lý do",
        "replaced_by": "Thay bằng",
        "summary": "Tóm tắt",
        "projection_short": "Dự báo",
        "verdict": "Tình trạng chung",
        "legend": "Cách đọc thẻ chỉ số",
        "legend_actual": "thực tế đến nay",
        "legend_expected": "kế hoạch đến nay",
        "legend_projection": "dự báo cuối chiến dịch",
        "legend_target": "mục tiêu cả chiến dịch",
        "vs_last_week": "so với tuần trước",
        "pace_trend": "Tiến độ theo ngày",
        "flight_progress": "Chiến dịch: ngày {elapsed}/{total}",
        "campaigns": "Chiến dịch theo chi phí, tính đến nay",
        "campaign": "Chiến dịch",
        "results": "Kết quả",
        "cost_per": "Chi phí / {kpi}",
        "value": "Giá trị",
        "change_of": "{what} so với tuần trước",
        "delta_of": "Δ {what}",
        "change_window": (
            "Δ: {this_start} – {this_end} so với cùng các ngày tuần trước "
            "({last_start} – {last_end})."
        ),
        "others_count": "{count} chiến dịch",
        "one_campaign": "1 chiến dịch",
        "drivers": "Nguyên nhân chênh lệch",
        "drivers_cost": "{kpi} cao hơn mục tiêu: {amount} chi vượt so với {kpi} mục tiêu, đến từ",
        "drivers_value": (
            "{kpi} thấp hơn mục tiêu: thiếu {amount} {value} so với {kpi} mục tiêu, đến từ"
        ),
        "weeks_ahead": "Các tuần tới: mục tiêu",
        "week_plan": "thực tế / kế hoạch đến nay, tiến độ",
        "appendix": "Phụ lục: ghi chú dữ liệu",
        "as_of_reason": "Ngày chốt số liệu",
        "prepared_on": "Báo cáo ngày {date}",
        "chance": "Khả năng đạt",
        "chance_of": "khả năng đạt: {pct}",
        "chance_budget_of": "khả năng đúng ngân sách: {pct}",
        "chance_budget_note": "{kpi}: khả năng kết thúc trong khoảng đúng ngân sách.",
        "interval": "Khoảng 80 %",
        "interval_short": "80 %",
        "interval_of": "80 %: {range}",
        "legend_interval": "khoảng 80 % cuối chiến dịch",
        "immature_mark": "◔ {pct}",
        "immature": "kết quả còn đang về",
        "immature_legend": (
            "◔ phần kết quả của ngày đã về đến nay: nền tảng còn ghi nhận thêm chuyển đổi cho "
            "các ngày gần đây, nên các ngày này trông thấp hơn thực tế"
        ),
        "immature_bars": "cột nhạt: kết quả còn đang về ({days})",
        "conversion_lag": "Chuyển đổi ghi nhận muộn",
        "conversion_lag_caption": "phần kết quả cuối cùng của một ngày đã về sau 1, 2, 3… ngày",
        "lag_learned": "học từ các lần tải lại",
        "lag_plan": "theo kế hoạch",
        "lag_none": "giả định không có độ trễ",
        "what_now": "Nên làm gì tiếp",
        "move": "{source} → {target}: {amount}, thêm khoảng {gain} {kpi}",
        "marginal_title": "Chi phí cho thêm một {kpi} ở mức chi hiện tại, theo kênh",
        "marginal_title_value": "{kpi} biên: doanh thu từ đồng chi tiếp theo, theo kênh",
        "marginal": "Thêm một tốn",
        "marginal_roas": "{kpi} biên",
        "marginal_claimed": " (theo số nền tảng ghi nhận)",
        "average_cost": "Trung bình",
        "spend_per_day": "Chi phí/ngày",
        "days_fitted": "Số ngày",
        "move_column": "Đề xuất chuyển",
        "cannot_tell": "chưa đủ cơ sở: {reason}",
        "cannot_tell_bare": "chưa đủ cơ sở để ước tính",
        "marginal_caption": (
            "Ước tính từ các ngày gần đây của từng kênh, kèm khoảng 80 %: để tham khảo, không "
            "chắc chắn."
        ),
        "methods": "Cách tính khả năng đạt và đề xuất",
        "method_chance": "Khả năng đạt",
        "method_advice": "Nên làm gì tiếp",
        "gap_title": "Đơn hàng nào là thật, tính đến nay",
        "gap_lead": "Nền tảng ghi nhận {claimed}; shop nhận {placed} và giữ lại được {net}.",
        "gap_claimed": "Nền tảng ghi nhận",
        "gap_placed": "Khách đặt trên shop",
        "gap_net": "Còn lại sau hủy, hoàn, giao thất bại",
        "gap_ratio": "Ghi nhận ÷ sau hủy/hoàn",
        "lost_cancelled": "Đã hủy",
        "lost_returned": "Trả hàng/hoàn tiền",
        "lost_failed_delivery": "Giao không thành công",
        "lost_refunded": "Hoàn tiền một phần (đơn vẫn giữ)",
        "lost_unknown": "Không tính, tệp xuất không ghi lý do",
        "gap_open": "Số sau hủy/hoàn còn có thể giảm: {orders} chưa giao xong hoặc chưa thanh "
        "toán ({revenue}){cod}.",
        "gap_open_cod": ", trong đó {count} thanh toán khi nhận hàng (COD)",
        "gap_open_all_cod": ", tất cả thanh toán khi nhận hàng (COD)",
        "gap_none_lost": "Chưa có đơn nào đặt trong thời gian chạy bị hủy hoặc trả lại.",
        "one_order": "1 đơn",
        "n_orders": "{n} đơn",
        "gap_paced": "Tiến độ tính theo {items}.",
        "gap_paced_platforms": "Tiến độ tính theo số nền tảng ghi nhận; số của shop để đối chiếu.",
        "truth_shop_net": "shop, sau hủy/hoàn",
        "truth_shop_placed": "shop, đã đặt",
        "gap_channels": "Theo kênh (đơn của shop theo nguồn)",
        "gap_col_claimed": "Ghi nhận",
        "gap_col_placed": "Đã đặt",
        "gap_col_net": "Sau hủy/hoàn",
        "gap_col_ratio": "÷ sau hủy/hoàn",
        "list_and": " và ",
    },
}

# Metric names in Vietnamese reports (the English ones are the catalog labels).
KPI_LABELS_VI = {
    "spend": "Chi phí",
    "impressions": "Lượt hiển thị",
    "reach": "Người tiếp cận",
    "clicks": "Lượt nhấp",
    "conversions": "Chuyển đổi",
    "leads": "Khách hàng tiềm năng",
    "qualified_leads": "KHTN đủ điều kiện",
    "orders": "Đơn hàng",
    "revenue": "Doanh thu",
    "video_views": "Lượt xem video",
    "new_customers": "Khách hàng mới",
    "sals": "SAL",
    "wins": "Hợp đồng",
    "new_customer_share": "Tỷ lệ khách mới",
    "cpnc": "Chi phí / khách mới",
    "frequency": "Tần suất",
    "lead_to_mql": "KHTN → MQL",
    "mql_to_sal": "MQL → SAL",
    "sal_to_won": "SAL → hợp đồng",
}

OBJECTIVES = {
    "en": {"ecommerce": "E-commerce", "leadgen": "Lead generation", "branding": "Branding"},
    "vi": {
        "ecommerce": "Thương mại điện tử",
        "leadgen": "Thu khách hàng tiềm năng",
        "branding": "Nhận diện thương hiệu",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def kpi_label(name: str, english: str, language: str) -> str:
    if language == "vi":
        return KPI_LABELS_VI.get(name, english)
    return english


# Alerts in Vietnamese reports, from the alert's kind and values (perfmkt.alerts.Alert).
ALERTS_VI: dict[str, str | dict[str, str]] = {
    "status": {
        "off_track": "{kpi} chậm tiến độ: đạt {pace} kế hoạch đến nay",
        "overspend": "{kpi} vượt ngân sách: {pace} kế hoạch đến nay",
    },
    "no_result": "{kpi} chậm tiến độ: đã chi tiền nhưng chưa có kết quả nào đến nay",
    "unplanned_spend": "{kpi} vượt ngân sách: đã chi {actual} khi kế hoạch đến nay là 0",
    "pace_above": "{kpi}: tiến độ {pace} kế hoạch đến nay",
    "pace_below": "{kpi}: tiến độ {pace} kế hoạch đến nay",
    "above_target_by": (
        "{kpi} cao hơn mục tiêu ngày trên {threshold} trong {days} ngày liên tiếp "
        "(nhiều nhất {gap}: {actual} so với {target})"
    ),
    "below_target_by": (
        "{kpi} thấp hơn mục tiêu ngày trên {threshold} trong {days} ngày liên tiếp "
        "(nhiều nhất {gap}: {actual} so với {target})"
    ),
    "anomaly_sd": (
        "{kpi} ngày {day} là {value}, {side} trung bình {window} ngày ({mean}) {sds} độ lệch chuẩn"
    ),
}
# The English messages that carry a KPI's own numbers, written again with the report's number
# format (perfmkt.alerts writes them plainly: "568,480.88 vs 297,520.66" for a CPO in đồng).
ALERTS_EN: dict[str, str] = {
    "above_target_by": (
        "{kpi} above its daily target by more than {threshold} on each of the last {days} "
        "day(s) (at most {gap}: {actual} vs {target})"
    ),
    "below_target_by": (
        "{kpi} below its daily target by more than {threshold} on each of the last {days} "
        "day(s) (at most {gap}: {actual} vs {target})"
    ),
    "anomaly_sd": (
        "{kpi} on {day} is {value}, {sds} standard deviations {side} its {window}-day mean of "
        "{mean}"
    ),
}
RULES_VI = {
    "status": "{kpi} {status}",
    "no_result": "{kpi} {status}",
    "unplanned_spend": "{kpi} {status}",
    "pace_above": "tiến độ {kpi} trên {threshold}",
    "pace_below": "tiến độ {kpi} dưới {threshold}",
    "above_target_by": "{kpi} cao hơn mục tiêu {threshold} trong {days} ngày",
    "below_target_by": "{kpi} thấp hơn mục tiêu {threshold} trong {days} ngày",
    "anomaly_sd": "{kpi} lệch quá {threshold} độ lệch chuẩn so với {window} ngày trước",
}

# Why rows were left out, in Vietnamese reports (the notes carry the English reasons).
REASONS_VI = {
    "outside the flight": "ngoài thời gian chạy",
    "'No data available.' marker": "dòng 'No data available.'",
    "totals rows and footers (never data: rows are summed instead)": (
        "dòng tổng và chân trang (không phải dữ liệu: báo cáo tự cộng các dòng)"
    ),
    "rows without a campaign name (account totals)": (
        "dòng không có tên chiến dịch (tổng tài khoản)"
    ),
    "line-item rows (the order is counted on its first row)": (
        "dòng sản phẩm (đơn hàng được tính ở dòng đầu tiên)"
    ),
    "cancelled, refunded or voided orders": "đơn đã hủy, hoàn tiền hoặc vô hiệu",
    "repeated order_ids": "mã đơn lặp lại",
    # the marketplaces' order exports (perfmkt.sources.marketplaces)
    "order lines after each order's first (an order is counted once)": (
        "dòng sản phẩm sau dòng đầu của mỗi đơn (mỗi đơn chỉ tính một lần)"
    ),
    "column descriptions under the header": "dòng mô tả cột dưới dòng tiêu đề",
    "repeated orderItemIds": "mã orderItemId lặp lại",
    "repeated lead_ids": "mã khách hàng tiềm năng lặp lại",
}


# Sentences the data notes build around names and dates (why a download is the newer one, what
# freshness warns of, what a reader noticed in an export, why pacing stops on the as-of day),
# in Vietnamese: the English pattern, then its Vietnamese form. Every sentence the code writes
# into a report has one (tests/test_documents.py collects them from the producers).
_FILE = r"(.+?)"  # a file a warning is about, written before its sentence as "path: …"
SENTENCES_VI = [
    # why the as-of day is the as-of day (report.as_of_reason)
    (r"the as-of day asked for", "ngày số liệu được chọn"),
    (
        r"flight end \(the as-of day asked for, (\S+), is after it\)",
        "ngày kết thúc chiến dịch (ngày số liệu được chọn, {0}, sau ngày này)",
    ),
    (r"flight end", "ngày kết thúc chiến dịch"),
    (r"yesterday in (.+)", "hôm qua theo giờ {0}"),
    (r"latest complete day in the data", "ngày đầy đủ gần nhất trong dữ liệu"),
    (
        r"last day every source covers, (.+)'s last",
        "ngày cuối mà mọi nguồn đều có, ngày cuối của {0}",
    ),
    (
        r"the day before (\S+), which the (.+) export holds only in part \(downloaded (.+)\)",
        "ngày trước {0}, ngày mà tệp {1} chỉ có một phần (tải lúc {2})",
    ),
    # rows left out, re-downloads
    (r"after the as-of date (\S+)", "sau ngày số liệu {0}"),
    (r"covers up to (\S+), later than (\S+)", "có số liệu đến {0}, sau {1}"),
    (r"same range; modified later", "cùng khoảng ngày; tệp được sửa sau"),
    (r"both cover up to (\S+); modified later", "cả hai có số liệu đến {0}; tệp được sửa sau"),
    (
        r"same range and modification time; named later",
        "cùng khoảng ngày và thời điểm sửa; tên tệp xếp sau",
    ),
    (
        r"both cover up to (\S+) and modification time; named later",
        "cả hai có số liệu đến {0}, cùng thời điểm sửa; tên tệp xếp sau",
    ),
    (
        r"both cover up to (\S+); made (\S+ \S+), later than (\S+ \S+)",
        "cả hai có số liệu đến {0}; tạo lúc {1}, sau {2}",
    ),
    (r"made (\S+ \S+), later than (\S+ \S+)", "tạo lúc {0}, sau {1}"),
    (
        r"both cover up to (\S+); (.+?) (\S+ \S+), later than (\S+ \S+)",
        "cả hai có số liệu đến {0}; tạo lúc {2} ({1}), sau {3}",
    ),
    (r"named later \(download_order: name\)", "tên tệp xếp sau (download_order: name)"),
    (r"modified later \(download_order: modified\)", "tệp được sửa sau (download_order: modified)"),
    (
        r"same modification time; named later \(download_order: modified\)",
        "cùng thời điểm sửa; tên tệp xếp sau (download_order: modified)",
    ),
    (r"(.+?) (\S+ \S+), later than (\S+ \S+)", "tạo lúc {1} ({0}), sau {2}"),
    # freshness
    (
        r"(.+?) lags: its exports end on (\S+) \((.*)\); pacing stops at (\S+) so \1 does not "
        r"count as 0 on later days",
        "{0} cập nhật chậm: số liệu chỉ đến {1} ({2}); báo cáo dừng ở {3} để {0} không bị tính "
        "là 0 cho các ngày sau",
    ),
    (
        r"(.+) was downloaded at (.+) \((.+)\), during (\S+), its last day: \4 is incomplete and "
        r"not paced",
        "{0} được tải lúc {1} ({2}), khi ngày {3} chưa kết thúc: ngày {3} chưa đủ số liệu nên "
        "không được tính",
    ),
    (
        r"as-of (\S+) is past (.+?)'s last complete day \(its exports end on (\S+)\): \2 counts "
        r"as 0 after \3",
        "ngày số liệu {0} sau ngày đầy đủ cuối cùng của {1} ({2}): {1} được tính là 0 sau {2}",
    ),
    (
        r"as-of (\S+) is past (.+?)'s last complete day \(its (\S+) was downloaded part-way, "
        r"at (.+)\): \3 counts only in part",
        "ngày số liệu {0} sau ngày đầy đủ cuối cùng của {1}: ngày {2} được tải giữa chừng "
        "(lúc {3}) nên chỉ có một phần số liệu",
    ),
    # the plan and its channels
    (
        r"channel '(.+)' \((.+), campaigns '(.*)'\) matches no rows: its numbers are 0",
        "kênh '{0}' ({1}, chiến dịch '{2}') không khớp dòng nào: số liệu của kênh là 0",
    ),
    (
        r"channel '(.+)' \((.+)\) matches no rows: its numbers are 0",
        "kênh '{0}' ({1}) không khớp dòng nào: số liệu của kênh là 0",
    ),
    (
        r"channel '(.+)' expects attribution (.+), but (.+) was exported with '(.+)'",
        "kênh '{0}' dùng cách phân bổ {1}, nhưng {2} được xuất với '{3}'",
    ),
    (
        r"no claimed rows between (\S+) and (\S+): check that the exports cover the flight and "
        r"that the channels' campaign patterns match",
        "không có dòng nào thuộc các kênh từ {0} đến {1}: hãy kiểm tra các tệp xuất có bao phủ "
        "thời gian chạy và mẫu tên chiến dịch của các kênh có khớp không",
    ),
    (
        r"weekday_weights: learn needs at least one full week of spend: weights are flat",
        "weekday_weights: learn cần ít nhất một tuần chi phí đầy đủ: các ngày trong tuần có "
        "trọng số như nhau",
    ),
    (r"(.+) matches no file \(looked in (.+)\)", "{0} không khớp tệp nào (đã tìm trong {1})"),
    (
        r"(.+) states no currency: its amounts are taken as (\S+) \(set currency: on its source "
        r"to say which\)",
        "{0} không ghi đơn vị tiền tệ: số tiền được hiểu là {1} (đặt currency: cho nguồn này để "
        "nói rõ)",
    ),
    # what a reader noticed in one export ("path: sentence")
    (_FILE + r": no data rows", "{0}: không có dòng dữ liệu"),
    (
        _FILE + r": (\d+) rows? ha(?:s|ve) fewer cells than the header's (\d+) \(first: row "
        r"(\d+), (\d+) cells\): the cells missing at the end of the line are read as empty, as a "
        r"spreadsheet that drops trailing empty cells means them",
        "{0}: {1} dòng có ít ô hơn {2} cột của dòng tiêu đề (đầu tiên: dòng {3}, {4} ô): các ô "
        "thiếu ở cuối dòng được đọc là trống, như bảng tính bỏ các ô trống cuối dòng",
    ),
    (
        _FILE + r": (\d+) rows? with a negative (.+) \(a conversion adjustment\?\): summed as "
        r"written",
        "{0}: {1} dòng có {2} âm (điều chỉnh chuyển đổi?): được cộng đúng như trong tệp",
    ),
    (
        _FILE + r": (.+) holds ids in scientific notation \(a spreadsheet re-save\?\): they are "
        r"not used, campaigns are matched by name",
        "{0}: cột {1} chứa mã ở dạng số mũ (tệp được lưu lại bằng bảng tính?): các mã này không "
        "được dùng, chiến dịch được ghép theo tên",
    ),
    (
        _FILE + r": (\d+) campaign-days? (?:is|are) on more than one row with different figures "
        r"and no column telling them apart \(first: (.+) on (\S+), rows (\d+) and (\d+)\): "
        r"summed — two campaigns sharing a name, or two downloads pasted into one file\?",
        "{0}: {1} ngày-chiến dịch nằm trên nhiều dòng với số liệu khác nhau mà không có cột nào "
        "phân biệt (đầu tiên: {2} ngày {3}, dòng {4} và {5}): đã cộng lại — hai chiến dịch trùng "
        "tên, hay hai lần tải được dán vào một tệp?",
    ),
    (
        _FILE + r": the stated range \((.+)\) is (\S+) to (\S+) but the rows run (\S+) to "
        r"(\S+): it is not used to order re-downloads",
        "{0}: khoảng ngày ghi trong tệp ({1}) là {2} đến {3} nhưng các dòng chạy từ {4} đến {5}: "
        "khoảng này không được dùng để xếp thứ tự các lần tải lại",
    ),
]
# What a conversion-lag curve rests on (perfmkt.lag's ``detail``) and why a channel's marginal
# cost cannot be told (perfmkt.advice's ``reason``): the appendix and "what now" say them. The
# figures after the counts (results, ± errors) stay in the English report only.
SENTENCES_VI += [
    (
        r"learned from (\d+) downloads?, (\d+) days? seen twice.*; used instead of the plan's "
        r"conversion_lag.*",
        "học từ {0} lần tải, {1} ngày được tải hai lần; dùng thay cho conversion_lag trong kế "
        "hoạch",
    ),
    (
        r"learned from (\d+) downloads?, (\d+) days? seen twice.*",
        "học từ {0} lần tải, {1} ngày được tải hai lần",
    ),
    (
        r"the plan's conversion_lag(?:: | \().*",
        "theo conversion_lag trong kế hoạch, vì các lần tải lại chưa đủ để học",
    ),
    (
        r"none: .*",
        "không có: chưa học được từ các lần tải lại và kế hoạch không có conversion_lag, nên kết "
        "quả được coi là đã về đủ",
    ),
    (r"too few days: none with spend", "quá ít ngày: chưa có ngày nào có chi tiêu"),
    (
        r"too few days: (\d+) with spend \((\d+) needed\)",
        "quá ít ngày: {0} ngày có chi tiêu (cần {1})",
    ),
    (r"no results in the last (\d+) days", "không có kết quả nào trong {0} ngày gần nhất"),
    (r"no spend in the last (\d+) days", "không có chi tiêu trong {0} ngày gần nhất"),
    (
        r"too little spend variation: daily spend varied by about ±(\d+)%",
        "chi tiêu quá ít biến động: chi tiêu mỗi ngày chỉ dao động khoảng ±{0}%",
    ),
    (r"interval too wide(?:: .*)?", "khoảng ước tính quá rộng"),
]
# What reading the shop's order exports noticed (perfmkt.sources.shopify_analytics, .load).
SENTENCES_VI += [
    (
        _FILE + r": Shopify's sales reports date a return on the day it is made, not on its "
        r"order's day: .*",
        "{0}: báo cáo doanh số của Shopify ghi hàng trả vào ngày trả, không phải ngày đặt đơn: "
        "doanh thu sau hủy/hoàn là doanh số mỗi ngày trừ hàng trả trong ngày đó, và không biết "
        "đơn nào còn lại (không đếm đơn sau hủy/hoàn)",
    ),
    (
        _FILE + r": Sales by product leaves shipping out \(it is not a product's\): .*",
        "{0}: Sales by product không tính phí vận chuyển (không thuộc sản phẩm nào): Total "
        "sales của báo cáo là tiền sản phẩm và thuế",
    ),
    (
        _FILE + r": Sales over time covers its days: orders and revenue come from there",
        "{0}: Sales over time có đủ các ngày của tệp này: đơn hàng và doanh thu lấy từ đó",
    ),
    (
        _FILE + r": Shopify's orders export lists orders on (\d+) of its days too: .*",
        "{0}: tệp đơn hàng của Shopify cũng liệt kê đơn của {1} ngày trong tệp này: các đơn đó "
        "bị tính hai lần (chỉ đọc một trong hai tệp cho shop này)",
    ),
    (
        _FILE + r": (\d+) days? supplied by the newer download (.+)",
        "{0}: {1} ngày lấy từ lần tải mới hơn {2}",
    ),
]
_SENTENCES_VI = [(re.compile(pattern), vi) for pattern, vi in SENTENCES_VI]


def reason(text: str, language: str) -> str:
    """A data-note sentence (a reason rows were left out, why a download is newer, a warning)
    in the report's language; one no pattern knows stays as written."""
    if language != "vi":
        return text
    if text in REASONS_VI:
        return REASONS_VI[text]
    for pattern, vi in _SENTENCES_VI:
        match = pattern.fullmatch(text)
        if match:
            return vi.format(*match.groups())
    return text
