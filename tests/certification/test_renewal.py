"""Renewal: from six months before expiry the coordinator starts a renewal audit pre-filled from
the last one (self-assessments as drafts, evidence inside the look-back window carried forward to
confirm); the certificate it leads to supersedes the one renewed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.assessments import assessment_self_rate
from audits.services.submission import dossier_gaps
from certification.models import Certificate, CertificateEvent, Renewal
from certification.renewal import months_before, renewal_refusal, renewal_start
from certification.services import certificate_change, certificate_issue, decision_take
from evidence.models import EvidenceFile
from rescue.errors import ActionForbiddenError, ActionRefusedError
from tests.certification.conftest import finalised
from tests.reviews.conftest import Review
from tests.world import client_for

pytestmark = pytest.mark.django_db


def certified(review: Review, *, months_left: int = 3) -> Certificate:
    """The review's Training audit certified, its certificate expiring in ``months_left``."""
    finalised(review)
    decision_take(
        audit=review.reload(),
        user=review.admin,
        outcome="certify",
        level="",
        reason="Every standard met but one minor with a plan",
        departure_reason="The plan closes it",
    )
    certificate = Certificate.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit
    )
    certificate.expires_on = timezone.localdate() + timedelta(days=30 * months_left)
    certificate.save(update_fields=["expires_on"])
    return certificate


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(date(2031, 8, 31), 6) == date(2031, 2, 28)
    assert months_before(date(2031, 3, 15), 6) == date(2030, 9, 15)
    assert months_before(date(2031, 12, 1), 6) == date(2031, 6, 1)


def test_the_renewal_opens_six_months_before_the_expiry(review: Review) -> None:
    certificate = certified(review, months_left=8)
    coordinator = review.world.users["coordinator_a"]
    refusal = renewal_refusal(coordinator, certificate)
    assert refusal is not None
    assert "The renewal opens on" in refusal
    with pytest.raises(ActionRefusedError, match="The renewal opens on"):
        renewal_start(certificate=certificate, user=coordinator)
    certificate.expires_on = timezone.localdate() + timedelta(days=170)
    certificate.save(update_fields=["expires_on"])
    assert renewal_refusal(coordinator, certificate) is None


def test_the_renewal_audit_is_prefilled_from_the_last_one(review: Review) -> None:
    certificate = certified(review)
    old_files = list(
        EvidenceFile.objects.for_institution(review.audit.institution_id).filter(
            audit=review.audit, deleted_at__isnull=True
        )
    )
    stale = old_files[0]  # dated before the new look-back window: left behind
    EvidenceFile.unscoped.filter(pk=stale.pk).update(
        effective_date=timezone.localdate() - timedelta(days=365 * 6)
    )
    renewal = renewal_start(certificate=certificate, user=review.world.users["coordinator_a"])
    audit = renewal.audit
    assert audit.status == Audit.Status.DRAFT
    assert audit.component == "training"
    new = {
        a.standard.code: a
        for a in StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
    }
    old = {
        a.standard.code: a
        for a in StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=review.audit)
        .select_related("standard")
    }
    assert set(new) == set(old)
    for code, assessment in new.items():
        assert assessment.self_rating == old[code].self_rating
        assert assessment.narrative == old[code].narrative
        assert assessment.copied_at is not None
    carried = list(
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("current_revision")
        .prefetch_related("links__assessment__standard")
    )
    assert {f.carried_from_id for f in carried} == {f.pk for f in old_files} - {stale.pk}
    assert all(f.to_confirm for f in carried)
    by_source = {f.pk: f for f in old_files}
    for evidence in carried:
        source = by_source[evidence.carried_from_id]
        assert evidence.current.sha256 == source.current.sha256
        assert evidence.current.file.name == source.current.file.name
        assert {link.assessment.standard.code for link in evidence.links.all()} == {
            link.assessment.standard.code for link in source.links.all()
        }
    assert (renewal.copied, renewal.carried, renewal.outside_window) == (
        len(new),
        len(carried),
        1,
    )
    problems = [g.problem for g in dossier_gaps(audit=audit)]
    assert problems.count(
        "self-assessment copied from the last audit: review it and save it"
    ) == len(new)
    assert sum("carried forward from the last audit" in p for p in problems) == len(carried)
    event = AuditEvent.objects.for_institution(audit.institution_id).get(
        audit=audit, action=AuditEvent.Action.RENEWAL_STARTED
    )
    assert event.details["certificate"] == certificate.number
    assert event.details["outside_window"] == 1


def test_saving_a_copied_self_assessment_makes_it_ones_own(review: Review) -> None:
    renewal = renewal_start(certificate=certified(review), user=review.world.users["coordinator_a"])
    assessment = (
        StandardAssessment.objects.for_institution(renewal.institution_id)
        .filter(audit=renewal.audit)
        .first()
    )
    assert assessment is not None
    assessment_self_rate(
        assessment=assessment,
        user=review.world.users["coordinator_a"],
        self_rating="met",
        narrative="Still true in 2031",
    )
    assessment.refresh_from_db()
    assert assessment.copied_at is None


def test_carried_files_are_confirmed_on_their_page_by_who_may_change_them(
    review: Review,
) -> None:
    renewal = renewal_start(certificate=certified(review), user=review.world.users["coordinator_a"])
    audit = renewal.audit
    files = list(EvidenceFile.objects.for_institution(audit.institution_id).filter(audit=audit))
    url = reverse("audits:evidence_carried", args=[audit.pk])
    coordinator = review.world.client("coordinator_a")
    page = coordinator.get(url)
    assert page.status_code == 200
    assert files[0].current.original_name in page.content.decode()
    # Someone of another institution does not reach it; an ERNST admin reads but may not confirm.
    assert review.world.client("coordinator_b").get(url).status_code == 404
    assert (
        review.world.client("coordinator_b").post(url, {"files": [files[0].pk]}).status_code == 404
    )
    admin = client_for(review.admin)
    assert admin.post(url, {"files": [files[0].pk]}).status_code == 403
    assert coordinator.post(url, {"files": []}).status_code == 400
    response = coordinator.post(url, {"files": [f.pk for f in files[:2]]})
    assert response.status_code == 302
    confirmed = EvidenceFile.objects.for_institution(audit.institution_id).filter(
        audit=audit, carried_confirmed_at__isnull=False
    )
    assert set(confirmed.values_list("pk", flat=True)) == {f.pk for f in files[:2]}
    assert (
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit, action=AuditEvent.Action.CARRIED_CONFIRMED)
        .count()
        == 1
    )
    again = coordinator.post(url, {"files": [files[0].pk]})
    assert again.status_code == 400  # nothing waiting among those named


@pytest.mark.parametrize(
    ("who", "error"),
    [("contributor_a", ActionForbiddenError), ("admin", ActionForbiddenError)],
)
def test_only_a_coordinator_renews(review: Review, who: str, error: type) -> None:
    certificate = certified(review)
    with pytest.raises(error):
        renewal_start(certificate=certificate, user=review.world.users[who])


def test_a_certificate_not_active_or_already_renewing_is_refused(review: Review) -> None:
    certificate = certified(review)
    coordinator = review.world.users["coordinator_a"]
    certificate_change(certificate=certificate, user=review.admin, change="suspend", reason="Check")
    with pytest.raises(ActionRefusedError, match="only an active certificate is renewed"):
        renewal_start(certificate=certificate, user=coordinator)
    certificate_change(
        certificate=certificate, user=review.admin, change="reinstate", reason="Fine"
    )
    renewal_start(certificate=certificate, user=coordinator)
    with pytest.raises(ActionRefusedError, match="under way already"):
        renewal_start(certificate=certificate, user=coordinator)


@pytest.mark.parametrize("expired_first", [False, True])
def test_the_renewals_certificate_supersedes_the_one_renewed(
    review: Review, expired_first: bool
) -> None:
    certificate = certified(review)
    renewal = renewal_start(certificate=certificate, user=review.world.users["coordinator_a"])
    if expired_first:
        Certificate.unscoped.filter(pk=certificate.pk).update(status=Certificate.Status.EXPIRED)
    new = certificate_issue(
        institution_id=certificate.institution_id,
        scheme=certificate.scheme,
        setting=certificate.setting,
        user=review.admin,
        audit=renewal.audit,
    )
    certificate.refresh_from_db()
    assert certificate.superseded_by == new
    if expired_first:
        assert certificate.status == Certificate.Status.EXPIRED
    else:
        assert certificate.status == Certificate.Status.SUPERSEDED
        event = certificate.events.get(action=CertificateEvent.Action.SUPERSEDED)
        assert new.number in event.reason


def test_the_certificate_page_starts_the_renewal(review: Review) -> None:
    certificate = certified(review)
    page_url = reverse("certification:certificate", args=[certificate.pk])
    coordinator = review.world.client("coordinator_a")
    assert "Start the renewal audit" in coordinator.get(page_url).content.decode()
    response = coordinator.post(reverse("certification:certificate_renew", args=[certificate.pk]))
    renewal = Renewal.objects.for_institution(certificate.institution_id).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[renewal.audit_id])
    dashboard = coordinator.get(response["Location"]).content.decode()
    assert f"Renewal of {certificate.number}" in dashboard
    assert "carried-forward files to confirm" in dashboard
    again = coordinator.post(reverse("certification:certificate_renew", args=[certificate.pk]))
    assert again.status_code == 400
    other = review.world.client("coordinator_b")
    assert (
        other.post(reverse("certification:certificate_renew", args=[certificate.pk])).status_code
        == 404
    )


def test_the_api_starts_and_reads_the_renewal_and_confirms_files(review: Review) -> None:
    certificate = certified(review)
    url = reverse("certificate-renewal", args=[certificate.pk])
    coordinator = review.world.client("coordinator_a")
    assert coordinator.get(url).status_code == 404
    created = coordinator.post(url)
    assert created.status_code == 201
    body = created.json()
    assert body["certificate_number"] == certificate.number
    assert body["audit_status"] == "draft"
    assert coordinator.get(url).json()["id"] == body["id"]
    assert review.world.client("coordinator_b").post(url).status_code == 404
    carried_url = reverse("audit-evidence-carried", args=[body["audit"]])
    waiting = coordinator.get(carried_url).json()
    assert len(waiting) == body["carried"]
    assert all(item["to_confirm"] for item in waiting)
    confirmed = coordinator.post(
        carried_url, {"files": [waiting[0]["id"]]}, content_type="application/json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json() == {"confirmed": 1, "remaining": body["carried"] - 1}
    unknown = coordinator.post(carried_url, {"files": [2**31 - 1]}, content_type="application/json")
    assert unknown.status_code == 400
    assert review.world.client("coordinator_b").get(carried_url).status_code == 404
