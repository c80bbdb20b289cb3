"""Private files (evidence, reports): opened from the storage, served as attachments.

Files are never on a public URL: a view checks the permission, then streams the file with
``private_attachment``. A file the storage lost (the row is there, the object is not) raises
``StoredFileMissingError`` so the view can answer 404 with the reason instead of a 500.
"""

import logging

from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

try:  # S3 storage through django-storages: a missing object is a ClientError with a 404 code
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - local disk only
    ClientError = None

logger = logging.getLogger(__name__)

MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class StoredFileMissingError(Exception):
    """The storage has no object for this file any more."""


def _is_missing(exc: Exception) -> bool:
    if isinstance(exc, FileNotFoundError):
        return True
    if ClientError is not None and isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in MISSING_CODES
    return False


def stored_file_open(field_file: FieldFile, *, label: str) -> File:
    """The file open for reading; ``StoredFileMissingError`` (logged) if the storage lost it.
    Any other storage error is raised as it is."""
    try:
        return field_file.open("rb")
    except Exception as exc:
        if not _is_missing(exc):
            raise
        logger.error(  # noqa: TRY400 - the missing file is the news, not the traceback
            "%s: its file %s is missing from the storage", label, field_file.name
        )
        raise StoredFileMissingError(field_file.name) from exc


def private_attachment(handle: File, *, filename: str, content_type: str) -> FileResponse:
    """Stream a file the user was allowed to see: as a download, never rendered by the browser,
    never cached."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Types a browser shows by itself, and the policy each is shown under. An image document is fully
# sandboxed. Chromium refuses to start its PDF viewer in a sandboxed document (no sandbox token
# re-enables it), so a PDF gets every other restriction: nothing loads but the viewer itself
# (object-src 'self'), it cannot be framed elsewhere, submit forms or change its base. The type
# was detected from the content at upload, and nosniff holds the browser to it.
INLINE_POLICIES = {
    "image/png": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "image/jpeg": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "application/pdf": (
        "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
    ),
}


def private_inline(handle: File, *, filename: str, content_type: str) -> FileResponse:
    """Stream a file the user was allowed to see for the browser to show (a PDF or an image),
    under the content security policy of its type; never cached."""
    policy = INLINE_POLICIES[content_type]
    response = FileResponse(
        handle, as_attachment=False, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = policy
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
