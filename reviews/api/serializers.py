from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reviews.models import AuditorAssignment, Rating
from reviews.services.ratings import MAX_NOTES, MAX_RATIONALE


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
