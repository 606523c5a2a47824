"""How an order ended, read from the words shop systems use (Vietnamese and English).

Every order placed is counted as placed; its outcome says whether it is also net:
``completed`` and ``open`` (pending, confirmed, in delivery: net so far) are net;
``cancelled``, ``returned`` and ``failed_delivery`` (a cash-on-delivery parcel the buyer did
not take) are not. Status words are matched folded: without diacritics, lowercase, so
``Đã hủy``, ``ĐÃ HỦY`` and a decomposed ``Đã hủy`` are the same words.
"""

from __future__ import annotations

import polars as pl

OUTCOMES = ("completed", "open", "cancelled", "returned", "failed_delivery")
NOT_NET = ("cancelled", "returned", "failed_delivery")

# Regular expressions on folded text, checked in this order: a failed delivery is also written
# "cancelled" (a parcel the buyer refused is cancelled), "không thành công" (unsuccessful)
# contains "thành công", and "đã giao cho ĐVVC" (handed to the carrier) is still on its way.
FAILED_WORDS = (
    r"giao hang that bai",
    r"giao (?:hang )?khong thanh cong",
    r"khong giao duoc",
    r"tu choi nhan",  # the buyer refused the parcel
    r"failed (?:to )?deliver\w*",
    r"deliver\w* fail\w*",
    r"buyer refused",
)
CANCELLED_WORDS = (r"huy", r"cancel\w*", r"void\w*", r"expired")
RETURNED_WORDS = (r"tra hang", r"hoan tien", r"hoan hang", r"return\w*", r"refund\w*")
OPEN_WORDS = (r"da giao cho", r"cho giao", r"dang giao")
COMPLETED_WORDS = (
    r"hoan thanh",
    r"hoan tat",
    r"da giao",
    r"da nhan",
    r"giao (?:hang )?thanh cong",
    r"complet\w*",  # completed, and TikTok Shop's Spanish UI: Completado
    r"delivered",
)
COD_WORDS = (r"khi nhan hang", r"cash on delivery", r"cashondelivery", r"cod")


def fold(expr: pl.Expr) -> pl.Expr:
    """Text without diacritics, lowercase, single-spaced: what status words are matched on."""
    return (
        expr.str.normalize("NFD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all("[đĐ]", "d")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def has_words(expr: pl.Expr, words: tuple[str, ...]) -> pl.Expr:
    """True where the folded text holds any of ``words`` (regular expressions matching whole
    words); false when null."""
    pattern = r"\b(?:" + "|".join(words) + r")\b"
    return fold(expr).str.contains(pattern).fill_null(False)


def status_outcome(status: pl.Expr) -> pl.Expr:
    """The outcome a status text says: failed, cancelled, returned, completed, else open."""
    return (
        pl.when(has_words(status, FAILED_WORDS))
        .then(pl.lit("failed_delivery"))
        .when(has_words(status, CANCELLED_WORDS))
        .then(pl.lit("cancelled"))
        .when(has_words(status, RETURNED_WORDS))
        .then(pl.lit("returned"))
        .when(has_words(status, OPEN_WORDS))
        .then(pl.lit("open"))
        .when(has_words(status, COMPLETED_WORDS))
        .then(pl.lit("completed"))
        .otherwise(pl.lit("open"))
    )


def is_cod(payment: pl.Expr) -> pl.Expr:
    """Paid cash on delivery (``Thanh toán khi nhận hàng``, ``COD``…); null when the payment
    cell is empty."""
    return pl.when(payment.is_null()).then(None).otherwise(has_words(payment, COD_WORDS))
