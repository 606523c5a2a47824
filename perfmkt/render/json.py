"""The machine-readable report: the ``Report`` fields as JSON, numbers as numbers, no value as
null. Scripts read these keys; keep them stable."""

from __future__ import annotations

import json

from perfmkt.report import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
