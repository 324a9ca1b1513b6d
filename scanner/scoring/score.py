"""The scorer: findings and a profile in, a ScoreCard out. Pure; no I/O.

The scoring model, version 2 (stamped in every score card as ``model``; README,
"Scores and grades"). Rules (each has a unit test in tests/scoring/test_score.py):

1. A check's verdict is its worst finding over all assets (fail, then warn, then
   pass), as internet.nl does: one weak host is the provider's weakness.
2. Only checks that can fail are scored: info findings never cost points, and a
   check whose findings are all not_assessed or error is left out of the score.
3. A failing check takes a share of the score by its effective severity: critical
   25 %, high 10 %, medium 4 %, low 1.5 %; a warn half of that. It does not depend on
   how many other checks its area has (model 1 divided by the area's size, so a
   missing report address cost more than SSL 3.0).
4. The share grows with the assets the check fails on: x(1 + 0.25 per further
   asset), at most x2 (so a low failure on many hosts never costs more than one
   medium failure, a medium never more than a high, a high never more than a
   critical).
5. Scores: 100 x the product of (1 - share) over the failing checks: of an area
   for its bar, of all areas for the overall score, each check's factor raised to
   its area's profile weight (1 by default; 0 leaves the area out, 2 counts it twice).
   Fixing a check always gains points, and a more severe one never gains fewer.
6. Grades: A+ (95 or more, and no failure of medium severity or worse), A (90),
   B (80), C (65), D (50), F (below 50).
7. Caps: a failing check with a grade cap in the catalogue (TLS 1.0/1.1 caps at B,
   an expired or untrusted certificate at F, ...) limits the grade whatever the
   average, as SSL Labs does; any other critical failure caps at C.
8. Coverage is the share of findings that were assessed (not not_assessed/error).
   Below the profile's min_coverage there is no grade: "incomplete".
9. Untested is never good. Each area has its own coverage; below the profile's
   area_min_coverage (or with nothing scorable assessed) the area is "not assessed"
   (its bar shows no score), below 100 % it is "partly assessed", naming the assets
   on which nothing of it could be tested. A+ needs every weighted area assessed in
   full, and while a weighted area is not assessed no step to a better grade is
   offered: what it hides could lower the grade instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scanner.checks import PITFALL_TITLES, PITFALLS, Check, catalogue
from scanner.model import Finding, Severity, Status
from scanner.scoring.profile import Profile

MODEL = "3"
# Rule 3: the share of the score a failing check takes, by severity.
SHARES = {
    Severity.CRITICAL: 0.25,
    Severity.HIGH: 0.10,
    Severity.MEDIUM: 0.04,
    Severity.LOW: 0.015,
    Severity.INFO: 0.0,
}
WARN_FACTOR = 0.5
# Rule 4: each further asset the check fails on adds a quarter, up to double.
PER_EXTRA_ASSET = 0.25
MAX_ASSET_FACTOR = 2.0
# Rule 9: what an untested area can hide, in a buyer's words.
HIDDEN = {
    "transport": "weak or missing encryption and bad certificates",
    "web": "missing browser protections on the provider's web sites",
    "email": "ways to send mail in the provider's name or read mail sent to it",
    "exposure": "risky open services",
    "hygiene": "expiring certificates and outdated software",
    "dns": "DNS weaknesses that let names be hijacked",
    "communication": "a missing way to report security problems",
}
GRADES = ("A+", "A", "B", "C", "D", "F")
_GRADE_FLOORS = (("A", 90.0), ("B", 80.0), ("C", 65.0), ("D", 50.0))
DEFAULT_CRITICAL_CAP = "C"
INCOMPLETE = "incomplete"


# Rule 9: an area's state.
ASSESSED, PARTLY, NOT_ASSESSED = "assessed", "partly assessed", "not assessed"


@dataclass(frozen=True)
class Untested:
    """An asset on which nothing of an area could be tested, and why (the first
    reason its findings give)."""

    asset: str
    findings: int
    reason: str


@dataclass(frozen=True)
class PitfallScore:
    pitfall: str
    score: float | None  # None: nothing scorable was assessed
    scored_checks: int
    failed_checks: int
    weight: float
    state: str = ASSESSED  # rule 9: assessed, partly assessed or not assessed
    coverage: float = 1.0  # the share of the area's findings that were assessed
    assessed_findings: int = 0
    total_findings: int = 0
    untested: tuple[Untested, ...] = ()


@dataclass(frozen=True)
class GradeCap:
    """A failing check that limits the grade: ``applies`` when it is what holds the
    grade down (False: the average alone is already at or below the cap)."""

    check: str
    cap: str
    applies: bool


@dataclass(frozen=True)
class CheckCost:
    """What one failing check costs: the share of the score it takes (rules 3 and 4,
    in percent), the points the overall score would gain were it fixed, and the grade
    it caps at (as Observatory lists its modifiers)."""

    check: str
    points: float
    cap: str | None
    share: float = 0.0


@dataclass(frozen=True)
class Step:
    """Fixing these checks (with those of the steps before) gives this grade."""

    fixing: tuple[str, ...]
    grade: str
    overall: float | None


@dataclass(frozen=True)
class Decision:
    """The verdict a buyer signs on (made by scanner.scoring.decision.decide)."""

    verdict: str  # do_not_sign, conditions or no_deal_breakers
    deal_breakers: tuple[str, ...]  # failing deal-breaker check IDs, most severe first
    conditions: tuple[str, ...]  # other failing checks at condition_severity or above
    untested_areas: tuple[str, ...]  # weighted areas not assessed
    incomplete: bool  # too little assessed for a grade
    condition_severity: str
    deadline_days: Mapping[str, int]  # by severity


@dataclass(frozen=True)
class ScoreCard:
    profile: str
    pitfalls: tuple[PitfallScore, ...]
    overall: float | None
    grade: str  # A+ .. F, or "incomplete"
    caps: tuple[GradeCap, ...]  # failing checks that limit (or would limit) the grade
    coverage: float
    assessed_findings: int
    total_findings: int
    not_assessed_checks: tuple[str, ...]
    reason: str = ""  # why there is no grade ("incomplete")
    explanation: str = ""  # the grade in one sentence a manager understands
    costs: tuple[CheckCost, ...] = ()
    steps: tuple[Step, ...] = ()
    model: str = MODEL  # the scoring model's version (README, "Scores and grades")
    decision: Decision | None = None  # the verdict (scanner.scoring.decision)

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["pitfalls"] = {p.pitfall: dataclasses.asdict(p) for p in self.pitfalls}
        return data


def apply_profile(findings: Iterable[Finding], profile: Profile) -> list[Finding]:
    """Effective findings: the profile's severity overrides and disabled checks applied."""
    out = []
    for finding in findings:
        # A disabled probe's findings (when scored again under another profile) and
        # disabled checks alike become "not assessed": coverage drops, the grade cannot rise.
        if finding.check_id in profile.disabled_checks or finding.probe in profile.disabled_probes:
            reason = f"disabled by profile {profile.name}"
            finding = dataclasses.replace(
                finding,
                status=Status.NOT_ASSESSED,
                detail=f"Not assessed: {reason}.",
                evidence={**finding.evidence, "reason": reason},
            )
        override = profile.severity.get(finding.check_id)
        if override is not None and override is not finding.severity:
            finding = dataclasses.replace(finding, severity=override)
        if finding.severity is Severity.INFO and finding.status in (Status.FAIL, Status.WARN):
            # "fail" means a weakness. A check this profile rates info (Mozilla "modern",
            # OCSP stapling) is a comparison: reported as information with what was seen.
            finding = dataclasses.replace(finding, status=Status.INFO)
        out.append(finding)
    return out


def _verdicts(findings: Sequence[Finding]) -> dict[str, Finding]:
    """Rule 1: the worst assessed finding of each check (pass < warn < fail)."""
    order = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}
    worst: dict[str, Finding] = {}
    for f in findings:
        if f.status not in order:
            continue
        current = worst.get(f.check_id)
        key = (order[f.status], f.severity.rank)
        if current is None or key > (order[current.status], current.severity.rank):
            worst[f.check_id] = f
    return worst


def _assets_hit(findings: Sequence[Finding], verdicts: Mapping[str, Finding]) -> dict[str, int]:
    """Rule 4: on how many assets each check has its verdict (fail or warn)."""
    hit: dict[str, set[str]] = {}
    for f in findings:
        verdict = verdicts.get(f.check_id)
        if verdict is not None and verdict.status in (Status.FAIL, Status.WARN):
            if f.status is verdict.status:
                hit.setdefault(f.check_id, set()).add(f.asset)
    return {check: len(assets) for check, assets in hit.items()}


def share(severity: Severity, status: Status, assets: int = 1) -> float:
    """Rules 3 and 4: the share of the score one check's verdict takes."""
    if status not in (Status.FAIL, Status.WARN):
        return 0.0
    spread = min(MAX_ASSET_FACTOR, 1 + PER_EXTRA_ASSET * max(0, assets - 1))
    return SHARES[severity] * (WARN_FACTOR if status is Status.WARN else 1.0) * spread


def grade_for(score: float) -> str:
    for grade, floor in _GRADE_FLOORS:
        if score >= floor:
            return grade
    return "F"


def worse(a: str, b: str) -> str:
    return max(a, b, key=GRADES.index)


def score(
    findings: Sequence[Finding],
    profile: Profile,
    checks: Mapping[str, Check] | None = None,
    explain: bool = True,
) -> ScoreCard:
    """The score card. ``explain``: also say in a sentence why the grade is what it
    is, what each failing check costs and what fixing gives (scores again)."""
    checks = catalogue() if checks is None else checks
    card = _score(findings, profile, checks)
    if not explain:
        return card
    return explained(card, findings, profile, checks)


def _reason(finding: Finding) -> str:
    reason = finding.evidence.get("reason")
    if isinstance(reason, str) and reason:
        return reason
    return finding.detail.removeprefix("Not assessed: ").rstrip(".")


@dataclass(frozen=True)
class _Area:
    assessed: int
    total: int
    untested: tuple[Untested, ...]


def _areas(findings: Sequence[Finding], checks: Mapping[str, Check]) -> dict[str, _Area]:
    """Rule 9: per area, the findings assessed of all, and the assets on which none was."""
    counts: dict[str, dict[str, list[Finding]]] = {p: {} for p in PITFALLS}
    for f in findings:
        entry = checks.get(f.check_id)
        if entry is not None:
            counts[entry.pitfall].setdefault(f.asset, []).append(f)
    out = {}
    for pitfall, assets in counts.items():
        total = sum(len(found) for found in assets.values())
        assessed = sum(1 for found in assets.values() for f in found if f.status.assessed)
        untested = sorted(
            (
                Untested(asset, len(found), _reason(found[0]))
                for asset, found in assets.items()
                if not any(f.status.assessed for f in found)
            ),
            key=lambda u: (-u.findings, u.asset),
        )
        out[pitfall] = _Area(assessed, total, tuple(untested))
    return out


def _state(value: float | None, area: _Area, profile: Profile) -> str:
    coverage = area.assessed / area.total if area.total else 0.0
    if value is None or coverage < profile.area_min_coverage:
        return NOT_ASSESSED
    return PARTLY if area.assessed < area.total else ASSESSED


def _score(findings: Sequence[Finding], profile: Profile, checks: Mapping[str, Check]) -> ScoreCard:
    verdicts = _verdicts(findings)
    hit = _assets_hit(findings, verdicts)
    areas = _areas(findings, checks)
    by_pitfall: dict[str, list[Finding]] = {p: [] for p in PITFALLS}
    for check_id, finding in verdicts.items():
        entry = checks.get(check_id)
        if entry is None or SHARES[finding.severity] == 0:  # rule 2: info never counts
            continue
        by_pitfall[entry.pitfall].append(finding)
    pitfalls = []
    left = 1.0  # rule 5: what the failing checks leave of the overall score
    counted = False
    for pitfall, scored in by_pitfall.items():
        kept = 1.0
        for f in scored:
            kept *= 1 - share(f.severity, f.status, hit.get(f.check_id, 1))
        value = round(100 * kept, 1) if scored else None
        failed = sum(1 for f in scored if f.status is Status.FAIL)
        weight = profile.weight(pitfall)
        area = areas[pitfall]
        pitfalls.append(
            PitfallScore(
                pitfall,
                value,
                len(scored),
                failed,
                weight,
                state=_state(value, area, profile),
                coverage=round(area.assessed / area.total, 3) if area.total else 0.0,
                assessed_findings=area.assessed,
                total_findings=area.total,
                untested=area.untested,
            )
        )
        if scored and weight > 0:
            left *= kept**weight
            counted = True
    overall = round(100 * left, 1) if counted else None

    assessed = [f for f in findings if f.status.assessed]
    coverage = round(len(assessed) / len(findings), 3) if findings else 0.0
    assessed_ids = {f.check_id for f in assessed}
    not_assessed = tuple(sorted({f.check_id for f in findings} - assessed_ids))

    caps: list[GradeCap] = []
    if overall is None or coverage < profile.min_coverage:
        reason = (
            f"coverage {coverage:.0%} is below the profile's minimum {profile.min_coverage:.0%}"
            if overall is not None
            else "nothing scorable was assessed"
        )
        return ScoreCard(
            profile.name,
            tuple(pitfalls),
            overall,
            INCOMPLETE,
            (),
            coverage,
            len(assessed),
            len(findings),
            not_assessed,
            reason=reason,
        )
    grade = grade_for(overall)
    serious = [
        f
        for f in verdicts.values()
        if f.status is Status.FAIL and f.severity.at_least(Severity.MEDIUM)
    ]
    whole = not any(_gap(p) for p in pitfalls)
    if grade == "A" and overall >= 95 and not serious and whole:  # rule 9: A+ needs it all
        grade = "A+"
    for check_id, finding in sorted(verdicts.items()):
        if finding.status is not Status.FAIL:
            continue
        entry = checks.get(check_id)
        cap = entry.grade_cap if entry is not None else None
        if cap is None and finding.severity is Severity.CRITICAL:
            cap = DEFAULT_CRITICAL_CAP
        if cap is not None:
            caps.append(GradeCap(check_id, cap, applies=False))
    # A cap at the final grade, below what the average gives, is what holds it down;
    # the others would, were the average lower.
    average = grade
    for limit in caps:
        grade = worse(grade, limit.cap)
    caps = [dataclasses.replace(c, applies=c.cap == grade and grade != average) for c in caps]
    return ScoreCard(
        profile.name,
        tuple(pitfalls),
        overall,
        grade,
        tuple(caps),
        coverage,
        len(assessed),
        len(findings),
        not_assessed,
    )


# --- the grade explained: one sentence, the cost of each failing check, the steps up ---

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
    return f"{round(value, 1):g}/100" if value is not None else "no score"


def explained(
    card: ScoreCard, findings: Sequence[Finding], profile: Profile, checks: Mapping[str, Check]
) -> ScoreCard:
    if card.grade == INCOMPLETE:
        missing = len(card.not_assessed_checks)
        return dataclasses.replace(
            card,
            explanation=f"No grade: {card.reason}; {missing} check(s) could not be assessed, "
            "and a grade from the rest could flatter the provider." + _gaps(card, steps=False),
        )
    caps = {c.check: c.cap for c in card.caps}
    failing = sorted(
        {f.check_id for f in findings if f.status in (Status.FAIL, Status.WARN)}
        & (set(checks) | set(caps))
    )
    verdicts = _verdicts(findings)
    hit = _assets_hit(findings, verdicts)
    costs = []
    for check_id in failing:
        again = _score(_fixed(findings, {check_id}), profile, checks)
        points = round((again.overall or 0.0) - (card.overall or 0.0), 1)
        if points > 0 or check_id in caps:
            v = verdicts.get(check_id)
            taken = round(100 * share(v.severity, v.status, hit.get(check_id, 1)), 2) if v else 0.0
            costs.append(CheckCost(check_id, points, caps.get(check_id), taken))
    costs.sort(key=lambda c: (-c.points, c.check))

    steps: list[Step] = []
    fixing: set[str] = set()
    capping = tuple(c.check for c in card.caps if c.applies)
    if blind(card):
        # Rule 9: no promise of a better grade while what was not tested could lower it.
        return dataclasses.replace(
            card,
            explanation=_sentence(card, [], capping, checks) + _gaps(card, steps=True),
            costs=tuple(costs),
        )
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
        card, explanation=_sentence(card, steps, capping, checks) + _gaps(card, steps=False),
        costs=tuple(costs), steps=tuple(steps),
    )  # fmt: skip


def _gap(p: PitfallScore) -> bool:
    """An area the grade counts that was not fully tested. An area with no findings
    at all has no check in this scan (no probe of it installed): nothing to miss."""
    return p.state != ASSESSED and p.weight > 0 and p.total_findings > 0


def blind(card: ScoreCard) -> bool:
    """Rule 9: a weighted area was not assessed, so no better grade can be promised."""
    return any(_gap(p) and p.state == NOT_ASSESSED for p in card.pitfalls)


def _assets(untested: Sequence[Untested]) -> str:
    names = [u.asset for u in untested[:3]]
    more = len(untested) - len(names)
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text + (f" and {more} more" if more > 0 else "")


def area_gap(p: PitfallScore) -> str:
    """What of an area could not be tested, in a phrase ("" when all of it was)."""
    if p.state == ASSESSED:
        return ""
    text = f"{p.state}: {p.assessed_findings} of {p.total_findings} results obtained"
    if p.untested:
        text += f", nothing tested on {_assets(p.untested)}"
    return text


def _gaps(card: ScoreCard, steps: bool) -> str:
    """Rule 9 in words: which weighted areas could not be (fully) tested, what that
    can hide, and (``steps``) why no better grade is offered."""
    gaps = sorted((p for p in card.pitfalls if _gap(p)), key=lambda p: p.state != NOT_ASSESSED)
    if not gaps:
        return ""
    parts = [f"{PITFALL_TITLES[p.pitfall]} ({area_gap(p)})" for p in gaps]
    hidden = [HIDDEN[p] for p in HIDDEN if any(g.pitfall == p for g in gaps)]
    lead = "Not tested" if card.grade == INCOMPLETE else "Not covered by the grade"
    text = f" {lead}: {_and(parts)}. What was not tested can hide {_and(hidden)}"
    if steps:
        text += "; no better grade is offered until it is tested"
    return text + "."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(
    card: ScoreCard, steps: list[Step], capping: tuple[str, ...], checks: Mapping[str, Check]
) -> str:
    grade, score = card.grade, _out_of_100(card.overall)
    if capping:
        verb = "fails, which caps" if len(capping) == 1 else "fail, which cap"
        text = f"{grade} because {_names(capping, checks)} {verb} the grade at {grade}."
        if not steps:  # rule 9: no promise while an area is not assessed
            return text
        first, rest = steps[0], steps[1:]
        text += f" Fixing that alone gives {first.grade} ({_out_of_100(first.overall)})"
        if rest:
            text += "; " + "; then ".join(
                f"also fixing {_names(s.fixing, checks)} gives {s.grade}" for s in rest
            )
        return text + "."
    if grade == "A+":
        return f"A+ ({score}): every area scores high and no serious check fails."
    would = [c for c in card.caps if not c.applies]
    if would:
        worst = max((c.cap for c in would), key=GRADES.index)
        limit = [c.check for c in would if c.cap == worst]
        verb = "fails and would cap" if len(limit) == 1 else "fail and would cap"
        text = (
            f"{grade} ({score}): what the failing checks leave of 100, already no better "
            f"than the {worst} that {_names(limit, checks)} {verb} it at."
        )
    else:
        text = f"{grade} ({score}): what the failing checks leave of 100; no failing check caps it."
    if steps:
        text += " " + "; then ".join(
            f"{'Fixing' if i == 0 else 'also fixing'} {_names(s.fixing, checks)} gives "
            f"{s.grade} ({_out_of_100(s.overall)})"
            for i, s in enumerate(steps)
        )
        text += "."
    return text
