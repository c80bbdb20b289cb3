"""What every page's frame needs to know about the signed-in person."""

from django.http import HttpRequest


def two_factor(request: HttpRequest) -> dict[str, bool]:
    """``two_factor_pending``: signed in, but every page but the two-factor step is closed until
    the second factor is given; the frame then shows no navigation that would lead nowhere.
    Decided once per request by ``accounts.middleware.TwoFactorRequiredMiddleware``."""
    return {"two_factor_pending": getattr(request, "two_factor_pending", False)}
