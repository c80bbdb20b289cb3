"""The dossier over the API: start an audit, read and rate standards, upload evidence, submit."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.api.base import AuditScopedMixin, refused
from audits.api.serializers import AuditSerializer
from audits.models import StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy
from audits.selectors import assessment_summary, assessment_summary_list
from audits.services.applications import audit_create
from audits.services.assessments import assessment_self_rate
from audits.services.seal import DossierSealedError
from audits.services.submission import DossierIncompleteError, audit_submit
from evidence.models import EvidenceFile
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_upload_many
from institutions.api.base import InstitutionScopedMixin
from institutions.models import Institution
from institutions.permissions import InstitutionAction
from rescue.errors import ActionRefusedError
from rescue.http import api_user
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
                institution=self.institution, user=api_user(request), **serializer.validated_data
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
    to_confirm = serializers.BooleanField(
        help_text="Carried forward by a renewal and not confirmed yet."
    )


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
    file_count = serializers.SerializerMethodField(
        help_text="Its live files: GET /api/v1/audits/<id>/evidence/?standard=<code> lists them."
    )

    def get_file_count(self, item: Any) -> int:
        return int(item.file_count)


class StandardStatusListView(AuditScopedMixin, generics.ListAPIView):
    """The audit's standards the user may see, with self-rating, file count and what is
    missing, in catalogue order, a page at a time (``limit``, ``offset``). A standard's files
    are listed by the evidence list, ``?standard=<code>``: a dossier of 2,000 files answers in
    pages of both."""

    serializer_class = StandardStatusSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is being generated
            return StandardAssessment.objects.none()
        visible = assessment_policy.assessments_for(
            self.request.user, AssessmentAction.VIEW, self.audit
        )
        return assessment_summary_list(audit=self.audit, assessments=visible)


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
                raise refused(DossierSealedError())
            return Response({"detail": "You cannot change this standard."}, status=403)
        try:
            assessment_self_rate(
                assessment=assessment, user=api_user(request), **serializer.validated_data
            )
        except ActionRefusedError as exc:
            raise refused(exc) from None
        saved = (
            StandardAssessment.objects.for_institution(self.audit.institution_id)
            .select_related("standard__section")
            .get(pk=assessment.pk)
        )
        return Response(StandardStatusSerializer(assessment_summary(assessment=saved)).data)


class EvidenceUploadSerializer(serializers.Serializer):
    # Empty files pass here so that the inspection refuses them by name, keeping the others.
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), allow_empty=False
    )
    standards = serializers.ListField(child=serializers.CharField(max_length=8), allow_empty=False)
    confirmed_no_personal_data = serializers.BooleanField()
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)


class EvidenceRefusalSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name as sent.")
    reason = serializers.CharField(help_text="Why it was not stored.")


class EvidenceUploadResultSerializer(serializers.Serializer):
    """What an upload stored and what it refused: 201 when every file was stored, 400 when one
    was refused (the others are stored all the same), or 400 with field errors."""

    uploaded = EvidenceSummarySerializer(many=True, required=False)
    refused = EvidenceRefusalSerializer(many=True, required=False)


class EvidenceListView(AuditScopedMixin, generics.ListAPIView):
    """List the audit's evidence files, oldest first, a page at a time (``limit``, ``offset``),
    those of one standard with ``?standard=<code>``; or upload files (multipart) for one or more
    standards."""

    parser_classes = [MultiPartParser]
    serializer_class = EvidenceSummarySerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is being generated
            return EvidenceFile.objects.none()
        files = evidence_policy.files_for(self.request.user, EvidenceAction.VIEW, self.audit)
        code = self.request.query_params.get("standard")
        if code is not None:
            visible = assessment_policy.assessments_for(
                self.request.user, AssessmentAction.VIEW, self.audit
            )
            assessment = (
                visible.filter(standard__code=code).first()
                if code.isascii() and code.isalnum() and len(code) <= 8
                else None
            )
            if assessment is None:
                raise ValidationError(
                    {"standard": [_("No standard %(code)s in this audit.") % {"code": code[:8]}]}
                )
            files = files.filter(links__assessment=assessment)
        return files.select_related("current_revision").order_by("created_at", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "standard",
                str,
                description="Only the files that support this standard (its code).",
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=EvidenceUploadSerializer,
        responses={201: EvidenceUploadResultSerializer, 400: EvidenceUploadResultSerializer},
    )
    def post(self, request: Request, audit_id: int) -> Response:
        # The form fields only: request.data also holds the files, and copying it would deep-copy
        # them, which a file spooled to disk by the upload handler refuses.
        data = request.POST.copy()
        data.setlist("files", request.FILES.getlist("files"))
        # Read only now: the upload handler lists the files it dropped while the body is parsed.
        refusals = [
            {"name": name, "reason": f"{name}: {reason}"}
            for name, reason in getattr(request._request, "upload_refusals", [])
        ]
        if not data.getlist("files") and refusals:
            return Response({"uploaded": [], "refused": refusals}, status=400)
        serializer = EvidenceUploadSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        # The standards once they are valid codes: a code the database cannot hold (a NUL, say)
        # is a field error above, not a failed query here.
        assessments = self._editable(request, set(values["standards"]))
        outcome = evidence_upload_many(
            audit=self.audit,
            user=api_user(request),
            files=values["files"],
            assessments=assessments,
            confirmed_no_personal_data=values["confirmed_no_personal_data"],
            effective_date=values["effective_date"],
        )
        refusals += [{"name": name, "reason": message} for name, message in outcome.refused]
        body = {
            "uploaded": EvidenceSummarySerializer(outcome.stored, many=True).data,
            "refused": refusals,
        }
        return Response(body, status=400 if refusals else 201)

    def _editable(self, request: Request, codes: set[str]) -> list[StandardAssessment]:
        """The standards named, if the user may add evidence to them: 404 for a standard they
        cannot see, 400 once sealed, 403 for one they may only read."""
        if not codes:
            raise ValidationError({"standards": ["Name the standard(s) the files support."]})
        visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, self.audit)
        if visible.filter(standard__code__in=codes).count() != len(codes):
            raise Http404("No such standard in this audit.")
        if self.audit.is_sealed:
            raise refused(DossierSealedError())
        assessments = list(
            assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, self.audit)
            .filter(standard__code__in=codes)
            .select_related("standard")
        )
        if len(assessments) != len(codes):
            raise PermissionDenied("You cannot add evidence to these standards.")
        return assessments


class SubmissionGapSerializer(serializers.Serializer):
    standard = serializers.CharField()
    title = serializers.CharField()
    problem = serializers.CharField()


class SubmissionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    gaps = SubmissionGapSerializer(
        many=True, required=False, help_text="What each incomplete standard still lacks."
    )


class SubmitView(AuditScopedMixin, APIView):
    """Submit the dossier: 200 with the manifest digest, or 400 with every gap."""

    @extend_schema(request=None, responses={200: AuditSerializer, 400: SubmissionRefusedSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        try:
            audit = audit_submit(audit=self.audit, user=api_user(request))
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
        return Response(AuditSerializer(audit).data)
