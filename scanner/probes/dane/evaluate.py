"""The DANE checks of one MX: a table of two check functions behind their gates
(scanner.probes.table). A gate that fails says why in the probe's own words."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.observations.dns import describe
from scanner.probes.dnshealth import tlsa
from scanner.probes.table import GatedCheck, Skip, ids, run

from .observations import DaneObservation


def _looked_up(obs: DaneObservation) -> Skip | None:
    if obs.outcome.conclusive:
        return None
    failed = describe(obs.outcome, obs.outcome_reason)
    detail = f"DANE of {obs.mx} not assessed: TLSA lookup failed ({failed})."
    return Skip(failed, unanswered=True, detail=detail)


def _zone_known(obs: DaneObservation) -> Skip | None:
    if obs.zone_status != "indeterminate":
        return None
    detail = (
        f"DANE of {obs.mx} not assessed: DNSSEC of its zone could not be established "
        f"({obs.zone_reason})."
    )
    return Skip(obs.zone_reason, unanswered=True, detail=detail)


def _zone_secure(obs: DaneObservation) -> Skip | None:
    if obs.zone_status == "secure":
        return None
    detail = f"Not applicable: {obs.mx} has no usable TLSA records."
    return Skip(obs.zone_status, False, detail, {"records": list(obs.records)})


def _has_records(obs: DaneObservation) -> Skip | None:
    if obs.records:
        return None
    return Skip("no TLSA record", False, f"Not applicable: {obs.mx} has no TLSA record.")


def _has_chain(obs: DaneObservation) -> Skip | None:
    if obs.chains:
        return None
    detail = f"DANE of {obs.mx} not matched: no certificate was obtained from it over STARTTLS."
    return Skip("no certificate", unanswered=True, detail=detail)


def missing(obs: DaneObservation) -> Finding:
    """mail.dane.missing: the MX publishes TLSA records in a DNSSEC-signed zone."""
    mx = obs.mx
    if obs.zone_status != "secure":
        why = f"its zone is {obs.zone_status} ({obs.zone_reason}), and DANE needs DNSSEC"
        detail = f"{mx} cannot use DANE: {why}."
        return finding("mail.dane.missing", Status.FAIL, mx, detail, zone=obs.zone_status)
    if not obs.records:
        detail = (
            f"{mx} publishes no TLSA record (_25._tcp.{mx}) although its zone is signed: "
            "senders cannot authenticate it."
        )
        return finding("mail.dane.missing", Status.FAIL, mx, detail)
    detail = f"{mx} publishes TLSA records in a signed zone."
    return finding("mail.dane.missing", Status.PASS, mx, detail, records=list(obs.records))


def invalid(obs: DaneObservation) -> Finding:
    """mail.dane.invalid: a TLSA record matches the chain the MX presents on every address."""
    mx = obs.mx
    parsed = [tlsa.parse(r) for r in obs.records]
    usable = [p for p in parsed if not p.errors]
    failing = [
        address for address, chain in obs.chains if not any(tlsa.matches(r, chain) for r in usable)
    ]
    if failing or not usable:
        where = ", ".join(failing) or "any address"
        return finding(
            "mail.dane.invalid",
            Status.FAIL,
            mx,
            f"No TLSA record of {mx} matches the certificate it presents on {where}: "
            "DANE-validating senders will not deliver mail to it.",
            records=list(obs.records),
            addresses=failing,
            record_errors=[e for p in parsed for e in p.errors],
        )
    return finding(
        "mail.dane.invalid",
        Status.PASS,
        mx,
        f"The TLSA records of {mx} match the certificate it presents.",
        records=list(obs.records),
    )


CHECKS: tuple[GatedCheck[DaneObservation], ...] = (
    GatedCheck("mail.dane.missing", (_looked_up, _zone_known), missing),
    GatedCheck(
        "mail.dane.invalid",
        (_looked_up, _zone_known, _zone_secure, _has_records, _has_chain),
        invalid,
    ),
)
IDS = ids(CHECKS)


def evaluate(obs: DaneObservation) -> list[Finding]:
    return run(obs.mx, obs, CHECKS)
