"""The lab itself: its servers run, serve what providers.py says, and fail clearly."""

from __future__ import annotations

import base64
import socket
import ssl
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scanner.lab import manager
from scanner.lab.banners import mysql_greeting
from scanner.lab.providers import DNS_ADDRESSES, EXEMPLARY, LEGACY, PROVIDERS, LabProvider

pytestmark = pytest.mark.lab


def test_every_server_runs_and_up_is_idempotent(lab: Path) -> None:
    before = manager.status(lab)
    assert all(before.values()), before
    manager.up(lab)
    assert manager.status(lab) == before


def test_a_second_lab_from_another_folder_is_refused(lab: Path, tmp_path: Path) -> None:
    with pytest.raises(manager.LabError, match="already answer"):
        manager.up(tmp_path / "other")
    assert all(manager.status(lab).values())


def test_a_missing_server_binary_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(manager, "SBIN", "")
    with pytest.raises(manager.LabError, match=r"apt-get install (nginx-light|knot)"):
        manager.check_binaries()


def _query(name: str, rdtype: str, server: str = DNS_ADDRESSES[0]) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=True)
    return dns.query.udp(query, server, timeout=2)


@pytest.mark.parametrize("server", DNS_ADDRESSES)
def test_both_name_servers_answer_with_authority(lab: Path, server: str) -> None:
    reply = _query("exemplary.test", "SOA", server)
    assert reply.flags & dns.flags.AA
    assert reply.answer


def test_only_the_exemplary_zone_is_signed(lab: Path) -> None:
    signed = _query("exemplary.test", "A")
    assert any(r.rdtype == dns.rdatatype.RRSIG for r in signed.answer)
    assert _query("exemplary.test", "DNSKEY").answer
    unsigned = _query("legacy.test", "A")
    assert not any(r.rdtype == dns.rdatatype.RRSIG for r in unsigned.answer)


@pytest.mark.parametrize(
    ("port", "greeting"),
    [
        (21, b"220 (vsFTPd 2.3.4)"),
        (22, b"SSH-2.0-OpenSSH_7.4"),
        (23, b"\xff\xfd\x18"),
        (3306, mysql_greeting()[:8]),
    ],
)
def test_banner_listeners_greet_like_old_services(lab: Path, port: int, greeting: bytes) -> None:
    (address,) = LEGACY.banners
    with socket.create_connection((address, port), timeout=2) as sock:
        assert sock.recv(512).startswith(greeting)


def test_redis_listener_answers_info(lab: Path) -> None:
    (address,) = LEGACY.banners
    with socket.create_connection((address, 6379), timeout=2) as sock:
        sock.sendall(b"INFO\r\n")
        assert b"redis_version:4.0.9" in sock.recv(512)


def _tls(address: str, name: str, ca: Path, **options: object) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(ca))
    if options.pop("verify", True) is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    for key, value in options.items():
        setattr(context, key, value)
    if options:
        context.set_ciphers("ALL:@SECLEVEL=0")
    raw = socket.create_connection((address, 443), timeout=3)
    return context.wrap_socket(raw, server_hostname=name)


def test_exemplary_certificate_chains_to_the_lab_ca(lab: Path) -> None:
    with _tls("127.0.10.10", "www.exemplary.test", manager.ca_file(lab)) as tls:
        assert tls.version() in ("TLSv1.3", "TLSv1.2")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
def test_legacy_still_speaks_tls_1_0(lab: Path) -> None:
    with _tls(
        "127.0.10.20",
        "legacy.test",
        manager.ca_file(lab),
        verify=False,
        minimum_version=ssl.TLSVersion.TLSv1,
        maximum_version=ssl.TLSVersion.TLSv1,
    ) as tls:
        assert tls.version() == "TLSv1"


def test_broken_serves_an_expired_certificate(lab: Path) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
        _tls("127.0.10.30", "broken.test", manager.ca_file(lab))


def test_each_web_address_belongs_to_one_provider() -> None:
    addresses = [s.address for p in PROVIDERS for s in p.sites]
    assert len(addresses) == len(set(addresses))
    assert EXEMPLARY.sites[0].address in EXEMPLARY.address_records()["exemplary.test"]


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.key)
def test_dkim_keys_are_published_with_their_size(lab: Path, provider: LabProvider) -> None:
    for key in provider.dkim:
        reply = _query(f"{key.selector}._domainkey.{provider.domain}", "TXT")
        (rrset,) = [r for r in reply.answer if r.rdtype == dns.rdatatype.TXT]
        (record,) = [b"".join(rd.strings).decode() for rd in rrset]
        tags = dict(t.strip().split("=", 1) for t in record.split(";"))
        if key.bits == 0:
            assert tags["p"] == ""
            continue
        public = serialization.load_der_public_key(base64.b64decode(tags["p"]))
        assert isinstance(public, rsa.RSAPublicKey)
        assert public.key_size == key.bits


def test_lab_down_stops_every_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A component added to the lab must also be stopped by "lab down" (the open
    # resolver once kept running and blocked the next lab).
    names = [c.name for c in manager._components(tmp_path, PROVIDERS)]
    pids = {name: 1000 + i for i, name in enumerate(names)}
    stopped: list[int] = []
    monkeypatch.setattr(manager, "_running_pid", lambda _dir, name: pids[name])
    monkeypatch.setattr(manager, "stop_process", stopped.append)
    manager.down(tmp_path)
    assert sorted(stopped) == sorted(pids.values())
