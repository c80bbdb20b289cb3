"""The API's exception handler: DRF's, plus the domain's refusals and concurrent collisions.

Views turn the refusals they expect into answers themselves; this is the net under them, so that
a refusal raised deeper down is still a 400 or 403 with its message, and a unique constraint lost
to a concurrent request is a 409 to send again, never a 500.
"""

import logging
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from rescue.errors import ActionForbiddenError, ActionRefusedError

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionForbiddenError):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ActionRefusedError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.warning("API request collided with a concurrent change", exc_info=exc)
        return Response(
            {"detail": _("This collided with a concurrent change. Please send it again.")},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)
