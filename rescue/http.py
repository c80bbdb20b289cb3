"""Typed requests for the views that only signed-in people reach.

``login_required`` (pages) and ``IsAuthenticated`` (the API, the default permission) guarantee a
signed-in ``User``; Django and DRF type ``request.user`` as ``User | AnonymousUser`` because they
cannot know that.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from accounts.models import User

if TYPE_CHECKING:

    class OTPUser(User):
        """request.user as django_otp's OTPMiddleware leaves it."""

        class Meta:
            abstract = True

        def is_verified(self) -> bool: ...


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind ``login_required``."""

    user: "OTPUser"
    htmx: HtmxDetails


def api_user(request: Request) -> User:
    """The signed-in user of an API request (every API view requires one)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user
