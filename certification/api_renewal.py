"""A certificate's renewal over the API: ``GET /api/v1/certificates/<id>/renewal/`` (the latest
renewal started), ``POST`` starts the renewal audit (a coordinator of the institution, from
``RENEWAL_WINDOW_MONTHS`` before the expiry; 400 with the reason before, 403 for anyone else)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.models import Renewal
from certification.permissions import certificate_or_404
from certification.renewal import renewal_of, renewal_start
from rescue.http import api_user


class RenewalSerializer(serializers.ModelSerializer):
    certificate_number = serializers.CharField(source="certificate.number", read_only=True)
    audit_status = serializers.CharField(source="audit.status", read_only=True)

    class Meta:
        model = Renewal
        fields = [
            "id",
            "certificate",
            "certificate_number",
            "audit",
            "audit_status",
            "copied",
            "carried",
            "outside_window",
            "started_at",
        ]


class RenewalView(APIView):
    @extend_schema(responses={200: RenewalSerializer})
    def get(self, request: Request, certificate_id: int) -> Response:
        """The certificate's latest renewal."""
        renewal = renewal_of(certificate_or_404(request.user, certificate_id))
        if renewal is None:
            raise Http404("No renewal has been started for this certificate.")
        return Response(RenewalSerializer(renewal).data)

    @extend_schema(request=None, responses={201: RenewalSerializer})
    def post(self, request: Request, certificate_id: int) -> Response:
        """Start the renewal audit, pre-filled from the last one."""
        certificate = certificate_or_404(request.user, certificate_id)
        renewal = renewal_start(certificate=certificate, user=api_user(request))
        renewal = (
            Renewal.objects.for_institution(renewal.institution_id)
            .select_related("certificate", "audit")
            .get(pk=renewal.pk)
        )
        return Response(RenewalSerializer(renewal).data, status=201)
