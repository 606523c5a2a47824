"""Running plans unattended: one plan's failure is reported and the others still run.

A batch first computes every plan's report and the files it would write; two plans that would
write the same file are both refused before anything is written (the others go on). Then, plan
by plan: take the day's KPI snapshot for the pace trend, render every format, write them
atomically (with the plan's own ``latest.*`` copies beside dated files), merge its rows into
the folder's history, then notify. The caller turns the outcomes into output and an exit code.

History rows are merged into each folder's history once for many plans (one read-merge-write
under the folder's lock, not one per plan: the file holds every plan's rows, so a rewrite per
plan made a batch into one folder cost plans × history size): when the batch's last plan
writing there is done, or when rows have waited ``HISTORY_EVERY`` seconds, so a batch killed
midway loses at most that much.

With ``jobs`` above 1 the two steps run in worker processes (``spawn``: polars is not
fork-safe): workers compute the reports, this process refuses the collisions once all are in,
workers render and write the reports, and this process merges the history rows and sends the
notifications in plan order as each plan is done, so a server that timed out is skipped for the
later plans exactly as in one process.
Outcomes keep the order the plans were given, whichever worker finished first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from perfmkt.errors import PerfmktError

OK, FAIL_ON, BAD_INPUT, UNEXPECTED = 0, 1, 2, 3
HISTORY_EVERY = 10.0  # seconds a plan's history rows may wait for the next plans' rows

# --fail-on at_risk also fails on worse statuses.
FAILING = {
    "at_risk": {"at_risk", "off_track", "overspend"},
    "off_track": {"off_track", "overspend"},
}


@dataclass
class Outcome:
    plan: Path
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
    notice: Notice | None = None  # notifications, made, not yet sent
    history_rows: Any = None  # this run's rows for the folder's history, not yet merged

    @property
    def code(self) -> int:
        """The plan's exit code: the worst of what happened to it."""
        if self.log_file is not None:
            return UNEXPECTED
        if self.problem is not None or self.strict is not None:
            return BAD_INPUT
        return FAIL_ON if self.failing else OK


@dataclass
class Notice:
    """A plan's notifications, made where the plan was rendered (a worker, with --jobs) and
    sent to every ``--notify`` target by the batch's own process, in plan order."""

    text: str  # Slack's
    mail: tuple[str, str, list[Any]] | None = None  # e-mail text, HTML body, attachments
    smtp: Any = None  # perfmkt.notify.SmtpSettings, the plan's
    warning: str | None = None  # said once, when the first e-mail goes (no PDF, say)
    problem: str | None = None  # why no e-mail could be made: each e-mail target's warning


@dataclass
class Settings:
    """What every plan of a batch runs with."""

    formats: list[str]
    # (report, format) -> the format's content; with jobs > 1 it must pickle (a module-level
    # function or a functools.partial of one)
    render: Callable[[Any, str], Any]
    output: Path | None = None
    as_of: Any = None
    fail_on: str | None = None
    notify: list[str] = field(default_factory=list)
    # (count, None[, label]) starts a task of ``count`` steps; (count, path) advances it
    progress: Callable[..., None] | None = None
    cache: bool = True
    strict: bool = False
    lang: str | None = None  # --lang: the reports' language, whatever the plans say
    # Notification targets that timed out for an earlier plan: a dead server costs one
    # deadline per batch, not one per plan.
    silent: dict[str, str] = field(default_factory=dict)
    # Slack targets that still answered 429 or 5xx after their retries for an earlier plan:
    # tried once, without retries, until one gets through (an outage costs its retries once).
    flaky: set[str] = field(default_factory=set)
    jobs: int = 1  # worker processes; 1 runs every plan in this process


# Each worker process costs about a second to start (an interpreter, polars) and a small plan
# about 0.3 s: a worker pays for itself past a handful of plans (benchmarks/README.md).
PLANS_PER_WORKER = 8


def default_jobs(plans: int) -> int:
    """One worker process per ``PLANS_PER_WORKER`` plans, up to the CPUs this process may use;
    fewer plans run in this process."""
    from perfmkt.machine import usable_cpus

    return max(1, min(usable_cpus(), plans // PLANS_PER_WORKER))


def crash_log(exc: BaseException) -> Path:
    """Write the traceback of an unexpected failure to a log file and return its path:
    ``$PERFMKT_LOG_DIR``, else the platform's cache folder for perfmkt (``platformdirs``:
    ``$XDG_CACHE_HOME/perfmkt``, ``~/.cache/perfmkt`` on Linux)."""
    base = os.environ.get("PERFMKT_LOG_DIR")
    if not base:
        from perfmkt.machine import cache_folder

        base = str(cache_folder())
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
    """Run every plan; never raises. Plans that would write the same file are refused.
    Outcomes are in the order of ``plans``."""
    outcomes = [Outcome(plan=plan) for plan in plans]
    if min(settings.jobs, len(plans)) > 1:
        _run_parallel(outcomes, settings)
    else:
        for outcome in outcomes:
            _guarded(outcome, _prepare, settings)
        refuse_collisions([o for o in outcomes if o.problem is None], settings.output)
        histories = _Histories(outcomes)
        for index, outcome in enumerate(outcomes):
            if outcome.problem is None:
                _guarded(outcome, _finish, settings)
                _send(outcome, settings)
            histories.add(index, outcome)
        histories.close()
    if settings.cache:
        _prune_cache()
    _warn_command_line_webhooks(outcomes, settings.notify)
    if len(plans) > 1:  # an export several plans read fails each: say which plan each line is
        for outcome in outcomes:
            if outcome.problem and not outcome.problem.startswith(f"{outcome.plan}:"):
                outcome.problem = f"{outcome.plan}: {outcome.problem}"
    return outcomes


def _warn_command_line_webhooks(outcomes: list[Outcome], notify: list[str]) -> None:
    """A webhook URL written on the command line still works, and is said once for the run,
    by the first plan that ran (a plan that failed says only its problem)."""
    if not any(target.startswith("slack:") for target in notify):
        return
    from perfmkt.notify import command_line_webhooks

    warning = command_line_webhooks(notify)
    first = next((o for o in outcomes if o.problem is None), None)
    if warning and first is not None:
        first.warnings.insert(0, warning)


def _prune_cache() -> None:
    from perfmkt.sources.cache import prune_if_due

    # A cache not pruned is bigger, never a failed batch.
    with contextlib.suppress(OSError, PerfmktError):
        prune_if_due()


def _step(
    outcome: Outcome, step: Callable[[Outcome, Settings], None], settings: Settings
) -> Outcome:
    """One step of one plan in a worker process; the outcome travels back with its results."""
    _guarded(outcome, step, settings)
    return outcome


def _end_quietly_on_ctrl_c() -> None:
    """A worker's start. Ctrl-C reaches every process of the terminal's group: a worker then
    ends at once, as by any kill (a report being written is left whole or not at all), instead
    of printing its traceback, and the batch's own process, whose wait for it ends, stops on
    its KeyboardInterrupt. A Ctrl-C the batch ignores (started in the background by a shell),
    workers ignore too."""
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # polars installs a Ctrl-C handler of its own when first imported (pola-rs/polars#20961),
    # which would keep the worker alive: imported now, so that the default stays.
    import polars  # noqa: F401

    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Workers:
    """A pool of ``spawn`` worker processes. A worker that dies (killed, out of memory) breaks
    the whole pool: the plans it took down are then run again one by one, each in a fresh
    process, so only the plan that kills its process fails."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        self.jobs = jobs
        self.context = multiprocessing.get_context("spawn")
        self.pool: Any = None

    def submit(self, *args: Any) -> Future[Outcome]:
        from concurrent.futures.process import BrokenProcessPool

        for _ in range(2):
            if self.pool is None:
                self.pool = self._pool(self.jobs)
            try:
                return self.pool.submit(_step, *args)
            except BrokenProcessPool:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None
        raise RuntimeError("cannot start worker processes")  # pragma: no cover

    def result(self, future: Future[Outcome], outcome: Outcome, *args: Any) -> Outcome:
        """The worker's outcome of ``_step(outcome, *args)``; never raises."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None
            try:  # this plan alone, in a process of its own
                with self._pool(1) as alone:
                    return alone.submit(_step, outcome, *args).result()
            except BrokenProcessPool as exc:
                _unexpected(
                    outcome,
                    exc,
                    f"{outcome.plan}: unexpected error: the process running this plan ended "
                    "abruptly (killed, or out of memory?)",
                )
            except Exception as exc:
                _unexpected(outcome, exc)
        except Exception as exc:  # the outcome did not pickle, say: perfmkt's bug
            _unexpected(outcome, exc)
        return outcome

    def _pool(self, jobs: int) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            jobs, mp_context=self.context, initializer=_end_quietly_on_ctrl_c
        )

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _run_parallel(outcomes: list[Outcome], settings: Settings) -> None:
    """``run_batch`` with worker processes: reports in workers; collisions refused here once
    every report is in; rendering and writing in workers; history rows and notifications here,
    in plan order, as each plan is done (workers go on with the next plans meanwhile)."""
    from concurrent.futures import as_completed

    progress = settings.progress
    if progress is not None:  # two steps a plan: its report, then its files
        progress(2 * len(outcomes), None, "running plans")
    # What workers get: no callback into this process; the silent memo stays here.
    remote = dataclasses.replace(settings, progress=None, silent={}, flaky=set(), jobs=1)
    workers = _Workers(min(settings.jobs, len(outcomes)))
    try:
        futures = {workers.submit(o, _prepare, remote): i for i, o in enumerate(outcomes)}
        for future in as_completed(futures):
            index = futures[future]
            outcomes[index] = workers.result(future, outcomes[index], _prepare, remote)
            if progress is not None:
                progress(1, outcomes[index].plan)
        refuse_collisions([o for o in outcomes if o.problem is None], settings.output)
        histories = _Histories(outcomes)
        # Standard output is drawn here (rich renderables for this terminal); files in workers.
        finishing = {
            i: workers.submit(o, _finish, remote)
            for i, o in enumerate(outcomes)
            if o.problem is None and settings.output is not None
        }
        for index, outcome in enumerate(outcomes):
            if index in finishing:
                outcome = outcomes[index] = workers.result(
                    finishing[index], outcome, _finish, remote
                )
            elif outcome.problem is None:
                _guarded(outcome, _finish, settings)
            if outcome.problem is None:
                _send(outcome, settings)
            histories.add(index, outcome)
            if progress is not None:
                progress(1, outcome.plan)
        histories.close()
    finally:
        workers.close()


class _Histories:
    """History rows waiting to be merged into their folder's ``history.csv``, many plans' in
    one read-merge-write: when the batch's last plan writing that history is done, or when the
    first waiting rows have waited ``HISTORY_EVERY`` seconds."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        self.last: dict[str, int] = {}  # the history's last plan in the batch
        for index, outcome in enumerate(outcomes):
            history = outcome.outputs.history if outcome.outputs is not None else None
            if outcome.problem is None and history is not None:
                self.last[os.path.abspath(history)] = index
        self.waiting: dict[str, tuple[float, list[Outcome]]] = {}

    def add(self, index: int, outcome: Outcome) -> None:
        """``outcome`` is done (its reports written, its notifications sent)."""
        if outcome.history_rows is not None and outcome.problem is None:
            key = os.path.abspath(outcome.outputs.history)
            _, group = self.waiting.setdefault(key, (time.monotonic(), []))
            group.append(outcome)
        for key, (since, _) in list(self.waiting.items()):
            if index >= self.last[key] or time.monotonic() - since >= HISTORY_EVERY:
                self._merge(key)

    def close(self) -> None:
        for key in list(self.waiting):
            self._merge(key)

    def _merge(self, key: str) -> None:
        _, group = self.waiting.pop(key)
        path = group[0].outputs.history
        try:
            import polars as pl

            from perfmkt import history

            try:
                _, warning = history.update(path, pl.concat([o.history_rows for o in group]))
            except OSError as exc:
                raise PerfmktError(f"cannot write: {exc.strerror or exc}", path=path) from exc
        except PerfmktError as err:
            for outcome in group:
                outcome.problem = str(err)
        except Exception as exc:  # a bug: every plan of the group says so
            for outcome in group:
                _unexpected(outcome, exc)
        else:
            if warning:  # a damaged history, set aside: said once, by the first plan
                group[0].warnings.append(f"{group[0].plan}: {warning}")
            for outcome in group:
                outcome.written.append(path)
        for outcome in group:
            outcome.history_rows = None


def _guarded(
    outcome: Outcome, step: Callable[[Outcome, Settings], None], settings: Settings
) -> None:
    try:
        step(outcome, settings)
    except PerfmktError as err:
        outcome.problem = str(err)
    except Exception as exc:  # a bug: one line here, the traceback in a log file
        _unexpected(outcome, exc)


def _unexpected(outcome: Outcome, exc: BaseException, problem: str | None = None) -> None:
    outcome.log_file = crash_log(exc)
    outcome.problem = problem or f"{outcome.plan}: unexpected error: {type(exc).__name__}: {exc}"


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
        # This plan's rows first: merging a whole shared history to keep one plan's cost 30×.
        own = history.merged(history.for_plan(past, report.client, report.campaign), today)
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
    outcome.history_rows = today  # merged into the folder's history with other plans' rows
    if settings.fail_on:
        outcome.failing = failing_reasons(report, settings.fail_on)
    if settings.strict and outcome.data_warnings:
        count = len(outcome.data_warnings)
        outcome.strict = f"{outcome.plan}: --strict: {count} warning{'s' if count > 1 else ''}" + (
            " (the reports were written)" if outcome.written else ""
        )
    outcome.notice = _notice(outcome, report, settings, rendered, paths)


def _notice(
    outcome: Outcome,
    report: Any,
    settings: Settings,
    rendered: dict[str, Any],
    paths: dict[str, Path],
) -> Notice | None:
    """The plan's notifications, made once for every target: what cannot be made is the
    e-mails' problem."""
    if not settings.notify:
        return None
    from perfmkt.notify import (
        NotifyError,
        email_text,
        report_attachments,
        smtp_settings,
        summary,
    )
    from perfmkt.plan import load_plan

    links = [str(p.resolve()) for f, p in paths.items() if f in ("html", "md", "pdf")]
    notice = Notice(summary(report, links))
    if not any(target.startswith("email:") for target in settings.notify):
        return notice
    render = settings.render
    try:
        notice.smtp = smtp_settings(load_plan(outcome.plan).smtp)
        full = rendered.get("html")
        attachments, notice.warning = report_attachments(
            report,
            full if full is not None else render(report, "html"),
            rendered.get("pdf"),  # the run's own PDF when it printed one
        )
        notice.mail = (email_text(report), render(report, "email"), attachments)
    except NotifyError as err:
        notice.problem = str(err)
    except Exception as exc:  # whatever else goes wrong, the reports are written
        reason = " ".join(str(exc).split()) or "no details"
        notice.problem = f"{type(exc).__name__}: {reason}"
    return notice


def notify_problem(target: str) -> str | None:
    """Why a ``--notify`` target can never work (an unknown kind, an e-mail without an
    address), else None. Said before any plan runs; what only sending tells is a warning."""
    kind, _, where = target.partition(":")
    if kind not in ("slack", "email"):
        # A word is echoed; anything else may be a webhook written without "slack:".
        shown = f" {kind!r}" if re.fullmatch(r"\w{1,20}", kind) else ""
        return (
            f"unknown notification{shown}: use slack (the webhook in PERFMKT_SLACK_WEBHOOK), "
            "slack:env:NAME or email:ADDRESS"
        )
    if kind == "email" and "@" not in where:
        return f"{target!r} has no address: email:ADDRESS, e.g. email:client@shop.vn"
    return None


def _send(outcome: Outcome, settings: Settings) -> None:
    """Each notification is sent within its deadline (Slack's tried again on 429 and 5xx);
    any failure is one warning. A target that timed out for an earlier plan of the batch is
    skipped (``settings.silent``); a Slack webhook that ran out of retries for an earlier plan
    is tried once (``settings.flaky``)."""
    notice = outcome.notice
    if notice is None:
        return
    from perfmkt.notify import (
        RETRIES,
        NotifyError,
        NotifyTimeout,
        NotifyUnavailable,
        post_slack,
        send_email,
        slack_webhook,
    )

    for target in settings.notify:
        kind, _, where = target.partition(":")
        try:
            if target in settings.silent:
                raise NotifyError(f"{settings.silent[target]} (for an earlier plan): skipped")
            problem = notify_problem(target) or (notice.problem if kind == "email" else None)
            if problem is not None:
                raise NotifyError(problem)
            if kind == "slack":
                flaky = target in settings.flaky
                try:
                    post_slack(slack_webhook(where), notice.text, retries=0 if flaky else RETRIES)
                except NotifyUnavailable as err:
                    settings.flaky.add(target)
                    if flaky:
                        raise NotifyUnavailable(
                            f"{err}; not tried again: it failed after its retries for an "
                            "earlier plan"
                        ) from None
                    raise
                settings.flaky.discard(target)
            elif notice.mail is not None:
                if notice.warning:  # said once, by the first e-mail that goes
                    outcome.warnings.append(f"{outcome.plan}: {notice.warning}")
                    notice.warning = None
                text, html, attachments = notice.mail
                send_email(where, outcome.report, text, html, notice.smtp, attachments)
        except NotifyError as err:
            if isinstance(err, NotifyTimeout):
                settings.silent[target] = str(err)
            outcome.warnings.append(f"{outcome.plan}: notification not sent: {err}")
        except Exception as exc:  # whatever else goes wrong, the reports are written
            reason = " ".join(str(exc).split()) or "no details"
            outcome.warnings.append(
                f"{outcome.plan}: notification not sent: {type(exc).__name__}: {reason}"
            )
    outcome.notice = None  # sent: the attachments need not be kept
