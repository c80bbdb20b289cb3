"""Reading the review: the team and its candidates, an auditor's reviews, the standards with the
ratings a user may see. Every list is read in a fixed number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from institutions.models import Membership
from reviews.evaluation import Evaluation, ScoringRules, StandardFacts, evaluate
from reviews.models import (
    AssessmentInterview,
    AuditorAssignment,
    AuditorRating,
    ConsolidatedRating,
    CorrectiveAction,
    CorrectiveActionPlan,
    Finding,
    ReportComment,
)
from reviews.permissions import ReviewAccess, review_policy, team_active
from reviews.rules import Refusal, candidate_refusals
from standards.models import INTERVENTION_LEVEL_FIELDS

OPEN_REVIEW = (Audit.Status.SUBMITTED, Audit.Status.IN_REVIEW)
FINISHED_REVIEW = (Audit.Status.DECIDED, Audit.Status.CLOSED)
State = AuditorAssignment.State


def team_list(*, audit: Audit) -> list[AuditorAssignment]:
    """Every place the audit's team has had: current members first (lead, second), then past."""
    members = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("auditor")
    )
    return sorted(
        members, key=lambda a: (a.ended_at is not None, a.role, -a.assigned_at.timestamp())
    )


@dataclass
class Candidate:
    user: User
    refusals: list[Refusal]
    on_team: bool

    @property
    def blocked(self) -> bool:
        return any(not r.overridable for r in self.refusals)

    @property
    def needs_override(self) -> bool:
        return not self.blocked and bool(self.refusals)


def candidates_for(*, audit: Audit, users: list[User]) -> list[Candidate]:
    """The page's candidates, each with what stands against them for this audit."""
    members = set(
        Membership.objects.filter(
            institution_id=audit.institution_id, user__in=[u.pk for u in users]
        ).values_list("user_id", flat=True)
    )
    on_team = set(team_active(audit).values_list("auditor_id", flat=True))
    result = []
    for user in users:
        profile = getattr(user, "auditor_profile", None)
        conflict = next(
            (
                c
                for c in user.conflicts_of_interest.all()
                if c.institution_id == audit.institution_id
            ),
            None,
        )
        refusals = candidate_refusals(
            audit=audit,
            auditor_email=user.email,
            conflict=conflict,
            is_member=user.pk in members,
            components=profile.components if profile else [],
        )
        result.append(Candidate(user=user, refusals=refusals, on_team=user.pk in on_team))
    return result


@dataclass
class ReviewRow:
    """One of an auditor's reviews on My reviews."""

    assignment: AuditorAssignment
    audit: Audit
    team: list[AuditorAssignment]
    rated: int
    total: int

    @property
    def overdue(self) -> bool:
        due = self.assignment.due_on
        return (
            due is not None
            and due < timezone.localdate()
            and self.assignment.completed_at is None
            and self.audit.status in OPEN_REVIEW
        )


REVIEWS_PER_PAGE = 25


def my_reviews_ordered(auditor: User) -> QuerySet[AuditorAssignment]:
    """The auditor's places on review teams, wherever the institution: the open reviews first
    (by due date), then the finished ones, newest first."""
    finished = Q(audit__status__in=FINISHED_REVIEW)
    # Across institutions on purpose: the auditor's own assignments, each one checked below.
    return (
        AuditorAssignment.unscoped.filter(auditor=auditor, ended_at__isnull=True)
        .select_related("audit__institution", "audit__catalogue_version")
        .annotate(
            finished=Case(When(finished, then=Value(1)), default=Value(0)),
            # The due date orders the open reviews only: a finished one's is of no interest.
            open_due=Case(When(finished, then=None), default=F("due_on")),
        )
        .order_by("finished", "open_due", "-assigned_at", "-pk")
    )


def review_rows(assignments: Iterable[AuditorAssignment]) -> list[ReviewRow]:
    """These places with their team, their progress and their audit's size (three queries)."""
    assignments = list(assignments)
    audit_ids = [a.audit_id for a in assignments]
    teams: dict[int, list[AuditorAssignment]] = {}
    for member in AuditorAssignment.unscoped.filter(
        audit_id__in=audit_ids, ended_at__isnull=True
    ).order_by("role"):
        teams.setdefault(member.audit_id, []).append(member)
    totals = dict(
        StandardAssessment.unscoped.filter(audit_id__in=audit_ids)
        .values("audit_id")
        .annotate(n=Count("pk"))
        .values_list("audit_id", "n")
    )
    rated = dict(
        AuditorRating.unscoped.filter(assignment__in=[a.pk for a in assignments])
        .values("assignment_id")
        .annotate(n=Count("pk"))
        .values_list("assignment_id", "n")
    )
    return [
        ReviewRow(
            assignment=a,
            audit=a.audit,
            team=teams.get(a.audit_id, []),
            rated=rated.get(a.pk, 0),
            total=totals.get(a.audit_id, 0),
        )
        for a in assignments
    ]


def my_review_page(*, auditor: User, number: Any) -> tuple[list[ReviewRow], Page[Any]]:
    """One page of My reviews (``REVIEWS_PER_PAGE``; a number out of range gives the nearest)."""
    page = Paginator(my_reviews_ordered(auditor), REVIEWS_PER_PAGE).get_page(number)
    return review_rows(page.object_list), page


@dataclass
class StandardRow:
    """A standard in the review's side list, with the user's view of its ratings."""

    assessment: StandardAssessment
    mine: AuditorRating | None
    others: list[AuditorRating] = field(default_factory=list)
    consolidated: ConsolidatedRating | None = None

    @property
    def code(self) -> str:
        return self.assessment.standard.code

    @property
    def divergent(self) -> bool:
        return (
            self.consolidated is not None
            and self.consolidated.source == ConsolidatedRating.Source.LEAD
        )


def review_standard_rows(*, access: ReviewAccess, texts: bool = False) -> list[StandardRow]:
    """Every standard of the audit with the ratings the user may see (four queries). The long
    texts (definitions, narratives) are read only with ``texts``, for the review page."""
    audit = access.audit
    assessments = (
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard__section" if texts else "standard")
        .order_by("standard__order")
    )
    if not texts:
        assessments = assessments.defer(
            "narrative", "standard__operational_definition", "standard__evidence_required"
        )
    consolidated = {
        c.assessment_id: c
        for c in ConsolidatedRating.objects.for_institution(audit.institution_id).filter(
            audit=audit
        )
    }
    # The blind rule lifts when the consolidation starts: the rows just read say whether it has.
    visible = list(
        review_policy.ratings_visible(access, lifted=bool(consolidated)).select_related(
            "assignment"
        )
    )
    cited: dict[int, list[int]] = {}
    for rating_id, file_id in AuditorRating.evidence.through.objects.filter(
        auditorrating_id__in=[r.pk for r in visible]
    ).values_list("auditorrating_id", "evidencefile_id"):
        cited.setdefault(rating_id, []).append(file_id)
    mine: dict[int, AuditorRating] = {}
    others: dict[int, list[AuditorRating]] = {}
    for rating in visible:
        rating.cited_ids = sorted(cited.get(rating.pk, []))
        if access.assignment is not None and rating.assignment_id == access.assignment.pk:
            mine[rating.assessment_id] = rating
        else:
            others.setdefault(rating.assessment_id, []).append(rating)
    return [
        StandardRow(
            assessment=a,
            mine=mine.get(a.pk),
            others=sorted(others.get(a.pk, []), key=lambda r: r.assignment.role),
            consolidated=consolidated.get(a.pk),
        )
        for a in list(assessments)
    ]


def audit_evaluation(*, audit: Audit, rows: list[StandardRow] | None = None) -> Evaluation:
    """The rule evaluation of the audit's consolidated ratings (``rows``: the review's rows,
    read already; otherwise two queries)."""
    if rows is not None:
        pairs = [(row.assessment.standard, row.consolidated) for row in rows]
    else:
        consolidated = {
            c.assessment_id: c
            for c in ConsolidatedRating.objects.for_institution(audit.institution_id).filter(
                audit=audit
            )
        }
        pairs = [
            (a.standard, consolidated.get(a.pk))
            for a in StandardAssessment.objects.for_institution(audit.institution_id)
            .filter(audit=audit)
            .select_related("standard")
            .defer("narrative", "standard__operational_definition", "standard__evidence_required")
            .order_by("standard__order")
        ]
    return evaluate(
        rules=ScoringRules.of(audit.catalogue_version),
        standards=[
            StandardFacts(
                code=standard.code,
                level=standard.level,
                is_core=standard.is_core,
                levels=frozenset(
                    str(level)
                    for level, field in INTERVENTION_LEVEL_FIELDS.items()
                    if getattr(standard, field)
                ),
            )
            for standard, _consolidated in pairs
        ],
        ratings={
            standard.code: (consolidated.rating if consolidated else "")
            for standard, consolidated in pairs
        },
        target_level=audit.target_level,
    )


def finding_list(*, audit: Audit) -> list[Finding]:
    """The audit's findings in the order of the standards, with the consolidated rating each
    nonconformity comes from."""
    return list(
        Finding.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("assessment__standard", "assessment__consolidated_rating")
        .order_by("assessment__standard__order", "kind", "pk")
    )


def assessments_by_code(*, audit: Audit, codes: Iterable[str]) -> list[StandardAssessment]:
    """The audit's standards named by ``codes`` (unknown codes are left out: a caller that takes
    codes from outside compares the lengths), in the catalogue's order."""
    return list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, standard__code__in=set(codes))
        .select_related("standard")
        .order_by("standard__order")
    )


def standard_choices(*, audit: Audit) -> list[tuple[str, str]]:
    """The audit's standards as form choices (code, "code title"), in the catalogue's order."""
    return [
        (code, f"{code} {title}")
        for code, title in StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .order_by("standard__order")
        .values_list("standard__code", "standard__title")
    ]


def finding_get(*, audit: Audit, finding_id: int) -> Finding | None:
    """One finding of the audit, read as ``finding_list`` reads them (None: not this audit's)."""
    return (
        Finding.objects.for_institution(audit.institution_id)
        .filter(audit=audit, pk=finding_id)
        .select_related("assessment__standard", "assessment__consolidated_rating")
        .first()
    )


def plans_by_finding(*, audit: Audit) -> dict[int, CorrectiveActionPlan]:
    """The audit's corrective-action plans by finding, each with its actions and the files of
    the actions reported done (three queries)."""
    scope = audit.institution_id
    actions = CorrectiveAction.objects.for_institution(scope).prefetch_related(
        "reports__files__current_revision"
    )
    return {
        plan.finding_id: plan
        for plan in CorrectiveActionPlan.objects.for_institution(scope)
        .filter(audit=audit)
        .prefetch_related(Prefetch("actions", queryset=actions))
    }


def comment_list(*, audit: Audit) -> list[ReportComment]:
    """The reply thread: the institution's comments on the draft and the lead's answers."""
    return list(
        ReportComment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("finding__assessment__standard")
        .order_by("created_at", "pk")
    )


@dataclass
class OutcomeFinding:
    """A finding of the released report, with its plan and its part of the reply thread."""

    finding: Finding
    plan: CorrectiveActionPlan | None
    comments: list[ReportComment]


@dataclass
class ReportOutcome:
    """What the released report tells the institution: the consolidated rating of every
    standard, the findings with their plans and comments, and the comments on the whole."""

    standards: list[StandardAssessment]  # each with ``consolidated_rating`` read
    findings: list[OutcomeFinding]
    general_comments: list[ReportComment]

    @property
    def nonconformities(self) -> list[OutcomeFinding]:
        return [f for f in self.findings if f.finding.kind == Finding.Kind.NONCONFORMITY]


def report_outcome(*, audit: Audit) -> ReportOutcome:
    """The review's outcome as the released report states it (never notes nor the auditors'
    originals), in a fixed number of queries."""
    standards = list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard__section", "consolidated_rating")
        .defer("standard__operational_definition", "standard__evidence_required")
        .order_by("standard__order")
    )
    plans = plans_by_finding(audit=audit)
    comments = comment_list(audit=audit)
    by_finding: dict[int, list[ReportComment]] = {}
    for comment in comments:
        if comment.finding_id is not None:
            by_finding.setdefault(comment.finding_id, []).append(comment)
    return ReportOutcome(
        standards=standards,
        findings=[
            OutcomeFinding(finding, plans.get(finding.pk), by_finding.get(finding.pk, []))
            for finding in finding_list(audit=audit)
        ],
        general_comments=[c for c in comments if c.finding_id is None],
    )


def interview_list(*, audit: Audit) -> list[AssessmentInterview]:
    """The application's assessment interviews, in the order they were held, with the
    competences each assessed (two queries)."""
    return list(
        AssessmentInterview.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .prefetch_related("competences__standard")
    )
