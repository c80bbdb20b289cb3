from typing import Any

from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from institutions.tenancy import TenantOwnedModel


class TenantAdminMixin:
    """The admin works across institutions on purpose: it reads through ``unscoped``."""

    model: type[TenantOwnedModel]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = self.model.unscoped.get_queryset()
        ordering = self.get_ordering(request)  # type: ignore[attr-defined]
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        related = db_field.related_model
        if isinstance(related, type) and issubclass(related, TenantOwnedModel):
            kwargs.setdefault("queryset", related.unscoped.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
