"""The canonical scan document (what the JSON holds and every renderer reads)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scanner.checks import PITFALL_TITLES, catalogue
from scanner.controls.matrix import control_section, selection
from scanner.document.answers import answer_states
from scanner.document.cadence import carry
from scanner.document.changes import diff
from scanner.document.inventory import inventory
from scanner.document.questions import RETEST_DAYS, failing_checks, questions, retests, top_risks
from scanner.document.verdict import due, page_one_items, verdict
from scanner.document.waivers import Waiver, annotate
from scanner.model import SCHEMA_VERSION, ScanResult
from scanner.observations.dns import upgrade_outcomes
from scanner.registry import installed


def _second(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def base_document(result: ScanResult) -> dict[str, Any]:
    """The scan as gathered and scored, without derived report sections. Each
    finding carries ``observed_at``: when the probe that observed it ended (its
    observations were made while it ran, from its start in ``scan.probes``)."""
    meta = result.meta
    observed = {p.probe: _second(p.finished_at) for p in result.probes if p.finished_at}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "vetscan", "version": result.tool_version},
        "provider": {
            "name": result.target.name,
            "domains": list(result.target.domains),
            "extra_hosts": [str(h) for h in result.target.extra_hosts],
        },
        "scan": {
            "run_id": meta.run_id,
            "started": meta.started.isoformat(),
            "finished": meta.finished.isoformat(),
            "duration_s": round((meta.finished - meta.started).total_seconds(), 3),
            "profile": meta.profile,
            "resolver": meta.resolver,
            "allow_private": meta.allow_private,
            "source_addresses": list(meta.source_addresses),
            **(
                {
                    "rejudged": {
                        "at": meta.rejudged_at.isoformat(),
                        "gathered_profile": meta.gathered_profile,
                    }
                }
                if meta.rejudged_at is not None
                else {}
            ),
            "probes": [
                {
                    "probe": p.probe,
                    "version": p.version,
                    "status": str(p.status),
                    "reason": p.reason,
                    "duration_s": p.duration_s,
                    **(
                        {
                            # From the end as recorded (to the second), so a saved
                            # scan judged again states the same start.
                            "started": _second(
                                p.finished_at.replace(microsecond=0)
                                - timedelta(seconds=p.duration_s)
                            ),
                            "finished": _second(p.finished_at),
                        }
                        if p.finished_at is not None
                        else {}
                    ),
                }
                for p in result.probes
            ],
        },
        "observations": [
            {"probe": p.probe, **o.to_json()} for p in result.probes for o in p.observations
        ],
        "findings": [
            {**f.to_json(), **({"observed_at": observed[f.probe]} if f.probe in observed else {})}
            for f in result.findings
        ],
        "scores": result.scores.to_json() if result.scores is not None else None,
    }


def _checks(findings: list[Mapping[str, Any]]) -> dict[str, Any]:
    known = catalogue()
    out: dict[str, Any] = {}
    for check_id in sorted({f["check_id"] for f in findings}):
        check = known.get(check_id)
        if check is None:  # a third-party probe's check that the catalogue does not know
            continue
        data = dataclasses.asdict(check)
        del data["id"]
        data["severity"] = str(check.severity)
        data["references"] = list(check.references)
        out[check_id] = data
    return out


def with_sections(
    doc: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    frameworks: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Adds the derived sections: check texts, top risks, questions, inventory, changes.

    Also used to bring a saved document of an older schema up to date, so old
    evidence can be re-rendered without rescanning. ``frameworks`` chooses the
    control matrix; None keeps the document's own.
    """
    out = dict(doc)
    out["schema_version"] = SCHEMA_VERSION
    # Observations of an older schema in today's shape, so the version stamped is true.
    out["observations"] = [
        dict(upgrade_outcomes(str(o.get("kind", "")), o)) if isinstance(o, Mapping) else o
        for o in out.get("observations", [])
    ]
    checks = _checks(out["findings"])
    failing = failing_checks(out["findings"], checks)
    out["checks"] = checks
    out["pitfall_titles"] = dict(PITFALL_TITLES)
    # The check that caps the grade comes first among the risks, whatever its severity.
    caps = (out.get("scores") or {}).get("caps") or []
    capping = {c["check"] for c in caps if isinstance(c, dict) and c.get("applies")}
    out["inventory"] = inventory(out["observations"], installed().probes)
    out["decision"] = verdict(out, failing, checks)
    page_one = {i["check_id"]: i for i in page_one_items(out, failing, checks)}
    # Deal-breakers first, then the check that caps the grade, whatever its severity.
    out["top_risks"] = top_risks(
        sorted(
            failing,
            key=lambda e: (
                page_one.get(e["check_id"], {}).get("role") != "deal-breaker",
                e["check_id"] not in capping,
            ),
        ),
        checks,
        page_one,
    )
    out["questions"] = questions(failing, checks, page_one)
    retest_due = due(out, RETEST_DAYS) if out.get("decision") else None
    out["retests"] = retests(out, retest_due)
    out["answers"] = answer_states(out.get("answers") or [], out["findings"], out["retests"])
    out.setdefault("adjusted_scores", None)
    if previous is not None:
        out["changes"] = diff(previous, out)
    else:
        out.setdefault("changes", None)
    # A new scan's ledger is made in build_document; a saved one keeps its own.
    out.setdefault("cadence", None)
    out["controls"] = control_section(out, selection(doc) if frameworks is None else frameworks)
    out.pop("integrity", None)
    return out


def build_document(
    result: ScanResult,
    previous: Mapping[str, Any] | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    adjusted_scores: Mapping[str, Any] | None = None,
    answers: Sequence[Mapping[str, Any]] = (),
    frameworks: Sequence[str] = (),
) -> dict[str, Any]:
    """The scan's document; with waivers, their marks and the adjusted score beside the
    raw; with the provider's ``answers`` (scanner.document.answers), each beside what
    this scan found."""
    document = base_document(result)
    document["answers"] = [dict(a) for a in answers]
    if waivers:
        document = annotate(document, waivers, today or datetime.now(UTC).date())
    document["adjusted_scores"] = dict(adjusted_scores) if adjusted_scores is not None else None
    document = with_sections(document, previous, frameworks)
    document["cadence"] = carry(previous, document)
    # Supplier-oversight controls read the ledger just made.
    document["controls"] = control_section(document, frameworks)
    return document
