"""The comparison's ranking (pure): candidates in the order a buyer should consider
them, each with the reason in a sentence.

The order, first difference decides:
1. the page-1 verdict (no deal-breakers found, acceptable with conditions, do not
   sign before these are fixed; a document judged before verdicts existed last);
2. how many deal-breakers fail (fewer first);
3. the weighted score: the area scores weighted by the buyer's weights, over the
   areas assessed at *every* candidate, so no one gains or loses by what was not
   tested at them (scoring rule 9);
4. how many weighted areas could not be assessed (fewer first);
5. the share of results obtained (coverage).
Candidates equal on all five share a rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.errors import InputError

VERDICT_ORDER = {"no_deal_breakers": 0, "conditions": 1, "do_not_sign": 2}
VERDICT_TITLES = {
    "no_deal_breakers": "no deal-breakers found",
    "conditions": "acceptable with conditions",
    "do_not_sign": "do not sign before these are fixed",
}
MAX_WEIGHT = 100.0


Key = tuple[int, int, float, int, float]


@dataclass(frozen=True)
class _Row:
    candidate: Mapping[str, Any]
    key: Key
    score: float | None
    untested: list[str]


def parse_weights(text: str, known: Sequence[str]) -> dict[str, float]:
    """``area=N,area=N`` (``--weights``) as a table; an unknown area, a number out of
    0..100 or a malformed pair is refused with what is accepted."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise InputError(f"--weights: {part!r} is not AREA=N; the areas are {', '.join(known)}")
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"--weights: {value.strip()!r} for {key} is not a number") from None
        if not 0.0 <= number <= MAX_WEIGHT:
            raise InputError(f"--weights: {key}={value.strip()} is outside 0 to {MAX_WEIGHT:g}")
        out[key] = number
    if not out:
        raise InputError("--weights: give at least one AREA=N")
    if not any(out.get(k, 1.0) > 0 for k in known):
        raise InputError("--weights: at least one area needs a weight above 0")
    return out


def _weighted(
    shown: Mapping[str, float | None], basis: Sequence[str], weights: Mapping[str, float]
) -> float | None:
    total = sum(weights[a] for a in basis)
    if not basis or total <= 0:
        return None
    return round(sum(weights[a] * float(shown[a] or 0.0) for a in basis) / total, 1)


def _percent(value: float | None) -> str:
    return f"{round((value or 0.0) * 100)} %"


def rank(
    candidates: Sequence[Mapping[str, Any]],
    weights: Mapping[str, float],
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """The ranking of ``candidates`` (compare's entries: verdict, deal_breakers,
    pitfalls with shown scores, coverage) under ``weights`` (every area a weight)."""
    weighted_areas = [a for a, w in weights.items() if w > 0]
    basis = [a for a in weighted_areas if all(c["pitfalls"].get(a) is not None for c in candidates)]
    rows = []
    for c in candidates:
        untested = [a for a in weighted_areas if c["pitfalls"].get(a) is None]
        score = _weighted(c["pitfalls"], basis, weights)
        key: Key = (
            VERDICT_ORDER.get(str(c.get("verdict")), len(VERDICT_ORDER)),
            len(c["deal_breakers"]),
            -(score if score is not None else 0.0),
            len(untested),
            -round(float(c.get("coverage") or 0.0), 3),
        )
        rows.append(_Row(c, key, score, untested))
    rows.sort(key=lambda r: (r.key, str(r.candidate["name"])))
    out = []
    for i, row in enumerate(rows):
        place = next(j for j, other in enumerate(rows) if other.key == row.key) + 1
        following = next((r for r in rows[i + 1 :] if r.key != row.key), None)
        tied = [r.candidate["name"] for r in rows if r is not row and r.key == row.key]
        out.append(
            {
                "rank": place,
                "name": row.candidate["name"],
                "verdict": row.candidate.get("verdict"),
                "deal_breakers": len(row.candidate["deal_breakers"]),
                "weighted_score": row.score,
                "untested_areas": [titles.get(a, a) for a in row.untested],
                "reason": _reason(row, titles),
                "detail": _capital(_detail(row, titles)),
                "above": _above(row, following) if following else "",
                "tied_with": tied,
            }
        )
    return {
        "order": out,
        "basis": [titles.get(a, a) for a in basis],
        "weights": {a: weights[a] for a in weights},
        "rule": (
            "Ranked by the page-1 verdict, then the number of failing deal-breakers, then "
            "the weighted score over the areas assessed at every candidate, then the "
            "weighted areas left untested, then the share of results obtained."
        ),
    }


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _reason(row: _Row, titles: Mapping[str, str]) -> str:
    c = row.candidate
    verdict = VERDICT_TITLES.get(str(c.get("verdict")), "no verdict (judged before verdicts)")
    return _capital(verdict) + "; " + _detail(row, titles)


def _detail(row: _Row, titles: Mapping[str, str]) -> str:
    c = row.candidate
    parts = []
    breakers = c["deal_breakers"]
    if breakers:
        named = ", ".join(str(b["title"]) for b in breakers)
        counted = (
            "1 deal-breaker fails" if len(breakers) == 1 else f"{len(breakers)} deal-breakers fail"
        )
        parts.append(f"{counted}: {named}")
    if row.score is not None:
        parts.append(f"weighted score {row.score:g}")
    if row.untested:
        parts.append("not assessed: " + ", ".join(titles.get(a, a) for a in row.untested))
    parts.append(f"{_percent(c.get('coverage'))} of results obtained")
    return "; ".join(parts) + "."


def _above(row: _Row, below: _Row) -> str:
    """Why ``row`` ranks above ``below``: the first of the five that differs."""
    mine, theirs = row.candidate, below.candidate
    name = theirs["name"]
    for index, (a, b) in enumerate(zip(row.key, below.key, strict=True)):
        if a == b:
            continue
        if index == 0:
            why = (
                f"its verdict is {VERDICT_TITLES.get(str(mine.get('verdict')), 'none')}, "
                f"against {VERDICT_TITLES.get(str(theirs.get('verdict')), 'none')}"
            )
        elif index == 1:
            why = f"fewer deal-breakers fail ({a} against {b})"
        elif index == 2:
            why = f"a higher weighted score ({-a:g} against {-b:g})"
        elif index == 3:
            why = f"fewer weighted areas could not be assessed ({a} against {b})"
        else:
            why = f"more of it could be assessed ({_percent(-a)} against {_percent(-b)} of results)"
        return f"Above {name}: {why}."
    return ""


def default_weights(
    docs: Sequence[Mapping[str, Any]], known: Sequence[str]
) -> tuple[dict[str, float], str]:
    """The weights the candidates' own profile gave each area (the grade's weights),
    when they agree; else every area 1. With the source, said in words."""
    seen = []
    for doc in docs:
        pitfalls = (doc.get("scores") or {}).get("pitfalls") or {}
        seen.append({a: float((pitfalls.get(a) or {}).get("weight", 1.0)) for a in known})
    if all(s == seen[0] for s in seen):
        return seen[0], "the weights of the profile the candidates were judged under"
    return {a: 1.0 for a in known}, (
        "every area 1: the candidates' profiles weigh the areas differently"
    )
