"""The assessment interviews of a competences application over the API:
``GET /api/v1/audits/<id>/review/interviews/`` (the review team and ERNST) and ``POST`` (an
auditor who accepted a place on the team, while the review is open: 201; 400 with the reason
otherwise, 403 for anyone else who sees the review)."""

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rescue.http import api_user
from reviews.models import AssessmentInterview
from reviews.permissions import ReviewAccess, review_policy
from reviews.selectors import assessments_by_code, interview_list
from reviews.services.interviews import MAX_TEXT, interview_record


class InterviewSerializer(serializers.ModelSerializer):
    competences = serializers.SerializerMethodField()
    mode_label = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentInterview
        fields = [
            "id",
            "held_on",
            "mode",
            "mode_label",
            "participants",
            "competences",
            "outcome",
            "recorded_by_email",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_competences(self, interview: AssessmentInterview) -> list[str]:
        return [competence.standard.code for competence in interview.competences.all()]


class InterviewRecordSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=AssessmentInterview.Mode.choices)
    participants = serializers.CharField(max_length=MAX_TEXT)
    competences = serializers.ListField(
        child=serializers.CharField(max_length=16),
        min_length=1,
        max_length=100,
        help_text=gettext_lazy("The codes of the competences assessed (COM01...)."),
    )
    outcome = serializers.CharField(max_length=MAX_TEXT)


def _access(request: Request, audit_id: int) -> ReviewAccess:
    access = review_policy.access_or_404(request.user, audit_id)
    if not access.audit.is_application:
        raise Http404("No such application.")
    return access


class InterviewListView(APIView):
    @extend_schema(responses={200: InterviewSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        """The application's assessment interviews, in the order they were held."""
        access = _access(request, audit_id)
        interviews = interview_list(audit=access.audit)
        return Response(InterviewSerializer(interviews, many=True).data)

    @extend_schema(request=InterviewRecordSerializer, responses={201: InterviewSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        """Record an interview with the applicant (an auditor of the team)."""
        audit = _access(request, audit_id).audit
        serializer = InterviewRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        codes = set(data["competences"])
        competences = assessments_by_code(audit=audit, codes=codes)
        if len(competences) != len(codes):
            raise serializers.ValidationError(
                {"competences": [gettext_lazy("That competence is not part of this application.")]}
            )
        interview = interview_record(
            audit=audit,
            user=api_user(request),
            held_on=data["held_on"],
            mode=data["mode"],
            participants=data["participants"],
            competences=competences,
            outcome=data["outcome"],
        )
        return Response(InterviewSerializer(interview).data, status=201)
