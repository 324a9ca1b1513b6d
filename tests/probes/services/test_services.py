"""The services probe: argument safety, classification, verdicts, and nmap on the lab."""

from __future__ import annotations

import dataclasses
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.listeners import listener

from scanner.engine import run_probes
from scanner.lab import manager
from scanner.lab.providers import BROKEN, EXEMPLARY, LEGACY, LabProvider
from scanner.model import (
    AttemptStatus,
    Finding,
    ProbeResult,
    ScanResult,
    Severity,
    Status,
    Target,
)
from scanner.net.policy import AddressPolicy
from scanner.net.portscan import PortScanner, build_arguments
from scanner.net.resolver import Resolver
from scanner.observations.ports import Dialogue, PortDialogue, PortResult
from scanner.probes.context import build_context
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.probes.ports.probe import PortsProbe
from scanner.probes.services.classify import category, eol_table, outdated, version_tuple
from scanner.probes.services.probe import ServicesObservation, ServicesProbe, evaluate_address
from scanner.scoring.profile import Profile, ProfileError, parse_profile

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)

# --- nothing a user or DNS supplies reaches nmap's command line --------------------


@pytest.mark.parametrize(
    "address", ["-iL /etc/passwd", "example.com", "127.0.0.1 --script=evil", "1.2.3.4;id"]
)
def test_only_ip_addresses_reach_nmap(address: str) -> None:
    with pytest.raises(ValueError):
        PortScanner([22], 100, 10, policy=LAB_POLICY).scan([address])


@pytest.mark.parametrize(
    ("ports", "rate", "timeout"),
    [
        ([22, "23 --script=x"], 100, 10),
        ([0], 100, 10),
        ([22], "100 -iL x", 10),
        ([22], 100, -1),
        ([], 100, 10),
    ],
)
def test_nmap_arguments_come_from_checked_values_only(
    ports: list[object], rate: object, timeout: float
) -> None:
    with pytest.raises(ValueError):
        build_arguments(ports, rate, timeout, False)  # type: ignore[arg-type]


def test_nmap_arguments_shape() -> None:
    args = build_arguments([443, 22, 22], 150, 20, True)
    assert args.split()[:4] == ["-6", "-sT", "-sV", "--version-light"]
    assert "-p 22,443" in args and "--max-rate 150" in args and "--host-timeout 20000ms" in args


@pytest.mark.parametrize(
    "text",
    [
        'name = "x"\nfail_threshold = "high"\n[services]\nports = ["22 --script=evil"]\n',
        'name = "x"\nfail_threshold = "high"\n[services]\nmax_rate = "100 -iL /etc/passwd"\n',
        'name = "x"\nfail_threshold = "high"\n[services]\nports = [70000]\n',
    ],
)
def test_profile_values_cannot_carry_nmap_options(text: str) -> None:
    with pytest.raises(ProfileError, match="services"):
        parse_profile(text, "evil.toml")


# --- pure rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "product", "expected"),
    [
        ("telnet", "", "cleartext"),
        # FTP has a check of its own: service.cleartext_file_transfer (AUTH TLS or not).
        ("ftp", "vsftpd", None),
        ("ms-wbt-server", "", "remote_desktop"),
        ("vnc", "", "remote_desktop"),
        ("microsoft-ds", "", "remote_desktop"),
        ("mysql", "MySQL", "database"),
        ("redis", "Redis key-value store", "database"),
        ("http", "Elasticsearch REST API", "database"),
        ("docker", "Docker remote API", "container"),
        ("http", "nginx", None),
        ("ssh", "OpenSSH", None),
    ],
)
def test_categories(service: str, product: str, expected: str | None) -> None:
    assert category(service, product) == expected


def test_versions_against_the_dated_table() -> None:
    table = eol_table()
    assert table.date
    assert version_tuple("8.9p1") == (8, 9, 1)
    assert version_tuple("5.5.62-log") == (5, 5, 62)
    assert version_tuple("unknown") is None
    assert outdated("OpenSSH", "7.4", table) is not None
    assert outdated("OpenSSH", "9.2p1", table) is None
    assert outdated("Redis key-value store", "4.0.9", table) is not None
    assert outdated("SomethingElse", "0.1", table) is None


def _obs(*ports: PortResult, outcome: str = "scanned", reason: str = "") -> ServicesObservation:
    return ServicesObservation(
        "192.0.2.1", ("www.example.com",), ("web",), (80, 443), outcome, reason, ports,
        "2026-11-01", access=(),
    )  # fmt: skip


def _port(port: int, service: str, product: str = "", version: str = "") -> PortResult:
    return PortResult("192.0.2.1", port, "open", service, product, version, "", "")


def test_verdicts_for_a_clean_and_a_dirty_host() -> None:
    clean = {
        f.check_id: f.status for f in evaluate_address(_obs(_port(80, "http"), _port(443, "https")))
    }
    assert set(clean.values()) <= {Status.PASS, Status.INFO}
    dirty = evaluate_address(
        _obs(
            _port(23, "telnet"),
            _port(3306, "mysql", "MySQL", "5.5.62"),
            _port(2375, "docker", "Docker remote API"),
        )
    )
    failed = {(f.check_id, f.asset) for f in dirty if f.status is Status.FAIL}
    assert ("service.cleartext_remote_access", "192.0.2.1:23") in failed
    assert ("service.database_exposed", "192.0.2.1:3306") in failed
    assert ("service.container_api_exposed", "192.0.2.1:2375") in failed
    assert ("service.outdated_version", "192.0.2.1:3306") in failed
    assert ("service.unexpected_open", "192.0.2.1") in failed


def test_without_nmap_every_check_says_how_to_install_it() -> None:
    findings = evaluate_address(
        _obs(outcome="error", reason="nmap not installed (apt-get install nmap)")
    )
    assert {f.status for f in findings} == {Status.NOT_ASSESSED}
    assert all("apt-get install nmap" in f.detail for f in findings)


def test_a_missing_nmap_binary_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    from scanner.net.portscan import PortScanError

    with pytest.raises(PortScanError, match=r"apt-get install nmap"):
        PortScanner([22], 100, 10, policy=LAB_POLICY).scan(["127.0.10.20"])


def _said(port: int, protocol: str, outcome: str = "ok", **facts: object) -> PortDialogue:
    return PortDialogue(
        port, Dialogue(protocol, outcome, str(facts.pop("reason", "")), "hi", **facts)
    )


def _with_dialogues(*dialogues: PortDialogue) -> ServicesObservation:
    ports = tuple(_port(d.port, d.dialogue.protocol) for d in dialogues)
    return ServicesObservation(
        "192.0.2.1", ("mail.example.com",), ("mail",), (25, 110, 143, 587), "scanned", "", ports,
        "2026-11-01", dialogues,
    )  # fmt: skip


def _verdicts_of(obs: ServicesObservation, check: str) -> dict[str, Status]:
    return {f.asset: f.status for f in evaluate_address(obs) if f.check_id == check}


def test_mail_access_must_offer_starttls_and_take_no_password_before_it() -> None:
    obs = _with_dialogues(
        _said(143, "imap", starttls=False, clear_login=True),
        _said(110, "pop3", starttls=True, clear_login=True),
        _said(587, "submission", starttls=True, clear_login=False),
    )
    assert _verdicts_of(obs, "service.cleartext_mail_access") == {
        "192.0.2.1:143": Status.FAIL,  # no STARTTLS
        "192.0.2.1:110": Status.FAIL,  # STLS, but USER before it
    }
    fine = _with_dialogues(_said(143, "imap", starttls=True, clear_login=False))
    assert _verdicts_of(fine, "service.cleartext_mail_access") == {"192.0.2.1": Status.PASS}
    # No mail-access port open at all: nothing in clear text to find.
    assert _verdicts_of(_with_dialogues(), "service.cleartext_mail_access") == {
        "192.0.2.1": Status.PASS
    }


def test_a_mail_port_that_would_not_talk_is_not_assessed() -> None:
    obs = _with_dialogues(_said(143, "imap", "timeout", reason="no complete reply within 6 s"))
    findings = [f for f in evaluate_address(obs) if f.check_id == "service.cleartext_mail_access"]
    assert [(f.asset, f.status) for f in findings] == [("192.0.2.1:143", Status.NOT_ASSESSED)]
    assert "no complete reply" in findings[0].detail


def test_ftp_without_auth_tls_is_clear_text_file_transfer() -> None:
    plain = _with_dialogues(_said(21, "ftp", starttls=False, clear_login=True))
    assert _verdicts_of(plain, "service.cleartext_file_transfer") == {"192.0.2.1:21": Status.FAIL}
    tls = _with_dialogues(_said(21, "ftp", starttls=True, clear_login=False))
    assert _verdicts_of(tls, "service.cleartext_file_transfer") == {"192.0.2.1": Status.PASS}
    # FTP is no longer also "clear-text remote access": one weakness, one finding.
    remote = _verdicts_of(plain, "service.cleartext_remote_access")
    assert remote == {"192.0.2.1": Status.PASS}


# --- against the lab, with real nmap ------------------------------------------------

P, F = Status.PASS, Status.FAIL


@pytest.fixture(scope="module")
def lab_verdicts(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> dict[str, dict[tuple[str, str], Finding]]:
    context = build_context(
        lab_resolver, AddressPolicy(allow_private=True), default_profile, manager.ca_file(lab), 3.0
    )

    def run(provider: LabProvider) -> dict[tuple[str, str], Finding]:
        _, _, services = run_probes(
            Target(provider.name, (provider.domain,)),
            [DnsDiscoveryProbe(), PortsProbe(), ServicesProbe()],
            context,
        )
        return {(f.check_id, f.asset): f for f in services.findings}

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(run, (EXEMPLARY, LEGACY, BROKEN)))
    return dict(zip(("exemplary", "legacy", "broken"), results, strict=True))


EXPECTED = [
    ("legacy", "service.cleartext_file_transfer", "127.0.10.20:21", F),
    # IMAP and POP3 without STARTTLS, submission taking AUTH before it.
    ("legacy", "service.cleartext_mail_access", "127.0.10.21:110", F),
    ("legacy", "service.cleartext_mail_access", "127.0.10.21:143", F),
    ("legacy", "service.cleartext_mail_access", "127.0.10.21:587", F),
    ("legacy", "service.cleartext_file_transfer", "127.0.10.21", P),
    ("legacy", "service.cleartext_remote_access", "127.0.10.20:23", F),
    ("legacy", "service.database_exposed", "127.0.10.20:3306", F),
    ("legacy", "service.database_exposed", "127.0.10.20:6379", F),
    ("legacy", "service.outdated_version", "127.0.10.20:22", F),
    ("legacy", "service.outdated_version", "127.0.10.20:21", F),
    ("legacy", "service.unexpected_open", "127.0.10.20", F),
    # vsftpd 2.3.4 (the backdoored release), OpenSSH 7.4, Redis 4.0.9; an Exim 4.91 MX
    # that CISA lists as exploited (CVE-2019-10149).
    ("legacy", "service.known_vulnerabilities", "127.0.10.20:21", F),
    ("legacy", "service.known_vulnerabilities", "127.0.10.20:22", F),
    ("legacy", "service.known_vulnerabilities", "127.0.10.20:6379", F),
    ("legacy", "service.known_exploited", "127.0.10.21:25", F),
    ("legacy", "service.known_exploited", "127.0.10.20", P),
    # Broken's Redis is open to anyone but of a patched release.
    ("broken", "service.known_vulnerabilities", "127.0.10.30", P),
    ("broken", "service.known_exploited", "127.0.10.30", P),
    # Both Redis servers and Broken's Docker API answer a stranger without a password.
    ("legacy", "service.unauthenticated_access", "127.0.10.20:6379", F),
    ("broken", "service.unauthenticated_access", "127.0.10.30:6379", F),
    ("broken", "service.unauthenticated_access", "127.0.10.30:2375", F),
    ("exemplary", "service.unauthenticated_access", "127.0.10.10", P),
    ("broken", "service.remote_desktop_exposed", "127.0.10.30:5900", F),
    ("broken", "service.container_api_exposed", "127.0.10.30:2375", F),
    ("exemplary", "service.cleartext_remote_access", "127.0.10.10", P),
    ("exemplary", "service.remote_desktop_exposed", "127.0.10.10", P),
    ("exemplary", "service.database_exposed", "127.0.10.10", P),
    ("exemplary", "service.container_api_exposed", "127.0.10.10", P),
    ("exemplary", "service.unexpected_open", "127.0.10.10", P),
    ("exemplary", "service.unexpected_open", "127.0.10.11", P),
    # STARTTLS on 143 and 587 with no login before it; 993 and 995 are TLS throughout.
    ("exemplary", "service.cleartext_mail_access", "127.0.10.11", P),
    ("exemplary", "service.cleartext_file_transfer", "127.0.10.10", P),
    # ::1 carries exemplary's web, mx1 and ns1: 53 is expected there too.
    ("exemplary", "service.unexpected_open", "::1", P),
    # nginx without a version: nothing the vulnerability table can judge.
    ("exemplary", "service.known_vulnerabilities", "127.0.10.10", Status.INFO),
]


@pytest.mark.lab
@pytest.mark.parametrize(
    ("provider", "check", "asset", "expected"),
    EXPECTED,
    ids=[f"{p}-{c}-{a}" for p, c, a, _ in EXPECTED],
)
def test_lab_verdicts(
    lab_verdicts: dict[str, dict[tuple[str, str], Finding]],
    provider: str,
    check: str,
    asset: str,
    expected: Status,
) -> None:
    finding = lab_verdicts[provider][(check, asset)]
    assert finding.status is expected, finding.detail


@pytest.mark.lab
def test_nmap_names_the_legacy_products(
    lab_verdicts: dict[str, dict[tuple[str, str], Finding]],
) -> None:
    ssh = lab_verdicts["legacy"][("service.outdated_version", "127.0.10.20:22")]
    assert ssh.evidence["product"] == "OpenSSH" and ssh.evidence["version"] == "7.4"
    assert ssh.evidence["table_date"] == eol_table().date


@pytest.mark.lab
def test_the_lab_versions_name_their_cves(
    lab_verdicts: dict[str, dict[tuple[str, str], Finding]],
) -> None:
    """What a buyer checks in the finding: the CVE, its score, whether attackers use it."""
    ftp = lab_verdicts["legacy"][("service.known_vulnerabilities", "127.0.10.20:21")]
    assert "vsftpd 2.3.4" in ftp.detail and "CVE-2011-2523" in ftp.detail
    assert ftp.severity is Severity.HIGH  # a critical CVE, not (yet) known-exploited
    (cve,) = ftp.evidence["cves"]
    assert cve["id"] == "CVE-2011-2523" and cve["cvss"] == 9.8
    assert cve["known_exploited"] is False
    mx = lab_verdicts["legacy"][("service.known_exploited", "127.0.10.21:25")]
    assert mx.severity is Severity.CRITICAL
    assert "Exim smtpd 4.91" in mx.detail and "CVE-2019-10149" in mx.detail
    assert "listed since 2022-01-10" in mx.detail and "Fixed in 4.92" in mx.detail
    ssh = lab_verdicts["legacy"][("service.known_vulnerabilities", "127.0.10.20:22")]
    assert ssh.severity is Severity.LOW  # Terrapin 5.9, user enumeration 5.3
    assert {c["id"] for c in ssh.evidence["cves"]} == {"CVE-2023-48795", "CVE-2018-15473"}
    redis = lab_verdicts["broken"][("service.known_vulnerabilities", "127.0.10.30")]
    assert "Redis key-value store 7.4.6" in redis.detail


@pytest.mark.lab
def test_a_host_timeout_is_not_assessed_never_a_clean_host() -> None:
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.10.98", 0))
    server.listen(50)
    port = server.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # accepts and never speaks: version detection waits

    threading.Thread(target=accept, daemon=True).start()
    try:
        report = PortScanner([port], 100, 2, policy=LAB_POLICY).scan(["127.0.10.98"])
    finally:
        server.close()
        for conn in held:
            conn.close()
    assert "127.0.10.98" in report.incomplete and "host timeout" in report.incomplete["127.0.10.98"]
    assert report.ports == ()
    findings = evaluate_address(_obs(outcome="error", reason=report.incomplete["127.0.10.98"]))
    assert {f.status for f in findings} == {Status.NOT_ASSESSED}


# --- the faster services scan: own identification, nmap per port ----------------------


@pytest.mark.lab
def test_products_are_named_as_nmap_names_them(default_scans: dict[str, ScanResult]) -> None:
    """vetscan names web and mail ports itself and leaves the rest to nmap per port; what
    it reports is what plain `nmap -sT -sV --version-light` reports on the same ports."""
    seen = {
        (p.address, p.port): (p.service, p.product, p.version)
        for provider in ("legacy", "broken")
        for o in default_scans[provider].observations
        if isinstance(o, ServicesObservation)
        for p in o.ports
    }
    ports = {
        "127.0.10.20": [21, 23, 80, 443, 3306, 6379],
        "127.0.10.21": [25, 110, 587],
        # telnet, the Docker API, VNC and Redis: vetscan asks them itself (#27 item 10).
        "127.0.10.30": [23, 2375, 5900, 6379],
    }
    plain = {
        (p.address, p.port): (p.service, p.product, p.version)
        for address, numbers in ports.items()
        for p in PortScanner(numbers, 200, 30, policy=LAB_POLICY).scan([address]).ports
        if p.state == "open"
    }
    assert len(plain) == 13
    named = {key: (product, version) for key, (_, product, version) in plain.items() if product}
    assert len(named) >= 11  # all but IMAP and the old TLS nginx
    for key, (product, version) in named.items():
        assert seen[key][1] == product, key
        # The Docker API tells its version to GET /version, which nmap does not ask.
        assert seen[key][2] == version or (not version and key[1] == 2375), key
    # Where nmap names nothing (an old TLS 1.0 nginx, IMAP), vetscan may say more.
    assert seen[("127.0.10.20", 443)][1] == "nginx"
    assert seen[("127.0.10.21", 143)][1] == "Dovecot imapd"


def _gather(
    lab_resolver: Resolver,
    profile: Profile,
    scanner: PortScanner,
    ports: tuple[PortResult, ...],
    expected: tuple[int, ...] = (80, 443),
    timeout: float = 2.0,
) -> tuple[ServicesObservation, float]:
    """The services probe on 127.0.10.20's ``ports``, handed over as the ports probe
    does, and the seconds it took."""
    from scanner.observations.ports import OpenPorts

    context = dataclasses.replace(
        build_context(lab_resolver, AddressPolicy(allow_private=True), profile, None, timeout),
        ports=scanner,
    )
    obs = OpenPorts("127.0.10.20", ("legacy.test",), ("web",), expected, "scanned", "", ports)
    upstream = ProbeResult("ports", AttemptStatus.COMPLETED, 0.1, (obs,), (), "", "1")
    start = time.monotonic()
    (services,) = ServicesProbe().gather(
        Target("Legacy", ("legacy.test",)),
        dataclasses.replace(context, upstream={"ports": upstream}),
    )
    assert isinstance(services, ServicesObservation)
    return services, time.monotonic() - start


@pytest.mark.lab
def test_a_port_that_never_answers_costs_its_timeout_and_no_other_result(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> None:
    """A tarpit beside real services: before, nmap's host timeout marked the whole address
    not assessed; now that one port keeps 'open' with a note, the others their products."""
    with listener("127.0.10.20", "tarpit") as tarpit:
        scanner = PortScanner([21, 22, tarpit], 200, 3, policy=LAB_POLICY)
        found = scanner.connect_scan(["127.0.10.20"])
        opened = tuple(p for p in found.ports if p.state == "open")
        assert {p.port for p in opened} == {21, 22, tarpit}
        services, elapsed = _gather(lab_resolver, default_profile, scanner, opened)
    assert services.outcome == "scanned"
    products = {p.port: p.product for p in services.ports}
    assert products[21] == "vsftpd" and products[22] == "OpenSSH"
    assert tarpit in products
    assert dict(services.unidentified)[tarpit] == "no answer naming the service within 3 s"
    assert elapsed < 3 * 2 + 10  # the tarpit's bound, not the sum of every port's


@pytest.mark.lab
def test_a_host_of_slow_ports_keeps_its_results_within_the_probe_timeout(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> None:
    """A port-spoofing firewall or a tarpit makes every port open and slow. Before, the
    per-port nmap runs queued past the probe's timeout and the engine dropped the whole
    probe (every service check not assessed, the open ports lost); now the ports that
    cannot be looked at in time are listed with a note and the probe ends in time."""
    from contextlib import ExitStack

    # 12 slow ports at 12 s each (nmap overruns by a probe's wait), 8 at a time: over
    # 30 s in all. The first runs get what the deadline leaves (17 s less nmap's 6 s
    # overrun), the rest none.
    profile = dataclasses.replace(default_profile, probe_timeout=20)
    with ExitStack() as stack:
        tarpits = [stack.enter_context(listener("127.0.10.20", "tarpit")) for _ in range(12)]
        scanner = PortScanner([21, 22, *tarpits], 200, 12, policy=LAB_POLICY)
        opened = tuple(p for p in scanner.connect_scan(["127.0.10.20"]).ports if p.state == "open")
        services, elapsed = _gather(lab_resolver, profile, scanner, opened)
    assert elapsed < profile.probe_timeout, elapsed
    products = {p.port: p.product for p in services.ports}
    assert products[21] == "vsftpd" and products[22] == "OpenSSH"
    assert set(tarpits) <= set(products)  # every slow port still listed open
    notes = dict(services.unidentified)
    assert set(notes) == set(tarpits)
    assert any("the probe's time ran out" in n for n in notes.values()), notes
    assert any(re.fullmatch(r"not identified within the \d+ s the probe had left for it", n)
               for n in notes.values()), notes  # fmt: skip


@pytest.mark.lab
def test_a_web_port_that_never_answers_costs_the_host_timeout_once(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> None:
    """vetscan first asks a web port itself (its Server header), then leaves it to nmap:
    the two share the port's host timeout, so a tarpit on port 80 costs that timeout,
    not our request's timeout and then nmap's (the hostile provider paid 45 s for 30)."""
    with listener("127.0.10.20", "tarpit") as tarpit:
        web = PortResult("127.0.10.20", tarpit, "open", "http", "", "", "", "", "")
        scanner = PortScanner([tarpit], 200, 8, policy=LAB_POLICY)
        services, elapsed = _gather(lab_resolver, default_profile, scanner, (web,), (80,), 4.0)
    assert [(p.port, p.state) for p in services.ports] == [(tarpit, "open")]
    assert dict(services.unidentified)[tarpit] == "no answer naming the service within 8 s"
    # Before: our 4 s request, then nmap's whole 8 s. Now nmap gets the 4 s left, too
    # few for its first probe (6 s), so it is not started.
    assert elapsed < 8, elapsed
