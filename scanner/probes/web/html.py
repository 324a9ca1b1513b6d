"""Which scripts a page loads: a pure, forgiving reader over (possibly hostile) HTML."""

from __future__ import annotations

from html.parser import HTMLParser

MAX_SCRIPTS = 200


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() != "script" or len(self.found) >= MAX_SCRIPTS:
            return
        values = {name.lower(): value or "" for name, value in attrs}
        if values.get("src"):
            self.found.append((values["src"].strip(), bool(values.get("integrity"))))


def external_scripts(html: str) -> list[tuple[str, bool]]:
    """(src, has integrity=) of every <script src=...> on the page, in order."""
    parser = _Scripts()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        pass  # a broken page still yields what was read before the break
    return parser.found
