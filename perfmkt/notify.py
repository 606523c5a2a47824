"""Telling people: the verdict and summary to a Slack webhook; by e-mail the same as text, an
inline-styled HTML body (what Gmail and Outlook show) and the full report attached as PDF and
HTML.

Failures to notify are returned to the caller as messages; they never lose a report. Every
notification has a deadline for the whole exchange (``PERFMKT_NOTIFY_TIMEOUT``, 15 s), retries
included: Slack is tried again on 429 and 5xx. The webhook comes from the environment
(``PERFMKT_SLACK_WEBHOOK``) and is a secret: errors show its scheme and host only. E-mail goes
over STARTTLS, implicit TLS (port 465) or, to a local relay, none, with certificates checked."""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import random
import re
import smtplib
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr, parsedate_to_datetime
from typing import TYPE_CHECKING

from perfmkt.errors import PerfmktError
from perfmkt.format import Formatter
from perfmkt.i18n import LOCALES, kpi_label, labels
from perfmkt.metrics import CATALOG
from perfmkt.plan import ENV_NAME
from perfmkt.report import Report

if TYPE_CHECKING:
    from perfmkt.plan import Smtp, SmtpSecurity

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
            expected=fmt.planned(k.kind, k.expected_to_date),
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


def _within(
    seconds: float,
    what: str,
    work: Callable[[list[socket.socket]], None],
    secrets: Sequence[str] = (),
    stop: threading.Event | None = None,
) -> None:
    """Run ``work`` (which lists the sockets it opens) in a thread and give up after
    ``seconds`` in all: a server trickling a byte at a time is cut off at the deadline, not
    kept alive by a timeout that restarts with every byte. ``stop`` is set at the deadline (a
    worker between tries stops there); ``secrets`` never appear in the error."""
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
        if stop is not None:
            stop.set()
        for sock in sockets:  # wakes the worker up: its read fails at once
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        worker.join(1.0)
        raise NotifyTimeout(f"{what}: no answer within {seconds:g} s")
    if failure:
        exc = failure[0]
        if isinstance(exc, NotifyError):
            raise exc
        hint = _hint(exc)
        raise NotifyError(
            f"{what} failed: {scrub(_reason(exc), secrets)}" + (f" ({hint})" if hint else "")
        ) from None  # the cause's text may hold a secret; a crash log would show it


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())  # one line, whatever a server said


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "the server's certificate is not trusted here; SSL_CERT_FILE can name the CA file"
    if isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER":
        return (
            "the server does not speak TLS from the first byte on this port: for e-mail, "
            "security: starttls (port 587) or none"
        )
    return None


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (a webhook URL, its path…) replaced by ``***``."""
    for secret in sorted({s for s in secrets if len(s) > 1}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _where(parts: urllib.parse.SplitResult) -> str:
    """Scheme and host of a URL, never its path: a webhook's path is its secret."""
    return f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else "(no scheme)"


def _secrets(url: str) -> list[str]:
    """The parts of a webhook URL that must never be shown: all but its scheme and host."""
    parts = urllib.parse.urlsplit(url)
    pieces = [url, url.strip(), parts.path, parts.query, parts.netloc.rpartition("@")[0]]
    pieces += [urllib.parse.unquote(p) for p in pieces]
    token = parts.path.rstrip("/").rpartition("/")[2]  # /services/T…/B…/token
    pieces += [token] if len(token) >= 8 else []
    return [p for p in pieces if p and p != "/"]


def mask(url: str) -> str:
    """A webhook URL as it may be shown: ``https://hooks.slack.com/***``."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        return _where(parts) + ("/***" if parts.path.strip("/") or parts.query else "")
    except ValueError:
        return "***"


# --notify slack reads the webhook from here: a URL on the command line shows in crontabs, in
# `ps` to every user of the machine and in cron's own log.
SLACK_ENV = "PERFMKT_SLACK_WEBHOOK"


def slack_webhook(spec: str) -> str:
    """The webhook URL a ``--notify`` Slack target names: ``slack`` (or ``slack:``) reads
    ``PERFMKT_SLACK_WEBHOOK``, ``slack:env:NAME`` reads the variable NAME, ``slack:URL`` is
    the URL itself. ``spec`` is what follows ``slack:``."""
    if spec and not spec.startswith("env:"):
        return spec
    name = spec.removeprefix("env:") or SLACK_ENV
    if not ENV_NAME.fullmatch(name):  # never echoed: it may be a URL written in the wrong place
        raise NotifyError(
            "slack:env: takes the name of an environment variable (letters, digits and _), "
            "e.g. slack:env:SLACK_WEBHOOK_SHOP_X"
        )
    url = os.environ.get(name, "").strip()
    if not url:
        state = "is empty" if name in os.environ else "is not set"
        raise NotifyError(
            f"{name} {state}: export the Slack webhook URL in it where the job runs (cron "
            "reads no shell profile)"
        )
    return url


def command_line_webhooks(targets: Sequence[str]) -> str | None:
    """A warning, once for a run, when a ``--notify`` target holds a webhook URL itself."""
    urls = [t.partition(":")[2] for t in targets if t.partition(":")[0] == "slack"]
    written = [mask(u) for u in urls if u and not u.startswith("env:")]
    if not written:
        return None
    return (
        f"--notify slack:{', slack:'.join(dict.fromkeys(written))}: a webhook URL on the command "
        "line shows in crontabs, `ps` and logs, and anyone with it can post to the channel: put "
        f"it in {SLACK_ENV} and use --notify slack (or slack:env:NAME for another variable)"
    )


RETRIES = 3  # more tries after the first, on 429 and 5xx answers only
BACKOFF = 1.0  # seconds before the first retry, doubled for each next one (half of it jitter)
MOST_WAIT = 60.0  # a Retry-After longer than this is not waited for, whatever the deadline
# What Slack answers for a webhook that can never work again: say what to do.
SLACK_HINTS = {
    "invalid_token": "the webhook was revoked or mistyped: create a new one",
    "no_service": "the webhook was removed or mistyped: create a new one",
    "no_team": "the Slack workspace is gone: create a new webhook",
    "team_disabled": "the Slack workspace is gone: create a new webhook",
    "channel_not_found": "the webhook's channel is gone: create a new webhook",
    "channel_is_archived": "the webhook's channel is archived: unarchive it or create a new "
    "webhook",
    "action_prohibited": "an admin restricted this webhook",
    "invalid_payload": "perfmkt sent a message Slack did not accept: please report it",
}


class NotifyUnavailable(NotifyError):
    """A server that answered 429 or 5xx until its retries or the deadline ran out."""


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (seconds or an HTTP date), else None."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def backoff(tries: int, jitter: float) -> float:
    """Seconds to wait after ``tries`` failed tries when the server asks for nothing: 1, 2, 4 s…
    (``BACKOFF`` doubled each time), less ``jitter`` (0 to 1) times half of it, so that the
    plans of many batches hit by one outage do not all come back at once."""
    full = BACKOFF * 2 ** (tries - 1)
    return full - jitter * full / 2


def post_slack(
    url: str,
    text: str,
    seconds: float | None = None,
    *,
    retries: int = RETRIES,
    sleep: Callable[[float], object] | None = None,
) -> int:
    """POST the summary to a Slack incoming webhook (http or https only), within ``seconds``
    (default: ``deadline()``) in all, and return the tries it took.

    A 429 or 5xx answer is tried again up to ``retries`` times: after the wait its
    ``Retry-After`` asks for (seconds or a date, up to ``MOST_WAIT``), else after 1, 2, 4 s
    (each less up to half, at random), and never past the deadline (a wait that would end
    past it gives up at once). Another 3xx or 4xx fails at once with Slack's answer
    (``invalid_token``, ``no_service``…). A connection that fails is not tried again: refused
    or unknown hosts do not heal in seconds, and a connection dropped after the request may
    have posted the message. ``sleep`` waits between tries (tests pass their own); the URL's
    path and query never appear in an error."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise NotifyError("Slack webhook is not a URL (a bad host or port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotifyError(f"Slack webhook must be an http(s) URL, not {_where(parts)}")
    host = parts.hostname
    seconds = deadline() if seconds is None else seconds
    what = f"Slack webhook at {_where(parts)}"
    secrets = _secrets(url)
    # Names from ad accounts are untrusted: Slack reads <…> as links and mentions (<!channel>).
    inert = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = json.dumps({"text": inert}).encode()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    stop = threading.Event()
    wait = sleep if sleep is not None else stop.wait
    tries: list[int] = []
    started = time.monotonic()

    def attempt(sockets: list[socket.socket]) -> tuple[int, str, str, float | None]:
        """One POST: the status, its reason, Slack's text and the Retry-After seconds."""
        left = max(0.001, seconds - (time.monotonic() - started))
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=left, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=left)
        try:
            connection.connect()
            if connection.sock is not None:
                sockets.append(connection.sock)
            connection.request(
                "POST", target, body, {"Content-Type": "application/json; charset=utf-8"}
            )
            response = connection.getresponse()
            answer = response.read(65536).decode("utf-8", "replace")
            said = scrub(" ".join(answer.split())[:200], secrets)
            return (
                response.status,
                response.reason,
                said,
                retry_after(response.getheader("Retry-After")),
            )
        finally:
            connection.close()

    def work(sockets: list[socket.socket]) -> None:
        while not stop.is_set():
            tries.append(1)
            status, reason, said, asked = attempt(sockets)
            if status < 300:
                return
            answered = f"{what} answered {status} {reason}".rstrip() + (f": {said}" if said else "")
            if status != 429 and status < 500:
                hint = SLACK_HINTS.get(said)
                raise NotifyError(answered + (f" ({hint})" if hint else ""))
            count = f"{len(tries)} {'try' if len(tries) == 1 else 'tries'}"
            if len(tries) > retries:
                raise NotifyUnavailable(f"{answered} ({count})")
            left = seconds - (time.monotonic() - started)
            if asked is not None and asked > min(MOST_WAIT, left):
                past = (
                    f"the {seconds:g} s deadline"
                    if asked >= left
                    else f"the {MOST_WAIT:g} s perfmkt waits"
                )
                raise NotifyUnavailable(
                    f"{answered} ({count}; it asks to wait {asked:.0f} s, past {past})"
                )
            delay = backoff(len(tries), random.random()) if asked is None else asked
            if delay >= left:
                raise NotifyUnavailable(
                    f"{answered} ({count}; no time for another try within the {seconds:g} s "
                    "deadline)"
                )
            wait(delay)

    _within(seconds, what, work, secrets, stop)
    return len(tries)


@dataclass(frozen=True)
class SmtpSettings:
    """How e-mail goes out: from the plan's ``smtp:`` or from the environment
    (``from_env``). ``security``: ssl (implicit TLS, 465), starttls (587) or none (a local
    relay); certificates are checked against the system's CA store (or ``SSL_CERT_FILE``)."""

    host: str
    port: int = 587
    security: SmtpSecurity = "starttls"
    user: str | None = None
    password: str | None = None
    sender: str = "perfmkt@localhost"

    @classmethod
    def from_env(cls) -> SmtpSettings:
        """PERFMKT_SMTP_HOST, _PORT (465 with ssl, else 587), _SECURITY (starttls, ssl or none;
        default from the port: 465 is ssl), _STARTTLS (its older form: 0 is none), _USER,
        _PASSWORD, _FROM. The password is only ever read from the environment."""
        from perfmkt.plan import SMTP_SECURITY, smtp_security

        host = os.environ.get("PERFMKT_SMTP_HOST")
        if not host:
            raise NotifyError("email needs PERFMKT_SMTP_HOST (and _PORT, _USER, _PASSWORD, _FROM)")
        port = os.environ.get("PERFMKT_SMTP_PORT", "").strip()
        security = os.environ.get("PERFMKT_SMTP_SECURITY", "").strip().lower() or None
        starttls = os.environ.get("PERFMKT_SMTP_STARTTLS", "").strip().lower() or None
        chosen = next((name for name in SMTP_SECURITY if name == security), None)
        if security is not None and chosen is None:
            raise NotifyError(
                f"PERFMKT_SMTP_SECURITY must be starttls, ssl or none, not {security!r}"
            )
        try:
            mode, number = smtp_security(
                _port(port) if port else None,
                chosen,
                None if starttls is None else starttls not in ("0", "false", "no"),
            )
        except ValueError:
            raise NotifyError(
                f"PERFMKT_SMTP_SECURITY={security} and PERFMKT_SMTP_STARTTLS={starttls} "
                "disagree: set PERFMKT_SMTP_SECURITY only"
            ) from None
        return cls(
            host=host,
            port=number,
            security=mode,
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


def smtp_settings(plan_smtp: Smtp | None) -> SmtpSettings:
    """The plan's ``smtp:`` (password from the variable it names), else the environment."""
    if plan_smtp is None:
        return SmtpSettings.from_env()
    security, port = plan_smtp.connection
    password_env = plan_smtp.password_env
    return SmtpSettings(
        host=plan_smtp.host,
        port=port,
        security=security,
        user=plan_smtp.user,
        password=os.environ.get(password_env) if password_env else None,
        sender=plan_smtp.sender,
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
        smtp = _Smtp(settings, sockets, seconds)
        try:
            smtp.connect(settings.host, settings.port)
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
        finally:
            smtp.close()

    _within(seconds, f"email to {to} through {settings.host}:{settings.port}", work)


class _Smtp(smtplib.SMTP):
    """smtplib's client, speaking TLS from the first byte with ``security: ssl``, that lists
    each socket as soon as it is open (the deadline can then cut a slow handshake or
    greeting) and checks the server's certificate against the host it was given (smtplib
    takes that name only from a host given to its constructor, which connects at once)."""

    def __init__(
        self, settings: SmtpSettings, sockets: list[socket.socket], seconds: float
    ) -> None:
        super().__init__(timeout=seconds)
        self._host = settings.host
        self.implicit = settings.security == "ssl"
        self.sockets = sockets

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((host, port), timeout, self.source_address)
        self.sockets.append(sock)
        if self.implicit:
            context = ssl.create_default_context()
            return context.wrap_socket(sock, server_hostname=self._host)
        return sock
