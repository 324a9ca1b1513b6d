"""Building the probe context: the one place where the network adapters are made."""

from __future__ import annotations

from pathlib import Path

from scanner.net.dnssec import DnssecValidator, load_anchors
from scanner.net.handshakes import HandshakeTester
from scanner.net.http import HttpClient
from scanner.net.hybrid_kex import HybridKexTester
from scanner.net.lookups import MAX_SEARCH_BODY, DiscoveryClient
from scanner.net.policy import AddressPolicy
from scanner.net.portscan import PortScanner
from scanner.net.resolver import Resolver
from scanner.net.tls_scan import TlsScanner
from scanner.probes.base import ProbeContext
from scanner.scoring.profile import Profile


def build_context(
    resolver: Resolver,
    policy: AddressPolicy,
    profile: Profile,
    ca_file: Path | None = None,
    timeout: float = 5.0,
    anchors: dict[str, list[str]] | None = None,
) -> ProbeContext:
    """``anchors`` are DNSSEC trust anchors by zone (default: the IANA root keys)."""
    discovery = DiscoveryClient(
        HttpClient(ca_file=ca_file, timeout=timeout, max_body=MAX_SEARCH_BODY, policy=policy),
        resolver,
        policy,
        timeout,
    )
    return ProbeContext(
        resolver=resolver,
        policy=policy,
        profile=profile,
        ca_file=ca_file,
        timeout=timeout,
        tls=TlsScanner(
            ca_file=ca_file, network_timeout=timeout, issuer_fetch=discovery.issuer, policy=policy
        ),
        kex=HybridKexTester(policy, timeout),
        handshakes=HandshakeTester(policy, timeout),
        http=HttpClient(ca_file=ca_file, timeout=timeout, policy=policy),
        dnssec=DnssecValidator(resolver, anchors if anchors is not None else load_anchors(None)),
        ports=PortScanner(
            tuple(profile.setting("services", "ports")),
            int(profile.setting("services", "max_rate")),
            float(profile.setting("services", "host_timeout")),
            policy=policy,
        ),
        discovery=discovery,
    )
