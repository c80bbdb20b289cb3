"""Who may do what to an audit.

Members of the audit's institution see it; an external auditor sees it while assigned (a
django-guardian object permission, granted on assignment and removed on withdrawal or closure);
ERNST admins see every audit and assign auditors.

A competences application is a person's, not the institution's: its applicant answers for it as
a coordinator answers for the institution's dossier (``dossier_role``), and nobody of the
institution sees it; the institution's coordinators follow its stage and outcome (``FOLLOW``) and
endorse it (``ENDORSE``), never its self-assessment or evidence.
"""

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.permissions import PERM_ASSIGN_AUDITOR
from audits.models import Audit, AuditEvent, AuditUserObjectPermission, StandardAssessment
from institutions.models import Membership
from institutions.permissions import institution_policy
from institutions.permissions import role_key as _role_key
from institutions.selectors import dossier_institution_ids
from rescue.memo import memoized, remember
from rescue.queries import any_of

PERM_VIEW_ALL_AUDITS = "audits.view_all_audits"
PERM_REVIEW_AUDIT = "audits.review_audit"


class AuditAction(StrEnum):
    VIEW = "view"
    REVIEW = "review"
    ASSIGN_AUDITORS = "assign_auditors"
    CLOSE = "close"
    EDIT_DOSSIER = "edit_dossier"  # work on the self-assessment and evidence (coordinators)
    SUBMIT = "submit"
    FOLLOW = "follow"  # the stage and the outcome, nothing of the content
    ENDORSE = "endorse"  # confirm that the applicant is an active peer supporter of the programme


AUDIT_REFUSALS = {
    AuditAction.ASSIGN_AUDITORS: _("Only ERNST administrators assign and withdraw auditors."),
    AuditAction.CLOSE: _("Only ERNST administrators close an audit."),
    AuditAction.EDIT_DOSSIER: _(
        "Only the institution's coordinators and contributors work on the dossier."
    ),
    AuditAction.SUBMIT: _("Only a coordinator of the institution submits the dossier."),
    AuditAction.REVIEW: _("Only the auditors assigned to this audit review it."),
    AuditAction.ENDORSE: _(
        "Only a coordinator of the applicant's institution endorses an application, once, "
        "before it is submitted."
    ),
}


def _grant_key(user: Any, audit: Audit) -> tuple[str, int, int]:
    return ("review-grant", user.pk, audit.pk)


# The two answers every dossier page needs with its audit, read in the audit's own query: the
# reader's membership role in its institution, and whether they hold the review grant on it.
# Written as SQL expressions rather than as Subquery and Exists of querysets: the same plan,
# but Django builds and compiles the querysets' version in 3.1 ms against 1.5 ms for the whole
# read this way (bench/pages.py's platform), and every dossier page starts with this read.
# The models' own table names; every value is a bound parameter.
_AUDIT, _MEMBERSHIP, _GRANT, _PERMISSION, _TYPE = (
    model._meta.db_table
    for model in (Audit, Membership, AuditUserObjectPermission, Permission, ContentType)
)
# At most one row: a user has one membership per institution (membership_unique_user).
_VIEWER_ROLE_SQL = f"""SELECT m."role" FROM "{_MEMBERSHIP}" m
    WHERE m."user_id" = %s AND m."institution_id" = "{_AUDIT}"."institution_id" """  # noqa: S608
# What _grants() reads: a user grant of review_audit on this audit.
_VIEWER_REVIEWING_SQL = f"""EXISTS (SELECT 1 FROM "{_GRANT}" g
    INNER JOIN "{_PERMISSION}" p ON p."id" = g."permission_id"
    INNER JOIN "{_TYPE}" t ON t."id" = p."content_type_id"
    WHERE g."user_id" = %s AND g."content_object_id" = "{_AUDIT}"."id"
    AND p."codename" = %s AND t."app_label" = %s)"""  # noqa: S608


def _viewer_role(user: Any) -> RawSQL:
    return RawSQL(_VIEWER_ROLE_SQL, (user.pk,), output_field=CharField())  # noqa: S611


def _viewer_reviewing(user: Any) -> RawSQL:
    app_label, codename = PERM_REVIEW_AUDIT.split(".")
    return RawSQL(  # noqa: S611 - the values are bound parameters
        _VIEWER_REVIEWING_SQL, (user.pk, codename, app_label), output_field=BooleanField()
    )


class AuditPolicy:
    def audits_for(self, user: Any, action: AuditAction) -> QuerySet[Audit]:
        # Across institutions on purpose; every branch below narrows to what the user may reach.
        audits = Audit.unscoped.all()
        if not user.is_authenticated or not user.is_active:
            return audits.none()
        if action in (AuditAction.ASSIGN_AUDITORS, AuditAction.CLOSE):
            return audits if user.has_perm(PERM_ASSIGN_AUDITOR) else audits.none()
        if action in (AuditAction.EDIT_DOSSIER, AuditAction.SUBMIT, AuditAction.ENDORSE):
            return self._drafts_for(user, action, audits)
        reviewing = self._reviewing(user, audits)
        if action == AuditAction.REVIEW:
            return reviewing.exclude(status=Audit.Status.CLOSED)
        if user.has_perm(PERM_VIEW_ALL_AUDITS):
            return audits
        # One indexed path per way of reaching an audit (the institutions' dossiers, the own
        # applications, the review grants), their ids put together: never one scan of every
        # audit that tests memberships OR applicant OR grants row by row.
        paths = [
            audits.filter(institution_id__in=dossier_institution_ids(user=user)).filter(
                applicant__isnull=True
            ),
            audits.filter(applicant=user),
            reviewing,
        ]
        if action == AuditAction.FOLLOW:
            paths.append(
                audits.filter(institution_id__in=self._coordinating(user)).filter(
                    applicant__isnull=False
                )
            )
        return any_of(audits, *(path.values("pk") for path in paths))

    def _drafts_for(
        self, user: Any, action: AuditAction, audits: QuerySet[Audit]
    ) -> QuerySet[Audit]:
        drafts = audits.filter(status=Audit.Status.DRAFT)
        if action != AuditAction.ENDORSE:
            return drafts.filter(self._answers_for(user))
        return drafts.filter(
            applicant__isnull=False,
            institution_id__in=self._coordinating(user),
            endorsed_at__isnull=True,
        ).exclude(applicant=user)

    @staticmethod
    def _coordinating(user: Any) -> QuerySet[Membership, Any]:
        return Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).values(
            "institution_id"
        )

    def _answers_for(self, user: Any) -> Q:
        """The audits the user answers for: their institutions' (as a coordinator), their own
        applications."""
        return Q(institution_id__in=self._coordinating(user), applicant__isnull=True) | Q(
            applicant=user
        )

    def dossier_role(self, user: Any, audit: Audit) -> str | None:
        """The user's part in this dossier, as a membership role. For an institution's audit, the
        user's role in the institution. A competences application's applicant answers for it as
        a coordinator answers for the institution's dossier; nobody else has a part in it (its
        institution's coordinators follow it: ``AuditAction.FOLLOW``)."""
        if audit.applicant_id is not None:
            return Membership.Role.COORDINATOR if user.pk == audit.applicant_id else None
        return institution_policy.role(user, audit.institution_id)

    @staticmethod
    def _reviewing(user: Any, audits: QuerySet[Audit]) -> QuerySet[Audit]:
        """The audits on which the user holds the ``review_audit`` object permission: a user
        grant on the direct foreign-key table (no group grants, no global permission, superusers
        included only by a grant), what ``get_objects_for_user(..., use_groups=False,
        with_superuser=False, accept_global_perms=False)`` answers, read from the user's grants
        (their index), not tested audit by audit."""
        return audits.filter(pk__in=AuditPolicy._grants(user).values("content_object_id"))

    @staticmethod
    def _grants(user: Any) -> QuerySet[AuditUserObjectPermission]:
        app_label, codename = PERM_REVIEW_AUDIT.split(".")
        return AuditUserObjectPermission.objects.filter(
            user_id=user.pk,
            permission__codename=codename,
            permission__content_type__app_label=app_label,
        )

    @staticmethod
    def _grant(user: Any, audit_pk: Any) -> QuerySet[AuditUserObjectPermission]:
        return AuditPolicy._grants(user).filter(content_object_id=audit_pk)

    def holds_review_grant(self, user: Any, audit: Audit) -> bool:
        """Whether the user holds the review grant on this audit, asked once per request."""
        return memoized(_grant_key(user, audit), lambda: self._grant(user, audit.pk).exists())

    def can(self, user: Any, action: AuditAction, audit: Audit) -> bool:
        """The rules of ``audits_for`` on one audit (a page asks several; see ``capabilities``)."""
        return self.capabilities(user, audit)[action]

    def get_or_404(self, user: Any, action: AuditAction, audit_id: int) -> Audit:
        """The audit, if the user may do ``action`` on it: read by its key, then judged by the
        rules of ``capabilities`` (whose membership and grant look-ups the rest of the request
        reuses). Someone who sees the audit but may not do this is told who may (403); for
        anyone else the audit does not exist (404)."""
        audit = (
            Audit.unscoped.select_related("institution", "catalogue_version")
            .defer("manifest")  # the sealed manifest (every file) is read only to verify it
            .annotate(viewer_role=_viewer_role(user), viewer_reviewing=_viewer_reviewing(user))
            .filter(pk=audit_id)
            .order_by()
            .first()
        )
        if audit is None:
            raise Http404("No such audit.")
        if user.is_authenticated:  # the two answers capabilities() asks for, read with the audit
            remember(_role_key(user, audit.institution_id), audit.viewer_role)
            remember(_grant_key(user, audit), audit.viewer_reviewing)
        allowed = self.capabilities(user, audit)
        if allowed[action]:
            return audit
        # Told who may: whoever sees the audit; of an application, whoever follows it, when it
        # is about endorsing it (the rest of it is outside their reach).
        knows = allowed[AuditAction.VIEW] or (
            action == AuditAction.ENDORSE and allowed[AuditAction.FOLLOW]
        )
        if action in AUDIT_REFUSALS and knows:
            raise PermissionDenied(AUDIT_REFUSALS[action])
        raise Http404("No such audit.")

    def capabilities(self, user: Any, audit: Audit) -> dict[str, bool]:
        """Every action at once, for templates (``{% if can.review %}``): the rules of
        ``audits_for`` on one audit, in two queries (the membership, the review grant), asked
        once per request."""
        if not user.is_authenticated or not user.is_active:
            return dict.fromkeys(AuditAction, False)
        key = (
            "audit-capabilities",
            user.pk,
            audit.pk,
            audit.institution_id,
            audit.status,
            audit.endorsed_at,
        )
        return dict(memoized(key, lambda: self._capabilities(user, audit)))

    def _capabilities(self, user: Any, audit: Audit) -> dict[str, bool]:
        admin = user.has_perm(PERM_ASSIGN_AUDITOR)
        role = self.dossier_role(user, audit)
        reviewing = self.holds_review_grant(user, audit)
        draft = audit.status == Audit.Status.DRAFT
        coordinating = role == Membership.Role.COORDINATOR and draft
        view = user.has_perm(PERM_VIEW_ALL_AUDITS) or role in Membership.DOSSIER_ROLES or reviewing
        endorsing = audit.is_application and (
            institution_policy.role(user, audit.institution_id) == Membership.Role.COORDINATOR
        )
        return {
            AuditAction.VIEW: view,
            AuditAction.REVIEW: reviewing and audit.status != Audit.Status.CLOSED,
            AuditAction.ASSIGN_AUDITORS: admin,
            AuditAction.CLOSE: admin,
            AuditAction.EDIT_DOSSIER: coordinating,
            AuditAction.SUBMIT: coordinating,
            AuditAction.FOLLOW: view or endorsing,
            AuditAction.ENDORSE: endorsing
            and draft
            and audit.endorsed_at is None
            and user.pk != audit.applicant_id,
        }

    def reviewers(self, audit: Audit) -> QuerySet[Any]:
        """Users holding the review permission on this audit right now."""
        return AuditUserObjectPermission.objects.filter(
            content_object=audit, permission__codename="review_audit"
        ).select_related("user")


audit_policy = AuditPolicy()


class AssessmentAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # self-rate, write the narrative, add and link evidence
    ASSIGN = "assign"  # choose who works on a standard


class _Reach(StrEnum):
    ALL = "all"
    ASSIGNED = "assigned"
    NONE = "none"


class AssessmentPolicy:
    """Coordinators reach every standard of their audits; a contributor only the standards
    assigned to them; assigned auditors and ERNST admins read every standard."""

    def assessments_for(
        self, user: Any, action: AssessmentAction, audit: Audit
    ) -> QuerySet[StandardAssessment]:
        assessments = StandardAssessment.objects.for_institution(audit.institution_id).filter(
            audit=audit
        )
        reach = self._reach(user, action, audit)
        if reach == _Reach.NONE:
            return assessments.none()
        if reach == _Reach.ASSIGNED:
            return assessments.filter(assignees=user)
        return assessments

    @staticmethod
    def _reach(user: Any, action: AssessmentAction, audit: Audit) -> _Reach:
        """Which of the audit's standards the user may do ``action`` on: all, only those assigned
        to them, or none; from their role and their access to the audit, both remembered for the
        request, and the audit's state: no query of the standards."""
        role = audit_policy.dossier_role(user, audit)
        if action == AssessmentAction.ASSIGN and (
            role == Membership.Role.CONTRIBUTOR or audit.is_application
        ):  # an application is its applicant's own work
            return _Reach.NONE
        if role == Membership.Role.CONTRIBUTOR:
            reach = _Reach.ASSIGNED
        elif role == Membership.Role.COORDINATOR or (
            action == AssessmentAction.VIEW and audit_policy.can(user, AuditAction.VIEW, audit)
        ):
            reach = _Reach.ALL
        else:
            return _Reach.NONE
        if action != AssessmentAction.VIEW and audit.is_sealed:
            return _Reach.NONE
        return reach

    def reaches_every_standard(
        self, user: Any, audit: Audit, action: AssessmentAction = AssessmentAction.VIEW
    ) -> bool:
        """Whether ``assessments_for(action)`` is the whole dossier: everyone who may do it at
        all but a contributor, who reaches the standards assigned to them. No query: the
        reader's role and access, remembered for the request, and the audit's state."""
        return self._reach(user, action, audit) == _Reach.ALL

    def can(self, user: Any, action: AssessmentAction, assessment: StandardAssessment) -> bool:
        """The rules of ``assessments_for`` on one standard. Someone who reaches every standard
        of its audit is answered without a query (the standard is one of its audit's); only a
        contributor's reach, the standards assigned to them, is asked of the database."""
        audit = assessment.audit
        reach = self._reach(user, action, audit)
        if reach == _Reach.NONE or assessment.pk is None:
            return False
        if reach == _Reach.ALL:
            return assessment.institution_id == audit.institution_id
        return self.assessments_for(user, action, audit).filter(pk=assessment.pk).exists()

    def events_for(
        self,
        user: Any,
        audit: Audit,
        visible: QuerySet[StandardAssessment] | None = None,
    ) -> QuerySet[AuditEvent]:
        """The audit's history as far as the user sees its standards: events about the whole
        audit, and events about at least one standard they see (a contributor: their own).
        ``visible`` is the user's ``assessments_for(VIEW)`` when the caller has it already."""
        events = AuditEvent.objects.for_institution(audit.institution_id).filter(audit=audit)
        if not self.reaches_every_standard(user, audit):
            if visible is None:
                visible = self.assessments_for(user, AssessmentAction.VIEW, audit)
            about = AuditEvent.assessments.through.objects.filter(auditevent_id=OuterRef("pk"))
            events = events.filter(
                ~Exists(about) | Exists(about.filter(standardassessment__in=visible))
            )
        # The review's own events are for ERNST and the review team, not the institution.
        if not (
            user.has_perm(PERM_VIEW_ALL_AUDITS) or audit_policy.can(user, AuditAction.REVIEW, audit)
        ):
            events = events.filter(review_only=False)
        return events

    def get_or_404(
        self, user: Any, action: AssessmentAction, audit: Audit, standard_code: str
    ) -> StandardAssessment:
        assessment = (
            self.assessments_for(user, action, audit)
            .select_related("standard__section")
            .filter(standard__code=standard_code)
            .order_by()  # one row at most: a standard appears once in an audit
            .first()
        )
        if assessment is None:
            raise Http404("No such standard in this audit.")
        assessment.audit = audit  # the caller's, read with its institution and catalogue
        return assessment


assessment_policy = AssessmentPolicy()
