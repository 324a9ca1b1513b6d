"""PDF through WeasyPrint (the optional ``pdf`` extra), from the same HTML page.

WeasyPrint is imported here only, and only when a PDF is asked for, so vetscan
works without it. The page references nothing outside itself; the URL fetcher
refuses every fetch anyway, so a report can never make the PDF step go online.
"""

from __future__ import annotations

from typing import Any

from scanner.errors import EnvironmentUnusable
from scanner.render.html import render_html


class PdfUnavailable(EnvironmentUnusable):
    pass


def _refuse(url: str, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"report tried to load {url!r}; reports are self-contained")


def pdf_available() -> bool:
    try:
        import weasyprint  # type: ignore[import-untyped, unused-ignore]  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(document: dict[str, Any]) -> bytes:
    try:
        import weasyprint  # type: ignore[import-untyped, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(
            f"PDF output needs WeasyPrint: pip install 'vetscan[pdf]' ({exc})"
        ) from None
    html = weasyprint.HTML(string=render_html(document), url_fetcher=_refuse)
    pdf: bytes = html.write_pdf()
    return pdf
