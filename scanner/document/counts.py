"""One counting unit everywhere (report, terminal, history): checks, with the assets
they concern beside them. A check counts once, under its worst verdict on any
asset; a finding per host name and address would count one weakness many times."""

from __future__ import annotations

from collections.abc import Iterable

ORDER = ("fail", "warn", "pass", "info", "not_assessed")
LABELS = {
    "fail": "failed",
    "warn": "warned",
    "pass": "passed",
    "info": "informational",
    "not_assessed": "not assessed",
}
_RANK = {"fail": 0, "warn": 1, "pass": 2, "info": 3}


def check_counts(findings: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, int]]:
    """``(check_id, status, asset)`` triples -> per status: checks, and for failed and
    warned checks the distinct assets concerned."""
    worst: dict[str, str] = {}
    assets: dict[str, set[str]] = {}
    for check_id, status, asset in findings:
        status = str(status)
        if status in _RANK:
            current = worst.get(check_id)
            if current is None or current == "not_assessed" or _RANK[status] < _RANK[current]:
                worst[check_id] = status
            if status in ("fail", "warn"):
                assets.setdefault(f"{check_id}/{status}", set()).add(asset)
        else:  # not assessed, error
            worst.setdefault(check_id, "not_assessed")
    out = {s: {"checks": 0, "assets": 0} for s in ORDER}
    for check_id, status in worst.items():
        out[status]["checks"] += 1
        out[status]["assets"] += len(assets.get(f"{check_id}/{status}", ()))
    return out


def describe(counts: dict[str, dict[str, int]]) -> str:
    """'5 checks failed (12 assets), 2 warned (2 assets), 60 passed, ...'"""
    parts = []
    for status in ORDER:
        n = counts[status]["checks"]
        if not n:
            continue
        text = f"{n} {LABELS[status]}"
        if status in ("fail", "warn"):
            a = counts[status]["assets"]
            text += f" ({a} asset{'s' if a != 1 else ''})"
        parts.append(text)
    if not parts:
        return "no checks"
    return "checks: " + ", ".join(parts)
