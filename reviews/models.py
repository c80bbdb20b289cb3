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
    """The institution's answer to a request: new files and a comment, sealed as an addendum
    manifest whose digest chains to the previous one (the dossier's seal for the first)."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="answers")
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
        ]

    def __str__(self) -> str:
        return f"Answer to request {self.request_id}"
