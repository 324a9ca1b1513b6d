"""The zone's own checks: DNSSEC (signed, and validating) and CAA (present, well formed)."""

from __future__ import annotations

from typing import Any

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.probes.table import Skip, unanswered

from .. import caa as caa_records
from ..observations import CaaObservation, DnssecObservation
from .view import DomainView


def _zone(obs: DnssecObservation) -> str:
    return obs.zone.rstrip(".") or obs.domain


def _evidence(obs: DnssecObservation) -> dict[str, Any]:
    return {
        "zone": _zone(obs),
        "dnssec_status": obs.status,
        "reason": obs.reason,
        "anchor": obs.anchor,
        "resolver_ad_flag": obs.ad_flag,
    }


def _undetermined(check_id: str, obs: DnssecObservation) -> Finding:
    # Not through a gate: the asset is the zone, which may sit above the domain.
    zone = _zone(obs)
    detail = f"DNSSEC of {zone} not assessed: {obs.reason}."
    return finding(check_id, Status.NOT_ASSESSED, zone, detail, **_evidence(obs))


def unsigned(view: DomainView) -> list[Finding]:
    """dns.dnssec.unsigned: the domain's zone is signed."""
    return [_unsigned(obs) for obs in view.dnssec]


def _unsigned(obs: DnssecObservation) -> Finding:
    check, zone, evidence = "dns.dnssec.unsigned", _zone(obs), _evidence(obs)
    if obs.status == "secure":
        return finding(
            check, Status.PASS, zone, f"The zone {zone} is signed and validates.", **evidence
        )
    if obs.status == "bogus":
        return finding(check, Status.PASS, zone, f"The zone {zone} is signed.", **evidence)
    if obs.status in ("unsigned", "insecure"):
        return finding(
            check,
            Status.FAIL,
            zone,
            f"The zone {zone} is not protected by DNSSEC ({obs.reason}): its answers can be forged.",
            **evidence,
        )
    return _undetermined(check, obs)


def invalid(view: DomainView) -> list[Finding]:
    """dns.dnssec.invalid: the signed zone's chain of trust validates."""
    return [_invalid(obs) for obs in view.dnssec]


def _invalid(obs: DnssecObservation) -> Finding:
    check, zone, evidence = "dns.dnssec.invalid", _zone(obs), _evidence(obs)
    if obs.status == "secure":
        return finding(
            check,
            Status.PASS,
            zone,
            f"The DNSSEC chain of {zone} validates: {obs.reason.rstrip('.')}.",
            **evidence,
        )
    if obs.status == "bogus":
        return finding(
            check,
            Status.FAIL,
            zone,
            f"The DNSSEC signatures of {zone} do not validate: {obs.reason}. Validating resolvers answer SERVFAIL, so the domain disappears for their users.",
            **evidence,
        )
    if obs.status in ("unsigned", "insecure"):
        return finding(
            check, Status.INFO, zone, f"Not applicable: {zone} is not signed.", **evidence
        )
    return _undetermined(check, obs)


def caa_answered(view: DomainView) -> Skip | None:
    failed = next((o.inconclusive for o in view.caa if o.inconclusive), None)
    return None if failed is None else unanswered(f"the CAA lookup failed ({failed})")


def caa_missing(view: DomainView) -> list[Finding]:
    """dns.caa.missing: a CAA record (RFC 8659) applies to the domain."""
    return [_caa_missing(obs) for obs in view.caa]


def _caa_missing(obs: CaaObservation) -> Finding:
    d = obs.domain
    if not obs.records:
        return finding(
            "dns.caa.missing",
            Status.FAIL,
            d,
            f"No CAA record applies to {d} (looked at {', '.join(obs.queried)}): any CA may issue certificates for it.",
        )
    return finding(
        "dns.caa.missing",
        Status.PASS,
        d,
        f"CAA records at {obs.found_at} restrict which CAs may issue for {d}.",
        records=list(obs.records),
    )


def caa_invalid(view: DomainView) -> list[Finding]:
    """dns.caa.invalid: the CAA records that apply are well formed."""
    return [_caa_invalid(obs) for obs in view.caa]


def _caa_invalid(obs: CaaObservation) -> Finding:
    d = obs.domain
    if not obs.records:
        return finding("dns.caa.invalid", Status.INFO, d, "Not applicable: no CAA record.")
    errors = [e for r in obs.records for e in caa_records.parse(r).errors]
    if errors:
        return finding(
            "dns.caa.invalid",
            Status.FAIL,
            d,
            f"CAA records at {obs.found_at} are malformed: {'; '.join(errors)}.",
            errors=errors,
        )
    return finding(
        "dns.caa.invalid", Status.PASS, d, f"The CAA records at {obs.found_at} are well formed."
    )
