"""The due-diligence HTML report: one self-contained file (jinja2, autoescaped, strict).

Everything shown comes from the scan document; this module only orders and
groups it for reading. Inline CSS and SVG, no scripts, fonts or images, so the
file opens offline and prints cleanly years later.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import jinja2

from scanner.checks import PITFALL_SCOPE
from scanner.document import areas, cadence
from scanner.document.counts import LABELS, check_counts
from scanner.document.integrity import digest, html_placeholder, seal_html
from scanner.registry import CHANGES_FRAGMENT, REPORT_FRAGMENT, installed, report_fragment
from scanner.render.csv import utc_second
from scanner.textsafe import visible

_FRAGMENT = "probe/{}/{}"


def _fragment(name: str) -> str | None:
    """A probe's own report section (scanner.registry.report_fragment), by template name."""
    probes = {
        _FRAGMENT.format(p.name, kind): (p, kind)
        for p in installed().probes
        for kind in (REPORT_FRAGMENT, CHANGES_FRAGMENT)
    }
    text = report_fragment(*probes[name]) if name in probes else None
    # jinja drops a template's last line break; a fragment keeps its own, as if it
    # were written inline in the report.
    return text + "\n" if text is not None else None


_ENV = jinja2.Environment(
    loader=jinja2.ChoiceLoader(
        [jinja2.PackageLoader("scanner.render", "templates"), jinja2.FunctionLoader(_fragment)]
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def environment() -> jinja2.Environment:
    """The templates' environment (autoescaping, the ``visible`` filter)."""
    return _ENV


STATUS_ORDER = ["fail", "error", "warn", "not_assessed", "info", "pass"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]
_EVIDENCE_CHARS = 400


def _readable(value: Any) -> str:
    """Evidence as a reader reads it: lists as comma-separated values, flat objects as
    'key: value' pairs, yes/no for booleans; JSON only for deeper structures."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        return ", ".join(_readable(v) for v in value) if value else "none"
    if isinstance(value, dict) and all(not isinstance(v, list | dict) for v in value.values()):
        return "; ".join(f"{k}: {_readable(v)}" for k, v in value.items()) if value else "none"
    return json.dumps(value, ensure_ascii=True)


def _evidence(value: Any) -> str:
    text = _readable(value)
    if len(text) > _EVIDENCE_CHARS:
        return text[:_EVIDENCE_CHARS] + " ... (complete in the JSON)"
    return text


_ENV.filters["evidence"] = lambda v: visible(_evidence(v))
_ENV.filters["visible"] = visible


def _css_string(value: Any) -> str:
    """Text inside a CSS string literal (the printed running header): quotes,
    backslashes, line breaks and anything that could end the style element escaped."""
    out = []
    for ch in visible(str(value)):
        if ch in '"\\<>&' or not ch.isprintable():
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


_ENV.filters["css_string"] = _css_string


def when(value: object) -> str:
    """A document's time as a reader reads it: to the second, in UTC, with the zone
    said ("2026-12-06 03:11:59 UTC"); text that is not a time is shown as it is."""
    moment = utc_second(value)
    return f"{moment} UTC" if moment is not None else str(value)


_ENV.filters["when"] = when
_ENV.filters["duration"] = cadence.duration


def _sort_key(f: Mapping[str, Any]) -> tuple[int, int, str, str]:
    return (
        STATUS_ORDER.index(f["status"]),
        SEVERITY_ORDER.index(f["severity"]),
        f["check_id"],
        f["asset"],
    )


def _verdict(findings: list[Mapping[str, Any]]) -> str:
    statuses = {f["status"] for f in findings}
    return next(s for s in STATUS_ORDER if s in statuses)


def _rows(found: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per distinct observation of a check: the same verdict, severity and
    observed text on several host names or addresses is one row listing them all."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for f in found:
        asset = str(f["asset"])
        detail = str(f["detail"]).replace(asset, "\x00") if asset else str(f["detail"])
        waiver = f.get("waiver") or {}
        key = (f["status"], f["severity"], detail, waiver.get("accepted_by"), waiver.get("active"))
        groups.setdefault(key, []).append(f)
    rows = []
    for members in groups.values():
        first = members[0]
        evidence = [json.dumps(m.get("evidence") or {}, sort_keys=True) for m in members]
        rows.append(
            {
                "status": first["status"],
                "severity": first["severity"],
                "assets": [m["asset"] for m in members],
                "detail": first["detail"],
                "waiver": first.get("waiver"),
                "evidence": first.get("evidence") or {},
                "same_evidence": len(set(evidence)) == 1,
                "members": members,
            }
        )
    return rows


def _pitfall_sections(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    checks = document["checks"]
    by_pitfall: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(dict)
    for f in sorted(document["findings"], key=_sort_key):
        pitfall = checks.get(f["check_id"], {}).get("pitfall", "other")
        by_pitfall[pitfall].setdefault(f["check_id"], []).append(f)
    titles = document["pitfall_titles"]
    scores = (document.get("scores") or {}).get("pitfalls", {})
    sections = []
    for pitfall in [*titles, "other"]:
        groups = by_pitfall.get(pitfall)
        if not groups:
            continue
        entries = [
            {
                "id": check_id,
                "check": checks.get(check_id),
                "verdict": _verdict(found),
                "findings": found,
                "rows": _rows(found),
            }
            for check_id, found in groups.items()
        ]
        entries.sort(key=lambda e: (STATUS_ORDER.index(e["verdict"]), e["id"]))
        sections.append(
            {
                "pitfall": pitfall,
                "title": titles.get(pitfall, "Other checks"),
                "score": areas.shown_score(scores.get(pitfall)),
                "state": areas.state(scores.get(pitfall)) if pitfall in scores else "",
                "gap": areas.gap(scores.get(pitfall)) if pitfall in scores else "",
                "checks": entries,
            }
        )
    return sections


def _chart(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    scores = (document.get("scores") or {}).get("pitfalls", {})
    bars = []
    for pitfall, title in document["pitfall_titles"].items():
        area = scores.get(pitfall)
        # Rule 9: an area not assessed shows no bar and no score, whatever passed.
        value = areas.shown_score(area)
        colour = (
            "#9aa3b2"
            if value is None
            else "#1a7f37"
            if value >= 90
            else "#6f9a1f"
            if value >= 80
            else "#bf8700"
            if value >= 65
            else "#d1561a"
            if value >= 50
            else "#a4161a"
        )
        partly = areas.state(area) == areas.PARTLY
        bars.append(
            {
                "title": title,
                "score": value,
                "colour": colour,
                "partly": partly,
                "total": (area or {}).get("total_findings"),
                "assessed": (area or {}).get("assessed_findings"),
            }
        )
    return bars


_TABLE_DATE = re.compile(r"\d{4}[-.]\d{2}[-.]\d{2}")
# The dated reference data a finding was judged by, as its evidence names it.
_REFERENCE_DATA = (
    ("service.outdated_version", "table_date", "vetscan's end-of-life table of {}"),
    ("service.known_vulnerabilities", "table_date", "vetscan's CVE table, advisories through {}"),
    (
        "service.known_exploited",
        "kev_catalogue",
        "CISA's Known Exploited Vulnerabilities catalogue {}",
    ),
)


def reference_data(findings: list[dict[str, Any]]) -> list[str]:
    """The dated tables and catalogues the findings were judged by, as the method
    section names them (a newer table may judge the same versions differently)."""
    seen: dict[str, None] = {}
    for check_id, key, text in _REFERENCE_DATA:
        for f in findings:
            value = (f.get("evidence") or {}).get(key)
            # A dated table names itself by a date ("2025-10-31", "2025.08.25"); any
            # other text in a saved scan's evidence is not shown here.
            if (
                f["check_id"] == check_id
                and isinstance(value, str)
                and _TABLE_DATE.fullmatch(value)
            ):
                seen[text.format(value)] = None
    return list(seen)


def render_html(document: dict[str, Any]) -> str:
    findings = document["findings"]
    unassessed = [
        f for f in sorted(findings, key=_sort_key) if f["status"] in ("not_assessed", "error")
    ]
    integrity = document.get("integrity") or {
        "run_id": document["scan"]["run_id"],
        "sha256": digest(document),
    }
    counts = check_counts((f["check_id"], f["status"], f["asset"]) for f in findings)
    text = _ENV.get_template("report.html.j2").render(
        doc=document,
        scopes=PITFALL_SCOPE,
        integrity=integrity,
        html_digest=html_placeholder(),
        counts=counts,
        count_labels=LABELS,
        chart=_chart(document),
        sections=_pitfall_sections(document),
        unassessed=unassessed,
        reference_data=reference_data(findings),
        probes_not_completed=[p for p in document["scan"]["probes"] if p["status"] != "completed"],
        **_inventory_parts(),
    )
    return seal_html(text)


def _inventory_parts() -> dict[str, Any]:
    """The probes' own sections of "Assets found", in report order, and the inventory
    sections they show (the rest are shown as plain tables)."""
    registry = installed()
    shown = [p for p in registry.in_report_order() if report_fragment(p) is not None]
    changing = [
        p for p in registry.in_changes_order() if report_fragment(p, CHANGES_FRAGMENT) is not None
    ]
    return {
        "inventory_fragments": [_FRAGMENT.format(p.name, REPORT_FRAGMENT) for p in shown],
        "shown_sections": {s for p in shown for s in p.inventory_sections},
        "change_fragments": [_FRAGMENT.format(p.name, CHANGES_FRAGMENT) for p in changing],
        "change_sections": {s for p in registry.probes for s in p.change_sections},
        "shown_change_sections": {s for p in changing for s in p.change_sections},
    }


def render_index(index: dict[str, Any]) -> str:
    """The portfolio overview page (scanner.document.overview.overview)."""
    return _ENV.get_template("index.html.j2").render(index=index)
