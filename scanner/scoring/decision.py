"""The verdict a buyer signs on (pure): from the findings, the score card and the
profile's [decision] and [deadlines].

- "do_not_sign": a deal-breaker of the profile fails (an accepted risk excepted):
  do not sign before it is fixed.
- "conditions": no deal-breaker fails, but another failure at the profile's
  condition_severity or above does, or a weighted area could not be tested (or too
  little for a grade): sign only with these fixed (or tested) by their dates.
- "no_deal_breakers": neither. Lesser failures remain hygiene to ask about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from scanner.checks import Check
from scanner.model import Finding, Severity, Status
from scanner.scoring.profile import Profile
from scanner.scoring.score import INCOMPLETE, NOT_ASSESSED, Decision, ScoreCard, score

DO_NOT_SIGN, CONDITIONS, NO_DEAL_BREAKERS = "do_not_sign", "conditions", "no_deal_breakers"
VERDICT_TITLES = {
    DO_NOT_SIGN: "Do not sign before these are fixed",
    CONDITIONS: "Acceptable with conditions",
    NO_DEAL_BREAKERS: "No deal-breakers found",
}


def decide(findings: Sequence[Finding], card: ScoreCard, profile: Profile) -> Decision:
    worst: dict[str, Severity] = {}
    for f in findings:
        if f.status is Status.FAIL and f.severity is not Severity.INFO:
            if f.check_id not in worst or f.severity.rank > worst[f.check_id].rank:
                worst[f.check_id] = f.severity
    ordered = sorted(worst, key=lambda c: (-worst[c].rank, c))
    breakers = tuple(c for c in ordered if c in profile.deal_breakers)
    conditions = tuple(
        c
        for c in ordered
        if c not in profile.deal_breakers and worst[c].at_least(profile.condition_severity)
    )
    untested = tuple(
        p.pitfall
        for p in card.pitfalls
        if p.state == NOT_ASSESSED and p.weight > 0 and p.total_findings > 0
    )
    incomplete = card.grade == INCOMPLETE
    if breakers:
        verdict = DO_NOT_SIGN
    elif conditions or untested or incomplete:
        verdict = CONDITIONS
    else:
        verdict = NO_DEAL_BREAKERS
    return Decision(
        verdict,
        breakers,
        conditions,
        untested,
        incomplete,
        str(profile.condition_severity),
        {str(s): d for s, d in profile.deadline_days.items()},
    )


def judge(
    findings: Sequence[Finding], profile: Profile, checks: Mapping[str, Check] | None = None
) -> ScoreCard:
    """The score card with its explanation and its decision: what a scan's document holds."""
    card = score(findings, profile, checks)
    return dataclasses.replace(card, decision=decide(findings, card, profile))
