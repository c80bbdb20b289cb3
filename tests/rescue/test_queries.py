"""``any_of``: the rows any of several ways finds, each read on its own and put together by
``UNION ALL``, in the queryset's own order and each row once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import Institution
from rescue.queries import any_of
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_the_rows_of_any_way_each_once_in_the_querysets_order() -> None:
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    made = {name: InstitutionFactory(name=name, country="BE") for name in names}
    by_a = Institution.objects.filter(name__icontains="a").exclude(name="Beta")
    by_e = Institution.objects.filter(name__icontains="e")  # Beta, Delta: Delta in both
    found = any_of(Institution.objects.filter(country="BE"), by_a.values("pk"), by_e.values("pk"))
    with CaptureQueriesContext(connection) as queries:
        listed = list(found.order_by("name").values_list("name", flat=True))
    assert listed == ["Alpha", "Beta", "Delta", "Gamma"]
    assert len(queries) == 1
    assert "UNION ALL" in queries[0]["sql"]
    # The queryset's own conditions hold: a row the ways find but the queryset does not keep.
    made["Gamma"].country = "NL"
    made["Gamma"].save()
    assert set(found.values_list("name", flat=True)) == {"Alpha", "Beta", "Delta"}


def test_one_way_alone_and_no_row() -> None:
    InstitutionFactory(name="Alpha")
    one = Institution.objects.filter(name="Alpha").values("pk")
    assert list(any_of(Institution.objects.all(), one).values_list("name", flat=True)) == ["Alpha"]
    none = Institution.objects.filter(name="Omega").values("pk")
    assert not any_of(Institution.objects.all(), none, none).exists()
