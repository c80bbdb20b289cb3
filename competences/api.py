"""The competences track over the API.

- ``GET /api/v1/institutions/<id>/applications/``: the peer supporters' applications made through
  the institution, for its coordinators and ERNST admins (stage, endorsement, outcome);
- ``POST`` the same: a peer supporter of the institution applies (201, the application);
- ``GET /api/v1/applications/<id>/``: one application's status, for whoever follows it;
- ``POST /api/v1/applications/<id>/endorsement/``: a coordinator endorses it.

The application's dossier (its competences, evidence and submission) is the audit's own API at
``/api/v1/audits/<id>/``, for the applicant, the review team and ERNST."""

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit
from audits.permissions import AuditAction
from certification.models import Decision
from competences.selectors import application_or_404, applications_followed
from competences.services import application_create, application_endorse
from institutions.permissions import InstitutionAction, institution_policy
from rescue.http import api_user


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its followers read it: no self-assessment, narrative or file."""

    applicant_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    catalogue_version = serializers.CharField(source="catalogue_version.version", read_only=True)
    outcome = serializers.ChoiceField(
        choices=Decision.Outcome.choices, allow_null=True, read_only=True
    )
    decided_at = serializers.DateTimeField(allow_null=True, read_only=True)
    endorsed_by_email = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Who endorsed the application; empty until then.")
    )

    class Meta:
        model = Audit
        fields = [
            "id",
            "institution",
            "applicant_name",
            "catalogue_version",
            "status",
            "status_label",
            "created_at",
            "endorsed_at",
            "endorsed_by_email",
            "submitted_at",
            "outcome",
            "decided_at",
        ]
        read_only_fields = fields

    def get_applicant_name(self, audit: Audit) -> str:
        return str(audit.applicant)


class InstitutionApplicationsView(generics.ListAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema is being generated
            return Audit.objects.none()
        institution = institution_policy.get_or_404(
            self.request.user, InstitutionAction.FOLLOW_APPLICATIONS, self.kwargs["institution_id"]
        )
        return applications_followed(self.request.user, institution)

    @extend_schema(request=None, responses={201: ApplicationSerializer})
    def post(self, request: Request, institution_id: int) -> Response:
        """Apply for the certification of one's competences (a peer supporter of the
        institution); the coordinators endorse it before it is submitted."""
        institution = institution_policy.get_or_404(
            request.user, InstitutionAction.APPLY, institution_id
        )
        audit = application_create(institution=institution, user=api_user(request))
        application = application_or_404(request.user, AuditAction.FOLLOW, audit.pk)
        return Response(ApplicationSerializer(application).data, status=201)


class ApplicationView(APIView):
    @extend_schema(responses={200: ApplicationSerializer})
    def get(self, request: Request, audit_id: int) -> Response:
        """The application's stage, endorsement and outcome."""
        application = application_or_404(request.user, AuditAction.FOLLOW, audit_id)
        return Response(ApplicationSerializer(application).data)


class ApplicationEndorsementView(APIView):
    @extend_schema(request=None, responses={200: ApplicationSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        """Confirm that the applicant is an active peer supporter of the institution's programme
        (a coordinator of the institution; once, before submission)."""
        application = application_or_404(request.user, AuditAction.ENDORSE, audit_id)
        application_endorse(audit=application, user=api_user(request))
        application = application_or_404(request.user, AuditAction.FOLLOW, audit_id)
        return Response(ApplicationSerializer(application).data)


urlpatterns = [
    path(
        "institutions/<int:institution_id>/applications/",
        InstitutionApplicationsView.as_view(),
        name="institution-applications",
    ),
    path("applications/<int:audit_id>/", ApplicationView.as_view(), name="application-detail"),
    path(
        "applications/<int:audit_id>/endorsement/",
        ApplicationEndorsementView.as_view(),
        name="application-endorsement",
    ),
]
