import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import log_in
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_login_page_links_to_password_reset(client: Client) -> None:
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html
    assert "Forgot your password?" in html
    assert client.get(reverse("password_reset")).status_code == 200


def test_password_reset_by_email_sets_a_new_password(client: Client) -> None:
    user = UserFactory(email="coord@example.org")
    link = _reset_link(client, user.email)
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "Reset your RESCUE Audit password"

    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    log_in(client, user.email, NEW_PASSWORD)

    # The link works once.
    client.post(reverse("logout"))
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_weak_new_password_is_refused(client: Client) -> None:
    user = UserFactory()
    form_url = client.get(_reset_link(client, user.email), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()


def test_unknown_address_shows_the_same_page_and_sends_nothing(client: Client) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_invalid_link_explains_and_offers_a_new_one(client: Client) -> None:
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This link no longer works" in html
    assert f'href="{reverse("password_reset")}"' in html


def test_new_password_lifts_a_lockout(client: Client) -> None:
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429

    form_url = client.get(_reset_link(client, user.email), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    log_in(client, user.email, NEW_PASSWORD)


def test_reset_emails_to_one_address_are_limited(client: Client) -> None:
    user = UserFactory(email="coord@example.org")
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": user.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 3

    response = client.post(reverse("password_reset"), {"email": "COORD@example.org"})
    assert response.status_code == 429
    assert "Too many e-mails have been asked for this address" in response.content.decode()
    assert len(mail.outbox) == 3  # nothing more sent


def test_an_unknown_address_is_limited_the_same_way(client: Client) -> None:
    """The limit must not tell which addresses have accounts."""
    for _ in range(3):
        assert (
            client.post(reverse("password_reset"), {"email": "nobody@example.org"}).status_code
            == 302
        )
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 429
    assert mail.outbox == []


def test_reset_emails_asked_from_one_client_are_limited(client: Client, settings) -> None:
    settings.EMAIL_RATE_PER_CLIENT = "4/h"
    users = [UserFactory(email=f"person-{n}@example.org") for n in range(5)]
    for user in users[:4]:
        assert client.post(reverse("password_reset"), {"email": user.email}).status_code == 302
    response = client.post(reverse("password_reset"), {"email": users[4].email})
    assert response.status_code == 429
    assert "from your connection" in response.content.decode()
    assert len(mail.outbox) == 4

    other = Client(REMOTE_ADDR="192.0.2.10")  # another client is not held back
    assert other.post(reverse("password_reset"), {"email": users[4].email}).status_code == 302
    assert len(mail.outbox) == 5
