"""Limits on the e-mails that anyone can make the platform send (password reset, invitations).

Counted in the ``ratelimit`` cache by django-ratelimit, per address the e-mail goes to and per
client address that asks, over a fixed window. Every request counts, including a refused one, so
that a flood stays refused. The login lockout (django-axes) is separate and unchanged.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


def email_request_refusal(request: HttpRequest, *, purpose: str, address: str) -> str | None:
    """Count a request to send a ``purpose`` e-mail to ``address``; the message to show when
    this address, or this client, has asked too often, else None."""
    address = address.strip().lower()
    too_many_for_address = is_ratelimited(
        request,
        group=f"email:{purpose}:address",
        key=lambda group, request: address,
        rate=settings.EMAIL_RATE_PER_ADDRESS,
        increment=True,
    )
    too_many_from_client = is_ratelimited(
        request,
        group=f"email:{purpose}:client",
        key="ip",
        rate=settings.EMAIL_RATE_PER_CLIENT,
        increment=True,
    )
    if too_many_for_address:
        return _("Too many e-mails have been asked for this address. Wait an hour and try again.")
    if too_many_from_client:
        return _(
            "Too many e-mails have been asked from your connection. Wait an hour and try again."
        )
    return None
