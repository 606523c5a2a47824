"""Regenerate the lead-generation and branding examples in sample_data/ from their plans.

    python sample_data/generate_examples.py [OUT_DIR]     (default: sample_data)

- leadgen/: an English centre's enrolment campaign (VND): Google Ads (conversions are leads)
  and Meta (Leads) daily exports, and the CRM's own lead export with funnel stages.
- branding/: a tea brand's awareness flight (VND): Meta reach and ThruPlays, TikTok video views.

Shaped like the platforms' downloads (see generate_demo.py); deterministic: same files every
run, so a test can check the committed ones are exactly what this writes.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from datetime import date
from pathlib import Path

from perfmkt.plan import load_plan
from perfmkt.targets import daily_targets

ROOT = Path(__file__).resolve().parent
CONFIGS = ROOT.parent / "configs"


def _write(path: Path, header: list[str], rows: list[list[str]], preamble: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    buffer.write(preamble)
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _days_until(plan_file: str, last: date) -> list[dict]:
    plan = load_plan(CONFIGS / plan_file)
    return [r for r in daily_targets(plan).iter_rows(named=True) if r["date"] <= last]


def leadgen(out: Path, rng: random.Random) -> None:
    """Spend on plan, leads ahead of plan, but few leads qualify (CPQL off track)."""
    days = _days_until("leadgen.yaml", date(2026, 3, 29))
    google_rows, meta_rows, crm_rows = [], [], []
    lead_id = 1000
    for row in days:
        day = row["date"]
        for platform, share in (("google", 0.4), ("meta", 0.6)):
            spend = row["spend"] * share * rng.uniform(0.92, 1.08)
            leads = round(row["leads"] * share * 1.08 * rng.uniform(0.8, 1.2))
            impressions = round(spend / (45_000 if platform == "google" else 30_000) * 1000)
            clicks = round(impressions * (0.04 if platform == "google" else 0.012))
            if platform == "google":
                google_rows.append(
                    [
                        day.isoformat(),
                        "SM_Search_IELTS",
                        "VND",
                        f"{spend:,.0f}",
                        f"{impressions:,}",
                        f"{clicks:,}",
                        f"{leads:.2f}",
                    ]
                )
            else:
                meta_rows.append(
                    [
                        day.isoformat(),
                        day.isoformat(),
                        "SM | IELTS | Lead form",
                        str(round(spend)),
                        str(impressions),
                        str(clicks),
                        str(leads) if leads else "",
                    ]
                )
            # The CRM sees ~90 % of platform-claimed leads; 30 % qualify, half of those
            # reach sales, a third of those enrol.
            for _ in range(round(leads * 0.9)):
                lead_id += 1
                roll = rng.random()
                stage = (
                    "Won"
                    if roll < 0.05
                    else "SAL"
                    if roll < 0.15
                    else "MQL"
                    if roll < 0.30
                    else "Lead"
                )
                source = "google / cpc" if platform == "google" else "facebook / lead_ads"
                crm_rows.append([f"L-{lead_id}", f"{day:%d/%m/%Y}", source, stage])
    _write(
        out / "leadgen" / "google" / "campaign_report_daily.csv",
        ["Day", "Campaign", "Currency code", "Cost", "Impr.", "Clicks", "Conversions"],
        google_rows,
        preamble="Campaign report\nMarch 2, 2026 - March 29, 2026\n",
    )
    _write(
        out / "leadgen" / "meta" / "SM-Leads-Mar-2-2026-Mar-29-2026.csv",
        [
            "Reporting starts",
            "Reporting ends",
            "Campaign name",
            "Amount spent (VND)",
            "Impressions",
            "Link clicks",
            "Leads",
        ],
        list(reversed(meta_rows)),
    )
    _write(
        out / "leadgen" / "crm" / "leads_export.csv",
        ["Lead ID", "Created", "Source", "Stage"],
        crm_rows,
    )


def branding(out: Path, rng: random.Random) -> None:
    """Reach and impressions on plan, video views short."""
    days = _days_until("branding.yaml", date(2026, 5, 17))
    meta_rows, tiktok_rows = [], []
    for row in days:
        day = row["date"]
        spend = row["spend"] * rng.uniform(0.95, 1.05)
        impressions = row["impressions"] * rng.uniform(0.97, 1.06)
        views = row["video_views"] * 0.8 * rng.uniform(0.9, 1.1)
        meta_rows.append(
            [
                day.isoformat(),
                day.isoformat(),
                "TSTH | Brand | Video reach",
                str(round(spend * 0.6)),
                str(round(impressions * 0.6)),
                str(round(impressions * 0.6 / 2.2)),
                str(round(views * 0.5)),
                str(round(impressions * 0.6 * 0.004)),
            ]
        )
        tiktok_rows.append(
            [
                day.isoformat(),
                "TSTH_Brand_TopView",
                "Awareness",
                f"{spend * 0.4:,.0f}",
                str(round(impressions * 0.4)),
                str(round(impressions * 0.4 * 0.006)),
                str(round(views * 0.5)),
                "VND",
            ]
        )
    _write(
        out / "branding" / "meta" / "TSTH-Brand-May-2026.csv",
        [
            "Reporting starts",
            "Reporting ends",
            "Campaign name",
            "Amount spent (VND)",
            "Impressions",
            "Reach",
            "ThruPlays",
            "Link clicks",
        ],
        list(reversed(meta_rows)),
    )
    total = [f"Total of {len(tiktok_rows)} results", "-", "-", "-", "-", "-", "-", "VND"]
    _write(
        out / "branding" / "tiktok" / "tiktok_ads_by_day.csv",
        [
            "By Day",
            "Campaign name",
            "Ad group name",
            "Cost",
            "Impressions",
            "Clicks (destination)",
            "Video views",
            "Currency",
        ],
        [*tiktok_rows, total],
    )


def main(out: Path = ROOT) -> None:
    leadgen(out, random.Random(11))
    branding(out, random.Random(12))
    print(f"wrote the leadgen and branding examples to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
