"""What a page loads, submits and declares: a pure, forgiving reader over (possibly
hostile) HTML.

A linear scan rather than html.parser: a megabyte of nested unclosed tags made
html.parser quadratic (minutes per page). Only the start tags that matter here are
read (scripts, frames, style sheets, plugins, media, forms and their password
fields, <meta>); comments are skipped, every tag is read within a bounded window,
and the whole page is read at most once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .observations import Form, Meta, Resource

MAX_SCRIPTS = 200
MAX_ITEMS = 100  # of each other kind: a page with more says no more about itself
MAX_TAG = 4096  # a start tag longer than this is not read
MAX_VALUE = 2048  # longer attribute values are cut (a data: URL, an endless CSP)
_TAGS = "script|iframe|frame|link|object|embed|img|audio|video|source|form|input|meta"
_NEXT = re.compile(rf"<!--|</form(?=[\s>])|<({_TAGS})(?=[\s/>])", re.IGNORECASE)
_ATTR = re.compile(
    r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""",
)
# Which attribute of a tag names what it loads.
_LOADS = {
    "script": "src",
    "iframe": "src",
    "frame": "src",
    "object": "data",
    "embed": "src",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
}


@dataclass
class Page:
    """Everything the reader took from one page, in document order."""

    scripts: list[tuple[str, bool]] = field(default_factory=list)  # (src, has integrity=)
    plain_http: list[Resource] = field(default_factory=list)  # loaded from http:// URLs
    forms: list[Form] = field(default_factory=list)
    meta: list[Meta] = field(default_factory=list)


def read_page(page: str) -> Page:
    """The scripts, plain-HTTP loads, forms and <meta> declarations of ``page``."""
    out = Page()
    position = 0
    form: Form | None = None  # the open <form>, whose password fields are its own
    loose = False  # a password field outside every form
    while True:
        match = _NEXT.search(page, position)
        if match is None:
            break
        token = match.group(0).lower()
        if token == "<!--":
            end = page.find("-->", match.end())
            if end < 0:
                break  # an unclosed comment hides the rest of the page, as in a browser
            position = end + 3
            continue
        if token == "</form":
            _close(out, form)
            form = None
            position = match.end()
            continue
        end = page.find(">", match.end(), match.end() + MAX_TAG)
        if end < 0:
            position = match.end()
            continue
        position = end + 1
        tag = token[1:]
        attributes = _attributes(page[match.end() : end])
        if tag == "form":
            _close(out, form)
            form = Form(attributes.get("action", "").strip(), attributes.get("method", "get"))
        elif tag == "input":
            if attributes.get("type", "").strip().lower() == "password":
                if form is not None:
                    form = Form(form.action, form.method, password=True)
                else:
                    loose = True
        elif tag == "meta":
            _meta(out, attributes)
        else:
            _load(out, tag, attributes)
    _close(out, form)
    if loose and len(out.forms) < MAX_ITEMS:
        # A password field with no form is sent by script, to the page's own origin.
        out.forms.append(Form("", "", password=True))
    return out


def external_scripts(page: str) -> list[tuple[str, bool]]:
    """(src, has integrity=) of every <script src=...> on the page, in order."""
    return read_page(page).scripts


def _close(out: Page, form: Form | None) -> None:
    if form is not None and len(out.forms) < MAX_ITEMS:
        out.forms.append(form)


def _meta(out: Page, attributes: dict[str, str]) -> None:
    content = attributes.get("content", "")
    if "http-equiv" in attributes:
        kind, key = "http-equiv", attributes["http-equiv"]
    elif attributes.get("name", "").strip().lower() == "referrer":
        kind, key = "name", "referrer"
    else:
        return
    if len(out.meta) < MAX_ITEMS:
        out.meta.append(Meta(kind, key.strip().lower(), content.strip()))


def _load(out: Page, tag: str, attributes: dict[str, str]) -> None:
    if tag == "link":
        rel = attributes.get("rel", "").lower().split()
        if "stylesheet" not in rel:
            return
        url = attributes.get("href", "").strip()
    else:
        url = attributes.get(_LOADS[tag], "").strip()
    if tag == "script" and url and len(out.scripts) < MAX_SCRIPTS:
        out.scripts.append((url, bool(attributes.get("integrity"))))
    if url.lower().startswith("http:") and len(out.plain_http) < MAX_ITEMS:
        out.plain_http.append(Resource(tag, url))


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        values.setdefault(name, html.unescape(value[:MAX_VALUE]))
    return values
