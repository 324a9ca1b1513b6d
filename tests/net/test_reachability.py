from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from support.listeners import listener

from scanner.net.policy import AddressPolicy
from scanner.net.reachability import check_tls, tls_first_line
from scanner.net.starttls import talk

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)

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
        result = check_tls(ADDRESS, port, "example.test", timeout=1.0, policy=LAB_POLICY)
        assert time.monotonic() - start < 2.0
    assert result.outcome == outcome, result
    assert result.reason


def test_a_closed_port_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        port = sock.getsockname()[1]
    assert (
        check_tls(ADDRESS, port, "example.test", timeout=1.0, policy=LAB_POLICY).outcome
        == "refused"
    )


@pytest.mark.lab
def test_lab_tls_and_starttls_are_reachable(lab: Path) -> None:
    assert check_tls("127.0.10.10", 443, "exemplary.test", 2.0, policy=LAB_POLICY).ok
    assert check_tls(
        "127.0.10.20", 443, "legacy.test", 2.0, policy=LAB_POLICY
    ).ok  # TLS 1.0-era server
    assert check_tls(
        "127.0.10.21", 993, "mail.legacy.test", 2.0, policy=LAB_POLICY
    ).ok  # SSL 3.0 era (tlslite)
    smtp = talk("127.0.10.11", 25, "smtp", 2.0, policy=LAB_POLICY)
    assert smtp.ok and smtp.starttls
    plain = talk("127.0.10.21", 25, "smtp", 2.0, policy=LAB_POLICY)
    assert plain.ok and plain.starttls is False


@pytest.mark.lab
def test_the_greeting_inside_implicit_tls(lab: Path) -> None:
    greeting = tls_first_line("127.0.10.11", 993, "mx1.exemplary.test", 2.0, policy=LAB_POLICY)
    assert greeting is not None and "Dovecot" in greeting
    assert (
        tls_first_line("127.0.10.21", 993, "mail.legacy.test", 2.0, policy=LAB_POLICY)
        == "* OK IMAP4rev1 ready"
    )
    with listener(ADDRESS, "tarpit") as port:
        assert tls_first_line(ADDRESS, port, "example.test", 0.5, policy=LAB_POLICY) is None
