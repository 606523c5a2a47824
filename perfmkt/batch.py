"""Running plans unattended: one plan's failure is reported and the others still run.

A batch first computes every plan's report and the files it would write; two plans that would
write the same file are both refused before anything is written (the others go on). Then, plan
by plan: take the day's KPI snapshot for the pace trend, render every format, write them
atomically (with the plan's own ``latest.*`` copies beside dated files), merge its rows into
the folder's history, then notify. The caller turns the outcomes into output and an exit code.
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


@dataclass
class Outcome:
    plan: Path
    code: int = OK
    problem: str | None = None  # one line, for bad input or an unexpected failure
    log_file: Path | None = None  # the traceback of an unexpected failure
    written: list[Path] = field(default_factory=list)
    rendered: dict[str, Any] = field(default_factory=dict)  # when nothing goes to files
    data_warnings: list[str] = field(default_factory=list)  # the report's notes.warnings
    warnings: list[str] = field(default_factory=list)  # the run's: notifications, history
    strict: str | None = None  # why --strict made the exit code 2
    failing: list[str] = field(default_factory=list)  # why --fail-on fired
    report: Any = None
    outputs: Any = None  # perfmkt.output.Outputs, with -o


@dataclass
class Settings:
    """What every plan of a batch runs with."""

    formats: list[str]
    render: Callable[[Any, str], Any]  # (report, format) -> the format's content
    output: Path | None = None
    as_of: Any = None
    fail_on: str | None = None
    notify: list[str] = field(default_factory=list)
    progress: Callable[[int, Path | None], None] | None = None
    cache: bool = True
    strict: bool = False
    lang: str | None = None  # --lang: the reports' language, whatever the plans say
    # Notification targets that timed out for an earlier plan: a dead server costs one
    # deadline per batch, not one per plan.
    silent: dict[str, str] = field(default_factory=dict)


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


def run_batch(plans: list[Path], settings: Settings) -> list[Outcome]:
    """Run every plan; never raises. Plans that would write the same file are refused."""
    outcomes = [Outcome(plan=plan) for plan in plans]
    for outcome in outcomes:
        _guarded(outcome, _prepare, settings)
    refuse_collisions([o for o in outcomes if o.problem is None], settings.output)
    for outcome in outcomes:
        if outcome.problem is None:
            _guarded(outcome, _finish, settings)
    return outcomes


def _guarded(
    outcome: Outcome, step: Callable[[Outcome, Settings], None], settings: Settings
) -> None:
    try:
        step(outcome, settings)
    except PerfmktError as err:
        outcome.code, outcome.problem = BAD_INPUT, str(err)
    except Exception as exc:  # a bug: one line here, the traceback in a log file
        outcome.code = UNEXPECTED
        outcome.log_file = crash_log(exc)
        outcome.problem = f"{outcome.plan}: unexpected error: {type(exc).__name__}: {exc}"


def _prepare(outcome: Outcome, settings: Settings) -> None:
    """The report and the files it would go to; nothing is written yet."""
    from perfmkt.output import plan_outputs
    from perfmkt.report import report_from_plan_file

    plan = None
    if settings.lang:
        from perfmkt.plan import load_plan

        plan = load_plan(outcome.plan).model_copy(update={"locale": settings.lang})
    report = report_from_plan_file(
        outcome.plan,
        as_of=settings.as_of,
        progress=settings.progress,
        cache=settings.cache,
        plan=plan,
    )
    outcome.report = report
    outcome.data_warnings = list(report.notes.warnings)
    if settings.output is not None:
        outcome.outputs = plan_outputs(
            settings.output, settings.formats, report.client, report.campaign, report.as_of
        )


def refuse_collisions(outcomes: list[Outcome], output: Path | None) -> None:
    """Refuse, in one line each, every plan that would write a file another plan writes (or a
    report where another plan keeps its history): neither writes anything."""
    owners: dict[str, list[tuple[Outcome, Path]]] = {}
    for outcome in outcomes:
        if outcome.outputs is None:
            continue
        for path in dict.fromkeys(outcome.outputs.paths()):
            owners.setdefault(os.path.abspath(path), []).append((outcome, path))
    histories = {
        os.path.abspath(o.outputs.history): o
        for o in outcomes
        if o.outputs is not None and o.outputs.history is not None
    }
    for key, claims in owners.items():
        if key in histories and histories[key] not in (c[0] for c in claims):
            claims.append((histories[key], Path(key)))
        if len({id(o) for o, _ in claims}) < 2:
            continue
        for outcome, path in claims:
            if outcome.problem is not None:
                continue
            other = next(o for o, _ in claims if o is not outcome)
            outcome.code = BAD_INPUT
            outcome.problem = (
                f"{outcome.plan}: would write {path}, as {other.plan} "
                f"({other.report.client} / {other.report.campaign}) does: "
                f"{_collision_hint(outcome, other, output)}; nothing written for either"
            )


def _collision_hint(one: Outcome, other: Outcome, output: Path | None) -> str:
    from perfmkt.output import slug

    a, b = one.report, other.report
    text = str(output or "")
    same_names = (a.client, a.campaign) == (b.client, b.campaign)
    if same_names:
        return "both plans have the same client and campaign: rename one's campaign"
    if "{" in text and (
        missing := [k for k in ("client", "campaign") if "{" + k + "}" not in text]
    ):
        return "put " + " and ".join("{" + k + "}" for k in missing) + " in the -o pattern"
    if (slug(a.client), slug(a.campaign)) == (slug(b.client), slug(b.campaign)):
        return (
            f"their names give the same file name ({slug(a.client)}-{slug(a.campaign)}): "
            "rename one's campaign"
        )
    return "give each plan its own -o"


def _finish(outcome: Outcome, settings: Settings) -> None:
    from perfmkt import history
    from perfmkt.output import write_atomic

    report, outputs = outcome.report, outcome.outputs
    paths = outputs.files if outputs is not None else {}
    history_file = outputs.history if outputs is not None else None
    today = None
    if history_file is not None:
        today = history.snapshot(report)
        past, _ = history.read(history_file)  # a damaged file is set aside when written
        own = history.for_plan(history.merged(past, today), report.client, report.campaign)
        report.pace_history = history.pace_trend(own)
    # Everything is rendered before anything is written: a failure leaves old reports.
    rendered = {f: settings.render(report, f) for f in settings.formats}
    if not paths:
        outcome.rendered = rendered

    def write(path: Path, content: Any) -> None:
        try:
            write_atomic(path, content, durable=True)
        except OSError as exc:  # a folder we may not write to is the user's to fix: one line
            raise PerfmktError(f"cannot write: {exc.strerror or exc}", path=path) from exc
        outcome.written.append(path)

    for name, path in paths.items():
        write(path, rendered[name])
    for name, path in (outputs.latest if outputs is not None else {}).items():
        write(path, rendered[name])
    if history_file is not None and today is not None:
        try:
            _, warning = history.update(history_file, today)
        except OSError as exc:
            raise PerfmktError(f"cannot write: {exc.strerror or exc}", path=history_file) from exc
        if warning:
            outcome.warnings.append(f"{outcome.plan}: {warning}")
        outcome.written.append(history_file)
    if settings.fail_on:
        outcome.failing = failing_reasons(report, settings.fail_on)
        if outcome.failing:
            outcome.code = FAIL_ON
    if settings.strict and outcome.data_warnings:
        count = len(outcome.data_warnings)
        outcome.code = max(outcome.code, BAD_INPUT)
        outcome.strict = f"{outcome.plan}: --strict: {count} warning{'s' if count > 1 else ''}" + (
            " (the reports were written)" if outcome.written else ""
        )
    _notify(outcome, report, settings, rendered, paths)


def _notify(
    outcome: Outcome,
    report: Any,
    settings: Settings,
    rendered: dict[str, Any],
    paths: dict[str, Path],
) -> None:
    """Each notification is tried once, within its deadline; any failure is one warning."""
    if not settings.notify:
        return
    from perfmkt.notify import (
        NotifyError,
        NotifyTimeout,
        email_text,
        post_slack,
        report_attachments,
        send_email,
        smtp_settings,
        summary,
    )
    from perfmkt.plan import load_plan

    render = settings.render
    links = [str(p.resolve()) for f, p in paths.items() if f in ("html", "md", "pdf")]
    text = summary(report, links)
    mail: tuple[str, str, list[Any]] | None = None  # (text, HTML body, attachments), made once
    smtp = None  # the plan's SMTP settings, read once
    for target in settings.notify:
        kind, _, where = target.partition(":")
        try:
            if target in settings.silent:
                raise NotifyError(f"{settings.silent[target]} (for an earlier plan): skipped")
            if kind == "slack":
                post_slack(where, text)
            elif kind == "email":
                if smtp is None:
                    smtp = smtp_settings(load_plan(outcome.plan).smtp)
                if mail is None:
                    full = rendered.get("html")
                    attachments, warning = report_attachments(
                        report,
                        full if full is not None else render(report, "html"),
                        rendered.get("pdf"),  # the run's own PDF when it printed one
                    )
                    if warning:
                        outcome.warnings.append(f"{outcome.plan}: {warning}")
                    mail = (email_text(report), render(report, "email"), attachments)
                send_email(where, report, mail[0], mail[1], smtp, mail[2])
            else:
                raise NotifyError(f"unknown notification {kind!r}: use slack:URL or email:ADDR")
        except NotifyError as err:
            if isinstance(err, NotifyTimeout):
                settings.silent[target] = str(err)
            outcome.warnings.append(f"{outcome.plan}: notification not sent: {err}")
        except Exception as exc:  # whatever else goes wrong, the reports are written
            reason = " ".join(str(exc).split()) or "no details"
            outcome.warnings.append(
                f"{outcome.plan}: notification not sent: {type(exc).__name__}: {reason}"
            )
