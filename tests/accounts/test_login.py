import pytest
from axes.utils import reset
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_users_are_identified_by_a_normalised_email() -> None:
    user = User.objects.create_user(email="Coordinator@Example.ORG", password=PASSWORD)
    assert user.email == "coordinator@example.org"
    assert user.check_password(PASSWORD)
    with pytest.raises(ValueError, match="e-mail address is required"):
        User.objects.create_user(email="", password=PASSWORD)


def test_login_with_email_and_logout(client: Client) -> None:
    membership = MembershipFactory(user__email="coord@example.org")
    response = client.post(
        reverse("login"), {"username": "coord@example.org", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert membership.institution.name in html
    assert "Coordinator" in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client: Client) -> None:
    MembershipFactory(user__email="coord@example.org")
    response = client.post(reverse("login"), {"username": "coord@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_lists_only_my_institutions(client: Client) -> None:
    mine = MembershipFactory()
    other = MembershipFactory()
    client.force_login(mine.user)
    html = client.get(reverse("home")).content.decode()
    assert mine.institution.name in html
    assert other.institution.name not in html


def test_login_ignores_the_case_of_the_email_and_lockout_counts_one_account(
    client: Client,
) -> None:
    MembershipFactory(user__email="coord@example.org")
    for variant in (
        "Coord@Example.org",
        "COORD@EXAMPLE.ORG",
        "coord@example.ORG",
        "Coord@example.org",
        "cOord@example.org",
    ):
        client.post(reverse("login"), {"username": variant, "password": "wrong"})
    # Five failures in five spellings are five failures of one account: it is locked.
    response = client.post(
        reverse("login"), {"username": "coord@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    reset()
    response = client.post(
        reverse("login"), {"username": "Coord@Example.ORG", "password": PASSWORD}
    )
    assert response.status_code == 302
