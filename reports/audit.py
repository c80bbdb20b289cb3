"""The audit report's content: what the review found, as the institution reads it.

``audit_context`` reads everything the PDF shows, in a fixed number of queries whatever the
number of standards, findings, plans, requests or comments. ``audit_input`` picks from it every
value the rendered document depends on, and ``audit_input_digest`` is the SHA-256 of its
canonical JSON, as for the dossier report (``reports.dossier``): a request for an unchanged
audit gets the last ready report back. The digest covers:

- what the report is: its kind, its language, ``REPORT_LAYOUT_VERSION`` (bump it when this
  module's context or the chart change) and a fingerprint of the layout files (``pdf/base.html``,
  ``pdf/audit.html``, the print stylesheet, the language's compiled translations);
- the cover: institution, component, level, setting, catalogue version, the look-back window's
  start, the seal digest; the report's stage (preview, draft, final) and its dates: submission,
  review completion, release, the reply window's end (and when the institution declared it had
  no more comments), the final report; the review team with roles and dates;
- each standard with its self-rating, the consolidated rating and rationale, and the E-numbers
  of the files the auditors cited;
- the findings (kind, grade, statement, withdrawal) with their corrective-action plans and
  actions; the evidence requests with their outcome and answers; the divergences the lead
  decided, with the reason; the rule evaluation; the recommendation; the reply thread.

What the institution must never see is never read: the auditors' own ratings, rationales and
notes (of the auditors' ratings only the files they cite are read). Left out of the digest on
purpose, as for the dossier: the moment of generation and the report's version, printed in the
running footer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from audits.models import Audit, AuditEvent, StandardAssessment
from evidence.models import EvidenceFile
from reports.dossier import input_digest, iso, layout_fingerprint
from reviews.evaluation import Evaluation
from reviews.models import (
    AuditorAssignment,
    AuditorRating,
    ConsolidatedRating,
    CorrectiveActionPlan,
    EvidenceRequest,
    EvidenceRequestAnswer,
    Finding,
    ReportComment,
    ReviewReport,
)
from reviews.selectors import (
    OutcomeFinding,
    StandardRow,
    audit_evaluation,
    interview_list,
    report_outcome,
    team_list,
)
from reviews.services.report import review_report_of

Rating = StandardAssessment.Rating
# The ratings in the order the summary and the chart show them; "" is a rating not given yet.
RATINGS = (Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET, Rating.NOT_APPLICABLE)
RATING_COLOURS = {
    Rating.MET: "#0b5f73",
    Rating.PARTIALLY_MET: "#7fb7c4",
    Rating.NOT_MET: "#b03a2e",
    Rating.NOT_APPLICABLE: "#c8d0d8",
    "": "#ffffff",
}
# When the review became complete: the consolidation without divergence, or the last decision.
COMPLETION_EVENTS = (
    AuditEvent.Action.RATINGS_CONSOLIDATED,
    AuditEvent.Action.CONSOLIDATION_DECIDED,
)


@dataclass
class StandardEntry:
    """A standard of the audit report: the institution's self-rating beside the team's."""

    assessment: StandardAssessment
    consolidated: ConsolidatedRating | None
    cited: list[int]  # the E-numbers of the files the auditors cited

    @property
    def rating(self) -> str:
        return self.consolidated.rating if self.consolidated else ""

    @property
    def divergent(self) -> bool:
        """The auditors rated it differently and the lead decided."""
        return (
            self.consolidated is not None
            and self.consolidated.source == ConsolidatedRating.Source.LEAD
        )


@dataclass
class SectionEntry:
    code: str
    title: str
    standards: list[StandardEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.standards)

    @property
    def self_counts(self) -> Counter[str]:
        return Counter(entry.assessment.self_rating for entry in self.standards)

    @property
    def consolidated_counts(self) -> Counter[str]:
        return Counter(entry.rating for entry in self.standards)

    @property
    def counts(self) -> list[tuple[str, int, int]]:
        """Per rating (met, partially met, not met, not applicable): self, consolidated."""
        own, team = self.self_counts, self.consolidated_counts
        return [(str(value), own.get(value, 0), team.get(value, 0)) for value in RATINGS]


def ratings_chart(sections: list[SectionEntry]) -> SafeString:
    """Per section, two bars split by rating: the institution's self-ratings above, the review
    team's consolidated ratings below; an SVG drawn here on the server."""
    bar_left, bar_width, bar, gap, row, top = 150, 290, 11, 3, 34, 8
    legend_top = top + row * len(sections) + 4
    height = legend_top + 18
    title = escape(_("Self-ratings and consolidated ratings per section"))
    names = (escape(_("Self-rating")), escape(_("Consolidated")))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 520 {height}" '
        f'role="img" aria-label="{title}">'
    )
    parts = [head]
    for index, section in enumerate(sections):
        y = top + index * row
        parts.append(
            f'<text x="4" y="{y + bar + 2}" font-size="10" font-weight="bold">'
            f"{escape(section.code)}</text>"
        )
        for offset, counts in enumerate((section.self_counts, section.consolidated_counts)):
            bar_y = y + offset * (bar + gap)
            parts.append(
                f'<text x="{bar_left - 6}" y="{bar_y + 9}" text-anchor="end" font-size="8">'
                f"{names[offset]}</text>"
                f'<rect x="{bar_left}" y="{bar_y}" width="{bar_width}" height="{bar}" '
                f'fill="#ffffff" stroke="#c8d0d8" stroke-width=".5"/>'
            )
            x = float(bar_left)
            for value in (*RATINGS, ""):
                count = counts.get(value, 0)
                if not count or not section.total:
                    continue
                width = bar_width * count / section.total
                parts.append(
                    f'<rect x="{x:.1f}" y="{bar_y}" width="{width:.1f}" height="{bar}" '
                    f'fill="{RATING_COLOURS[value]}" stroke="#ffffff" stroke-width=".5"/>'
                )
                x += width
            met = escape(
                _("%(met)s of %(total)s met")
                % {"met": counts.get(Rating.MET, 0), "total": section.total}
            )
            parts.append(
                f'<text x="{bar_left + bar_width + 6}" y="{bar_y + 9}" font-size="8">{met}</text>'
            )
    for index, value in enumerate(RATINGS):
        x = 4 + index * 128
        parts.append(
            f'<rect x="{x}" y="{legend_top}" width="9" height="9" fill="{RATING_COLOURS[value]}" '
            f'stroke="#5b6670" stroke-width=".3"/>'
            f'<text x="{x + 13}" y="{legend_top + 8}" font-size="8">'
            f"{escape(str(Rating(value).label))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _consolidated_of(assessment: StandardAssessment) -> ConsolidatedRating | None:
    try:
        return assessment.consolidated_rating
    except ConsolidatedRating.DoesNotExist:
        return None


def _team(audit: Audit) -> list[AuditorAssignment]:
    """The auditors who took part in the review: those who accepted their place (still on the
    team, or whose place ended once they had completed their review, as at the closure)."""
    return [
        member
        for member in team_list(audit=audit)
        if (member.state == AuditorAssignment.State.ACCEPTED and member.is_active)
        or member.completed_at is not None
    ]


def _citations(audit: Audit, team: list[AuditorAssignment]) -> dict[int, list[int]]:
    """The E-numbers of the files the team's ratings cite, per assessment (one query; nothing
    else of the auditors' ratings is read)."""
    cited: dict[int, set[int]] = {}
    rows = AuditorRating.evidence.through.objects.filter(
        auditorrating__institution_id=audit.institution_id,
        auditorrating__audit_id=audit.pk,
        auditorrating__assignment_id__in=[member.pk for member in team],
    ).values_list("auditorrating__assessment_id", "evidencefile__number")
    for assessment_id, number in rows:
        if number is not None:  # every file of a sealed dossier has its number
            cited.setdefault(assessment_id, set()).add(number)
    return {assessment_id: sorted(numbers) for assessment_id, numbers in cited.items()}


def _evidence_requests(audit: Audit) -> list[EvidenceRequest]:
    """The audit's evidence requests in the order they were made, each with its standards and
    its answers with their files (four queries)."""
    scope = audit.institution_id
    files = EvidenceFile.objects.for_institution(scope).select_related("current_revision")
    answers = (
        EvidenceRequestAnswer.objects.for_institution(scope)
        .defer("addendum")
        .order_by("answered_at", "pk")
        .prefetch_related(Prefetch("files", queryset=files.order_by("number", "pk")))
    )
    standards = (
        StandardAssessment.objects.for_institution(scope)
        .select_related("standard")
        .defer(
            "narrative",
            "justification",
            "standard__operational_definition",
            "standard__evidence_required",
        )
        .order_by("standard__order")
    )
    return list(
        EvidenceRequest.objects.for_institution(scope)
        .filter(audit=audit)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("assessments", queryset=standards),
            Prefetch("answers", queryset=answers),
        )
    )


def _review_completed_at(audit: Audit) -> datetime | None:
    """When the review became complete: the consolidation (no divergence) or the lead's last
    decision on a divergence, as the audit's history records it (None: not complete yet)."""
    if audit.status in (Audit.Status.DRAFT, Audit.Status.SUBMITTED, Audit.Status.IN_REVIEW):
        return None
    moment: datetime | None = (
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit, action__in=COMPLETION_EVENTS)
        .aggregate(at=Max("created_at"))["at"]
    )
    return moment


def audit_context(audit: Audit) -> dict[str, Any]:
    """Everything the audit report shows, read in a fixed number of queries."""
    audit = (
        Audit.objects.for_institution(audit.institution_id)
        .select_related("institution", "catalogue_version", "submitted_by", "applicant")
        .defer("manifest")
        .get(pk=audit.pk)
    )
    review: ReviewReport = review_report_of(audit)
    team = _team(audit)
    cited = _citations(audit, team)
    outcome = report_outcome(audit=audit)
    sections: list[SectionEntry] = []
    rows = []
    for assessment in outcome.standards:
        consolidated = _consolidated_of(assessment)
        rows.append(StandardRow(assessment=assessment, mine=None, consolidated=consolidated))
        section = assessment.standard.section
        if not sections or sections[-1].code != section.code:
            sections.append(SectionEntry(section.code, section.title))
        sections[-1].standards.append(
            StandardEntry(assessment, consolidated, cited.get(assessment.pk, []))
        )
    standards = [entry for section in sections for entry in section.standards]
    findings: list[OutcomeFinding] = outcome.findings
    # The reply thread: the comments on each finding in the findings' order, then on the whole.
    thread = [c for finding in findings for c in finding.comments] + outcome.general_comments
    evaluation: Evaluation = audit_evaluation(audit=audit, rows=rows)
    nonconformities = [f.finding for f in findings if f.finding.kind == Finding.Kind.NONCONFORMITY]
    live = [f for f in nonconformities if f.withdrawn_at is None]
    return {
        "audit": audit,
        "institution": audit.institution,
        "review_report": review,
        "stage": review.stage,
        "is_final": review.stage == ReviewReport.Stage.FINAL,
        "is_preview": review.stage == ReviewReport.Stage.PREPARING,
        "review_completed_at": _review_completed_at(audit),
        "team": team,
        "sections": sections,
        "standards": standards,
        "chart": ratings_chart(sections),
        "divergences": [entry for entry in standards if entry.divergent],
        "findings": findings,
        "evidence_requests": _evidence_requests(audit),
        "interviews": interview_list(audit=audit) if audit.is_application else [],
        "applicant": audit.applicant if audit.is_application else None,
        "evaluation": evaluation,
        "thread": thread,
        "counts": {
            "standards": len(standards),
            "major": sum(f.grade == Finding.Grade.MAJOR for f in live),
            "minor": sum(f.grade == Finding.Grade.MINOR for f in live),
            "ungraded": sum(not f.grade for f in live),
            "observations": sum(f.finding.kind == Finding.Kind.OBSERVATION for f in findings),
            "withdrawn": sum(f.finding.withdrawn_at is not None for f in findings),
        },
        "generated_at": timezone.now(),
    }


# Bump when the report's layout changes in Python (this module's context, the chart): reports
# asked for afterwards are rendered anew even where the audit has not changed. Changes to the
# templates, the print stylesheet and the translations are seen by ``layout_fingerprint``.
REPORT_LAYOUT_VERSION = 2  # 2: the applicant and the assessment interviews
LAYOUT_TEMPLATES = ("pdf/base.html", "pdf/audit.html")


def _comment_input(comment: ReportComment) -> dict[str, Any]:
    return {
        "finding": comment.finding_id,
        "text": comment.text,
        "author": comment.author_email,
        "created_at": iso(comment.created_at),
        "outcome": comment.outcome,
        "answer": comment.answer,
        "changes": comment.changes,
        "answered_by": comment.answered_by_email,
        "answered_at": iso(comment.answered_at),
    }


def _files_input(files: Any) -> list[list[Any]]:
    return [[f.number, f.current.original_name] for f in files]


def _plan_input(plan: CorrectiveActionPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "cause": plan.cause,
        "state": plan.state,
        "submitted_by": plan.submitted_by_email,
        "submitted_at": iso(plan.submitted_at),
        "decided_at": iso(plan.decided_at),
        "return_reason": plan.return_reason,
        "actions": [
            {
                "position": action.position,
                "description": action.description,
                "owner": action.owner,
                "due_on": iso(action.due_on),
                "state": action.state,
                "done_note": action.done_note,
                "done_at": iso(action.done_at),
                "verified_at": iso(action.verified_at),
                "verification_reason": action.verification_reason,
                "files": [_files_input(done.files.all()) for done in action.reports.all()],
            }
            for action in plan.actions.all()
        ],
    }


def audit_input(context: dict[str, Any], *, language: str, kind: str) -> dict[str, Any]:
    """Every value of ``audit_context`` the rendered PDF depends on (see the module docstring),
    as plain JSON data; the moment of generation is left out."""
    audit: Audit = context["audit"]
    review: ReviewReport = context["review_report"]
    catalogue = audit.catalogue_version
    evaluation: Evaluation = context["evaluation"]
    return {
        "kind": kind,
        "language": language,
        "layout": REPORT_LAYOUT_VERSION,
        "layout_files": layout_fingerprint(language, LAYOUT_TEMPLATES),
        "institution": {
            "name": context["institution"].name,
            "country": str(context["institution"].country),
        },
        "applicant": str(context["applicant"]) if context["applicant"] else "",
        "interviews": [
            {
                "held_on": iso(interview.held_on),
                "mode": interview.mode,
                "participants": interview.participants,
                "competences": [c.standard.code for c in interview.competences.all()],
                "outcome": interview.outcome,
                "recorded_by": interview.recorded_by_email,
            }
            for interview in context["interviews"]
        ],
        "audit": {
            "component": audit.component,
            "target_level": audit.target_level,
            "setting": audit.setting,
            "catalogue_version": catalogue.version,
            "working_catalogue": catalogue.is_working_catalogue,
            "submitted_at": iso(audit.submitted_at),
            "lookback_start": iso(audit.lookback_start),
            "manifest_digest": audit.manifest_digest,
            "review_completed_at": iso(context["review_completed_at"]),
        },
        "course": {
            "stage": review.stage,
            "released_at": iso(review.released_at),
            "reply_until": iso(review.reply_until),
            "replies_done_at": iso(review.replies_done_at),
            "finalised_at": iso(review.finalised_at),
            "recommendation": review.recommendation,
            "recommended_level": review.recommended_level,
            "recommendation_reason": review.recommendation_reason,
            "recommended_by": review.recommended_by_email,
            "recommended_at": iso(review.recommended_at),
        },
        "team": [
            [
                member.auditor.get_full_name(),
                member.auditor_email,
                member.role,
                iso(member.answered_at),
                iso(member.completed_at),
            ]
            for member in context["team"]
        ],
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "standards": [
                    {
                        "code": entry.assessment.standard.code,
                        "title": entry.assessment.standard.title,
                        "level": entry.assessment.standard.level,
                        "core": entry.assessment.standard.is_core,
                        "self_rating": entry.assessment.self_rating,
                        "rating": entry.rating,
                        "rationale": entry.consolidated.rationale if entry.consolidated else "",
                        "source": entry.consolidated.source if entry.consolidated else "",
                        "reason": entry.consolidated.reason if entry.divergent else "",
                        "cited": entry.cited,
                    }
                    for entry in section.standards
                ],
            }
            for section in context["sections"]
        ],
        "findings": [
            {
                "id": entry.finding.pk,
                "standard": entry.finding.assessment.standard.code,
                "kind": entry.finding.kind,
                "grade": entry.finding.grade,
                "statement": entry.finding.statement,
                "withdrawn_at": iso(entry.finding.withdrawn_at),
                "plan": _plan_input(entry.plan),
            }
            for entry in context["findings"]
        ],
        "evidence_requests": [
            {
                "message": request.message,
                "standards": [a.standard.code for a in request.assessments.all()],
                "due_on": iso(request.due_on),
                "state": request.state,
                "requested_by": request.requested_by_email,
                "created_at": iso(request.created_at),
                "decision_reason": request.decision_reason,
                "decided_at": iso(request.decided_at),
                "answers": [
                    {
                        "comment": answer.comment,
                        "answered_by": answer.answered_by_email,
                        "answered_at": iso(answer.answered_at),
                        "files": _files_input(answer.files.all()),
                    }
                    for answer in request.answers.all()
                ],
            }
            for request in context["evidence_requests"]
        ],
        "evaluation": [
            {
                "level": level.level,
                "rules": [
                    {
                        "key": rule.key,
                        "share": str(rule.required_share),
                        "applicable": list(rule.applicable),
                        "met": list(rule.met),
                        "short": list(rule.short),
                        "pending": list(rule.pending),
                        "not_applicable": list(rule.not_applicable),
                    }
                    for rule in level.rules
                ],
            }
            for level in evaluation.levels
        ],
        "thread": [_comment_input(comment) for comment in context["thread"]],
    }


def audit_input_digest(audit: Audit, language: str, kind: str = "audit") -> str:
    """The digest of what the audit report of ``audit`` in ``language`` would show now: the
    queries of ``audit_context`` (a fixed number), no rendering."""
    return input_digest(audit_input(audit_context(audit), language=language, kind=kind))
