"""PDF through WeasyPrint (the optional ``pdf`` extra), from the same HTML page.

WeasyPrint is imported here only, and only when a PDF is asked for, so vetscan
works without it. The page references nothing outside itself; the URL fetcher
refuses every fetch anyway, so a report can never make the PDF step go online.
"""

from __future__ import annotations

from typing import Any

from scanner.document.integrity import JSON_NAME, SIGNATURE_NAME
from scanner.errors import EnvironmentUnusable
from scanner.render.html import render_html
from scanner.render.json import render_json

# Tagged for screen readers: PDF/UA-1 as WeasyPrint writes it (structure tree, the
# document's language and title shown), the closest to accessible it offers.
PDF_VARIANT = "pdf/ua-1"


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


def html_to_pdf(html: str) -> bytes:
    """A self-contained page as PDF (the comparison report)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            f"PDF output needs WeasyPrint: pip install 'vetscan[pdf]' ({exc})"
        ) from None
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    return pdf


def render_pdf(document: dict[str, Any], signature: str | None = None) -> bytes:
    """The report as a PDF that carries its evidence: the canonical JSON (and its
    signature, when signed) as attached files, so `vetscan verify REPORT.pdf` checks
    the one file a due-diligence folder keeps."""
    return pdf_with_evidence(render_html(document), render_json(document), signature)


def pdf_with_evidence(page: str, json_text: str, signature: str | None = None) -> bytes:
    """``page`` as PDF with ``json_text`` (and ``signature``) attached under the names
    `vetscan verify` reads: a scan's report and a comparison alike."""
    try:
        import weasyprint  # type: ignore[import-untyped, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(
            f"PDF output needs WeasyPrint: pip install 'vetscan[pdf]' ({exc})"
        ) from None
    html = weasyprint.HTML(string=page, url_fetcher=_refuse)
    attachments = [
        weasyprint.Attachment(
            string=json_text,
            name=JSON_NAME,
            description="The canonical JSON document of this report (vetscan verify checks it)",
            relationship="Source",
            url_fetcher=_refuse,
        )
    ]
    if signature is not None:
        attachments.append(
            weasyprint.Attachment(
                string=signature,
                name=SIGNATURE_NAME,
                description="Ed25519 signature of the JSON (vetscan verify --pubkey)",
                relationship="Supplement",
                url_fetcher=_refuse,
            )
        )
    pdf: bytes = html.write_pdf(attachments=attachments, pdf_variant=PDF_VARIANT)
    return pdf
