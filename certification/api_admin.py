"""Decisions and certificates over the API (the public register and verification are in
``certification.api``).

- ``GET /api/v1/audits/<id>/decision/``: the decision on an audit (ERNST admins; the
  institution's coordinators and the review team once it is taken); ``POST`` takes it (an ERNST
  admin off the audit team; 403 with the reason otherwise).
- ``GET /api/v1/certificates/``: every certificate for ERNST admins, an institution's for its
  coordinators; ``GET …/<id>/`` with its history; ``POST …/<id>/status/`` suspends, reinstates or
  withdraws (ERNST admins).

The rules are the services'; their refusals are 400 with the message, or 403 when the step is
not the user's to take.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_platform_admin
from audits.api.base import AuditScopedMixin
from audits.permissions import audit_policy
from certification.models import Certificate, CertificateEvent, Decision
from certification.permissions import certificate_or_404, certificates_for
from certification.services import (
    MAX_TEXT,
    certificate_change,
    certificate_listing_set,
    decision_take,
)
from institutions.models import Membership
from rescue.http import api_user
from standards.choices import InterventionLevel


class CertificateSummarySerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "scheme",
            "level",
            "setting",
            "institution",
            "institution_name",
            "holder_name",
            "register_consent_at",
            "audit",
            "issued_on",
            "expires_on",
            "status",
            "status_since",
            "suspended_until",
            "conditions_due_on",
            "superseded_by",
        ]


class CertificateEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificateEvent
        fields = ["action", "from_status", "to_status", "actor_email", "reason", "created_at"]


class CertificateSerializer(CertificateSummarySerializer):
    """A certificate with its history and, for whoever reads it here, its verification code."""

    events = CertificateEventSerializer(many=True, read_only=True)

    class Meta(CertificateSummarySerializer.Meta):
        fields = [*CertificateSummarySerializer.Meta.fields, "code", "status_reason", "events"]


class DecisionSerializer(serializers.ModelSerializer):
    certificates: serializers.RelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="number"
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "audit",
            "outcome",
            "level",
            "conditions_due_on",
            "reason",
            "proposed_outcome",
            "proposed_level",
            "proposal",
            "recommendation",
            "departure_reason",
            "decided_by_email",
            "decided_at",
            "certificates",
        ]


class DecisionTakeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    level = serializers.ChoiceField(
        choices=InterventionLevel.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(max_length=MAX_TEXT)
    departure_reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Required when the decision departs from the proposal."),
    )
    conditions_due_on = serializers.DateField(required=False, allow_null=True, default=None)


class CertificateChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(choices=["suspend", "reinstate", "withdraw"])
    reason = serializers.CharField(max_length=MAX_TEXT)
    until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("A suspension's planned end."),
    )


def _decision_read(user: Any, audit: Any) -> Decision:
    """The decision, for ERNST admins, the institution's coordinators and the review team."""
    role = audit_policy.dossier_role(user, audit)
    if role == Membership.Role.CONTRIBUTOR:
        raise PermissionDenied(_("The decision goes to the institution's coordinators."))
    decision = (
        Decision.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .prefetch_related("certificates")
        .first()
    )
    if decision is None:
        raise Http404(_("No decision has been taken on this audit yet."))
    return decision


class DecisionView(AuditScopedMixin, APIView):
    @extend_schema(responses={200: DecisionSerializer})
    def get(self, request: Request, audit_id: int) -> Response:
        """The decision on the audit."""
        return Response(DecisionSerializer(_decision_read(request.user, self.audit)).data)

    @extend_schema(request=DecisionTakeSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        """Take the decision on the final report (an ERNST admin off the audit team)."""
        if not is_platform_admin(request.user):
            raise PermissionDenied(_("Only ERNST administrators take certification decisions."))
        serializer = DecisionTakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = decision_take(
            audit=self.audit, user=api_user(request), **serializer.validated_data
        )
        decision = (
            Decision.objects.for_institution(decision.institution_id)
            .prefetch_related("certificates")
            .get(pk=decision.pk)
        )
        return Response(DecisionSerializer(decision).data, status=201)


class CertificateListView(generics.ListAPIView):
    """Every certificate for ERNST admins; an institution's for its coordinators."""

    serializer_class = CertificateSummarySerializer

    def get_queryset(self) -> Any:
        return certificates_for(self.request.user).order_by("-issued_on", "-pk")


class CertificateDetailView(APIView):
    @extend_schema(responses={200: CertificateSerializer})
    def get(self, request: Request, certificate_id: int) -> Response:
        """A certificate with its history."""
        certificate = certificate_or_404(request.user, certificate_id)
        return Response(CertificateSerializer(certificate).data)


class CertificateStatusView(APIView):
    @extend_schema(request=CertificateChangeSerializer, responses={200: CertificateSerializer})
    def post(self, request: Request, certificate_id: int) -> Response:
        """Suspend (optionally until a date), reinstate or withdraw (ERNST admins)."""
        certificate = certificate_or_404(request.user, certificate_id)
        serializer = CertificateChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate_change(
            certificate=certificate, user=api_user(request), **serializer.validated_data
        )
        return Response(
            CertificateSerializer(certificate_or_404(request.user, certificate_id)).data
        )


class CertificateListingSerializer(serializers.Serializer):
    listed = serializers.BooleanField(
        help_text=gettext_lazy(
            "Whether the certificate of competences is listed in the public register (its "
            "holder's name, country and validity)."
        )
    )


class CertificateListingView(APIView):
    @extend_schema(request=CertificateListingSerializer, responses={200: CertificateSerializer})
    def post(self, request: Request, certificate_id: int) -> Response:
        """List one's certificate of competences in the public register, or take it off (its
        holder only)."""
        certificate = certificate_or_404(request.user, certificate_id)
        serializer = CertificateListingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate_listing_set(
            certificate=certificate,
            user=api_user(request),
            listed=serializer.validated_data["listed"],
        )
        return Response(
            CertificateSerializer(certificate_or_404(request.user, certificate_id)).data
        )
