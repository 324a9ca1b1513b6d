"""Candidates side by side (pure): the shortlisting decision. From 2 to 6 scan
documents: the ranking with its reasons (scanner.document.ranking) under the
buyer's weights, each candidate's verdict and failing deal-breakers, grades and
why, pitfall scores, critical and high failures, what each candidate has that the
others lack, coverage, and the questions that differ. The comparison is a document
of its own: ``kind`` and ``comparison_id`` name it, and it is sealed with a digest
(and signed) as a scan's document is, so ``vetscan verify`` checks it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from scanner import __version__
from scanner.checks import PITFALL_TITLES, PITFALLS
from scanner.document import areas, ranking
from scanner.document.types import waived
from scanner.errors import InputError

MIN_CANDIDATES, MAX_CANDIDATES = 2, 6
KIND = "vetscan-comparison"
_ASSESSED = ("pass", "fail", "warn", "info")


_RANK = {"pass": 0, "warn": 1, "fail": 2}
# A check passed where it was tested but not tested everywhere: neither a pass nor a
# shortfall (scoring rule 9: untested is never good, nor is it a failure).
UNTESTED = "untested"


def _verdicts(doc: Mapping[str, Any]) -> dict[str, str]:
    """Each check's worst verdict for the whole candidate: fail or warn where any
    asset falls short (an accepted risk counts as passed), pass only where every
    asset was assessed and passed, else "untested"; info checks are absent."""
    out: dict[str, str] = {}
    untested: set[str] = set()
    for f in doc["findings"]:
        if f["severity"] == "info":
            continue
        if f["status"] not in _ASSESSED:
            untested.add(f["check_id"])
            continue
        status = f["status"] if f["status"] in ("fail", "warn") and not waived(f) else "pass"
        if _RANK[status] >= _RANK[out.get(f["check_id"], "pass")]:
            out[f["check_id"]] = status
    for check_id in untested:
        if out.get(check_id, "pass") == "pass":
            out[check_id] = UNTESTED
    return out


def _short(verdict: str | None) -> bool:
    return verdict in ("fail", "warn")


def _title(check_id: str, docs: Sequence[Mapping[str, Any]]) -> str:
    for doc in docs:
        check = (doc.get("checks") or {}).get(check_id)
        if check:
            return str(check.get("title", check_id))
    return check_id


def _deal_breakers(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    decision = doc.get("decision") or {}
    return [
        {
            "check_id": d["check_id"],
            "title": d.get("title", d["check_id"]),
            "impact": d.get("impact", ""),
            "severity": d.get("severity", ""),
        }
        for d in decision.get("deal_breakers") or []
    ]


def _comparison_id(
    docs: Sequence[Mapping[str, Any]], weights: Mapping[str, float], generated: str
) -> str:
    seen = "|".join(
        f"{d['scan']['run_id']}:{(d.get('integrity') or {}).get('sha256', '')}" for d in docs
    )
    text = f"{seen}|{sorted(weights.items())}|{generated}"
    return "cmp-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _mismatch(candidates: Sequence[Mapping[str, Any]]) -> str:
    by_profile: dict[str, list[str]] = {}
    for c in candidates:
        by_profile.setdefault(str(c["profile"]), []).append(str(c["name"]))
    if len(by_profile) == 1:
        return ""
    listed = "; ".join(f"{p}: {', '.join(names)}" for p, names in sorted(by_profile.items()))
    return (
        f"The candidates were judged under different profiles ({listed}): their verdicts, "
        "grades and deal-breakers follow different rules, so the ranking is not a fair "
        "one. Compare them again with --profile NAME to judge every candidate under one "
        "profile (the facts stay as gathered)."
    )


def compare(
    docs: Sequence[Mapping[str, Any]],
    weights: Mapping[str, float] | None = None,
    generated: str = "",
) -> dict[str, Any]:
    """The comparison document (what every comparison renderer shows), unsealed.
    ``weights`` are the buyer's (``--weights``); without them, the weights of the
    profile the candidates were judged under."""
    if not MIN_CANDIDATES <= len(docs) <= MAX_CANDIDATES:
        raise InputError(f"compare takes {MIN_CANDIDATES} to {MAX_CANDIDATES} candidates")
    names = [d["provider"]["name"] for d in docs]
    if len(set(names)) != len(names):
        raise InputError("compare needs different providers (a name appears twice)")
    verdicts = [_verdicts(d) for d in docs]
    candidates = []
    pitfall_titles: dict[str, str] = {}
    for doc in docs:
        scores = doc.get("scores") or {}
        adjusted = doc.get("adjusted_scores") or {}
        pitfall_titles.update(doc.get("pitfall_titles") or {})
        serious = [
            {
                "check_id": q["check_id"],
                "title": _title(q["check_id"], docs),
                "severity": q["severity"],
                "assets": len(q.get("assets", [])),
            }
            for q in doc.get("questions") or []
            if q["severity"] in ("critical", "high")
        ]
        breakers = _deal_breakers(doc)
        breaker_ids = {b["check_id"] for b in breakers}
        for item in serious:
            item["deal_breaker"] = item["check_id"] in breaker_ids
        verdict = (doc.get("decision") or {}).get("verdict")
        candidates.append(
            {
                "name": doc["provider"]["name"],
                "verdict": verdict,
                "verdict_title": (doc.get("decision") or {}).get("title", ""),
                "deal_breakers": breakers,
                "domains": list(doc["provider"]["domains"]),
                "grade": scores.get("grade", "incomplete"),
                "overall": scores.get("overall"),
                "adjusted_grade": adjusted.get("grade"),
                "explanation": scores.get("explanation", ""),
                "coverage": scores.get("coverage"),
                "not_assessed": len(scores.get("not_assessed_checks") or []),
                # An area not assessed has no score to compare (rule 9).
                "pitfalls": {
                    k: areas.shown_score(v) for k, v in (scores.get("pitfalls") or {}).items()
                },
                "area_labels": {
                    k: areas.label(v) for k, v in (scores.get("pitfalls") or {}).items()
                },
                "serious": serious,
                "run_id": doc["scan"]["run_id"],
                "started": doc["scan"]["started"],
                "profile": doc["scan"]["profile"],
                "sha256": (doc.get("integrity") or {}).get("sha256", ""),
            }
        )
    for i, candidate in enumerate(candidates):
        mine = verdicts[i]
        others = [v for j, v in enumerate(verdicts) if j != i]
        # A strength: passes here, falls short (fails or warns) at another candidate.
        candidate["strengths"] = sorted(
            (
                {
                    "check_id": c,
                    "title": _title(c, docs),
                    "failing_at": [
                        names[j] + (" (warning)" if v[c] == "warn" else "")
                        for j, v in enumerate(verdicts)
                        if _short(v.get(c))
                    ],
                }
                for c, verdict in mine.items()
                if verdict == "pass" and any(_short(o.get(c)) for o in others)
            ),
            key=lambda s: s["check_id"],
        )
        # A weakness: falls short here and passes at every other candidate that assessed
        # it (a candidate not tested on it everywhere does not pass it).
        candidate["weaknesses"] = sorted(
            (
                {"check_id": c, "title": _title(c, docs), "verdict": verdict}
                for c, verdict in mine.items()
                if _short(verdict)
                and any(c in o for o in others)
                and all(o.get(c, "pass") == "pass" for o in others)
            ),
            key=lambda s: s["check_id"],
        )
        asked = {q["check_id"]: q for q in docs[i].get("questions") or []}
        everyone = set(asked)
        for j, doc in enumerate(docs):
            if j != i:
                everyone &= {q["check_id"] for q in doc.get("questions") or []}
        candidate["own_questions"] = [
            {"check_id": c, "question": asked[c]["question"], "severity": asked[c]["severity"]}
            for c in sorted(set(asked) - everyone)
        ]
    shared_ids = set.intersection(
        *({q["check_id"] for q in d.get("questions") or []} for d in docs)
    )
    profiles = sorted({c["profile"] for c in candidates})
    if weights is None:
        chosen, source = ranking.default_weights(docs, PITFALLS)
    else:
        chosen = {a: float(weights.get(a, 1.0)) for a in PITFALLS}
        source = "the buyer's (--weights; areas not named weigh 1)"
    titles = {**PITFALL_TITLES, **pitfall_titles}
    order = ranking.rank(candidates, chosen, titles)
    order["weights_source"] = source
    return {
        "kind": KIND,
        "tool": {"name": "vetscan", "version": __version__},
        "comparison_id": _comparison_id(docs, chosen, generated),
        "generated": generated,
        "ranking": order,
        "profile_mismatch": _mismatch(candidates),
        "candidates": candidates,
        "pitfall_titles": pitfall_titles,
        "shared_questions": [{"check_id": c, "title": _title(c, docs)} for c in sorted(shared_ids)],
        "profiles": profiles,
        "same_profile": len(profiles) == 1,
    }
