"""Telling people: a short Markdown summary to a Slack webhook, the HTML report by email.

Failures to notify are returned to the caller as messages; they never lose a report."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from perfmkt.format import Formatter
from perfmkt.i18n import LOCALES
from perfmkt.report import Report

STATUS_MARKS = {
    "on_track": "✅",
    "at_risk": "⚠️",
    "off_track": "🔴",
    "overspend": "🟣",
    "no_data": "⚪",
}


class NotifyError(Exception):
    """A notification that could not be delivered (the reports are written regardless)."""


def summary(report: Report, links: list[str]) -> str:
    """Status per KPI, fired alerts with their backup actions, where the full report is."""
    fmt = Formatter(report.currency, LOCALES.get(report.locale, "en_US"))
    lines = [
        f"*{report.client} — {report.campaign}* · as of {report.as_of.isoformat()} "
        f"(day {report.flight.days_elapsed}/{report.flight.days_total})",
    ]
    for k in report.kpis:
        lines.append(
            f"{STATUS_MARKS.get(k.status, '')} {k.label}: {fmt.value(k.kind, k.actual_to_date)} "
            f"of {fmt.value(k.kind, k.expected_to_date)} expected — pace {fmt.pace(k.pace)} "
            f"({k.status.replace('_', ' ')})"
        )
    for a in report.alerts:
        action = f" → *{a.action}*" if a.action else ""
        lines.append(f"▲ {a.message}{action}")
    lines += [f"Full report: {link}" for link in links]
    return "\n".join(lines)


def post_slack(url: str, text: str, timeout: float = 10.0) -> None:
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status >= 300:
                raise NotifyError(f"Slack answered {response.status}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NotifyError(f"Slack webhook failed: {exc}") from exc


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
            port=int(os.environ.get("PERFMKT_SMTP_PORT", "587")),
            starttls=os.environ.get("PERFMKT_SMTP_STARTTLS", "1") not in ("0", "false", "no"),
            user=os.environ.get("PERFMKT_SMTP_USER") or None,
            password=os.environ.get("PERFMKT_SMTP_PASSWORD") or None,
            sender=os.environ.get("PERFMKT_SMTP_FROM", "perfmkt@localhost"),
        )


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


def send_email(
    to: str,
    report: Report,
    text: str,
    html: str | None,
    settings: SmtpSettings,
    attachment: Path | None = None,
) -> None:
    message = EmailMessage()
    message["Subject"] = f"{report.client} — {report.campaign}: pacing {report.as_of.isoformat()}"
    message["From"] = settings.sender
    message["To"] = to
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        message.add_attachment(
            attachment.read_bytes(), maintype="text", subtype="html", filename=attachment.name
        )
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=20) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(f"email to {to} failed: {exc}") from exc
