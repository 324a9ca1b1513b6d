"""Scanning a lab provider the way the demo does, for tests that need whole scans."""

from __future__ import annotations

from pathlib import Path

from scanner.engine import scan
from scanner.lab import manager
from scanner.lab.providers import CT_URLS, HSTS_PRELOADED, LabProvider
from scanner.model import ScanResult, Target
from scanner.net.dnssec import load_anchors
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.net.targets import parse_host_port
from scanner.options import with_discovery
from scanner.probes.base import ProbeContext
from scanner.probes.context import build_context
from scanner.registry import load_registry
from scanner.scoring.profile import Profile
from scanner.scoring.settings import Override


def lab_context(
    lab: Path, resolver: Resolver, profile: Profile, provider: LabProvider
) -> ProbeContext:
    """The context the demo gives a lab provider's scan: lab CA, anchors, its DKIM selectors."""
    return build_context(
        resolver,
        AddressPolicy(allow_private=True),
        # Certificate transparency from the lab's stub, as the demo has it.
        with_discovery(profile, None, CT_URLS).with_overrides(
            [
                Override.of("dkim.selectors", [k.selector for k in provider.dkim], extend=True),
                Override.of("web.hsts_preloaded", list(HSTS_PRELOADED)),
            ]
        ),
        manager.ca_file(lab),
        3.0,
        load_anchors(manager.trust_anchors(lab)),
    )


def scan_lab_provider(
    lab: Path, resolver: Resolver, profile: Profile, provider: LabProvider
) -> ScanResult:
    """A scan of one lab provider as the demo makes it (built-in probes, lab CA and anchors)."""
    context = lab_context(lab, resolver, profile, provider)
    hosts = tuple(parse_host_port(h) for h in provider.extra_hosts)
    target = Target(provider.name, (provider.domain,), hosts)
    return scan(target, load_registry(plugins=[]).probes, context)
