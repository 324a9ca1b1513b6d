"""MTA-STS verdicts for one domain (RFC 8461)."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.observations.dns import describe
from scanner.probes.email import mtasts
from scanner.probes.email.observations import MtaStsObservation
from scanner.probes.table import (
    GatedCheck,
    Skip,
    absent,
    inapplicable,
    run,
    unanswered,
)


def _looked_up(obs: MtaStsObservation) -> Skip | None:
    if obs.outcome.conclusive:
        return None
    return unanswered(f"the _mta-sts lookup failed ({describe(obs.outcome, obs.outcome_reason)})")


def _has_record(obs: MtaStsObservation) -> Skip | None:
    return None if obs.records else absent("no MTA-STS record")


def _policy(obs: MtaStsObservation) -> mtasts.StsPolicy | None:
    return None if obs.policy_text is None else mtasts.parse_policy(obs.policy_text)


def _usable_policy(obs: MtaStsObservation) -> Skip | None:
    policy = _policy(obs)
    return absent("no usable policy") if policy is None or policy.mode is None else None


def _missing(obs: MtaStsObservation) -> Finding:
    d = obs.domain
    if not obs.records:
        return finding(
            "email.mta_sts.missing",
            Status.FAIL,
            d,
            f"{d} publishes no MTA-STS policy: senders cannot insist on TLS, so a network attacker can strip STARTTLS.",
        )
    return finding("email.mta_sts.missing", Status.PASS, d, f"{d} publishes an MTA-STS record.")


def _problems(obs: MtaStsObservation) -> list[str]:
    problems: list[str] = []
    if len(obs.records) > 1:
        problems.append(f"{len(obs.records)} records at _mta-sts.{obs.domain}")
    problems += list(mtasts.parse_record(obs.records[0]).errors)
    policy = _policy(obs)
    if policy is None:
        problems.append(f"the policy at {obs.policy_url} could not be fetched: {obs.policy_error}")
        return problems
    problems += list(policy.errors)
    if obs.policy_content_type != "text/plain":
        problems.append(
            f"the policy is served as {obs.policy_content_type or 'no type'}, not text/plain"
        )
    return problems


def _invalid(obs: MtaStsObservation) -> Finding:
    d, problems = obs.domain, _problems(obs)
    if problems:
        return finding(
            "email.mta_sts.invalid",
            Status.FAIL,
            d,
            f"The MTA-STS setup of {d} is invalid, so senders ignore it: {problems[0]}"
            + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
            problems=problems,
            url=obs.policy_url,
        )
    return finding(
        "email.mta_sts.invalid",
        Status.PASS,
        d,
        f"The MTA-STS policy of {d} is valid.",
        url=obs.policy_url,
    )


def _testing(obs: MtaStsObservation) -> Finding:
    d, policy = obs.domain, _policy(obs)
    assert policy is not None  # the gate saw a usable policy
    if policy.mode == "enforce":
        return finding(
            "email.mta_sts.testing", Status.PASS, d, f"The MTA-STS policy of {d} is enforced."
        )
    return finding(
        "email.mta_sts.testing",
        Status.FAIL,
        d,
        f"The MTA-STS policy of {d} is in mode '{policy.mode}': senders report failures but still deliver without TLS.",
        mode=policy.mode,
    )


def _mx_mismatch(obs: MtaStsObservation) -> Finding:
    d, policy = obs.domain, _policy(obs)
    assert policy is not None  # the gate saw a usable policy
    if not obs.mx_hosts:
        return inapplicable("email.mta_sts.mx_mismatch", d, "the domain has no MX host")
    unmatched = [mx for mx in obs.mx_hosts if not any(mtasts.mx_matches(p, mx) for p in policy.mx)]
    if unmatched:
        return finding(
            "email.mta_sts.mx_mismatch",
            Status.FAIL,
            d,
            f"MX host(s) of {d} not covered by the MTA-STS policy: {', '.join(unmatched)}; enforcing senders will refuse to deliver to them.",
            unmatched=unmatched,
            patterns=list(policy.mx),
        )
    return finding(
        "email.mta_sts.mx_mismatch",
        Status.PASS,
        d,
        f"Every MX host of {d} matches the MTA-STS policy.",
        patterns=list(policy.mx),
    )


_RECORD = (_looked_up, _has_record)
_POLICY = (*_RECORD, _usable_policy)
CHECKS: tuple[GatedCheck[MtaStsObservation], ...] = (
    GatedCheck("email.mta_sts.missing", (_looked_up,), _missing),
    GatedCheck("email.mta_sts.invalid", _RECORD, _invalid),
    GatedCheck("email.mta_sts.testing", _POLICY, _testing),
    GatedCheck("email.mta_sts.mx_mismatch", _POLICY, _mx_mismatch),
)


def evaluate_mta_sts(obs: MtaStsObservation) -> list[Finding]:
    return run(obs.domain, obs, CHECKS)
