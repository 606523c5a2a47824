"""Shop order exports written the way each system writes them, for tests.

``write_xlsx`` writes a real .xlsx workbook (Office Open XML, a zip of XML parts) with the
standard library: no spreadsheet writer is a dependency. Cells are text (inline strings),
numbers, or Excel date serials with a date style — the three kinds real exports hold.

The generators below lay out files exactly as the documented exports do (header names,
order-level columns repeated on every line, Shopee's NFD headers, TikTok Shop's description
row and trailing tabs); each test writes the figures it checks by hand.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

Cell = str | int | float | date | datetime | None

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/></Types>'
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 1: a date-time number format (yyyy-mm-dd hh:mm), so Excel and readers see a date.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _serial(value: date | datetime) -> float:
    """Excel's day number (1900 date system)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment - datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def _cell(ref: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date | datetime):
        return f'<c r="{ref}" s="1"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def write_xlsx(path: Path, rows: Sequence[Sequence[Cell]], sheet: str = "orders") -> Path:
    """Write ``rows`` (the first is the header) as the only sheet of a workbook at ``path``."""
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def nfd(text: str) -> str:
    """``text`` in decomposed Unicode, as some Shopee exports write their headers."""
    return unicodedata.normalize("NFD", text)


# ---- Shopee: Seller Center → Đơn hàng → Xuất (Order.all.YYYYMMDD_YYYYMMDD.xlsx) ------------

# The header of a real export, in its order (as listed by importers of the file on GitHub).
SHOPEE_HEADER = [
    "Mã đơn hàng", "Mã Kiện Hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng",
    "Sản Phẩm Bán Chạy", "Lý do hủy", "Nhận xét từ Người mua", "Mã vận đơn",
    "Đơn Vị Vận Chuyển", "Phương thức giao hàng", "Loại đơn hàng", "Ngày giao hàng dự kiến",
    "Ngày gửi hàng", "Thời gian giao hàng", "Trạng thái Trả hàng/Hoàn tiền", "SKU sản phẩm",
    "Tên sản phẩm", "Cân nặng sản phẩm", "Tổng cân nặng", "Tên kho hàng",
    "SKU phân loại hàng", "Tên phân loại hàng", "Giá gốc", "Người bán trợ giá",
    "Được Shopee trợ giá", "Tổng số tiền được người bán trợ giá", "Giá ưu đãi", "Số lượng",
    "Số lượng sản phẩm được hoàn trả", "Tổng số tiền Người mua thanh toán",
    "Tổng giá trị đơn hàng (VND)", "Mã giảm giá của Shop", "Hoàn Xu", "Mã giảm giá của Shopee",
    "Chỉ tiêu Combo Khuyến Mãi", "Giảm giá từ combo Shopee", "Giảm giá từ Combo của Shop",
    "Shopee Xu được hoàn", "Số tiền được giảm khi thanh toán bằng thẻ Ghi nợ",
    "Trade-in Discount", "Trade-in Bonus", "Phí vận chuyển (dự kiến)",
    "Trade-in Bonus by Seller", "Phí vận chuyển mà người mua trả",
    "Phí vận chuyển tài trợ bởi Shopee (dự kiến)",
    "Phí vận chuyển trả hàng (đơn Trả hàng/hoàn tiền)", "Tổng số tiền người mua thanh toán",
    "Thời gian hoàn thành đơn hàng", "Thời gian đơn hàng được thanh toán",
    "Phương thức thanh toán", "Phí cố định", "Phí Dịch Vụ", "Phí thanh toán", "Tiền ký quỹ",
    "Người Mua", "Tên Người nhận", "Số điện thoại", "Tỉnh/Thành phố", "TP / Quận / Huyện",
    "Quận", "Địa chỉ nhận hàng", "Quốc gia", "Ghi chú",
]  # fmt: skip
# Headers some exports write decomposed (NFD).
SHOPEE_NFD = ("Mã đơn hàng", "Trạng Thái Đơn Hàng", "Ngày đặt hàng", "Lý do hủy")
COD_VI = "Thanh toán khi nhận hàng"


def shopee_line(
    order: str,
    placed: Cell,
    status: str,
    value: Cell,
    price: Cell,
    quantity: int = 1,
    returned: int = 0,
    return_status: str = "",
    reason: str = "",
    payment: str = COD_VI,
    product: str = "Trà sen Tây Hồ",
) -> dict[str, Cell]:
    """One order line: the order's fields (repeated on each of its lines) and the item's."""
    return {
        "Mã đơn hàng": order,
        "Ngày đặt hàng": placed,
        "Trạng Thái Đơn Hàng": status,
        "Lý do hủy": reason or None,
        "Trạng thái Trả hàng/Hoàn tiền": return_status or None,
        "Tên sản phẩm": product,
        "Giá gốc": price,
        "Giá ưu đãi": price,
        "Số lượng": quantity,
        "Số lượng sản phẩm được hoàn trả": returned,
        "Tổng giá trị đơn hàng (VND)": value,
        "Phương thức thanh toán": payment,
        "Quốc gia": "VN",
    }


def write_shopee(path: Path, lines: Sequence[dict[str, Cell]], nfd_headers: bool = True) -> Path:
    """A Shopee order workbook: the full header (some of it NFD), one row per order line."""
    header = [nfd(h) if nfd_headers and h in SHOPEE_NFD else h for h in SHOPEE_HEADER]
    rows = [[line.get(h) for h in SHOPEE_HEADER] for line in lines]
    return write_xlsx(path, [header, *rows], sheet="orders")


# ---- TikTok Shop: Seller Center → Đơn hàng → Tất cả → Xuất (CSV) ---------------------------

TIKTOK_HEADER = [
    "Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type",
    "Normal or Pre-order", "SKU ID", "Seller SKU", "Product Name", "Variation", "Quantity",
    "Sku Quantity of return", "SKU Unit Original Price", "SKU Subtotal Before Discount",
    "SKU Platform Discount", "SKU Seller Discount", "SKU Subtotal After Discount",
    "Shipping Fee After Discount", "Original Shipping Fee", "Shipping Fee Seller Discount",
    "Shipping Fee Platform Discount", "Payment platform discount", "Taxes", "Order Amount",
    "Order Refund Amount", "Created Time", "Paid Time", "RTS Time", "Shipped Time",
    "Delivered Time", "Cancelled Time", "Cancel By", "Cancel Reason", "Fulfillment Type",
    "Warehouse Name", "Tracking ID", "Delivery Option", "Shipping Provider Name",
    "Buyer Message", "Buyer Username", "Recipient", "Phone #", "Country", "Province",
    "District", "Commune", "Detail Address", "Additional address information",
    "Payment Method", "Weight(kg)", "Product Category", "Package ID", "Seller Note",
    "Checked Status", "Checked Marked by",
]  # fmt: skip
TIKTOK_DESCRIPTIONS = {
    "Order ID": "Platform unique order ID.",
    "Order Status": "The current status of the order.",
    "Created Time": "The time the buyer placed the order.",
    "Order Amount": "Total amount the buyer paid for the order.",
}


def tiktok_line(
    order: str,
    created: str,
    status: str,
    amount: str,
    quantity: int = 1,
    returned: int = 0,
    kind: str = "",
    refund: str = "0",
    substatus: str = "",
    reason: str = "",
    payment: str = "Cash on delivery",
    sku: str = "SEN-01",
) -> dict[str, str]:
    return {
        "Order ID": order,
        "Order Status": status,
        "Order Substatus": substatus or status,
        "Cancelation/Return Type": kind,
        "Normal or Pre-order": "Normal",
        "Seller SKU": sku,
        "Quantity": str(quantity),
        "Sku Quantity of return": str(returned),
        "Order Amount": amount,
        "Order Refund Amount": refund,
        "Created Time": created,
        "Cancel Reason": reason,
        "Country": "Vietnam",
        "Payment Method": payment,
    }


def write_tiktok_csv(path: Path, lines: Sequence[dict[str, str]]) -> Path:
    """TikTok Shop's CSV: UTF-8 with a BOM, a row of column descriptions under the header,
    every value ending with a tab (so Excel keeps long ids as text)."""

    def quoted(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' if c else "" for c in cells)

    text = [quoted(TIKTOK_HEADER), quoted([TIKTOK_DESCRIPTIONS.get(h, h) for h in TIKTOK_HEADER])]
    for line in lines:
        text.append(quoted([line[h] + "\t" if line.get(h) else "" for h in TIKTOK_HEADER]))
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(text) + "\r\n").encode("utf-8"))
    return path


# ---- Lazada: Seller Center → Orders → Export (.xlsx) -------------------------------------

LAZADA_HEADER = [
    "orderItemId", "orderType", "Guarantee", "deliveryType", "lazadaId", "sellerSku",
    "lazadaSku", "wareHouse", "createTime", "updateTime", "rtsSla", "ttsSla", "orderNumber",
    "invoiceRequired", "invoiceNumber", "deliveredDate", "customerName", "customerEmail",
    "shippingName", "shippingAddress", "shippingCity", "shippingCountry", "billingName",
    "payMethod", "paidPrice", "unitPrice", "sellerDiscountTotal", "shippingFee",
    "walletCredit", "itemName", "variation", "shippingProvider", "trackingCode", "status",
    "buyerFailedDeliveryReturnInitiator", "buyerFailedDeliveryReason",
    "buyerFailedDeliveryDetail", "bundleId", "bundleDiscount", "refundAmount",
]  # fmt: skip


def lazada_item(
    item: str,
    order: str,
    created: str,
    status: str,
    paid: Cell,
    pay: str = "COD",
    refund: Cell = 0,
    failed_reason: str = "",
) -> dict[str, Cell]:
    return {
        "orderItemId": item,
        "orderType": "Normal",
        "createTime": created,
        "orderNumber": order,
        "payMethod": pay,
        "paidPrice": paid,
        "unitPrice": paid,
        "itemName": "Trà sen",
        "status": status,
        "buyerFailedDeliveryReason": failed_reason or None,
        "refundAmount": refund,
    }


def write_lazada(path: Path, items: Sequence[dict[str, Cell]]) -> Path:
    rows = [[item.get(h) for h in LAZADA_HEADER] for item in items]
    return write_xlsx(path, [LAZADA_HEADER, *rows], sheet="sheet1")


# ---- Shopify Analytics: Sales over time / Sales by product, by day (CSV) -----------------

OVER_TIME_HEADER = (
    "Day,Orders,Gross sales,Discounts,Returns,Net sales,Shipping charges,Duties,"
    "Additional fees,Taxes,Total sales"
)
BY_PRODUCT_HEADER = (
    "Day,Product title,Product variant title,Product variant SKU,Net items sold,Gross sales,"
    "Discounts,Returns,Net sales,Taxes,Total sales,Orders"
)


def write_csv(path: Path, header: str, rows: Sequence[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
