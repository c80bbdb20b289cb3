"""What every page's frame needs to know about the signed-in person."""

from django.http import HttpRequest

from accounts.permissions import is_auditor


def two_factor(request: HttpRequest) -> dict[str, bool]:
    """``two_factor_pending``: signed in, but every page but the two-factor step is closed until
    the second factor is given; the frame then shows no navigation that would lead nowhere.
    Decided once per request by ``accounts.middleware.TwoFactorRequiredMiddleware``."""
    return {"two_factor_pending": getattr(request, "two_factor_pending", False)}


def platform_roles(request: HttpRequest) -> dict[str, bool]:
    """``reviews_auditor``: the person is in the auditor pool (the navigation shows My reviews).
    A capability, not a group name."""
    user = getattr(request, "user", None)
    return {
        "reviews_auditor": bool(user and user.is_authenticated and is_auditor(user)),
    }
