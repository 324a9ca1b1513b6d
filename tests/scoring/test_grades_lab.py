"""Grades of the lab's providers, as a person would rank them, and what profiles change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from support.labscan import scan_lab_provider

from scanner.lab.providers import BROKEN, EXEMPLARY, LEGACY
from scanner.model import ScanResult, worst_failing
from scanner.net.resolver import Resolver
from scanner.scoring.profile import Profile, builtin_names, load_profile
from scanner.scoring.score import GRADES, INCOMPLETE, apply_profile, score

pytestmark = pytest.mark.lab


def _rank(grade: str) -> int:
    return len(GRADES) if grade == INCOMPLETE else GRADES.index(grade)


def test_grades_are_ordered_as_a_person_would_expect(default_scans: dict[str, ScanResult]) -> None:
    exemplary, legacy, broken = (default_scans[p.key].scores for p in (EXEMPLARY, LEGACY, BROKEN))
    assert exemplary.grade in ("A+", "A")
    assert _rank(legacy.grade) > _rank(exemplary.grade)
    assert _rank(broken.grade) >= _rank(legacy.grade)
    # Both weak providers sit at the floor of the scale (each under 5 of 100: every area
    # fails several checks); below that, which of two F providers scores 0.1 lower says
    # nothing a buyer uses (since #27 items 2-4 legacy fails more TLS rows than broken).
    assert max(broken.overall, legacy.overall) < 5 < 90 < exemplary.overall
    # An expired certificate is its own verdict, whatever the average.
    assert any(c.check == "tls.cert.expired" and c.cap == "F" for c in broken.caps)
    # ... and the grade says so in a sentence (here the average is already an F).
    assert broken.explanation.startswith("F (")
    assert "“Certificate expiry”" in broken.explanation


def test_a_scan_that_assessed_little_gets_no_grade(default_scans: dict[str, ScanResult]) -> None:
    stale = default_scans["stale"].scores
    assert stale.grade == INCOMPLETE and stale.coverage < 0.6


def _verdict(result: ScanResult, profile: Profile) -> tuple[str, float | None, bool]:
    """(grade, overall score, would exit 1) of a finished default scan re-judged
    under ``profile`` (its severities, disabled checks and fail threshold)."""
    findings = apply_profile(result.findings, profile)
    worst = worst_failing(findings)
    card = score(findings, profile)
    return card.grade, card.overall, worst is not None and worst.at_least(profile.fail_threshold)


@pytest.mark.parametrize("name", [n for n in builtin_names() if n != "default"])
def test_each_profile_changes_a_verdict_on_some_lab_provider(
    name: str, default_scans: dict[str, ScanResult]
) -> None:
    default, other = load_profile("default"), load_profile(name)
    changed = [
        key
        for key, result in default_scans.items()
        if _verdict(result, default) != _verdict(result, other)
    ]
    assert changed, f"profile {name} judges every lab provider as default does"


def test_disabling_a_probe_lowers_coverage_and_never_raises_the_grade(
    lab: Path, lab_resolver: Resolver, default_scans: dict[str, ScanResult]
) -> None:
    no_tls = dataclasses.replace(
        load_profile("default"), name="no-tls", disabled_probes=frozenset({"tls"})
    )
    for provider in (LEGACY, BROKEN):
        before = default_scans[provider.key].scores
        after = scan_lab_provider(lab, lab_resolver, no_tls, provider).scores
        assert after.coverage < before.coverage
        assert _rank(after.grade) >= _rank(before.grade)
