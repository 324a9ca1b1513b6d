"""The canonical JSON document of a scan, and its schema."""

from __future__ import annotations

import json
from typing import Any

from scanner.document.build import build_document
from scanner.model import ScanResult


def scan_document(result: ScanResult) -> dict[str, Any]:
    """The full canonical document of a scan with no earlier run to compare."""
    return build_document(result)


def render_json(document: dict[str, Any]) -> str:
    # ensure_ascii keeps hostile control or bidi characters from targets visible as escapes
    return json.dumps(document, indent=2, ensure_ascii=True, sort_keys=False) + "\n"
