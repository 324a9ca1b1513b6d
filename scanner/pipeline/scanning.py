"""Scanning a target with every installed probe, and telling whether it completed."""

from __future__ import annotations

from scanner.engine import Observer
from scanner.engine import scan as run_engine
from scanner.errors import ScanIncomplete
from scanner.model import ScanResult, Target
from scanner.net.resolver import Resolver
from scanner.options import ScanOptions
from scanner.preflight import preflight
from scanner.probes.context import build_context
from scanner.registry import PluginError, installed


def plugin_problems() -> tuple[PluginError, ...]:
    """Plugins that failed to load (the scan goes on without them)."""
    return installed().errors


def scan(
    target: Target,
    options: ScanOptions,
    observer: Observer | None = None,
    deadline: float | None = None,
) -> ScanResult:
    """Scans ``target`` with every installed probe. ``observer`` hears each probe
    start and end; ``deadline`` (time.monotonic()) bounds the whole scan.

    Raises InputError when a target does not exist or is refused by the address
    policy, ScanIncomplete when the resolver does not answer; a probe that fails
    becomes "not assessed" findings with the reason, never an exception."""
    timeout = options.timeout or options.profile.dns_timeout
    resolver = Resolver(options.nameserver, timeout=timeout)
    policy = options.policy()
    preflight(target, resolver, policy)
    context = build_context(
        resolver,
        policy,
        options.scan_profile(),
        options.ca_file,
        options.timeout or 5.0,
        dict(options.anchors) if options.anchors is not None else None,
    )
    return run_engine(target, installed().probes, context, observer, deadline)


def completed(result: ScanResult) -> bool:
    """Whether any probe completed (a scan where none did is incomplete)."""
    return any(p.status == "completed" for p in result.probes)


def require_completed(result: ScanResult) -> None:
    if not completed(result):
        raise ScanIncomplete("no probe completed; see the report for the reasons")
