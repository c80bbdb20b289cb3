"""Evidence requests over the API: the list the user reaches, asking (the review team), answering
(the institution, multipart with files) and deciding (the team). The same services, policy and
rules as the pages; a refusal of theirs is a 400, and one that is not the user's to take a 403
(``rescue.api.exceptions``)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.api.base import AuditScopedMixin
from evidence.uploads import upload_refusals
from rescue.http import api_user
from reviews.api.serializers import (
    EvidenceDecisionSerializer,
    EvidenceRequestAnswerSerializer,
    EvidenceRequestCreateSerializer,
    EvidenceRequestSerializer,
)
from reviews.permissions import evidence_request_or_404, evidence_requests_for
from reviews.selectors import assessments_by_code
from reviews.services.requests import (
    evidence_request_answer,
    evidence_request_create,
    evidence_request_decide,
)


def _read(user: Any, audit: Any, request_id: int) -> dict[str, Any]:
    return EvidenceRequestSerializer(evidence_request_or_404(user, audit, request_id)).data


class EvidenceRequestListView(AuditScopedMixin, APIView):
    """GET: the audit's evidence requests the user reaches (a contributor: those on standards
    assigned to them). POST: an auditor of the review team asks for more evidence."""

    @extend_schema(responses={200: EvidenceRequestSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        requests = evidence_requests_for(request.user, self.audit).prefetch_related(
            "assessments__standard", "answers__files__current_revision"
        )
        return Response(EvidenceRequestSerializer(requests, many=True).data)

    @extend_schema(
        request=EvidenceRequestCreateSerializer, responses={201: EvidenceRequestSerializer}
    )
    def post(self, request: Request, audit_id: int) -> Response:
        serializer = EvidenceRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        codes = set(data["standards"])
        assessments = assessments_by_code(audit=self.audit, codes=codes)
        if len(assessments) != len(codes):
            raise ValidationError({"standards": ["Name standards of this audit."]})
        created = evidence_request_create(
            audit=self.audit,
            user=api_user(request),
            assessments=assessments,
            message=data["message"],
            due_on=data["due_on"],
        )
        return Response(_read(request.user, self.audit, created.pk), status=201)


class EvidenceRequestAnswerView(AuditScopedMixin, APIView):
    """The institution answers an open request: files (multipart, through the upload checks)
    and a comment, sealed as the next addendum."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request=EvidenceRequestAnswerSerializer, responses={201: EvidenceRequestSerializer}
    )
    def post(self, request: Request, audit_id: int, request_id: int) -> Response:
        item = evidence_request_or_404(request.user, self.audit, request_id)
        # The form fields only, the files beside them (see the evidence upload's view).
        data = request.POST.copy()
        data.setlist("files", request.FILES.getlist("files"))
        if dropped := upload_refusals(request._request):
            raise ValidationError({"files": dropped})
        serializer = EvidenceRequestAnswerSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        evidence_request_answer(
            request=item,
            user=api_user(request),
            uploads=values["files"],
            comment=values["comment"],
            confirmed_no_personal_data=values["confirmed_no_personal_data"],
        )
        return Response(_read(request.user, self.audit, item.pk), status=201)


class EvidenceRequestDecisionView(AuditScopedMixin, APIView):
    """An auditor of the team accepts the answer, reopens the request until a new date, or
    closes it as unanswered (a reason unless accepted)."""

    @extend_schema(request=EvidenceDecisionSerializer, responses={200: EvidenceRequestSerializer})
    def post(self, request: Request, audit_id: int, request_id: int) -> Response:
        item = evidence_request_or_404(request.user, self.audit, request_id)
        serializer = EvidenceDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence_request_decide(
            request=item,
            user=api_user(request),
            accept=data["decision"] == "accept",
            reason=data["reason"],
            reopen_until=data["reopen_until"] if data["decision"] == "reopen" else None,
        )
        return Response(_read(request.user, self.audit, item.pk))
