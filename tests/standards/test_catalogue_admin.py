import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from demo.services import demo_seed
from standards.models import CatalogueVersion
from tests.factories import CatalogueVersionFactory
from tests.world import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    demo_seed()
    verified_login(client, User.objects.get(email="admin@rescue.example"))
    return client


def test_admin_can_retire_a_version_but_not_edit_its_content(
    admin_client: Client, catalogue: None
) -> None:
    version = CatalogueVersion.objects.get(component="training")
    url = f"/admin/standards/catalogueversion/{version.pk}/change/"
    response = admin_client.post(url, {"status": "retired", "name": "Renamed"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "retired"
    assert version.name != "Renamed"


def test_admin_activating_a_version_retires_the_active_one(
    admin_client: Client, catalogue: None
) -> None:
    active = CatalogueVersion.objects.get(component="training")
    draft = CatalogueVersionFactory(component="training", status="draft")
    url = f"/admin/standards/catalogueversion/{draft.pk}/change/"
    response = admin_client.post(url, {"status": "active"}, follow=True)
    assert response.status_code == 200
    assert f"{active} was retired" in response.content.decode()
    draft.refresh_from_db()
    active.refresh_from_db()
    assert draft.status == "active"
    assert active.status == "retired"


def test_the_database_keeps_one_active_version_per_component(catalogue: None) -> None:
    second = CatalogueVersionFactory.build(component="training", status="active")
    with pytest.raises(ValidationError, match="Another version of this component is active"):
        second.full_clean()


def test_admin_cannot_add_or_delete_catalogue_content(
    admin_client: Client, catalogue: None
) -> None:
    version = CatalogueVersion.objects.get(component="training")
    assert admin_client.get("/admin/standards/catalogueversion/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/standards/catalogueversion/{version.pk}/delete/").status_code
        == 403
    )
    assert CatalogueVersion.objects.filter(pk=version.pk).exists()
