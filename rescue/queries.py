"""Query shapes the project shares.

``any_of``: the rows of a queryset that any of several ways of reaching them finds. Each way is
read on its own, by its own index, and their keys are put together by ``UNION ALL``; one OR of
the ways' conditions, often across joins, makes PostgreSQL test every row of the table instead
(the audits a user reaches, the auditor pool, a user's permissions and certificates, the
register's search: bench/pages.py).
"""

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


def any_of(queryset: QuerySet[M], *keys: QuerySet[Any]) -> QuerySet[M]:
    """``queryset`` narrowed to the rows whose primary key one of ``keys`` holds: each a
    queryset of one column of keys (``.values("pk")``, ``.values("user_id")``)."""
    first, *rest = (key.order_by() for key in keys)
    return queryset.filter(pk__in=first.union(*rest, all=True))
