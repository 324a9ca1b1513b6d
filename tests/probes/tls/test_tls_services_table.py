"""Which open ports are TLS endpoints, and which checks each kind of endpoint gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.model import Status
from scanner.observations.dns import HostAddresses
from scanner.observations.ports import Dialogue, OpenPorts, PortDialogue, PortResult
from scanner.observations.tls import TlsEndpoint, TlsEndpointResult
from scanner.observations.tls_services import TlsService, tls_service
from scanner.probes.tls.evaluate import Thresholds, checks_for, evaluate_endpoint
from scanner.probes.tls.probe import service_endpoints
from scanner.scoring.profile import load_profile


@pytest.mark.parametrize(
    ("port", "name", "tunnel", "expected"),
    [
        (993, "imaps", "", TlsService("imaps", False)),
        (465, "smtps", "", TlsService("submissions", False)),
        (8443, "https-alt", "", TlsService("https", False)),
        (636, "ldapssl", "", TlsService("ldaps", False)),
        (587, "submission", "", TlsService("submission", True)),
        (143, "imap", "", TlsService("imap", True)),
        (5432, "postgresql", "", TlsService("postgresql", True)),
        # Outside the table: nmap found TLS.
        (4443, "http", "ssl", TlsService("https", False)),
        (7993, "imap", "ssl", TlsService("imaps", False)),
        (9999, "unknown", "ssl", TlsService("tls", False)),
        # Nothing says TLS.
        (22, "ssh", "", None),
        (8080, "http", "", None),
    ],
)
def test_tls_services_by_port_and_nmap_name(
    port: int, name: str, tunnel: str, expected: TlsService | None
) -> None:
    assert tls_service(port, name, tunnel) == expected


def _port(port: int, service: str, tunnel: str = "") -> PortResult:
    return PortResult("192.0.2.25", port, "open", service, "", "", "", "", tunnel)


def _services(*ports: PortResult, dialogues: tuple[PortDialogue, ...] = ()) -> OpenPorts:
    return OpenPorts(
        "192.0.2.25",
        ("mail.example.com", "www.example.com"),
        ("mail", "web"),
        (25, 443),
        "scanned",
        "",
        ports,
        dialogues,
    )


def _dialogue(port: int, protocol: str, starttls: bool) -> PortDialogue:
    return PortDialogue(port, Dialogue(protocol, "ok", "", "greeting", starttls, not starttls))


HOSTS = [
    HostAddresses("www.example.com", ("web",), ("192.0.2.25",), (), "ok", ""),
    HostAddresses("mail.example.com", ("mail",), ("192.0.2.25",), (), "ok", ""),
]


def test_open_tls_ports_become_endpoints_named_for_their_service() -> None:
    services = _services(
        _port(25, "smtp"),
        _port(143, "imap"),
        _port(110, "pop3"),
        _port(993, "imaps"),
        _port(8443, "http", "ssl"),
        _port(22, "ssh"),
        dialogues=(_dialogue(143, "imap", True), _dialogue(110, "pop3", False)),
    )
    planned = [TlsEndpoint("mail.example.com", 25, "192.0.2.25", "mail", True, "smtp")]
    found = service_endpoints([services], HOSTS, planned)
    assert {(e.host, e.port, e.service, e.starttls) for e in found} == {
        ("mail.example.com", 143, "imap", True),
        ("mail.example.com", 993, "imaps", False),
        ("www.example.com", 8443, "https", False),
    }
    # 25 was planned already (the MX role); POP3 offered no STLS; SSH is no TLS service.


def test_an_unscanned_address_adds_no_endpoint() -> None:
    failed = OpenPorts("192.0.2.25", ("h",), ("web",), (443,), "error", "nmap failed", ())
    assert service_endpoints([failed], HOSTS, []) == []


def _result(service: str, outcome: str = "scanned", reason: str = "") -> TlsEndpointResult:
    return TlsEndpointResult(
        host="mail.example.com",
        port=25,
        address="192.0.2.25",
        role="mail",
        starttls=service in ("smtp", "imap"),
        observed_at=datetime.now(UTC),
        outcome=outcome,
        reason=reason,
        service=service,
        asset="mail.example.com:25",
    )


def test_each_kind_of_endpoint_gets_the_checks_it_can_have() -> None:
    https = {c.check_id for c in checks_for(_result("https"))}
    imaps = {c.check_id for c in checks_for(_result("imaps"))}
    smtp = {c.check_id for c in checks_for(_result("smtp"))}
    assert {"tls.hsts.missing", "tls.cert.untrusted"} <= https
    assert "tls.cert.untrusted" in imaps and not {c for c in imaps if "hsts" in c}
    assert not {c for c in imaps if c.startswith("mail.")}
    assert {"mail.starttls.missing", "mail.starttls.cert_invalid"} <= smtp
    assert "tls.cert.untrusted" not in smtp  # senders deliver anyway: cert_invalid says it
    # An endpoint saved before endpoints had a service: STARTTLS meant an MX.
    legacy = _result("")
    assert {c.check_id for c in checks_for(legacy)} == https


def test_a_server_that_limited_us_after_offering_starttls() -> None:
    why = "the server limited our connections (421 4.7.0 slow down); STARTTLS was offered"
    findings = evaluate_endpoint(
        _result("smtp", "limited_after", why), Thresholds.of(load_profile("default"))
    )
    by_check = {f.check_id: f for f in findings}
    assert by_check["mail.starttls.missing"].status is Status.PASS
    rest = [f for c, f in by_check.items() if c != "mail.starttls.missing"]
    assert rest and {f.status for f in rest} == {Status.NOT_ASSESSED}
    assert all("421 4.7.0" in f.detail for f in rest)
    # A submission port that did the same gets only its own checks, all not assessed.
    submission = evaluate_endpoint(
        _result("submission", "limited_after", why), Thresholds.of(load_profile("default"))
    )
    expected = {c.check_id for c in checks_for(_result("submission"))}
    assert {f.check_id for f in submission} == expected
    assert {f.status for f in submission} == {Status.NOT_ASSESSED}


def test_a_server_that_limited_us_from_the_start_is_not_assessed_at_all() -> None:
    why = "the server limited our connections (421 4.7.0 too many connections)"
    findings = evaluate_endpoint(
        _result("smtp", "limited", why), Thresholds.of(load_profile("default"))
    )
    assert {f.status for f in findings} == {Status.NOT_ASSESSED}
    assert "mail.starttls.missing" in {f.check_id for f in findings}


def test_a_given_host_on_a_starttls_port_is_reached_by_starttls() -> None:
    """--host mail.example.com:587 (or :143, :389): before, every given port but 25 was
    tried as implicit TLS, which a STARTTLS port never answers."""
    from types import SimpleNamespace
    from typing import cast

    from scanner.model import HostPort, Target
    from scanner.net.policy import AddressPolicy
    from scanner.probes.base import ProbeContext
    from scanner.probes.tls.probe import plan

    given = tuple(HostPort("mail.example.com", p) for p in (587, 143, 389, 993, 8443, 4443))
    context = cast(ProbeContext, SimpleNamespace(policy=AddressPolicy(allow_private=True)))
    planned, unreachable = plan(Target("Example", (), given), HOSTS, context)
    assert unreachable == []
    assert {(e.port, e.service, e.starttls) for e in planned if e.role == "extra"} == {
        (587, "submission", True),
        (143, "imap", True),
        (389, "ldap", True),
        (993, "imaps", False),
        (8443, "https", False),
        (4443, "https", False),  # a port outside the table: asked for TLS as HTTPS
    }
