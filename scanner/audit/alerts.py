"""Which alerts an audit sends, checked before anything is scanned (a typo must not
cost the alert), and sending them once the audit is stored: a webhook and an e-mail,
each within one deadline for all, each failure a warning rather than an error."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.audit.notify import (
    NotifyError,
    deliver,
    post_webhook,
    send_email,
    validate_email_options,
    validate_webhook,
)
from scanner.errors import InputError


@dataclass(frozen=True)
class AlertOptions:
    webhook: str | None = None
    email: tuple[str, ...] = ()  # recipients
    smtp: str | None = None
    smtp_from: str = "vetscan@localhost"
    smtp_ca_file: str | None = None
    # (user, password): the password comes from the environment, never an argument list
    login: tuple[str, str] | None = None
    timeout: float = 60.0
    always: bool = False  # also when nothing regressed, nothing is news and nothing failed

    @classmethod
    def build(
        cls,
        webhook: str | None = None,
        email: Sequence[str] = (),
        smtp: str | None = None,
        smtp_from: str = "vetscan@localhost",
        smtp_ca_file: str | None = None,
        login: tuple[str, str] | None = None,
        timeout: float = 60.0,
        always: bool = False,
    ) -> AlertOptions:
        """Checked now; InputError says what is wrong in one line."""
        try:
            if webhook:
                validate_webhook(webhook)
            if email and not smtp:
                raise InputError("--notify-email needs --smtp HOST[:PORT]")
            if email and smtp:
                validate_email_options(email, smtp_from, smtp, smtp_ca_file)
        except NotifyError as exc:
            raise InputError(str(exc)) from None
        if not (math.isfinite(timeout) and 0 < timeout <= 3600):
            raise InputError("--notify-timeout must be between 0 and 3600 seconds")
        return cls(webhook, tuple(email), smtp, smtp_from, smtp_ca_file, login, timeout, always)


def send_alerts(
    options: AlertOptions, summary: Mapping[str, Any], stop: threading.Event
) -> list[str]:
    """Sends what ``options`` asks when the audit's summary calls for it; returns a
    warning per alert not delivered. ``stop`` cuts the wait short."""
    news = summary.get("news", 0)  # a summary written before news existed has none
    if not (summary["regressed"] or news or summary["errors"]) and not options.always:
        return []
    alerts: list[tuple[str, Callable[[], object]]] = []
    if options.webhook:
        url = options.webhook
        alerts.append(("webhook", lambda: post_webhook(url, summary)))
    if options.email and options.smtp:
        email, smtp = options.email, options.smtp
        host, port = validate_email_options(email, options.smtp_from, smtp, options.smtp_ca_file)
        alerts.append(
            (
                "email",
                lambda: send_email(
                    summary,
                    host,
                    port,
                    options.smtp_from,
                    list(email),
                    options.smtp_ca_file,
                    login=options.login,
                ),
            )
        )
    return list(deliver(alerts, options.timeout, stop))
