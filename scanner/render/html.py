"""A self-contained HTML page of one scan (jinja2, autoescaped, strict undefined)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("scanner.render", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_STATUS_ORDER = ["fail", "error", "warn", "not_assessed", "info", "pass"]
_SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


def render_html(document: dict[str, Any]) -> str:
    findings = sorted(
        document["findings"],
        key=lambda f: (
            _STATUS_ORDER.index(f["status"]),
            _SEVERITY_ORDER.index(f["severity"]),
            f["check_id"],
            f["asset"],
        ),
    )
    hosts = [o for o in document["observations"] if o["kind"] == "dns.host_addresses"]
    counts = Counter(f["status"] for f in findings)
    return _ENV.get_template("report.html.j2").render(
        doc=document,
        findings=findings,
        hosts=hosts,
        counts={s: counts.get(s, 0) for s in _STATUS_ORDER},
    )
