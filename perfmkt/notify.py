"""Telling people: the verdict and summary to a Slack webhook; by e-mail the same as text, an
inline-styled HTML body (what Gmail and Outlook show) and the full report attached as PDF and
HTML.

Failures to notify are returned to the caller as messages; they never lose a report. Every
notification has a deadline for the whole exchange (``PERFMKT_NOTIFY_TIMEOUT``, 15 s)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import smtplib
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from perfmkt.errors import PerfmktError
from perfmkt.format import Formatter
from perfmkt.i18n import LOCALES, kpi_label, labels
from perfmkt.metrics import CATALOG
from perfmkt.report import Report

STATUS_MARKS = {
    "on_track": "✅",
    "at_risk": "⚠️",
    "off_track": "🔴",
    "overspend": "🟣",
    "no_data": "⚪",
}

# The words of the Slack message, the e-mail's text part and its subject, in the report's
# language (the report's own labels — KPI names, statuses — come from perfmkt.i18n).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "as_of": "as of {date}",
        "kpi": "{label}: {actual} of {expected} expected — pace {pace} ({status})",
        "action": "action",
        "full_report": "Full report: {link}",
        "attached": "The full report is attached.",
        "subject": "{status}: {client} — {campaign} · pacing {date}",
    },
    "vi": {
        "as_of": "số liệu đến {date}",
        "kpi": "{label}: {actual} / {expected} kế hoạch đến nay — tiến độ {pace} ({status})",
        "action": "hành động",
        "full_report": "Báo cáo đầy đủ: {link}",
        "attached": "Báo cáo đầy đủ được đính kèm.",
        "subject": "{status}: {client} — {campaign} · tiến độ {date}",
    },
}


class NotifyError(Exception):
    """A notification that could not be delivered (the reports are written regardless)."""


class NotifyTimeout(NotifyError):
    """A server that did not answer within the deadline: later plans of a batch skip it."""


def _words(report: Report) -> dict[str, str]:
    return WORDS.get(report.locale, WORDS["en"])


def _formatter(report: Report) -> Formatter:
    return Formatter(report.currency, LOCALES.get(report.locale, "en_US"))


def verdict_line(report: Report) -> str:
    """The answer in one line: the status mark and the verdict (what sets it, day N of M)."""
    verdict = report.verdict or {}
    status = verdict.get("severity") or verdict.get("status") or "no_data"
    text = verdict.get("text") or labels(report.locale).get(status, status)
    return f"{STATUS_MARKS.get(status, '')} *{one_line(text)}*".strip()


def summary(report: Report, links: list[str]) -> str:
    """The verdict first, then the summary sentences (most severe first), the status of every
    KPI with its chance to hit, the days whose results are still arriving, fired alerts with
    their backup actions, what now and where the full report is — all in the report's
    language."""
    from perfmkt.render.documents import (
        alert_words,
        chance_text,
        late_days,
        what_now,
    )

    w, words = _words(report), labels(report.locale)
    fmt = _formatter(report)

    def label(name: str) -> str:
        return kpi_label(name, CATALOG[name].label, report.locale) if name in CATALOG else name

    lines = [
        verdict_line(report),
        one_line(f"{report.client} — {report.campaign}")
        + f" · {w['as_of'].format(date=fmt.date(report.as_of))}",
    ]
    if report.summary:
        lines += ["", *(f"• {s['text']}" for s in report.summary)]
    lines.append("")
    for k in report.kpis:
        line = w["kpi"].format(
            label=label(k.name),
            actual=fmt.value(k.kind, k.actual_to_date),
            expected=fmt.value(k.kind, k.expected_to_date),
            pace=fmt.pace(k.pace),
            status=words.get(k.status, k.status).lower(),
        )
        chance = chance_text(fmt, words, k)
        lines.append(
            f"{STATUS_MARKS.get(k.status, '')} {line}" + (f" · {chance}" if chance else "")
        )
    late = late_days(report, fmt)
    if late:  # the last days' results look short: say so beside the numbers they lower
        lines.append(f"◔ {words['immature']}: {late}")
    if report.alerts:
        lines.append("")
    for a in report.alerts:
        message = alert_words(a, report.locale, fmt, words, label)[0]
        action = f" → {w['action']}: *{a.action}*" if a.action else ""
        lines.append(f"▲ {message}{action}")
    now = what_now(report, fmt, words, label)
    if now and now["lines"]:
        lines += ["", f"*{words['what_now']}*", *(f"→ {line}" for line in now["lines"])]
    if links:
        lines += ["", *(w["full_report"].format(link=link) for link in links)]
    return "\n".join(lines)


def email_text(report: Report) -> str:
    """The e-mail's text part: the summary, and the full report attached (no local paths: the
    reader is not on the machine that wrote them)."""
    return f"{summary(report, [])}\n\n{_words(report)['attached']}\n"


def subject(report: Report) -> str:
    """The e-mail's subject, status first: "Off track: Client — Campaign · pacing 3 Feb 2026"."""
    status = (report.verdict or {}).get("status") or "no_data"
    return one_line(
        _words(report)["subject"].format(
            status=labels(report.locale).get(status, status),
            client=report.client,
            campaign=report.campaign,
            date=_formatter(report).date(report.as_of),
        )
    )


@dataclass(frozen=True)
class Attachment:
    """One file attached to an e-mail, with its MIME type."""

    filename: str
    data: bytes
    maintype: str
    subtype: str


def report_attachments(
    report: Report, html: str, pdf: bytes | None = None
) -> tuple[list[Attachment], str | None]:
    """The full report to attach: as PDF (the run's own when it printed one, else printed
    now) and as HTML. Without a Chromium the HTML goes alone, and the second value says why
    (a warning for the run, never a failed notification)."""
    from perfmkt.output import slug
    from perfmkt.render.pdf import html_to_pdf

    stem = f"{slug(report.client)}-{slug(report.campaign)}-{report.as_of.isoformat()}"
    warning = None
    if pdf is None:
        try:
            pdf = html_to_pdf(html)
        except PerfmktError as exc:
            # for whoever runs perfmkt (stderr, logs), in English like the run's other warnings
            warning = f"email sent with the HTML report only, no PDF: {exc}"
    attachments = [] if pdf is None else [Attachment(f"{stem}.pdf", pdf, "application", "pdf")]
    attachments.append(Attachment(f"{stem}.html", html.encode("utf-8"), "text", "html"))
    return attachments, warning


DEADLINE = 15.0  # seconds for a whole notification, however slowly a server answers


def deadline() -> float:
    """Seconds a notification may take in all: ``PERFMKT_NOTIFY_TIMEOUT`` (default 15)."""
    text = os.environ.get("PERFMKT_NOTIFY_TIMEOUT")
    if not text:
        return DEADLINE
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 3600:
        raise NotifyError(f"PERFMKT_NOTIFY_TIMEOUT must be seconds (0-3600), not {text!r}")
    return seconds


def _within(seconds: float, what: str, work: Callable[[list[socket.socket]], None]) -> None:
    """Run ``work`` (which lists the sockets it opens) in a thread and give up after
    ``seconds`` in all: a server trickling a byte at a time is cut off at the deadline, not
    kept alive by a timeout that restarts with every byte."""
    sockets: list[socket.socket] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work(sockets)
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    worker = threading.Thread(target=run, name=f"perfmkt-notify-{what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        for sock in sockets:  # wakes the worker up: its read fails at once
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        worker.join(1.0)
        raise NotifyTimeout(f"{what}: no answer within {seconds:g} s")
    if failure:
        exc = failure[0]
        if isinstance(exc, NotifyError):
            raise exc
        raise NotifyError(f"{what} failed: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())  # one line, whatever a server said


def _where(parts: urllib.parse.SplitResult) -> str:
    """Scheme and host of a URL, never its path: a webhook's path is its secret."""
    return f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else "(no scheme)"


def post_slack(url: str, text: str, seconds: float | None = None) -> None:
    """POST the summary to a Slack incoming webhook (http or https only), within ``seconds``
    (default: ``deadline()``) in all."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotifyError(f"Slack webhook must be an http(s) URL, not {_where(parts)}")
    try:
        port = parts.port
    except ValueError:
        raise NotifyError(f"Slack webhook URL has a bad port: {_where(parts)}") from None
    seconds = deadline() if seconds is None else seconds
    # Names from ad accounts are untrusted: Slack reads <…> as links and mentions (<!channel>).
    inert = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = json.dumps({"text": inert}).encode()
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query

    def work(sockets: list[socket.socket]) -> None:
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname, port, timeout=seconds, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, port, timeout=seconds)
        try:
            connection.connect()
            sockets.append(connection.sock)
            connection.request(
                "POST", target, body, {"Content-Type": "application/json; charset=utf-8"}
            )
            response = connection.getresponse()
            response.read(65536)
            if response.status >= 300:
                raise NotifyError(f"Slack webhook answered {response.status} {response.reason}")
        finally:
            connection.close()

    _within(seconds, f"Slack webhook at {_where(parts)}", work)


@dataclass(frozen=True)
class SmtpSettings:
    """From the environment: PERFMKT_SMTP_HOST, _PORT (587), _STARTTLS (1), _USER, _PASSWORD,
    _FROM. The password is only ever read from the environment, never from a plan."""

    host: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    sender: str = "perfmkt@localhost"

    @classmethod
    def from_env(cls) -> SmtpSettings:
        host = os.environ.get("PERFMKT_SMTP_HOST")
        if not host:
            raise NotifyError("email needs PERFMKT_SMTP_HOST (and _PORT, _USER, _PASSWORD, _FROM)")
        return cls(
            host=host,
            port=_port(os.environ.get("PERFMKT_SMTP_PORT", "587")),
            starttls=os.environ.get("PERFMKT_SMTP_STARTTLS", "1") not in ("0", "false", "no"),
            user=os.environ.get("PERFMKT_SMTP_USER") or None,
            password=os.environ.get("PERFMKT_SMTP_PASSWORD") or None,
            sender=os.environ.get("PERFMKT_SMTP_FROM", "perfmkt@localhost"),
        )


def _port(text: str) -> int:
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise NotifyError(f"PERFMKT_SMTP_PORT must be a port number (1-65535), not {text!r}")
    return port


def smtp_settings(plan_smtp: object | None) -> SmtpSettings:
    """The plan's ``smtp:`` (password from the variable it names), else the environment."""
    if plan_smtp is None:
        return SmtpSettings.from_env()
    password_env = getattr(plan_smtp, "password_env", None)
    return SmtpSettings(
        host=plan_smtp.host,  # type: ignore[attr-defined]
        port=plan_smtp.port,  # type: ignore[attr-defined]
        starttls=plan_smtp.starttls,  # type: ignore[attr-defined]
        user=plan_smtp.user,  # type: ignore[attr-defined]
        password=os.environ.get(password_env) if password_env else None,
        sender=plan_smtp.sender,  # type: ignore[attr-defined]
    )


ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+")


def one_line(text: str) -> str:
    """Header text on one line: a client or campaign name can hold a newline, and a newline in
    a header would start another header."""
    return " ".join(str(text).split())


def message_for(
    to: str,
    report: Report,
    text: str,
    html: str | None,
    sender: str,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """text/plain with an HTML alternative, then the attachments (multipart/mixed)."""
    if not ADDRESS.fullmatch(to):
        raise NotifyError(f"not an email address: {to!r}")
    message = EmailMessage()
    try:
        message["Subject"] = subject(report)
        message["From"] = sender
        message["To"] = to
    except ValueError as exc:  # a sender with a newline: refused, never sent as two headers
        raise NotifyError(f"email header refused: {exc}") from exc
    message["Date"] = formatdate(localtime=True)
    # the sender's domain, not this machine's name (a cron host's name is often not public)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for a in attachments:
        message.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename)
    return message


def send_email(
    to: str,
    report: Report,
    text: str,
    html: str | None,
    settings: SmtpSettings,
    attachments: Sequence[Attachment] = (),
    seconds: float | None = None,
) -> None:
    """Send the summary, its HTML body and the attachments through SMTP within ``seconds``."""
    message = message_for(to, report, text, html, settings.sender, attachments)
    seconds = deadline() if seconds is None else seconds

    def work(sockets: list[socket.socket]) -> None:
        smtp = smtplib.SMTP(timeout=seconds)
        try:
            smtp.connect(settings.host, settings.port)
            sockets.append(smtp.sock)
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                sockets.append(smtp.sock)
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
        finally:
            smtp.close()

    _within(seconds, f"email to {to} through {settings.host}:{settings.port}", work)
