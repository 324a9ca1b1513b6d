from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from support.listeners import listener

from scanner.net.reachability import check_smtp_starttls, check_tls

ADDRESS = "127.0.10.91"


@pytest.mark.parametrize(
    ("behaviour", "outcome"),
    [("tarpit", "timeout"), ("reset", "reset"), ("http", "not_tls")],
)
def test_misbehaving_tls_ports_are_classified_within_the_timeout(
    behaviour: str, outcome: str
) -> None:
    with listener(ADDRESS, behaviour) as port:
        start = time.monotonic()
        result = check_tls(ADDRESS, port, "example.test", timeout=1.0)
        assert time.monotonic() - start < 2.0
    assert result.outcome == outcome, result
    assert result.reason


def test_a_closed_port_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        port = sock.getsockname()[1]
    assert check_tls(ADDRESS, port, "example.test", timeout=1.0).outcome == "refused"


@pytest.mark.lab
def test_lab_tls_and_starttls_are_reachable(lab: Path) -> None:
    assert check_tls("127.0.10.10", 443, "exemplary.test", 2.0).ok
    assert check_tls("127.0.10.20", 443, "legacy.test", 2.0).ok  # TLS 1.0-era server
    assert check_smtp_starttls("127.0.10.11", 25, 2.0).ok
    assert check_smtp_starttls("127.0.10.21", 25, 2.0).outcome == "no_starttls"


def test_smtp_that_greets_and_hangs_is_a_timeout() -> None:
    with listener(ADDRESS, "silent-smtp") as port:
        result = check_smtp_starttls(ADDRESS, port, timeout=1.0)
    assert result.outcome == "timeout"


def test_a_non_smtp_service_on_port_25_is_named() -> None:
    with listener(ADDRESS, "ssh") as port:
        result = check_smtp_starttls(ADDRESS, port, timeout=1.0)
    assert result.outcome == "not_smtp"
