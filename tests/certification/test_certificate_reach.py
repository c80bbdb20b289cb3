"""Whose certificates a user reaches (``certificates_for``): an institution's for its
coordinators, a person's certificate of competences for that person only, every one for ERNST
admins; read as one indexed path per way of reaching them, the same certificates as the plain
OR of both ways."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from certification.models import Certificate
from certification.permissions import certificate_or_404, certificates_for
from certification.services import certificate_issue
from institutions.models import Membership
from standards.choices import InterventionLevel, Setting
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db


def issue(world: World, institution_id: int, scheme: str, holder: str | None = None) -> int:
    certificate = certificate_issue(
        institution_id=institution_id,
        scheme=scheme,
        setting=Setting.HOSPITAL,
        level=InterventionLevel.EXECUTION if scheme == "intervention" else "",
        user=None,
    )
    if holder is not None:
        Certificate.unscoped.filter(pk=certificate.pk).update(
            holder=world.users[holder], holder_name="Ana Ruiz", register_consent_at=timezone.now()
        )
    return certificate.pk


@pytest.fixture
def certificates(world: World) -> dict[str, int]:
    a, b = world.institution_a.pk, world.institution_b.pk
    return {
        "a": issue(world, a, "intervention"),
        "a training": issue(world, a, "training"),
        "b": issue(world, b, "intervention"),
        # Held by a peer supporter of A: not A's, though it was issued where she works.
        "person": issue(world, a, "competences", holder="peer_supporter_a"),
    }


def named(certificates: dict[str, int], *names: str) -> set[int]:
    return {certificates[name] for name in names}


def reached(user: object) -> set[int]:
    return set(certificates_for(user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", ()),
        ("coordinator_a", ("a", "a training")),
        ("contributor_a", ()),
        ("coordinator_b", ("b",)),
        ("auditor_assigned", ()),
        ("auditor_unassigned", ()),
        ("admin", ("a", "a training", "b", "person")),
        ("peer_supporter_a", ("person",)),
    ],
)
def test_who_reaches_which_certificate(
    world: World, certificates: dict[str, int], role: str, expected: tuple[str, ...]
) -> None:
    user = world.users.get(role) or AnonymousUser()
    # Of this test's certificates (the world has one of A's already).
    assert reached(user) & set(certificates.values()) == named(certificates, *expected)


def test_the_paths_reach_what_the_or_of_both_reaches(
    world: World, certificates: dict[str, int]
) -> None:
    # A coordinator who also holds a certificate of their own reaches both kinds.
    holder = world.users["coordinator_b"]
    Certificate.unscoped.filter(pk=certificates["person"]).update(holder=holder)
    for role in ROLES:
        user = world.users.get(role)
        if user is None or role == "admin":
            continue
        coordinating = Membership.objects.filter(
            user=user, role=Membership.Role.COORDINATOR
        ).values("institution_id")
        expected = Certificate.unscoped.filter(
            Q(institution_id__in=coordinating, holder__isnull=True) | Q(holder=user)
        )
        assert reached(user) == set(expected.values_list("pk", flat=True)), role
    assert reached(holder) & set(certificates.values()) == named(certificates, "b", "person")


def test_one_certificate_is_found_for_exactly_whom_the_list_has_it(
    world: World, certificates: dict[str, int]
) -> None:
    everyone = list(Certificate.unscoped.values_list("pk", flat=True))
    for role in ROLES:
        user = world.users.get(role) or AnonymousUser()
        listed = reached(user)
        for pk in everyone:
            try:
                found = certificate_or_404(user, pk).pk == pk
            except Http404:
                found = False
            assert found == (pk in listed), (role, pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_list_of_every_certificate_is_read_newest_first_off_its_index(
    world: World, certificates: dict[str, int]
) -> None:
    # ERNST's list (certification.views.certificate_list and the API): a page read off the index
    # in its order, not every certificate sorted. A few rows sort faster than they are read off
    # an index: the planner is told to avoid sorting and scanning, to show whether the index fits.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    listed = certificates_for(world.users["admin"]).order_by("-issued_on", "-pk")[:25]
    assert "Index Scan using certificate_newest_first" in listed.explain()
