"""SPF verdicts for one domain (RFC 7208)."""

from __future__ import annotations

import dataclasses

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Severity, Status
from scanner.observations.dns import describe
from scanner.probes.email import spf
from scanner.probes.email.observations import SpfObservation
from scanner.probes.table import (
    GatedCheck,
    Skip,
    absent,
    inapplicable,
    run,
    unanswered,
)


def _looked_up(obs: SpfObservation) -> Skip | None:
    if obs.outcome.conclusive:
        return None
    return unanswered(f"the TXT lookup failed ({describe(obs.outcome, obs.outcome_reason)})")


def _has_record(obs: SpfObservation) -> Skip | None:
    return None if obs.records else absent("no SPF record")


def _missing(obs: SpfObservation) -> Finding:
    d = obs.domain
    if not obs.records:
        return finding(
            "email.spf.missing",
            Status.FAIL,
            d,
            f"{d} publishes no SPF record: anyone can send mail claiming to come from it and pass SPF-less receivers' checks.",
        )
    return finding(
        "email.spf.missing", Status.PASS, d, f"{d} publishes an SPF record.", record=obs.records[0]
    )


def _invalid(obs: SpfObservation) -> Finding:
    d = obs.domain
    if obs.errors:
        return finding(
            "email.spf.invalid",
            Status.FAIL,
            d,
            f"The SPF policy of {d} is invalid, so receivers return permerror: {obs.errors[0]}"
            + (f" (+{len(obs.errors) - 1} more)" if len(obs.errors) > 1 else ""),
            errors=list(obs.errors),
        )
    if obs.inconclusive:
        return not_assessed("email.spf.invalid", d, obs.inconclusive[0])
    return finding(
        "email.spf.invalid",
        Status.PASS,
        d,
        f"The SPF policy of {d} parses and every include resolves.",
    )


def _too_many_lookups(obs: SpfObservation) -> Finding:
    d = obs.domain
    if obs.lookups > spf.LOOKUP_LIMIT or obs.void_lookups > spf.VOID_LIMIT:
        return finding(
            "email.spf.too_many_lookups",
            Status.FAIL,
            d,
            f"Evaluating the SPF policy of {d} takes {obs.lookups} DNS lookups ({obs.void_lookups} void); receivers stop at {spf.LOOKUP_LIMIT} ({spf.VOID_LIMIT} void) with permerror.",
            lookups=obs.lookups,
            void_lookups=obs.void_lookups,
        )
    if obs.inconclusive:
        return not_assessed("email.spf.too_many_lookups", d, obs.inconclusive[0])
    return finding(
        "email.spf.too_many_lookups",
        Status.PASS,
        d,
        f"The SPF policy of {d} needs {obs.lookups} DNS lookups (limit {spf.LOOKUP_LIMIT}).",
        lookups=obs.lookups,
        void_lookups=obs.void_lookups,
    )


def _permissive_all(obs: SpfObservation) -> Finding:
    d, qualifier = obs.domain, obs.effective_all
    if qualifier in ("+", "?"):
        failed = finding(
            "email.spf.permissive_all",
            Status.FAIL,
            d,
            f"The SPF policy of {d} ends in '{qualifier}all', which {'authorizes every sender' if qualifier == '+' else 'gives no verdict for unlisted senders'}.",
            all=f"{qualifier}all",
        )
        # '?all' lets unlisted senders through without a verdict: less than '+all'.
        return failed if qualifier == "+" else dataclasses.replace(failed, severity=Severity.HIGH)
    return finding(
        "email.spf.permissive_all",
        Status.PASS,
        d,
        f"The SPF policy of {d} does not end in +all or ?all.",
        all=f"{qualifier}all" if qualifier else None,
    )


def _softfail_all(obs: SpfObservation) -> Finding:
    d, qualifier = obs.domain, obs.effective_all
    if qualifier == "~":
        return finding(
            "email.spf.softfail_all",
            Status.FAIL,
            d,
            f"The SPF policy of {d} ends in '~all' (softfail): unlisted senders are only marked, not rejected; DMARC enforcement matters all the more.",
            all="~all",
        )
    if qualifier == "-":
        return finding(
            "email.spf.softfail_all", Status.PASS, d, f"The SPF policy of {d} ends in '-all'."
        )
    return inapplicable("email.spf.softfail_all", d, "the policy does not end in ~all or -all")


def _ptr(obs: SpfObservation) -> Finding:
    d = obs.domain
    if obs.uses_ptr:
        return finding(
            "email.spf.ptr",
            Status.FAIL,
            d,
            f"The SPF policy of {d} uses the deprecated 'ptr' mechanism (RFC 7208 section 5.5), which is slow and unreliable.",
        )
    return finding("email.spf.ptr", Status.PASS, d, f"The SPF policy of {d} does not use 'ptr'.")


def _include_unresolvable(obs: SpfObservation) -> Finding:
    d = obs.domain
    if obs.missing_includes:
        return finding(
            "email.spf.include_unresolvable",
            Status.FAIL,
            d,
            f"The SPF policy of {d} includes {', '.join(obs.missing_includes)}, which does "
            "not exist: whoever registers it decides which servers may send mail as "
            f"{d}.",
            domains=list(obs.missing_includes),
        )
    if obs.inconclusive:
        return not_assessed("email.spf.include_unresolvable", d, obs.inconclusive[0])
    return finding(
        "email.spf.include_unresolvable",
        Status.PASS,
        d,
        f"Every domain the SPF policy of {d} includes exists.",
    )


_RECORD = (_looked_up, _has_record)
CHECKS: tuple[GatedCheck[SpfObservation], ...] = (
    GatedCheck("email.spf.missing", (_looked_up,), _missing),
    GatedCheck("email.spf.invalid", _RECORD, _invalid),
    GatedCheck("email.spf.too_many_lookups", _RECORD, _too_many_lookups),
    GatedCheck("email.spf.permissive_all", _RECORD, _permissive_all),
    GatedCheck("email.spf.softfail_all", _RECORD, _softfail_all),
    GatedCheck("email.spf.ptr", _RECORD, _ptr),
    GatedCheck("email.spf.include_unresolvable", _RECORD, _include_unresolvable),
)


def evaluate_spf(obs: SpfObservation) -> list[Finding]:
    return run(obs.domain, obs, CHECKS)
