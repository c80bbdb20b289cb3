"""The external review of a submitted dossier: the review team, each auditor's ratings, and the
consolidated rating of every standard.

An auditor's access to an audit is the django-guardian ``review_audit`` object permission, held
while their assignment is in its slot (invited or accepted). Declining, withdrawal, a conflict of
interest or the audit's closure take the permission away; the assignment and the ratings made under
it stay, attributed to the auditor.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, StandardAssessment
from evidence.models import EvidenceFile
from institutions.tenancy import TenantOwnedModel
from standards.choices import InterventionLevel

Rating = StandardAssessment.Rating


class AuditorAssignment(TenantOwnedModel):
    """An external auditor's place on an audit's review team, given by an ERNST admin."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead auditor")
        SECOND = "second", _("Second auditor")

    class State(models.TextChoices):
        INVITED = "invited", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    IN_SLOT = (State.INVITED, State.ACCEPTED)

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="assignments")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_assignments"
    )
    auditor_email = models.EmailField(help_text="Kept for the record if the account goes.")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.LEAD)
    state = models.CharField(max_length=10, choices=State.choices, default=State.INVITED)
    due_on = models.DateField(null=True, blank=True, help_text="The day the review is due.")
    qualification_override = models.TextField(
        blank=True,
        help_text="Why an auditor not qualified for the component was assigned all the same.",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the auditor marked their review complete."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["role", "-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "auditor"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_auditor",
            ),
            models.UniqueConstraint(
                fields=["audit", "role"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_role",
                violation_error_message="This place on the review team is taken.",
            ),
            # In its slot (invited, accepted) exactly while it has not ended.
            models.CheckConstraint(
                condition=Q(state__in=["invited", "accepted"], ended_at__isnull=True)
                | (~Q(state__in=["invited", "accepted"]) & Q(ended_at__isnull=False)),
                name="assignment_state_matches_end",
            ),
        ]
        indexes = [models.Index(fields=["auditor", "state"])]

    @property
    def role_label(self) -> str:
        """``get_role_display()`` without translating every choice (for long lists)."""
        return str(self.Role(self.role).label)

    def __str__(self) -> str:
        return f"{self.auditor_email} on {self.audit}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class AuditorRating(TenantOwnedModel):
    """One auditor's rating of one standard. ``version`` grows with every save: a save based on
    an older version is refused, so nothing typed elsewhere is overwritten unseen."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="auditor_ratings")
    assignment = models.ForeignKey(
        AuditorAssignment, on_delete=models.CASCADE, related_name="ratings"
    )
    assessment = models.ForeignKey(
        StandardAssessment, on_delete=models.CASCADE, related_name="auditor_ratings"
    )
    rating = models.CharField(max_length=16, choices=Rating.choices)
    rationale = models.TextField(blank=True, help_text="Required unless the standard is met.")
    notes = models.TextField(blank=True, help_text="Private to the auditors and ERNST.")
    evidence = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    cited_ids: list[int]  # set by a selector that read the cited files for a list

    class Meta(TenantOwnedModel.Meta):
        ordering = ["assessment__standard__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "assessment"], name="rating_one_per_auditor_standard"
            ),
            models.CheckConstraint(
                condition=Q(rating="met") | ~Q(rationale=""),
                name="rating_rationale_unless_met",
                violation_error_message="Say why the standard is not fully met.",
            ),
        ]

    @property
    def rating_label(self) -> str:
        """``get_rating_display()`` without translating every choice (for long lists)."""
        return str(Rating(self.rating).label) if self.rating else ""

    def __str__(self) -> str:
        return f"{self.assignment.auditor_email}: {self.assessment_id} {self.rating}"

    @property
    def evidence_ids(self) -> list[int]:
        """The cited files' ids (``cited_ids`` when a selector has read them for a list)."""
        cited = getattr(self, "cited_ids", None)
        return cited if cited is not None else sorted(f.pk for f in self.evidence.all())


class ConsolidatedRating(TenantOwnedModel):
    """The review team's rating of a standard: an agreement, the single auditor's rating, or the
    lead auditor's decision on a divergence (with its reason). The auditors' originals stay."""

    class Source(models.TextChoices):
        SINGLE = "single", _("Single auditor")
        AGREED = "agreed", _("Both auditors agreed")
        LEAD = "lead", _("Decided by the lead auditor")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="consolidated_ratings")
    assessment = models.OneToOneField(
        StandardAssessment, on_delete=models.CASCADE, related_name="consolidated_rating"
    )
    rating = models.CharField(max_length=16, choices=Rating.choices, blank=True)
    rationale = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    reason = models.TextField(blank=True, help_text="Why the lead chose this rating.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_email = models.EmailField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["assessment__standard__order"]

    @property
    def rating_label(self) -> str:
        """``get_rating_display()`` without translating every choice (for long lists)."""
        return str(Rating(self.rating).label) if self.rating else ""

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.rating or 'open'} ({self.source})"

    @property
    def is_open(self) -> bool:
        """A divergence waiting for the lead's decision."""
        return not self.rating


class Finding(TenantOwnedModel):
    """What the review found on a standard. A *nonconformity* for each standard consolidated as
    partially met or not met (made when the review completes), graded major or minor by the lead
    auditor; an *observation* (an opportunity for improvement) the lead adds on any standard.
    The institution sees findings only once the draft report is released."""

    class Kind(models.TextChoices):
        NONCONFORMITY = "nonconformity", _("Nonconformity")
        OBSERVATION = "observation", _("Observation")

    class Grade(models.TextChoices):
        MAJOR = "major", _("Major nonconformity")
        MINOR = "minor", _("Minor nonconformity")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    assessment = models.ForeignKey(
        StandardAssessment, on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    grade = models.CharField(
        max_length=8, choices=Grade.choices, blank=True, help_text="Nonconformities only."
    )
    statement = models.TextField(
        blank=True, help_text="What falls short (or could improve), and the evidence for it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_by_email = models.EmailField(blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the lead withdrew it, accepting the institution's reply (the comment's "
        "answer says why).",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["assessment__standard__order", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(kind="nonconformity"),
                name="finding_one_nonconformity_per_standard",
            ),
            models.CheckConstraint(
                condition=Q(kind="nonconformity") | Q(grade=""),
                name="finding_grade_only_for_nonconformities",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.assessment_id}"

    @property
    def label(self) -> str:
        """Its grade, or what it is while ungraded (for lists, without translating every choice)."""
        if self.withdrawn_at is not None:
            return str(_("Withdrawn after the institution's reply"))
        if self.grade:
            return str(self.Grade(self.grade).label)
        if self.kind == self.Kind.OBSERVATION:
            return str(self.Kind.OBSERVATION.label)
        return str(_("Nonconformity, not graded yet"))


class EvidenceRequest(TenantOwnedModel):
    """An auditor's request for more evidence on one or more standards of a sealed dossier:
    the only way anything is added to it. Answered by the institution with new files and a
    comment (each answer sealed as an addendum chained to the dossier's seal); the auditor
    accepts the answer, or rejects it and reopens the request with a new due date, or closes it
    as unanswered."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered, to check")
        ACCEPTED = "accepted", _("Accepted")
        UNANSWERED = "unanswered", _("Closed as unanswered")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence_requests")
    assessments = models.ManyToManyField(StandardAssessment, related_name="evidence_requests")
    message = models.TextField(help_text="What is missing and what would show it.")
    due_on = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence request {self.pk} on audit {self.audit_id}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_on < timezone.localdate()


class EvidenceRequestAnswer(TenantOwnedModel):
    """An addendum to a sealed dossier: the institution's answer to an evidence request (new
    files and a comment) or its report that a corrective action is done (the evidence and a
    note), sealed as an addendum manifest whose digest chains to the previous one (the dossier's
    seal for the first). One chain per audit, whichever the addendum's occasion."""

    request = models.ForeignKey(
        EvidenceRequest,
        on_delete=models.CASCADE,
        related_name="answers",
        null=True,
        blank=True,
    )
    action = models.ForeignKey(
        "CorrectiveAction",
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
        help_text="The corrective action reported done (instead of a request answered).",
    )
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="addenda")
    comment = models.TextField(blank=True)
    files = models.ManyToManyField(EvidenceFile, related_name="request_answers")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_by_email = models.EmailField()
    answered_at = models.DateTimeField(auto_now_add=True)
    addendum = models.JSONField(
        help_text="The request, the new files with their SHA-256, the comment."
    )
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "previous_digest"], name="addendum_one_chain"),
            models.CheckConstraint(
                condition=Q(request__isnull=False, action__isnull=True)
                | Q(request__isnull=True, action__isnull=False),
                name="addendum_one_occasion",
            ),
        ]

    def __str__(self) -> str:
        if self.action_id:
            return f"Corrective action {self.action_id} reported done"
        return f"Answer to request {self.request_id}"


class ReviewReport(TenantOwnedModel):
    """The course of an audit's report: the lead auditor's recommendation, the release of the
    draft to the institution, the reply window and the final report.

    Until the release the institution sees nothing of the review. Released, its coordinators see
    the consolidated ratings, rationales and findings (never the private notes, never the
    auditors' originals) and may comment until ``reply_until``; the lead answers every comment.
    The final report then goes to the certification decision."""

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("In preparation")
        RELEASED = "released", _("Draft released to the institution")
        FINAL = "final", _("Final report issued")

    class Recommendation(models.TextChoices):
        CERTIFY = "certify", _("Certify")
        CONDITIONS = "conditions", _("Certify on conditions")
        DO_NOT_CERTIFY = "do_not_certify", _("Do not certify")

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="review_report")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PREPARING)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True)
    recommended_level = models.CharField(
        max_length=16,
        choices=InterventionLevel.choices,
        blank=True,
        help_text="RESCUE-Intervention: the level recommended; empty for other components.",
    )
    recommendation_reason = models.TextField(
        blank=True, help_text="The lead auditor's grounds for the recommendation."
    )
    recommended_by_email = models.EmailField(blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by_email = models.EmailField(blank=True)
    reply_until = models.DateTimeField(
        null=True, blank=True, help_text="The end of the reply window (set at the release)."
    )
    replies_done_at = models.DateTimeField(
        null=True, blank=True, help_text="When a coordinator declared they have no more comments."
    )
    replies_done_by_email = models.EmailField(blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by_email = models.EmailField(blank=True)

    class Meta(TenantOwnedModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="preparing") | Q(released_at__isnull=False),
                name="review_report_released_when_past_preparing",
            ),
        ]

    def __str__(self) -> str:
        return f"Report of audit {self.audit_id} ({self.stage})"

    @property
    def is_released(self) -> bool:
        return self.stage != self.Stage.PREPARING

    @property
    def reply_open(self) -> bool:
        """Comments are taken: released, before the window's end, and not declared done."""
        return (
            self.stage == self.Stage.RELEASED
            and self.replies_done_at is None
            and self.reply_until is not None
            and timezone.now() < self.reply_until
        )

    @property
    def recommendation_label(self) -> str:
        if not self.recommendation:
            return str(_("No recommendation yet"))
        label = str(self.Recommendation(self.recommendation).label)
        if self.recommended_level:
            level = str(InterventionLevel(self.recommended_level).label)
            return f"{label}: {level}"
        return label


class ReportComment(TenantOwnedModel):
    """A coordinator's comment on the released draft, about one finding or the report as a
    whole, and the lead auditor's answer: accepted (the rating or the finding changes, with the
    reason; ``changes`` records what changed) or maintained (why)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        MAINTAINED = "maintained", _("Maintained")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="report_comments")
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
        help_text="The finding commented on; empty for the report as a whole.",
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text="What an accepted comment changed (old → new)."
    )
    answered_by_email = models.EmailField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", answer="") | (~Q(outcome="") & ~Q(answer="")),
                name="comment_answer_has_outcome_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on audit {self.audit_id}"

    @property
    def outcome_label(self) -> str:
        return str(self.Outcome(self.outcome).label) if self.outcome else str(_("Not answered"))

    @property
    def change_summary(self) -> list[str]:
        """What an accepted comment changed, in words (in the active language)."""

        def rating(value: str) -> str:
            return str(Rating(value).label) if value in Rating.values else "—"

        def grade(value: str) -> str:
            return str(Finding.Grade(value).label) if value in Finding.Grade.values else "—"

        lines = []
        if old_new := self.changes.get("rating"):
            lines.append(
                str(_("Consolidated rating changed: %(old)s → %(new)s."))
                % {"old": rating(old_new[0]), "new": rating(old_new[1])}
            )
        if old_new := self.changes.get("grade"):
            lines.append(
                str(_("Grade changed: %(old)s → %(new)s."))
                % {"old": grade(old_new[0]), "new": grade(old_new[1])}
            )
        if self.changes.get("withdrawn"):
            lines.append(str(_("The finding is withdrawn.")))
        return lines


class CorrectiveActionPlan(TenantOwnedModel):
    """The institution's answer to a nonconformity: its cause and the actions that will remove
    it. The lead auditor accepts the plan or returns it with a reason; a returned plan is
    submitted again."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, to check")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="action_plans")
    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="plan")
    cause = models.TextField(help_text="Why the standard is not met.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    submitted_by_email = models.EmailField()
    submitted_at = models.DateTimeField()
    decided_by_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["finding__assessment__standard__order"]

    def __str__(self) -> str:
        return f"Plan for finding {self.finding_id}"

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)


class CorrectiveAction(TenantOwnedModel):
    """One action of a plan: what, who, by when. The institution reports it done with evidence
    (an addendum to the dossier); an auditor of the team closes it, or keeps it open with a
    reason."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Reported done, to verify")
        CLOSED = "closed", _("Verified, closed")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="corrective_actions")
    plan = models.ForeignKey(CorrectiveActionPlan, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who carries the action out.")
    due_on = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    done_note = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_email = models.EmailField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by_email = models.EmailField(blank=True)
    verification_reason = models.TextField(
        blank=True, help_text="Why the auditor kept the action open."
    )

    class Meta(TenantOwnedModel.Meta):
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"Action {self.position} of plan {self.plan_id}"

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_on < timezone.localdate()


class AssessmentInterview(TenantOwnedModel):
    """An interview with the applicant of a competences application, recorded by an auditor of
    its review team as part of the review: when, how, who took part, which competences it
    assessed and what it showed. It appears in the audit report."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        TELEPHONE = "telephone", _("Telephone")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="interviews")
    held_on = models.DateField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    participants = models.TextField(help_text="Who took part, with their part in the interview.")
    competences = models.ManyToManyField(
        StandardAssessment, related_name="+", help_text="The competences the interview assessed."
    )
    outcome = models.TextField(help_text="What the interview showed, competence by competence.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_email = models.EmailField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Interview of {self.held_on:%Y-%m-%d} in audit {self.audit_id}"

    @property
    def mode_label(self) -> str:
        return str(self.Mode(self.mode).label)
