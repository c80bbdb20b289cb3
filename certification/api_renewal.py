"""A certificate's renewal over the API: ``GET /api/v1/certificates/<id>/renewal/`` (the latest
renewal started), ``POST`` starts the renewal audit (a coordinator of the institution, from
``RENEWAL_WINDOW_MONTHS`` before the expiry; 400 with the reason before, 403 for anyone else).
The holder of a certificate of competences renews it by a new application through the
institution they support in now, named by ``institution`` when they support in several."""

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


class RenewalStartSerializer(serializers.Serializer):
    institution = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "A certificate of competences: the institution the holder applies through, when "
            "they are a peer supporter of more than one."
        ),
    )


class RenewalView(APIView):
    @extend_schema(responses={200: RenewalSerializer})
    def get(self, request: Request, certificate_id: int) -> Response:
        """The certificate's latest renewal."""
        renewal = renewal_of(certificate_or_404(request.user, certificate_id))
        if renewal is None:
            raise Http404("No renewal has been started for this certificate.")
        return Response(RenewalSerializer(renewal).data)

    @extend_schema(request=RenewalStartSerializer, responses={201: RenewalSerializer})
    def post(self, request: Request, certificate_id: int) -> Response:
        """Start the renewal audit, pre-filled from the last one."""
        certificate = certificate_or_404(request.user, certificate_id)
        body = RenewalStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        renewal = renewal_start(
            certificate=certificate,
            user=api_user(request),
            institution_id=body.validated_data.get("institution"),
        )
        renewal = (
            Renewal.objects.for_institution(renewal.institution_id)
            .select_related("certificate", "audit")
            .get(pk=renewal.pk)
        )
        return Response(RenewalSerializer(renewal).data, status=201)
