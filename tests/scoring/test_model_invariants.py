"""The published scoring model (README, "Scores and grades") holds on every lab
provider's recorded scan, judged again under each built-in profile: a more severe
failure never costs less than a milder one, fixing a failing check always gains,
and fixing what the steps name gives exactly the grade and score they promise."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from support.golden import GOLDEN, read

from scanner.checks import catalogue
from scanner.model import Finding, Status
from scanner.registry import load_registry
from scanner.rejudge import rejudge
from scanner.scoring.profile import builtin_names, load_profile
from scanner.scoring.score import MODEL, apply_profile, score

KEYS = sorted(p.name for p in GOLDEN.iterdir())


def _judged(key: str, profile_name: str) -> tuple[list[Finding], Any]:
    profile = load_profile(profile_name)
    saved = json.loads(read(GOLDEN / key / "scan.json.gz"))
    result = rejudge(saved, profile, load_registry(plugins=[]).probes, mark=False)
    return apply_profile(result.findings, profile), result.scores


@pytest.mark.parametrize("profile_name", builtin_names())
@pytest.mark.parametrize("key", KEYS)
def test_costs_follow_severity(key: str, profile_name: str) -> None:
    findings, card = _judged(key, profile_name)
    assert card.model == MODEL
    if card.grade == "incomplete":
        assert card.costs == () and card.steps == ()
        return
    profile = load_profile(profile_name)
    areas = {c.check: catalogue()[c.check].pitfall for c in card.costs}
    worst = {f.check_id: f for f in findings if f.status is Status.FAIL}
    failing = [c for c in card.costs if c.check in worst]
    for a in failing:
        assert a.points > 0 or card.overall == 0, f"fixing {a.check} gains nothing"
        for b in failing:
            same_weight = profile.weight(areas[a.check]) == profile.weight(areas[b.check])
            more_severe = worst[a.check].severity.rank > worst[b.check].severity.rank
            if more_severe:
                assert a.share >= b.share, (a, b)
                if same_weight:
                    assert a.points >= b.points, (a, b)


@pytest.mark.parametrize("profile_name", builtin_names())
@pytest.mark.parametrize("key", KEYS)
def test_fixing_what_the_steps_name_gives_what_they_promise(key: str, profile_name: str) -> None:
    findings, card = _judged(key, profile_name)
    profile = load_profile(profile_name)
    fixing: set[str] = set()
    for step in card.steps:
        fixing |= set(step.fixing)
        fixed = [
            dataclasses.replace(f, status=Status.PASS)
            if f.check_id in fixing and f.status in (Status.FAIL, Status.WARN)
            else f
            for f in findings
        ]
        again = score(fixed, profile)
        assert (again.grade, again.overall) == (step.grade, step.overall), step
