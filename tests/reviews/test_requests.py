"""Evidence requests on a sealed dossier: asked by the team, answered by the institution with files
that go through the upload checks, accepted or rejected; each answer an addendum chained to the
seal, which ``manifest_verify`` walks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import AuditEvent
from audits.services.submission import manifest_verify
from evidence.models import EvidenceFile
from evidence.services import EvidenceRefusedError
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import EvidenceRequest, EvidenceRequestAnswer
from reviews.services.requests import (
    evidence_request_answer,
    evidence_request_create,
    evidence_request_decide,
)
from tests.audits.support import pdf_upload
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db

State = EvidenceRequest.State


def in_days(days: int):  # type: ignore[no-untyped-def]
    return timezone.localdate() + timedelta(days=days)


def asked(review: Review, *codes: str) -> EvidenceRequest:
    review.form_team()
    by_code = {a.standard.code: a for a in review.assessments}
    return evidence_request_create(
        audit=review.audit,
        user=review.lead,
        assessments=[by_code[c] for c in codes or review.codes[2:3]],
        message="The rota for nights is missing.",
        due_on=in_days(14),
    )


def answer(
    review: Review, request: EvidenceRequest, *names: str, user=None
) -> EvidenceRequestAnswer:  # type: ignore[no-untyped-def]
    return evidence_request_answer(
        request=request,
        user=user or review.world.users["coordinator_a"],
        uploads=[pdf_upload(name, f"Night rota {name}")[0] for name in names],
        comment="The night rota since January.",
        confirmed_no_personal_data=True,
    )


def files_of(review: Review) -> list[EvidenceFile]:
    return list(
        EvidenceFile.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .order_by("number")
    )


def test_an_answer_adds_numbered_files_as_an_addendum_chained_to_the_seal(review: Review) -> None:
    sealed_manifest, sealed_digest = review.audit.manifest, review.audit.manifest_digest
    before = files_of(review)
    code = review.codes[2]
    request = asked(review, code)
    first = answer(review, request, "night-rota.pdf", "rota-policy.pdf")

    added = files_of(review)[len(before) :]
    assert [f.number for f in added] == [len(before) + 1, len(before) + 2]
    assert all(f.links.get().assessment.standard.code == code for f in added)
    assert first.previous_digest == sealed_digest
    assert [f["name"] for f in first.addendum["files"]] == ["night-rota.pdf", "rota-policy.pdf"]
    assert first.addendum["files"][0]["sha256"] == added[0].current.sha256
    request.refresh_from_db()
    assert request.state == State.ANSWERED
    audit = review.reload()
    assert (audit.manifest, audit.manifest_digest) == (sealed_manifest, sealed_digest)
    assert manifest_verify(audit=audit) == []

    # Rejected and reopened, answered again: the second addendum chains to the first.
    evidence_request_decide(
        request=request,
        user=review.second,
        accept=False,
        reason="Days only",
        reopen_until=in_days(7),
    )
    request.refresh_from_db()
    assert (request.state, request.due_on) == (State.OPEN, in_days(7))
    second = answer(review, request, "night-rota-2.pdf")
    assert second.previous_digest == first.digest
    assert manifest_verify(audit=review.reload()) == []
    evidence_request_decide(request=request, user=review.lead, accept=True)
    request.refresh_from_db()
    assert request.state == State.ACCEPTED
    actions = set(
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .values_list("action", flat=True)
    )
    assert {
        "evidence_requested",
        "evidence_answered",
        "evidence_reopened",
        "evidence_accepted",
    } <= actions


def test_manifest_verify_finds_a_tampered_addendum_or_file(review: Review) -> None:
    request = asked(review)
    first = answer(review, request, "night-rota.pdf")
    audit = review.reload()

    first.addendum["comment"] = "Something else"
    EvidenceRequestAnswer.objects.for_institution(audit.institution_id).filter(pk=first.pk).update(
        addendum=first.addendum
    )
    assert manifest_verify(audit=audit) == ["addendum 1: does not match its digest"]
    first.refresh_from_db()
    first.addendum["comment"] = "The night rota since January."
    EvidenceRequestAnswer.objects.for_institution(audit.institution_id).filter(pk=first.pk).update(
        addendum=first.addendum, previous_digest="0" * 64
    )
    assert manifest_verify(audit=audit) == ["addendum 1: does not chain to the digest before it"]
    EvidenceRequestAnswer.objects.for_institution(audit.institution_id).filter(pk=first.pk).update(
        previous_digest=audit.manifest_digest
    )
    assert manifest_verify(audit=audit) == []

    revision = first.files.get().current
    with revision.file.storage.open(revision.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 changed")
    assert manifest_verify(audit=audit) == [
        "addendum 1: night-rota.pdf has changed since it was added"
    ]


def test_who_may_ask_and_who_may_answer(review: Review) -> None:
    review.form_team()
    world = review.world
    assessment = review.assessments[2]
    for user in (world.users["coordinator_a"], review.stranger, review.admin):
        with pytest.raises(ActionForbiddenError):
            evidence_request_create(
                audit=review.audit,
                user=user,
                assessments=[assessment],
                message="x",
                due_on=in_days(3),
            )
    with pytest.raises(ActionRefusedError, match="in the past"):
        evidence_request_create(
            audit=review.audit,
            user=review.lead,
            assessments=[assessment],
            message="x",
            due_on=in_days(-1),
        )
    with pytest.raises(ActionRefusedError, match="standard"):
        evidence_request_create(
            audit=review.audit, user=review.lead, assessments=[], message="x", due_on=in_days(3)
        )
    request = evidence_request_create(
        audit=review.audit,
        user=review.lead,
        assessments=[assessment],
        message="x",
        due_on=in_days(3),
    )
    contributor = world.users["contributor_a"]
    with pytest.raises(ActionForbiddenError):
        answer(review, request, "a.pdf", user=contributor)  # not assigned to the standard
    for outsider in (world.users["coordinator_b"], review.lead):
        with pytest.raises(ActionForbiddenError):
            answer(review, request, "a.pdf", user=outsider)
    assessment.assignees.add(contributor)  # as assigned before the seal
    assert answer(review, request, "a.pdf", user=contributor).answered_by == contributor
    with pytest.raises(ActionRefusedError, match="answered"):
        answer(review, request, "b.pdf")  # answered already: the auditor decides first
    with pytest.raises(ActionForbiddenError):
        evidence_request_decide(request=request, user=world.users["coordinator_a"], accept=True)


def test_a_file_with_personal_data_is_refused_and_nothing_is_added(review: Review) -> None:
    request = asked(review)
    before = files_of(review)
    with pytest.raises(EvidenceRefusedError, match="personal data"):
        evidence_request_answer(
            request=request,
            user=review.world.users["coordinator_a"],
            uploads=[pdf_upload("rota.pdf", "Call ana.garcia@hospital.example at night")[0]],
            comment="",
            confirmed_no_personal_data=True,
        )
    assert files_of(review) == before
    request.refresh_from_db()
    assert request.state == State.OPEN
    assert not EvidenceRequestAnswer.objects.for_institution(review.audit.institution_id).exists()


def test_closing_unanswered_and_what_is_refused_out_of_order(review: Review) -> None:
    request = asked(review)
    with pytest.raises(ActionRefusedError, match="Only an answered request"):
        evidence_request_decide(request=request, user=review.lead, accept=True)
    with pytest.raises(ActionRefusedError, match="why"):
        evidence_request_decide(request=request, user=review.lead, accept=False, reason=" ")
    evidence_request_decide(request=request, user=review.lead, accept=False, reason="Past due")
    request.refresh_from_db()
    assert request.state == State.UNANSWERED
    with pytest.raises(ActionRefusedError, match="takes no answer"):
        answer(review, request, "late.pdf")
    assert not request.is_overdue


def test_an_open_request_past_its_date_is_overdue(review: Review) -> None:
    request = asked(review)
    EvidenceRequest.objects.for_institution(review.audit.institution_id).filter(
        pk=request.pk
    ).update(due_on=in_days(-1))
    request.refresh_from_db()
    assert request.is_overdue


def test_a_text_past_its_limit_is_refused_with_the_limit(review: Review) -> None:
    review.form_team()
    with pytest.raises(ActionRefusedError, match="at most 5000 characters"):
        evidence_request_create(
            audit=review.audit,
            user=review.lead,
            assessments=review.assessments[:1],
            message="x" * 5001,
            due_on=in_days(3),
        )
    assert not EvidenceRequest.objects.for_institution(review.audit.institution_id).exists()
