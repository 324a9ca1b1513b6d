"""What every TLS check reads and how it speaks: one endpoint with the profile's
thresholds, findings on the endpoint (its address in the evidence), and the gates
that make a check "not assessed" when what it reads was not obtained."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from scanner.checks import lookup
from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult
from scanner.probes.table import Gate, Skip
from scanner.scoring.profile import Profile


@dataclass(frozen=True)
class Thresholds:
    """The TLS probe's settings ([thresholds] in a profile, settings.toml beside)."""

    cert_expiry_warn_days: int = 30
    cert_expiry_fail_days: int = 14
    hsts_min_max_age: int = 15_552_000  # 180 days
    min_rsa_bits: int = 2048
    min_ec_bits: int = 256
    min_dh_bits: int = 2048

    @classmethod
    def of(cls, profile: Profile) -> Thresholds:
        return cls(**{f.name: int(profile.setting("thresholds", f.name)) for f in fields(cls)})


# A check function of one endpoint under the profile's thresholds.
Check = Callable[[TlsEndpointResult, Thresholds], Finding]


@dataclass(frozen=True)
class Endpoint:
    """The subject of the check table: an endpoint and the thresholds it is held to."""

    ep: TlsEndpointResult
    thresholds: Thresholds


def asset(ep: TlsEndpointResult) -> str:
    return ep.asset or f"{ep.host}:{ep.port}"


def finding(
    check_id: str,
    status: Status,
    ep: TlsEndpointResult,
    detail: str,
    **evidence: Any,
) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=lookup(check_id).severity,
        asset=asset(ep),
        detail=detail,
        evidence={"address": ep.address, **evidence},
    )


def not_assessed(check_id: str, ep: TlsEndpointResult, reason: str) -> Finding:
    return finding(
        check_id, Status.NOT_ASSESSED, ep, f"Not assessed on {asset(ep)}: {reason}.", reason=reason
    )


def skip(ep: TlsEndpointResult, reason: str) -> Skip:
    """A gate's "not assessed", worded and evidenced as not_assessed above."""
    detail = f"Not assessed on {asset(ep)}: {reason}."
    return Skip(
        reason, unanswered=True, detail=detail, evidence={"address": ep.address, "reason": reason}
    )


def scanned(subject: Endpoint) -> Skip | None:
    """The endpoint was scanned (a refused, unreachable or limiting one was not)."""
    ep = subject.ep
    return None if ep.outcome == "scanned" else skip(ep, ep.reason or ep.outcome)


def has_certificate(subject: Endpoint) -> Skip | None:
    ep = subject.ep
    if ep.certificate is not None:
        return None
    return skip(ep, ep.certificate_reason or "no certificate result")


def hsts_answered(subject: Endpoint) -> Skip | None:
    ep = subject.ep
    return None if ep.hsts_assessed else skip(ep, ep.hsts_reason or "no HTTP response")


def vuln_ran(key: str) -> Gate[Endpoint]:
    def gate(subject: Endpoint) -> Skip | None:
        ep = subject.ep
        vuln = next((v for v in ep.vulnerabilities if v.name == key), None)
        if vuln is not None and vuln.vulnerable is not None:
            return None
        return skip(ep, vuln.reason if vuln else "test did not run")

    return gate


def mozilla_ran(level: str) -> Gate[Endpoint]:
    def gate(subject: Endpoint) -> Skip | None:
        ep = subject.ep
        result = next((m for m in ep.mozilla if m.level == level), None)
        if result is not None and result.compliant is not None:
            return None
        return skip(ep, result.reason if result else "check did not run")

    return gate
