"""Submitting the dossier: every gap listed, or the dossier sealed with a verifiable manifest."""

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audits import views_dossier
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services import submission
from audits.services.assessments import assessment_assignees_set, assessment_self_rate
from audits.services.seal import DossierSealedError
from evidence.models import EvidenceFile, EvidenceRevision
from evidence.services import (
    evidence_delete,
    evidence_link_add,
    evidence_links_set,
    evidence_replace,
    evidence_upload,
)
from reports.dossier import dossier_context
from rescue.errors import ActionRefusedError
from tests.audits.support import (
    assessments_of,
    complete_dossier,
    dossier_rows,
    free_institution_a,
    page_messages,
    pdf_upload,
    plain_text,
    start_audit,
)
from tests.evidence import samples
from tests.world import World

pytestmark = pytest.mark.django_db

NOT_APPLICABLE = 2  # the first two standards are justified as not applicable
PERSONAL_TEXT = b"Peer support rota. Questions to ana.garcia@hospital.example on weekdays."


@dataclass
class Dossier:
    audit: Audit
    coordinator: User
    uploads: dict[str, list[tuple[EvidenceFile, bytes]]]  # code -> [(file, bytes uploaded)]

    @property
    def codes(self) -> list[str]:
        return list(self.uploads)

    def reload(self) -> Audit:
        self.audit = Audit.objects.for_institution(self.audit.institution_id).get(pk=self.audit.pk)
        return self.audit

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.audit.pk, *args])


@pytest.fixture
def dossier(world: World, catalogue: None) -> Dossier:
    """Institution A's Intervention audit on the shipped catalogue, ready to submit."""
    free_institution_a(world)
    coordinator = world.users["coordinator_a"]
    audit = start_audit(world.institution_a, coordinator)
    uploads = complete_dossier(audit, coordinator, not_applicable=NOT_APPLICABLE)
    return Dossier(audit, coordinator, uploads)


@pytest.fixture
def fresh_audit(world: World, catalogue: None) -> Dossier:
    """The same audit just started: nothing rated, nothing uploaded."""
    free_institution_a(world)
    coordinator = world.users["coordinator_a"]
    audit = start_audit(world.institution_a, coordinator)
    return Dossier(audit, coordinator, {a.standard.code: [] for a in assessments_of(audit)})


def submit_page(client: Client, dossier: Dossier, **kwargs: Any) -> Any:
    return client.post(dossier.url("audits:submit"), **kwargs)


def submit_api(client: Client, dossier: Dossier) -> Any:
    return client.post(dossier.url("audit-submit"))


def page_gaps(response: Any) -> list[str]:
    """The gaps listed on the refused dashboard, as the reader sees them."""
    match = re.search(
        r'<section class="card gaps" role="alert"[^>]*>(.*?)</section>',
        response.content.decode(),
        re.DOTALL,
    )
    assert match, "no list of gaps on the page"
    items = re.findall(r"<li>(.*?)</li>", match.group(1), re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def assert_not_submitted(dossier: Dossier) -> None:
    audit = dossier.reload()
    assert audit.status == Audit.Status.DRAFT
    assert audit.manifest is None
    assert audit.manifest_digest == ""
    assert audit.submitted_at is None
    assert audit.submitted_by is None
    assert not AuditEvent.objects.for_institution(audit.institution_id).filter(
        audit=audit, action=AuditEvent.Action.SUBMITTED
    )


def half_done(dossier: Dossier) -> dict[str, str]:
    """Rate some standards, leave the rest: code -> the gap expected for it."""
    assessments = assessments_of(dossier.audit)
    user = dossier.coordinator
    expected: dict[str, str] = {}
    for assessment, rating in zip(
        assessments[:3], ["met", "partially_met", "not_met"], strict=True
    ):
        assessment_self_rate(assessment=assessment, user=user, self_rating=rating)
        expected[assessment.standard.code] = "no evidence file"
    assessment_self_rate(
        assessment=assessments[3], user=user, self_rating="not_applicable", justification="No ED."
    )
    assessment_self_rate(assessment=assessments[4], user=user, self_rating="met")
    uploaded, _ = pdf_upload("policy.pdf", "Signed policy")
    evidence_upload(
        audit=dossier.audit,
        user=user,
        uploaded=uploaded,
        assessments=[assessments[4]],
        confirmed_no_personal_data=True,
    )
    for assessment in assessments[5:]:
        expected[assessment.standard.code] = "no self-rating yet"
    return expected


# --- gaps -----------------------------------------------------------------------------------------


def test_an_incomplete_dossier_is_refused_on_the_page_with_every_gap(
    world: World, fresh_audit: Dossier
) -> None:
    expected = half_done(fresh_audit)
    response = submit_page(world.client("coordinator_a"), fresh_audit)
    assert response.status_code == 400
    titles = {a.standard.code: a.standard.title for a in assessments_of(fresh_audit.audit)}
    assert page_gaps(response) == [
        f"{code} {titles[code]}: {problem}" for code, problem in expected.items()
    ]
    assert len(expected) == len(titles) - 2  # the justified and the evidenced one are ready
    assert page_messages(response) == [
        f"The dossier has {len(expected)} gap(s); it was not submitted."
    ]
    # Every gap links to its standard.
    for code in expected:
        assert f'href="{fresh_audit.url("audits:standard", code)}"' in response.content.decode()
    assert_not_submitted(fresh_audit)


def test_an_incomplete_dossier_is_refused_by_the_api_with_every_gap(
    world: World, fresh_audit: Dossier
) -> None:
    expected = half_done(fresh_audit)
    response = submit_api(world.client("coordinator_a"), fresh_audit)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == f"The dossier has {len(expected)} gap(s); it was not submitted."
    assert [(g["standard"], g["problem"]) for g in body["gaps"]] == list(expected.items())
    titles = {a.standard.code: a.standard.title for a in assessments_of(fresh_audit.audit)}
    assert all(g["title"] == titles[g["standard"]] for g in body["gaps"])
    assert_not_submitted(fresh_audit)


def test_one_missing_file_is_enough_to_refuse(world: World, dossier: Dossier) -> None:
    code = dossier.codes[-1]
    [(evidence, _)] = dossier.uploads[code]
    evidence_delete(evidence=evidence, user=dossier.coordinator)
    response = submit_api(world.client("coordinator_a"), dossier)
    assert response.status_code == 400
    assert [(g["standard"], g["problem"]) for g in response.json()["gaps"]] == [
        (code, "no evidence file")
    ]
    assert_not_submitted(dossier)


def test_a_flagged_file_is_a_gap_until_the_coordinator_reviews_it(
    world: World, dossier: Dossier
) -> None:
    code = dossier.codes[-1]
    assessment = assessments_of(dossier.audit)[-1]
    flagged = evidence_upload(
        audit=dossier.audit,
        user=dossier.coordinator,
        uploaded=SimpleUploadedFile("rota.txt", PERSONAL_TEXT, "text/plain"),
        assessments=[assessment],
        confirmed_no_personal_data=True,
    )
    assert flagged.current_revision.is_flagged
    client = world.client("coordinator_a")

    response = submit_api(client, dossier)
    assert response.status_code == 400
    [gap] = response.json()["gaps"]
    assert gap["standard"] == ""
    assert gap["title"] == "rota.txt"
    assert gap["problem"].startswith("may contain personal data (")
    assert gap["problem"].endswith("): review it")
    assert "e-mail" in gap["problem"].lower()

    page = submit_page(client, dossier)
    assert page.status_code == 400
    assert page_gaps(page) == [f"rota.txt: {gap['problem']}"]
    assert_not_submitted(dossier)

    review = client.post(dossier.url("audits:evidence_review", flagged.pk), {"return_to": code})
    assert review.status_code == 302
    revision = EvidenceRevision.objects.for_institution(world.institution_a).get(
        pk=flagged.current_revision_id
    )
    assert revision.personal_data_reviewed_by == dossier.coordinator
    assert not revision.is_flagged

    response = submit_api(client, dossier)
    assert response.status_code == 200, response.content
    files = dossier.reload().manifest["standards"][code]["files"]
    assert [f["name"] for f in files] == [f"{code}-evidence.pdf", "rota.txt"]
    assert files[1]["sha256"] == hashlib.sha256(PERSONAL_TEXT).hexdigest()


# --- sealing --------------------------------------------------------------------------------------


def assert_sealed(dossier: Dossier, world: World) -> dict[str, Any]:
    audit = dossier.reload()
    assert audit.status == Audit.Status.SUBMITTED
    assert audit.submitted_by == dossier.coordinator
    assert audit.submitted_at is not None
    manifest = audit.manifest
    assert manifest["audit"] == audit.pk
    assert manifest["institution"] == "Hospital A"
    assert (manifest["component"], manifest["setting"], manifest["target_level"]) == (
        "intervention",
        "hospital",
        "design",
    )
    assert manifest["catalogue_version"] == "2026.1"
    assert manifest["submitted_by"] == "coord-a@example.org"

    assert set(manifest["standards"]) == set(dossier.codes)
    assessments = {a.standard.code: a for a in assessments_of(audit)}
    for index, (code, uploads) in enumerate(dossier.uploads.items()):
        entry = manifest["standards"][code]
        words = {
            "self_rating": assessments[code].self_rating,
            "narrative": assessments[code].narrative,
            "justification": assessments[code].justification,
        }
        canonical = json.dumps(words, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry["self_assessment_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
        if index < NOT_APPLICABLE:
            assert entry["self_rating"] == "not_applicable"
            assert entry["files"] == []
            continue
        assert entry["self_rating"] == "met"
        assert entry["files"] == [
            {
                "evidence_id": evidence.pk,
                "revision": 1,
                "name": f"{code}-evidence.pdf",
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            for evidence, content in uploads
        ]
    # All files differ: a hash mix-up between standards would show.
    hashes = [f["sha256"] for e in manifest["standards"].values() for f in e["files"]]
    assert len(hashes) == len(set(hashes)) == len(dossier.codes) - NOT_APPLICABLE

    assert audit.manifest_digest == submission.manifest_digest(manifest)
    assert len(audit.manifest_digest) == 64
    assert submission.manifest_verify(audit=audit) == []

    [event] = AuditEvent.objects.for_institution(audit.institution_id).filter(
        audit=audit, action=AuditEvent.Action.SUBMITTED
    )
    assert event.actor_email == "coord-a@example.org"
    assert event.details == {"digest": audit.manifest_digest}
    return manifest


def test_a_complete_dossier_is_sealed_through_the_page(world: World, dossier: Dossier) -> None:
    client = world.client("coordinator_a")
    response = submit_page(client, dossier)
    assert response.status_code == 302
    assert response.url == dossier.url("audits:detail")
    assert_sealed(dossier, world)

    page = client.get(response.url)
    assert page_messages(page, "success") == ["The dossier is submitted and sealed."]
    text = plain_text(page)
    assert "Sealed. Manifest digest" in text
    assert dossier.audit.manifest_digest in text  # in full, to compare with the report
    assert '<span class="badge">Submitted</span>' in page.content.decode()
    assert "Submit the dossier" not in text
    ready = len(dossier.codes)
    assert f"{ready} of {ready} standards ready (100%)" in text


def test_a_complete_dossier_is_sealed_through_the_api(world: World, dossier: Dossier) -> None:
    response = submit_api(world.client("coordinator_a"), dossier)
    assert response.status_code == 200
    body = response.json()
    assert_sealed(dossier, world)
    assert body["status"] == "submitted"
    assert body["manifest_digest"] == dossier.audit.manifest_digest
    assert body["id"] == dossier.audit.pk


def test_manifest_verify_reports_a_file_changed_on_disk(world: World, dossier: Dossier) -> None:
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    code = dossier.codes[-1]
    [(evidence, content)] = dossier.uploads[code]
    revision = EvidenceRevision.objects.for_institution(world.institution_a).get(evidence=evidence)
    path = Path(revision.file.path)
    assert path.read_bytes() == content
    path.write_bytes(content.replace(b"Evidence for", b"Evidence f0r"))

    assert submission.manifest_verify(audit=dossier.reload()) == [
        f"{code}: {code}-evidence.pdf has changed since submission"
    ]


def test_manifest_verify_reports_a_file_gone_from_disk(world: World, dossier: Dossier) -> None:
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    code = dossier.codes[-1]
    [(evidence, _)] = dossier.uploads[code]
    revision = EvidenceRevision.objects.for_institution(world.institution_a).get(evidence=evidence)
    Path(revision.file.path).unlink()

    assert submission.manifest_verify(audit=dossier.reload()) == [
        f"{code}: {code}-evidence.pdf is missing from storage"
    ]


def test_manifest_verify_reports_a_self_assessment_changed_behind_the_seal(
    world: World, dossier: Dossier
) -> None:
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    code = dossier.codes[-1]
    StandardAssessment.objects.for_institution(world.institution_a).filter(
        audit=dossier.audit, standard__code=code
    ).update(narrative="Rewritten after the seal.")

    assert submission.manifest_verify(audit=dossier.reload()) == [
        f"{code}: the self-assessment has changed since submission"
    ]


def test_the_manifest_and_the_audit_give_the_same_submission_time(
    world: World, dossier: Dossier
) -> None:
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    audit = dossier.reload()
    assert audit.manifest["submitted_at"] == audit.submitted_at.isoformat()


def test_manifest_verify_reports_an_altered_manifest(world: World, dossier: Dossier) -> None:
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    audit = dossier.reload()
    audit.manifest["standards"][dossier.codes[-1]]["self_rating"] = "not_met"
    assert submission.manifest_verify(audit=audit) == ["the manifest does not match its digest"]


def test_a_deleted_file_is_left_out_of_the_manifest(world: World, dossier: Dossier) -> None:
    code = dossier.codes[-1]
    assessment = assessments_of(dossier.audit)[-1]
    uploaded, _ = pdf_upload("draft.pdf", "A draft")
    draft = evidence_upload(
        audit=dossier.audit,
        user=dossier.coordinator,
        uploaded=uploaded,
        assessments=[assessment],
        confirmed_no_personal_data=True,
    )
    evidence_delete(evidence=draft, user=dossier.coordinator)
    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    names = [f["name"] for f in dossier.reload().manifest["standards"][code]["files"]]
    assert names == [f"{code}-evidence.pdf"]


def test_files_uploaded_through_the_api_are_sealed_with_their_hash(
    world: World, dossier: Dossier
) -> None:
    code = dossier.codes[-1]
    content = samples.pdf_bytes("Minutes of the board meeting")
    client = world.client("coordinator_a")
    response = client.post(
        dossier.url("audit-evidence"),
        {
            "files": [SimpleUploadedFile("minutes.pdf", content, "application/pdf")],
            "standards": [code],
            "confirmed_no_personal_data": "true",
        },
    )
    assert response.status_code == 201, response.content
    [uploaded] = response.json()["uploaded"]
    assert (uploaded["name"], uploaded["size"]) == ("minutes.pdf", len(content))
    assert uploaded["sha256"] == hashlib.sha256(content).hexdigest()
    stored = EvidenceRevision.objects.for_institution(world.institution_a).get(
        evidence_id=uploaded["id"]
    )
    assert Path(stored.file.path).read_bytes() == content

    assert submit_api(client, dossier).status_code == 200
    files = dossier.reload().manifest["standards"][code]["files"]
    assert files[-1] == {
        "evidence_id": uploaded["id"],
        "revision": 1,
        "name": "minutes.pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert submission.manifest_verify(audit=dossier.audit) == []


# --- after submission nothing changes -------------------------------------------------------------


def storage(dossier: Dossier) -> dict[str, bytes]:
    revisions = EvidenceRevision.objects.for_institution(dossier.audit.institution_id).filter(
        evidence__audit=dossier.audit
    )
    return {r.file.name: Path(r.file.path).read_bytes() for r in revisions}


def test_a_sealed_dossier_refuses_every_change(world: World, dossier: Dossier) -> None:
    client = world.client("coordinator_a")
    assert submit_page(client, dossier).status_code == 302
    code = dossier.codes[-1]
    other = dossier.codes[-2]
    [(evidence, _)] = dossier.uploads[code]
    assessment = assessments_of(dossier.audit)[-1]
    before = dossier_rows(dossier.audit)
    files_before = storage(dossier)

    def pdf() -> SimpleUploadedFile:
        return pdf_upload("late.pdf", "Late evidence")[0]

    attempts: dict[str, Any] = {
        "page rating": lambda: client.post(
            dossier.url("audits:standard_rate", code), {"self_rating": "not_met"}
        ),
        "page assignees": lambda: client.post(
            dossier.url("audits:standard_assignees", code),
            {"assignees": [world.users["contributor_a"].pk]},
        ),
        "page link": lambda: client.post(
            dossier.url("audits:standard_link", other), {"evidence": evidence.pk}
        ),
        "page upload": lambda: client.post(
            dossier.url("audits:evidence_upload"),
            {
                "standards": [code],
                "return_to": code,
                "files": [pdf()],
                "confirmed_no_personal_data": "on",
            },
        ),
        "page replace": lambda: client.post(
            dossier.url("audits:evidence_replace", evidence.pk),
            {"file": pdf(), "confirmed_no_personal_data": "on", "return_to": code},
        ),
        "page links": lambda: client.post(
            dossier.url("audits:evidence_links", evidence.pk),
            {"assessments": [assessment.pk], "return_to": code},
        ),
        "page delete": lambda: client.post(
            dossier.url("audits:evidence_delete", evidence.pk), {"return_to": code}
        ),
        "page review": lambda: client.post(
            dossier.url("audits:evidence_review", evidence.pk), {"return_to": code}
        ),
        "page submit": lambda: submit_page(client, dossier),
        "api rating": lambda: client.patch(
            dossier.url("audit-standard-rate", code),
            {"self_rating": "not_met"},
            content_type="application/json",
        ),
        "api upload": lambda: client.post(
            dossier.url("audit-evidence"),
            {"files": [pdf()], "standards": [code], "confirmed_no_personal_data": "true"},
        ),
        "api submit": lambda: submit_api(client, dossier),
    }
    statuses = {name: attempt().status_code for name, attempt in attempts.items()}
    assert statuses == dict.fromkeys(attempts, 400)

    assert dossier_rows(dossier.audit) == before
    assert storage(dossier) == files_before
    assert submission.manifest_verify(audit=dossier.reload()) == []


def test_a_sealed_dossier_says_why_it_refuses(world: World, dossier: Dossier) -> None:
    client = world.client("coordinator_a")
    assert submit_page(client, dossier).status_code == 302
    code = dossier.codes[-1]

    page = client.post(dossier.url("audits:standard_rate", code), {"self_rating": "not_met"})
    assert page_messages(page) == ["The dossier is submitted and can no longer be changed."]
    # The standard is shown read-only: the rating as saved, no form to change it.
    assert page.status_code == 400
    assert 'action="' + dossier.url("audits:standard_rate", code) not in page.content.decode()
    assert "Self-rating Met" in plain_text(page)

    again = submit_page(client, dossier)
    assert page_messages(again) == ["This dossier has been submitted already."]

    api = client.patch(
        dossier.url("audit-standard-rate", code),
        {"self_rating": "not_met"},
        content_type="application/json",
    )
    assert api.json() == {"detail": "The dossier is submitted and can no longer be changed."}
    assert submit_api(client, dossier).json() == {
        "detail": "This dossier has been submitted already."
    }
    with pytest.raises(ActionRefusedError, match="submitted"):
        assessment_self_rate(
            assessment=assessments_of(dossier.audit)[-1],
            user=dossier.coordinator,
            self_rating="not_met",
        )


# --- who submits ----------------------------------------------------------------------------------


def test_a_contributor_cannot_submit_even_a_complete_dossier(
    world: World, dossier: Dossier
) -> None:
    client = world.client("contributor_a")
    page = submit_page(client, dossier)
    assert page.status_code == 403
    assert page_messages(page) == ["Only a coordinator of the institution submits the dossier."]
    api = submit_api(client, dossier)
    assert api.status_code == 403
    assert api.json() == {"detail": "Only a coordinator submits the dossier."}
    assert_not_submitted(dossier)


# --- history --------------------------------------------------------------------------------------


def test_history_lists_the_dossier_events_and_keeps_them_after_a_file_is_deleted(
    world: World, dossier: Dossier
) -> None:
    code = dossier.codes[-1]
    assessment = assessments_of(dossier.audit)[-1]
    uploaded, _ = pdf_upload("old-policy.pdf", "Superseded policy")
    old = evidence_upload(
        audit=dossier.audit,
        user=dossier.coordinator,
        uploaded=uploaded,
        assessments=[assessment],
        confirmed_no_personal_data=True,
    )
    events_before_delete = list(
        AuditEvent.objects.for_institution(world.institution_a)
        .filter(audit=dossier.audit)
        .values_list("pk", "action", "object_label")
    )
    client = world.client("coordinator_a")
    response = client.post(dossier.url("audits:evidence_delete", old.pk), {"return_to": code})
    assert response.status_code == 302
    assert submit_page(client, dossier).status_code == 302

    # Soft delete: the file's row and its history stay.
    old = EvidenceFile.objects.for_institution(world.institution_a).get(pk=old.pk)
    assert old.deleted_at is not None
    assert old.deleted_by == dossier.coordinator
    events = AuditEvent.objects.for_institution(world.institution_a).filter(audit=dossier.audit)
    still_there = set(events.values_list("pk", "action", "object_label"))
    assert set(events_before_delete) <= still_there

    actions = list(events.order_by("pk").values_list("action", flat=True))
    assert actions == (
        ["created"]
        + ["self_rated"] * NOT_APPLICABLE
        + ["self_rated", "uploaded"] * (len(dossier.codes) - NOT_APPLICABLE)
        + ["uploaded", "deleted", "submitted"]
    )
    assert set(events.values_list("actor_email", flat=True)) == {"coord-a@example.org"}

    digest = dossier.reload().manifest_digest
    page = client.get(dossier.url("audits:history"))
    assert page.status_code == 200
    text = plain_text(page)
    for line in (
        "Audit started RESCUE-Intervention Design by coord-a@example.org",
        f"Self-assessment saved {code} {assessment.standard.title} by coord-a@example.org",
        f"Evidence uploaded {code}-evidence.pdf by coord-a@example.org",
        "Evidence uploaded old-policy.pdf by coord-a@example.org",
        "Evidence deleted old-policy.pdf by coord-a@example.org",
        f"Dossier submitted manifest {digest[:12]} by coord-a@example.org",
    ):
        assert line in text, line
    # Newest first.
    assert text.index("Dossier submitted") < text.index("Evidence deleted")
    assert text.index("Evidence deleted") < text.index("Evidence uploaded old-policy.pdf")
    assert text.index("Evidence uploaded old-policy.pdf") < text.index("Audit started")


def test_history_is_kept_when_the_uploader_leaves(world: World, dossier: Dossier) -> None:
    contributor = world.users["contributor_a"]
    assessment = assessments_of(dossier.audit)[-1]
    assessment.assignees.add(contributor)
    uploaded, _ = pdf_upload("minutes.pdf", "Board minutes")
    evidence_upload(
        audit=dossier.audit,
        user=contributor,
        uploaded=uploaded,
        assessments=[assessment],
        confirmed_no_personal_data=True,
    )
    contributor.delete()
    text = plain_text(world.client("coordinator_a").get(dossier.url("audits:history")))
    assert "Evidence uploaded minutes.pdf by contrib-a@example.org" in text
    assert (
        StandardAssessment.objects.for_institution(world.institution_a)
        .filter(pk=assessment.pk)
        .exists()
    )


def test_a_change_checked_before_the_seal_is_refused_once_it_is_sealed(
    world: World, dossier: Dossier
) -> None:
    """The services re-read the status under the submission's row lock: an instance loaded
    while the dossier was open (a request that passed its checks just before the seal) changes
    nothing."""
    coordinator = dossier.coordinator
    stale_assessment = assessments_of(dossier.audit)[-1]
    [(stale_file, _)] = dossier.uploads[stale_assessment.standard.code]
    other = assessments_of(dossier.audit)[-2]
    submission.audit_submit(audit=dossier.reload(), user=coordinator)  # another request
    before = dossier_rows(dossier.audit)
    files_before = storage(dossier)
    media = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}

    late_changes: dict[str, Any] = {
        "self-rate": lambda: assessment_self_rate(
            assessment=stale_assessment, user=coordinator, self_rating="not_met"
        ),
        "assignees": lambda: assessment_assignees_set(
            assessment=stale_assessment, user=coordinator, assignees=[coordinator]
        ),
        "upload": lambda: evidence_upload(
            audit=stale_assessment.audit,
            user=coordinator,
            uploaded=pdf_upload("late.pdf", "Late evidence")[0],
            assessments=[stale_assessment],
            confirmed_no_personal_data=True,
        ),
        "replace": lambda: evidence_replace(
            evidence=stale_file,
            user=coordinator,
            uploaded=pdf_upload("late.pdf", "Late evidence")[0],
            confirmed_no_personal_data=True,
        ),
        "link": lambda: evidence_link_add(evidence=stale_file, user=coordinator, assessment=other),
        "links": lambda: evidence_links_set(
            evidence=stale_file, user=coordinator, assessments=[other]
        ),
        "delete": lambda: evidence_delete(evidence=stale_file, user=coordinator),
    }
    for name, change in late_changes.items():
        # What a request that checked before the seal still holds in memory.
        stale_assessment.audit.status = stale_file.audit.status = Audit.Status.DRAFT
        with pytest.raises(DossierSealedError):
            change()
        assert dossier_rows(dossier.audit) == before, name

    assert storage(dossier) == files_before
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == media
    assert submission.manifest_verify(audit=dossier.reload()) == []


def test_a_contributor_sees_the_history_of_their_own_standards_only(
    world: World, dossier: Dossier
) -> None:
    contributor = world.users["contributor_a"]
    mine, theirs = assessments_of(dossier.audit)[-2:]
    mine.assignees.add(contributor)
    for name, assessment in (("mine.pdf", mine), ("theirs.pdf", theirs)):
        evidence_upload(
            audit=dossier.audit,
            user=dossier.coordinator,
            uploaded=pdf_upload(name, f"{name} contents")[0],
            assessments=[assessment],
            confirmed_no_personal_data=True,
        )
    assessment_self_rate(
        assessment=theirs, user=dossier.coordinator, self_rating="met", narrative="Theirs."
    )
    client = world.client("contributor_a")

    for url in (dossier.url("audits:history"), dossier.url("audits:detail")):
        text = plain_text(client.get(url))
        assert "Evidence uploaded mine.pdf" in text, url
        assert "Audit started" in text or url.endswith("/"), url  # events of the whole audit
        assert "theirs.pdf" not in text, url
        assert theirs.standard.title not in text, url
    # The coordinator sees everything.
    text = plain_text(world.client("coordinator_a").get(dossier.url("audits:history")))
    assert "Evidence uploaded theirs.pdf" in text
    assert f"Self-assessment saved {theirs.standard.code} {theirs.standard.title}" in text


def test_history_comes_in_pages_newest_first(
    world: World, dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_dossier, "HISTORY_PAGE_SIZE", 30)
    total = AuditEvent.objects.for_institution(world.institution_a).filter(audit=dossier.audit)
    pages = -(-total.count() // 30)
    assert pages > 1
    client = world.client("coordinator_a")

    first = plain_text(client.get(dossier.url("audits:history")))
    last = plain_text(client.get(dossier.url("audits:history"), {"page": pages}))
    wrong = client.get(dossier.url("audits:history"), {"page": "x"})

    assert f"Page 1 of {pages}" in first
    assert "Audit started" not in first  # the oldest event is on the last page
    assert f"Page {pages} of {pages}" in last
    assert "Audit started" in last
    assert wrong.status_code == 200
    assert f"Page 1 of {pages}" in plain_text(wrong)  # a wrong page number shows the first


def test_submission_gives_the_dossiers_files_their_e_numbers_for_good(
    world: World, dossier: Dossier
) -> None:
    """E1, E2… in upload order for the live files of the dossier; a deleted file gets none. The
    dossier report lists the same numbers."""
    uploaded, _ = pdf_upload("deleted.pdf", "A draft")
    deleted = evidence_upload(
        audit=dossier.audit,
        user=dossier.coordinator,
        uploaded=uploaded,
        assessments=[assessments_of(dossier.audit)[-1]],
        confirmed_no_personal_data=True,
    )
    evidence_delete(evidence=deleted, user=dossier.coordinator)
    files = EvidenceFile.objects.for_institution(dossier.audit.institution_id).filter(
        audit=dossier.audit
    )
    assert not files.filter(number__isnull=False).exists()  # not before submission

    assert submit_api(world.client("coordinator_a"), dossier).status_code == 200
    sealed = list(files.exclude(pk=deleted.pk).order_by("created_at", "pk"))
    assert len(sealed) > 1
    assert [f.number for f in sealed] == list(range(1, len(sealed) + 1))
    assert files.get(pk=deleted.pk).number is None
    report = dossier_context(dossier.reload())
    assert [(e.evidence.pk, e.evidence.index_number) for e in report["files"]] == [
        (f.pk, f.number) for f in sealed
    ]
