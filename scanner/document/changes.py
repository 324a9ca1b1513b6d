"""What changed between two scans of one provider (pure, over scan documents).

Findings are matched on check ID and asset and compared on a fingerprint that
leaves volatile evidence out, so a certificate's daily countdown is no change
(crossing a threshold changes the status, which is), and a renewed certificate
(new fingerprint) is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from scanner.document.cadence import Verdicts
from scanner.document.types import FindingDoc, effective_status
from scanner.probes.base import Probe
from scanner.registry import changes_order, installed

# Evidence that changes from run to run without anything changing at the provider:
# the run's own timings here, each probe's own keys from its report hook.
RUN_VOLATILE = frozenset({"observed_at", "duration_s", "elapsed_s"})
_BAD = ("fail", "warn")
_UNASSESSED = ("not_assessed", "error")

Doc = Mapping[str, Any]


@cache
def volatile_evidence() -> frozenset[str]:
    return RUN_VOLATILE | installed().volatile_evidence()


def stable_evidence(finding: FindingDoc) -> dict[str, Any]:
    volatile = volatile_evidence()
    return {k: v for k, v in finding.get("evidence", {}).items() if k not in volatile}


def fingerprint(finding: FindingDoc) -> str:
    """Check, asset, status and stable evidence; the same fact gives the same value."""
    basis = [finding["check_id"], finding["asset"], finding["status"], stable_evidence(finding)]
    text = json.dumps(basis, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _keyed(findings: Sequence[FindingDoc]) -> dict[tuple[str, ...], FindingDoc]:
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        counts[(f["check_id"], f["asset"])] = counts.get((f["check_id"], f["asset"]), 0) + 1
    out: dict[tuple[str, ...], FindingDoc] = {}
    for f in findings:
        key: tuple[str, ...] = (f["check_id"], f["asset"])
        if counts[(f["check_id"], f["asset"])] > 1:
            # Several findings of one check on one asset (one per port, say): tell them
            # apart by what they are about, not by their verdict.
            key += (json.dumps(stable_evidence(f), sort_keys=True),)
        out[key] = f
    return out


def _summary(
    old: FindingDoc | None, new: FindingDoc | None, titles: Mapping[str, str]
) -> dict[str, Any]:
    ref = new if new is not None else old
    assert ref is not None
    return {
        "check_id": ref["check_id"],
        "title": titles.get(ref["check_id"], ref["check_id"]),
        "asset": ref["asset"],
        "severity": ref["severity"],
        "from_status": effective_status(old) if old is not None else None,
        "to_status": effective_status(new) if new is not None else None,
        "detail": ref["detail"],
    }


def _classify(old: FindingDoc | None, new: FindingDoc | None) -> str | None:
    before = effective_status(old) if old is not None else None
    after = effective_status(new) if new is not None else None
    if after in _BAD and before not in _BAD:
        return "new"
    if before == "warn" and after == "fail":
        return "worsened"
    if before in _BAD and (after is None or after in _UNASSESSED):
        return "no_longer_assessed"
    if before in _BAD and after == "accepted":
        return "accepted"
    if before in _BAD and after not in _BAD:
        return "resolved"
    if before == "fail" and after == "warn":
        return "improved"
    if old is not None and new is not None and fingerprint(old) != fingerprint(new):
        return "changed"
    return None


def _assessed_checks(doc: Doc) -> set[str]:
    """Checks with at least one verdict in a run (a probe that did not run, or a
    lookup that failed, leaves its checks out)."""
    return {f["check_id"] for f in doc.get("findings", []) if f["status"] not in _UNASSESSED}


def _row_order(row: Mapping[str, Any]) -> tuple[tuple[int, Any], ...]:
    """Rows of one section in a stable order, whichever probes filled it: by their
    values in field order (numbers as numbers, anything else as text)."""
    return tuple(
        (0, v) if isinstance(v, int | float) and not isinstance(v, bool) else (1, str(v))
        for v in row.values()
    )


def asset_changes(old: Doc, new: Doc, probes: Sequence[Probe]) -> dict[str, list[dict[str, Any]]]:
    """What changed in the assets (ports, certificates, records, ...): each probe's
    report hook reads the two documents' observations; sections two probes fill are
    merged."""
    before, after = old.get("observations", []), new.get("observations", [])
    sections: dict[str, list[dict[str, Any]]] = {}
    for probe in changes_order(probes):
        for section in probe.change_sections:
            sections.setdefault(section, [])
        for section, rows in probe.changes(before, after).items():
            sections.setdefault(section, []).extend(rows)
    return {k: sorted(v, key=_row_order) for k, v in sections.items()}


def change_lines(change: Mapping[str, Any], probes: Sequence[Probe]) -> list[str]:
    """The asset changes of ``change`` as lines, each worded by the probe that found
    it (``vetscan diff``)."""
    lines = []
    for probe in changes_order(probes):
        for section in probe.change_sections:
            lines += [probe.change_line(section, row) for row in change.get(section, [])]
    return list(dict.fromkeys(lines))


def _run(doc: Doc) -> dict[str, Any]:
    scores = doc.get("scores") or {}
    return {
        "run_id": doc["scan"]["run_id"],
        "started": doc["scan"]["started"],
        "grade": scores.get("grade"),
        "overall": scores.get("overall"),
    }


def diff(old: Doc, new: Doc) -> dict[str, Any]:
    """Everything that changed from ``old`` to ``new`` (two scans of one provider)."""
    before, after = _keyed(old["findings"]), _keyed(new["findings"])
    groups: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "new",
            "worsened",
            "resolved",
            "improved",
            "accepted",
            "no_longer_assessed",
            "newly_assessed",
            "changed",
        )
    }
    # A failure of a check the old run could not assess (its probe timed out, say) is
    # not new at the provider: it was not looked at. It is listed apart, never alerted.
    assessed_before = _assessed_checks(old)
    titles = _titles(old, new)
    now = Verdicts(new)
    for key in sorted(set(before) | set(after)):
        kind = _classify(before.get(key), after.get(key))
        if kind == "new" and key[0] not in assessed_before:
            kind = "newly_assessed"
        if (
            kind == "no_longer_assessed"
            and key not in after
            and now.state((key[0], key[1])) == "fixed"
        ):
            # The port is closed and its host passes the check: fixed, not unseen.
            kind = "resolved"
        if kind is not None:
            groups[kind].append(_summary(before.get(key), after.get(key), titles))

    old_scores, new_scores = old.get("scores") or {}, new.get("scores") or {}
    pitfalls = []
    for name in sorted(set(old_scores.get("pitfalls", {})) | set(new_scores.get("pitfalls", {}))):
        a = old_scores.get("pitfalls", {}).get(name, {}).get("score")
        b = new_scores.get("pitfalls", {}).get(name, {}).get("score")
        if a != b:
            pitfalls.append({"pitfall": name, "from": a, "to": b})

    old_profile, new_profile = old["scan"].get("profile"), new["scan"].get("profile")
    return {
        "from": _run(old),
        "to": _run(new),
        "grade_changed": _run(old)["grade"] != _run(new)["grade"],
        # Another profile judges the same facts differently: the reader must know.
        "profile_changed": (
            {"from": old_profile, "to": new_profile} if old_profile != new_profile else None
        ),
        "pitfalls": pitfalls,
        **groups,
        **asset_changes(old, new, installed().probes),
    }


def _titles(old: Doc, new: Doc) -> dict[str, str]:
    """Each check's title: the documents' own (a plugin's check too), else the catalogue's."""
    from scanner.checks import catalogue

    out = {check_id: check.title for check_id, check in catalogue().items()}
    for doc in (old, new):
        for check_id, check in (doc.get("checks") or {}).items():
            if isinstance(check, Mapping) and check.get("title"):
                out[check_id] = str(check["title"])
    return out


def news(
    change: Mapping[str, Any], at_least: Callable[[str], bool] | None = None
) -> list[dict[str, Any]]:
    """Failures of checks the earlier run could not assess (newly assessed), most severe
    first, of high severity or above unless ``at_least`` says otherwise. Not a
    regression of the provider (it may have failed all along), but news to the buyer:
    a re-audit never reads "OK" over them."""
    order = ("critical", "high", "medium", "low", "info")
    keep = at_least or (lambda s: s in ("critical", "high"))
    found = [
        f
        for f in change.get("newly_assessed") or []
        if f["to_status"] == "fail" and keep(f["severity"])
    ]
    return sorted(found, key=lambda f: (order.index(f["severity"]), f["check_id"], f["asset"]))


def is_empty(change: Mapping[str, Any]) -> bool:
    """Nothing changed: the grade, the profile, no finding and no asset section."""
    if change.get("profile_changed") or change["grade_changed"]:
        return False
    return not any(v for v in change.values() if isinstance(v, list))


def regressions(change: Mapping[str, Any]) -> list[dict[str, Any]]:
    """New or worse problems, most severe first (waived ones are "accepted", not here)."""
    order = ("critical", "high", "medium", "low", "info")
    found = [*change["new"], *change["worsened"]]
    return sorted(found, key=lambda f: (order.index(f["severity"]), f["check_id"], f["asset"]))


def regressions_since(
    previous: Doc | None, document: Doc, at_least: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """Failures new since ``previous`` whose severity passes ``at_least``; actively
    waived ones are accepted, not regressions. A first run (no ``previous``) is the
    baseline: its failures are new to us, not a regression of the provider."""
    if previous is None:
        return []
    change = diff(previous, document)
    return [r for r in regressions(change) if r["to_status"] == "fail" and at_least(r["severity"])]
