"""The audit report's course and the corrective actions over the API.

The course (``/audits/<id>/report/``): the lead's recommendation (versioned: a stale version is
a 409 with the current course), the release of the draft, the institution's comments and the
lead's answers, the end of the reply and the final report. The review team and ERNST read it at
any time, with what still blocks the release and the final report; the institution's
coordinators once the draft is released. The outcome (``/audits/<id>/outcome/``): what the
released report tells the institution, with the plans and their actions, never the auditors'
notes nor their own ratings. The plans and actions: a coordinator submits a plan and reports an
action done (multipart, its files an addendum to the sealed dossier); the lead accepts or
returns the plan, an auditor of the team verifies the action.

The same services, policies and rules as the pages: a refusal of theirs is a 400 with the
message, and one that is not the user's to take a 403 (``rescue.api.exceptions``)."""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit, StandardAssessment
from audits.permissions import AuditAction, audit_policy
from evidence.uploads import upload_refusals
from institutions.permissions import institution_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import api_user
from reviews.api.serializers import EvidenceAnswerSerializer
from reviews.api.views import conflict_response, stale_version
from reviews.models import (
    CorrectiveAction,
    CorrectiveActionPlan,
    Finding,
    Rating,
    ReportComment,
    ReviewReport,
)
from reviews.permissions import outcome_access_or_404, review_policy
from reviews.selectors import comment_list, finding_get, report_outcome
from reviews.services.plans import (
    MAX_ACTIONS,
    action_done,
    action_verify,
    plan_decide,
    plan_submit,
)
from reviews.services.report import (
    MAX_TEXT,
    RecommendationConflictError,
    finalise_blockers,
    level_choices,
    recommendation_set,
    release_blockers,
    replies_done,
    report_comment_add,
    report_comment_answer,
    report_finalise,
    report_release,
    review_report_of,
)
from reviews.services.requests import MAX_FILES
from standards.choices import InterventionLevel

# --- Who reads the course --------------------------------------------------------------------


@dataclass(frozen=True)
class CourseAccess:
    audit: Audit
    report: ReviewReport
    team: bool  # the review team or ERNST: the blockers are theirs to read


def course_access_or_404(user: Any, audit_id: int) -> CourseAccess:
    """The review team (an accepted place) and ERNST at any time; a member of the institution as
    the outcome's rule says (coordinators once the draft is released; before, and for
    contributors, a 403 with the reason); anyone who does not see the audit, a 404."""
    audit = audit_policy.get_or_404(user, AuditAction.VIEW, audit_id)
    if institution_policy.role(user, audit.institution_id) is not None:
        outcome = outcome_access_or_404(user, audit_id)
        return CourseAccess(audit=outcome.audit, report=outcome.report, team=False)
    access = review_policy.access_or_404(user, audit_id)
    if not (access.is_admin or access.has_accepted):
        raise PermissionDenied(_("Accept the review on My reviews first."))
    return CourseAccess(audit=access.audit, report=review_report_of(access.audit), team=True)


# --- Answers -----------------------------------------------------------------------------------


class CommentChangesSerializer(serializers.Serializer):
    """What an accepted comment changed (each change as [old, new])."""

    rating = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("The standard's consolidated rating: [old, new]."),
    )
    grade = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("The nonconformity's grade: [old, new]."),
    )
    withdrawn = serializers.BooleanField(
        required=False, help_text=gettext_lazy("The finding was withdrawn.")
    )


class ReportCommentSerializer(serializers.Serializer):
    """A coordinator's comment on the released draft, and the lead auditor's answer."""

    id = serializers.IntegerField()
    finding = serializers.IntegerField(
        source="finding_id",
        allow_null=True,
        help_text=gettext_lazy("The finding commented on; null for the report as a whole."),
    )
    standard = serializers.SerializerMethodField()
    text = serializers.CharField()
    author_email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(
        choices=ReportComment.Outcome.choices,
        allow_blank=True,
        help_text=gettext_lazy("Empty until the lead auditor answers."),
    )
    answer = serializers.CharField()
    changes = CommentChangesSerializer()
    answered_at = serializers.DateTimeField(allow_null=True)

    def get_standard(self, comment: ReportComment) -> str | None:
        """The code of the finding's standard; null for the report as a whole."""
        return comment.finding.assessment.standard.code if comment.finding else None


@dataclass
class ReportCourse:
    report: ReviewReport
    comments: list[ReportComment]
    release_blockers: list[str] | None
    finalise_blockers: list[str] | None
    levels: list[str] | None


class ReportCourseSerializer(serializers.Serializer):
    """The course of the audit's report: the recommendation, the release, the reply window and
    the thread, the final report."""

    stage = serializers.ChoiceField(source="report.stage", choices=ReviewReport.Stage.choices)
    recommendation = serializers.ChoiceField(
        source="report.recommendation",
        choices=ReviewReport.Recommendation.choices,
        allow_blank=True,
        help_text=gettext_lazy("Empty until the lead auditor records it."),
    )
    recommended_level = serializers.ChoiceField(
        source="report.recommended_level",
        choices=InterventionLevel.choices,
        allow_blank=True,
        help_text=gettext_lazy("RESCUE-Intervention, to certify: the level; empty otherwise."),
    )
    recommendation_reason = serializers.CharField(source="report.recommendation_reason")
    version = serializers.IntegerField(
        source="report.version",
        help_text=gettext_lazy("Send it with a change of the recommendation."),
    )
    released_at = serializers.DateTimeField(source="report.released_at", allow_null=True)
    reply_until = serializers.DateTimeField(
        source="report.reply_until",
        allow_null=True,
        help_text=gettext_lazy("The end of the reply window (set at the release)."),
    )
    reply_open = serializers.BooleanField(
        source="report.reply_open",
        help_text=gettext_lazy("The institution's coordinators may comment now."),
    )
    replies_done_at = serializers.DateTimeField(source="report.replies_done_at", allow_null=True)
    finalised_at = serializers.DateTimeField(source="report.finalised_at", allow_null=True)
    release_blockers = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=gettext_lazy(
            "What stands between the review and the release of the draft (empty: ready); "
            "the review team and ERNST only, null for the institution."
        ),
    )
    finalise_blockers = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=gettext_lazy(
            "What stands between the released draft and the final report (empty: ready); "
            "the review team and ERNST only, null for the institution."
        ),
    )
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=InterventionLevel.choices),
        allow_null=True,
        help_text=gettext_lazy(
            "The levels a recommendation to certify may name (RESCUE-Intervention, up to the "
            "level applied for; none for the other components); null for the institution."
        ),
    )
    comments = ReportCommentSerializer(
        many=True, help_text=gettext_lazy("The reply thread, oldest first.")
    )


def report_course(audit: Audit, report: ReviewReport, *, team: bool) -> ReportCourse:
    return ReportCourse(
        report=report,
        comments=comment_list(audit=audit),
        release_blockers=release_blockers(audit, report) if team else None,
        finalise_blockers=finalise_blockers(audit, report) if team else None,
        levels=[value for value, _label in level_choices(audit)] if team else None,
    )


def course_data(audit: Audit, report: ReviewReport, *, team: bool) -> dict[str, Any]:
    return ReportCourseSerializer(report_course(audit, report, team=team)).data


class RecommendationConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ReportCourseSerializer()


class ReportRefusedSerializer(serializers.Serializer):
    """The step is refused: why, and everything that still stands in its way."""

    detail = serializers.CharField()
    blockers = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("Each thing that still stands in the way."),
    )


class CorrectiveActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    description = serializers.CharField()
    owner = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=CorrectiveAction.State.choices)
    overdue = serializers.BooleanField(source="is_overdue")
    done_note = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    verification_reason = serializers.CharField(
        help_text=gettext_lazy("Why the auditor kept the action open.")
    )
    reports = EvidenceAnswerSerializer(
        many=True,
        help_text=gettext_lazy(
            "Each time it was reported done: the note and the files, sealed as an addendum."
        ),
    )


class CorrectiveActionPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    finding = serializers.IntegerField(source="finding_id")
    cause = serializers.CharField()
    state = serializers.ChoiceField(choices=CorrectiveActionPlan.State.choices)
    return_reason = serializers.CharField(
        help_text=gettext_lazy("Why the lead auditor returned it.")
    )
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    actions = CorrectiveActionSerializer(many=True)


class OutcomeStandardSerializer(serializers.Serializer):
    code = serializers.CharField(source="standard.code")
    title = serializers.CharField(source="standard.title")
    self_rating = serializers.ChoiceField(
        choices=StandardAssessment.Rating.choices,
        allow_blank=True,
        help_text=gettext_lazy("The institution's own rating."),
    )
    rating = serializers.ChoiceField(
        source="consolidated_rating.rating",
        choices=Rating.choices,
        allow_blank=True,
        allow_null=True,
        help_text=gettext_lazy("The review team's consolidated rating."),
    )
    rationale = serializers.CharField(
        source="consolidated_rating.rationale",
        allow_null=True,
        help_text=gettext_lazy("The review team's rationale."),
    )


class OutcomeFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="finding.pk")
    standard = serializers.CharField(source="finding.assessment.standard.code")
    kind = serializers.ChoiceField(source="finding.kind", choices=Finding.Kind.choices)
    grade = serializers.ChoiceField(
        source="finding.grade",
        choices=Finding.Grade.choices,
        allow_blank=True,
        help_text=gettext_lazy("Empty for an observation."),
    )
    statement = serializers.CharField(source="finding.statement")
    withdrawn = serializers.SerializerMethodField()
    plan = CorrectiveActionPlanSerializer(
        allow_null=True, help_text=gettext_lazy("The corrective-action plan; null until one.")
    )

    def get_withdrawn(self, item: Any) -> bool:
        """The lead withdrew it, accepting the institution's reply."""
        return item.finding.withdrawn_at is not None


class OutcomeSerializer(serializers.Serializer):
    """The released outcome of the review."""

    standards = OutcomeStandardSerializer(many=True)
    findings = OutcomeFindingSerializer(many=True)
    general_comments = ReportCommentSerializer(
        many=True, help_text=gettext_lazy("The comments on the report as a whole.")
    )


# --- Requests ----------------------------------------------------------------------------------


class RecommendationSaveSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=ReviewReport.Recommendation.choices)
    level = serializers.ChoiceField(
        choices=InterventionLevel.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("RESCUE-Intervention, to certify: the level (see levels)."),
    )
    reason = serializers.CharField(max_length=MAX_TEXT)
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31,
        help_text=gettext_lazy("The course's version the change is based on."),
    )


class CommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)
    finding = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**62,
        help_text=gettext_lazy("The finding commented on; none for the report as a whole."),
    )


class CommentAnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReportComment.Outcome.choices)
    answer = serializers.CharField(max_length=MAX_TEXT)
    rating = serializers.ChoiceField(
        choices=Rating.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Accepted, on a finding: the standard's new consolidated rating."),
    )
    grade = serializers.ChoiceField(
        choices=Finding.Grade.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Accepted, on a nonconformity: its new grade."),
    )
    withdraw = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Accepted, on a finding: withdraw it."),
    )


class PlanActionSaveSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=MAX_TEXT)
    owner = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


class PlanSubmitSerializer(serializers.Serializer):
    cause = serializers.CharField(max_length=MAX_TEXT)
    actions = serializers.ListField(
        child=PlanActionSaveSerializer(), allow_empty=False, max_length=MAX_ACTIONS
    )


class PlanDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_TEXT,
        help_text=gettext_lazy("Required to return the plan: what it lacks."),
    )


class ActionDoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT)
    # Empty files pass here so that the upload checks refuse them by name.
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        max_length=MAX_FILES,
        error_messages={
            "required": gettext_lazy("Add the evidence that the action is done."),
            "empty": gettext_lazy("Add the evidence that the action is done."),
        },
    )
    confirmed_no_personal_data = serializers.BooleanField()


class ActionVerifySerializer(serializers.Serializer):
    close = serializers.BooleanField()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_TEXT,
        help_text=gettext_lazy("Required to keep the action open: why."),
    )


# --- The course ----------------------------------------------------------------------------------


def _refused(exc: ActionRefusedError, blockers: list[str]) -> Response:
    return Response({"detail": exc.message, "blockers": blockers}, status=400)


class ReportCourseView(APIView):
    """The course of the audit's report. The review team and ERNST read it at any time, with
    what still blocks the release and the final report; the institution's coordinators once the
    draft is released."""

    @extend_schema(responses={200: ReportCourseSerializer})
    def get(self, request: Request, audit_id: int) -> Response:
        access = course_access_or_404(request.user, audit_id)
        return Response(course_data(access.audit, access.report, team=access.team))


class RecommendationView(APIView):
    """The lead auditor records or changes the recommendation (once the review is complete,
    until the final report), based on the course's version."""

    @extend_schema(
        request=RecommendationSaveSerializer,
        responses={
            200: ReportCourseSerializer,
            409: stale_version(
                RecommendationConflictSerializer,
                "recommendation",
                "Send again with its version to replace it.",
            ),
        },
    )
    def put(self, request: Request, audit_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        serializer = RecommendationSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            report = recommendation_set(
                audit=audit,
                user=api_user(request),
                recommendation=data["recommendation"],
                level=data["level"],
                reason=data["reason"],
                base_version=data["version"],
            )
        except RecommendationConflictError as exc:
            # The current course, as the lead reads it, in place of the report alone.
            current = report_course(audit, exc.current, team=True)
            return conflict_response(
                RecommendationConflictSerializer,
                SimpleNamespace(message=exc.message, current=current),
            )
        return Response(course_data(audit, report, team=True))


class ReleaseView(APIView):
    """The lead auditor releases the draft report: the institution's coordinators read the
    outcome and may comment until the reply window closes. Refused with what still blocks it."""

    @extend_schema(
        request=None, responses={200: ReportCourseSerializer, 400: ReportRefusedSerializer}
    )
    def post(self, request: Request, audit_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        try:
            report = report_release(audit=audit, user=api_user(request))
        except ActionForbiddenError:
            raise
        except ActionRefusedError as exc:
            return _refused(exc, release_blockers(audit, review_report_of(audit)))
        audit.refresh_from_db(fields=["status"])
        return Response(course_data(audit, report, team=True))


class FinalReportView(APIView):
    """The lead auditor issues the final report (once the reply is over and every comment
    answered): the audit awaits the certification decision. Refused with what still blocks it."""

    @extend_schema(
        request=None, responses={200: ReportCourseSerializer, 400: ReportRefusedSerializer}
    )
    def post(self, request: Request, audit_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        try:
            report = report_finalise(audit=audit, user=api_user(request))
        except ActionForbiddenError:
            raise
        except ActionRefusedError as exc:
            return _refused(exc, finalise_blockers(audit, review_report_of(audit)))
        audit.refresh_from_db(fields=["status"])
        return Response(course_data(audit, report, team=True))


class CommentListView(APIView):
    """A coordinator comments on a finding, or on the report as a whole, while the reply window
    is open."""

    @extend_schema(request=CommentCreateSerializer, responses={201: ReportCommentSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        access = outcome_access_or_404(request.user, audit_id)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = report_comment_add(
            audit=access.audit,
            user=api_user(request),
            text=serializer.validated_data["text"],
            finding_id=serializer.validated_data["finding"],
        )
        return Response(ReportCommentSerializer(comment).data, status=201)


class CommentAnswerView(APIView):
    """The lead auditor answers a comment: accepted (on a finding, with what changes: the
    consolidated rating, the grade, or the finding withdrawn) or maintained, with the reason."""

    @extend_schema(request=CommentAnswerSerializer, responses={200: ReportCommentSerializer})
    def post(self, request: Request, audit_id: int, comment_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        comment = (
            ReportComment.objects.for_institution(audit.institution_id)
            .filter(audit=audit, pk=comment_id)
            .first()
        )
        if comment is None:
            raise Http404(_("No such comment on this audit."))
        serializer = CommentAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answered = report_comment_answer(
            comment=comment, user=api_user(request), **serializer.validated_data
        )
        return Response(ReportCommentSerializer(answered).data)


class RepliesDoneView(APIView):
    """A coordinator declares the institution has no more comments: the reply window closes."""

    @extend_schema(request=None, responses={200: ReportCourseSerializer})
    def post(self, request: Request, audit_id: int) -> Response:
        access = outcome_access_or_404(request.user, audit_id)
        report = replies_done(audit=access.audit, user=api_user(request))
        return Response(course_data(access.audit, report, team=False))


# --- The outcome and the corrective actions ------------------------------------------------------


class OutcomeView(APIView):
    """The released outcome: every standard's consolidated rating and rationale, the findings
    with their plans and actions, the comments on the report as a whole. Never the auditors'
    notes, nor their own ratings and rationales."""

    @extend_schema(responses={200: OutcomeSerializer})
    def get(self, request: Request, audit_id: int) -> Response:
        access = outcome_access_or_404(request.user, audit_id)
        return Response(OutcomeSerializer(report_outcome(audit=access.audit)).data)


def _plan_read(audit: Audit, plan_id: int) -> CorrectiveActionPlan | None:
    actions = CorrectiveAction.objects.for_institution(audit.institution_id).prefetch_related(
        "reports__files__current_revision"
    )
    return (
        CorrectiveActionPlan.objects.for_institution(audit.institution_id)
        .filter(audit=audit, pk=plan_id)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .first()
    )


def _action_read(audit: Audit, action_id: int) -> CorrectiveAction | None:
    return (
        CorrectiveAction.objects.for_institution(audit.institution_id)
        .filter(audit=audit, pk=action_id)
        .prefetch_related("reports__files__current_revision")
        .first()
    )


def _plan_data(audit: Audit, plan_id: int) -> dict[str, Any]:
    return CorrectiveActionPlanSerializer(_plan_read(audit, plan_id)).data


class PlanView(APIView):
    """A coordinator submits the corrective-action plan of a nonconformity: its cause and the
    actions (what, who, by when); a returned plan is submitted again."""

    @extend_schema(request=PlanSubmitSerializer, responses={200: CorrectiveActionPlanSerializer})
    def put(self, request: Request, audit_id: int, finding_id: int) -> Response:
        access = outcome_access_or_404(request.user, audit_id)
        finding = finding_get(audit=access.audit, finding_id=finding_id)
        if finding is None:
            raise Http404(_("No such finding on this audit."))
        serializer = PlanSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = plan_submit(
            finding=finding,
            user=api_user(request),
            cause=data["cause"],
            actions=[dict(action) for action in data["actions"]],
        )
        return Response(_plan_data(access.audit, plan.pk))


class PlanDecisionView(APIView):
    """The lead auditor accepts a submitted plan, or returns it with what it lacks."""

    @extend_schema(request=PlanDecisionSerializer, responses={200: CorrectiveActionPlanSerializer})
    def post(self, request: Request, audit_id: int, plan_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        plan = _plan_read(audit, plan_id)
        if plan is None:
            raise Http404(_("No such plan on this audit."))
        serializer = PlanDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan_decide(plan=plan, user=api_user(request), **serializer.validated_data)
        return Response(_plan_data(audit, plan.pk))


class ActionDoneView(APIView):
    """A coordinator reports an action of an accepted plan done: a note and the evidence
    (multipart, through the upload checks), sealed as the next addendum of the dossier."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=ActionDoneSerializer, responses={200: CorrectiveActionSerializer})
    def post(self, request: Request, audit_id: int, action_id: int) -> Response:
        access = outcome_access_or_404(request.user, audit_id)
        action = _action_read(access.audit, action_id)
        if action is None:
            raise Http404(_("No such corrective action on this audit."))
        # The form fields only, the files beside them (see the evidence upload's view).
        data = request.POST.copy()
        data.setlist("files", request.FILES.getlist("files"))
        # Read only now: the upload handler lists the files it dropped while the body is parsed.
        # The report is one step: a file dropped refuses it, rather than going without it.
        if dropped := upload_refusals(request._request):
            raise ValidationError({"files": dropped})
        serializer = ActionDoneSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        action_done(
            action=action,
            user=api_user(request),
            note=values["note"],
            uploads=values["files"],
            confirmed_no_personal_data=values["confirmed_no_personal_data"],
        )
        return Response(CorrectiveActionSerializer(_action_read(access.audit, action.pk)).data)


class ActionVerificationView(APIView):
    """An auditor of the team closes an action reported done, or keeps it open with a reason."""

    @extend_schema(request=ActionVerifySerializer, responses={200: CorrectiveActionSerializer})
    def post(self, request: Request, audit_id: int, action_id: int) -> Response:
        audit = review_policy.access_or_404(request.user, audit_id).audit
        action = _action_read(audit, action_id)
        if action is None:
            raise Http404(_("No such corrective action on this audit."))
        serializer = ActionVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action_verify(action=action, user=api_user(request), **serializer.validated_data)
        return Response(CorrectiveActionSerializer(_action_read(audit, action.pk)).data)
