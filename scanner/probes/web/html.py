"""Which scripts a page loads: a pure, forgiving reader over (possibly hostile) HTML.

A linear scan rather than html.parser: a megabyte of nested unclosed tags made
html.parser quadratic (minutes per page). Only the start tags of <script>
elements matter here; comments are skipped, every tag is read within a bounded
window, and the whole page is read at most once.
"""

from __future__ import annotations

import html
import re

MAX_SCRIPTS = 200
MAX_TAG = 4096  # a <script ...> start tag longer than this is not read
_NEXT = re.compile(r"<!--|<script(?=[\s/>])", re.IGNORECASE)
_ATTR = re.compile(
    r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""",
)


def external_scripts(page: str) -> list[tuple[str, bool]]:
    """(src, has integrity=) of every <script src=...> on the page, in order."""
    found: list[tuple[str, bool]] = []
    position = 0
    while len(found) < MAX_SCRIPTS:
        match = _NEXT.search(page, position)
        if match is None:
            break
        if match.group(0) == "<!--":
            end = page.find("-->", match.end())
            if end < 0:
                break  # an unclosed comment hides the rest of the page, as in a browser
            position = end + 3
            continue
        end = page.find(">", match.end(), match.end() + MAX_TAG)
        if end < 0:
            position = match.end()
            continue
        attributes = _attributes(page[match.end() : end])
        if attributes.get("src"):
            found.append((attributes["src"].strip(), bool(attributes.get("integrity"))))
        position = end + 1
    return found


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        values.setdefault(name, html.unescape(value))
    return values
