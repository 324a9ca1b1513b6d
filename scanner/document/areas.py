"""How an area's score is shown (scoring rule 9, pure): an area whose main assets
were not tested shows no score at all, so an untested area never reads as good; a
partly tested one says so beside its score. Documents of scoring models before 3
carry no state: their areas read as assessed, as they were judged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ASSESSED, PARTLY, NOT_ASSESSED = "assessed", "partly assessed", "not assessed"


def state(area: Mapping[str, Any] | None) -> str:
    if not area or area.get("score") is None:
        return NOT_ASSESSED
    return str(area.get("state", ASSESSED))


def shown_score(area: Mapping[str, Any] | None) -> float | None:
    """The score to show, or None where the area reads "not assessed"."""
    if area is None or state(area) == NOT_ASSESSED:
        return None
    value = area.get("score")
    return float(value) if value is not None else None


def label(area: Mapping[str, Any] | None) -> str:
    """The area in a cell: "93", "92 (partly assessed)" or "not assessed"."""
    value = shown_score(area)
    if value is None:
        return NOT_ASSESSED
    text = str(round(value))
    return f"{text} ({PARTLY})" if state(area) == PARTLY else text


def gap(area: Mapping[str, Any] | None, reasons: bool = True) -> str:
    """What of the area could not be tested, in sentences, with each untested asset's
    reason ("" when all of it was); without ``reasons``, in a phrase naming them."""
    if area is None or state(area) == ASSESSED:
        return ""
    total = area.get("total_findings")
    if not total:
        return "Nothing in this area could be assessed." if reasons else "nothing assessed"
    obtained = f"{area.get('assessed_findings', 0)} of {total} results obtained"
    untested = area.get("untested") or []
    if not reasons:
        names = [str(u["asset"]) for u in untested]
        if not names:
            return obtained
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{obtained}; nothing tested on {listed}"
    sentences = [obtained + "."]
    for u in untested:
        sentences.append(f"Nothing tested on {u['asset']}: {str(u['reason']).rstrip('.')}.")
    return " ".join(sentences)
