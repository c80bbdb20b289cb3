from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.urls import reverse

from accounts.templatetags.accounts_tags import duration
from tests.accounts.helpers import log_in
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "auditor@example.org"


def _fail(client: Client, times: int, email: str = EMAIL) -> list[int]:
    data = {"username": email, "password": "wrong-password"}
    return [client.post(reverse("login"), data).status_code for _ in range(times)]


def test_five_failures_lock_the_account_for_this_address(client: Client) -> None:
    UserFactory(email=EMAIL)
    # The fifth failure already answers with the lockout page.
    assert _fail(client, 5) == [200, 200, 200, 200, 429]

    response = client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Too many failed attempts" in html
    assert "locked for this address" in html
    assert "Try again in 1 hour." in html
    assert reverse("password_reset") in html
    assert "_auth_user_id" not in client.session


def test_the_lockout_concerns_only_that_account(client: Client) -> None:
    UserFactory(email=EMAIL)
    other = UserFactory()
    _fail(client, 5)
    log_in(client, other.email)


def test_resetting_the_attempts_lets_the_user_log_in_again(client: Client) -> None:
    UserFactory(email=EMAIL)
    _fail(client, 5)
    assert AccessAttempt.objects.filter(username=EMAIL).exists()
    reset(username=EMAIL)
    response = client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"]


def test_a_successful_login_clears_earlier_failures(client: Client) -> None:
    UserFactory(email=EMAIL)
    _fail(client, 4)
    log_in(client, EMAIL)
    client.post(reverse("logout"))
    assert _fail(client, 4) == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("wait", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2, minutes=30), "2 hours 30 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=5), "1 minute"),
    ],
)
def test_duration_in_words(wait: timedelta, words: str) -> None:
    assert duration(wait) == words
