"""PDF rendering: Django templates to PDF with WeasyPrint, fetching nothing but the project's own static files.

Notices and licences carry applicant text. Django's autoescape keeps it text, and the URL fetcher keeps a
crafted `<img src="file:///etc/passwd">` or a URL on the network from ever being read, should markup get
through some other way.
"""

import base64
import io
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.translation import override
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative and root-relative URLs in the HTML resolve against this origin. `.invalid` never resolves
# (RFC 2606), so nothing built on it can reach the network even if a check below were wrong.
PDF_BASE_URL = "https://portal.invalid/"
# Where `make run` serves the portal; deployments set PORTAL_BASE_URL.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000/"


class PDFResourceRefused(ValueError):
    """A PDF asked for a resource outside the project's static files; WeasyPrint skips it with a warning."""


def _static_url_prefix() -> str:
    static_url = settings.STATIC_URL or "/static/"
    return urljoin(PDF_BASE_URL, static_url)


def static_file_for_url(url: str) -> Path:
    """The file of the project's static files that `url` names, or PDFResourceRefused."""
    prefix = _static_url_prefix()
    parts = urlsplit(url)
    # Compare without query and fragment (`?v=2`, `#font`), which name no other file.
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if not bare.startswith(prefix):
        raise PDFResourceRefused(f"not a static file of the project: {url}")
    relative = unquote(bare[len(prefix):])
    if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise PDFResourceRefused(f"not a static file of the project: {url}")
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation as exc:
        raise PDFResourceRefused(f"not a static file of the project: {url}") from exc
    if isinstance(found, list):  # find(..., find_all=True) only; narrowed for the type checker
        found = found[0] if found else None
    if found:
        return Path(found)
    # Hashed names (ManifestStaticFilesStorage) exist only in STATIC_ROOT, after collectstatic.
    if settings.STATIC_ROOT:
        try:
            collected = Path(safe_join(str(settings.STATIC_ROOT), relative))
        except SuspiciousFileOperation as exc:
            raise PDFResourceRefused(f"not a static file of the project: {url}") from exc
        if collected.is_file():
            return collected
    raise PDFResourceRefused(f"static file not found: {url}")


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `data:` URIs and the project's static files; refuses everything else (file://, http(s)://)."""

    def __init__(self, **kwargs: Any) -> None:
        # Whatever reaches the parent's opener must be a data: URI.
        super().__init__(allowed_protocols=("data",), allow_redirects=False, **kwargs)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file_for_url(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"  # the project's stylesheets are UTF-8 (page footer in Chinese)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template to HTML and the HTML to a PDF document.

    Rendered in the site's language: these are official documents, whoever's request or task renders them.
    """
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
        document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher())
        return document.write_pdf()


def public_url(path: str) -> str:
    """The absolute address of a page of the portal, for documents read away from it (QR codes on paper).

    PORTAL_BASE_URL is the address the public reaches the portal at; tasks have no request to ask.
    """
    base = getattr(settings, "PORTAL_BASE_URL", "") or DEFAULT_PUBLIC_BASE_URL
    return urljoin(base if base.endswith("/") else f"{base}/", path)


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as an SVG `data:` URI for an `<img>` (error correction M, as on printed notices)."""
    qr = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    # The standard four-module quiet zone, on white: phones read it off paper whatever lies around it.
    qr.save(buffer, kind="svg", scale=4, border=4, dark="#000", light="#fff", xmldecl=False)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
