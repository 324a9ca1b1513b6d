"""Showing text that came from a target without letting it act.

Control characters (terminal escapes, bells, carriage returns that overwrite a
line), and the invisible or direction-changing characters used to disguise text
(Trojan Source, CVE-2021-42574) are shown as ``\\uXXXX``. Markup is the
renderers' business (jinja2 autoescaping); this is for everything else.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def visible(text: object) -> str:
    """``text`` with every unsafe character replaced by its escape; newline and tab kept."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def term(text: object) -> str:
    """One line for a terminal: unsafe characters escaped, newlines too."""
    return visible(text).replace("\n", "\\n")
