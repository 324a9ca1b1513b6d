"""NIST OSCAL assessment results (JSON, OSCAL 1.1.3) for GRC tools.

One result for the scan: an observation per check (its verdict and assets, as
tested from outside), and a finding per control of the chosen frameworks on which
a weakness was found (``not-satisfied``). A control with no weakness found gets no
finding: an outside-in scan cannot show a control satisfied. The assessment plan
the results import is carried in the back matter (base64), since vetscan's plan is
the scan itself: its profile, targets and frameworks.

UUIDs are version 5, derived from the run ID, so the same JSON always renders to
the same file (what ``vetscan verify`` compares).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from scanner.document.types import effective_status
from scanner.textsafe import visible

OSCAL_VERSION = "1.1.3"
NS = "https://vetscan.dev/ns/oscal"
_ROOT = uuid.UUID("8f6a3c0e-5b1d-5e4a-9c7f-2d4b6a8e0c11")
_WORST = ("fail", "accepted", "warn", "error", "not_assessed", "pass", "info")


def _uuid(run_id: str, *parts: str) -> str:
    return str(uuid.uuid5(_ROOT, "/".join((run_id, *parts))))


def control_token(framework: str, control_id: str) -> str:
    """An OSCAL token for a control ("iso27001_a.8.24", "nis2_art.21.2.d")."""
    slug = re.sub(r"[^a-z0-9]+", ".", control_id.lower()).strip(".")
    return f"{framework}_{slug}"


def _when(moment: str) -> str:
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": visible(value) or "-"}


def _metadata(title: str, moment: str, version: str) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": moment,
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }


def _selection(document: Mapping[str, Any]) -> dict[str, Any]:
    section = document.get("controls") or {}
    chosen = [
        {"control-id": control_token(f["id"], c["id"])}
        for f in section.get("frameworks") or []
        for c in f["controls"]
    ]
    if not chosen:
        return {
            "description": "No framework was chosen (--framework): every check is reported.",
            "control-selections": [{"include-all": {}}],
        }
    return {"control-selections": [{"include-controls": chosen}]}


def _plan(document: Mapping[str, Any], moment: str) -> dict[str, Any]:
    run_id = str(document["scan"]["run_id"])
    provider = str(document["provider"]["name"])
    ssp = _uuid(run_id, "plan", "system")
    domains = ", ".join(document["provider"]["domains"])
    return {
        "assessment-plan": {
            "uuid": _uuid(run_id, "plan"),
            "metadata": _metadata(
                visible(f"vetscan assessment plan for {provider}"), moment, run_id
            ),
            "import-ssp": {"href": f"#{ssp}"},
            "reviewed-controls": _selection(document),
            "terms-and-conditions": {
                "parts": [
                    {
                        "name": "assumptions",
                        "title": "Method",
                        "prose": visible(
                            f"An outside-in, non-intrusive scan of {domains} and the hosts "
                            f"found under them, judged under the profile "
                            f"{document['scan'].get('profile')}. It looks and never exploits."
                        ),
                    }
                ]
            },
            "back-matter": {
                "resources": [
                    {
                        "uuid": ssp,
                        "title": "No system security plan",
                        "description": visible(
                            f"{provider}'s own plan is not available to an outside-in "
                            "assessment; the scope is the provider's internet-facing services."
                        ),
                    }
                ]
            },
        }
    }


def _observations(document: Mapping[str, Any], run_id: str, moment: str) -> list[dict[str, Any]]:
    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for f in document["findings"]:
        by_check.setdefault(str(f["check_id"]), []).append(f)
    checks = document.get("checks") or {}
    out = []
    for check_id, found in sorted(by_check.items()):
        statuses = [effective_status(f) for f in found]  # type: ignore[arg-type]
        worst = min(statuses, key=lambda s: _WORST.index(s) if s in _WORST else len(_WORST))
        lines = [f"{f['status']} on {f['asset']}: {f['detail']}" for f in found[:20]]
        if len(found) > 20:
            lines.append(f"and {len(found) - 20} more in the scan's JSON")
        out.append(
            {
                "uuid": _uuid(run_id, "observation", check_id),
                "title": visible(str(checks.get(check_id, {}).get("title", check_id))),
                "description": visible("\n".join(lines)),
                "props": [_prop("check-id", check_id), _prop("verdict", worst)],
                "methods": ["TEST"],
                "types": ["finding"]
                if worst in ("fail", "accepted", "warn")
                else ["control-objective"],
                "collected": moment,
            }
        )
    return out


def _findings(document: Mapping[str, Any], run_id: str) -> list[dict[str, Any]]:
    section = document.get("controls") or {}
    out = []
    for framework in section.get("frameworks") or []:
        for control in framework["controls"]:
            if control["evidence"] not in ("weakness", "accepted"):
                continue
            token = control_token(framework["id"], control["id"])
            bad = [r for r in control["checks"] if r["status"] in ("fail", "accepted")]
            out.append(
                {
                    "uuid": _uuid(run_id, "finding", token),
                    "title": visible(f"{framework['name']} {control['id']}: {control['title']}"),
                    "description": visible(
                        "Weakness found by: "
                        + "; ".join(f"{r['title']} ({', '.join(r['assets'][:5])})" for r in bad)
                        + ". Evidence against the control from an outside-in scan."
                    ),
                    "props": [_prop("framework", framework["id"]), _prop("control", control["id"])],
                    "target": {
                        "type": "objective-id",
                        "target-id": token,
                        "status": {"state": "not-satisfied"},
                    },
                    "related-observations": [
                        {"observation-uuid": _uuid(run_id, "observation", r["check_id"])}
                        for r in bad
                    ],
                }
            )
    return out


def render_oscal(document: dict[str, Any]) -> dict[str, str]:
    scan = document["scan"]
    run_id = str(scan["run_id"])
    provider = str(document["provider"]["name"])
    moment = _when(str(scan["finished"]))
    plan = _plan(document, moment)
    plan_uuid = _uuid(run_id, "plan", "resource")
    integrity = document.get("integrity") or {}
    encoded = base64.b64encode(json.dumps(plan, indent=2, sort_keys=True).encode("utf-8")).decode(
        "ascii"
    )
    results = {
        "assessment-results": {
            "uuid": _uuid(run_id, "results"),
            "metadata": {
                **_metadata(visible(f"vetscan assessment results: {provider}"), moment, run_id),
                "props": [
                    _prop("vetscan-run-id", run_id),
                    _prop("vetscan-json-sha256", str(integrity.get("sha256", ""))),
                ],
            },
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [
                {
                    "uuid": _uuid(run_id, "result"),
                    "title": visible(f"Outside-in scan of {provider}"),
                    "description": visible(
                        (document.get("controls") or {}).get("statement")
                        or "An outside-in scan of the provider's internet-facing services."
                    ),
                    "start": _when(str(scan["started"])),
                    "end": moment,
                    "props": [_prop("grade", str((document.get("scores") or {}).get("grade")))],
                    "reviewed-controls": _selection(document),
                    "observations": _observations(document, run_id, moment),
                    **({"findings": f} if (f := _findings(document, run_id)) else {}),
                }
            ],
            "back-matter": {
                "resources": [
                    {
                        "uuid": plan_uuid,
                        "title": "Assessment plan",
                        "description": "The plan these results import: scope, method, controls.",
                        "base64": {
                            "filename": "assessment-plan.json",
                            "media-type": "application/json",
                            "value": encoded,
                        },
                    }
                ]
            },
        }
    }
    return {"oscal.json": json.dumps(results, indent=2, ensure_ascii=False) + "\n"}


def embedded_plan(results: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment plan carried in an assessment result's back matter."""
    body = results["assessment-results"]
    href = str(body["import-ap"]["href"]).removeprefix("#")
    for resource in body["back-matter"]["resources"]:
        if resource["uuid"] == href:
            decoded: dict[str, Any] = json.loads(base64.b64decode(resource["base64"]["value"]))
            return decoded
    raise KeyError(href)


__all__: Sequence[str] = ("control_token", "embedded_plan", "render_oscal")
