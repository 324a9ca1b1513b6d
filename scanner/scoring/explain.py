"""The grade explained: one sentence a manager understands ("F because ... caps the
grade at F. Fixing that alone gives C (55/100); also fixing X and Y gives B."), the
points each failing check costs, and the steps to a better grade. Pure: it scores
the same findings again with chosen checks passing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from scanner.checks import Check
from scanner.model import Finding, Status
from scanner.scoring.profile import Profile
from scanner.scoring.score import GRADES, INCOMPLETE, CheckCost, ScoreCard, Step, _score

_MAX_STEPS = 3
_MAX_BATCH = 5  # checks tried together before giving up on a better grade


def _fixed(findings: Sequence[Finding], checks: set[str]) -> list[Finding]:
    return [
        dataclasses.replace(f, status=Status.PASS)
        if f.check_id in checks and f.status in (Status.FAIL, Status.WARN)
        else f
        for f in findings
    ]


def _better(a: str, b: str) -> bool:
    return a in GRADES and b in GRADES and GRADES.index(a) < GRADES.index(b)


def _names(ids: Iterable[str], checks: Mapping[str, Check]) -> str:
    titles = [f"“{checks[i].title}”" if i in checks else f"“{i}”" for i in ids]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def _out_of_100(value: float | None) -> str:
    return f"{value:.0f}/100" if value is not None else "no score"


def explained(
    card: ScoreCard, findings: Sequence[Finding], profile: Profile, checks: Mapping[str, Check]
) -> ScoreCard:
    if card.grade == INCOMPLETE:
        missing = len(card.not_assessed_checks)
        return dataclasses.replace(
            card,
            explanation=f"No grade: {card.reason}; {missing} check(s) could not be assessed, "
            "and a grade from the rest could flatter the provider.",
        )
    caps = {c.check: c.cap for c in card.caps}
    failing = sorted(
        {f.check_id for f in findings if f.status in (Status.FAIL, Status.WARN)}
        & (set(checks) | set(caps))
    )
    costs = []
    for check_id in failing:
        again = _score(_fixed(findings, {check_id}), profile, checks)
        points = round((again.overall or 0.0) - (card.overall or 0.0), 1)
        if points > 0 or check_id in caps:
            costs.append(CheckCost(check_id, points, caps.get(check_id)))
    costs.sort(key=lambda c: (-c.points, c.check))

    steps: list[Step] = []
    fixing: set[str] = set()
    capping = tuple(c.check for c in card.caps if c.applies)
    if capping:
        fixing |= set(capping)
        again = _score(_fixed(findings, fixing), profile, checks)
        steps.append(Step(capping, again.grade, again.overall))
    current = steps[-1].grade if steps else card.grade
    batch: list[str] = []
    for cost in sorted(costs, key=lambda c: (c.cap is None, -c.points, c.check)):
        if cost.check in fixing or len(steps) >= _MAX_STEPS or len(batch) >= _MAX_BATCH:
            continue
        batch.append(cost.check)
        fixing.add(cost.check)
        again = _score(_fixed(findings, fixing), profile, checks)
        if _better(again.grade, current):
            steps.append(Step(tuple(batch), again.grade, again.overall))
            current, batch = again.grade, []
    return dataclasses.replace(
        card, explanation=_sentence(card, steps, capping, checks), costs=tuple(costs),
        steps=tuple(steps),
    )  # fmt: skip


def _sentence(
    card: ScoreCard, steps: list[Step], capping: tuple[str, ...], checks: Mapping[str, Check]
) -> str:
    grade, score = card.grade, _out_of_100(card.overall)
    if capping:
        verb = "fails, which caps" if len(capping) == 1 else "fail, which cap"
        text = f"{grade} because {_names(capping, checks)} {verb} the grade at {grade}."
        first, rest = steps[0], steps[1:]
        text += f" Fixing that alone gives {first.grade} ({_out_of_100(first.overall)})"
        if rest:
            text += "; " + "; then ".join(
                f"also fixing {_names(s.fixing, checks)} gives {s.grade}" for s in rest
            )
        return text + "."
    if grade == "A+":
        return f"A+ ({score}): every area scores high and no serious check fails."
    text = f"{grade} ({score}): the weighted average of the area scores; no failing check caps it."
    if steps:
        text += " " + "; then ".join(
            f"{'Fixing' if i == 0 else 'also fixing'} {_names(s.fixing, checks)} gives "
            f"{s.grade} ({_out_of_100(s.overall)})"
            for i, s in enumerate(steps)
        )
        text += "."
    return text
