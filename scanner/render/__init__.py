"""Renderers: each turns the canonical scan document into text and never prints or writes.

The HTML renderer reads the same JSON document the JSON renderer emits, so
whatever the HTML shows is also in the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from scanner.render.csv import render_csv
from scanner.render.html import render_html
from scanner.render.json import render_json


class Format(StrEnum):
    JSON = "json"
    HTML = "html"
    CSV = "csv"


RENDERERS: dict[Format, Callable[[dict[str, Any]], str]] = {
    Format.JSON: render_json,
    Format.HTML: render_html,
    Format.CSV: render_csv,
}
