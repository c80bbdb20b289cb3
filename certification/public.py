"""The public pages: the register of certificates and the verification of one. No sign-in.

- ``/register/``: the certificates in force, searched and filtered, 25 a page; each number
  links to its verification page by number (``/register/<number>/``), so the register never
  shows a verification code;
- ``/verify/<code>/``: where the QR code on a certificate leads;
- ``/register/<number>/``: the same verification, by number.

What every public read shares, the API's too (certification/api.py):

- **a rate**: every read counts against one budget per client (the signed-in user, else the
  address) in the ``ratelimit`` cache, ``CERTIFICATE_PUBLIC_RATE`` (default 60 a minute); past
  it, a 429 that says to wait, with ``Retry-After``;
- **caching**: an anonymous visitor's answer is the same for everyone, so shared caches may keep
  it five minutes (``Cache-Control: public, max-age=300``, ``Vary: Cookie``). A signed-in
  person's page carries their e-mail address in the frame and stays private. An anonymous page
  is drawn without the CSRF token (it has no form that posts) and without flash messages, so
  that nothing of one visitor is cached for the next.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_ratelimit.core import get_usage
from rest_framework.request import Request

from certification.filters import RegisterListFilter
from certification.selectors import (
    PublicCertificate,
    certificate_by_code,
    certificate_by_number,
    public_certificate,
    register_list,
)
from rescue.lists import list_page

RATE_GROUP = "certification:public"
DEFAULT_RATE = "60/m"
CACHE_SECONDS = 300


def _rate(group: str, request: HttpRequest | Request) -> str:
    return str(getattr(settings, "CERTIFICATE_PUBLIC_RATE", DEFAULT_RATE))


def _client(request: HttpRequest | Request) -> Any:
    """Whose budget a read counts on: the signed-in user's, else the client address's; a
    request that comes with no address (a Unix socket without RATELIMIT_IP_META_KEY) counts
    on one budget shared by all such requests."""
    if (
        request.user.is_authenticated
        or getattr(settings, "RATELIMIT_IP_META_KEY", None)
        or request.META.get("REMOTE_ADDR")
    ):
        return "user_or_ip"
    return lambda group, request: "no-address"


def public_rate_wait(request: HttpRequest | Request) -> int | None:
    """Count this public read; the seconds to wait when the client has read too much, else
    None."""
    usage = get_usage(request, group=RATE_GROUP, key=_client(request), rate=_rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(int(usage["time_left"]), 1)


def public_rate_refusal() -> str:
    return _("Too many requests from your connection. Wait a minute and try again.")


def public_cache(request: HttpRequest | Request, response: HttpResponse) -> HttpResponse:
    """The caching headers of a public answer (see the module's docstring)."""
    patch_vary_headers(response, ("Cookie",))
    if response.status_code == 429:
        patch_cache_control(response, no_store=True)
    elif response.status_code == 200 and not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True)
    return response


def _frame(request: HttpRequest) -> dict[str, str]:
    """What the page frame (base.html) is given: for an anonymous visitor, no CSRF token, which
    would be theirs and set their cookie in an answer shared caches keep."""
    return {} if request.user.is_authenticated else {"csrf_token": ""}


def _refused(request: HttpRequest, template: str, wait: int) -> HttpResponse:
    response = render(
        request, template, {"refusal": public_rate_refusal(), **_frame(request)}, status=429
    )
    response["Retry-After"] = str(wait)
    return public_cache(request, response)


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    template = "certification/register.html"
    wait = public_rate_wait(request)
    if wait is not None:
        return _refused(request, template, wait)
    listing = list_page(request, RegisterListFilter(request.GET, queryset=register_list()))
    rows = [public_certificate(certificate) for certificate in listing.page.object_list]
    context = {"list": listing, "rows": rows, **_frame(request)}
    return public_cache(request, render(request, template, context, status=listing.status))


def _verification(
    request: HttpRequest, find: Callable[[], PublicCertificate | None]
) -> HttpResponse:
    template = "certification/verify.html"
    wait = public_rate_wait(request)
    if wait is not None:
        return _refused(request, template, wait)
    certificate = find()
    if certificate is None:
        raise Http404(_("No such certificate."))
    context = {"certificate": certificate, **_frame(request)}
    return public_cache(request, render(request, template, context))


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    return _verification(request, lambda: certificate_by_code(code))


@require_safe
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    return _verification(request, lambda: certificate_by_number(number))
