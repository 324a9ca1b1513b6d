"""DKIM verdicts for one domain, over the keys found at the selectors tried (RFC 6376)."""

from __future__ import annotations

import dataclasses

from scanner.checks import finding
from scanner.model import Finding, Severity, Status
from scanner.observations.dns import DnsOutcome
from scanner.probes.email import dkim
from scanner.probes.email.observations import DkimObservation
from scanner.probes.table import (
    GatedCheck,
    Skip,
    absent,
    inapplicable,
    run,
    unanswered,
)


def _looked_up(obs: DkimObservation) -> Skip | None:
    if not obs.found and obs.failed and len(obs.failed) == len(obs.selectors):
        return unanswered("every selector lookup failed")
    return None


def _has_key(obs: DkimObservation) -> Skip | None:
    return None if obs.found else absent("no DKIM key found")


def _keys(obs: DkimObservation) -> list[tuple[str, dkim.DkimKey]]:
    return [(sel, dkim.parse(text)) for sel, text in obs.found]


def _live(obs: DkimObservation) -> list[tuple[str, dkim.DkimKey]]:
    return [(sel, k) for sel, k in _keys(obs) if not k.revoked]


def _not_found(obs: DkimObservation) -> Finding:
    d = obs.domain
    if not obs.found and obs.domainkey is DnsOutcome.NXDOMAIN:
        # Known, not guessed: nothing at all exists below _domainkey (RFC 8020).
        return finding(
            "email.dkim.not_found",
            Status.FAIL,
            d,
            f"No DKIM key is published for {d}: the name _domainkey.{d} does not exist "
            "(NXDOMAIN), so no selector exists under it and the domain's mail cannot carry "
            "a DKIM signature its receivers can check.",
            selectors=len(obs.selectors),
            domainkey="nxdomain",
        )
    if not obs.found and obs.domainkey in (DnsOutcome.NODATA, DnsOutcome.OK):
        return finding(
            "email.dkim.not_found",
            Status.WARN,
            d,
            f"No DKIM key found for {d} among {len(obs.selectors)} common selectors, but names "
            f"exist under _domainkey.{d}: the provider likely signs with a selector vetscan "
            "does not know. Ask for it (--dkim-selector) to have its key checked.",
            selectors=len(obs.selectors),
            domainkey=str(obs.domainkey),
        )
    if not obs.found:
        return finding(
            "email.dkim.not_found",
            Status.WARN,
            d,
            f"No DKIM key found for {d} among {len(obs.selectors)} common selectors. The provider may use another selector: ask for it (--dkim-selector).",
            selectors=len(obs.selectors),
        )
    names = [sel for sel, _ in obs.found]
    return finding(
        "email.dkim.not_found",
        Status.PASS,
        d,
        f"DKIM keys found for {d}: selector(s) {', '.join(names)}.",
        selectors=names,
    )


def _weak_key(obs: DkimObservation) -> Finding:
    d, live = obs.domain, _live(obs)
    weak = [
        (sel, k.key_bits)
        for sel, k in live
        if k.key_type == "rsa" and k.key_bits is not None and k.key_bits < 2048
    ]
    broken = [(sel, "; ".join(k.errors)) for sel, k in live if k.errors]
    if weak:
        smallest = min(bits for _, bits in weak if bits is not None)
        failed = finding(
            "email.dkim.weak_key",
            Status.FAIL,
            d,
            f"DKIM key(s) of {d} are too short: {', '.join(f'{s} ({b} bits)' for s, b in weak)}.",
            keys=[{"selector": s, "bits": b} for s, b in weak],
        )
        # Under 1024 bits a key can be factored; 1024-2047 is below today's minimum.
        return failed if smallest < 1024 else dataclasses.replace(failed, severity=Severity.MEDIUM)
    if broken:
        return finding(
            "email.dkim.weak_key",
            Status.FAIL,
            d,
            f"DKIM key(s) of {d} cannot be used: {', '.join(f'{s}: {e}' for s, e in broken)}.",
            keys=[s for s, _ in broken],
        )
    if live:
        return finding(
            "email.dkim.weak_key",
            Status.PASS,
            d,
            f"Every DKIM key of {d} is at least 2048 bits (or Ed25519).",
        )
    return inapplicable("email.dkim.weak_key", d, "every key found is revoked")


def _testing(obs: DkimObservation) -> Finding:
    d = obs.domain
    testing = [sel for sel, k in _live(obs) if k.testing]
    if testing:
        return finding(
            "email.dkim.testing",
            Status.FAIL,
            d,
            f"DKIM key(s) of {d} are in testing mode (t=y): {', '.join(testing)}; receivers treat failures as if unsigned.",
            selectors=testing,
        )
    return finding("email.dkim.testing", Status.PASS, d, f"No DKIM key of {d} is in testing mode.")


def _revoked(obs: DkimObservation) -> Finding:
    d = obs.domain
    revoked = [sel for sel, k in _keys(obs) if k.revoked]
    if revoked:
        return finding(
            "email.dkim.revoked",
            Status.FAIL,
            d,
            f"DKIM selector(s) of {d} publish a revoked (empty) key: {', '.join(revoked)}."
            + (" No usable key remains." if not _live(obs) else ""),
            selectors=revoked,
        )
    return finding("email.dkim.revoked", Status.PASS, d, f"No DKIM key of {d} is revoked.")


_KEY = (_looked_up, _has_key)
CHECKS: tuple[GatedCheck[DkimObservation], ...] = (
    GatedCheck("email.dkim.not_found", (_looked_up,), _not_found),
    GatedCheck("email.dkim.weak_key", _KEY, _weak_key),
    GatedCheck("email.dkim.testing", _KEY, _testing),
    GatedCheck("email.dkim.revoked", _KEY, _revoked),
)


def evaluate_dkim(obs: DkimObservation) -> list[Finding]:
    return run(obs.domain, obs, CHECKS)
