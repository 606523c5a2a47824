"""The machine-readable report: the ``Report`` fields as JSON, numbers as numbers, no value as
null. Scripts read these keys; keep them stable.

Numbers are rounded for what they mean (``perfmkt.serialize.rounded``: money to the currency's
minor unit, ratios and paces to 6 significant digits, counts as given), and nothing in the file
depends on the clock or on dictionary order: identical runs give byte-identical files."""

from __future__ import annotations

import json

from perfmkt.report import Report
from perfmkt.serialize import rounded


def to_json(report: Report) -> str:
    data = rounded(report.to_dict(), report.currency)
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
