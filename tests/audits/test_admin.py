"""The Django admin shows audits, their history, evidence and reports, and changes none of
them: they change through their services, which check the rules, keep the seal and write the
history."""

import pytest
from django.test import Client

from accounts.models import User
from audits.models import Audit, AuditEvent
from evidence.models import EvidenceFile
from tests.evidence.support import snapshot
from tests.world import World, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["ernst_admin", "superuser"])
def admin_client(request: pytest.FixtureRequest, world: World) -> Client:
    if request.param == "superuser":
        user = User.objects.create_superuser(email="root@example.org", password=None)
    else:
        user = world.users["admin"]
    client = Client()
    verified_login(client, user)
    return client


def urls(world: World) -> dict[str, str]:
    event = AuditEvent.unscoped.filter(audit=world.audit_a).first()
    return {
        "audit": f"/admin/audits/audit/{world.audit_a.pk}/",
        "event": f"/admin/audits/auditevent/{event.pk}/",
        "evidence": f"/admin/evidence/evidencefile/{world.evidence_a.pk}/",
        "report": f"/admin/reports/report/{world.report_a.pk}/",
    }


@pytest.mark.parametrize("kind", ["audit", "event", "evidence", "report"])
def test_the_admin_shows_the_records_of_every_institution(
    admin_client: Client, world: World, kind: str
) -> None:
    url = urls(world)[kind]
    listing = admin_client.get(url.rsplit("/", 2)[0] + "/")
    assert listing.status_code == 200
    page = admin_client.get(url + "change/")
    assert page.status_code == 200
    assert b'type="submit"' not in page.content.split(b'id="content-main"')[1].split(b"</form>")[0]


def test_the_evidence_admin_links_no_stored_file(admin_client: Client, world: World) -> None:
    page = admin_client.get(urls(world)["evidence"] + "change/").content.decode()
    assert world.evidence_a.current_revision.sha256 in page  # the revision is shown …
    assert world.evidence_a.current_revision.file.name not in page  # … not where it is stored


@pytest.mark.parametrize("kind", ["audit", "event", "evidence", "report"])
def test_the_admin_neither_edits_adds_nor_deletes(
    admin_client: Client, world: World, kind: str
) -> None:
    url = urls(world)[kind]
    before = snapshot()
    audit_before = list(Audit.unscoped.order_by("pk").values())
    forged = {"institution": world.institution_b.pk, "status": "submitted", "audit": ""}
    assert admin_client.post(url + "change/", forged).status_code == 403
    assert admin_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(url.rsplit("/", 2)[0] + "/add/").status_code == 403
    assert snapshot() == before
    assert list(Audit.unscoped.order_by("pk").values()) == audit_before
    assert EvidenceFile.unscoped.filter(pk=world.evidence_a.pk, deleted_at__isnull=True).exists()
