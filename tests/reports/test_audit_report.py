"""The audit report: the review's outcome as a PDF on the reports pipeline (reports/audit.py).

A Training review driven through its whole course (two auditors who diverge on one standard, an
evidence request answered, findings graded, the draft released, the institution's replies
answered, a corrective-action plan, the final report): the PDF shows what the review found and
never the auditors' originals nor their notes; it is the institution's language; its digest
follows what it shows; and the audit reports reach the team and ERNST once the review is
complete, the institution's coordinators only from the release of the draft."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from audits.models import Audit
from audits.services.applications import audit_create
from audits.services.submission import audit_submit
from evidence.models import EvidenceFile
from institutions.models import Institution
from reports import services
from reports.audit import audit_context, audit_input, audit_input_digest
from reports.models import Report
from reports.permissions import report_policy
from reports.rendering import RenderedPdf
from rescue.errors import ActionRefusedError
from reviews.models import AuditorRating, ConsolidatedRating, CorrectiveAction, Finding
from reviews.services.consolidation import divergence_decide
from reviews.services.findings import finding_grade, observation_add
from reviews.services.plans import action_done, plan_decide, plan_submit
from reviews.services.report import (
    recommendation_set,
    replies_done,
    report_comment_add,
    report_comment_answer,
    report_finalise,
    report_release,
)
from reviews.services.requests import (
    evidence_request_answer,
    evidence_request_create,
    evidence_request_decide,
)
from reviews.services.team import assignment_withdraw
from standards.choices import Component, Setting
from tests.audits.support import complete_dossier, pdf_upload
from tests.factories import UserFactory
from tests.reviews import conftest as reviews_conftest
from tests.reviews.conftest import Review, qualify
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

review = reviews_conftest.review  # the fixture: a submitted Training dossier of institution A

# Never in the report: the auditors' notes, and the originals the lead did not keep.
LEAD_NOTE = "LEAD-PRIVATE-NOTE-4R"
SECOND_NOTE = "SECOND-PRIVATE-NOTE-8T"
LEAD_ORIGINAL = "LEAD-ORIGINAL-RATIONALE-2M"
SECOND_ORIGINAL = "SECOND-ORIGINAL-RATIONALE-6P"
SECRETS = (LEAD_NOTE, SECOND_NOTE, LEAD_ORIGINAL, SECOND_ORIGINAL)
# In the report: the lead's decision on the divergence, and the course's texts.
CONSOLIDATED = "The day rota is in place, the night rota is not."
DIVERGENCE_REASON = "The second auditor's reading of E4 is the right one."
REQUEST_MESSAGE = "The supervision log of the last year is missing."
REQUEST_ANSWER = "Here is the supervision log since January."
RECOMMENDATION = "One major gap in supervision, a corrective plan is expected."
COMMENT_ON_FINDING = "Our refresher records show the standard is met."
COMMENT_GENERAL = "Thank you for a thorough review."
ANSWER_ACCEPTED = "The refresher records convince: the standard is met."
ANSWER_MAINTAINED = "Noted with thanks."
PLAN_CAUSE = "No one was in charge of supervision rotas."
ACTION = "Appoint a supervision coordinator"
ACTION_OWNER = "Head of training"


def in_days(days: int) -> Any:
    return timezone.localdate() + timedelta(days=days)


@dataclass
class Course:
    """The review's cast and the standards it turns on."""

    review: Review
    coordinator: User
    divergent: str  # the auditors diverge; the lead decides partially met (major)
    agreed: str  # both rate it partially met (minor; withdrawn on the institution's reply)
    short: list[str]  # more standards both rate not met (minor)
    observed: str  # an observation

    @property
    def audit(self) -> Audit:
        return self.review.reload()

    def finding(self, code: str) -> Finding:
        return (
            Finding.objects.for_institution(self.audit.institution_id)
            .select_related("assessment__standard")
            .get(audit=self.audit, assessment__standard__code=code, kind="nonconformity")
        )


def rated(review: Review, *, short: int = 1, coordinator: User | None = None) -> Course:
    """Both auditors rate every standard and complete; the lead decides the one divergence. An
    evidence request is asked, answered and accepted on the way."""
    codes = review.codes
    course = Course(
        review,
        coordinator=coordinator or review.world.users["coordinator_a"],
        divergent=codes[1],
        agreed=codes[2],
        short=codes[3 : 3 + short],
        observed=codes[-1],
    )
    review.form_team()
    by_code = {a.standard.code: a for a in review.assessments}
    request = evidence_request_create(
        audit=review.reload(),
        user=review.second,
        assessments=[by_code[codes[0]]],
        message=REQUEST_MESSAGE,
        due_on=in_days(10),
    )
    evidence_request_answer(
        request=request,
        user=course.coordinator,
        uploads=[pdf_upload("supervision-log.pdf", "Supervision log")[0]],
        comment=REQUEST_ANSWER,
        confirmed_no_personal_data=True,
    )
    evidence_request_decide(request=request, user=review.lead, accept=True)
    ratings = dict.fromkeys(codes, "met")
    ratings |= {course.agreed: "partially_met"} | dict.fromkeys(course.short, "not_met")
    for user, note in ((review.lead, LEAD_NOTE), (review.second, SECOND_NOTE)):
        review.rate(user, {c: r for c, r in ratings.items() if c != course.divergent}, notes=note)
    review.rate(review.lead, {course.divergent: "not_met"}, text=LEAD_ORIGINAL, notes=LEAD_NOTE)
    review.rate(
        review.second, {course.divergent: "partially_met"}, text=SECOND_ORIGINAL, notes=SECOND_NOTE
    )
    review.complete(review.lead)
    review.complete(review.second)
    divergence = ConsolidatedRating.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit, assessment__standard__code=course.divergent
    )
    divergence_decide(
        consolidated=divergence,
        user=review.lead,
        rating="partially_met",
        rationale=CONSOLIDATED,
        reason=DIVERGENCE_REASON,
        base_version=divergence.version,
    )
    assert review.reload().status == Audit.Status.REVIEW_COMPLETE
    return course


def graded(review: Review, *, short: int = 1, coordinator: User | None = None) -> Course:
    """Reviewed, every nonconformity graded and stated, an observation, the recommendation."""
    course = rated(review, short=short, coordinator=coordinator)
    audit = course.audit
    for finding in Finding.objects.for_institution(audit.institution_id).filter(audit=audit):
        code = finding.assessment.standard.code
        finding_grade(
            finding=finding,
            user=review.lead,
            grade="major" if code == course.divergent else "minor",
            statement=f"Statement of the finding on {code}",
            base_version=finding.version,
        )
    by_code = {a.standard.code: a for a in review.assessments}
    observation_add(
        audit=audit,
        assessment=by_code[course.observed],
        user=review.lead,
        statement=f"Could publish the results of {course.observed}",
    )
    recommendation_set(
        audit=audit,
        user=review.lead,
        recommendation="conditions",
        level="",
        reason=RECOMMENDATION,
        base_version=None,
    )
    return course


def released(review: Review, *, short: int = 1, coordinator: User | None = None) -> Course:
    course = graded(review, short=short, coordinator=coordinator)
    report_release(audit=course.audit, user=review.lead)
    return course


def replied(course: Course) -> None:
    """The institution comments on a finding and on the whole; the lead accepts the first (the
    standard is met: the finding is withdrawn) and maintains the other; a plan is submitted,
    accepted and its action reported done."""
    lead, coordinator = course.review.lead, course.coordinator
    on_finding = report_comment_add(
        audit=course.audit,
        user=coordinator,
        text=COMMENT_ON_FINDING,
        finding_id=course.finding(course.agreed).pk,
    )
    general = report_comment_add(audit=course.audit, user=coordinator, text=COMMENT_GENERAL)
    report_comment_answer(
        comment=on_finding, user=lead, outcome="accepted", answer=ANSWER_ACCEPTED, rating="met"
    )
    report_comment_answer(
        comment=general, user=lead, outcome="maintained", answer=ANSWER_MAINTAINED
    )
    plan = plan_submit(
        finding=course.finding(course.divergent),
        user=coordinator,
        cause=PLAN_CAUSE,
        actions=[{"description": ACTION, "owner": ACTION_OWNER, "due_on": in_days(30)}],
    )
    plan_decide(plan=plan, user=lead, accept=True)
    action_done(
        action=CorrectiveAction.objects.for_institution(plan.institution_id).get(plan=plan),
        user=coordinator,
        note="The coordinator was appointed in May.",
        uploads=[pdf_upload("appointment.pdf", "Appointment letter")[0]],
        confirmed_no_personal_data=True,
    )


def finalised(review: Review) -> Course:
    course = released(review)
    replied(course)
    replies_done(audit=course.audit, user=course.coordinator)
    report_finalise(audit=course.audit, user=review.lead)
    return course


def latest(audit: Audit, kind: str = Report.Kind.AUDIT) -> Report:
    return (
        Report.objects.for_institution(audit.institution_id)
        .filter(audit=audit, kind=kind)
        .order_by("-version")
        .first()
    )


def rendered(audit: Audit) -> tuple[Report, str]:
    """The latest audit report, rendered for real; its text as a reader copying it gets it."""
    report = services.report_render(report_id=latest(audit).pk)
    assert report is not None
    assert report.status == Report.Status.READY, report.error
    with report.file.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages]
    assert len(pages) == report.page_count
    return report, " ".join(" ".join(pages).split())


def squeeze(text: str) -> str:
    return "".join(text.split())


def context_text(audit: Audit) -> tuple[str, str]:
    """The input the digest is made of, and the report's HTML, as text."""
    context = audit_context(audit)
    html = render_to_string("pdf/audit.html", context | {"language": "en", "report": None})
    return str(audit_input(context, language="en", kind="audit")), unescape(html)


# --- What the report shows ----------------------------------------------------------------------


def test_the_final_report_shows_the_review_its_course_and_the_reply_thread(review: Review) -> None:
    course = finalised(review)
    audit = course.audit
    report, text = rendered(audit)
    flat = squeeze(text)
    assert report.language == "en"
    assert f"Audit report v{report.version} · Final report" in text
    assert "Preview for the review team" not in text
    # The cover: scope, the dates of the course, the team.
    review_report = audit.review_report
    for shown in (
        "Hospital A",
        "RESCUE-Training",
        audit.catalogue_version.version,
        f"since {audit.lookback_start:%-d %B %Y}",
        f"Dossier submitted {timezone.localtime(audit.submitted_at):%-d %B %Y %H:%M}",
        f"Draft released {timezone.localtime(review_report.released_at):%-d %B %Y %H:%M}",
        f"Final report {timezone.localtime(review_report.finalised_at):%-d %B %Y %H:%M}",
        f"until {timezone.localtime(review_report.reply_until):%-d %B %Y %H:%M}",
        review.lead.email,
        review.second.email,
        "Lead auditor",
        "Second auditor",
    ):
        assert squeeze(shown) in flat, shown
    # Every standard with its self-rating, the team's rating, and the files the auditors cited.
    consolidated = list(
        ConsolidatedRating.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("assessment__standard")
        .order_by("assessment__standard__order")
    )
    assert len(consolidated) == len(review.codes) == 11
    for rating in consolidated:
        standard = rating.assessment.standard
        entry = flat[flat.index(squeeze(f"{standard.code} {standard.title}")) :][:600]
        expected = f"Self-rating: Met · Consolidated rating: {rating.get_rating_display()}"
        assert squeeze(expected) in entry, standard.code
        cited = EvidenceFile.objects.for_institution(audit.institution_id).get(
            pk=review.files[standard.code][0].pk
        )
        assert f"Evidencecited:E{cited.number}" in entry, standard.code
    assert squeeze(CONSOLIDATED) in flat
    # The findings with their grades, the withdrawn one said so, the plan and its action.
    assert squeeze(f"Major nonconformity Statement of the finding on {course.divergent}") in flat
    for code in course.short:
        assert squeeze(f"Minor nonconformity Statement of the finding on {code}") in flat
    assert squeeze("Minor nonconformity · Withdrawn after the institution's reply") in flat
    assert squeeze(f"Observation Could publish the results of {course.observed}") in flat
    for shown in (PLAN_CAUSE, ACTION, ACTION_OWNER, "The coordinator was appointed in May."):
        assert squeeze(shown) in flat, shown
    assert "appointment.pdf" in text
    # The evidence request and its outcome.
    for shown in (
        REQUEST_MESSAGE,
        f"Answer by {course.coordinator.email}",
        REQUEST_ANSWER,
        "supervision-log.pdf",
        f"due {in_days(10):%-d %B %Y} · Accepted",
    ):
        assert squeeze(shown) in flat, shown
    # The divergence with the lead's reason; the rule evaluation; the recommendation.
    assert squeeze(DIVERGENCE_REASON) in flat
    assert squeeze("Decided by the lead auditor") in flat
    evaluation = audit_context(audit)["evaluation"]
    assert evaluation.complete
    assert squeeze(evaluation.proposal) in flat
    for level in evaluation.levels:
        assert squeeze(f"{level.label}: {'passes' if level.passed else 'fails'}") in flat
        for rule in level.rules:
            assert squeeze(rule.label) in flat
            assert squeeze(rule.explanation) in flat
    assert squeeze("Certify on conditions") in flat
    assert squeeze(RECOMMENDATION) in flat
    # The reply thread: the comments, the answers, what changed.
    for shown in (COMMENT_ON_FINDING, COMMENT_GENERAL, ANSWER_ACCEPTED, ANSWER_MAINTAINED):
        assert squeeze(shown) in flat, shown
    assert squeeze(f"On the finding on {course.agreed}") in flat
    assert squeeze("On the report as a whole") in flat
    assert squeeze("Consolidated rating changed: Partially met → Met.") in flat
    assert squeeze("The finding is withdrawn.") in flat
    assert squeeze("Maintained") in flat
    # Never the auditors' originals nor their notes.
    for secret in SECRETS:
        assert squeeze(secret) not in flat


def test_the_originals_and_the_notes_are_never_read_into_the_report(review: Review) -> None:
    course = finalised(review)
    ratings = AuditorRating.objects.for_institution(course.audit.institution_id).filter(
        audit=course.audit
    )
    for secret in (LEAD_NOTE, SECOND_NOTE):  # they are there, beside the ratings
        assert ratings.filter(notes=secret).count() == len(review.codes)
    for secret in (LEAD_ORIGINAL, SECOND_ORIGINAL):
        assert ratings.filter(rationale__startswith=secret).count() == 1
    data, html = context_text(course.audit)
    assert DIVERGENCE_REASON in data
    assert DIVERGENCE_REASON in html
    assert CONSOLIDATED in html
    for secret in SECRETS:
        assert secret not in data
        assert secret not in html


def test_the_draft_released_says_draft_and_when_the_reply_closes(review: Review) -> None:
    course = released(review)
    audit = course.audit
    report, text = rendered(audit)  # queued by the release
    assert report.version == 1
    assert f"Audit report v{report.version} · Draft" in text
    assert "Final report not issued yet" in text
    until = timezone.localtime(audit.review_report.reply_until)
    assert squeeze(f"may comment on it until {until:%-d %B %Y %H:%M}") in squeeze(text)
    assert "The institution made no comment." in text
    assert "Preview for the review team" not in text


def test_the_team_s_preview_before_the_release_says_so(review: Review) -> None:
    course = graded(review)
    services.report_request(audit=course.audit, user=review.second, kind=Report.Kind.AUDIT)
    _report, text = rendered(course.audit)
    assert "Draft" in text
    assert "Preview for the review team, not released." in text
    assert "Audit report v1 · Draft (preview for the review team)" in text
    assert "Draft released not released yet" in text
    assert squeeze(RECOMMENDATION) in squeeze(text)


def test_the_report_is_in_the_institution_s_language(review: Review) -> None:
    institution = review.world.institution_a
    institution.preferred_language = "es"
    institution.save()
    course = finalised(review)
    report, text = rendered(course.audit)
    flat = squeeze(text)
    assert report.language == "es"
    for label in (
        "Informe de auditoría",
        "Informe final",
        "Equipo auditor",
        "Auditor jefe",
        "Autoevaluación: Cumplido · Valoración consolidada: Cumplido parcialmente",
        "No conformidad mayor",
        "Retirado tras la respuesta de la institución",
        "Hallazgos y acciones correctivas",
        "Plan de acciones correctivas",
        "Solicitudes de evidencia",
        "Divergencias entre los auditores",
        "Evaluación de las reglas",
        "Certificar con condiciones",
        "La recomendación del auditor jefe",
        "Hilo de respuestas",
        "Sobre el informe en su conjunto",
        "Valoración consolidada cambiada: Cumplido parcialmente → Cumplido.",
        "El hallazgo queda retirado.",
        "Mantenido",
    ):
        assert squeeze(label) in flat, label
    with translation.override("es"):
        evaluation = audit_context(course.audit)["evaluation"]
        spanish = [evaluation.proposal] + [r.label for lvl in evaluation.levels for r in lvl.rules]
    with translation.override("en"):
        english = audit_context(course.audit)["evaluation"].proposal
    assert spanish[0] != english
    for label in spanish:
        assert squeeze(label) in flat, label
    for english in ("Consolidated rating", "Findings and corrective actions", "Reply thread"):
        assert english not in text
    assert squeeze(COMMENT_ON_FINDING) in flat  # the institution's own words, as written


# --- The digest: what the report shows, and nothing else ----------------------------------------


def test_the_digest_follows_the_course_and_stays_for_an_unchanged_audit(review: Review) -> None:
    course = released(review)
    lead, coordinator = review.lead, course.coordinator

    def digest() -> str:
        return audit_input_digest(course.audit, "en")

    seen = [digest()]
    assert digest() == seen[-1]  # unchanged: the same digest
    comment = report_comment_add(
        audit=course.audit,
        user=coordinator,
        text=COMMENT_ON_FINDING,
        finding_id=course.finding(course.divergent).pk,
    )
    seen.append(digest())
    report_comment_answer(comment=comment, user=lead, outcome="maintained", answer="Kept.")
    seen.append(digest())
    plan_submit(
        finding=course.finding(course.divergent),
        user=coordinator,
        cause=PLAN_CAUSE,
        actions=[{"description": ACTION, "owner": ACTION_OWNER, "due_on": in_days(30)}],
    )
    seen.append(digest())
    replies_done(audit=course.audit, user=coordinator)
    seen.append(digest())
    report_finalise(audit=course.audit, user=lead)
    seen.append(digest())
    assert len(set(seen)) == len(seen)  # every step changed what the report shows
    assert digest() == seen[-1]
    assert audit_input_digest(course.audit, "es") != seen[-1]


def test_an_unchanged_audit_gets_its_ready_report_back(
    review: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "render_pdf", lambda *a, **k: RenderedPdf(b"%PDF-1.7 test", 1))
    course = released(review)
    draft = services.report_render(report_id=latest(course.audit).pk)
    assert draft is not None
    assert draft.status == Report.Status.READY
    for user in (course.coordinator, review.lead, review.admin):
        again = services.report_request(audit=course.audit, user=user, kind=Report.Kind.AUDIT)
        assert (again.reused, again.report.pk) == (True, draft.pk)
    report_comment_add(audit=course.audit, user=course.coordinator, text=COMMENT_GENERAL)
    changed = services.report_request(
        audit=course.audit, user=course.coordinator, kind=Report.Kind.AUDIT
    )
    assert (changed.reused, changed.report.version) == (False, 2)


# --- Who may ask for and read the audit reports -------------------------------------------------


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "render_pdf", lambda *a, **k: RenderedPdf(b"%PDF-1.7 test", 1))


def ask_page(client: Client, audit: Audit, kind: str = "audit") -> int:
    return client.post(reverse("reports:create", args=[audit.pk]), {"kind": kind}).status_code


def ask_api(client: Client, audit: Audit, kind: str = "audit") -> int:
    return client.post(
        f"/api/v1/audits/{audit.pk}/reports/", {"kind": kind}, content_type="application/json"
    ).status_code


def reads(client: Client, report: Report) -> tuple[int, int, int, bool]:
    """Status, download, API detail; whether the API list has it."""
    args = [report.audit_id, report.pk]
    listed = client.get(f"/api/v1/audits/{report.audit_id}/reports/")
    return (
        client.get(reverse("reports:status", args=args)).status_code,
        client.get(reverse("reports:download", args=args)).status_code,
        client.get(f"/api/v1/audits/{report.audit_id}/reports/{report.pk}/").status_code,
        listed.status_code == 200 and report.pk in [r["id"] for r in listed.json()],
    )


def test_before_the_review_is_complete_no_audit_report_is_made(review: Review) -> None:
    review.form_team()
    audit = review.reload()
    with pytest.raises(ActionRefusedError, match="once the review is complete"):
        services.report_request(audit=audit, user=review.lead, kind=Report.Kind.AUDIT)
    assert ask_page(review.client(review.lead), audit) == 400
    assert ask_api(review.client(review.admin), audit) == 400
    with pytest.raises(PermissionError):  # the institution: not before the release, whatever
        services.report_request(
            audit=audit, user=review.world.users["coordinator_a"], kind=Report.Kind.AUDIT
        )
    assert ask_page(review.client(review.world.users["coordinator_a"]), audit) == 403
    assert not Report.objects.for_institution(audit.institution_id).filter(kind="audit").exists()


def test_the_institution_reads_audit_reports_only_from_the_release(
    review: Review, quick_pdf: None
) -> None:
    world = review.world
    coordinator, contributor = world.users["coordinator_a"], world.users["contributor_a"]
    course = graded(review)
    audit = course.audit
    # The team's preview, before the release.
    preview = services.report_request(audit=audit, user=review.lead, kind="audit").report
    services.report_render(report_id=preview.pk)
    preview.refresh_from_db()
    institution = client_for(coordinator)
    assert ask_page(institution, audit) == 403
    assert ask_api(institution, audit) == 403
    with pytest.raises(PermissionError):
        services.report_request(audit=audit, user=coordinator, kind=Report.Kind.AUDIT)
    assert reads(institution, preview) == (404, 404, 404, False)
    assert not report_policy.can(coordinator, audit, "audit")
    # The team and ERNST read it; they ask for it again and get it back.
    for user in (review.lead, review.second, review.admin):
        assert report_policy.can(user, audit, "audit")
        assert reads(client_for(user), preview) == (200, 200, 200, True), user.email
    assert ask_api(client_for(review.admin), audit) == 200  # unchanged: given back
    # Released: the draft, queued at the release, is the institution's; the preview never is.
    report_release(audit=audit, user=review.lead)
    draft = latest(audit)
    assert draft.version == 2
    services.report_render(report_id=draft.pk)
    draft.refresh_from_db()
    assert reads(institution, draft) == (200, 200, 200, True)
    assert reads(institution, preview) == (404, 404, 404, False)
    assert ask_api(institution, audit) == 200  # nothing changed since the draft: given back
    # The dossier report is as it was: the coordinator asks for it and reads it.
    assert ask_api(institution, audit, "dossier") == 202
    # A contributor never; the team still reads both.
    member = client_for(contributor)
    assert ask_page(member, audit) == 403
    assert ask_api(member, audit) == 403
    assert reads(member, draft)[:3] == (404, 404, 404)
    with pytest.raises(PermissionError):
        services.report_request(audit=audit, user=contributor, kind=Report.Kind.AUDIT)
    for user in (review.lead, review.second, review.admin):
        assert reads(client_for(user), preview) == (200, 200, 200, True)
        assert reads(client_for(user), draft) == (200, 200, 200, True)


def test_outside_the_audit_every_audit_report_is_404(review: Review, quick_pdf: None) -> None:
    course = released(review)
    audit = course.audit
    draft = latest(audit)
    services.report_render(report_id=draft.pk)
    world = review.world
    for user in (world.users["coordinator_b"], review.stranger):
        client = client_for(user)
        assert ask_page(client, audit) == 404, user.email
        assert ask_api(client, audit) == 404, user.email
        assert reads(client, draft)[:3] == (404, 404, 404), user.email
        assert not report_policy.can(user, audit, "audit")


def test_an_auditor_taken_off_the_team_reads_no_audit_report(
    review: Review, quick_pdf: None
) -> None:
    course = released(review)
    draft = latest(course.audit)
    services.report_render(report_id=draft.pk)
    assignment_withdraw(assignment=review.place(review.second), ended_by=review.admin)
    assert not report_policy.can(review.second, course.audit, "audit")
    assert reads(client_for(review.second), draft)[:3] == (404, 404, 404)
    # Their part in the review stays in the report: they completed it.
    assert review.second in [member.auditor for member in audit_context(course.audit)["team"]]


# --- Queries --------------------------------------------------------------------------------


def review_of(world: World, institution: Institution, coordinator: User) -> Review:
    """A submitted Training dossier of ``institution``, reviewed by the world's auditors."""
    audit = audit_create(
        institution=institution,
        user=coordinator,
        component=Component.TRAINING,
        setting=Setting.HOSPITAL,
        target_level="",
    )
    uploads = complete_dossier(audit, coordinator)
    audit = audit_submit(audit=audit, user=coordinator)
    lead, second = world.users["auditor_assigned"], world.users["auditor_unassigned"]
    for user in (lead, second):
        qualify(user, Component.TRAINING)
    stranger = UserFactory()
    stranger.groups.add(platform_groups_ensure()[AUDITORS])
    return Review(
        world=world,
        audit=audit,
        admin=world.users["admin"],
        lead=lead,
        second=second,
        stranger=stranger,
        files={code: [f for f, _ in pairs] for code, pairs in uploads.items()},
    )


def count_queries(read: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


def rendered_html(audit: Audit) -> str:
    with translation.override("en"):
        context = audit_context(audit)
        return render_to_string("pdf/audit.html", context | {"language": "en", "report": None})


def test_the_context_is_read_in_a_constant_number_of_queries(review: Review, world: World) -> None:
    """Four findings and two comments, or seven findings with eleven comments, four plans and
    their actions: the same queries, for the context and for its HTML."""
    small = finalised(review)
    other = review_of(world, world.institution_b, world.users["coordinator_b"])
    large = released(other, short=4, coordinator=world.users["coordinator_b"])
    replied(large)
    for code in large.short[:3]:
        finding = large.finding(code)
        for number in range(3):
            comment = report_comment_add(
                audit=large.audit,
                user=large.coordinator,
                text=f"Comment {number} on {code}",
                finding_id=finding.pk,
            )
            report_comment_answer(
                comment=comment, user=other.lead, outcome="maintained", answer="Kept."
            )
        plan_submit(
            finding=finding,
            user=large.coordinator,
            cause=f"Cause of {code}",
            actions=[
                {"description": f"Action {n}", "owner": "Someone", "due_on": in_days(9)}
                for n in range(3)
            ],
        )
    counts = []
    for course in (small, large):
        audit = course.audit
        context = audit_context(audit)
        counts.append(
            {
                "findings": len(context["findings"]),
                "comments": len(context["thread"]),
                "plans": sum(entry.plan is not None for entry in context["findings"]),
                "context": count_queries(lambda audit=audit: audit_context(audit)),
                "html": count_queries(lambda audit=audit: rendered_html(audit)),
                "digest": count_queries(lambda audit=audit: audit_input_digest(audit, "en")),
            }
        )
    few, many = counts
    assert (few["findings"], few["comments"], few["plans"]) == (4, 2, 1)
    assert (many["findings"], many["comments"], many["plans"]) == (7, 11, 4)
    for read in ("context", "html", "digest"):
        assert few[read] == many[read], counts
    assert many["html"] == many["context"]  # the template reads nothing more
    assert many["context"] <= 22
