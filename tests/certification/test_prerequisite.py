"""A Comprehensive-level Intervention audit rests on an active Execution certificate issued in
the product; the admin's manual confirmation stands in only for a certificate from before RESCUE
Audit, and only while it is valid. A decided audit no longer blocks the next application."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, PriorCertificationConfirmation
from audits.services.applications import audit_create
from certification.models import Certificate, Scheme
from certification.services import certificate_change, certificate_issue
from certification.standing import execution_basis
from rescue.errors import ActionRefusedError
from standards.choices import Component, Setting
from tests.audits.support import free_institution_a, page_messages, start_audit
from tests.world import World

pytestmark = pytest.mark.django_db


def issue(world: World, institution_id: int, level: str, **extra: object) -> Certificate:
    return certificate_issue(
        institution_id=institution_id,
        scheme=Scheme.INTERVENTION,
        setting=Setting.HOSPITAL,
        level=level,
        user=world.users["admin"],
        **extra,  # type: ignore[arg-type]
    )


def comprehensive(world: World) -> Audit:
    return start_audit(world.institution_a, world.users["coordinator_a"], "comprehensive")


@pytest.mark.parametrize(
    ("level", "change", "counts"),
    [
        ("execution", None, True),
        ("comprehensive", None, True),  # a renewal of Comprehensive rests on itself
        ("design", None, False),
        ("execution", "suspend", False),
        ("execution", "withdraw", False),
    ],
)
def test_a_certificate_issued_here_is_the_basis(
    world: World, catalogue: None, level: str, change: str | None, counts: bool
) -> None:
    free_institution_a(world)
    certificate = issue(world, world.institution_a.pk, level)
    if change:
        certificate_change(
            certificate=certificate, user=world.users["admin"], change=change, reason="Test"
        )
    if counts:
        audit = comprehensive(world)
        assert audit.target_level == "comprehensive"
        basis = execution_basis(world.institution_a.pk)
        assert basis is not None
        assert basis.certificate == certificate
        assert certificate.number in basis.label
    else:
        with pytest.raises(ActionRefusedError, match="an active RESCUE-Intervention certificate"):
            comprehensive(world)


def test_an_expired_or_another_institutions_certificate_does_not_count(
    world: World, catalogue: None
) -> None:
    free_institution_a(world)
    long_ago = timezone.localdate() - timedelta(days=6 * 365)
    issue(world, world.institution_a.pk, "execution", issued_on=long_ago)  # past its validity
    issue(world, world.institution_b.pk, "execution")
    assert execution_basis(world.institution_a.pk) is None
    with pytest.raises(ActionRefusedError, match="needs an Execution certification first"):
        comprehensive(world)


def test_a_confirmation_counts_only_while_the_old_certificate_is_valid(
    world: World, catalogue: None
) -> None:
    free_institution_a(world)
    today = timezone.localdate()
    confirmation = PriorCertificationConfirmation.objects.create(
        institution=world.institution_a,
        confirmed_by=world.users["admin"],
        confirmed_by_email="admin@example.org",
        reason="Paper certificate INT-2024-7",
        valid_until=today - timedelta(days=1),
    )
    assert execution_basis(world.institution_a.pk) is None
    confirmation.valid_until = today
    confirmation.save()
    basis = execution_basis(world.institution_a.pk)
    assert basis is not None
    assert basis.confirmation == confirmation
    assert "issued before RESCUE Audit" in basis.label
    assert comprehensive(world).target_level == "comprehensive"


def test_the_admin_cannot_record_a_certificate_no_longer_valid(world: World) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    response = world.client("admin").post(
        reverse("institutions:prior_certification", args=[world.institution_a.pk]),
        {"reason": "Paper certificate", "valid_until": f"{yesterday}"},
        follow=True,
    )
    assert page_messages(response, "error") == [
        "That certificate is no longer valid: it cannot count."
    ]
    assert not PriorCertificationConfirmation.unscoped.exists()


def test_the_institution_page_says_the_record_is_for_certificates_from_before(
    world: World,
) -> None:
    response = world.client("admin").get(
        reverse("institutions:detail", args=[world.institution_a.pk])
    )
    text = response.content.decode()
    assert "Execution certificate issued before RESCUE Audit" in text
    assert "only for an Execution certificate issued before RESCUE Audit existed" in text


def test_a_decided_audit_does_not_block_the_next_application(world: World, catalogue: None) -> None:
    Audit.unscoped.filter(pk=world.audit_a.pk).update(status=Audit.Status.DECIDED)
    audit = audit_create(
        institution=world.institution_a,
        user=world.users["coordinator_a"],
        component=Component.INTERVENTION,
        setting=Setting.HOSPITAL,
        target_level="design",
    )
    assert audit.status == Audit.Status.DRAFT
