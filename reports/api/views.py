"""Reports over the API: list an audit's reports, ask for one, follow its status."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.api.base import AuditScopedMixin, refused
from reports.api.serializers import (
    ReportRequestSerializer,
    ReportSerializer,
    RequestedReportSerializer,
)
from reports.permissions import AUDIT_REPORT_REFUSAL, report_policy
from reports.services import ReportConflictError, report_request
from rescue.errors import ActionRefusedError
from rescue.http import api_user

FORBIDDEN = {"detail": "Reports show the whole dossier: a coordinator can ask for one."}


class ReportListView(AuditScopedMixin, APIView):
    @extend_schema(responses={200: ReportSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        if not report_policy.can(request.user, self.audit):
            return Response(FORBIDDEN, status=status.HTTP_403_FORBIDDEN)
        reports = report_policy.reports_for(request.user, self.audit)
        return Response(ReportSerializer(reports, many=True).data)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            200: OpenApiResponse(
                RequestedReportSerializer,
                description=(
                    "Nothing the report shows has changed since the latest ready version: that "
                    "version is the answer (reused), and no new one is made."
                ),
            ),
            202: OpenApiResponse(
                RequestedReportSerializer,
                description="A new version is queued; follow its status.",
            ),
        },
    )
    def post(self, request: Request, audit_id: int) -> Response:
        if not report_policy.can(request.user, self.audit):
            return Response(FORBIDDEN, status=status.HTTP_403_FORBIDDEN)
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        if not report_policy.can(request.user, self.audit, kind):
            return Response({"detail": str(AUDIT_REPORT_REFUSAL)}, status=status.HTTP_403_FORBIDDEN)
        try:
            result = report_request(audit=self.audit, user=api_user(request), kind=kind)
        except ReportConflictError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        except ActionRefusedError as exc:
            raise refused(exc) from None
        answer = RequestedReportSerializer(result.report, context={"reused": result.reused})
        return Response(
            answer.data,
            status=status.HTTP_200_OK if result.reused else status.HTTP_202_ACCEPTED,
        )


class ReportDetailView(AuditScopedMixin, APIView):
    @extend_schema(responses={200: ReportSerializer})
    def get(self, request: Request, audit_id: int, report_id: int) -> Response:
        report = report_policy.get_or_404(request.user, self.audit, report_id)
        return Response(ReportSerializer(report).data)
