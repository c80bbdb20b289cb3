"""The base of every institution-scoped API view.

The institution comes from the URL (never from the request body), is resolved through the
permission policy before the handler runs (404 outside the user's reach), and subclasses
implement ``get_scoped_queryset(institution)``: there is no unscoped path to override.
"""

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics
from rest_framework.request import Request

from institutions.models import Institution
from institutions.permissions import InstitutionAction, institution_policy


class InstitutionScopedMixin:
    institution_action: InstitutionAction = InstitutionAction.VIEW
    institution: Institution

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authentication first
        self.institution = institution_policy.get_or_404(
            request.user, self.institution_action, kwargs["institution_id"]
        )

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no request, no tenant
            model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
            return model._default_manager.none()
        return self.get_scoped_queryset(self.institution)

    def get_scoped_queryset(self, institution: Institution) -> QuerySet[Any]:
        raise NotImplementedError


class InstitutionScopedListView(InstitutionScopedMixin, generics.ListAPIView):
    pass
