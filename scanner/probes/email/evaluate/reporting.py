"""TLS-RPT (RFC 8460) and BIMI verdicts for one domain."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.observations.dns import describe
from scanner.probes.email import reporting
from scanner.probes.email.observations import RecordObservation
from scanner.probes.table import (
    GatedCheck,
    Skip,
    absent,
    run,
    unanswered,
)


def _looked_up(obs: RecordObservation) -> Skip | None:
    if obs.outcome.conclusive:
        return None
    return unanswered(f"the {obs.name} lookup failed ({describe(obs.outcome, obs.outcome_reason)})")


def _tlsrpt_records(obs: RecordObservation) -> list[str]:
    return [t for t in obs.texts if reporting.is_tlsrpt(t)]


def _has_tlsrpt(obs: RecordObservation) -> Skip | None:
    return None if _tlsrpt_records(obs) else absent("no TLS-RPT record")


def _tlsrpt_missing(obs: RecordObservation) -> Finding:
    d = obs.domain
    if not _tlsrpt_records(obs):
        return finding(
            "email.tlsrpt.missing",
            Status.FAIL,
            d,
            f"{d} publishes no TLS-RPT record (_smtp._tls): delivery failures over TLS go unreported.",
        )
    return finding("email.tlsrpt.missing", Status.PASS, d, f"{d} publishes a TLS-RPT record.")


def _tlsrpt_invalid(obs: RecordObservation) -> Finding:
    d, records = obs.domain, _tlsrpt_records(obs)
    parsed = reporting.parse_tlsrpt(records[0])
    errors = list(parsed.errors) + ([f"{len(records)} records"] if len(records) > 1 else [])
    if errors:
        return finding(
            "email.tlsrpt.invalid",
            Status.FAIL,
            d,
            f"The TLS-RPT record of {d} is invalid: {'; '.join(errors)}.",
            record=records[0],
        )
    return finding(
        "email.tlsrpt.invalid",
        Status.PASS,
        d,
        f"The TLS-RPT record of {d} is valid.",
        rua=list(parsed.rua),
    )


def _bimi(obs: RecordObservation) -> Finding:
    d = obs.domain
    records = [t for t in obs.texts if reporting.is_bimi(t)]
    if not records:
        # Optional branding, not a weakness: its absence is information only.
        return finding(
            "email.bimi.present",
            Status.INFO,
            d,
            f"{d} publishes no BIMI record (optional brand logo in mail clients).",
        )
    bimi = reporting.parse_bimi(records[0])
    return finding(
        "email.bimi.present",
        Status.PASS,
        d,
        f"{d} publishes a BIMI record" + (f" (logo {bimi.logo})." if bimi.logo else "."),
        record=records[0],
        errors=list(bimi.errors),
    )


TLSRPT_CHECKS: tuple[GatedCheck[RecordObservation], ...] = (
    GatedCheck("email.tlsrpt.missing", (_looked_up,), _tlsrpt_missing),
    GatedCheck("email.tlsrpt.invalid", (_looked_up, _has_tlsrpt), _tlsrpt_invalid),
)
BIMI_CHECKS: tuple[GatedCheck[RecordObservation], ...] = (
    GatedCheck("email.bimi.present", (_looked_up,), _bimi),
)
_BY_KIND = {"tlsrpt": TLSRPT_CHECKS, "bimi": BIMI_CHECKS}


def evaluate_record(obs: RecordObservation) -> list[Finding]:
    return run(obs.domain, obs, _BY_KIND[obs.record_kind])
