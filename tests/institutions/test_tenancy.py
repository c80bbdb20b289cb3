"""The fail-closed tenant manager: a query without an institution scope raises."""

import pytest
from django.apps import apps
from django.core import checks
from django.db import models

from audits.models import Audit
from institutions.tenancy import TenantOwnedModel, UnscopedQueryError, check_tenant_models
from tests.factories import AuditFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_audits() -> tuple[Audit, Audit]:
    return AuditFactory(), AuditFactory()


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda: list(Audit.objects.all()), id="list"),
        pytest.param(lambda: Audit.objects.filter(status="draft").first(), id="first"),
        pytest.param(lambda: Audit.objects.get(pk=1), id="get"),
        pytest.param(lambda: Audit.objects.count(), id="count"),
        pytest.param(lambda: Audit.objects.exists(), id="exists"),
        pytest.param(lambda: Audit.objects.values_list("pk", flat=True)[0], id="values"),
        pytest.param(lambda: Audit.objects.aggregate(n=models.Count("pk")), id="aggregate"),
        pytest.param(lambda: Audit.objects.in_bulk([1]), id="in_bulk"),
        pytest.param(lambda: Audit.objects.update(status="closed"), id="update"),
        pytest.param(lambda: Audit.objects.all().delete(), id="delete"),
        pytest.param(lambda: list(Audit.objects.iterator()), id="iterator"),
        pytest.param(lambda: bool(Audit.objects.order_by("pk")), id="bool"),
        pytest.param(
            lambda: list(Audit.objects.exclude(institution=InstitutionFactory())), id="exclude"
        ),
        pytest.param(
            lambda: list(Audit.objects.filter(catalogue_version__status="active")),
            id="other-relation",
        ),
    ],
)
def test_unscoped_queries_raise(two_audits: tuple[Audit, Audit], query) -> None:
    with pytest.raises(UnscopedQueryError, match="Audit is tenant-owned"):
        query()
    # and nothing was changed by the refused update/delete
    assert Audit.unscoped.count() == 2
    assert not Audit.unscoped.filter(status="closed").exists()


def test_scoped_queries_return_only_the_institution(two_audits: tuple[Audit, Audit]) -> None:
    mine, other = two_audits
    assert list(Audit.objects.for_institution(mine.institution)) == [mine]
    assert list(Audit.objects.filter(institution_id=mine.institution_id)) == [mine]
    assert Audit.objects.filter(institution__in=[mine.institution]).count() == 1
    # A scope survives further chaining.
    assert Audit.objects.for_institution(mine.institution).filter(pk=other.pk).first() is None
    assert Audit.objects.for_institution(mine.institution).order_by("pk").exists()


def test_related_manager_of_tenant_data_is_scoped_by_its_parent(
    two_audits: tuple[Audit, Audit],
) -> None:
    mine, _ = two_audits
    # Reached from a catalogue version (platform data) the audits are NOT scoped.
    with pytest.raises(UnscopedQueryError):
        list(mine.catalogue_version.audits.all())


def test_save_refresh_and_delete_of_a_loaded_row_work(two_audits: tuple[Audit, Audit]) -> None:
    mine, other = two_audits
    mine.status = "submitted"
    mine.save()
    mine.refresh_from_db()
    assert mine.status == "submitted"
    assert mine.institution.name  # forward relation
    other.delete()
    assert Audit.unscoped.count() == 1


def test_uniqueness_validation_still_runs(two_audits: tuple[Audit, Audit]) -> None:
    mine, _ = two_audits
    mine.full_clean()  # validate_unique/validate_constraints query across institutions safely
    with pytest.raises(UnscopedQueryError):
        list(Audit.objects.all())  # the escape does not outlive the validation


def test_unscoped_manager_is_explicit(two_audits: tuple[Audit, Audit]) -> None:
    assert Audit.unscoped.count() == 2


def test_system_check_accepts_the_project_models() -> None:
    assert check_tenant_models() == []


@pytest.mark.parametrize(
    ("body", "error_id"),
    [
        pytest.param({"objects": models.Manager()}, "institutions.E001", id="plain-default"),
        pytest.param(
            {"Meta": type("Meta", (), {"app_label": "audits", "base_manager_name": "objects"})},
            "institutions.E002",
            id="tenant-base-manager",
        ),
    ],
)
def test_system_check_catches_a_model_that_loses_the_safe_managers(
    body: dict, error_id: str
) -> None:
    attrs = {"__module__": "audits.models", **body}
    attrs.setdefault("Meta", type("Meta", (), {"app_label": "audits"}))
    careless = type("Careless", (TenantOwnedModel,), attrs)
    try:
        errors = [e for e in check_tenant_models() if e.obj is careless]
        assert [e.id for e in errors] == [error_id]
        assert isinstance(errors[0], checks.Error)
    finally:
        apps.all_models["audits"].pop("careless", None)
        apps.clear_cache()


def test_an_empty_queryset_needs_no_scope(two_audits: tuple[Audit, Audit]) -> None:
    assert list(Audit.objects.none()) == []
    assert Audit.objects.none().count() == 0
