"""Building the probe context: the one place where the network adapters are made."""

from __future__ import annotations

from pathlib import Path

from scanner.net.policy import AddressPolicy
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
) -> ProbeContext:
    return ProbeContext(
        resolver=resolver,
        policy=policy,
        profile=profile,
        ca_file=ca_file,
        timeout=timeout,
        tls=TlsScanner(ca_file=ca_file, network_timeout=timeout),
    )
