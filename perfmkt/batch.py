"""Running plans unattended: one plan's failure is reported and the others still run.

For each plan: compute the report once, keep the day's KPI snapshot in the history beside the
reports, render every format, write them atomically (with ``latest.*`` copies beside dated
files), then notify. The caller turns the outcomes into output and an exit code.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from perfmkt.errors import PerfmktError

OK, FAIL_ON, BAD_INPUT, UNEXPECTED = 0, 1, 2, 3

# --fail-on at_risk also fails on worse statuses.
FAILING = {
    "at_risk": {"at_risk", "off_track", "overspend"},
    "off_track": {"off_track", "overspend"},
}
LATEST = ("html", "md", "json")


@dataclass
class Outcome:
    plan: Path
    code: int = OK
    problem: str | None = None  # one line, for bad input or an unexpected failure
    log_file: Path | None = None  # the traceback of an unexpected failure
    written: list[Path] = field(default_factory=list)
    rendered: dict[str, Any] = field(default_factory=dict)  # when nothing goes to files
    warnings: list[str] = field(default_factory=list)  # notifications that failed
    failing: list[str] = field(default_factory=list)  # why --fail-on fired
    report: Any = None


def crash_log(exc: BaseException) -> Path:
    """Write the traceback of an unexpected failure to a log file and return its path:
    ``$PERFMKT_LOG_DIR``, else ``$XDG_CACHE_HOME/perfmkt`` (``~/.cache/perfmkt``)."""
    base = os.environ.get("PERFMKT_LOG_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "perfmkt"
    )
    try:
        Path(base).mkdir(parents=True, exist_ok=True)
    except OSError:
        base = tempfile.gettempdir()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    handle, name = tempfile.mkstemp(prefix=f"perfmkt-{stamp}-", suffix=".log", dir=base)
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write("".join(traceback.format_exception(exc)))
    return Path(name)


def failing_reasons(report: Any, fail_on: str) -> list[str]:
    """Why ``--fail-on`` makes this run exit 1: KPIs at or beyond the status, fired alerts."""
    reasons = [
        f"{k.name} {k.status.replace('_', ' ')}"
        for k in report.kpis
        if k.status in FAILING[fail_on]
    ]
    reasons += [f"alert: {a.message}" for a in report.alerts]
    return reasons


def run_plan(
    plan: Path,
    formats: list[str],
    render: Callable[[Any, str], Any],
    output: Path | None = None,
    as_of: Any = None,
    fail_on: str | None = None,
    notify: list[str] | None = None,
    progress: Callable[[int, Path | None], None] | None = None,
    cache: bool = True,
) -> Outcome:
    """Run one plan; never raises. ``render(report, format)`` returns a format's content."""
    outcome = Outcome(plan=plan)
    try:
        _run(outcome, formats, render, output, as_of, fail_on, notify or [], progress, cache)
    except PerfmktError as err:
        outcome.code, outcome.problem = BAD_INPUT, str(err)
        outcome.written = []
    except Exception as exc:  # a bug: one line here, the traceback in a log file
        outcome.code = UNEXPECTED
        outcome.log_file = crash_log(exc)
        outcome.problem = f"{plan}: unexpected error: {type(exc).__name__}: {exc}"
        outcome.written = []
    return outcome


def _run(
    outcome: Outcome,
    formats: list[str],
    render: Callable[[Any, str], Any],
    output: Path | None,
    as_of: Any,
    fail_on: str | None,
    notify: list[str],
    progress: Callable[[int, Path | None], None] | None,
    cache: bool,
) -> None:
    from perfmkt import history
    from perfmkt.output import output_paths, stable_folder, write_atomic
    from perfmkt.report import report_from_plan_file

    report = report_from_plan_file(outcome.plan, as_of=as_of, progress=progress, cache=cache)
    outcome.report = report
    paths = (
        output_paths(output, formats, report.client, report.campaign, report.as_of)
        if output is not None
        else {}
    )
    # An explicit single file (a script's pacing.json) gets no latest.* or history beside it.
    single_file = bool(
        output is not None
        and len(paths) == 1
        and "{" not in str(output)
        and output.suffix
        and not output.is_dir()
    )
    history_file = None
    if paths and not single_file:
        first = next(iter(paths.values()))
        history_file = stable_folder(first, report.as_of) / history.FILE_NAME
        past = history.merged(history.read(history_file), history.snapshot(report))
        report.pace_history = history.pace_trend(past)
    # Everything is rendered before anything is written: a failure leaves old reports.
    rendered = {f: render(report, f) for f in formats}
    if not paths:
        outcome.rendered = rendered

    def write(path: Path, content: Any) -> None:
        try:
            write_atomic(path, content)
        except OSError as exc:  # a folder we may not write to is the user's to fix: one line
            raise PerfmktError(f"cannot write: {exc.strerror}", path=path) from exc
        outcome.written.append(path)

    for name, path in paths.items():
        write(path, rendered[name])
        latest = stable_folder(path, report.as_of) / f"latest{path.suffix}"
        if name in LATEST and not single_file and latest != path:
            write(latest, rendered[name])
    if history_file is not None:
        write(history_file, history.as_csv(past))
    if fail_on:
        outcome.failing = failing_reasons(report, fail_on)
        if outcome.failing:
            outcome.code = FAIL_ON
    _notify(outcome, report, notify, rendered, paths, render)


def _notify(
    outcome: Outcome,
    report: Any,
    targets: list[str],
    rendered: dict[str, Any],
    paths: dict[str, Path],
    render: Callable[[Any, str], Any],
) -> None:
    if not targets:
        return
    from perfmkt.notify import NotifyError, post_slack, send_email, smtp_settings, summary
    from perfmkt.plan import load_plan

    links = [str(p.resolve()) for f, p in paths.items() if f in ("html", "md", "pdf")]
    text = summary(report, links)
    for target in targets:
        kind, _, where = target.partition(":")
        try:
            if kind == "slack":
                post_slack(where, text)
            elif kind == "email":
                html = rendered.get("html")
                if html is None:
                    html = render(report, "html")
                settings = smtp_settings(load_plan(outcome.plan).smtp)
                send_email(where, report, text, html, settings)
            else:
                raise NotifyError(f"unknown notification {target!r}: use slack:URL or email:ADDR")
        except NotifyError as err:
            outcome.warnings.append(f"{outcome.plan}: notification not sent: {err}")
