"""Uploading evidence through the standard page: the plain form (several files in one request) and
the page's script (one file per request, asking for JSON).

Every refusal names the file and the reason, and changes nothing: no row, no event, no file in
storage, and the saved self-assessment and the existing evidence stay as they were.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings

from audits.models import AuditEvent
from evidence.models import EvidenceLink
from evidence.services import CONFIDENTIALITY_REQUIRED
from tests.evidence import samples
from tests.evidence.support import (
    BAD_FILES,
    GOOD_FILES,
    ONE_KB,
    PERSONAL_TEXT,
    SEALED,
    BadFile,
    listed_files,
    new_files,
    page_messages,
    page_text,
    rate,
    seal,
    sha256,
    snapshot,
    standard_url,
    stored_files,
    template_names,
    upload,
    upload_url,
)
from tests.world import World

pytestmark = pytest.mark.django_db

CANNOT_ADD = "You cannot add evidence to these standards."


def post_upload(
    world: World,
    files: list[SimpleUploadedFile],
    *,
    role: str = "coordinator_a",
    codes: list[str] | None = None,
    confirmed: bool = True,
    effective_date: str | None = None,
    json: bool = False,
) -> HttpResponse:
    """Post the upload form of the contributor's standard as the page does."""
    codes = codes if codes is not None else [world.standard.code]
    data: dict[str, Any] = {"standards": codes, "files": files}
    if codes:
        data["return_to"] = codes[0]
    if confirmed:
        data["confirmed_no_personal_data"] = "on"
    if effective_date is not None:
        data["effective_date"] = effective_date
    headers = {"Accept": "application/json"} if json else {}
    return world.client(role).post(upload_url(world), data, headers=headers)


def assert_refused_on_the_page(response: HttpResponse, status: int, messages: list[str]) -> None:
    assert response.status_code == status
    assert "audits/standard_detail.html" in template_names(response)
    assert page_messages(response) == messages


# --- Good files -----------------------------------------------------------------------------------


def test_several_good_files_are_stored_with_their_details_in_private_storage(
    world: World,
) -> None:
    rate(world)
    assessments_before = snapshot()["assessments"]
    events_before = set(AuditEvent.unscoped.values_list("pk", flat=True))
    contents = {name: build() for name, build, _, _ in GOOD_FILES}
    client = world.client("coordinator_a")

    response = post_upload(
        world,
        [upload(name, content) for name, content in contents.items()],
        effective_date="2025-03-14",
    )

    assert response.status_code == 302
    assert response.url == standard_url(world)
    coordinator = world.users["coordinator_a"]
    created = new_files(world)
    assert [f.current_revision.original_name for f in created] == list(contents)
    audit_folder = Path(settings.MEDIA_ROOT) / "evidence" / str(world.institution_a.pk)
    audit_folder /= str(world.audit_a.pk)
    for evidence, (name, _, kind, mime_type) in zip(created, GOOD_FILES, strict=True):
        content = contents[name]
        revision = evidence.current_revision
        assert evidence.audit_id == world.audit_a.pk
        assert evidence.institution_id == world.institution_a.pk
        assert evidence.created_by == coordinator
        assert evidence.effective_date == datetime.date(2025, 3, 14)
        assert evidence.deleted_at is None
        assert list(evidence.revisions.values_list("number", flat=True)) == [1]
        assert (revision.kind, revision.mime_type) == (kind, mime_type)
        assert revision.size == len(content)
        assert revision.sha256 == sha256(content)
        assert revision.uploaded_by == coordinator
        assert revision.uploaded_by_email == "coord-a@example.org"
        assert revision.confirmed_no_personal_data is True
        assert revision.personal_data_findings == []
        assert not revision.is_flagged
        links = EvidenceLink.unscoped.filter(evidence=evidence)
        assert list(links.values_list("assessment_id", "linked_by_id", "institution_id")) == [
            (world.assessment_a.pk, coordinator.pk, world.institution_a.pk)
        ]
        # On disk under MEDIA_ROOT, under a random name with the real extension.
        path = Path(revision.file.path)
        assert path.parent == audit_folder
        assert path.read_bytes() == content
        assert path.suffix == Path(name).suffix.lower()
        assert Path(name).stem not in path.name
        # MEDIA_URL is not served: the only way to the bytes is the download view.
        assert world.client("coordinator_a").get(revision.file.url).status_code == 404

    events = AuditEvent.unscoped.exclude(pk__in=events_before).order_by("pk")
    assert [(e.action, e.object_label, e.actor_id, e.actor_email, e.details) for e in events] == [
        (
            AuditEvent.Action.UPLOADED,
            name,
            coordinator.pk,
            "coord-a@example.org",
            {
                "sha256": sha256(content),
                "size": len(content),
                "standards": [world.standard.code],
                "flagged": False,
            },
        )
        for name, content in contents.items()
    ]
    assert snapshot()["assessments"] == assessments_before  # the self-rating is untouched

    page = client.get(response.url)
    assert page_messages(page, "success") == [f"{name} uploaded." for name in contents]
    assert listed_files(page) == ["rota.txt", *contents]
    text = page_text(page)
    for evidence in created:
        assert f"/evidence/{evidence.pk}/download/" in text
        assert evidence.current_revision.file.name not in text  # the storage path stays private


def test_a_file_can_support_several_standards_from_one_upload(world: World) -> None:
    codes = [world.standard.code, world.assessment_a2.standard.code]
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], codes=codes)

    assert response.status_code == 302
    [evidence] = new_files(world)
    assert set(
        EvidenceLink.unscoped.filter(evidence=evidence).values_list("assessment", flat=True)
    ) == {
        world.assessment_a.pk,
        world.assessment_a2.pk,
    }
    event = AuditEvent.unscoped.get(action=AuditEvent.Action.UPLOADED, object_label="Policy.pdf")
    assert sorted(event.details["standards"]) == sorted(codes)


def test_without_effective_date_none_is_recorded(world: World) -> None:
    response = post_upload(world, [upload("Notes.txt", samples.txt_bytes())], effective_date="")
    assert response.status_code == 302
    [evidence] = new_files(world)
    assert evidence.effective_date is None


@pytest.mark.parametrize(
    ("sent", "build", "stored"),
    [
        ("Rota: week 1?.XLSX", samples.xlsx_bytes, "Rota week 1.xlsx"),
        (
            "C:\\Users\\ana\\Política de  apoyo 2025.PDF",
            samples.pdf_bytes,
            "Política de apoyo 2025.pdf",
        ),
        ("..hidden|notes*.txt", samples.txt_bytes, "hiddennotes.txt"),
        ("CON.csv", samples.csv_bytes, "_CON.csv"),
        ("rota<script>.csv", samples.csv_bytes, "rotascript.csv"),
    ],
)
def test_the_original_name_is_stored_sanitised(
    world: World, sent: str, build: Any, stored: str
) -> None:
    content = build()
    response = post_upload(world, [upload(sent, content)])

    assert response.status_code == 302
    [evidence] = new_files(world)
    revision = evidence.current_revision
    assert revision.original_name == stored
    assert revision.sha256 == sha256(content)
    assert stored not in revision.file.name
    page = world.client("coordinator_a").get(standard_url(world))
    assert listed_files(page) == ["rota.txt", stored]
    assert "<script>" not in page.content.decode()


def test_a_contributor_uploads_to_their_own_standard(world: World) -> None:
    response = post_upload(
        world, [upload("Minutes.txt", samples.txt_bytes())], role="contributor_a"
    )

    assert response.status_code == 302
    [evidence] = new_files(world)
    contributor = world.users["contributor_a"]
    assert evidence.created_by == contributor
    assert evidence.current_revision.uploaded_by_email == "contrib-a@example.org"
    assert evidence.links.get().assessment == world.assessment_a


# --- Refused files --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_a_refused_file_is_named_with_its_reason_and_nothing_changes(
    world: World, bad: BadFile
) -> None:
    rate(world)
    before = snapshot()

    response = post_upload(world, [upload(bad.name, bad.build())])

    assert_refused_on_the_page(response, 400, [bad.message])
    assert snapshot() == before
    # The page the form came from, still listing the existing evidence.
    assert listed_files(response) == ["rota.txt"]


def test_a_file_over_the_size_limit_is_refused_while_one_at_the_limit_is_kept(
    world: World,
) -> None:
    rate(world)
    at_limit = samples.txt_bytes("a" * 1024)
    over_limit = samples.txt_bytes("b" * 1025)
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        before = snapshot()
        refused = post_upload(world, [upload("big.txt", over_limit)])

        assert_refused_on_the_page(refused, 400, [f"big.txt: it is larger than {ONE_KB}"])
        assert snapshot() == before
        assert f"up to {ONE_KB} each" in page_text(refused)

        mixed = post_upload(world, [upload("exact.txt", at_limit), upload("big.txt", over_limit)])

    assert mixed.status_code == 400
    assert page_messages(mixed) == [f"big.txt: it is larger than {ONE_KB}"]
    assert page_messages(mixed, "success") == ["exact.txt uploaded."]
    [evidence] = new_files(world)
    assert evidence.current_revision.original_name == "exact.txt"
    assert evidence.current_revision.sha256 == sha256(at_limit)
    assert Path(evidence.current_revision.file.path).read_bytes() == at_limit


def test_without_the_confirmation_every_file_is_refused_by_name(world: World) -> None:
    rate(world)
    before = snapshot()

    response = post_upload(
        world,
        [upload("Policy.pdf", samples.pdf_bytes()), upload("Rota.csv", samples.csv_bytes())],
        confirmed=False,
    )

    assert_refused_on_the_page(
        response,
        400,
        [f"Policy.pdf: {CONFIDENTIALITY_REQUIRED}", f"Rota.csv: {CONFIDENTIALITY_REQUIRED}"],
    )
    assert snapshot() == before


def test_without_a_file_the_page_asks_for_one(world: World) -> None:
    rate(world)
    before = snapshot()

    response = post_upload(world, [])

    assert_refused_on_the_page(response, 400, ["Choose at least one file."])
    assert snapshot() == before


@pytest.mark.parametrize(
    "codes",
    [lambda w: ["NOPE-1"], lambda w: [], lambda w: [w.standard.code, "NOPE-1"]],
    ids=["unknown-code", "no-code", "known-and-unknown"],
)
def test_an_unknown_standard_is_a_404_and_nothing_changes(
    world: World, codes: Callable[[World], list[str]]
) -> None:
    before = snapshot()

    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], codes=codes(world))

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("value", ["2025-02-30", "next week", "14/03/2025 10:00"])
def test_a_bad_effective_date_refuses_the_upload(world: World, value: str) -> None:
    rate(world)
    before = snapshot()

    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], effective_date=value)

    assert_refused_on_the_page(response, 400, ["Enter a valid date."])
    assert snapshot() == before


def test_in_a_mixed_batch_the_good_file_is_kept_and_the_bad_one_named(world: World) -> None:
    rate(world)
    assessments_before = snapshot()["assessments"]
    good = samples.pdf_bytes()

    response = post_upload(
        world,
        [
            upload("Policy.pdf", good),
            upload("setup.exe", samples.pe_bytes()),
            upload("empty.txt", b""),
        ],
    )

    assert response.status_code == 400
    assert page_messages(response) == [
        "setup.exe: programs and scripts are not accepted",
        "empty.txt: it is empty",
    ]
    assert page_messages(response, "success") == ["Policy.pdf uploaded."]
    [evidence] = new_files(world)
    assert evidence.current_revision.original_name == "Policy.pdf"
    assert evidence.current_revision.sha256 == sha256(good)
    assert [name for name in stored_files() if name.endswith(".exe")] == []
    uploaded = AuditEvent.unscoped.filter(action=AuditEvent.Action.UPLOADED, audit=world.audit_a)
    assert sorted(uploaded.values_list("object_label", flat=True)) == ["Policy.pdf", "rota.txt"]
    assert snapshot()["assessments"] == assessments_before
    # The re-rendered page already lists the stored file.
    assert listed_files(response) == ["rota.txt", "Policy.pdf"]


# --- Who may upload -------------------------------------------------------------------------------


def test_a_contributor_gets_404_for_a_standard_not_assigned_to_them(world: World) -> None:
    before = snapshot()
    response = post_upload(
        world,
        [upload("Policy.pdf", samples.pdf_bytes())],
        role="contributor_a",
        codes=[world.assessment_a2.standard.code],
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["auditor_assigned", "admin"])
def test_readers_who_may_not_edit_get_403_with_the_reason(world: World, role: str) -> None:
    before = snapshot()
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], role=role)
    assert_refused_on_the_page(response, 403, [CANNOT_ADD])
    assert snapshot() == before


@pytest.mark.parametrize("role", ["coordinator_b", "auditor_unassigned"])
def test_outsiders_get_404(world: World, role: str) -> None:
    before = snapshot()
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], role=role)
    assert response.status_code == 404
    assert snapshot() == before


def test_a_sealed_dossier_refuses_uploads(world: World) -> None:
    seal(world)
    before = snapshot()
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())])
    assert_refused_on_the_page(response, 400, [SEALED])
    assert snapshot() == before


# --- The page's script: one file per request, JSON back -------------------------------------------


def test_json_upload_returns_201_with_what_the_script_reads(world: World) -> None:
    pdf, png = samples.pdf_bytes(), samples.png_bytes()

    response = post_upload(world, [upload("Policy.pdf", pdf), upload("Poster.png", png)], json=True)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    policy, poster = new_files(world)
    assert response.json() == {
        "uploaded": [
            {
                "id": policy.pk,
                "name": "Policy.pdf",
                "sha256": sha256(pdf),
                "size": len(pdf),
                "flagged": False,
            },
            {
                "id": poster.pk,
                "name": "Poster.png",
                "sha256": sha256(png),
                "size": len(png),
                "flagged": False,
            },
        ],
        "refused": [],
    }


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_json_refusal_is_400_with_the_name_and_reason(world: World, bad: BadFile) -> None:
    before = snapshot()

    response = post_upload(world, [upload(bad.name, bad.build())], json=True)

    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [{"name": bad.name, "reason": bad.message}],
    }
    assert snapshot() == before


def test_json_refusal_of_a_file_over_the_size_limit(world: World) -> None:
    before = snapshot()
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        response = post_upload(world, [upload("big.pdf", samples.pdf_bytes("x" * 2000))], json=True)
    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [{"name": "big.pdf", "reason": f"big.pdf: it is larger than {ONE_KB}"}],
    }
    assert snapshot() == before


def test_json_mixed_batch_lists_both_and_is_400(world: World) -> None:
    csv = samples.csv_bytes()
    response = post_upload(
        world, [upload("Sessions.csv", csv), upload("logo.svg", samples.svg_bytes())], json=True
    )

    assert response.status_code == 400
    [evidence] = new_files(world)
    assert response.json() == {
        "uploaded": [
            {
                "id": evidence.pk,
                "name": "Sessions.csv",
                "sha256": sha256(csv),
                "size": len(csv),
                "flagged": False,
            }
        ],
        "refused": [
            {
                "name": "logo.svg",
                "reason": "logo.svg: SVG images are not accepted (they can carry scripts)",
            }
        ],
    }


@pytest.mark.parametrize(
    ("kwargs", "status", "refused"),
    [
        (
            {"confirmed": False},
            400,
            [{"name": "Policy.pdf", "reason": f"Policy.pdf: {CONFIDENTIALITY_REQUIRED}"}],
        ),
        ({"effective_date": "2025-13-01"}, 400, [{"name": "", "reason": "Enter a valid date."}]),
        ({"role": "auditor_assigned"}, 403, [{"name": "", "reason": CANNOT_ADD}]),
    ],
    ids=["unconfirmed", "bad-date", "auditor"],
)
def test_json_refusals_of_the_request(
    world: World, kwargs: dict[str, Any], status: int, refused: list[dict[str, str]]
) -> None:
    before = snapshot()
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], json=True, **kwargs)
    assert response.status_code == status
    assert response.json() == {"uploaded": [], "refused": refused}
    assert snapshot() == before


def test_json_upload_to_a_sealed_dossier_is_400(world: World) -> None:
    seal(world)
    before = snapshot()
    response = post_upload(world, [upload("Policy.pdf", samples.pdf_bytes())], json=True)
    assert response.status_code == 400
    assert response.json() == {"uploaded": [], "refused": [{"name": "", "reason": SEALED}]}
    assert snapshot() == before


def test_json_without_a_file(world: World) -> None:
    response = post_upload(world, [], json=True)
    assert response.status_code == 400
    assert response.json() == {
        "uploaded": [],
        "refused": [{"name": "", "reason": "Choose at least one file."}],
    }


# --- Personal data --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("Contacts.txt", lambda: samples.txt_bytes(PERSONAL_TEXT)),
        ("Contacts.pdf", lambda: samples.pdf_bytes(PERSONAL_TEXT)),
        ("Contacts.docx", lambda: samples.docx_bytes(["Team", PERSONAL_TEXT])),
    ],
)
def test_a_file_with_personal_data_is_stored_but_flagged_with_the_reasons(
    world: World, name: str, build: Any
) -> None:
    content = build()

    response = post_upload(world, [upload(name, content)], json=True)

    assert response.status_code == 201
    [evidence] = new_files(world)
    assert response.json()["uploaded"] == [
        {
            "id": evidence.pk,
            "name": name,
            "sha256": sha256(content),
            "size": len(content),
            "flagged": True,
        }
    ]
    revision = evidence.current_revision
    assert revision.is_flagged
    assert revision.personal_data_reviewed_at is None
    findings = {finding["category"]: finding for finding in revision.personal_data_findings}
    assert set(findings) == {"email", "phone"}
    assert findings["email"]["examples"] == ["a***@hospital.example"]
    assert findings["email"]["label"] == "E-mail addresses"
    assert findings["phone"]["label"] == "Telephone numbers"
    assert findings["phone"]["count"] == 1
    event = AuditEvent.unscoped.get(action=AuditEvent.Action.UPLOADED, object_label=name)
    assert event.details["flagged"] is True

    page = world.client("coordinator_a").get(standard_url(world))
    text = page_text(page)
    row = text[text.index(f">{name}</a>") :]
    row = row[: row.index("</tr>")]
    assert "May contain personal data" in row
    for finding in revision.personal_data_findings:
        examples = ", ".join(finding["examples"])
        assert f"{finding['label']} ({finding['count']}: {examples})" in row
    assert "Reviewed: keep it" in row  # the coordinator may clear the flag
    # The flag never repeats the data it warns about.
    assert "ana.garcia@hospital.example" not in text
    assert "612 345 678" not in text


def test_the_contributor_sees_the_flag_but_no_review_button(world: World) -> None:
    response = post_upload(
        world,
        [upload("Contacts.txt", samples.txt_bytes(PERSONAL_TEXT))],
        role="contributor_a",
    )
    assert response.status_code == 302
    page = page_text(world.client("contributor_a").get(standard_url(world)))
    assert page.count("May contain personal data") == 2  # rota.txt and the new file
    assert "Reviewed: keep it" not in page
