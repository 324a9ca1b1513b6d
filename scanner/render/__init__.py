"""Renderers: each turns the canonical scan document into text or bytes; none writes files.

The HTML and PDF renderers read the same JSON document the JSON renderer emits,
so whatever they show is also in the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from scanner.render.csv import render_csv
from scanner.render.html import render_html
from scanner.render.json import render_json
from scanner.render.junit import render_junit
from scanner.render.oscal import render_oscal
from scanner.render.pdf import PdfUnavailable, render_pdf
from scanner.render.questions import render_questions
from scanner.render.sarif import render_sarif


class Format(StrEnum):
    JSON = "json"
    HTML = "html"
    CSV = "csv"
    PDF = "pdf"
    QUESTIONS = "questions"  # three files: questions.txt, questions.md and questions.csv
    SARIF = "sarif"  # SARIF 2.1.0, for code-scanning and security dashboards
    JUNIT = "junit"  # one file, .junit.xml, for CI test reports
    OSCAL = "oscal"  # one file, .oscal.json: NIST OSCAL assessment results


RENDERERS: dict[Format, Callable[[dict[str, Any]], str | bytes | dict[str, str]]] = {
    Format.JSON: render_json,
    Format.HTML: render_html,
    Format.CSV: render_csv,
    Format.PDF: render_pdf,
    Format.QUESTIONS: render_questions,
    Format.SARIF: render_sarif,
    Format.JUNIT: render_junit,
    Format.OSCAL: render_oscal,
}

__all__ = ["RENDERERS", "Format", "PdfUnavailable"]
