"""A renewal's carried-forward files over the API: ``GET /api/v1/audits/<id>/evidence/carried/``
lists those not confirmed yet; ``POST`` confirms the ones named (``{"files": [ids]}``)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.api.base import AuditScopedMixin, refused
from audits.api.dossier import EvidenceSummarySerializer
from audits.services.seal import DossierSealedError
from evidence.models import EvidenceFile
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_carried_confirm
from rescue.errors import ActionRefusedError
from rescue.http import api_user


class CarriedConfirmSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=1000,
        help_text="The carried-forward files that still hold.",
    )


class CarriedConfirmedSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Carried-forward files still to confirm.")


class CarriedView(AuditScopedMixin, APIView):
    def _waiting(self, request: Request) -> Any:
        return (
            evidence_policy.files_for(request.user, EvidenceAction.VIEW, self.audit)
            .filter(carried_from__isnull=False, carried_confirmed_at__isnull=True)
            .select_related("current_revision")
            .order_by("pk")
        )

    @extend_schema(responses={200: EvidenceSummarySerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        """The renewal's carried-forward files not confirmed yet."""
        return Response(EvidenceSummarySerializer(self._waiting(request), many=True).data)

    @extend_schema(request=CarriedConfirmSerializer, responses={200: CarriedConfirmedSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        """Confirm carried-forward files that still hold (who may change them)."""
        serializer = CarriedConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = set(serializer.validated_data["files"])
        files: list[EvidenceFile] = list(
            evidence_policy.files_for(request.user, EvidenceAction.VIEW, self.audit)
            .filter(pk__in=wanted)
            .select_related("current_revision", "audit")
        )
        if len(files) != len(wanted):
            raise serializers.ValidationError({"files": ["No such file in this dossier."]})
        try:
            confirmed = evidence_carried_confirm(files=files, user=api_user(request))
        except DossierSealedError as exc:
            raise refused(exc) from None
        except PermissionError:
            raise PermissionDenied("You can see these files but not confirm them.") from None
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response({"confirmed": confirmed, "remaining": self._waiting(request).count()})
