from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import OTPTokenForm
from accounts.permissions import two_factor_required
from accounts.selectors import totp_device_confirmed_exists
from accounts.services import (
    TwoFactorError,
    login_failures_reset,
    otp_token_verify,
    totp_device_confirm,
    totp_device_get_or_create_unconfirmed,
)
from rescue.http import AuthenticatedHttpRequest
from rescue.ratelimits import email_request_refusal


def _next_url(request: HttpRequest) -> str:
    """The page asked for before the two-factor step, if it is on this site; else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _redirect_keeping_next(request: HttpRequest, url_name: str) -> HttpResponseRedirect:
    url = reverse(url_name)
    if next_url := request.GET.get("next"):
        url = f"{url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(url)


def _refused_status(error: TwoFactorError) -> int:
    return 429 if error.throttled else 400


@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator first, or verify with the one already set up."""
    if totp_device_confirmed_exists(user=request.user):
        return _redirect_keeping_next(request, "two_factor_verify")
    return _redirect_keeping_next(request, "two_factor_setup")


def _setup_context(
    request: AuthenticatedHttpRequest, device: TOTPDevice, form: OTPTokenForm
) -> dict:
    secret = b32encode(device.bin_key).decode()
    # The SVG is generated here from our own device's URL: nothing user-supplied is in it.
    qr_svg = segno.make(device.config_url).svg_inline(scale=4, title=_("QR code for the app"))
    return {
        "form": form,
        "qr_svg": mark_safe(qr_svg),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
        "required": two_factor_required(request.user),
        "replacing": totp_device_confirmed_exists(user=request.user),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Scan the QR code, confirm with a code, receive backup codes once."""
    user = request.user
    if totp_device_confirmed_exists(user=user) and not user.is_verified():
        # Replacing an authenticator needs the current one first.
        return _redirect_keeping_next(request, "two_factor_verify")
    device = totp_device_get_or_create_unconfirmed(user=user)
    form = OTPTokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = totp_device_confirm(device=device, token=form.cleaned_data["token"])
            except TwoFactorError as error:
                form.add_error("token", error.message)
                status = _refused_status(error)
            else:
                otp_login(request, device)
                context = {"codes": codes, "next": _next_url(request)}
                return render(request, "accounts/two_factor_backup_codes.html", context)
    context = _setup_context(request, device, form)
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A code from the authenticator app, or one of the backup codes."""
    user = request.user
    if not totp_device_confirmed_exists(user=user):
        return _redirect_keeping_next(request, "two_factor_setup")
    if user.is_verified() and request.method == "GET":
        context = {"verified": True, "next": _next_url(request)}
        return render(request, "accounts/two_factor_verify.html", context)
    form = OTPTokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = otp_token_verify(user=user, token=form.cleaned_data["token"])
            except TwoFactorError as error:
                form.add_error("token", error.message)
                status = _refused_status(error)
            else:
                otp_login(request, device)
                return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with a limit on the e-mails one address or one client may ask for:
    past it, the form says so (429) and sends nothing."""

    email_template_name = "emails/password_reset_email.txt"
    subject_template_name = "emails/password_reset_subject.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        refusal = email_request_refusal(
            self.request, purpose="password-reset", address=form.cleaned_data["email"]
        )
        if refusal is not None:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a new password also lifts a login lockout on the account."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        login_failures_reset(user=form.user)
        return response
