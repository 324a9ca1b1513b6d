"""JUnit XML for CI dashboards: one test suite per area, one test case per check. A
failing check is a failure (its assets and what was seen), a check that could not be
judged is skipped with the reason, a warning passes with its text in system-out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from scanner.checks import PITFALL_TITLES
from scanner.controls.matrix import controls_text
from scanner.document.types import effective_status
from scanner.textsafe import visible

_ORDER = ("fail", "error", "not_assessed", "warn", "accepted", "pass", "info")


def _text(value: object) -> str:
    # XML 1.0 cannot carry control characters at all; visible() writes them as escapes.
    return visible(str(value))


def _case(
    suite: ET.Element, check_id: str, found: Sequence[Mapping[str, Any]], doc: Mapping[str, Any]
) -> str:
    check = (doc.get("checks") or {}).get(check_id, {})
    statuses = [effective_status(f) for f in found]  # type: ignore[arg-type]
    worst = min(statuses, key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER))
    case = ET.SubElement(
        suite,
        "testcase",
        name=_text(f"{check_id}: {check.get('title', check_id)}"),
        classname=_text(f"vetscan.{check.get('pitfall', 'other')}.{check_id}"),
        time="0",
    )
    lines = [f"{f['status']} {f['asset']}: {f['detail']}" for f in found]
    controls = controls_text(doc.get("controls"), check_id)
    if controls:
        lines.append(f"evidence toward: {controls}")
    if worst == "fail":
        failing = [f for f in found if effective_status(f) == "fail"]  # type: ignore[arg-type]
        assets = ", ".join(dict.fromkeys(str(f["asset"]) for f in failing))
        failure = ET.SubElement(
            case,
            "failure",
            message=_text(f"{failing[0]['severity']}: fails on {assets}"),
            type=_text(str(failing[0]["severity"])),
        )
        failure.text = _text("\n".join([*lines, f"remediation: {check.get('remediation', '')}"]))
        return "failure"
    if worst in ("error", "not_assessed"):
        reasons = {str(f["detail"]) for f in found if f["status"] in ("error", "not_assessed")}
        ET.SubElement(case, "skipped", message=_text("; ".join(sorted(reasons))[:1000]))
        return "skipped"
    ET.SubElement(case, "system-out").text = _text("\n".join(lines))
    return "passed"


def render_junit(document: dict[str, Any]) -> dict[str, str]:
    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for f in document["findings"]:
        by_check.setdefault(str(f["check_id"]), []).append(f)
    checks = document.get("checks") or {}
    areas: dict[str, list[str]] = {}
    for check_id in sorted(by_check):
        areas.setdefault(str(checks.get(check_id, {}).get("pitfall", "other")), []).append(check_id)
    provider = str(document["provider"]["name"])
    integrity = document.get("integrity") or {}
    root = ET.Element("testsuites", name=_text(f"vetscan {provider}"))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    titles = {**PITFALL_TITLES, **(document.get("pitfall_titles") or {})}
    for area, ids in sorted(areas.items()):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_text(f"{provider}: {titles.get(area, area)}"),
            timestamp=str(document["scan"]["started"])[:19],
            hostname=_text(",".join(document["provider"]["domains"])),
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("vetscan-run-id", str(document["scan"]["run_id"])),
            ("vetscan-json-sha256", str(integrity.get("sha256", ""))),
            ("grade", str((document.get("scores") or {}).get("grade") or "")),
        ):
            ET.SubElement(props, "property", name=name, value=_text(value))
        counts = {"failure": 0, "skipped": 0, "passed": 0}
        for check_id in ids:
            counts[_case(suite, check_id, by_check[check_id], document)] += 1
        suite.set("tests", str(len(ids)))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        totals["tests"] += len(ids)
        totals["failures"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    for key, total in totals.items():
        root.set(key, str(total))
    root.set("errors", "0")
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return {"junit.xml": text + "\n"}
