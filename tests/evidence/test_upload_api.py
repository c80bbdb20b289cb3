"""Evidence over the API: ``GET/POST /api/v1/audits/<id>/evidence/`` (multipart for uploads).

The same files are refused for the same reasons as on the page, a refusal changes nothing, and
the list holds exactly the files the user may see.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.response import Response

from evidence import inspection
from evidence.models import EvidenceFile
from evidence.services import CONFIDENTIALITY_REQUIRED
from tests.evidence import samples
from tests.evidence.support import (
    BAD_FILES,
    ONE_KB,
    PERSONAL_TEXT,
    BadFile,
    api_url,
    new_files,
    rate,
    seal,
    sha256,
    snapshot,
    store,
    upload,
)
from tests.world import World

pytestmark = pytest.mark.django_db


def refusal(name: str, reason: str) -> dict[str, str]:
    """A refused file as the API and the page's JSON name it."""
    return {"name": name, "reason": reason}


def api_post(
    world: World,
    files: list[SimpleUploadedFile],
    *,
    role: str = "coordinator_a",
    codes: list[str] | None = None,
    confirmed: bool = True,
    effective_date: str | None = None,
) -> Response:
    data: dict[str, Any] = {
        "files": files,
        "standards": codes if codes is not None else [world.standard.code],
    }
    if confirmed:
        data["confirmed_no_personal_data"] = "true"
    if effective_date is not None:
        data["effective_date"] = effective_date
    return world.client(role).post(api_url(world), data)


def summary(evidence: EvidenceFile) -> dict[str, Any]:
    revision = evidence.current_revision
    return {
        "id": evidence.pk,
        "name": revision.original_name,
        "size": revision.size,
        "sha256": revision.sha256,
        "revision": revision.number,
        "flagged": revision.is_flagged,
        "effective_date": evidence.effective_date.isoformat() if evidence.effective_date else None,
        "to_confirm": False,
    }


# --- Uploading ------------------------------------------------------------------------------------


def test_api_upload_stores_the_files_and_answers_201(world: World) -> None:
    rate(world)
    assessments_before = snapshot()["assessments"]
    pdf, xlsx, png = samples.pdf_bytes(), samples.xlsx_bytes(), samples.png_bytes()

    response = api_post(
        world,
        [upload("Policy.pdf", pdf), upload("Rota.xlsx", xlsx), upload("Poster.png", png)],
        effective_date="2025-03-14",
    )

    assert response.status_code == 201
    created = new_files(world)
    assert response.json() == {"uploaded": [summary(f) for f in created], "refused": []}
    assert [(f.current_revision.original_name, f.current_revision.sha256) for f in created] == [
        ("Policy.pdf", sha256(pdf)),
        ("Rota.xlsx", sha256(xlsx)),
        ("Poster.png", sha256(png)),
    ]
    for evidence in created:
        assert evidence.effective_date == datetime.date(2025, 3, 14)
        assert evidence.created_by == world.users["coordinator_a"]
        assert list(evidence.links.values_list("assessment", flat=True)) == [world.assessment_a.pk]
    assert snapshot()["assessments"] == assessments_before


@pytest.mark.parametrize("bad", [b for b in BAD_FILES if b.id != "empty"], ids=lambda bad: bad.id)
def test_api_refuses_a_bad_file_by_name_and_changes_nothing(world: World, bad: BadFile) -> None:
    rate(world)
    before = snapshot()

    response = api_post(world, [upload(bad.name, bad.build())])

    assert response.status_code == 400
    assert response.json() == {"uploaded": [], "refused": [refusal(bad.name, bad.message)]}
    assert snapshot() == before


def test_api_refuses_an_empty_file_and_changes_nothing(world: World) -> None:
    before = snapshot()
    response = api_post(world, [upload("empty.pdf", b"")])
    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [{"name": "empty.pdf", "reason": f"empty.pdf: {inspection.REASON_EMPTY}"}],
    }
    assert snapshot() == before


def test_api_refuses_a_file_over_the_size_limit(world: World) -> None:
    rate(world)
    before = snapshot()
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        response = api_post(world, [upload("big.txt", samples.txt_bytes("x" * 1025))])
    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [refusal("big.txt", f"big.txt: it is larger than {ONE_KB}")],
    }
    assert snapshot() == before


def test_api_never_drops_a_file_over_the_size_limit_silently(world: World) -> None:
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        response = api_post(
            world,
            [upload("small.txt", samples.txt_bytes()), upload("big.txt", b"x" * 1025)],
        )
    # Never a 201 that silently leaves the big file out.
    assert response.status_code == 400
    assert response.json()["refused"] == [
        refusal("big.txt", f"big.txt: it is larger than {ONE_KB}")
    ]
    # As on the page, the file within the limit is kept.
    stored = [f.current_revision.original_name for f in new_files(world)]
    assert stored == ["small.txt"]
    assert [item["name"] for item in response.json()["uploaded"]] == stored


def test_api_refuses_unconfirmed_files_by_name(world: World) -> None:
    before = snapshot()
    response = api_post(
        world,
        [upload("Policy.pdf", samples.pdf_bytes()), upload("Notes.txt", samples.txt_bytes())],
        confirmed=False,
    )
    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [
            refusal("Policy.pdf", f"Policy.pdf: {CONFIDENTIALITY_REQUIRED}"),
            refusal("Notes.txt", f"Notes.txt: {CONFIDENTIALITY_REQUIRED}"),
        ],
    }
    assert snapshot() == before


def test_api_without_a_file_is_400(world: World) -> None:
    before = snapshot()
    response = api_post(world, [])
    assert response.status_code == 400
    assert "files" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "codes",
    [lambda w: ["NOPE-1"], lambda w: [w.standard.code, "NOPE-1"]],
    ids=["unknown-code", "known-and-unknown"],
)
def test_api_unknown_standard_is_404(world: World, codes: Callable[[World], list[str]]) -> None:
    before = snapshot()
    response = api_post(world, [upload("Policy.pdf", samples.pdf_bytes())], codes=codes(world))
    assert response.status_code == 404
    assert snapshot() == before


def test_api_bad_effective_date_is_400(world: World) -> None:
    before = snapshot()
    response = api_post(
        world, [upload("Policy.pdf", samples.pdf_bytes())], effective_date="2025-02-30"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"effective_date"}
    assert snapshot() == before


def test_api_mixed_batch_keeps_the_good_file_and_names_the_bad_one(world: World) -> None:
    csv = samples.csv_bytes()
    response = api_post(
        world, [upload("Sessions.csv", csv), upload("evidence.zip", samples.zip_bytes())]
    )

    assert response.status_code == 400
    [evidence] = new_files(world)
    assert evidence.current_revision.sha256 == sha256(csv)
    assert response.json() == {
        "uploaded": [summary(evidence)],
        "refused": [refusal("evidence.zip", "evidence.zip: archives are not accepted")],
    }


def test_api_upload_with_personal_data_is_stored_flagged(world: World) -> None:
    response = api_post(world, [upload("Contacts.txt", samples.txt_bytes(PERSONAL_TEXT))])

    assert response.status_code == 201
    [evidence] = new_files(world)
    assert evidence.current_revision.is_flagged
    assert response.json()["uploaded"] == [summary(evidence)]
    assert response.json()["uploaded"][0]["flagged"] is True


# --- Who may upload -------------------------------------------------------------------------------


def test_api_contributor_uploads_to_their_standard(world: World) -> None:
    response = api_post(world, [upload("Minutes.txt", samples.txt_bytes())], role="contributor_a")
    assert response.status_code == 201
    [evidence] = new_files(world)
    assert evidence.created_by == world.users["contributor_a"]
    assert response.json()["uploaded"] == [summary(evidence)]


def test_api_contributor_gets_404_for_a_standard_not_assigned_to_them(world: World) -> None:
    before = snapshot()
    response = api_post(
        world,
        [upload("Minutes.txt", samples.txt_bytes())],
        role="contributor_a",
        codes=[world.assessment_a2.standard.code],
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["auditor_assigned", "admin"])
def test_api_readers_may_see_but_not_upload(world: World, role: str) -> None:
    before = snapshot()
    response = api_post(world, [upload("Minutes.txt", samples.txt_bytes())], role=role)
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot add evidence to these standards."}
    assert snapshot() == before


@pytest.mark.parametrize("role", ["coordinator_b", "auditor_unassigned"])
def test_api_outsiders_get_404(world: World, role: str) -> None:
    before = snapshot()
    response = api_post(world, [upload("Minutes.txt", samples.txt_bytes())], role=role)
    assert response.status_code == 404
    assert snapshot() == before


def test_api_upload_to_a_sealed_dossier_is_400(world: World) -> None:
    seal(world)
    before = snapshot()
    response = api_post(world, [upload("Minutes.txt", samples.txt_bytes())])
    assert response.status_code == 400
    assert response.json() == {"detail": "The dossier is submitted and can no longer be changed."}
    assert snapshot() == before


# --- Listing --------------------------------------------------------------------------------------


def test_api_list_shows_coordinators_and_auditors_every_live_file(world: World) -> None:
    second = store(world, "Minutes.txt", assessment=world.assessment_a2)
    deleted = store(world, "Old.txt")
    EvidenceFile.unscoped.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    second.refresh_from_db()
    evidence_a = EvidenceFile.unscoped.select_related("current_revision").get(
        pk=world.evidence_a.pk
    )

    for role in ("coordinator_a", "auditor_assigned", "admin"):
        response = world.client(role).get(api_url(world))
        assert response.status_code == 200, role
        assert response.json()["results"] == [summary(evidence_a), summary(second)], role
    assert response.json()["results"][0]["flagged"] is True  # rota.txt holds an e-mail address


def test_api_list_shows_a_contributor_their_standards_files_and_their_own(world: World) -> None:
    coordinators_elsewhere = store(world, "Board.txt", assessment=world.assessment_a2)
    own_elsewhere = store(world, "Mine.txt", role="contributor_a")
    # The contributor's own file, later moved by the coordinator to a standard they cannot see.
    own_elsewhere.links.update(assessment=world.assessment_a2)

    response = world.client("contributor_a").get(api_url(world))

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["results"]]
    assert ids == [world.evidence_a.pk, own_elsewhere.pk]
    assert coordinators_elsewhere.pk not in ids


@pytest.mark.parametrize("role", ["coordinator_b", "auditor_unassigned"])
def test_api_list_is_404_outside_the_audit(world: World, role: str) -> None:
    assert world.client(role).get(api_url(world)).status_code == 404
