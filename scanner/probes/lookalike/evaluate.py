"""The look-alike checks of one provider domain, one function per check (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Status

from .observations import Lookalike, LookalikeObservation

MAIL = "dns.lookalike.mail_capable"
REGISTERED = "dns.lookalike.registered"
IDS = (MAIL, REGISTERED)
SHOWN = 8  # look-alikes named in a detail; the evidence has them all


def _others(obs: LookalikeObservation) -> list[Lookalike]:
    return [f for f in obs.registered if not f.own]


def _names(found: Sequence[Lookalike]) -> str:
    shown = ", ".join(f.name for f in found[:SHOWN])
    return shown + (f" and {len(found) - SHOWN} more" if len(found) > SHOWN else "")


def _scope(obs: LookalikeObservation) -> str:
    """What was looked at, as one parenthesis: "the 400 most plausible of 1917
    look-alikes looked up; 2 got no answer"."""
    considered = obs.considered or obs.checked + obs.unanswered + obs.late
    if considered < obs.generated:
        said = f"the {considered} most plausible of {obs.generated} look-alikes looked up"
    else:
        said = f"all {obs.generated} look-alikes looked up"
    if obs.unanswered:
        said += f"; {obs.unanswered} got no answer"
    if obs.late:
        said += f"; {obs.late} not reached within the time budget"
    return said


def _unassessable(obs: LookalikeObservation, check_id: str) -> Finding | None:
    if obs.outcome == "error":
        return not_assessed(check_id, obs.domain, obs.reason)
    if obs.checked == 0 and obs.generated:
        why = "no look-alike could be looked up"
        if obs.outcome != "error" and not (obs.considered or obs.unanswered or obs.late):
            why += " (lookalike.max_candidates is 0)"
        elif obs.unanswered:
            why += f" ({obs.unanswered} got no answer from the resolver)"
        elif obs.late:
            why += " (the time budget ran out)"
        return not_assessed(check_id, obs.domain, why)
    return None


def _row(f: Lookalike) -> dict[str, object]:
    return {
        "name": f.name,
        "made_by": f.fuzzer,
        "addresses": list(f.addresses),
        "mx": list(f.mx),
        "ns": list(f.ns),
        "certificates": f.certificates,
        "ct_reason": f.ct_reason,
        "own": f.own,
    }


def mail_capable(obs: LookalikeObservation) -> Finding:
    """dns.lookalike.mail_capable: no look-alike registered by someone else takes mail."""
    if (skip := _unassessable(obs, MAIL)) is not None:
        return skip
    mail = [f for f in _others(obs) if f.mx]
    if mail:
        detail = (
            f"{len(mail)} look-alike(s) of {obs.domain} registered by someone else can "
            f"receive mail: {_names(mail)}. Mail from them can pass for the provider's "
            f"({_scope(obs)})."
        )
        return finding(MAIL, Status.FAIL, obs.domain, detail, lookalikes=[_row(f) for f in mail])
    detail = f"No look-alike of {obs.domain} registered by someone else takes mail ({_scope(obs)})."
    return finding(MAIL, Status.PASS, obs.domain, detail, checked=obs.checked)


def registered(obs: LookalikeObservation) -> Finding:
    """dns.lookalike.registered: the look-alikes registered at all, the provider's own apart."""
    if (skip := _unassessable(obs, REGISTERED)) is not None:
        return skip
    others, own = _others(obs), [f for f in obs.registered if f.own]
    rows = [_row(f) for f in obs.registered]
    if not others:
        tail = f"; the provider holds {len(own)} itself: {_names(own)}" if own else ""
        detail = (
            f"No look-alike of {obs.domain} is registered by someone else{tail} ({_scope(obs)})."
        )
        return finding(REGISTERED, Status.PASS, obs.domain, detail, lookalikes=rows)
    certified = [f for f in others if f.certificates]
    parts = [
        f"{len(others)} look-alike(s) of {obs.domain} are registered by someone else: {_names(others)}"
    ]
    if certified:
        parts.append(
            f"{len(certified)} with certificates in CT, ready for a web site ({_names(certified)})"
        )
    if own:
        parts.append(f"the provider holds {len(own)} itself ({_names(own)})")
    detail = "; ".join(parts) + f" ({_scope(obs)})."
    return finding(REGISTERED, Status.INFO, obs.domain, detail, lookalikes=rows)


CHECKS: tuple[Callable[[LookalikeObservation], Finding], ...] = (mail_capable, registered)


def evaluate(obs: LookalikeObservation) -> list[Finding]:
    return [check(obs) for check in CHECKS]
