"""The control matrix of a scan document (its ``controls`` key): for each chosen
framework, each control with the checks behind it, their worst verdict and what
was not assessed; supplier-oversight controls answered by the vendor's history.

Pure: reads the document, never the network. The words are "evidence toward":
an outside-in scan can show a weakness, never that a control is met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.controls import Control, Framework, frameworks
from scanner.document.types import effective_status

STATEMENT = (
    "Evidence toward these controls from an outside-in scan of the provider's "
    "internet-facing services. A weakness found is evidence against a control; no "
    "weakness found is not proof that the control is met, and says nothing of what "
    "the scan cannot see (policies, staff, internal systems)."
)

# Worst first: how a check's findings add up to one verdict per check.
_ORDER = ("fail", "accepted", "warn", "error", "not_assessed", "pass", "info")
EVIDENCE = ("weakness", "accepted", "warning", "not_assessed", "no_weakness_found", "history")


def _worst(statuses: Sequence[str]) -> str:
    return min(statuses, key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER))


def _check_rows(
    control: Control, by_check: Mapping[str, list[Mapping[str, Any]]], titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for check_id in control.checks:
        found = by_check.get(check_id, [])
        status = _worst([effective_status(f) for f in found]) if found else "not_run"  # type: ignore[arg-type]
        failing = sorted(
            {str(f["asset"]) for f in found if effective_status(f) in ("fail", "accepted", "warn")}  # type: ignore[arg-type]
        )
        rows.append(
            {
                "check_id": check_id,
                "title": titles.get(check_id, check_id),
                "status": status,
                "assets": failing,
            }
        )
    return rows


def _evidence(rows: Sequence[Mapping[str, Any]]) -> str:
    statuses = {str(r["status"]) for r in rows}
    for status, evidence in (("fail", "weakness"), ("accepted", "accepted"), ("warn", "warning")):
        if status in statuses:
            return evidence
    if statuses <= {"not_assessed", "error", "not_run"}:
        return "not_assessed"
    return "no_weakness_found"


def history_evidence(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the vendor's runs say for supplier oversight: this assessment, the runs
    since the first, what changed since the last, times to fix, accepted risks."""
    cadence = doc.get("cadence") or {}
    changes = doc.get("changes") or {}
    overall = cadence.get("overall") or {}
    accepted = [
        {
            "check_id": f["check_id"],
            "asset": f["asset"],
            "accepted_by": (f.get("waiver") or {}).get("accepted_by", ""),
            "expires": (f.get("waiver") or {}).get("expires", ""),
        }
        for f in doc.get("findings", [])
        if effective_status(f) == "accepted"
    ]
    kinds = ("new", "worsened", "resolved", "improved", "accepted")
    return {
        "assessed": str(doc["scan"]["started"]),
        "run_id": str(doc["scan"]["run_id"]),
        "runs": int(cadence.get("runs") or 1),
        "since": str(cadence.get("since") or doc["scan"]["started"]),
        "previous": (changes.get("from") or {}).get("started") if changes else None,
        "changes": {k: len(changes.get(k) or []) for k in kinds} if changes else None,
        "fixed": overall.get("fixed"),
        "median_fix_seconds": overall.get("median_seconds"),
        "still_failing": overall.get("open"),
        "accepted_risks": accepted,
    }


def _framework(
    framework: Framework,
    by_check: Mapping[str, list[Mapping[str, Any]]],
    titles: Mapping[str, str],
    history: Mapping[str, Any],
) -> dict[str, Any]:
    controls = []
    for control in framework.controls:
        rows = _check_rows(control, by_check, titles)
        if control.history and not rows:
            evidence = "history"
        else:
            evidence = _evidence(rows)
        controls.append(
            {
                "id": control.id,
                "title": control.title,
                "note": control.note,
                "evidence": evidence,
                "checks": rows,
                "not_assessed": [
                    r["check_id"]
                    for r in rows
                    if r["status"] in ("not_assessed", "error", "not_run")
                ],
                "history": dict(history) if control.history else None,
            }
        )
    counts = {e: sum(1 for c in controls if c["evidence"] == e) for e in EVIDENCE}
    return {
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "citation": framework.citation,
        "mapping_date": framework.mapping_date,
        "controls": controls,
        "counts": counts,
        "not_applicable": dict(sorted(framework.not_applicable.items())),
    }


def selection(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The frameworks a document was made with (kept when it is rendered again)."""
    section = doc.get("controls") or {}
    return tuple(
        str(f["id"]) for f in section.get("frameworks") or [] if f.get("id") in frameworks()
    )


def control_section(doc: Mapping[str, Any], chosen: Sequence[str]) -> dict[str, Any] | None:
    """The document's ``controls``: None when no framework was chosen."""
    if not chosen:
        return None
    known = frameworks()
    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for f in doc.get("findings", []):
        by_check.setdefault(str(f["check_id"]), []).append(f)
    titles = {k: str(v.get("title", k)) for k, v in (doc.get("checks") or {}).items()}
    from scanner.checks import catalogue

    titles = {**{c.id: c.title for c in catalogue().values()}, **titles}
    history = history_evidence(doc)
    chosen_frameworks = [known[name] for name in chosen if name in known]
    of_check: dict[str, dict[str, list[str]]] = {}
    for framework in chosen_frameworks:
        for control in framework.controls:
            for check_id in control.checks:
                of_check.setdefault(check_id, {}).setdefault(framework.id, []).append(control.id)
    return {
        "statement": STATEMENT,
        "frameworks": [_framework(f, by_check, titles, history) for f in chosen_frameworks],
        "by_check": {k: of_check[k] for k in sorted(of_check) if k in by_check},
    }


def controls_text(section: Mapping[str, Any] | None, check_id: str) -> str:
    """A check's controls in one line ("iso27001: A.8.24; nis2: Art. 21(2)(h)")."""
    if not section:
        return ""
    mapped = (section.get("by_check") or {}).get(check_id) or {}
    return "; ".join(f"{name}: {', '.join(ids)}" for name, ids in mapped.items())
