"""Drift alerts reach a real local webhook receiver and a real SMTP server with STARTTLS."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from support.receivers import Receiver

from scanner.audit.notify import NotifyError, post_webhook, redact, send_email

SUMMARY: dict[str, Any] = {
    "tool": "vetscan",
    "regressed": 1,
    "errors": 0,
    "history": "/tmp/h.db",
    "vendors": [
        {
            "vendor": "Legacy Systems",
            "status": "regressed",
            "error": "",
            "grade": "F",
            "previous_grade": "D",
            "regressions": [
                {
                    "check_id": "service.database_exposed",
                    "asset": "127.0.10.20:3306",
                    "severity": "critical",
                    "from_status": "accepted",
                    "to_status": "fail",
                }
            ],
        }
    ],
}


def test_the_summary_is_posted_as_json() -> None:
    receiver = Receiver()
    try:
        assert post_webhook(receiver.url, SUMMARY) == 200
    finally:
        receiver.close()
    ((path, body),) = receiver.bodies
    assert path == "/hook?token=s3cret" and body == SUMMARY


def test_server_errors_are_retried_a_bounded_number_of_times() -> None:
    receiver = Receiver(failures=2)
    try:
        assert post_webhook(receiver.url, SUMMARY) == 200
    finally:
        receiver.close()
    assert len(receiver.bodies) == 1
    receiver = Receiver(failures=10)
    try:
        with pytest.raises(NotifyError) as caught:
            post_webhook(receiver.url, SUMMARY)
    finally:
        receiver.close()
    assert "after 3 attempt(s): HTTP 503" in str(caught.value)
    assert "s3cret" not in str(caught.value) and "/hook" not in str(caught.value)


def test_a_silent_receiver_costs_the_timeout_per_attempt_not_more() -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://user:pw@127.0.0.1:{silent.getsockname()[1]}/x?key=abc"
    start = time.monotonic()
    try:
        with pytest.raises(NotifyError) as caught:
            post_webhook(url, SUMMARY, timeout=0.5)
    finally:
        silent.close()
    assert time.monotonic() - start < 3 * 0.5 + 2.5 + 1  # attempts + backoff + slack
    assert "pw" not in str(caught.value) and "abc" not in str(caught.value)


def test_redact_keeps_only_where() -> None:
    assert redact("https://u:p@hooks.example:8443/services/T0/B0/xyz?x=1") == (
        "https://hooks.example:8443/..."
    )


def _tls_files(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (tmp / "smtp.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "smtp.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tmp / "smtp.pem", tmp / "smtp.key"


@pytest.fixture()
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, list[Any], Path]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _tls_files(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:
            received.append((session.ssl is not None, envelope, session.authenticated))
            return "250 OK"

    def authenticate(
        _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> Any:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"ops",
            b"s3cret",
        )
        return AuthResult(success=good, handled=False)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        server_hostname="localhost",
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield port, received, cert
    finally:
        controller.stop()


def test_the_alert_email_goes_through_starttls(smtp_server: tuple[int, list[Any], Path]) -> None:
    port, received, cert = smtp_server
    send_email(SUMMARY, "localhost", port, "vetscan@lab.test", ["ops@lab.test"], str(cert))
    ((over_tls, envelope, authenticated),) = received
    assert over_tls and not authenticated
    assert envelope.rcpt_tos == ["ops@lab.test"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "vetscan: 1 vendor(s) regressed, 0 error(s)"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "critical: service.database_exposed on 127.0.10.20:3306 (accepted -> fail)" in text
    attached = next(message.iter_attachments())
    assert json.loads(attached.get_content()) == SUMMARY


def test_an_smtp_server_without_starttls_is_not_used() -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, *_args: Any) -> str:
            raise AssertionError("the message must not be sent in clear text")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(NotifyError, match="offers no STARTTLS"):
            send_email(SUMMARY, "127.0.0.1", port, "a@lab.test", ["b@lab.test"])
    finally:
        controller.stop()


def test_the_alert_email_can_log_in_after_starttls(
    smtp_server: tuple[int, list[Any], Path],
) -> None:
    port, received, cert = smtp_server
    with pytest.raises(NotifyError, match="refused the login") as caught:
        send_email(
            SUMMARY,
            "localhost",
            port,
            "a@lab.test",
            ["b@lab.test"],
            str(cert),
            login=("ops", "wrong"),
        )
    assert "wrong" not in str(caught.value)
    send_email(
        SUMMARY, "localhost", port, "a@lab.test", ["b@lab.test"], str(cert), login=("ops", "s3cret")
    )
    assert [authenticated for _, _, authenticated in received] == [True]
