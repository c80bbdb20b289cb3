from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reviews.models import AuditorAssignment, EvidenceRequest, Finding, Rating
from reviews.services.findings import MAX_STATEMENT
from reviews.services.ratings import MAX_NOTES, MAX_RATIONALE
from reviews.services.requests import MAX_MESSAGE


class TeamMemberSerializer(serializers.Serializer):
    email = serializers.EmailField(source="auditor_email")
    role = serializers.ChoiceField(choices=AuditorAssignment.Role.choices)
    state = serializers.ChoiceField(choices=AuditorAssignment.State.choices)


class ReviewSerializer(serializers.Serializer):
    """One of the user's places on a review team."""

    id = serializers.IntegerField(source="assignment.pk")
    audit = serializers.IntegerField(source="audit.pk")
    institution = serializers.CharField(source="audit.institution.name")
    component = serializers.CharField(source="audit.component")
    target_level = serializers.CharField(source="audit.target_level")
    setting = serializers.CharField(source="audit.setting")
    stage = serializers.CharField(source="audit.status")
    role = serializers.ChoiceField(source="assignment.role", choices=AuditorAssignment.Role.choices)
    state = serializers.ChoiceField(
        source="assignment.state", choices=AuditorAssignment.State.choices
    )
    due_on = serializers.DateField(source="assignment.due_on", allow_null=True)
    overdue = serializers.BooleanField()
    completed_at = serializers.DateTimeField(source="assignment.completed_at", allow_null=True)
    rated = serializers.IntegerField()
    total = serializers.IntegerField()
    team = TeamMemberSerializer(many=True)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AuditorRatingSerializer(serializers.Serializer):
    """An auditor's rating as its reader may see it (notes: the auditors and ERNST only)."""

    auditor = serializers.EmailField(source="assignment.auditor_email")
    role = serializers.ChoiceField(source="assignment.role", choices=AuditorAssignment.Role.choices)
    rating = serializers.ChoiceField(choices=Rating.choices)
    rationale = serializers.CharField()
    notes = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.IntegerField(), source="evidence_ids", help_text=_("File ids cited.")
    )
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ConsolidatedRatingSerializer(serializers.Serializer):
    rating = serializers.CharField(help_text=_("Empty while a divergence waits for the lead."))
    rationale = serializers.CharField()
    source = serializers.CharField()
    reason = serializers.CharField()
    decided_by = serializers.EmailField(source="decided_by_email", allow_blank=True)
    version = serializers.IntegerField()


class StandardRatingsSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="assessment.standard.title")
    mine = AuditorRatingSerializer(allow_null=True)
    others = AuditorRatingSerializer(many=True)
    consolidated = ConsolidatedRatingSerializer(allow_null=True)


class RatingSaveSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    rationale = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_RATIONALE
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_NOTES
    )
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        default=list,
        max_length=500,
        help_text=_("Ids of the standard's files the rating rests on."),
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31,
        help_text=_("The version the change is based on: 0 for a first rating."),
    )


class RatingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = AuditorRatingSerializer(allow_null=True)


class DivergenceDecideSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    rationale = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_RATIONALE
    )
    reason = serializers.CharField(max_length=MAX_RATIONALE)
    version = serializers.IntegerField(min_value=0, max_value=2**31)


class ConsolidationConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ConsolidatedRatingSerializer(allow_null=True)


class CompletionSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField()
    stage = serializers.CharField()


class RuleResultSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["elementary", "advanced", "core", "non_core"])
    label = serializers.CharField()
    required_share = serializers.DecimalField(max_digits=4, decimal_places=3)
    needed = serializers.IntegerField(help_text=_("How many applicable standards must be met."))
    applicable = serializers.ListField(child=serializers.CharField())
    met = serializers.ListField(child=serializers.CharField())
    short = serializers.ListField(
        child=serializers.CharField(), help_text=_("Partially met or not met.")
    )
    pending = serializers.ListField(
        child=serializers.CharField(), help_text=_("Without a consolidated rating yet.")
    )
    not_applicable = serializers.ListField(child=serializers.CharField())
    passed = serializers.BooleanField(
        allow_null=True, help_text=_("Null while a standard of the rule waits for its rating.")
    )
    explanation = serializers.CharField()


class LevelResultSerializer(serializers.Serializer):
    level = serializers.CharField(
        help_text=_("design, execution or comprehensive; empty for Training and Competences.")
    )
    label = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    rules = RuleResultSerializer(many=True)


class EvaluationSerializer(serializers.Serializer):
    complete = serializers.BooleanField(
        help_text=_("Every standard has its consolidated rating: the answer is final.")
    )
    proposal = serializers.CharField()
    proposed_level = serializers.SerializerMethodField()
    levels = LevelResultSerializer(many=True)

    def get_proposed_level(self, evaluation: Any) -> str | None:
        """The highest level whose rules pass ("" for Training and Competences); null: none."""
        return evaluation.proposed.level if evaluation.proposed else None


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="assessment.standard.code")
    kind = serializers.ChoiceField(choices=Finding.Kind.choices)
    grade = serializers.ChoiceField(
        choices=Finding.Grade.choices,
        allow_blank=True,
        help_text=_("Empty for an observation, or a nonconformity not graded yet."),
    )
    label = serializers.CharField()
    statement = serializers.CharField()
    consolidated_rating = serializers.SerializerMethodField()
    graded_by = serializers.EmailField(source="graded_by_email", allow_blank=True)
    graded_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    def get_consolidated_rating(self, finding: Finding) -> str | None:
        """The team's rating of the standard (null if it has none)."""
        consolidated = getattr(finding.assessment, "consolidated_rating", None)
        return consolidated.rating if consolidated else None


class FindingSaveSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(
        choices=Finding.Grade.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("major or minor for a nonconformity; empty for an observation."),
    )
    statement = serializers.CharField(max_length=MAX_STATEMENT)
    version = serializers.IntegerField(
        min_value=0, max_value=2**31, help_text=_("The version the change is based on.")
    )


class FindingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = FindingSerializer()


class ObservationSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text=_("The standard's code."))
    statement = serializers.CharField(max_length=MAX_STATEMENT)


class AddendumFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField(help_text=_("The E-number, after the sealed dossier's."))
    name = serializers.CharField(source="current_revision.original_name")
    size = serializers.IntegerField(source="current_revision.size")
    sha256 = serializers.CharField(source="current_revision.sha256")


class EvidenceAnswerSerializer(serializers.Serializer):
    answered_by = serializers.EmailField(source="answered_by_email")
    answered_at = serializers.DateTimeField()
    comment = serializers.CharField()
    files = AddendumFileSerializer(many=True)
    previous_digest = serializers.CharField(
        help_text=_("The digest this addendum chains to: the seal's, or the previous answer's.")
    )
    digest = serializers.CharField(help_text=_("SHA-256 of the addendum manifest."))


class EvidenceRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    standards = serializers.SerializerMethodField()
    message = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=EvidenceRequest.State.choices)
    overdue = serializers.BooleanField(source="is_overdue")
    requested_by = serializers.EmailField(source="requested_by_email")
    created_at = serializers.DateTimeField()
    decided_by = serializers.EmailField(source="decided_by_email", allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    answers = EvidenceAnswerSerializer(many=True)

    def get_standards(self, request: EvidenceRequest) -> list[str]:
        """The codes of the standards asked about."""
        return [a.standard.code for a in request.assessments.all()]


class EvidenceRequestCreateSerializer(serializers.Serializer):
    standards = serializers.ListField(child=serializers.CharField(max_length=8), allow_empty=False)
    message = serializers.CharField(max_length=MAX_MESSAGE)
    due_on = serializers.DateField()


class EvidenceRequestAnswerSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_MESSAGE
    )
    confirmed_no_personal_data = serializers.BooleanField()


class EvidenceDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reopen", "close"])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_MESSAGE
    )
    reopen_until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Required to reopen.")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["decision"] == "reopen" and data["reopen_until"] is None:
            raise serializers.ValidationError({"reopen_until": [_("Give the new due date.")]})
        return data
