"""Tenant isolation at the model layer: the institution is the tenant.

Every tenant-owned model inherits ``TenantOwnedModel``: an indexed ``institution`` foreign key and
a fail-closed default manager. A query through ``Model.objects`` runs only once it is scoped:

- ``Model.objects.for_institution(institution)`` (or a ``filter(institution=…)``,
  ``filter(institution_id=…)``, ``filter(institution__in=…)``: a positive filter on the tenant);
- a related manager reached from an object already loaded (``audit.assessments.all()``): the
  parent was itself loaded through a scope, and children share their parent's institution.

Anything else (``Model.objects.all()``, ``Model.objects.filter(pk=…)``) raises
``UnscopedQueryError`` when it is evaluated, so a forgotten scope fails loudly in development and
in tests instead of leaking another institution's data. Code that legitimately works across
institutions (the admin, migrations, background tasks, the ERNST admin's views, permission
look-ups such as django-guardian's) says so by using ``Model.unscoped``.

Selectors still filter by institution explicitly: the manager is the second line of defence.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Self

from django.core import checks
from django.db import models

from rescue.choices import ChoiceLabels

if TYPE_CHECKING:
    from institutions.models import Institution

# Keyword arguments of filter() that scope a query to one or more institutions.
SCOPING_LOOKUPS = frozenset(
    {"institution", "institution_id", "institution__in", "institution_id__in", "institution__pk"}
)


class UnscopedQueryError(RuntimeError):
    """A tenant-owned model was queried without an institution scope."""


# Set only while Django validates uniqueness (``validate_unique``/``validate_constraints``): those
# existence checks must see every row to be correct, and they return nothing to the caller.
_uniqueness_check: ContextVar[bool] = ContextVar("tenant_uniqueness_check", default=False)


class TenantQuerySet(models.QuerySet):
    _tenant_scoped = False

    # --- scoping -------------------------------------------------------------------------------
    def for_institution(self, institution: Institution | int) -> Self:
        return self.filter(institution=institution)

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> Self:
        clone = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]  # private
        if not negate and SCOPING_LOOKUPS.intersection(kwargs):
            clone._tenant_scoped = True
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # private in the stubs
        clone._tenant_scoped = self._tenant_scoped
        return clone

    def none(self) -> Self:
        # An empty result reveals nothing, whatever the scope.
        return super().none()._mark_scoped()

    def _mark_scoped(self) -> Self:
        self._tenant_scoped = True
        return self

    def _require_scope(self) -> None:
        if not self._tenant_scoped and not _uniqueness_check.get():
            raise UnscopedQueryError(
                f"{self.model.__name__} is tenant-owned: scope the query with "
                f"for_institution(), or use {self.model.__name__}.unscoped where working across "
                "institutions is intended (admin, tasks, ERNST admin views)."
            )

    # --- every way a query reaches the database ------------------------------------------------
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def contains(self, obj: models.Model) -> bool:
        self._require_scope()
        return super().contains(obj)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def in_bulk(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        self._require_scope()
        return super().in_bulk(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()

    def explain(self, *args: Any, **kwargs: Any) -> str:
        self._require_scope()
        return super().explain(*args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """The fail-closed default manager of tenant-owned models."""

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        # A related manager (``parent.children``) carries the instance it was reached from. When
        # that parent is an institution or tenant data itself, it was loaded through a scope and
        # its children share its institution. Any other parent (a catalogue version, a user) says
        # nothing about the tenant and the query stays unscoped.
        parent = getattr(self, "instance", None)
        if parent is not None and _is_tenant_root_or_data(parent):
            queryset._mark_scoped()
        return queryset


def _is_tenant_root_or_data(obj: object) -> bool:
    from institutions.models import Institution  # noqa: PLC0415 - models import this module

    return isinstance(obj, Institution | TenantOwnedModel)


class TenantOwnedModel(ChoiceLabels, models.Model):
    """Base of every model that belongs to one institution."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
    )

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012 - the managers are the point of this base

    class Meta:
        abstract = True
        # Django's own row access (save, refresh_from_db, deletion cascades, forward relations)
        # goes through the base manager: it addresses one known row, so it is not a tenant query.
        base_manager_name = "unscoped"

    def validate_unique(self, exclude: Any = None) -> None:
        token = _uniqueness_check.set(True)
        try:
            super().validate_unique(exclude=exclude)
        finally:
            _uniqueness_check.reset(token)

    def validate_constraints(self, exclude: Any = None) -> None:
        token = _uniqueness_check.set(True)
        try:
            super().validate_constraints(exclude=exclude)
        finally:
            _uniqueness_check.reset(token)


@checks.register(checks.Tags.models)
def check_tenant_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every tenant-owned model keeps the fail-closed default and the plain base manager.

    A subclass whose ``Meta`` does not inherit ``TenantOwnedModel.Meta`` loses the base manager
    setting; one that declares another manager first loses the fail-closed default.
    """
    from django.apps import apps  # noqa: PLC0415

    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not issubclass(model, TenantOwnedModel):
            continue
        if not isinstance(model._default_manager, TenantManager):
            errors.append(
                checks.Error(
                    f"{model.__name__}'s default manager must be the fail-closed TenantManager.",
                    obj=model,
                    id="institutions.E001",
                )
            )
        if isinstance(model._base_manager, TenantManager):
            errors.append(
                checks.Error(
                    f"{model.__name__}.Meta must inherit TenantOwnedModel.Meta "
                    "(its base manager must be the plain 'unscoped' manager).",
                    obj=model,
                    id="institutions.E002",
                )
            )
    return errors
