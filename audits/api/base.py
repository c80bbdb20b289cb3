"""Base of every audit-scoped API view: the audit comes from the URL and is resolved through the
audit policy before the handler (404 outside the user's reach)."""

from typing import Any

from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request

from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError


class AuditScopedMixin:
    audit: Audit

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, kwargs["audit_id"])


def refused(exc: ActionRefusedError) -> APIException:
    """A domain refusal as a 400 with the message for the person who asked; one that is not
    theirs to take (``ActionForbiddenError``) as a 403."""
    if isinstance(exc, ActionForbiddenError):
        return PermissionDenied(exc.message)
    return ValidationError({"detail": exc.message})
