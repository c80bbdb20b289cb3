"""HTML templates to PDF with WeasyPrint, with no network access.

Templates live in ``templates/pdf/``; they reference the project's static files with
``{% static %}`` (e.g. the print stylesheet and fonts). The URL fetcher given to WeasyPrint
serves those static files, and media files under a prefix the caller allows, and refuses every
other URL: http(s), file:, data:, anything. A refused resource is left out of the document and
logged; the rendering goes on.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered against this origin; it never resolves (RFC 2606).
BASE_URL = "https://report.invalid/"
MEDIA_PREFIX = "media/"


class ResourceRefusedError(ValueError):
    """A URL outside the project's static and allowed media files."""


class ProjectFilesFetcher(URLFetcher):
    """Serves ``/static/…`` and allowed ``/media/…`` paths of ``BASE_URL``; refuses the rest."""

    def __init__(self, *, media_prefixes: tuple[str, ...] = ()) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.media_prefixes = media_prefixes
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = url.split("#", 1)[0].split("?", 1)[0]
        if not path.startswith(BASE_URL):
            return self._refuse(url)
        relative = path[len(BASE_URL) :]
        if ".." in relative.split("/"):
            return self._refuse(url)
        static_prefix = settings.STATIC_URL.lstrip("/")
        if relative.startswith(static_prefix):
            body = self._static(relative[len(static_prefix) :])
        elif relative.startswith(MEDIA_PREFIX) and relative[len(MEDIA_PREFIX) :].startswith(
            self.media_prefixes or ("\0",)
        ):
            body = self._media(relative[len(MEDIA_PREFIX) :])
        else:
            return self._refuse(url)
        if body is None:
            return self._refuse(url)
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _refuse(self, url: str) -> URLFetcherResponse:
        self.refused.append(url)
        logger.warning("PDF rendering: refused to fetch %s", url[:200])
        raise ResourceRefusedError(f"not a project file: {url[:200]}")

    @staticmethod
    def _static(name: str) -> bytes | None:
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:  # noqa: PTH123 - a path from the static finders
                return handle.read()
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
        return None

    @staticmethod
    def _media(name: str) -> bytes | None:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name) as handle:
            return handle.read()


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int
    refused_urls: list[str] = field(default_factory=list)


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    language: str = "en",
    media_prefixes: tuple[str, ...] = (),
) -> RenderedPdf:
    """Render ``template`` in ``language`` and lay it out as a PDF (no network access)."""
    with translation.override(language):
        html = render_to_string(template, context | {"language": language})
    return html_to_pdf(html, media_prefixes=media_prefixes)


def html_to_pdf(html: str, *, media_prefixes: tuple[str, ...] = ()) -> RenderedPdf:
    fetcher = ProjectFilesFetcher(media_prefixes=media_prefixes)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    content = document.write_pdf()
    return RenderedPdf(content, len(document.pages), fetcher.refused)
