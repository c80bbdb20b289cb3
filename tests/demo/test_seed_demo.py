from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from auditors.models import AuditorProfile, ConflictOfInterest
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.permissions import AuditAction, audit_policy
from audits.services.submission import dossier_gaps, manifest_verify
from certification.appeals import appeal_handling_refusal
from certification.models import Appeal, AppealFile, Certificate
from certification.renewal import renewal_refusal, renewal_start
from certification.services import decision_refusal, open_conditions
from demo.services import DEMO_FURTHER_INSTITUTIONS, DEMO_PASSWORD
from evidence.models import EvidenceFile, EvidenceRevision
from institutions.models import Institution, Membership
from reviews.models import (
    AssessmentInterview,
    AuditorAssignment,
    EvidenceRequest,
    EvidenceRequestAnswer,
)
from reviews.selectors import audit_evaluation, comment_list, report_outcome
from reviews.services.report import review_report_of
from tests.world import client_for

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, ...]:
    return (
        list(User.objects.order_by("pk").values()),
        list(Institution.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Group.objects.order_by("pk").values("name", "permissions")),
        list(User.groups.through.objects.order_by("pk").values()),
        list(AuditorProfile.objects.order_by("pk").values()),
        list(ConflictOfInterest.objects.order_by("pk").values()),
        list(Audit.unscoped.order_by("pk").values()),
        list(StandardAssessment.unscoped.order_by("pk").values()),
        list(EvidenceRevision.unscoped.order_by("pk").values()),
        list(AuditEvent.unscoped.order_by("pk").values()),
        list(Certificate.unscoped.order_by("pk").values()),
        list(Appeal.unscoped.order_by("pk").values()),
        list(AppealFile.unscoped.order_by("pk").values()),
    )


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_creates_the_demo_world() -> None:
    output = seed()
    # Three institutions with demo accounts, and further ones that fill the admin's list.
    institutions = Institution.objects.filter(memberships__isnull=False).distinct()
    assert institutions.count() == 3
    assert len({i.country.code for i in institutions}) == 3
    assert Institution.objects.count() == 3 + len(DEMO_FURTHER_INSTITUTIONS)
    assert Institution.objects.count() > 25  # more than one page of the institution list
    assert {i.setting for i in institutions} == {"hospital", "primary_care", "nursing_home"}
    for institution in institutions:
        roles = sorted(institution.memberships.values_list("role", flat=True))
        # The Spanish and the Dutch programmes have a peer supporter too (none of the dossiers).
        peers = institution.country.code in ("ES", "NL")
        assert roles == ["contributor", "coordinator"] + (["peer_supporter"] if peers else [])
    # Lucía, the peer supporter, sees none of the hospital's dossiers (her own application, in
    # the test below, needs the catalogue).
    peer = User.objects.get(email="peer@mediterraneo.example")
    assert not audit_policy.audits_for(peer, AuditAction.VIEW).exists()
    auditors = User.objects.filter(groups__name=AUDITORS)
    assert auditors.count() == 3
    assert all(a.has_perm("accounts.act_as_auditor") for a in auditors)
    assert AuditorProfile.objects.filter(user__in=auditors).count() == 3
    # Clara is qualified for the competences only: an override case in the candidate list.
    assert AuditorProfile.objects.get(user__email="auditor3@rescue.example").components == [
        "competences"
    ]
    assert ConflictOfInterest.objects.get().institution.name == "Gezondheidscentrum De Linde"
    admins = User.objects.filter(groups__name=ERNST_ADMINS).order_by("email")
    assert [a.email for a in admins] == ["admin@rescue.example", "appeals@rescue.example"]
    for admin in admins:
        assert admin.is_staff
        assert not admin.is_superuser
        assert admin.has_perm("standards.view_standard")
    # The accounts and the password are printed.
    assert DEMO_PASSWORD in output
    for user in User.objects.all():
        assert user.email in output


def test_seed_twice_changes_nothing() -> None:
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "nothing changed" in output


def test_printed_accounts_can_log_in(client: Client) -> None:
    seed()
    for email in ("coordinator@delinde.example", "auditor1@rescue.example", "admin@rescue.example"):
        response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == "/"
        client.post("/accounts/logout/")


@override_settings(DEMO_SEED_ALLOWED=False)
def test_seed_is_refused_where_demo_accounts_are_not_allowed() -> None:
    with pytest.raises(CommandError, match="seeding is refused"):
        seed()
    assert not User.objects.exists()


@pytest.mark.usefixtures("catalogue")
def test_seed_gives_every_institution_a_living_dossier() -> None:
    output = seed()
    intervention = Audit.unscoped.filter(component="intervention").select_related("institution")
    assert intervention.count() == 3
    sealed = intervention.get(status=Audit.Status.IN_REVIEW)
    assert sealed.institution.name == "Hospital Universitario del Mediterráneo"
    assert f"{sealed.get_component_display()} audit of {sealed.institution.name}" in output
    # The sealed dossier is complete, its manifest matches the stored files, an auditor is on it.
    assert dossier_gaps(audit=sealed) == []
    assert manifest_verify(audit=sealed) == []
    assert len(sealed.manifest["standards"]) == sealed.assessments.count() == 28
    # Ana leads and Bruno seconds the review; both accepted, both rated some standards (a few
    # differently), neither completed: the blind state.
    team = {
        a.auditor_email: a
        for a in AuditorAssignment.unscoped.filter(audit=sealed, ended_at__isnull=True)
    }
    assert {email: (a.role, a.state) for email, a in team.items()} == {
        "auditor1@rescue.example": ("lead", "accepted"),
        "auditor2@rescue.example": ("second", "accepted"),
    }
    assert all(a.completed_at is None and a.due_on for a in team.values())
    lead_ratings = dict(
        team["auditor1@rescue.example"].ratings.values_list("assessment_id", "rating")
    )
    second_ratings = dict(
        team["auditor2@rescue.example"].ratings.values_list("assessment_id", "rating")
    )
    assert (len(lead_ratings), len(second_ratings)) == (8, 5)
    assert any(lead_ratings[pk] != rating for pk, rating in second_ratings.items())
    # One file supports several standards: fewer files than standards.
    files = EvidenceFile.unscoped.filter(audit=sealed)
    assert 0 < files.count() < 28
    for audit in intervention.exclude(pk=sealed.pk):
        assert audit.status == Audit.Status.DRAFT
        rated = StandardAssessment.unscoped.filter(audit=audit).exclude(self_rating="")
        assert 0 < rated.count() < audit.assessments.count()
        assert dossier_gaps(audit=audit)  # in progress: something is still missing
    kinds = set(EvidenceRevision.unscoped.values_list("kind", flat=True))
    assert {"pdf", "xlsx"} <= kinds
    # Generated files hold no personal data: nothing is flagged.
    assert not [r for r in EvidenceRevision.unscoped.all() if r.is_flagged]
    # Ana has asked for more evidence twice: one request open, one answered (the first addendum).
    requests = EvidenceRequest.objects.for_institution(sealed.institution).filter(audit=sealed)
    assert sorted(requests.values_list("state", flat=True)) == ["answered", "open"]
    assert EvidenceRequestAnswer.objects.for_institution(
        sealed.institution
    ).get().previous_digest == (sealed.manifest_digest)
    # The Spanish hospital's Training dossier awaits the certification decision.
    spanish_training = Audit.unscoped.get(
        component="training", institution__name="Hospital Universitario del Mediterráneo"
    )
    assert spanish_training.status == Audit.Status.FINAL_REPORT


@pytest.mark.usefixtures("catalogue")
def test_the_certification_demo_awaits_a_decision_and_fills_the_register() -> None:
    """The Spanish hospital's Training review is final, its one minor nonconformity planned;
    the Austrian nursing home's is certified; the register holds further institutions'
    certificates, one suspended, and one institution's Mastery."""
    seed()
    spanish = Audit.unscoped.get(
        component="training", institution__name="Hospital Universitario del Mediterráneo"
    )
    assert decision_refusal(User.objects.get(email="admin@rescue.example"), spanish) is None
    [condition] = open_conditions(spanish)
    assert (condition.grade, condition.plan.state) == ("minor", "accepted")
    austrian = Audit.unscoped.get(component="training", institution__name="Pflegeheim Am Lindenhof")
    assert austrian.status == Audit.Status.DECIDED
    certified = Certificate.unscoped.get(audit=austrian)
    assert (certified.scheme, certified.status) == ("training", "active")
    public = Certificate.unscoped.filter(status__in=Certificate.PUBLIC)
    assert public.filter(status="suspended").count() == 1
    mastery = public.get(scheme="mastery")
    assert mastery.institution.name == "University Hospital Galway"
    assert mastery.based_on.count() == 2


@pytest.mark.usefixtures("catalogue")
def test_the_austrian_decision_is_appealed_and_waits_for_an_admin_off_it() -> None:
    """The nursing home's coordinator appealed its Training decision with a file; the admin who
    decided may not handle it, the demo's second admin may."""
    seed()
    appeal = Appeal.unscoped.select_related("decision__audit").get()
    assert appeal.institution.name == "Pflegeheim Am Lindenhof"
    assert appeal.state == Appeal.State.LODGED
    assert appeal.lodged_by_email == "coordinator@lindenhof.example"
    [file] = appeal.files.all()
    assert (file.kind, file.is_flagged) == ("pdf", False)
    decider = User.objects.get(email="admin@rescue.example")
    assert "You took the decision" in (appeal_handling_refusal(decider, appeal) or "")
    assert appeal_handling_refusal(User.objects.get(email="appeals@rescue.example"), appeal) is None


@pytest.mark.usefixtures("catalogue")
def test_the_austrian_certificate_is_renewed_in_the_demo_with_the_window_widened() -> None:
    """The demo's certificates are young: ``RENEWAL_WINDOW_MONTHS=60`` (as the README says)
    opens the nursing home's renewal now, and it is pre-filled from the certified audit."""
    seed()
    certificate = Certificate.unscoped.get(
        institution__name="Pflegeheim Am Lindenhof", scheme="training"
    )
    coordinator = User.objects.get(email="coordinator@lindenhof.example")
    assert "renewal opens" in (renewal_refusal(coordinator, certificate) or "").lower()
    with override_settings(RENEWAL_WINDOW_MONTHS=60):
        assert renewal_refusal(coordinator, certificate) is None
        renewal = renewal_start(certificate=certificate, user=coordinator)
    source = certificate.audit
    assert renewal.copied == source.assessments.count() == 11
    live = EvidenceFile.unscoped.filter(audit=source, deleted_at__isnull=True).count()
    assert (renewal.carried, renewal.outside_window) == (live, 0)
    assert EvidenceFile.unscoped.filter(audit=renewal.audit, carried_from__isnull=False).count()
    assert renewal.audit.status == Audit.Status.DRAFT


@pytest.mark.usefixtures("catalogue")
def test_the_dutch_training_review_has_its_draft_report_released_and_a_reply_in_progress() -> None:
    """Ana reviewed the Dutch centre's Training dossier alone: the rule evaluation is final, two
    nonconformities (major and minor) and an observation; she released the draft report; the
    centre has a plan for each nonconformity (one accepted) and a comment not answered yet."""
    seed()
    audit = Audit.unscoped.select_related("catalogue_version").get(
        component="training", institution__name="Gezondheidscentrum De Linde"
    )
    assert audit.status == Audit.Status.DRAFT_RELEASED
    evaluation = audit_evaluation(audit=audit)
    assert evaluation.complete
    assert evaluation.proposed is None
    [level] = evaluation.levels
    assert level.rules[0].short == ("TRA03", "TRA07")
    outcome = report_outcome(audit=audit)
    findings = [
        (f.finding.assessment.standard.code, f.finding.kind, f.finding.grade)
        for f in outcome.findings
    ]
    assert findings == [
        ("TRA01", "observation", ""),
        ("TRA03", "nonconformity", "minor"),
        ("TRA07", "nonconformity", "major"),
    ]
    plans = {f.finding.assessment.standard.code: f.plan.state for f in outcome.nonconformities}
    assert plans == {"TRA03": "accepted", "TRA07": "submitted"}
    report = review_report_of(audit)
    assert report.reply_open
    assert report.recommendation == "do_not_certify"
    thread = [(c.finding_id is not None, c.outcome) for c in comment_list(audit=audit)]
    assert thread == [(True, ""), (False, "accepted")]


def test_lucia_applies_for_her_competences_endorsed_and_the_coordinator_sees_only_the_stage(
    catalogue: None,
) -> None:
    seed()
    peer = User.objects.get(email="peer@mediterraneo.example")
    application = Audit.unscoped.get(applicant=peer)
    assert (application.component, application.status) == ("competences", "in_review")
    assert application.endorsed_by_email == "coordinator@mediterraneo.example"
    assert manifest_verify(audit=application) == []
    rated = StandardAssessment.unscoped.filter(audit=application).exclude(self_rating="")
    assert rated.count() == application.assessments.count() == 14
    files = EvidenceFile.unscoped.filter(audit=application)
    assert sorted(f.current.original_name for f in files) == [
        "peer-supporter-training-certificate.pdf",
        "record-of-supervised-practice.pdf",
        "reflective-statement.pdf",
    ]
    team = AuditorAssignment.unscoped.filter(audit=application, state="accepted")
    assert sorted(team.values_list("auditor__email", "role")) == [
        ("auditor1@rescue.example", "second"),
        ("auditor3@rescue.example", "lead"),
    ]
    assert AssessmentInterview.objects.for_institution(application.institution_id).count() == 1
    coordinator = client_for(User.objects.get(email="coordinator@mediterraneo.example"))
    assert coordinator.get(f"/audits/{application.pk}/").status_code == 404
    listed = coordinator.get(f"/institutions/{application.institution_id}/applications/")
    assert "Lucía Martín" in listed.content.decode()
    assert "In review" in listed.content.decode()
    assert "reflective-statement.pdf" not in listed.content.decode()
    assert client_for(peer).get(f"/audits/{application.pk}/").status_code == 200
    clara = client_for(User.objects.get(email="auditor3@rescue.example"))
    interviews = clara.get(f"/audits/{application.pk}/review/interviews/")
    assert "listens without interrupting" in interviews.content.decode()


def test_sofia_moved_to_the_dutch_centre_and_her_certificate_stays_hers(catalogue: None) -> None:
    seed()
    sofia = User.objects.get(email="peer@delinde.example")
    assert [m.institution.name for m in Membership.objects.filter(user=sofia)] == [
        "Gezondheidscentrum De Linde"
    ]
    certificate = Certificate.unscoped.get(holder=sofia)
    assert certificate.number.startswith("RESCUE-COM-")
    assert (certificate.status, certificate.holder_name) == ("active", "Sofía Navarro")
    assert certificate.institution.name == "Hospital Universitario del Mediterráneo"
    assert certificate.register_consent_at is not None
    client = client_for(sofia)
    assert client.get(f"/certificates/{certificate.pk}/").status_code == 200
    register = Client().get("/register/", {"q": "Navarro"}).content.decode()
    assert certificate.number in register
    verify = Client().get(f"/verify/{certificate.code}/").content.decode()
    assert "Sofía Navarro" in verify
    spanish = client_for(User.objects.get(email="coordinator@mediterraneo.example"))
    assert spanish.get(f"/certificates/{certificate.pk}/").status_code == 404
