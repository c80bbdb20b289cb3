"""Reading audits: the dossier's progress, standard by standard, in a constant number of queries."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from audits.models import Audit, AuditEvent, StandardAssessment
from audits.permissions import assessment_policy
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision, revision_flagged_q
from institutions.selectors import dossier_institution_ids


class _Readiness:
    """The dashboard's rule for a standard being ready: a self-rating and a live file, or not
    applicable with a reason. Shared by the full and the counted readings below."""

    assessment: StandardAssessment

    @property
    def file_count(self) -> int:
        raise NotImplementedError

    @property
    def problems(self) -> list[str]:
        rating = self.assessment.self_rating
        if not rating:
            return ["no self-rating yet"]
        if self.assessment.copied_at is not None:
            return ["self-assessment copied from the last audit: review it and save it"]
        if rating == StandardAssessment.Rating.NOT_APPLICABLE:
            return (
                [] if self.assessment.justification.strip() else ["not applicable without a reason"]
            )
        if not self.file_count:
            return ["no evidence file"]
        return []

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class AssessmentProgress(_Readiness):
    """A standard with its live files, for the pages that list them."""

    assessment: StandardAssessment
    files: list[EvidenceFile]

    @property
    def file_count(self) -> int:
        return len(self.files)

    @property
    def flagged(self) -> bool:
        return any(f.current_revision and f.current_revision.is_flagged for f in self.files)


@dataclass
class AssessmentSummary(_Readiness):
    """A standard with the number of its live files and of those flagged for personal data,
    counted by the database: the dashboard's reading, which never loads the files."""

    assessment: StandardAssessment
    live_files: int
    flagged_files: int
    people: list[str] = field(default_factory=list)  # the assignees' names, else e-mails

    @property
    def file_count(self) -> int:
        return self.live_files

    @property
    def flagged(self) -> bool:
        return self.flagged_files > 0


@dataclass
class SectionProgress:
    code: str
    title: str
    items: list[Any] = field(default_factory=list)  # AssessmentProgress or AssessmentSummary

    @property
    def done(self) -> int:
        return sum(item.complete for item in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def assessment_progress_list(
    *, audit: Audit, assessments: QuerySet[StandardAssessment] | None = None
) -> list[AssessmentProgress]:
    """Each standard of the audit with its live evidence files (deleted files left out)."""
    if assessments is None:
        assessments = StandardAssessment.objects.for_institution(audit.institution_id).filter(
            audit=audit
        )
    links = EvidenceLink.objects.for_institution(audit.institution_id)
    rows = (
        assessments.select_related("standard__section")
        .prefetch_related(_live_files(links), "assignees")
        .order_by("standard__order")
    )
    return _progress(rows)


def _live_files(links: QuerySet[EvidenceLink]) -> Prefetch:
    """Each assessment's live files (deleted ones left out), oldest first, with their revision."""
    return Prefetch(
        "evidence_links",
        queryset=links.filter(evidence__deleted_at__isnull=True)
        .select_related("evidence__current_revision")
        .order_by("evidence__created_at", "evidence_id"),
    )


def _progress(rows: QuerySet[StandardAssessment]) -> list[AssessmentProgress]:
    return [
        AssessmentProgress(row, [link.evidence for link in row.evidence_links.all()])
        for row in rows
    ]


def _by_section(items: list[Any]) -> list[SectionProgress]:
    sections: dict[int, SectionProgress] = {}
    for item in items:
        section = item.assessment.standard.section
        group = sections.setdefault(section.pk, SectionProgress(section.code, section.title))
        group.items.append(item)
    return list(sections.values())


def dossier_progress(
    *, audit: Audit, assessments: QuerySet[StandardAssessment] | None = None
) -> list[SectionProgress]:
    """The dossier by section, each standard with its live files (the dossier report)."""
    return _by_section(assessment_progress_list(audit=audit, assessments=assessments))


# What a list of standards does not show: read on the standard's own page.
_LONG_TEXTS = (
    "narrative",
    "standard__operational_definition",
    "standard__evidence_required",
    "standard__section__description",
)


def assessment_summary_list(
    *, audit: Audit, assessments: QuerySet[StandardAssessment], narratives: bool = True
) -> list[AssessmentSummary]:
    """Each standard with its live files and flagged files counted, and the names of its
    people: three queries whatever the number of files (the dashboard's reading; the standards
    API's, with the narratives)."""
    rows = (
        assessments.select_related("standard__section")
        .defer(*(_LONG_TEXTS[1:] if narratives else _LONG_TEXTS))
        .order_by("standard__order")
    )
    counts = _file_counts(institution_id=audit.institution_id, assessments=assessments)
    people: dict[int, list[str]] = {}
    assigned = (
        StandardAssessment.assignees.through.objects.filter(standardassessment__in=assessments)
        .order_by("user__first_name", "user__last_name", "user__email")
        .values_list("standardassessment_id", "user__first_name", "user__last_name", "user__email")
    )
    for assessment_id, first, last, email in assigned:
        people.setdefault(assessment_id, []).append(f"{first} {last}".strip() or email)
    return [
        AssessmentSummary(row, *counts.get(row.pk, (0, 0)), people.get(row.pk, [])) for row in rows
    ]


def _file_counts(
    *, institution_id: int, assessments: QuerySet[StandardAssessment]
) -> dict[int, tuple[int, int]]:
    """Each assessment's live files and, of those, the ones whose current revision is flagged
    for personal data, in one query grouped by the assessment alone. The flagged revisions are
    read from their own index (``revision_flagged``): a dossier of 2,000 files has a handful, and
    the count never joins every link to its revision, nor sorts the assessments' wide rows."""
    flagged = (
        EvidenceRevision.objects.for_institution(institution_id)
        .filter(revision_flagged_q())
        .values("pk")
    )
    rows = (
        EvidenceLink.objects.for_institution(institution_id)
        .filter(assessment__in=assessments.values("pk"), evidence__deleted_at__isnull=True)
        .values("assessment_id")
        .annotate(
            live=Count("pk"),
            flagged=Count("pk", filter=Q(evidence__current_revision__in=flagged)),
        )
        .order_by()
    )
    return {row["assessment_id"]: (row["live"], row["flagged"]) for row in rows}


def assessment_summary(*, assessment: StandardAssessment) -> AssessmentSummary:
    """One standard with its live files and those flagged counted in one query, for its own
    page: its readiness without loading its files (the page shows them a page at a time,
    ``assessment_live_files``)."""
    counts = _file_counts(
        institution_id=assessment.institution_id,
        assessments=StandardAssessment.objects.for_institution(assessment.institution_id).filter(
            pk=assessment.pk
        ),
    )
    return AssessmentSummary(assessment, *counts.get(assessment.pk, (0, 0)))


def assessment_live_files(*, assessment: StandardAssessment) -> QuerySet[EvidenceFile]:
    """The standard's live files with their current revision, oldest first (as the dossier
    lists them), to be read a page at a time."""
    return (
        EvidenceFile.objects.for_institution(assessment.institution_id)
        .filter(links__assessment=assessment, deleted_at__isnull=True)
        .select_related("current_revision")
        .order_by("created_at", "pk")
    )


def dossier_summary(
    *, audit: Audit, assessments: QuerySet[StandardAssessment]
) -> list[SectionProgress]:
    """The dossier by section, each standard with its files counted: what the dashboard shows,
    in three queries whatever the number of files."""
    return _by_section(
        assessment_summary_list(audit=audit, assessments=assessments, narratives=False)
    )


def flagged_file_list(
    *, audit: Audit, assessments: QuerySet[StandardAssessment]
) -> list[dict[str, Any]]:
    """Each live file flagged for personal data once, with the codes of the visible standards
    it supports, in one query."""
    links = (
        EvidenceLink.objects.for_institution(audit.institution_id)
        .filter(
            revision_flagged_q("evidence__current_revision__"),
            assessment__in=assessments.values("pk"),
            evidence__deleted_at__isnull=True,
        )
        .select_related("evidence__current_revision", "assessment__standard")
        .order_by("evidence__created_at", "evidence_id", "assessment__standard__order")
    )
    flagged: dict[int, dict[str, Any]] = {}
    for link in links:
        entry = flagged.setdefault(link.evidence_id, {"file": link.evidence, "codes": []})
        entry["codes"].append(link.assessment.standard.code)
    return list(flagged.values())


def audit_event_list(
    *,
    audit: Audit,
    user: Any,
    visible: QuerySet[StandardAssessment] | None = None,
    limit: int = 200,
) -> QuerySet[AuditEvent]:
    """The newest events of the audit that the user may see."""
    return assessment_policy.events_for(user, audit, visible)[:limit]


def _per_audit_count(assessments: QuerySet[StandardAssessment]) -> Coalesce:
    counted = assessments.order_by().values("audit").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def audit_progress_annotate(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Each audit with ``standards_total`` and ``standards_ready`` (the dashboard's rule: a
    self-rating of one's own, not a renewal's copy, and a live file, or not applicable with a
    reason), in the list's one query."""
    assessments = StandardAssessment.objects.filter(
        institution=OuterRef("institution"), audit=OuterRef("pk")
    )
    live_file = EvidenceLink.objects.filter(
        institution=OuterRef("institution"),
        assessment=OuterRef("pk"),
        evidence__deleted_at__isnull=True,
    )
    not_applicable = StandardAssessment.Rating.NOT_APPLICABLE
    ready = assessments.filter(copied_at__isnull=True).filter(
        (Q(self_rating=not_applicable) & ~Q(justification=""))
        | (~Q(self_rating__in=["", not_applicable]) & Exists(live_file))
    )
    return audits.annotate(
        standards_total=_per_audit_count(assessments),
        standards_ready=_per_audit_count(ready),
    )


def assessment_list_assigned(*, user: Any, limit: int = 50) -> list[AssessmentProgress]:
    """The standards assigned to the user in dossiers still open, across their institutions,
    with what each still lacks."""
    member_of = dossier_institution_ids(user=user)
    assessments = StandardAssessment.objects.filter(
        institution__in=member_of, assignees=user, audit__status=Audit.Status.DRAFT
    ).select_related("audit__institution", "audit__catalogue_version")
    links = EvidenceLink.objects.filter(institution__in=member_of)
    rows = (
        assessments.select_related("standard__section")
        .prefetch_related(_live_files(links))
        .order_by("audit_id", "standard__order")
    )
    return _progress(rows[:limit])
