"""The comparison report (scanner.document.compare) as HTML, PDF and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from scanner.render.csv import cell
from scanner.render.html import environment
from scanner.textsafe import visible


def render_compare_html(comparison: dict[str, Any], generated: str) -> str:
    return environment().get_template("compare.html.j2").render(cmp=comparison, generated=generated)


def render_compare_pdf(comparison: dict[str, Any], generated: str) -> bytes:
    from scanner.render.pdf import html_to_pdf

    return html_to_pdf(render_compare_html(comparison, generated))


def render_compare_json(comparison: dict[str, Any], generated: str) -> str:
    return json.dumps({"generated": generated, **comparison}, indent=2, ensure_ascii=True) + "\n"


def render_compare_csv(comparison: dict[str, Any], _generated: str = "") -> str:
    """One row per compared item, one column per candidate (for a spreadsheet)."""
    cs = comparison["candidates"]

    def titles(items: list[dict[str, Any]]) -> str:
        return "; ".join(visible(i["title"]) for i in items)

    rows: list[tuple[str, str, list[Any]]] = [
        ("grade", "grade", [c["grade"] for c in cs]),
        ("grade", "score", [c["overall"] for c in cs]),
        ("grade", "with accepted risks", [c["adjusted_grade"] for c in cs]),
        ("grade", "why", [c["explanation"] for c in cs]),
        *(
            ("pitfall", title, [c["area_labels"].get(key, "not assessed") for c in cs])
            for key, title in comparison["pitfall_titles"].items()
        ),
        ("coverage", "assessed share", [c["coverage"] for c in cs]),
        ("coverage", "checks not assessed", [c["not_assessed"] for c in cs]),
        (
            "failures",
            "critical and high",
            [
                "; ".join(f"{s['severity']}: {visible(s['title'])}" for s in c["serious"])
                for c in cs
            ],
        ),
        ("differences", "passes where another falls short", [titles(c["strengths"]) for c in cs]),
        (
            "differences",
            "falls short where every other passes",
            [titles(c["weaknesses"]) for c in cs],
        ),
        (
            "questions",
            "asked of this candidate only",
            [" | ".join(visible(q["question"]) for q in c["own_questions"]) for c in cs],
        ),
        ("scan", "run ID", [c["run_id"] for c in cs]),
        ("scan", "profile", [c["profile"] for c in cs]),
        ("scan", "started", [c["started"] for c in cs]),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", *(cell(c["name"]) for c in cs)])
    for section, item, values in rows:
        writer.writerow([section, item, *(cell("" if v is None else str(v)) for v in values)])
    return out.getvalue()
