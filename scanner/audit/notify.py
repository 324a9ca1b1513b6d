"""Drift alerts: the audit summary to a webhook (JSON POST) or by email (SMTP + STARTTLS).

Both are best effort with bounded time: a timeout per attempt, a few retries
with backoff, and one overall deadline for all alerts together (``deliver``),
which also ends early when the audit is told to stop (SIGTERM). A server that
trickles its answer costs the deadline, never more. Failure is a warning: the
audit's exit code already tells cron what happened. Webhook redirects are not
followed. Messages never print a URL's credentials, path or query, which often
carry a token.
"""

from __future__ import annotations

import http.client
import json
import re
import smtplib
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import VetscanError

TIMEOUT_S = 10.0
ATTEMPTS = 3
_BACKOFF_S = (0.5, 2.0)


class NotifyError(VetscanError):
    pass


def redact(url: str) -> str:
    """scheme://host[:port]/... : enough to say where, nothing that authenticates."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/..."


def validate_webhook(url: str) -> None:
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme not in ("https", "http") or not parts.hostname:
        raise NotifyError("--notify-webhook must be an http(s) URL with a valid port")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise NotifyError("--notify-webhook must not contain spaces or control characters")


_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[A-Za-z0-9.-]+")


def validate_email_options(
    recipients: Sequence[str], sender: str, smtp: str, ca_file: str | None
) -> tuple[str, int]:
    """Checks the email alert's options before any scan; returns (host, port)."""
    for address in (*recipients, sender):
        if not _ADDRESS.fullmatch(address):
            raise NotifyError(f"{address!r} is not an email address")
    host, sep, port_text = smtp.rpartition(":") if smtp.count(":") == 1 else (smtp, "", "")
    port = 25
    if sep:
        if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
            raise NotifyError(f"--smtp {smtp!r}: the port must be a number from 1 to 65535")
        port = int(port_text)
    if not host or not re.fullmatch(r"[A-Za-z0-9.-]+", host):
        raise NotifyError(f"--smtp {smtp!r}: expected HOST[:PORT]")
    if ca_file is not None:
        try:
            ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise NotifyError(
                f"--smtp-ca-file {ca_file}: not a readable PEM file ({exc})"
            ) from None
    return host, port


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError: a webhook is never sent elsewhere


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_webhook(url: str, summary: Mapping[str, Any], timeout: float = TIMEOUT_S) -> int:
    """POSTs ``summary`` as JSON; returns the HTTP status. Retries network errors and 5xx."""
    validate_webhook(url)  # http(s) only: never file: or a custom scheme
    body = json.dumps(summary, ensure_ascii=True).encode("utf-8")
    last = ""
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "vetscan"},
        )
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                response.read(65536)
                status: int = response.status
                return status
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if 300 <= exc.code < 400:
                last += " (a redirect; webhooks are not redirected)"
            if exc.code < 500:
                break  # the receiver refused this message; sending it again will not help
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = type(reason).__name__ if not isinstance(reason, str) else reason
        except (http.client.HTTPException, ValueError) as exc:
            last = f"not an HTTP answer ({type(exc).__name__})"
            break  # a receiver that does not speak HTTP will not start to
        if attempt + 1 < ATTEMPTS:
            time.sleep(_BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)])
    raise NotifyError(f"webhook {redact(url)} failed after {attempt + 1} attempt(s): {last}")


def email_text(summary: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of the alert email."""
    regressed, errors, news = summary["regressed"], summary["errors"], summary.get("news", 0)
    found = f", {news} with news" if news else ""
    subject = f"vetscan: {regressed} vendor(s) regressed{found}, {errors} error(s)"
    lines = []
    for row in summary["vendors"]:
        grade = row["grade"] or "-"
        before = f" (was {row['previous_grade']})" if row["previous_grade"] else ""
        lines.append(f"{row['status'].upper():9} {row['vendor']}: grade {grade}{before}")
        if row["error"]:
            lines.append(f"          {row['error']}")
        for r in row["regressions"]:
            lines.append(
                f"          {r['severity']}: {r.get('title') or r['check_id']} on {r['asset']} "
                f"({r['from_status'] or 'absent'} -> {r['to_status']})"
            )
        for r in row.get("news") or []:
            lines.append(
                f"          {r['severity']}: {r.get('title') or r['check_id']} on {r['asset']} "
                f"(fails; {r.get('why') or 'not assessed in the previous run'})"
            )
    return subject, "\n".join(lines) + "\n"


def send_email(
    summary: Mapping[str, Any],
    smtp_host: str,
    smtp_port: int,
    sender: str,
    recipients: list[str],
    ca_file: str | None = None,
    timeout: float = TIMEOUT_S,
    login: tuple[str, str] | None = None,
) -> None:
    """Sends the summary; ``login`` (user, password) authenticates after STARTTLS."""
    subject, body = email_text(summary)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ", ".join(recipients), subject
    message.set_content(body)
    message.add_attachment(
        json.dumps(summary, indent=2).encode(),
        maintype="application",
        subtype="json",
        filename="vetscan-summary.json",
    )
    context = ssl.create_default_context(cafile=ca_file)
    last = ""
    for attempt in range(ATTEMPTS):
        try:
            with smtplib.SMTP(smtp_host, smtp_port, timeout=timeout) as smtp:
                smtp.ehlo()
                # STARTTLS is required: an alert about a vendor's weaknesses is not
                # sent in clear text.
                smtp.starttls(context=context)
                smtp.ehlo()
                if login is not None:
                    smtp.login(*login)
                smtp.send_message(message)
            return
        except smtplib.SMTPNotSupportedError:
            raise NotifyError(f"SMTP server {smtp_host}:{smtp_port} offers no STARTTLS") from None
        except smtplib.SMTPAuthenticationError as exc:
            # Wrong credentials do not get better with retries; the message never
            # repeats the password.
            raise NotifyError(
                f"SMTP server {smtp_host}:{smtp_port} refused the login ({exc.smtp_code})"
            ) from None
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {str(exc)[:200]}"
        if attempt + 1 < ATTEMPTS:
            time.sleep(_BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)])
    raise NotifyError(f"email via {smtp_host}:{smtp_port} failed: {last}")


def deliver(
    alerts: Sequence[tuple[str, Callable[[], object]]],
    deadline_s: float,
    stop: threading.Event,
) -> list[str]:
    """Runs each ``(what, send)`` in a daemon thread, all within one deadline.

    Returns one warning per alert that failed, ran out of time or was cut short
    by ``stop``. An alert still running then is abandoned: its thread is a daemon,
    so it cannot keep the process alive, and the caller goes on at once.
    """
    warnings: list[str] = []
    end = time.monotonic() + deadline_s
    for what, send in alerts:
        outcome: list[BaseException | None] = []
        thread = threading.Thread(
            target=_capture, args=(send, outcome), name=f"alert-{what}", daemon=True
        )
        thread.start()
        while thread.is_alive() and not stop.is_set() and time.monotonic() < end:
            thread.join(min(0.2, max(0.0, end - time.monotonic())))
        if stop.is_set() and not outcome:
            warnings.append(f"{what}: not sent, the audit was told to stop")
            break
        if not outcome:
            warnings.append(f"{what}: gave up after the alerts' {deadline_s:g} s deadline")
            continue
        error = outcome[0]
        if isinstance(error, NotifyError):
            warnings.append(str(error))
        elif error is not None:
            warnings.append(f"{what} failed: {type(error).__name__}: {str(error)[:200]}")
    return warnings


def _capture(send: Callable[[], object], outcome: list[BaseException | None]) -> None:
    try:
        send()
    except Exception as exc:  # noqa: BLE001 - any failure of an alert is a warning
        outcome.append(exc)
        return
    outcome.append(None)
