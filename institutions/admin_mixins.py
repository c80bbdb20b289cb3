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


class ReadOnlyAdminMixin:
    """Records that change only through their services (which check the rules and write the
    history): the admin lists and shows them, and neither adds, edits nor deletes."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
