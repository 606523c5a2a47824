"""Notifications delivered through real servers: a Slack-like webhook on loopback that answers
what Slack answers (429 with Retry-After, 5xx, 400 invalid_payload…), the webhook read from the
environment and never shown, and SMTP over STARTTLS and implicit TLS (port 465's way) with a
throwaway certificate the client is made to trust."""

from __future__ import annotations

import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from perfmkt import notify
from perfmkt.notify import (
    NotifyError,
    NotifyUnavailable,
    SmtpSettings,
    backoff,
    mask,
    post_slack,
    retry_after,
)
from perfmkt.plan import smtp_security
from tests.conftest import Inbox, run_cli, run_perfmkt

SECRET = "xoxTOKENf00dCAFE1234"  # a webhook's last path segment: the part that is its secret
PATH = f"/services/T0TEAM/B0HOOK/{SECRET}"


# --- a webhook server that answers as scripted ---------------------------------------------


@dataclass
class Answer:
    status: int
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


class Hook(ThreadingHTTPServer):
    """Answers each POST with the next scripted answer (200 ok once they run out) and keeps
    what it received: path, headers and the JSON body."""

    daemon_threads = True

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.received: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), self.Handler)

    def url(self, path: str = PATH) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    class Handler(BaseHTTPRequestHandler):
        server: Hook

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.server.received.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
            )
            answer = self.server.script.pop(0) if self.server.script else Answer(200)
            data = answer.body.encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class Waits(list[float]):
    """The sleeps between tries, recorded instead of waited."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def notifying(plans: Path | list[Path], out: Path, *targets: str) -> str:
    """``perfmkt report PLANS`` on the small plan's day, Markdown into ``out``, quietly, with a
    ``--notify`` for each target; its stderr (the notifications' warnings)."""
    plans = [plans] if isinstance(plans, Path) else plans
    notify = [arg for target in targets for arg in ("--notify", target)]
    args = ["report", *plans, "--as-of", "2026-03-05", "-f", "md", "-o", out, "-q", *notify]
    return run_cli(args)[1]


def campaign(plan: Path, name: str) -> Path:
    """A copy of ``plan`` beside it (the same exports) for Shop X's campaign ``name``."""
    other = plan.with_name(f"{name.split()[0].lower()}.yaml")
    other.write_text(plan.read_text().replace("campaign: Spring sale", f"campaign: {name}"))
    return other


# --- retries ---------------------------------------------------------------------------------


def test_429_waits_what_retry_after_asks_then_delivers(hook: Hook) -> None:
    hook.script = [Answer(429, "rate_limited", {"Retry-After": "2"})]
    waits = Waits()
    assert post_slack(hook.url(), "hello", sleep=waits) == 2
    assert waits == [2.0]
    assert [r["json"] for r in hook.received] == [{"text": "hello"}] * 2
    assert {r["path"] for r in hook.received} == {PATH}


def test_retry_after_as_an_http_date(hook: Hook) -> None:
    later = datetime.now(UTC) + timedelta(seconds=4)
    hook.script = [Answer(503, "", {"Retry-After": format_datetime(later, usegmt=True)})]
    waits = Waits()
    assert post_slack(hook.url(), "hello", sleep=waits) == 2
    (wait,) = waits
    assert 2 < wait <= 4  # the date has whole seconds


def test_retry_after_values() -> None:
    now = datetime(2026, 3, 6, 7, 30, tzinfo=UTC).timestamp()
    assert retry_after("Fri, 06 Mar 2026 07:30:30 GMT", now=now) == 30
    assert retry_after("Fri, 06 Mar 2026 07:29:00 GMT", now=now) == 0  # already past
    assert retry_after("7", now=now) == 7
    assert retry_after("-3", now=now) == 0
    for nonsense in (None, "", "soon", "nan", "inf"):
        assert retry_after(nonsense, now=now) is None


def test_backoff_is_1_2_4_seconds_less_up_to_half() -> None:
    assert [backoff(tries, 0.0) for tries in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert [backoff(tries, 1.0) for tries in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff(3, 0.25) == 3.5  # 4 s less a quarter of its half


@pytest.mark.parametrize(("jitter", "expected"), [(0.0, [1.0, 2.0]), (1.0, [0.5, 1.0])])
def test_5xx_backs_off_exponentially_with_jitter(
    hook: Hook, monkeypatch: pytest.MonkeyPatch, jitter: float, expected: list[float]
) -> None:
    monkeypatch.setattr(notify.random, "random", lambda: jitter)
    hook.script = [Answer(500, "oops"), Answer(503, "down")]
    waits = Waits()
    assert post_slack(hook.url(), "hello", sleep=waits) == 3
    assert waits == expected  # 1 s then 2 s, up to half less at random
    assert len(hook.received) == 3


def test_5xx_gives_up_after_three_retries(hook: Hook) -> None:
    hook.script = [Answer(502, "<html>bad gateway</html>")] * 5
    waits = Waits()
    with pytest.raises(NotifyUnavailable) as err:
        post_slack(hook.url(), "hello", sleep=waits)
    assert str(err.value) == (
        "Slack webhook at http://127.0.0.1 answered 502 Bad Gateway: <html>bad gateway</html> "
        "(4 tries)"
    )
    assert len(hook.received) == 4 and len(waits) == 3
    assert 2.0 <= waits[2] <= 4.0  # the third wait: 4 s, up to half less


@pytest.mark.parametrize(
    ("status", "said", "hint"),
    [
        (400, "invalid_payload", "perfmkt sent a message Slack did not accept: please report it"),
        (403, "invalid_token", "the webhook was revoked or mistyped: create a new one"),
        (404, "no_service", "the webhook was removed or mistyped: create a new one"),
        (
            410,
            "channel_is_archived",
            "the webhook's channel is archived: unarchive it or create a new webhook",
        ),
    ],
)
def test_other_4xx_fail_at_once_with_slacks_answer(
    hook: Hook, status: int, said: str, hint: str
) -> None:
    hook.script = [Answer(status, said)]
    waits = Waits()
    with pytest.raises(NotifyError) as err:
        post_slack(hook.url(), "hello", sleep=waits)
    assert not isinstance(err.value, NotifyUnavailable)  # not a server down: no batch memo
    reason = HTTPStatus(status).phrase
    assert str(err.value) == (
        f"Slack webhook at http://127.0.0.1 answered {status} {reason}: {said} ({hint})"
    )
    assert len(hook.received) == 1 and waits == []


def test_a_retry_after_past_the_deadline_is_not_waited_for(hook: Hook) -> None:
    hook.script = [Answer(429, "rate_limited", {"Retry-After": "5"})]
    waits = Waits()
    with pytest.raises(NotifyUnavailable) as err:
        post_slack(hook.url(), "hello", seconds=3, sleep=waits)
    assert str(err.value) == (
        "Slack webhook at http://127.0.0.1 answered 429 Too Many Requests: rate_limited "
        "(1 try; it asks to wait 5 s, past the 3 s deadline)"
    )
    hook.script = [Answer(429, "rate_limited", {"Retry-After": "120"})]
    with pytest.raises(NotifyUnavailable) as err:
        post_slack(hook.url(), "hello", seconds=3000, sleep=waits)
    assert str(err.value).endswith("(1 try; it asks to wait 120 s, past the 60 s perfmkt waits)")
    assert waits == [] and len(hook.received) == 2


def test_retries_end_within_the_deadline(hook: Hook) -> None:
    """Real waits: a webhook that always answers 503 costs at most the deadline."""
    hook.script = [Answer(503, "down")] * 10
    started = time.monotonic()
    with pytest.raises(NotifyUnavailable) as err:
        post_slack(hook.url(), "hello", seconds=2)
    assert time.monotonic() - started < 2.5
    assert str(err.value).endswith("; no time for another try within the 2 s deadline)")
    assert 2 <= len(hook.received) <= 3


def test_a_refused_connection_is_not_retried() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits = Waits()
    with pytest.raises(NotifyError) as err:
        post_slack(f"http://127.0.0.1:{port}{PATH}", "hello", sleep=waits)
    assert str(err.value) == (
        "Slack webhook at http://127.0.0.1 failed: [Errno 111] Connection refused"
    )
    assert waits == []


# --- the webhook from the environment --------------------------------------------------------


def test_notify_slack_reads_the_webhook_from_the_environment(
    small_plan: Path, tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFMKT_SLACK_WEBHOOK", hook.url())
    monkeypatch.setenv("SHOP_X_SLACK", hook.url("/shop-x"))
    hook.script = [Answer(429, "rate_limited", {"Retry-After": "0"})]  # retried, silently
    stderr = notifying(small_plan, tmp_path / "r", "slack", "slack:env:SHOP_X_SLACK")
    assert "warning" not in stderr
    assert [r["path"] for r in hook.received] == [PATH, PATH, "/shop-x"]
    assert hook.received[0]["json"]["text"].startswith("🔴 *Chậm tiến độ — ROAS 2,37")


def test_an_unset_variable_is_one_warning_and_the_report_is_written(
    small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PERFMKT_SLACK_WEBHOOK", raising=False)
    monkeypatch.setenv("EMPTY_HOOK", " ")
    out = tmp_path / "r"
    stderr = notifying(
        small_plan, out, "slack", "slack:env:EMPTY_HOOK", "slack:env:https://hooks.slack.com/x"
    )
    sent = f"perfmkt: warning: {small_plan}: notification not sent: "
    assert stderr == (
        f"{sent}PERFMKT_SLACK_WEBHOOK is not set: export the Slack webhook URL in it where the "
        "job runs (cron reads no shell profile)\n"
        f"{sent}EMPTY_HOOK is empty: export the Slack webhook URL in it where the job runs "
        "(cron reads no shell profile)\n"
        f"{sent}slack:env: takes the name of an environment variable (letters, digits and _), "
        "e.g. slack:env:SLACK_WEBHOOK_SHOP_X\n"
    )
    assert (out / "latest-shop-x-spring-sale.md").is_file()


def test_an_email_that_cannot_be_made_warns_for_each_address_and_slack_still_goes(
    small_plan: Path, tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PERFMKT_SMTP_HOST", raising=False)
    monkeypatch.setenv("PERFMKT_SLACK_WEBHOOK", hook.url())
    stderr = notifying(
        small_plan, tmp_path / "r", "email:a@shop.example", "slack", "email:b@shop.example"
    )
    no_host = (
        f"perfmkt: warning: {small_plan}: notification not sent: email needs PERFMKT_SMTP_HOST "
        "(and _PORT, _USER, _PASSWORD, _FROM)\n"
    )
    assert stderr == no_host * 2
    assert len(hook.received) == 1


def test_email_then_slack_both_arrive(
    small_plan: Path, tmp_path: Path, hook: Hook, smtp_inbox: Inbox
) -> None:
    """An e-mail target before a Slack one: the second still has the batch's settings."""
    stderr = notifying(small_plan, tmp_path / "r", "email:a@shop.example", f"slack:{hook.url()}")
    assert "notification not sent" not in stderr
    assert len(smtp_inbox.messages) == 1 and len(hook.received) == 1


def test_a_url_on_the_command_line_works_and_is_warned_about_once(
    small_plan: Path, tmp_path: Path, hook: Hook
) -> None:
    plans = [small_plan, campaign(small_plan, "Autumn sale")]
    stderr = notifying(plans, tmp_path / "r", f"slack:{hook.url()}")
    assert len(hook.received) == 2  # still delivered, for both plans
    assert stderr == (
        "perfmkt: warning: --notify slack:http://127.0.0.1/***: a webhook URL on the command "
        "line shows in crontabs, `ps` and logs, and anyone with it can post to the channel: put "
        "it in PERFMKT_SLACK_WEBHOOK and use --notify slack (or slack:env:NAME for another "
        "variable)\n"
    )


def test_a_webhook_that_stays_down_costs_its_retries_once_a_batch(
    small_plan: Path, tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack answering 503 for the first plan's four tries, then for the second plan's one
    try; the third plan is delivered, and retries are back for whoever comes next."""
    monkeypatch.setenv("PERFMKT_SLACK_WEBHOOK", hook.url())
    hook.script = [Answer(503, "down", {"Retry-After": "0"})] * 5
    autumn = campaign(small_plan, "Autumn sale")
    plans = [small_plan, autumn, campaign(small_plan, "Winter")]
    stderr = notifying(plans, tmp_path / "r", "slack")
    down = "notification not sent: Slack webhook at http://127.0.0.1 answered 503"
    assert stderr == (
        f"perfmkt: warning: {small_plan}: {down} Service Unavailable: down (4 tries)\n"
        f"perfmkt: warning: {autumn}: {down} Service Unavailable: "
        "down (1 try); not tried again: it failed after its retries for an earlier plan\n"
    )
    assert len(hook.received) == 6


# --- the webhook is a secret: never in stderr, JSON logs or crash logs -----------------------


class Echo(Hook):
    """A webhook server that quotes the path it was asked for in its error."""

    class Handler(Hook.Handler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.server.received.append({"path": self.path})
            data = f"no_service for {self.path}".encode()
            self.send_response(404)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


def test_the_webhook_never_appears_in_output_or_logs(small_plan: Path, tmp_path: Path) -> None:
    server = Echo()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    logs = tmp_path / "logs"
    broken = tmp_path / "templates" / "partials"  # a plan that fails unexpectedly: a crash log
    broken.mkdir(parents=True)
    (broken / "header.html").write_text("{{ 1 / 0 }}")
    failing = small_plan.with_name("failing.yaml")
    failing.write_text(
        small_plan.read_text().replace("campaign: Spring sale", "campaign: Failing")
        + f"templates: {tmp_path / 'templates'}\n"
    )
    port = server.server_address[1]
    urls = [
        server.url(),  # answered 404 quoting the path
        f"http://127.0.0.1:{port}/services/T0TEAM/B0HOOK/{SECRET} x",  # refused by http.client
        f"http://user:{SECRET}@127.0.0.1:{port}/hook",
    ]
    runs = [(urls[0], f"slack:{urls[0]}", "text"), (urls[1], "slack", "json")]
    runs.append((urls[2], f"slack:{urls[2]}", "json"))
    try:
        outputs = []
        for url, notify, log_format in runs:
            done = run_perfmkt(
                "report",
                small_plan,
                failing,
                "--as-of",
                "2026-03-05",
                "-f",
                "html",
                "-o",
                tmp_path / "r",
                "--log-format",
                log_format,
                "--notify",
                notify,
                PERFMKT_SLACK_WEBHOOK=url,
                PERFMKT_LOG_DIR=str(logs),
            )
            assert done.returncode == 3
            outputs.append(done.stdout + done.stderr)
    finally:
        server.shutdown()
        server.server_close()
    text = "\n".join(outputs)
    assert "no_service for ***" in text  # what the server said, less the secret
    assert "failed: URL can't contain control characters. '***'" in text
    assert text.count("notification not sent") == 3
    assert text.count("a webhook URL on the command line") == 2
    crash_logs = list(logs.iterdir())
    assert len(crash_logs) == 3 and all("ZeroDivisionError" in p.read_text() for p in crash_logs)
    for leaked in (SECRET, "T0TEAM", "B0HOOK", "/hook"):
        assert leaked not in text
        for log in crash_logs:
            assert leaked not in log.read_text()


def test_mask() -> None:
    assert mask(f"https://hooks.slack.com{PATH}") == "https://hooks.slack.com/***"
    assert mask(f"https://u:{SECRET}@hooks.slack.com/") == "https://hooks.slack.com"
    assert mask("http://[::1") == "***"


# --- SMTP: STARTTLS, implicit TLS (465), none --------------------------------------------------


def test_security_and_port_each_default_from_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    assert smtp_security(None, None, None) == ("starttls", 587)
    assert smtp_security(465, None, None) == ("ssl", 465)
    assert smtp_security(None, "ssl", None) == ("ssl", 465)
    assert smtp_security(2525, "ssl", None) == ("ssl", 2525)
    assert smtp_security(465, None, True) == ("ssl", 465)  # the older flag meant "encrypt"
    assert smtp_security(25, None, False) == ("none", 25)
    with pytest.raises(ValueError, match="security ssl and starttls false disagree"):
        smtp_security(None, "ssl", False)
    monkeypatch.setenv("PERFMKT_SMTP_HOST", "mail.example")
    monkeypatch.setenv("PERFMKT_SMTP_PORT", "465")
    assert SmtpSettings.from_env() == SmtpSettings("mail.example", 465, "ssl")
    monkeypatch.delenv("PERFMKT_SMTP_PORT")
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "SSL")
    assert SmtpSettings.from_env() == SmtpSettings("mail.example", 465, "ssl")
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "tls")
    with pytest.raises(NotifyError, match="must be starttls, ssl or none, not 'tls'"):
        SmtpSettings.from_env()
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "none")
    monkeypatch.setenv("PERFMKT_SMTP_STARTTLS", "1")
    with pytest.raises(NotifyError, match="disagree: set PERFMKT_SMTP_SECURITY only"):
        SmtpSettings.from_env()


@dataclass
class Tls:
    """A throwaway self-signed certificate for 127.0.0.1, and a server context using it."""

    cert: Path
    context: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return Tls(cert, context)


@dataclass
class Mailbox(Inbox):
    """What a TLS SMTP server received, with each session's TLS and login."""

    sessions: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def tls_smtp(tls: Tls, request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    """A real SMTP server on loopback speaking STARTTLS (``starttls``) or TLS from the first
    byte (``ssl``), requiring a login (over TLS only)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box = Mailbox(probe.getsockname()[1])

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            from email import message_from_bytes

            box.messages.append(message_from_bytes(envelope.content))
            tls = server.transport.get_extra_info("ssl_object") is not None
            box.sessions.append({"tls": tls, "login": session.auth_data})
            return "250 OK"

    def login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"reports@agency.example",
            b"s3cret",
        )
        return AuthResult(success=ok, auth_data="reports@agency.example" if ok else None)

    mode = request.param
    server_tls = {"ssl_context": tls.context} if mode == "ssl" else {"tls_context": tls.context}
    controller = Controller(
        Keep(),
        hostname="127.0.0.1",
        port=box.port,
        authenticator=login,
        auth_required=True,
        # aiosmtpd offers AUTH only after its own STARTTLS; from the first byte is TLS too
        auth_require_tls=mode == "starttls",
        require_starttls=mode == "starttls",
        **server_tls,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("tls_smtp", ["starttls", "ssl"], indirect=True)
def test_email_over_tls_arrives(
    small_plan: Path,
    tmp_path: Path,
    tls: Tls,
    tls_smtp: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """STARTTLS from the environment, implicit TLS from the plan's smtp: — each logs in after
    TLS is up and checks the server's certificate (trusted here through SSL_CERT_FILE)."""
    mode = request.node.callspec.params["tls_smtp"]
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.cert))
    monkeypatch.setenv("SMTP_PASSWORD_FOR_TEST", "s3cret")
    if mode == "starttls":
        for name, value in {
            "HOST": "127.0.0.1",
            "PORT": str(tls_smtp.port),  # not 465: STARTTLS by default
            "USER": "reports@agency.example",
            "PASSWORD": "s3cret",
            "FROM": "reports@agency.example",
        }.items():
            monkeypatch.setenv(f"PERFMKT_SMTP_{name}", value)
    else:
        small_plan.write_text(
            small_plan.read_text()
            + f"smtp: {{host: 127.0.0.1, port: {tls_smtp.port}, security: ssl, "
            "user: reports@agency.example, password_env: SMTP_PASSWORD_FOR_TEST, "
            "sender: reports@agency.example}\n"
        )
    stderr = notifying(small_plan, tmp_path / "r", "email:client@shop.example")
    assert "notification not sent" not in stderr
    (message,) = tls_smtp.messages
    assert message["To"] == "client@shop.example"
    assert tls_smtp.sessions == [{"tls": True, "login": "reports@agency.example"}]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("tls_smtp", ["ssl"], indirect=True)
def test_an_untrusted_certificate_is_refused(
    small_plan: Path, tmp_path: Path, tls_smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Certificates are checked by default: the throwaway one is not trusted here."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("PERFMKT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PERFMKT_SMTP_PORT", str(tls_smtp.port))
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "ssl")
    stderr = notifying(small_plan, tmp_path / "r", "email:client@shop.example")
    assert re.fullmatch(
        re.escape(
            f"perfmkt: warning: {small_plan}: notification not sent: email to client@shop.example "
            f"through 127.0.0.1:{tls_smtp.port} failed: [SSL: CERTIFICATE_VERIFY_FAILED] "
            "certificate verify failed: self"
        )
        + r"[- ]signed certificate \(_ssl\.c:\d+\) "
        + re.escape(
            "(the server's certificate is not trusted here; SSL_CERT_FILE can name the CA file)\n"
        ),
        stderr,
    )
    assert tls_smtp.messages == []


def test_plain_smtp_to_a_local_relay(
    small_plan: Path, tmp_path: Path, smtp_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """security: none (the relay on the machine itself), from the environment; ssl to that
    server, which does not speak TLS, says what to set instead."""
    monkeypatch.delenv("PERFMKT_SMTP_STARTTLS")
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "none")
    stderr = notifying(small_plan, tmp_path / "r", "email:client@shop.example")
    assert stderr == "" and len(smtp_inbox.messages) == 1
    monkeypatch.setenv("PERFMKT_SMTP_SECURITY", "ssl")
    stderr = notifying(small_plan, tmp_path / "r", "email:client@shop.example")
    assert re.fullmatch(
        re.escape(
            f"perfmkt: warning: {small_plan}: notification not sent: email to client@shop.example "
            f"through 127.0.0.1:{smtp_inbox.port} failed: [SSL: WRONG_VERSION_NUMBER] wrong "
            "version number "
        )
        + r"\(_ssl\.c:\d+\) "
        + re.escape(
            "(the server does not speak TLS from the first byte on this port: for e-mail, "
            "security: starttls (port 587) or none)\n"
        ),
        stderr,
    )
    assert len(smtp_inbox.messages) == 1
