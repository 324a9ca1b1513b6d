"""DMARC verdicts for one domain (RFC 7489 and the RFC 9989 tree walk)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Status
from scanner.probes.email import dmarc
from scanner.probes.email.observations import DmarcObservation
from scanner.probes.table import (
    GatedCheck,
    Skip,
    absent,
    inapplicable,
    run,
    unanswered,
)


def _looked_up(obs: DmarcObservation) -> Skip | None:
    return unanswered(f"the DMARC lookup failed ({obs.inconclusive})") if obs.inconclusive else None


def _has_record(obs: DmarcObservation) -> Skip | None:
    return None if obs.records else absent("no DMARC record")


def _valid(obs: DmarcObservation) -> Skip | None:
    if len(obs.records) > 1 or not dmarc.parse(obs.records[0]).valid:
        return absent("the DMARC record is invalid")
    return None


def _where(obs: DmarcObservation) -> dict[str, Any]:
    context: dict[str, Any] = {
        "found_at": obs.found_at,
        "queried": list(obs.queried),
        "rfc7489_location": obs.rfc7489_location,
    }
    if obs.found_at != obs.rfc7489_location:
        context["note"] = (
            f"RFC 7489's Public Suffix List rule (organizational domain {obs.org_domain_psl}) would find {'_dmarc.' + obs.rfc7489_location if obs.rfc7489_location else 'no record'}"
        )
    return context


def _missing(obs: DmarcObservation) -> Finding:
    d = obs.domain
    if not obs.records:
        return finding(
            "email.dmarc.missing",
            Status.FAIL,
            d,
            f"No DMARC policy applies to {d}: receivers have no instruction for mail that fails SPF and DKIM alignment.",
            **_where(obs),
        )
    return finding(
        "email.dmarc.missing",
        Status.PASS,
        d,
        f"A DMARC policy applies to {d} (found at _dmarc.{obs.found_at}).",
        **_where(obs),
    )


def _invalid(obs: DmarcObservation) -> Finding:
    d = obs.domain
    if len(obs.records) > 1:
        return finding(
            "email.dmarc.invalid",
            Status.FAIL,
            d,
            f"_dmarc.{obs.found_at} holds {len(obs.records)} DMARC records; receivers ignore them all.",
            records=list(obs.records),
        )
    record = dmarc.parse(obs.records[0])
    if not record.valid:
        return finding(
            "email.dmarc.invalid",
            Status.FAIL,
            d,
            f"The DMARC record of {d} is invalid: {'; '.join(record.errors)}.",
            record=record.text,
            errors=list(record.errors),
        )
    if record.psd == "y" and obs.found_at == obs.org_domain_psl:
        # psd=y is for public suffix operators (a registry, "co.uk"); on a registrable
        # domain it makes receivers treat every subdomain as an organization of its
        # own, so this domain's policy and alignment stop covering them.
        return finding(
            "email.dmarc.invalid",
            Status.FAIL,
            d,
            f"The DMARC record of {obs.found_at} says psd=y (a public suffix domain), but "
            f"{obs.found_at} is a registrable domain: receivers would treat its subdomains "
            "as separate organizations (RFC 9989, the psd tag).",
            record=record.text,
            errors=["psd=y on a registrable domain"],
        )
    return finding(
        "email.dmarc.invalid",
        Status.PASS,
        d,
        f"The DMARC record of {d} is valid.",
        record=record.text,
        warnings=list(record.warnings),
    )


def _applied(obs: DmarcObservation) -> tuple[str | None, dict[str, Any]]:
    record = dmarc.parse(obs.records[0])
    # A subdomain found its policy at a parent: sp= is what applies to it.
    stated = record.policy if obs.found_at == obs.domain else record.tags.get("sp", record.policy)
    policy = dmarc.applied_under_testing(stated, record.testing)
    evidence: dict[str, Any] = {"p": record.policy, "applied": policy, "found_at": obs.found_at}
    if policy != stated:
        evidence.update(stated=stated, testing=True)
    return policy, evidence


def _stated(policy: str | None, evidence: Mapping[str, Any]) -> str:
    """The policy as a sentence says it: "p=quarantine with t=y (testing), applied as none"."""
    if evidence.get("testing"):
        return f"{evidence['stated']} with t=y (testing), which receivers apply as {policy}"
    return str(policy)


def _policy_none(obs: DmarcObservation) -> Finding:
    policy, evidence = _applied(obs)
    return finding(
        "email.dmarc.policy_none",
        Status.FAIL if policy == "none" else Status.PASS,
        obs.domain,
        f"The DMARC policy of {obs.domain} is {_stated(policy, evidence)}"
        + (": monitoring only, spoofed mail is delivered." if policy == "none" else "."),
        **evidence,
    )


def _policy_quarantine(obs: DmarcObservation) -> Finding:
    d = obs.domain
    policy, evidence = _applied(obs)
    if policy == "quarantine":
        return finding(
            "email.dmarc.policy_quarantine",
            Status.FAIL,
            d,
            f"The DMARC policy of {d} is {_stated(policy, evidence)}: spoofed mail lands in "
            "spam folders instead of being rejected.",
            **evidence,
        )
    if policy == "reject":
        return finding(
            "email.dmarc.policy_quarantine",
            Status.PASS,
            d,
            f"The DMARC policy of {d} is reject.",
            **evidence,
        )
    return inapplicable("email.dmarc.policy_quarantine", d, f"the policy is {policy}")


def _partial_pct(obs: DmarcObservation) -> Finding:
    d = obs.domain
    record = dmarc.parse(obs.records[0])
    partial = [f"pct={record.pct}"] if record.pct < 100 else []
    partial += ["t=y (testing)"] if record.testing else []
    if partial:
        return finding(
            "email.dmarc.partial_pct",
            Status.FAIL,
            d,
            f"The DMARC policy of {d} applies only partly: {', '.join(partial)}.",
            tags=partial,
        )
    return finding(
        "email.dmarc.partial_pct", Status.PASS, d, f"The DMARC policy of {d} applies to all mail."
    )


def _no_reporting(obs: DmarcObservation) -> Finding:
    d = obs.domain
    record = dmarc.parse(obs.records[0])
    if record.rua:
        return finding(
            "email.dmarc.no_reporting",
            Status.PASS,
            d,
            f"{d} asks for aggregate reports.",
            rua=record.rua,
        )
    return finding(
        "email.dmarc.no_reporting",
        Status.FAIL,
        d,
        f"The DMARC record of {d} has no rua= address: nobody sees who sends mail in the domain's name.",
    )


def _external_rua(obs: DmarcObservation) -> Finding:
    check, d = "email.dmarc.external_rua_unauthorized", obs.domain
    unauthorized = [dest for dest, outcome in obs.rua_authorizations if outcome == "unauthorized"]
    unknown = [
        f"{dest} ({outcome})"
        for dest, outcome in obs.rua_authorizations
        if outcome.startswith("inconclusive")
    ]
    if unauthorized:
        return finding(
            check,
            Status.FAIL,
            d,
            f"Reports for {d} go to {', '.join(unauthorized)}, which does not accept them (no {obs.found_at}._report._dmarc record, RFC 7489 section 7.1): receivers drop those reports.",
            destinations=unauthorized,
        )
    if unknown:
        return not_assessed(check, d, f"authorization lookups failed: {', '.join(unknown)}")
    if not obs.rua_authorizations:
        return inapplicable(check, d, "no report destination outside the domain's organization")
    return finding(
        check,
        Status.PASS,
        d,
        f"Every external report destination of {d} authorizes it.",
        destinations=[dest for dest, _ in obs.rua_authorizations],
    )


_RECORD = (_looked_up, _has_record)
_VALID = (*_RECORD, _valid)
CHECKS: tuple[GatedCheck[DmarcObservation], ...] = (
    GatedCheck("email.dmarc.missing", (_looked_up,), _missing),
    GatedCheck("email.dmarc.invalid", _RECORD, _invalid),
    GatedCheck("email.dmarc.policy_none", _VALID, _policy_none),
    GatedCheck("email.dmarc.policy_quarantine", _VALID, _policy_quarantine),
    GatedCheck("email.dmarc.partial_pct", _VALID, _partial_pct),
    GatedCheck("email.dmarc.no_reporting", _VALID, _no_reporting),
    GatedCheck("email.dmarc.external_rua_unauthorized", _VALID, _external_rua),
)


def evaluate_dmarc(obs: DmarcObservation) -> list[Finding]:
    return run(obs.domain, obs, CHECKS)
