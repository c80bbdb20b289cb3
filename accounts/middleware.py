"""Two-factor enforcement: for the accounts that must use it (auditors, ERNST admins, staff), and
for anyone who has chosen to set it up."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from accounts.permissions import two_factor_required
from accounts.selectors import totp_device_confirmed_exists

TWO_FACTOR_API_DETAIL = "Two-factor verification is required for this account."
HEALTH_CHECK_PATH = "/healthz"


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who must use two factors, and has not yet, to the two-factor step.

    Pages redirect to ``two_factor`` with ``?next=``; the API answers a JSON 403. The URL names in
    ``settings.TWO_FACTOR_EXEMPT_URL_NAMES`` (log in and out, the two-factor pages, password
    reset, invitations), static files and the health check are always let through, and so is a
    path that resolves to nothing, so that it ends in the usual 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending = self.must_verify(request)
        request.two_factor_pending = pending  # type: ignore[attr-defined]  # for the page frame
        if pending and not self._is_exempt(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def must_verify(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return False
        # Required for some accounts; anyone else who has set up an authenticator app has chosen
        # to be asked for it too.
        return two_factor_required(user) or totp_device_confirmed_exists(user=user)

    @staticmethod
    def _is_exempt(request: HttpRequest) -> bool:
        path = request.path_info
        if path == HEALTH_CHECK_PATH or path.startswith(settings.STATIC_URL or "/static/"):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True
        # view_name carries the namespace, so "admin:login" is not mistaken for "login".
        return match.view_name in settings.TWO_FACTOR_EXEMPT_URL_NAMES

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": TWO_FACTOR_API_DETAIL}, status=403)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('two_factor')}?{query}")
