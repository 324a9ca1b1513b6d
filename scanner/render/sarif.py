"""SARIF 2.1.0 (OASIS): one rule per check with its help text, one result per failing
finding at a logical location naming the host and port, for code-scanning and
security dashboards. Checks that could not be judged are tool notifications, so a
dashboard does not read them as clean."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from scanner.controls.matrix import controls_text
from scanner.document.types import effective_status
from scanner.textsafe import visible

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# SARIF levels by severity, and the 0-10 score GitHub reads as security-severity.
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def _rule(check_id: str, check: Mapping[str, Any], controls: str) -> dict[str, Any]:
    severity = str(check.get("severity", "medium"))
    help_text = f"{check.get('description', '')}\n\nRemediation: {check.get('remediation', '')}"
    refs = list(check.get("references") or [])
    if refs:
        help_text += "\n\nReferences: " + "; ".join(refs)
    if controls:
        help_text += f"\n\nEvidence toward: {controls}"
    return {
        "id": check_id,
        "name": "".join(p.title() for p in check_id.replace("_", ".").split(".")),
        "shortDescription": {"text": str(check.get("title", check_id))},
        "fullDescription": {"text": str(check.get("description", check_id))},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVEL.get(severity, "warning")},
        "properties": {
            "tags": ["security", str(check.get("pitfall", ""))],
            "security-severity": _SCORE.get(severity, "5.5"),
            "precision": "high",
        },
    }


def _location(asset: str, provider: str) -> dict[str, Any]:
    # "host:port [address]" or a domain: the host (with its port) is the location.
    endpoint = asset.split(" [", 1)[0]
    return {
        "logicalLocations": [
            {
                "name": visible(endpoint),
                "fullyQualifiedName": visible(f"{provider}/{endpoint}"),
                "kind": "resource",
            }
        ]
    }


def _result(f: Mapping[str, Any], index: int, provider: str) -> dict[str, Any]:
    stable = hashlib.sha256(f"{f['check_id']}\0{f['asset']}".encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": f["check_id"],
        "ruleIndex": index,
        "level": _LEVEL.get(str(f["severity"]), "warning"),
        "kind": "fail",
        "message": {"text": visible(f"{f['asset']}: {f['detail']}")},
        "locations": [_location(str(f["asset"]), provider)],
        "partialFingerprints": {"vetscanFinding/v1": stable},
        "properties": {"severity": str(f["severity"]), "asset": visible(str(f["asset"]))},
    }
    if effective_status(f) == "accepted":  # type: ignore[arg-type]
        waiver = f["waiver"]
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": visible(
                    f"accepted by {waiver['accepted_by']} until {waiver['expires']}: "
                    f"{waiver.get('reason', '')}"
                ),
            }
        ]
    return result


def render_sarif(document: dict[str, Any]) -> str:
    checks = document.get("checks") or {}
    provider = str(document["provider"]["name"])
    findings = document["findings"]
    ids = sorted({str(f["check_id"]) for f in findings})
    index = {check_id: i for i, check_id in enumerate(ids)}
    section = document.get("controls")
    rules = [_rule(c, checks.get(c, {"title": c}), controls_text(section, c)) for c in ids]
    results = [
        _result(f, index[f["check_id"]], provider) for f in findings if f["status"] == "fail"
    ]
    notes = [
        {
            "level": "warning",
            "message": {"text": visible(f"{f['asset']}: {f['detail']}")},
            "descriptor": {"id": f["check_id"]},
            "associatedRule": {"id": f["check_id"], "index": index[f["check_id"]]},
        }
        for f in findings
        if f["status"] in ("not_assessed", "error")
    ]
    scan = document["scan"]
    run = {
        "tool": {
            "driver": {
                "name": "vetscan",
                "version": str(document["tool"]["version"]),
                "informationUri": "https://github.com/vetscan/vetscan",
                "rules": rules,
            }
        },
        "automationDetails": {"id": visible(f"vetscan/{provider}/{scan['run_id']}")},
        "invocations": [
            {
                "executionSuccessful": all(
                    p["status"] == "completed" for p in scan.get("probes", [])
                ),
                "startTimeUtc": _utc(scan["started"]),
                "endTimeUtc": _utc(scan["finished"]),
                "toolExecutionNotifications": notes,
            }
        ],
        "results": results,
        "properties": {
            "provider": visible(provider),
            "domains": [visible(d) for d in document["provider"]["domains"]],
            "grade": (document.get("scores") or {}).get("grade"),
            "profile": scan.get("profile"),
            # What `vetscan verify` pairs this log with: the JSON it was rendered from.
            "vetscan-run-id": str(scan["run_id"]),
            "vetscan-json-sha256": (document.get("integrity") or {}).get("sha256"),
        },
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _utc(moment: str) -> str:
    from scanner.render.csv import utc_second

    second = utc_second(moment)
    return f"{second.replace(' ', 'T')}Z" if second else moment
