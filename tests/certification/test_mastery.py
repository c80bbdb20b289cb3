"""RESCUE Mastery, as a table of cases: derived from an active Training certificate and an
active Intervention certificate at the Comprehensive level, expiring with the earlier of the two,
lapsing when either stops being active, replaced when a base is renewed."""

from datetime import date

import pytest

from certification.models import Certificate
from certification.services import certificate_change, certificate_issue, certificates_expire
from tests.world import World

pytestmark = pytest.mark.django_db


def issue(world: World, scheme: str, level: str = "", *, on: date, expires: date) -> Certificate:
    return certificate_issue(
        institution_id=world.institution_b.pk,
        scheme=scheme,
        setting="hospital",
        level=level,
        user=world.users["admin"],
        issued_on=on,
        expires_on=expires,
    )


def masteries(world: World) -> list[tuple[str, str]]:
    return list(
        Certificate.objects.for_institution(world.institution_b)
        .filter(scheme="mastery")
        .order_by("pk")
        .values_list("status", "expires_on")
    )


# (what the institution holds, whether a live Mastery follows)
CASES = [
    ((("training", ""),), False),
    ((("intervention", "comprehensive"),), False),
    ((("training", ""), ("intervention", "execution")), False),
    ((("training", ""), ("intervention", "design")), False),
    ((("training", ""), ("intervention", "comprehensive")), True),
    ((("intervention", "comprehensive"), ("training", "")), True),
]


@pytest.mark.parametrize(("held", "mastery"), CASES)
def test_mastery_follows_what_is_held(world: World, held: tuple, mastery: bool) -> None:
    for scheme, level in held:
        issue(world, scheme, level, on=date(2026, 1, 10), expires=date(2031, 1, 10))
    live = [status for status, _ in masteries(world) if status == "active"]
    assert bool(live) == mastery


def test_it_expires_with_the_earlier_and_has_its_own_number(world: World) -> None:
    training = issue(world, "training", on=date(2026, 1, 10), expires=date(2030, 6, 1))
    intervention = issue(
        world, "intervention", "comprehensive", on=date(2026, 2, 1), expires=date(2031, 2, 1)
    )
    mastery = Certificate.objects.for_institution(world.institution_b).get(scheme="mastery")
    assert mastery.expires_on == date(2030, 6, 1)
    assert mastery.number.startswith("RESCUE-MAS-")
    assert set(mastery.based_on.all()) == {training, intervention}


@pytest.mark.parametrize("change", ["suspend", "withdraw"])
def test_it_lapses_when_a_base_stops_being_active(world: World, change: str) -> None:
    training = issue(world, "training", on=date(2026, 1, 10), expires=date(2030, 6, 1))
    issue(world, "intervention", "comprehensive", on=date(2026, 2, 1), expires=date(2031, 2, 1))
    certificate_change(
        certificate=training, user=world.users["admin"], change=change, reason="Complaint"
    )
    assert [status for status, _ in masteries(world)] == ["expired"]
    if change == "suspend":  # reinstated: a new Mastery, its own number
        certificate_change(
            certificate=training, user=world.users["admin"], change="reinstate", reason="Cleared"
        )
        assert [status for status, _ in masteries(world)] == ["expired", "active"]


def test_it_lapses_when_a_base_expires(world: World) -> None:
    issue(world, "training", on=date(2020, 1, 10), expires=date(2025, 1, 10))
    issue(world, "intervention", "comprehensive", on=date(2021, 2, 1), expires=date(2026, 2, 1))
    expired = certificates_expire(today=date(2025, 1, 11))
    assert sorted(number[:10] for number in expired) == ["RESCUE-MAS", "RESCUE-TRA"]
    assert [status for status, _ in masteries(world)] == ["expired"]
    assert certificates_expire(today=date(2025, 1, 11)) == []


def test_a_renewed_base_gives_a_new_mastery_that_supersedes(world: World) -> None:
    training = issue(world, "training", on=date(2026, 1, 10), expires=date(2030, 6, 1))
    issue(world, "intervention", "comprehensive", on=date(2026, 2, 1), expires=date(2031, 2, 1))
    renewed = issue(world, "training", on=date(2030, 1, 10), expires=date(2035, 1, 10))
    old, new = (
        Certificate.objects.for_institution(world.institution_b)
        .filter(scheme="mastery")
        .order_by("pk")
    )
    assert (old.status, old.superseded_by_id) == ("superseded", new.pk)
    assert new.status == "active"
    assert set(new.based_on.values_list("pk", flat=True)) >= {renewed.pk}
    assert training.pk not in set(new.based_on.values_list("pk", flat=True))
