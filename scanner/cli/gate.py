"""--fail-on and --fail-on-grade: exit code 1 from the findings, for pipelines.

Without them the profile's fail_threshold decides (a failure at or above it). With
``--fail-on SEVERITY`` a failure at or above that severity decides instead
(``none``: findings never do); with ``--fail-on-grade GRADE`` a grade worse than
GRADE does too, and so does a scan that could not be graded (too little was
assessed to know)."""

from __future__ import annotations

import argparse

from scanner.errors import InputError
from scanner.model import ScanResult, Severity, worst_failing
from scanner.scoring.profile import Profile
from scanner.scoring.score import GRADES


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="exit 1 when a check fails at this severity or above: critical, high, medium, "
        "low, info, or none (default: the profile's fail_threshold)",
    )
    parser.add_argument(
        "--fail-on-grade",
        metavar="GRADE",
        help="also exit 1 when the grade is worse than GRADE (A+, A, B, C, D) or could not "
        "be given",
    )


def gate_reasons(result: ScanResult, profile: Profile, args: argparse.Namespace) -> list[str]:
    """Why the findings make the exit code 1 (empty: they do not)."""
    reasons = []
    asked = getattr(args, "fail_on", None)
    if asked is not None and asked.lower() != "none":
        try:
            threshold: Severity | None = Severity(asked.lower())
        except ValueError:
            raise InputError(
                f"--fail-on {asked!r}: give one of {', '.join(s.value for s in Severity)}, none"
            ) from None
    else:
        threshold = profile.fail_threshold if asked is None else None
    worst = worst_failing(result.findings)
    if threshold is not None and worst is not None and worst.at_least(threshold):
        reasons.append(f"a check fails at {worst} (fail on {threshold} or above)")
    grade_floor = getattr(args, "fail_on_grade", None)
    if grade_floor is not None:
        floor = grade_floor.strip().upper()
        if floor not in GRADES:
            raise InputError(f"--fail-on-grade {grade_floor!r}: give one of {', '.join(GRADES)}")
        grade = result.scores.grade if result.scores is not None else None
        if grade not in GRADES:
            reasons.append("no grade could be given (too little was assessed)")
        elif GRADES.index(str(grade)) > GRADES.index(floor):
            reasons.append(f"grade {grade} is worse than {floor}")
    return reasons
