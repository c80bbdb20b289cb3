"""The review over the API: the user's reviews and their answer, each standard's ratings with
their versions (a stale version is a 409 with the current rating), completion, the divergences
and their consolidation. The same services and the same blind rule as the pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.permissions import is_auditor
from audits.api.base import refused
from audits.models import StandardAssessment
from evidence.models import EvidenceFile
from rescue.errors import ActionRefusedError
from rescue.http import api_user
from reviews.api.serializers import (
    CompletionSerializer,
    ConsolidatedRatingSerializer,
    ConsolidationConflictSerializer,
    DeclineSerializer,
    DivergenceDecideSerializer,
    EvaluationSerializer,
    FindingConflictSerializer,
    FindingSaveSerializer,
    FindingSerializer,
    ObservationSerializer,
    RatingConflictSerializer,
    RatingSaveSerializer,
    ReviewSerializer,
    StandardRatingsSerializer,
)
from reviews.models import AuditorAssignment, ConsolidatedRating
from reviews.permissions import (
    ReviewAccess,
    consolidation_require,
    rate_refusal,
    review_policy,
)
from reviews.selectors import (
    StandardRow,
    audit_evaluation,
    finding_get,
    finding_list,
    my_reviews_ordered,
    review_rows,
    review_standard_rows,
)
from reviews.services.consolidation import ConsolidationConflictError, divergence_decide
from reviews.services.findings import FindingConflictError, finding_grade, observation_add
from reviews.services.ratings import RatingConflictError, rating_save, review_complete
from reviews.services.team import assignment_accept, assignment_decline


def stale_version(conflict: type[Serializer], what: str, then: str = "") -> OpenApiResponse:
    """The 409 of a versioned change: ``what`` changed since the version sent."""
    return OpenApiResponse(
        conflict,
        description=f"The {what} changed since that version: the current one is given; nothing "
        f"was saved.{' ' + then if then else ''}",
    )


def conflict_response(conflict: type[Serializer], exc: Any) -> Response:
    """409 with the message and the current version of what changed meanwhile."""
    return Response(conflict({"detail": exc.message, "current": exc.current}).data, status=409)


class MyReviewListView(generics.ListAPIView):
    """The user's places on review teams, open reviews first, a page at a time (empty for anyone
    outside the auditor pool)."""

    serializer_class = ReviewSerializer

    def get_queryset(self) -> QuerySet[AuditorAssignment]:
        if getattr(self, "swagger_fake_view", False) or not is_auditor(self.request.user):
            return AuditorAssignment.objects.none()
        return my_reviews_ordered(self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = review_rows(page or [])
        return self.get_paginated_response(ReviewSerializer(rows, many=True).data)


def _review_row(request: Request, place: AuditorAssignment) -> dict[str, Any]:
    rows = review_rows(my_reviews_ordered(request.user).filter(pk=place.pk))  # type: ignore[arg-type]
    return ReviewSerializer(rows[0]).data if rows else {}


class ReviewAcceptView(APIView):
    """Accept the invitation: the first acceptance puts the audit in review."""

    @extend_schema(request=None, responses={200: ReviewSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        place = review_policy.own_place_or_404(request.user, review_id)
        try:
            assignment_accept(assignment=place, user=api_user(request))
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response(_review_row(request, place))


class ReviewDeclineView(APIView):
    """Decline the invitation with a reason: the place is freed and access ends at once."""

    @extend_schema(request=DeclineSerializer, responses={204: None})
    def post(self, request: Request, review_id: int) -> Response:
        place = review_policy.own_place_or_404(request.user, review_id)
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assignment_decline(
                assignment=place, user=api_user(request), reason=serializer.validated_data["reason"]
            )
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response(status=204)


class ReviewScopedMixin:
    access: ReviewAccess

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.access = review_policy.access_or_404(request.user, kwargs["audit_id"])


def _row_data(row: StandardRow) -> dict[str, Any]:
    return StandardRatingsSerializer(row).data


class RatingListView(ReviewScopedMixin, APIView):
    """Every standard of the audit with the ratings the user may see: their own (with its
    version), the other auditor's once the blind is lifted, and the consolidated rating."""

    @extend_schema(responses={200: StandardRatingsSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        rows = review_standard_rows(access=self.access)
        return Response([_row_data(row) for row in rows])


class RatingView(ReviewScopedMixin, APIView):
    """Save the user's rating of one standard, based on the version they read (0: first)."""

    @extend_schema(
        request=RatingSaveSerializer,
        responses={
            200: StandardRatingsSerializer,
            409: stale_version(
                RatingConflictSerializer, "rating", "Send again with its version to replace it."
            ),
        },
    )
    def put(self, request: Request, audit_id: int, code: str) -> Response:
        access = self.access
        assessment = (
            StandardAssessment.objects.for_institution(access.audit.institution_id)
            .filter(audit=access.audit, standard__code=code)
            .first()
        )
        if assessment is None:
            raise Http404("No such standard in this audit.")
        serializer = RatingSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not access.can_rate or access.assignment is None:
            raise PermissionDenied(rate_refusal(access))
        files = list(
            EvidenceFile.objects.for_institution(access.audit.institution_id).filter(
                pk__in=data["evidence"], links__assessment=assessment, deleted_at__isnull=True
            )
        )
        if len(files) != len(set(data["evidence"])):
            return Response({"evidence": ["Cite files of this standard only."]}, status=400)
        try:
            rating_save(
                assignment=access.assignment,
                assessment=assessment,
                user=api_user(request),
                rating=data["rating"],
                rationale=data["rationale"],
                notes=data["notes"],
                evidence=files,
                base_version=data["version"],
            )
        except RatingConflictError as exc:
            return conflict_response(RatingConflictSerializer, exc)
        except ActionRefusedError as exc:
            raise refused(exc) from None
        rows = review_standard_rows(access=access)
        return Response(_row_data(next(r for r in rows if r.code == code)))


class ReviewCompleteView(ReviewScopedMixin, APIView):
    """Mark the user's review complete (every standard rated); their ratings are then fixed."""

    @extend_schema(request=None, responses={200: CompletionSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        access = self.access
        if not access.can_rate or access.assignment is None:
            raise PermissionDenied(rate_refusal(access))
        try:
            place = review_complete(assignment=access.assignment, user=api_user(request))
        except ActionRefusedError as exc:
            raise refused(exc) from None
        place.audit.refresh_from_db(fields=["status"])
        return Response(
            CompletionSerializer(
                {"completed_at": place.completed_at, "stage": place.audit.status}
            ).data
        )


class DivergenceListView(ReviewScopedMixin, APIView):
    """The standards the auditors rated differently, with both ratings and the decision."""

    @extend_schema(responses={200: StandardRatingsSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        consolidation_require(self.access)
        rows = [row for row in review_standard_rows(access=self.access) if row.divergent]
        return Response([_row_data(row) for row in rows])


class EvaluationView(ReviewScopedMixin, APIView):
    """The rule evaluation of the consolidated ratings: each level's rules, passed, failed or
    pending, with the standards that make it so, and the proposal. Readable by the team and
    ERNST once the consolidation has started (before, there is nothing consolidated)."""

    @extend_schema(responses={200: EvaluationSerializer})
    def get(self, request: Request, audit_id: int) -> Response:
        consolidation_require(self.access)
        return Response(EvaluationSerializer(audit_evaluation(audit=self.access.audit)).data)


class FindingListView(ReviewScopedMixin, APIView):
    """GET: the findings (the nonconformities the completed review made, and the observations).
    POST: the lead auditor records an observation on a standard."""

    @extend_schema(responses={200: FindingSerializer(many=True)})
    def get(self, request: Request, audit_id: int) -> Response:
        consolidation_require(self.access)
        return Response(FindingSerializer(finding_list(audit=self.access.audit), many=True).data)

    @extend_schema(request=ObservationSerializer, responses={201: FindingSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        access = self.access
        consolidation_require(access)
        serializer = ObservationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not access.is_lead:
            raise PermissionDenied(_FINDINGS_LEAD_ONLY)
        assessment = (
            StandardAssessment.objects.for_institution(access.audit.institution_id)
            .filter(audit=access.audit, standard__code=serializer.validated_data["code"])
            .select_related("standard")
            .first()
        )
        if assessment is None:
            raise ValidationError({"code": ["No such standard in this audit."]})
        try:
            finding = observation_add(
                audit=access.audit,
                assessment=assessment,
                user=api_user(request),
                statement=serializer.validated_data["statement"],
            )
        except ActionRefusedError as exc:
            raise refused(exc) from None
        saved = finding_get(audit=access.audit, finding_id=finding.pk)
        return Response(FindingSerializer(saved).data, status=201)


class FindingView(ReviewScopedMixin, APIView):
    """The lead auditor grades a nonconformity (major or minor) and states it; an observation's
    statement changes. A change based on an older version answers 409 with the current one."""

    @extend_schema(
        request=FindingSaveSerializer,
        responses={
            200: FindingSerializer,
            409: stale_version(FindingConflictSerializer, "finding"),
        },
    )
    def put(self, request: Request, audit_id: int, finding_id: int) -> Response:
        access = self.access
        consolidation_require(access)
        finding = finding_get(audit=access.audit, finding_id=finding_id)
        if finding is None:
            raise Http404("No such finding in this audit.")
        serializer = FindingSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not access.is_lead:
            raise PermissionDenied(_FINDINGS_LEAD_ONLY)
        data = serializer.validated_data
        try:
            saved = finding_grade(
                finding=finding,
                user=api_user(request),
                grade=data["grade"],
                statement=data["statement"],
                base_version=data["version"],
            )
        except FindingConflictError as exc:
            return conflict_response(FindingConflictSerializer, exc)
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response(FindingSerializer(saved).data)


_FINDINGS_LEAD_ONLY = gettext_lazy("Only the lead auditor grades findings and adds observations.")


class DivergenceView(ReviewScopedMixin, APIView):
    """The lead auditor's consolidated rating of a divergent standard, with the reason."""

    @extend_schema(
        request=DivergenceDecideSerializer,
        responses={
            200: ConsolidatedRatingSerializer,
            409: stale_version(ConsolidationConflictSerializer, "decision"),
        },
    )
    def put(self, request: Request, audit_id: int, code: str) -> Response:
        access = self.access
        consolidation_require(access)
        consolidated = (
            ConsolidatedRating.objects.for_institution(access.audit.institution_id)
            .filter(audit=access.audit, assessment__standard__code=code)
            .first()
        )
        if consolidated is None:
            raise Http404("No such standard in this audit.")
        serializer = DivergenceDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not access.is_lead:
            raise PermissionDenied("Only the lead auditor decides the divergences.")
        try:
            data = serializer.validated_data
            decided = divergence_decide(
                consolidated=consolidated,
                user=api_user(request),
                rating=data["rating"],
                rationale=data["rationale"],
                reason=data["reason"],
                base_version=data["version"],
            )
        except ConsolidationConflictError as exc:
            return conflict_response(ConsolidationConflictSerializer, exc)
        except ActionRefusedError as exc:
            raise refused(exc) from None
        return Response(ConsolidatedRatingSerializer(decided).data)
