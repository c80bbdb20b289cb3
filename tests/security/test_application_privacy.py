"""A competences application is its applicant's: the privacy matrix over every dossier URL.

The access matrix (test_access_matrix.py) declares who reaches each URL of institution A's audit.
Here each of those URLs is asked again about the world's *application* (the dossier of A's peer
supporter, through A): the same URL names, with the application, its competence and its file
in place of the audit, its standard and its file. The applicant answers for their application as
A's coordinator answers for A's audit, so they get what the coordinator gets there; the admins
get what they get there; everybody else gets a 404: A's coordinator (who follows the application
on its status page only), A's contributor, the auditor assigned to A's audit (not to the
application), another institution, an unassigned auditor.

A URL whose arguments name an object of the audit that the application has no counterpart of
yet (its review assignment, its reports, its decision) is not mirrored: ``NOT_MIRRORED`` lists
them, and a test keeps that list exact.
"""

from typing import Any

import pytest
from django.urls import reverse

from tests.security.test_access_matrix import (
    ADMIN,
    ANON,
    COORD_A,
    MATRIX,
    PEER_A,
    Access,
)
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db

# The audit's objects and the application's counterparts.
MIRRORED = {
    "audit_a": "application_a",
    "standard": "competence",
    "assessment_a": "application_assessment",
    "assessment_a2": "application_assessment",
    "evidence_a": "application_evidence",
}
# What any URL may name besides: the institution, the people.
SHARED = {"institution_a", "institution_b", "users", "site_a"}

# Answers that differ, on purpose, from the coordinator's on their institution's audit.
APPLICANT_DIFFERS = {
    # An application is its applicant's own work: nobody is assigned its competences (told so).
    "audits:standard_assignees": 403,
    # The application's file is not flagged for personal data (audit A's is): nothing to review.
    "audits:evidence_review": 400,
}
# URLs that name the audit's catalogue version, which is public: not about the audit.
PUBLIC = {"catalogue-version-detail"}


class Mirror:
    """The world as the matrix's argument functions read it, with the application in place of
    the audit; records every attribute asked for."""

    def __init__(self, world: World) -> None:
        self._world = world
        self.asked: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.asked.add(name)
        return getattr(self._world, MIRRORED.get(name, name))


def expected(name: str, access: Access, role: str) -> int:
    if role == ANON:
        return access.expect[ANON]
    if role == PEER_A:
        return APPLICANT_DIFFERS.get(name, access.expect[COORD_A])
    if role == ADMIN:
        return access.expect[ADMIN]
    return 404


def _ask(world: World, role: str, name: str, access: Access) -> int:
    mirror: Any = Mirror(world)
    url = reverse(name, kwargs=access.kwargs(mirror))
    client = world.client(role)
    if access.method == "post":
        return client.post(url, access.data(mirror)).status_code
    if access.method in ("patch", "put"):
        send = getattr(client, access.method)
        return send(url, access.data(mirror), content_type="application/json").status_code
    return client.get(url, access.query).status_code


# Which URLs are mirrored is read from the argument functions alone: no database is needed.
class _Names:
    """Attribute access without a world: every name resolves to a stand-in."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.asked.add(name)
        return _Stub()


class _Stub:
    pk = 1
    code = "COM02"
    catalogue_version_id = 1

    def __getattr__(self, name: str) -> Any:
        return _Stub()

    def __getitem__(self, key: Any) -> Any:
        return _Stub()


def _asks(access: Access) -> set[str]:
    names = _Names()
    access.kwargs(names)  # type: ignore[arg-type]
    access.data(names)  # type: ignore[arg-type]
    return names.asked


ABOUT_THE_AUDIT = sorted(
    name for name, access in MATRIX.items() if "audit_a" in _asks(access) and name not in PUBLIC
)
MIRRORED_NAMES = [n for n in ABOUT_THE_AUDIT if _asks(MATRIX[n]) <= set(MIRRORED) | SHARED]
NOT_MIRRORED = {
    # Audit A's review assignment and its dossier report: the application has none yet.
    "reviews:team_withdraw",
    "reports:status",
    "reports:download",
    "audit-report-detail",
}


def test_every_url_about_the_audit_is_mirrored_or_named_here() -> None:
    assert set(ABOUT_THE_AUDIT) - set(MIRRORED_NAMES) == NOT_MIRRORED
    assert len(MIRRORED_NAMES) > 40  # the dossier, evidence, review, report and decision URLs


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", MIRRORED_NAMES)
def test_the_application_is_its_applicants(world: World, name: str, role: str) -> None:
    access = MATRIX[name]
    assert _ask(world, role, name, access) == expected(name, access, role), f"{role} on {name}"
