"""Audits: an institution's application for certification of one component.

An audit is pinned to the catalogue version that was active when it started; the catalogue
version cannot be deleted or changed in place while audits use it.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from institutions.tenancy import TenantOwnedModel
from standards.choices import Component, InterventionLevel, Setting
from standards.models import CatalogueVersion, Standard


class Audit(TenantOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        REVIEW_COMPLETE = "review_complete", _("Review complete")
        DRAFT_RELEASED = "draft_released", _("Draft report released")
        FINAL_REPORT = "final_report", _("Final report issued, awaiting the decision")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")

    catalogue_version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="audits"
    )
    component = models.CharField(
        max_length=16,
        choices=Component.choices,
        help_text="The catalogue version's component, kept here for the one-open-audit rule.",
    )
    setting = models.CharField(max_length=16, choices=Setting.choices)
    target_level = models.CharField(
        max_length=16,
        choices=InterventionLevel.choices,
        blank=True,
        help_text="RESCUE-Intervention level applied for; empty for other components.",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_applications",
        help_text="The peer supporter applying for the certification of their competences "
        "(competences only): the application is theirs, not the institution's.",
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endorsed_by_email = models.EmailField(blank=True)
    endorsed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a coordinator of the institution confirmed that the applicant is an "
        "active peer supporter of its programme.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manifest = models.JSONField(
        null=True, blank=True, help_text="Sealed dossier: standard → files → SHA-256."
    )
    manifest_digest = models.CharField(max_length=64, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "component"],
                condition=~Q(status__in=("decided", "closed")) & Q(applicant__isnull=True),
                name="audit_one_open_per_component",
                violation_error_message=(
                    "This institution already has an open audit for this component."
                ),
            ),
            models.UniqueConstraint(
                fields=["applicant"],
                condition=~Q(status__in=("decided", "closed")) & Q(applicant__isnull=False),
                name="audit_one_open_application_per_person",
                violation_error_message="This person already has an open application.",
            ),
            models.CheckConstraint(
                condition=Q(component="competences", applicant__isnull=False)
                | (~Q(component="competences") & Q(applicant__isnull=True)),
                name="audit_applicant_iff_competences",
                violation_error_message=(
                    "A competences application has an applicant; an institution's audit has none."
                ),
            ),
        ]
        indexes = [
            # The audit list's order, newest first: a page of 25 is read off the index, not
            # sorted out of every audit (ERNST's list of 11,000: 43 to 28 ms, bench/pages.py).
            models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
        ]
        permissions = [
            ("review_audit", "Review and score this audit (assigned auditor)"),
            ("assign_auditor", "Assign auditors to audits (ERNST admin)"),
            ("view_all_audits", "See every institution's audits (ERNST admin)"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} — {self.catalogue_version}"

    @property
    def is_application(self) -> bool:
        """A person's application for the certification of their competences."""
        return self.applicant_id is not None

    @property
    def is_sealed(self) -> bool:
        """Submitted dossiers are read-only (later changes only through evidence requests)."""
        return self.status != self.Status.DRAFT

    @property
    def lookback_start(self) -> date:
        """Evidence should date from after this day: the look-back window before submission."""
        # The local day (Europe/Brussels), as the pages show it: not the UTC date.
        reference = timezone.localdate(self.submitted_at)  # today when not submitted
        years = self.catalogue_version.lookback_years
        try:
            return reference.replace(year=reference.year - years)
        except ValueError:  # 29 February
            return reference.replace(year=reference.year - years, day=28)


class StandardAssessment(TenantOwnedModel):
    """The institution's self-assessment of one standard in one audit."""

    class Rating(models.TextChoices):
        MET = "met", _("Met")
        PARTIALLY_MET = "partially_met", _("Partially met")
        NOT_MET = "not_met", _("Not met")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="assessments")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    self_rating = models.CharField(max_length=16, choices=Rating.choices, blank=True)
    justification = models.TextField(
        blank=True, help_text="Why the standard does not apply (required for not applicable)."
    )
    narrative = models.TextField(blank=True, help_text="How the institution meets the standard.")
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_assessments"
    )
    copied_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Copied from the last audit when a renewal started: a draft until saved again.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(TenantOwnedModel.Meta):
        ordering = ["audit", "standard__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "standard"], name="assessment_unique_standard"
            ),
            models.CheckConstraint(
                condition=~Q(self_rating="not_applicable") | ~Q(justification=""),
                name="assessment_not_applicable_justified",
                violation_error_message="Say why the standard does not apply.",
            ),
        ]

    @property
    def self_rating_label(self) -> str:
        """``get_self_rating_display()`` without translating every choice (for long lists)."""
        return str(self.Rating(self.self_rating).label) if self.self_rating else ""

    def __str__(self) -> str:
        return f"{self.standard.code} in audit {self.audit_id}"


class PriorCertificationConfirmation(TenantOwnedModel):
    """An ERNST admin's record that an institution holds an Execution certificate issued before
    RESCUE Audit existed (on paper, by e-mail).

    A Comprehensive-level audit rests on an active Execution certificate issued in the product
    (``certification.selectors.execution_basis``); this record stands in for one only for a
    certificate from before, and only until its ``valid_until``.
    """

    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_by_email = models.EmailField()
    reason = models.TextField(help_text="The certificate or document the confirmation rests on.")
    valid_until = models.DateField(
        null=True,
        blank=True,
        help_text="The pre-product certificate's expiry (empty on records older than the field).",
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return (
            f"Execution certification of {self.institution} confirmed {self.confirmed_at:%Y-%m-%d}"
        )


class AuditEvent(TenantOwnedModel):
    """A business event in an audit's history. Names are copied so the record survives deletions."""

    class Action(models.TextChoices):
        CREATED = "created", _("Audit started")
        ENDORSED = "endorsed", _("Application endorsed by the institution")
        ASSIGNEES_CHANGED = "assignees_changed", _("People assigned")
        SELF_RATED = "self_rated", _("Self-assessment saved")
        UPLOADED = "uploaded", _("Evidence uploaded")
        REPLACED = "replaced", _("Evidence replaced")
        LINKED = "linked", _("Evidence linked")
        UNLINKED = "unlinked", _("Evidence unlinked")
        DELETED = "deleted", _("Evidence deleted")
        DATED = "dated", _("Effective date set")
        FLAG_REVIEWED = "flag_reviewed", _("Personal-data flag reviewed")
        SUBMITTED = "submitted", _("Dossier submitted")
        REPORT_REQUESTED = "report_requested", _("Report requested")
        AUDITOR_ASSIGNED = "auditor_assigned", _("Auditor assigned")
        AUDITOR_REMOVED = "auditor_removed", _("Auditor removed")
        AUDITOR_ACCEPTED = "auditor_accepted", _("Auditor accepted")
        AUDITOR_DECLINED = "auditor_declined", _("Auditor declined")
        REVIEW_COMPLETED = "review_completed", _("Review marked complete")
        RATINGS_CONSOLIDATED = "ratings_consolidated", _("Ratings consolidated")
        CONSOLIDATION_DECIDED = "consolidation_decided", _("Divergence decided")
        FINDING_GRADED = "finding_graded", _("Finding graded")
        OBSERVATION_ADDED = "observation_added", _("Observation added")
        INTERVIEW_RECORDED = "interview_recorded", _("Assessment interview recorded")
        EVIDENCE_REQUESTED = "evidence_requested", _("Evidence requested")
        EVIDENCE_ANSWERED = "evidence_answered", _("Evidence request answered")
        EVIDENCE_ACCEPTED = "evidence_accepted", _("Answer to an evidence request accepted")
        EVIDENCE_REOPENED = "evidence_reopened", _("Evidence request reopened")
        EVIDENCE_CLOSED = "evidence_closed", _("Evidence request closed unanswered")
        RECOMMENDATION_SET = "recommendation_set", _("Recommendation recorded")
        REPORT_RELEASED = "report_released", _("Draft report released")
        REPORT_COMMENTED = "report_commented", _("Comment on the draft report")
        COMMENT_ANSWERED = "comment_answered", _("Comment answered")
        REPLIES_DONE = "replies_done", _("No more comments")
        REPORT_FINALISED = "report_finalised", _("Final report issued")
        PLAN_SUBMITTED = "plan_submitted", _("Corrective-action plan submitted")
        PLAN_ACCEPTED = "plan_accepted", _("Corrective-action plan accepted")
        PLAN_RETURNED = "plan_returned", _("Corrective-action plan returned")
        ACTION_DONE = "action_done", _("Corrective action reported done")
        ACTION_VERIFIED = "action_verified", _("Corrective action verified and closed")
        ACTION_KEPT_OPEN = "action_kept_open", _("Corrective action kept open")
        DECIDED = "decided", _("Certification decided")
        APPEAL_LODGED = "appeal_lodged", _("Appeal lodged")
        APPEAL_TAKEN = "appeal_taken", _("Appeal taken up")
        APPEAL_UPHELD = "appeal_upheld", _("Appeal decided: decision upheld")
        APPEAL_CHANGED = "appeal_changed", _("Appeal decided: decision changed")
        RENEWAL_STARTED = "renewal_started", _("Renewal audit started")
        CARRIED_CONFIRMED = "carried_confirmed", _("Carried-forward evidence confirmed")
        CLOSED = "closed", _("Audit closed")

    audit = models.ForeignKey(
        Audit, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    audit_label = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    object_label = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    assessments = models.ManyToManyField(
        StandardAssessment,
        blank=True,
        related_name="+",
        help_text="The standards the event is about (none for the whole audit): a contributor "
        "sees the events of their own standards only.",
    )
    review_only = models.BooleanField(
        default=False,
        help_text="An event of the external review: seen by ERNST and the review team only, "
        "never by the institution.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_label}"


# django-guardian object permissions on audits, with direct foreign keys (no generic relation,
# so rows go away with the audit and joins stay indexed).
class AuditUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)


class AuditGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)
