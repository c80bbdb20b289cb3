import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import totp_device_confirm, totp_device_get_or_create_unconfirmed
from tests.accounts.helpers import auditor_create, current_code, log_in, wrong_code

pytestmark = pytest.mark.django_db

VERIFY_URL = "/accounts/two-factor/verify/"


@pytest.fixture
def auditor_with_codes() -> tuple:
    auditor = auditor_create()
    device = totp_device_get_or_create_unconfirmed(user=auditor)
    codes = totp_device_confirm(device=device, token=current_code(device))
    return auditor, codes


def test_verify_with_the_app_code_goes_to_next(client: Client) -> None:
    auditor = auditor_create()
    device = TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    assert reverse("two_factor_verify") == VERIFY_URL
    response = client.get(VERIFY_URL, {"next": "/catalogue/"})
    assert response.status_code == 200
    assert 'name="next" value="/catalogue/"' in response.content.decode()

    response = client.post(VERIFY_URL, {"token": current_code(device), "next": "/catalogue/"})
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/"
    assert client.get("/").status_code == 200
    # Once verified, the verify page only offers to move on.
    response = client.get(VERIFY_URL, {"next": "/catalogue/"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already verified" in html
    assert 'href="/catalogue/"' in html
    assert 'name="token"' not in html


def test_verify_ignores_a_next_on_another_site(client: Client) -> None:
    auditor = auditor_create()
    device = TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    response = client.post(
        VERIFY_URL, {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_verify_with_a_wrong_code_is_refused(client: Client) -> None:
    auditor = auditor_create()
    device = TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    response = client.post(VERIFY_URL, {"token": wrong_code(device)})
    assert response.status_code == 400
    assert "That code is not valid." in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/").status_code == 302


def test_verify_is_throttled_after_repeated_wrong_codes(client: Client) -> None:
    auditor = auditor_create()
    device = TOTPDevice.objects.create(
        user=auditor,
        name="Authenticator app",
        confirmed=True,
        throttling_failure_count=5,
        throttling_failure_timestamp=timezone.now(),
    )
    log_in(client, auditor.email)
    # Even the right code is not tried while django-otp's back-off (16 s here) runs.
    response = client.post(VERIFY_URL, {"token": current_code(device)})
    assert response.status_code == 429
    assert "Too many wrong codes. Wait 1" in response.content.decode()
    assert client.get("/").status_code == 302


def test_backup_code_works_once_only(client: Client, auditor_with_codes: tuple) -> None:
    auditor, codes = auditor_with_codes
    log_in(client, auditor.email)
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    response = client.post(VERIFY_URL, {"token": typed, "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=auditor).count() == 9

    client.post(reverse("logout"))
    log_in(client, auditor.email)
    response = client.post(VERIFY_URL, {"token": codes[0]})
    assert response.status_code == 400
    assert "That backup code is not valid or has already been used." in (response.content.decode())
    assert client.get("/").status_code == 302


def test_verify_without_an_authenticator_goes_to_setup(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    response = client.get(VERIFY_URL, {"next": "/"})
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2F"


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    for name in ("two_factor", "two_factor_setup", "two_factor_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
