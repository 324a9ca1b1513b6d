"""JSON Schema of vetscan's scan document (shipped in the wheel)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def schema() -> dict[str, Any]:
    """The scan document's JSON Schema (what reports are rendered from and checked against)."""
    text = resources.files("scanner.schema").joinpath("scan-result.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
