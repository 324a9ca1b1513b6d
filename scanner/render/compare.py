"""The comparison report (scanner.document.compare) as HTML, PDF and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from scanner.document.integrity import html_placeholder, seal_html
from scanner.render.csv import cell
from scanner.render.html import environment
from scanner.textsafe import visible


def render_compare_html(comparison: dict[str, Any]) -> str:
    """The sealed comparison as a page that states the JSON's digest and its own."""
    integrity = comparison.get("integrity") or {}
    text = (
        environment()
        .get_template("compare.html.j2")
        .render(cmp=comparison, integrity=integrity, html_digest=html_placeholder())
    )
    return seal_html(text)


def render_compare_pdf(comparison: dict[str, Any], signature: str | None = None) -> bytes:
    from scanner.render.pdf import pdf_with_evidence

    return pdf_with_evidence(
        render_compare_html(comparison), render_compare_json(comparison), signature
    )


def render_compare_json(comparison: dict[str, Any]) -> str:
    return json.dumps(comparison, indent=2, ensure_ascii=True) + "\n"


def render_compare_csv(comparison: dict[str, Any]) -> str:
    """One row per compared item, one column per candidate (for a spreadsheet)."""
    cs = comparison["candidates"]

    def titles(items: list[dict[str, Any]]) -> str:
        return "; ".join(visible(i["title"]) for i in items)

    place = {r["name"]: r for r in comparison["ranking"]["order"]}
    rows: list[tuple[str, str, list[Any]]] = [
        ("ranking", "rank", [place[c["name"]]["rank"] for c in cs]),
        (
            "ranking",
            "why",
            [place[c["name"]]["reason"] + " " + place[c["name"]]["above"] for c in cs],
        ),
        ("ranking", "weighted score", [place[c["name"]]["weighted_score"] for c in cs]),
        ("verdict", "verdict", [c["verdict_title"] for c in cs]),
        (
            "verdict",
            "deal-breakers failing",
            ["; ".join(visible(d["title"]) for d in c["deal_breakers"]) for c in cs],
        ),
        ("grade", "grade", [c["grade"] for c in cs]),
        ("grade", "score", [c["overall"] for c in cs]),
        ("grade", "with accepted risks", [c["adjusted_grade"] for c in cs]),
        ("grade", "why", [c["explanation"] for c in cs]),
        *(
            (
                "pitfall",
                f"{title} (weight {comparison['ranking']['weights'].get(key, 1):g})",
                [c["area_labels"].get(key, "not assessed") for c in cs],
            )
            for key, title in comparison["pitfall_titles"].items()
        ),
        ("coverage", "assessed share", [c["coverage"] for c in cs]),
        ("coverage", "checks not assessed", [c["not_assessed"] for c in cs]),
        (
            "failures",
            "critical and high",
            [
                "; ".join(
                    f"{s['severity']}{' deal-breaker' if s.get('deal_breaker') else ''}: "
                    f"{visible(s['title'])}"
                    for s in c["serious"]
                )
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
        ("scan", "JSON sha256", [c["sha256"] for c in cs]),
        ("comparison", "ID", [comparison.get("comparison_id", "")] * len(cs)),
        ("comparison", "sha256", [(comparison.get("integrity") or {}).get("sha256", "")] * len(cs)),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", *(cell(c["name"]) for c in cs)])
    for section, item, values in rows:
        writer.writerow([section, item, *(cell("" if v is None else str(v)) for v in values)])
    return out.getvalue()
