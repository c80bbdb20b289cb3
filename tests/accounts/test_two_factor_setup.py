import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import auditor_create, current_code, log_in, wrong_code

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/setup/"
INVALID = "That code is not valid. Check your authenticator app&#x27;s clock and try again."


def test_setup_shows_a_qr_code_and_the_key_for_one_pending_device(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    assert reverse("two_factor_setup") == SETUP_URL

    response = client.get(SETUP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=auditor)
    assert device.name == "Authenticator app"
    assert not device.confirmed
    assert "<svg" in html
    assert 'class="qr"' in html
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert response.context["secret"] in html
    assert 'autocomplete="one-time-code"' in html
    assert "<script" not in html.split("</head>")[1]
    assert "style=" not in html

    client.get(SETUP_URL)
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


def test_setup_with_a_valid_code_confirms_and_shows_backup_codes_once(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=auditor)

    response = client.post(SETUP_URL, {"token": current_code(device), "next": "/catalogue/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    tokens = set(
        StaticToken.objects.filter(device__user=auditor, device__name="Backup codes").values_list(
            "token", flat=True
        )
    )
    assert len(tokens) == 10
    html = response.content.decode()
    shown = set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html))
    assert shown == tokens
    assert 'href="/catalogue/"' in html

    # The session is verified: the pages open, and the codes are not shown again.
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/standards/").status_code == 200
    assert not any(token in client.get(SETUP_URL).content.decode() for token in tokens)


def test_setup_with_a_wrong_code_is_refused_and_stays_unconfirmed(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=auditor)

    response = client.post(SETUP_URL, {"token": wrong_code(device)})
    assert response.status_code == 400
    html = response.content.decode()
    assert INVALID in html
    assert 'aria-invalid="true"' in html
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=auditor).exists()
    assert client.get("/").status_code == 302


def test_setup_with_an_empty_code_is_refused(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    response = client.post(SETUP_URL, {"token": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_unverified_user_with_an_authenticator_cannot_set_up_another(client: Client) -> None:
    auditor = auditor_create()
    TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    response = client.get(SETUP_URL, {"next": "/catalogue/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=%2Fcatalogue%2F"
    response = client.post(SETUP_URL, {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


def test_verified_user_can_replace_the_authenticator(client: Client) -> None:
    auditor = auditor_create()
    old = TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    client.post(reverse("two_factor_verify"), {"token": current_code(old)})

    response = client.get(SETUP_URL)
    assert "replaces your current one" in response.content.decode()
    new = TOTPDevice.objects.get(user=auditor, confirmed=False)
    response = client.post(SETUP_URL, {"token": current_code(new)})
    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=auditor)) == [new]
    assert StaticToken.objects.filter(device__user=auditor).count() == 10
