"""Regenerate the demo exports in sample_data/demo/ from configs/demo.yaml.

    python sample_data/generate_demo.py [OUT_DIR]     (default: sample_data/demo)

A Tết gift-box campaign in VND on Google Ads and Meta, shaped like the platforms' real
downloads: Google's title and date-range lines, quoted thousands, `Total:` rows and one
"CSV for Excel" file (UTF-16, tab-separated); Meta's quoted headers with the currency in
`Amount spent (VND)`, newest day first, blank purchases on days without, an account-total row.
One Google file is re-downloaded later over an overlapping range with restated conversions and
a partial last day made whole, so the report must count those days once.

Conversions arrive late, as on the real platforms: a download shows each day's results times the
platform's maturity at the day's age (LAG below), so the newest days of every download look
short. Google's curve can be learned from its overlapping re-downloads; Meta's files do not
overlap, so the plan states Meta's curve (``conversion_lag:`` in configs/demo.yaml).

The data follow the plan's daily targets with set performance: spend on plan, orders about 10 %
short (at risk), revenue about 22 % short (off track). Deterministic: same files every run.

The shop's own website orders (Shopify's orders export, shop/orders_export_1.csv, downloaded
with the last ads files) are fewer than the platforms claim (Google and Meta both claim many of
the same orders); most are cash on delivery, so some are cancelled, refused at the door or
returned, and the last days' COD parcels are still on their way (pending).
"""

from __future__ import annotations

import csv
import io
import os
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from perfmkt.plan import load_plan
from perfmkt.targets import daily_targets

ROOT = Path(__file__).resolve().parent
PLAN = ROOT.parent / "configs" / "demo.yaml"
OUT = ROOT / "demo"
LAST_DAY = date(2026, 2, 3)  # the morning of 4 Feb: mid-flight

SPEND_PACE, ORDER_PACE, AOV_PACE = 1.0, 0.90, 0.87
GOOGLE_SHARE = 0.55
# Share of a day's eventual conversions (and their value) in a download made N days after it:
# LAG[platform][N - 1]; complete after the last entry. Meta's is the plan's conversion_lag.
LAG = {
    "google_ads": (0.70, 0.86, 0.94, 0.98, 1.0),
    "meta": (0.75, 0.90, 0.97, 1.0),
}


def maturity(platform: str, day: date, made: date) -> float:
    """The share of ``day``'s eventual results that a download made on ``made`` shows."""
    curve = LAG[platform]
    age = (made - day).days
    return curve[min(max(age, 1), len(curve)) - 1]


# campaign: (share of platform spend, CPM in VND, CTR, share of platform orders, type)
GOOGLE_CAMPAIGNS = {
    "TSTH_Search_Brand": (0.20, 90_000, 0.080, 0.30, "Search"),
    "TSTH_Search_Generic_Quà Tết": (0.30, 70_000, 0.035, 0.25, "Search"),
    "TSTH_Shopping_TetGift": (0.50, 40_000, 0.012, 0.45, "Shopping"),
}
GOOGLE_UNCLAIMED = {"TSTH_Recruitment_2026": (3_000_000, 50_000, 0.010, 0.0, "Display")}
META_CAMPAIGNS = {
    "TSTH | Tết 2026 | Prospecting": (0.65, 35_000, 0.011, 0.55),
    "TSTH | Tết 2026 | Retargeting (DPA)": (0.35, 60_000, 0.018, 0.45),
}
META_UNCLAIMED = {"Page likes - always on": (1_500_000, 25_000, 0.004, 0.0)}


def simulate(rng: random.Random) -> dict[tuple[str, date, str], dict[str, float]]:
    """(platform, day, campaign) -> true full-day figures."""
    plan = load_plan(PLAN)
    targets = daily_targets(plan)
    facts: dict[tuple[str, date, str], dict[str, float]] = {}
    for row in targets.iter_rows(named=True):
        day: date = row["date"]
        if day > LAST_DAY:
            break
        spend = row["spend"] * SPEND_PACE * rng.uniform(0.93, 1.07)
        orders = row["orders"] * ORDER_PACE * rng.uniform(0.9, 1.1)
        aov = row["revenue"] / row["orders"] * AOV_PACE
        for platform, campaigns, share in (
            ("google_ads", GOOGLE_CAMPAIGNS, GOOGLE_SHARE),
            ("meta", META_CAMPAIGNS, 1 - GOOGLE_SHARE),
        ):
            for name, (spend_share, cpm, ctr, order_share, *_) in campaigns.items():
                s = spend * share * spend_share * rng.uniform(0.9, 1.1)
                impressions = s / cpm * 1000
                o = orders * share * order_share * rng.uniform(0.85, 1.15)
                facts[(platform, day, name)] = {
                    "spend": s,
                    "impressions": impressions,
                    "reach": impressions / rng.uniform(1.3, 1.8),
                    "clicks": impressions * ctr * rng.uniform(0.9, 1.1),
                    "orders": o,
                    "revenue": o * aov * rng.uniform(0.9, 1.1),
                }
        for platform, campaigns in (("google_ads", GOOGLE_UNCLAIMED), ("meta", META_UNCLAIMED)):
            for name, (daily, cpm, ctr, _, *_) in campaigns.items():
                s = daily * rng.uniform(0.8, 1.2)
                impressions = s / cpm * 1000
                facts[(platform, day, name)] = {
                    "spend": s,
                    "impressions": impressions,
                    "reach": impressions / 2,
                    "clicks": impressions * ctr,
                    "orders": 0.0,
                    "revenue": 0.0,
                }
    return facts


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _money(value: float) -> str:
    return f"{round(value):,}"


def google_rows(
    facts: dict[tuple[str, date, str], dict[str, float]],
    days: list[date],
    scale: dict[date, float],
    made: date,
) -> list[list[str]]:
    """Rows of a Google Ads campaign report segmented by day, in Google's formatting."""
    rows = []
    campaigns = {**GOOGLE_CAMPAIGNS, **GOOGLE_UNCLAIMED}
    for day in days:
        for name, spec in campaigns.items():
            f = facts[("google_ads", day, name)]
            k = scale.get(day, 1.0)
            cost, impr, clicks = f["spend"] * k, round(f["impressions"] * k), round(f["clicks"] * k)
            arrived = maturity("google_ads", day, made)
            conv = round(f["orders"] * k * arrived * 2) / 2  # data-driven: halves
            value = f["revenue"] * k * arrived if conv else 0.0
            rows.append(
                [day.isoformat(), name, spec[4], *_google_cells(cost, impr, clicks, conv, value)]
            )
    return rows


def _google_cells(cost: float, impr: float, clicks: float, conv: float, value: float) -> list[str]:
    """Currency and measure cells as Google writes them (quoted thousands, ` --` for none)."""
    return [
        "VND",
        _money(cost),
        f"{round(impr):,}",
        f"{round(clicks):,}",
        f"{clicks / impr:.2%}" if impr else " --",
        _money(cost / clicks) if clicks else " --",
        f"{conv:,.2f}",
        f"{value:,.2f}",
        _money(cost / conv) if conv else " --",
        f"{conv / clicks:.2%}" if clicks else " --",
    ]


GOOGLE_HEADER = [
    "Day",
    "Campaign",
    "Campaign type",
    "Currency code",
    "Cost",
    "Impr.",
    "Clicks",
    "CTR",
    "Avg. CPC",
    "Conversions",
    "Conv. value",
    "Cost / conv.",
    "Conv. rate",
]


def _num(cell: str) -> float:
    return 0.0 if cell.strip() in ("--", "") else float(cell.replace(",", "").rstrip("%"))


def write_google(path: Path, first: date, last: date, rows: list[list[str]], utf16: bool) -> None:
    def total(label: str, picked: list[list[str]]) -> list[str]:
        cost, impr, clicks, conv, value = (
            sum(_num(r[i]) for r in picked) for i in (4, 5, 6, 9, 10)
        )
        return [label, " --", " --", *_google_cells(cost, impr, clicks, conv, value)]

    totals = [
        total("Total: Campaigns", rows),
        total("Total: Account", rows),
        total("Total: Search", [r for r in rows if r[2] == "Search"]),
        total("Total: Shopping", [r for r in rows if r[2] == "Shopping"]),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if utf16 else ",", lineterminator="\n")
    buffer.write("Campaign report\n")
    buffer.write(f"{first:%B} {first.day}, {first.year} - {last:%B} {last.day}, {last.year}\n")
    writer.writerows([GOOGLE_HEADER, *rows, *totals])
    if utf16:  # Google's "CSV for Excel": UTF-16LE with BOM, tabs, quoted thousands kept
        path.write_bytes(b"\xff\xfe" + buffer.getvalue().encode("utf-16-le"))
    else:
        path.write_text(buffer.getvalue(), encoding="utf-8")


META_HEADER = [
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    "Campaign delivery",
    "Attribution setting",
    "Results",
    "Result indicator",
    "Amount spent (VND)",
    "Impressions",
    "Reach",
    "Link clicks",
    "Purchases",
    "Purchases conversion value",
    "Cost per results",
    "Ends",
]


def write_meta(
    path: Path,
    facts: dict[tuple[str, date, str], dict[str, float]],
    days: list[date],
    rng: random.Random,
    summary_row: bool,
    made: date,
) -> None:
    rows = []
    campaigns = {**META_CAMPAIGNS, **META_UNCLAIMED}
    for day in sorted(days, reverse=True):  # Meta lists the newest day first
        for name in campaigns:
            f = facts[("meta", day, name)]
            eventual = f["orders"] * maturity("meta", day, made)
            purchases = round(eventual + rng.uniform(-0.5, 0.5)) if eventual else 0
            value = f["revenue"] / f["orders"] * purchases if purchases else 0
            rows.append(
                [
                    day.isoformat(),
                    day.isoformat(),
                    name,
                    "active",
                    "7-day click or 1-day view",
                    str(purchases) if purchases else "",
                    "actions:offsite_conversion.fb_pixel_purchase" if purchases else "",
                    str(round(f["spend"])),
                    str(round(f["impressions"])),
                    str(round(f["reach"])),
                    str(round(f["clicks"])),
                    str(purchases) if purchases else "",
                    str(round(value)) if purchases else "",
                    f"{f['spend'] / purchases:.2f}" if purchases else "",
                    "Ongoing",
                ]
            )
    if summary_row:  # "Include summary row": an account total with no campaign name
        spend = sum(int(r[7]) for r in rows)
        rows.insert(
            0,
            [
                days[0].isoformat(),
                days[-1].isoformat(),
                "",
                "",
                "",
                "",
                "",
                str(spend),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(META_HEADER)
        writer.writerows(rows)


# The shop's website orders: placed = claimed x SHOP_SHARE; outcomes as a share of orders.
SHOP_SHARE = 0.78
SHOP_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Shipping",
    "Taxes", "Total", "Refunded Amount", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Cancelled at", "Payment Method", "Source",
]  # fmt: skip
GIFT_BOXES = ("Hộp quà Sen Tây Hồ", "Hộp quà Tết Phú Quý", "Trà sen túi lọc, 25 gói")
COD, ONLINE = "Cash on Delivery (COD)", "VNPay"


def write_shop(
    path: Path, facts: dict[tuple[str, date, str], dict[str, float]], made: datetime
) -> None:
    """Shopify's orders export: one row per line item, the order's fields on its first row."""
    rng = random.Random(7)  # its own stream: the ad exports stay exactly as they were
    rows: list[list[str]] = []
    number = 1000
    for day in _days(date(2026, 1, 5), LAST_DAY):
        claimed = [f for (_, d, _), f in facts.items() if d == day and f["orders"]]
        orders = sum(f["orders"] for f in claimed)
        aov = sum(f["revenue"] for f in claimed) / orders
        for _ in range(round(orders * SHOP_SHARE * rng.uniform(0.9, 1.1))):
            number += 1
            at = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=rng.randint(7 * 60, 23 * 60 + 50)
            )
            total = round(aov * rng.uniform(0.8, 1.2), -3)
            cod = rng.random() < 0.65
            fresh = (made.date() - day).days <= 3  # a COD parcel takes about three days
            draw, status, cancelled, refunded = rng.random(), "paid", "", ""
            if draw < 0.06:  # cancelled before shipping (COD), or voided after payment
                status, cancelled = "voided", f"{at + timedelta(hours=2):%Y-%m-%d %H:%M:%S} +0700"
            elif cod and draw < 0.12 and not fresh:  # refused at the door: cancelled on return
                status, cancelled = "voided", f"{at + timedelta(days=3):%Y-%m-%d %H:%M:%S} +0700"
            elif cod and fresh:
                status = "pending"  # on its way: paid when delivered
            elif draw > 0.97:
                status, refunded = "refunded", f"{total:.2f}"
            elif draw > 0.95:
                status, refunded = "partially_refunded", f"{round(total * 0.3, -3):.2f}"
            lines = [rng.choice(GIFT_BOXES)] + ([rng.choice(GIFT_BOXES)] if draw > 0.7 else [])
            created = f"{at:%Y-%m-%d %H:%M:%S} +0700"
            paid = "" if status in ("pending", "voided") and cod else created
            rows.append(
                [f"#{number}", f"khach{number}@example.vn", status, paid, "VND",
                 f"{total:.2f}", "0.00", "0.00", f"{total:.2f}", refunded, created, "1",
                 lines[0], f"{total / len(lines):.2f}", cancelled, COD if cod else ONLINE, "web"]
            )  # fmt: skip
            rows.extend(
                [f"#{number}", *[""] * 10, "1", name, f"{total / len(lines):.2f}", "", "", ""]
                for name in lines[1:]
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SHOP_HEADER)
        writer.writerows(rows)


def _touch(path: Path, when: datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def main(out: Path = OUT) -> None:
    rng = random.Random(2026)
    facts = simulate(rng)
    (out / "google").mkdir(parents=True, exist_ok=True)
    (out / "meta").mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("google/*.csv"), *out.glob("meta/*.csv"), *out.glob("shop/*.csv")]:
        old.unlink()

    jan05, jan18, jan12 = date(2026, 1, 5), date(2026, 1, 18), date(2026, 1, 12)
    jan26, feb01 = date(2026, 1, 26), date(2026, 2, 1)
    g = out / "google"
    files = [
        (
            g / "campaign_report_2026-01-05_2026-01-18.csv",
            jan05,
            jan18,
            {},
            True,
            datetime(2026, 1, 19, 8, 5),
        ),
        # Downloaded on 1 Feb at 15:00: that day is partial. It restates 12..18 Jan, whose
        # conversions were still arriving in the first download.
        (
            g / "campaign_report_2026-01-12_2026-02-01.csv",
            jan12,
            feb01,
            {feb01: 0.6},
            False,
            datetime(2026, 2, 1, 15, 0),
        ),
        # The re-download on 4 Feb overlaps 26 Jan..1 Feb: it must supply those days.
        (
            g / "campaign_report_2026-01-26_2026-02-03.csv",
            jan26,
            LAST_DAY,
            {},
            False,
            datetime(2026, 2, 4, 8, 10),
        ),
    ]
    for path, first, last, scale, utf16, when in files:
        rows = google_rows(facts, _days(first, last), scale, when.date())
        write_google(path, first, last, rows, utf16)
        _touch(path, when)

    m = out / "meta"
    meta_files = [
        (
            m / "TSTH-Campaigns-Jan-5-2026-Jan-25-2026.csv",
            jan05,
            date(2026, 1, 25),
            False,
            datetime(2026, 1, 26, 8, 0),
        ),
        (
            m / "TSTH-Campaigns-Jan-26-2026-Feb-3-2026.csv",
            jan26,
            LAST_DAY,
            True,
            datetime(2026, 2, 4, 8, 12),
        ),
    ]
    for path, first, last, summary, when in meta_files:
        write_meta(path, facts, _days(first, last), rng, summary, when.date())
        _touch(path, when)
    shop = out / "shop" / "orders_export_1.csv"
    write_shop(shop, facts, datetime(2026, 2, 4, 8, 20))
    _touch(shop, datetime(2026, 2, 4, 8, 20))
    print(f"wrote {len(files) + len(meta_files) + 1} exports to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
