from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD


def auditor_create(**kwargs: object) -> User:
    """A user holding the auditor capability, who therefore must use two factors."""
    user = UserFactory(**kwargs)
    permission = Permission.objects.get(
        content_type__app_label="accounts", codename="act_as_auditor"
    )
    user.user_permissions.add(permission)
    return user


def log_in(client: Client, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as django-axes only watches real requests."""
    response = client.post(reverse("login"), {"username": email, "password": password})
    assert response.status_code == 302, response.content.decode()


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"
