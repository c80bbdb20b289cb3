"""Streaming uploads: every file goes to a temporary file on disk chunk by chunk, its SHA-256 is
computed on the way, and a file over the size limit is dropped as soon as it passes the limit.

Memory stays bounded by the chunk size whatever the file size. Refused files are listed on
``request.upload_refusals`` as ``(filename, reason)`` so the view can name them.
"""

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat


class HashingUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        limit = settings.EVIDENCE_MAX_FILE_SIZE
        if self.received > limit:
            refusals = getattr(self.request, "upload_refusals", [])
            refusals.append((self.file_name, f"it is larger than {filesizeformat(limit)}"))
            setattr(self.request, "upload_refusals", refusals)  # noqa: B010 - read by the views
            raise SkipFile
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.sha256 = self.hasher.hexdigest()  # type: ignore[attr-defined]  # ours
        return uploaded


def upload_refusals(request: Any) -> list[str]:
    """The files the handler dropped while the request's body was parsed, each with why (read it
    after touching ``request.FILES``). A one-step answer with files (to an evidence request, a
    corrective action done) is refused as a whole when one was dropped, rather than sent
    without it."""
    return [f"{name}: {reason}." for name, reason in getattr(request, "upload_refusals", [])]
