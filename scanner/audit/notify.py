"""Drift alerts: the audit summary to a webhook (JSON POST) or by email (SMTP + STARTTLS).

Both are best effort with bounded time: a timeout per attempt, a few retries
with backoff, and failure reported as a warning (the audit's exit code already
tells cron what happened). Messages never print a URL's credentials, path or
query, which often carry a token.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

TIMEOUT_S = 10.0
ATTEMPTS = 3
_BACKOFF_S = (0.5, 2.0)


class NotifyError(Exception):
    pass


def redact(url: str) -> str:
    """scheme://host[:port]/... : enough to say where, nothing that authenticates."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/..."


def validate_webhook(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NotifyError(f"--notify-webhook must be an http(s) URL, not {redact(url)}")


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
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read(65536)
                status: int = response.status
                return status
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500:
                break  # the receiver refused this message; sending it again will not help
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = type(reason).__name__ if not isinstance(reason, str) else reason
        if attempt + 1 < ATTEMPTS:
            time.sleep(_BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)])
    raise NotifyError(f"webhook {redact(url)} failed after {attempt + 1} attempt(s): {last}")


def email_text(summary: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of the alert email."""
    regressed, errors = summary["regressed"], summary["errors"]
    subject = f"vetscan: {regressed} vendor(s) regressed, {errors} error(s)"
    lines = []
    for row in summary["vendors"]:
        grade = row["grade"] or "-"
        before = f" (was {row['previous_grade']})" if row["previous_grade"] else ""
        lines.append(f"{row['status'].upper():9} {row['vendor']}: grade {grade}{before}")
        if row["error"]:
            lines.append(f"          {row['error']}")
        for r in row["regressions"]:
            lines.append(
                f"          {r['severity']}: {r['check_id']} on {r['asset']} "
                f"({r['from_status'] or 'absent'} -> {r['to_status']})"
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
        except (smtplib.SMTPException, OSError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if attempt + 1 < ATTEMPTS:
            time.sleep(_BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)])
    raise NotifyError(f"email via {smtp_host}:{smtp_port} failed: {last}")
