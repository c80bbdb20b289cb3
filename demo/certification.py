"""The demo's certification: a review taken to its final report (the Spanish hospital's
Training dossier awaits the decision; the Austrian nursing home's is decided and certified, with
its PDFs), and the register filled with certificates of the platform's further institutions:
active ones, a suspended one, and one institution holding RESCUE Mastery."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from certification.models import Certificate
from certification.services import certificate_change, certificate_issue, decision_take
from institutions.models import Institution, Membership
from reviews.models import AuditorAssignment, Finding, Rating, ReviewReport
from reviews.services.findings import finding_grade
from reviews.services.plans import plan_decide, plan_submit
from reviews.services.ratings import rating_save, review_complete
from reviews.services.report import (
    recommendation_set,
    replies_done,
    report_finalise,
    report_release,
)
from reviews.services.team import assignment_accept, team_assign
from standards.choices import InterventionLevel

# The Spanish hospital's Training review: one shortfall, a minor nonconformity with a plan.
SHORTFALL = ("TRA03", "Role play is planned but scheduled for the first cohort only.")


def final_review_demo_ensure(
    *, audit: Audit, admin: User, lead_email: str, shortfall: tuple[str, str] | None, decide: bool
) -> None:
    """One auditor reviews the dossier and completes; a shortfall becomes a minor
    nonconformity whose plan is accepted. The lead recommends, releases the draft; the
    coordinator declares no more comments; the lead issues the final report. With ``decide``,
    the ERNST admin (never on the team) certifies."""
    lead = User.objects.get(email=lead_email)
    place = team_assign(
        audit=audit, auditor=lead, role=AuditorAssignment.Role.LEAD, assigned_by=admin
    )
    place = assignment_accept(assignment=place, user=lead)
    audit.refresh_from_db()
    place.audit = audit
    assessments = list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
        .prefetch_related("evidence_links__evidence")
        .order_by("standard__order")
    )
    for assessment in assessments:
        short = shortfall is not None and assessment.standard.code == shortfall[0]
        rating_save(
            assignment=place,
            assessment=assessment,
            user=lead,
            rating=Rating.PARTIALLY_MET if short else Rating.MET,
            rationale=shortfall[1] if short and shortfall else "",
            notes="",
            evidence=[link.evidence for link in assessment.evidence_links.all()[:1]],
            base_version=0,
        )
    review_complete(assignment=place, user=lead)
    audit.refresh_from_db()
    # Who answers for the dossier: the institution's coordinator; an application's applicant.
    coordinator = audit.applicant or (
        Membership.objects.filter(
            institution_id=audit.institution_id, role=Membership.Role.COORDINATOR
        )
        .select_related("user")
        .get()
        .user
    )
    findings = list(
        Finding.objects.for_institution(audit.institution_id).filter(
            audit=audit, kind=Finding.Kind.NONCONFORMITY
        )
    )
    for finding in findings:
        finding_grade(
            finding=finding,
            user=lead,
            grade=Finding.Grade.MINOR,
            statement=shortfall[1] if shortfall else finding.statement,
            base_version=finding.version,
        )
    recommendation_set(
        audit=audit,
        user=lead,
        recommendation=ReviewReport.Recommendation.CONDITIONS
        if findings
        else ReviewReport.Recommendation.CERTIFY,
        level="",
        reason=(
            "Every standard is met but the scheduling of role play, for which the plan is "
            "accepted: certify on condition that it is closed."
            if findings
            else "Every standard is met, with evidence for each."
        ),
        base_version=None,
    )
    report_release(audit=audit, user=lead)
    for finding in findings:
        plan = plan_submit(
            finding=finding,
            user=coordinator,
            cause="Only one trained actor was available for role play this year.",
            actions=[
                {
                    "description": "Train a second actor and schedule role play for every cohort.",
                    "owner": "Training lead",
                    "due_on": timezone.localdate() + timedelta(days=60),
                }
            ],
        )
        plan_decide(plan=plan, user=lead, accept=True)
    replies_done(audit=audit, user=coordinator)
    report_finalise(audit=audit, user=lead)
    if decide:
        decision_take(
            audit=audit,
            user=admin,
            outcome="certify",
            level="",
            reason="Every standard met, as the rule evaluation proposes.",
        )


# Certificates of the further institutions, for the register: (name, scheme, level, issued
# years ago, suspended). The last two of one institution make its RESCUE Mastery.
REGISTER = (
    ("Centre hospitalier de la Loire", "training", "", 1, False),
    ("Klinikum Am Rosengarten", "intervention", InterventionLevel.EXECUTION, 2, False),
    ("Ospedale San Carlo", "intervention", InterventionLevel.DESIGN, 3, True),
    ("University Hospital Galway", "training", "", 2, False),
    ("University Hospital Galway", "intervention", InterventionLevel.COMPREHENSIVE, 1, False),
)


def register_demo_ensure(*, admin: User) -> int:
    """Issue the register's certificates (once); returns how many were made."""
    made = 0
    today = timezone.localdate()
    for name, scheme, level, years_ago, suspended in REGISTER:
        institution = Institution.objects.filter(name=name).first()
        if institution is None:
            continue
        exists = Certificate.objects.for_institution(institution).filter(scheme=scheme).exists()
        if exists:
            continue
        issued_on = date(today.year - years_ago, today.month, min(today.day, 28))
        certificate = certificate_issue(
            institution_id=institution.pk,
            scheme=scheme,
            setting=institution.setting,
            level=level,
            user=admin,
            issued_on=issued_on,
        )
        made += 1
        if suspended:
            certificate_change(
                certificate=certificate,
                user=admin,
                change="suspend",
                reason="A complaint about the programme is under review.",
            )
    return made
