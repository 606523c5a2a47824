"""``perfmkt validate``: every problem ``perfmkt report`` would hit, found without a report.

The plan is checked first; then the whole pipeline runs once (a report is cheap next to
reading), so the warnings, the currency and fx check, the channel matches and each source's
coverage are exactly the ones a report would give. When an export cannot be read, every export
is then read on its own, so one bad file does not hide the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from perfmkt.errors import PerfmktError, PlanError


@dataclass
class Check:
    """What validating one plan found."""

    plan: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str | None = None  # the plan in one line, when it parsed
    coverage: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    as_of: date | None = None
    as_of_reason: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_plan(path: Path, now: datetime | None = None, cache: bool = True) -> Check:
    from perfmkt.plan import load_plan, resolve_sources

    result = Check(path)
    missing: list[str] = []  # sources matching no file: said even when an export fails
    try:
        plan = load_plan(path)
        files = resolve_sources(plan, path, warnings=missing)
    except PerfmktError as err:
        result.errors.extend(err.problems if isinstance(err, PlanError) else [str(err)])
        return result
    result.summary = (
        f"{plan.client} / {plan.campaign}, flight {plan.flight.start} to {plan.flight.end} "
        f"({plan.flight.days} days), {len(plan.kpis)} KPIs, {len(files)} export files"
    )
    # Only now the data engine: a broken plan is told without loading it.
    from perfmkt.report import report_from_plan_file
    from perfmkt.sources.load import load_exports

    try:
        report = report_from_plan_file(path, now=now, cache=cache, plan=plan, outlook=False)
    except PerfmktError as err:
        # A report stops at the first bad export: read each one alone to list them all.
        for one in files:
            try:
                load_exports([one], cache=cache)
            except PerfmktError as bad:
                result.errors.append(str(bad))
        if not result.errors:  # the exports read: the problem is in putting them together
            result.errors.append(str(err))
        result.warnings = missing
        return result
    result.warnings = list(report.notes.warnings)
    result.coverage = report.notes.coverage
    result.files = report.notes.files
    result.as_of, result.as_of_reason = report.as_of, report.as_of_reason
    return result


def describe(result: Check) -> list[str]:
    """The lines ``perfmkt validate`` prints on standard output: the plan, then each source's
    files, rows and days."""
    if result.summary is None:
        return []
    lines = [f"{result.plan}: {'ok' if result.ok else 'problems'} — {result.summary}"]
    if result.as_of is not None:
        lines.append(f"  a report now would pace to {result.as_of} ({result.as_of_reason})")
    rows: dict[str, int] = {}
    for f in result.files:
        rows[f["platform"]] = rows.get(f["platform"], 0) + (f["rows"] or 0)
    for c in result.coverage:
        files = len(c["files"])
        reach = f"to {c['last_day']}" if c["last_day"] else "no days"
        if c["complete_until"] and c["complete_until"] != c["last_day"]:
            reach += f", complete to {c['complete_until']}"
        count = rows.get(c["source"])
        counted = f", {count:,} rows" if count is not None else ""
        lines.append(f"  {c['source']}: {files} file{'s' * (files != 1)}{counted}, {reach}")
    return lines
