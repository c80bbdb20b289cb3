"""The demo review: the Spanish hospital's sealed Intervention dossier is reviewed by Ana (lead)
and Bruno (second auditor). Both have accepted and rated some standards, differently on a few,
and neither has completed: each sees only their own ratings (the blind state)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from institutions.models import Membership
from reviews.models import AuditorAssignment, Finding, Rating, ReportComment, ReviewReport
from reviews.services.findings import finding_grade, observation_add
from reviews.services.plans import plan_decide, plan_submit
from reviews.services.ratings import rating_save, review_complete
from reviews.services.report import (
    recommendation_set,
    report_comment_add,
    report_comment_answer,
    report_release,
)
from reviews.services.requests import evidence_request_answer, evidence_request_create
from reviews.services.team import assignment_accept, team_assign

# (standard index, lead's rating, second's rating); None: not rated yet by that auditor.
DEMO_RATINGS = (
    (0, Rating.MET, Rating.MET),
    (1, Rating.MET, Rating.PARTIALLY_MET),
    (2, Rating.PARTIALLY_MET, Rating.PARTIALLY_MET),
    (3, Rating.MET, Rating.MET),
    (4, Rating.NOT_MET, Rating.PARTIALLY_MET),
    (5, Rating.MET, None),
    (6, Rating.MET, None),
    (7, Rating.PARTIALLY_MET, None),
)


def _rationale(rating: str, code: str, who: str) -> str:
    if rating == Rating.MET:
        return ""
    return f"{who}: the evidence for {code} covers part of the requirement only."


def review_demo_ensure(*, audit: Audit, admin: User) -> None:
    lead = User.objects.get(email="auditor1@rescue.example")
    second = User.objects.get(email="auditor2@rescue.example")
    due = timezone.localdate() + timedelta(days=30)
    places = []
    for auditor, role in (
        (lead, AuditorAssignment.Role.LEAD),
        (second, AuditorAssignment.Role.SECOND),
    ):
        place = team_assign(audit=audit, auditor=auditor, role=role, assigned_by=admin, due_on=due)
        places.append(assignment_accept(assignment=place, user=auditor))
    audit.refresh_from_db()
    assessments = list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
        .order_by("standard__order")
    )
    for index, *ratings in DEMO_RATINGS:
        assessment = assessments[index]
        files = list(assessment.evidence_links.select_related("evidence")[:1])
        for place, auditor, rating in zip(places, (lead, second), ratings, strict=True):
            if rating is None:
                continue
            place.audit = audit
            rating_save(
                assignment=place,
                assessment=assessment,
                user=auditor,
                rating=rating,
                rationale=_rationale(rating, assessment.standard.code, auditor.first_name),
                notes=f"Ask about {assessment.standard.code} in the interview."
                if rating != Rating.MET
                else "",
                evidence=[link.evidence for link in files],
                base_version=0,
            )
    _requests_demo(audit=audit, lead=lead, assessments=assessments)


def _requests_demo(*, audit: Audit, lead: User, assessments: list[StandardAssessment]) -> None:
    """Two evidence requests from Ana: one open, one the coordinator has answered with a file
    (sealed as the first addendum), waiting for her decision."""
    coordinator = (
        Membership.objects.filter(
            institution_id=audit.institution_id, role=Membership.Role.COORDINATOR
        )
        .select_related("user")
        .first()
    )
    evidence_request_create(
        audit=audit,
        user=lead,
        assessments=[assessments[4]],
        message="The rota shows who is on call by day; please add the night and weekend rota.",
        due_on=timezone.localdate() + timedelta(days=10),
    )
    answered = evidence_request_create(
        audit=audit,
        user=lead,
        assessments=[assessments[2]],
        message="Please add the minutes of the last annual review of the programme.",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    if coordinator is None:
        return
    from demo.dossiers import DemoDocument, demo_file  # noqa: PLC0415 - it seeds this module's reviews

    minutes = DemoDocument(
        "annual-review-minutes.pdf",
        "Annual review of the peer support programme",
        (),
        ("The steering group reviewed the indicators and agreed three improvements.",),
        age_days=60,
    )
    evidence_request_answer(
        request=answered,
        user=coordinator.user,
        uploads=[demo_file(minutes, audit.institution)],
        comment="The minutes of the annual review, approved by the steering group.",
        confirmed_no_personal_data=True,
    )


# The Dutch centre's Training dossier, reviewed by Ana alone and complete: (standard code, rating,
# what she found). Met everywhere else.
COMPLETED_RATINGS = (
    ("TRA03", Rating.PARTIALLY_MET, "Role play is planned but not yet scheduled for every cohort."),
    ("TRA07", Rating.NOT_MET, "No standardised tool assesses the trainees' competence."),
)


def completed_review_demo_ensure(*, audit: Audit, admin: User) -> None:
    """Ana reviews the dossier alone and completes: her ratings are the consolidated ones, the
    rule evaluation is final, the two shortfalls are nonconformities. She has graded one (major)
    and recorded an observation; the other waits for its grade."""
    lead = User.objects.get(email="auditor1@rescue.example")
    place = team_assign(
        audit=audit,
        auditor=lead,
        role=AuditorAssignment.Role.LEAD,
        assigned_by=admin,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    place = assignment_accept(assignment=place, user=lead)
    audit.refresh_from_db()
    place.audit = audit
    shortfalls = {code: (rating, text) for code, rating, text in COMPLETED_RATINGS}
    assessments = list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
        .order_by("standard__order")
    )
    for assessment in assessments:
        rating, rationale = shortfalls.get(assessment.standard.code, (Rating.MET, ""))
        rating_save(
            assignment=place,
            assessment=assessment,
            user=lead,
            rating=rating,
            rationale=rationale,
            notes="",
            evidence=[link.evidence for link in assessment.evidence_links.all()[:1]],
            base_version=0,
        )
    review_complete(assignment=place, user=lead)
    audit.refresh_from_db()
    findings = {
        f.assessment.standard.code: f
        for f in Finding.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("assessment__standard")
    }
    finding_grade(
        finding=findings["TRA07"],
        user=lead,
        grade=Finding.Grade.MAJOR,
        statement="Competence is not assessed: no standardised tool, no record of assessment.",
        base_version=findings["TRA07"].version,
    )
    observation_add(
        audit=audit,
        assessment=assessments[0],
        user=lead,
        statement="The programme's aims could cite the ERNST levels they cover.",
    )
    finding_grade(
        finding=findings["TRA03"],
        user=lead,
        grade=Finding.Grade.MINOR,
        statement="Role play is planned for every cohort but scheduled for the first one only.",
        base_version=findings["TRA03"].version,
    )
    _report_demo(audit=audit, lead=lead, findings=findings)


def _report_demo(*, audit: Audit, lead: User, findings: dict[str, Finding]) -> None:
    """Ana recommends and releases the draft report. The centre's coordinator has a plan for
    each nonconformity (Ana accepted the one for TRA03; the one for TRA07 waits), has contested
    the grade of TRA07 (not answered yet: the reply is in progress) and thanked the team (Ana
    answered)."""
    coordinator = (
        Membership.objects.filter(
            institution_id=audit.institution_id, role=Membership.Role.COORDINATOR
        )
        .select_related("user")
        .first()
    )
    recommendation_set(
        audit=audit,
        user=lead,
        recommendation=ReviewReport.Recommendation.DO_NOT_CERTIFY,
        level="",
        reason=(
            "The trainees' competence is not assessed (TRA07, an Elementary standard): the "
            "programme cannot be certified until it is. The other standards are met but for "
            "the scheduling of role play (TRA03)."
        ),
        base_version=None,
    )
    report_release(audit=audit, user=lead)
    if coordinator is None:
        return
    user = coordinator.user
    today = timezone.localdate()
    minor = plan_submit(
        finding=findings["TRA03"],
        user=user,
        cause="Role play needs two trained actors; only one was available this year.",
        actions=[
            {
                "description": "Train a second actor for the role-play sessions.",
                "owner": "Training lead",
                "due_on": today + timedelta(days=45),
            },
            {
                "description": "Schedule role play for every cohort of the coming year.",
                "owner": "Programme coordinator",
                "due_on": today + timedelta(days=60),
            },
        ],
    )
    plan_decide(plan=minor, user=lead, accept=True)
    plan_submit(
        finding=findings["TRA07"],
        user=user,
        cause="The programme relied on the trainers' judgement; no tool was chosen.",
        actions=[
            {
                "description": "Adopt the ERNST competence checklist and assess every trainee.",
                "owner": "Training lead",
                "due_on": today + timedelta(days=90),
            },
        ],
    )
    report_comment_add(
        audit=audit,
        user=user,
        finding_id=findings["TRA07"].pk,
        text=(
            "Since September the trainers use the ERNST checklist at the end of each course; "
            "we ask for the finding to be graded minor."
        ),
    )
    thanks = report_comment_add(
        audit=audit, user=user, text="Thank you for the clear report and the observation."
    )
    report_comment_answer(
        comment=thanks,
        user=lead,
        outcome=ReportComment.Outcome.ACCEPTED,
        answer="Noted, thank you.",
    )
