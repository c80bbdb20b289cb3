import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import auditor_create, current_code, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/standards/"
DETAIL = "Two-factor verification is required for this account."


def test_unverified_auditor_is_sent_to_two_factor_and_refused_by_the_api(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor')}?next=%2F"

    response = client.get("/catalogue/?component=training")
    assert response["Location"] == (
        f"{reverse('two_factor')}?next=%2Fcatalogue%2F%3Fcomponent%3Dtraining"
    )

    response = client.get(API_URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": DETAIL}


def test_two_factor_sends_to_setup_then_to_verify_keeping_next(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    response = client.get(reverse("two_factor"), {"next": "/catalogue/"})
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2Fcatalogue%2F"

    TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    response = client.get(reverse("two_factor"), {"next": "/catalogue/"})
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=%2Fcatalogue%2F"


def test_ordinary_user_is_never_redirected(client: Client) -> None:
    user = UserFactory()
    log_in(client, user.email)
    assert client.get("/").status_code == 200
    assert client.get(API_URL).status_code == 200
    # Two factors are optional for them, but the setup page works.
    assert client.get(reverse("two_factor_setup")).status_code == 200


def test_staff_users_must_use_two_factor(client: Client) -> None:
    staff = UserFactory(is_staff=True)
    log_in(client, staff.email)
    two_factor = reverse("two_factor")
    assert client.get("/").headers["Location"].startswith(f"{two_factor}?next=")
    assert client.get("/admin/").headers["Location"] == f"{two_factor}?next=%2Fadmin%2F"
    # The admin's own login page is namespaced ("admin:login"), so it is not exempt.
    assert client.get("/admin/login/").headers["Location"].startswith(two_factor)


def test_exempt_paths_and_unknown_paths_are_let_through(client: Client) -> None:
    auditor = auditor_create()
    log_in(client, auditor.email)
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert client.get("/static/css/app.css").status_code == 404  # not served by the tests
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/healthz").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_verified_auditor_reaches_pages_and_api(client: Client) -> None:
    auditor = auditor_create()
    device = TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    log_in(client, auditor.email)
    response = client.post(
        reverse("two_factor_verify"), {"token": current_code(device), "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(API_URL).status_code == 200


@pytest.mark.django_db
def test_a_user_who_chose_two_factor_is_asked_for_it(client: Client) -> None:
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
