"""Appeals over the API (the rules are ``certification.appeals``'; the pages are
``certification.views_appeals``).

- ``GET /api/v1/audits/<id>/appeal/``: the appeal against the decision on an audit, for the
  institution's coordinators and ERNST admins; ``POST`` lodges it (a coordinator, within the time
  to appeal; multipart, the files through the evidence upload checks).
- ``GET /api/v1/appeals/``: every appeal for ERNST admins, an institution's for its
  coordinators, open ones first; ``GET …/<id>/``.
- ``POST /api/v1/appeals/<id>/take/``: an ERNST admin who took no part in the audit nor in the
  decision takes it up; ``POST …/<id>/decision/``: they uphold the decision or change it, and
  the certificates follow.

A refusal of the rules is a 400 with the message, a step that is not the user's a 403 with the
reason (``rescue.api.exceptions``); anything outside the user's reach is a 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_platform_admin
from audits.api.base import AuditScopedMixin
from audits.permissions import audit_policy
from certification.appeals import (
    MAX_FILES,
    appeal_deadline,
    appeal_decide,
    appeal_lodge,
    appeal_of,
    appeal_take,
)
from certification.models import Appeal, AppealFile, Decision
from certification.permissions import appeal_or_404, appeals_for
from certification.services import MAX_TEXT
from evidence.uploads import upload_refusals
from institutions.models import Membership
from rescue.api.schema import ErrorSerializer, ValidationErrorSerializer
from rescue.http import api_user
from standards.choices import InterventionLevel


class AppealFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The download, after the permission check (signed in).")
    )
    personal_data = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the personal-data scan found in it, if anything.")
    )

    class Meta:
        model = AppealFile
        fields = [
            "id",
            "original_name",
            "size",
            "sha256",
            "mime_type",
            "uploaded_by_email",
            "uploaded_at",
            "personal_data",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, found: AppealFile) -> str:
        url = reverse("certification:appeal_file", args=[found.appeal_id, found.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_personal_data(self, found: AppealFile) -> list[str]:
        return found.finding_labels


class AppealSerializer(serializers.ModelSerializer):
    audit = serializers.IntegerField(source="decision.audit_id", read_only=True)
    decision_outcome = serializers.ChoiceField(
        source="decision.outcome", choices=Decision.Outcome.choices, read_only=True
    )
    decision_level = serializers.ChoiceField(
        source="decision.level",
        choices=InterventionLevel.choices,
        allow_blank=True,
        read_only=True,
    )
    deadline = serializers.SerializerMethodField(
        help_text=gettext_lazy("The last moment the decision could be appealed.")
    )
    files = AppealFileSerializer(many=True, read_only=True)
    certificates: serializers.RelatedField = serializers.SlugRelatedField(
        source="decision.certificates",
        many=True,
        read_only=True,
        slug_field="number",
        help_text=gettext_lazy("The decision's certificates, whatever their status."),
    )

    class Meta:
        model = Appeal
        fields = [
            "id",
            "audit",
            "decision",
            "decision_outcome",
            "decision_level",
            "state",
            "statement",
            "lodged_by_email",
            "lodged_at",
            "deadline",
            "handler_email",
            "taken_at",
            "outcome",
            "new_outcome",
            "new_level",
            "new_conditions_due_on",
            "reason",
            "decided_at",
            "files",
            "certificates",
        ]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_deadline(self, appeal: Appeal) -> str:
        return serializers.DateTimeField().to_representation(appeal_deadline(appeal.decision))


class AppealLodgeSerializer(serializers.Serializer):
    statement = serializers.CharField(
        max_length=MAX_TEXT, help_text=gettext_lazy("Why the institution appeals the decision.")
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=MAX_FILES,
    )
    confirmed_no_personal_data = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy(
            "With files: they are about the programme and hold no patient data and nothing "
            "said in support sessions."
        ),
    )


class AppealDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Appeal.Outcome.choices)
    reason = serializers.CharField(max_length=MAX_TEXT)
    new_outcome = serializers.ChoiceField(
        choices=Decision.Outcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Changed: the new decision (required then)."),
    )
    new_level = serializers.ChoiceField(
        choices=InterventionLevel.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Changed to certify a RESCUE-Intervention audit: the level."),
    )
    new_conditions_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Changed to certify on conditions: their date."),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["outcome"] == Appeal.Outcome.CHANGED and not data["new_outcome"]:
            raise serializers.ValidationError({"new_outcome": [_("Choose the new decision.")]})
        return data


def _read(request: Request, appeal_id: int) -> dict[str, Any]:
    appeal = appeal_or_404(request.user, appeal_id)
    return AppealSerializer(appeal, context={"request": request}).data


NOT_THEIRS = gettext_lazy(
    "Not signed in, or not the user's: coordinators lodge, ERNST administrators who took no part "
    "in the audit nor in the decision handle; detail says why."
)


class AuditAppealView(AuditScopedMixin, APIView):
    parser_classes = [MultiPartParser]

    def _decision(self, request: Request) -> Decision:
        role = audit_policy.dossier_role(request.user, self.audit)
        if role != Membership.Role.COORDINATOR and not is_platform_admin(request.user):
            raise PermissionDenied(
                _(
                    "An appeal is lodged by the institution's coordinators and handled by ERNST "
                    "administrators."
                )
            )
        decision = (
            Decision.objects.for_institution(self.audit.institution_id)
            .filter(audit=self.audit)
            .first()
        )
        if decision is None:
            raise Http404(
                _("No decision has been taken on this audit: there is nothing to appeal.")
            )
        return decision

    @extend_schema(
        responses={
            200: AppealSerializer,
            403: OpenApiResponse(ErrorSerializer, description=NOT_THEIRS),
            404: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "No such audit within reach, no decision on it, or no appeal lodged yet."
                ),
            ),
        }
    )
    def get(self, request: Request, audit_id: int) -> Response:
        """The appeal against the decision on the audit."""
        appeal = appeal_of(self._decision(request))
        if appeal is None:
            raise Http404(_("No appeal has been lodged against this decision."))
        return Response(_read(request, appeal.pk))

    @extend_schema(
        request=AppealLodgeSerializer,
        responses={
            201: AppealSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description=gettext_lazy(
                    "A field is missing or invalid, a file is refused (named, with why), the "
                    "decision is appealed already or the time to appeal is over (detail)."
                ),
            ),
            403: OpenApiResponse(ErrorSerializer, description=NOT_THEIRS),
        },
    )
    def post(self, request: Request, audit_id: int) -> Response:
        """Appeal the decision (the institution's coordinators, within the time to appeal)."""
        decision = self._decision(request)
        # The form fields only, the files beside them (see the evidence upload's view).
        data = request.POST.copy()
        data.setlist("files", request.FILES.getlist("files"))
        if dropped := upload_refusals(request._request):
            raise ValidationError({"files": dropped})
        serializer = AppealLodgeSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        appeal = appeal_lodge(
            decision=decision,
            user=api_user(request),
            statement=values["statement"],
            uploads=values["files"],
            confirmed_no_personal_data=values["confirmed_no_personal_data"],
        )
        return Response(_read(request, appeal.pk), status=201)


class AppealListView(generics.ListAPIView):
    """Every appeal for ERNST admins, an institution's for its coordinators: open ones first,
    then the latest."""

    serializer_class = AppealSerializer

    def get_queryset(self) -> QuerySet[Appeal]:
        return (
            appeals_for(self.request.user)
            .prefetch_related("files", "decision__certificates")
            .annotate(
                closed=Case(
                    When(state__in=Appeal.OPEN, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("closed", "-lodged_at", "-pk")
        )


class AppealDetailView(APIView):
    @extend_schema(responses={200: AppealSerializer})
    def get(self, request: Request, appeal_id: int) -> Response:
        """An appeal, its files and its outcome."""
        return Response(_read(request, appeal_id))


def _for_handler(request: Request, appeal_id: int) -> Appeal:
    appeal = appeal_or_404(request.user, appeal_id)
    if not is_platform_admin(request.user):
        raise PermissionDenied(_("Only ERNST administrators handle appeals."))
    return appeal


class AppealTakeView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: AppealSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description=gettext_lazy("The appeal is taken up or decided already."),
            ),
            403: OpenApiResponse(ErrorSerializer, description=NOT_THEIRS),
        },
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        """Take the appeal up (an ERNST admin who took no part in the audit nor in the
        decision): from then on they handle and decide it."""
        appeal_take(appeal=_for_handler(request, appeal_id), user=api_user(request))
        return Response(_read(request, appeal_id))


class AppealDecisionView(APIView):
    @extend_schema(
        request=AppealDecisionSerializer,
        responses={
            200: AppealSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description=gettext_lazy(
                    "A field is missing or invalid, the appeal is not taken up or is decided "
                    "already, or the new outcome is one the audit does not allow (detail)."
                ),
            ),
            403: OpenApiResponse(ErrorSerializer, description=NOT_THEIRS),
        },
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        """Uphold the decision or change it, with the reasons (the admin who took the appeal
        up); a changed decision's certificates follow: issued, changed or withdrawn."""
        appeal = _for_handler(request, appeal_id)
        serializer = AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal_decide(appeal=appeal, user=api_user(request), **serializer.validated_data)
        return Response(_read(request, appeal_id))
