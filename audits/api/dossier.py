"""The dossier over the API: start an audit, read and rate standards, upload evidence, submit."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.api.base import AuditScopedMixin, refused
from audits.api.serializers import AuditSerializer
from audits.models import StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy
from audits.selectors import assessment_progress_list
from audits.services.applications import audit_create
from audits.services.assessments import assessment_self_rate
from audits.services.submission import DossierIncompleteError, audit_submit
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_upload_many
from institutions.api.base import InstitutionScopedMixin
from institutions.models import Institution
from institutions.permissions import InstitutionAction
from rescue.errors import ActionRefusedError
from standards.choices import Component, InterventionLevel, Setting


class AuditCreateSerializer(serializers.Serializer):
    component = serializers.ChoiceField(choices=[Component.INTERVENTION, Component.TRAINING])
    setting = serializers.ChoiceField(choices=Setting.choices)
    target_level = serializers.ChoiceField(
        choices=InterventionLevel.choices, required=False, allow_blank=True, default=""
    )


class AuditCreateView(InstitutionScopedMixin, generics.GenericAPIView):
    """Start an audit for the institution in the URL (coordinators)."""

    serializer_class = AuditCreateSerializer
    institution_action = InstitutionAction.START_AUDIT

    def get_scoped_queryset(self, institution: Institution) -> QuerySet[Any]:
        return Institution.objects.filter(pk=institution.pk)

    @extend_schema(request=AuditCreateSerializer, responses={201: AuditSerializer})
    def post(self, request: Request, institution_id: int) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            audit = audit_create(
                institution=self.institution, user=request.user, **serializer.validated_data
            )
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response(AuditSerializer(audit).data, status=status.HTTP_201_CREATED)


class EvidenceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="current_revision.original_name")
    size = serializers.IntegerField(source="current_revision.size")
    sha256 = serializers.CharField(source="current_revision.sha256")
    revision = serializers.IntegerField(source="current_revision.number")
    flagged = serializers.BooleanField(source="current_revision.is_flagged")
    effective_date = serializers.DateField(allow_null=True)


class StandardStatusSerializer(serializers.Serializer):
    code = serializers.CharField(source="assessment.standard.code")
    title = serializers.CharField(source="assessment.standard.title")
    section = serializers.CharField(source="assessment.standard.section.title")
    level = serializers.CharField(source="assessment.standard.badge")
    self_rating = serializers.CharField(source="assessment.self_rating")
    narrative = serializers.CharField(source="assessment.narrative")
    justification = serializers.CharField(source="assessment.justification")
    complete = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    files = EvidenceSummarySerializer(many=True)


class StandardStatusListView(AuditScopedMixin, APIView):
    """The audit's standards the user may see, with self-rating, files and what is missing."""

    @extend_schema(responses={200: StandardStatusSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, self.audit)
        items = assessment_progress_list(audit=self.audit, assessments=visible)
        return Response(StandardStatusSerializer(items, many=True).data)


class SelfRatingSerializer(serializers.Serializer):
    self_rating = serializers.ChoiceField(choices=StandardAssessment.Rating.choices)
    narrative = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000
    )
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )


class SelfRatingView(AuditScopedMixin, APIView):
    """Save the self-assessment of one standard."""

    @extend_schema(request=SelfRatingSerializer, responses={200: StandardStatusSerializer})
    def patch(self, request: Request, audit_id: int, code: str) -> Response:
        assessment = assessment_policy.get_or_404(
            request.user, AssessmentAction.VIEW, self.audit, code
        )
        serializer = SelfRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not assessment_policy.can(request.user, AssessmentAction.EDIT, assessment):
            if self.audit.is_sealed:
                raise refused(
                    ActionRefusedError("The dossier is submitted and can no longer be changed.")
                )
            return Response({"detail": "You cannot change this standard."}, status=403)
        try:
            assessment_self_rate(
                assessment=assessment, user=request.user, **serializer.validated_data
            )
        except ActionRefusedError as exc:
            raise refused(exc) from None
        [item] = assessment_progress_list(
            audit=self.audit,
            assessments=StandardAssessment.objects.for_institution(
                self.audit.institution_id
            ).filter(pk=assessment.pk),
        )
        return Response(StandardStatusSerializer(item).data)


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    standards = serializers.ListField(child=serializers.CharField(max_length=8), allow_empty=False)
    confirmed_no_personal_data = serializers.BooleanField()
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)


class EvidenceListView(AuditScopedMixin, APIView):
    """List the audit's evidence files, or upload files (multipart) for one or more standards."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: EvidenceSummarySerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        files = evidence_policy.files_for(request.user, EvidenceAction.VIEW, self.audit)
        files = files.select_related("current_revision").order_by("created_at")
        return Response(EvidenceSummarySerializer(files, many=True).data)

    @extend_schema(
        request=EvidenceUploadSerializer, responses={201: EvidenceSummarySerializer(many=True)}
    )
    def post(self, request: Request, audit_id: int) -> Response:
        refusals = [f"{n}: {r}" for n, r in getattr(request._request, "upload_refusals", [])]
        data = request.data.copy()
        data.setlist("files", request.FILES.getlist("files"))
        serializer = EvidenceUploadSerializer(data=data)
        if refusals:
            return Response({"refused": refusals}, status=400)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        codes = set(values["standards"])
        visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, self.audit)
        if visible.filter(standard__code__in=codes).count() != len(codes):
            raise Http404("No such standard in this audit.")
        if self.audit.is_sealed:
            raise refused(
                ActionRefusedError("The dossier is submitted and can no longer be changed.")
            )
        assessments = list(
            assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, self.audit)
            .filter(standard__code__in=codes)
            .select_related("standard")
        )
        if len(assessments) != len(codes):
            return Response({"detail": "You cannot add evidence to these standards."}, status=403)
        outcome = evidence_upload_many(
            audit=self.audit,
            user=request.user,
            files=values["files"],
            assessments=assessments,
            confirmed_no_personal_data=values["confirmed_no_personal_data"],
            effective_date=values["effective_date"],
        )
        body = {
            "uploaded": EvidenceSummarySerializer(outcome.stored, many=True).data,
            "refused": [message for _name, message in outcome.refused],
        }
        return Response(body, status=400 if outcome.refused else 201)


class SubmitView(AuditScopedMixin, APIView):
    """Submit the dossier: 200 with the manifest digest, or 400 with every gap."""

    @extend_schema(request=None, responses={200: AuditSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        try:
            audit = audit_submit(audit=self.audit, user=request.user)
        except DossierIncompleteError as exc:
            gaps = [
                {"standard": g.standard_code, "title": g.standard_title, "problem": g.problem}
                for g in exc.gaps
            ]
            return Response({"detail": exc.message, "gaps": gaps}, status=400)
        except ActionRefusedError as exc:
            raise refused(exc) from None
        except PermissionError:
            return Response({"detail": "Only a coordinator submits the dossier."}, status=403)
        body = AuditSerializer(audit).data | {"manifest_digest": audit.manifest_digest}
        return Response(body)
