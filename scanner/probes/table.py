"""The shape a probe's evaluation takes: a table of check functions, one per check ID,
each behind the gates it needs (every built-in probe's checks and the template
probe's use it).

A gate says why a check cannot be judged: the lookup failed ("not assessed", with
the reason) or its subject is absent ("info: not applicable": no SPF record, so no
'all' to judge). A check function returns one finding, or one per asset it judges
(a dangling CNAME per name). Every declared check yields at least one finding on
every path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Status

# What the checks read: one observation, or a probe's view over several (a domain's).
Obs = TypeVar("Obs")


@dataclass(frozen=True)
class Skip:
    reason: str
    # True: the lookup did not answer (not assessed); False: nothing to judge (info).
    unanswered: bool
    # The probe's own sentence for the finding, with its evidence, instead of the
    # standard "Not assessed: ..." / "Not applicable to ...".
    detail: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    # What was looked at, when it is not the asset (the security.txt of a host).
    subject: str | None = None


def unanswered(reason: str) -> Skip:
    return Skip(reason, unanswered=True)


def absent(reason: str) -> Skip:
    return Skip(reason, unanswered=False)


Gate = Callable[[Obs], Skip | None]


@dataclass(frozen=True)
class GatedCheck(Generic[Obs]):
    check_id: str
    gates: tuple[Gate[Obs], ...]
    function: Callable[[Obs], Finding | Sequence[Finding]]


def inapplicable(check_id: str, domain: str, why: str) -> Finding:
    return finding(check_id, Status.INFO, domain, f"Not applicable to {domain}: {why}.")


def run(domain: str, obs: Obs, table: Sequence[GatedCheck[Obs]]) -> list[Finding]:
    out: list[Finding] = []
    for check in table:
        skip = next((s for gate in check.gates if (s := gate(obs)) is not None), None)
        if skip is None:
            result = check.function(obs)
            out.extend([result] if isinstance(result, Finding) else result)
        elif skip.detail:
            status = Status.NOT_ASSESSED if skip.unanswered else Status.INFO
            out.append(finding(check.check_id, status, domain, skip.detail, **skip.evidence))
        elif skip.unanswered:
            out.append(not_assessed(check.check_id, domain, skip.reason, skip.subject))
        else:
            out.append(inapplicable(check.check_id, domain, skip.reason))
    return out


def ids(table: Sequence[GatedCheck[Obs]]) -> tuple[str, ...]:
    return tuple(c.check_id for c in table)
