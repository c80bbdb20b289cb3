"""Starting an audit: the page, the API, the pinned catalogue, its standards and the refusals."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import Audit, AuditEvent, PriorCertificationConfirmation, StandardAssessment
from audits.services.applications import audit_create
from institutions.models import Institution
from rescue.errors import ActionRefusedError
from standards.choices import Component
from standards.models import INTERVENTION_LEVEL_FIELDS, SETTING_FIELDS, CatalogueVersion, Standard
from tests.audits.support import (
    active_intervention,
    form_errors,
    free_institution_a,
    page_messages,
    page_text,
    plain_text,
)
from tests.world import World

pytestmark = pytest.mark.django_db

DESIGN_IN_HOSPITAL = {"component": "intervention", "setting": "hospital", "target_level": "design"}


def start_url(institution: Institution) -> str:
    return reverse("institutions:audit_start", args=[institution.pk])


def api_url(institution: Institution) -> str:
    return reverse("institution-audit-create", args=[institution.pk])


def post_page(client: Client, institution: Institution, data: dict[str, Any]) -> Any:
    return client.post(start_url(institution), data)


def post_api(client: Client, institution: Institution, data: dict[str, Any]) -> Any:
    return client.post(api_url(institution), data, content_type="application/json")


def counts() -> tuple[int, int, int]:
    """The institutions' audits, their standards, their "started" events (not the world's
    competences application, which is a person's)."""
    return (
        Audit.unscoped.filter(applicant__isnull=True).count(),
        StandardAssessment.unscoped.filter(audit__applicant__isnull=True).count(),
        AuditEvent.unscoped.filter(
            action=AuditEvent.Action.CREATED, audit__applicant__isnull=True
        ).count(),
    )


def expected_codes(version: CatalogueVersion, setting: str, level: str) -> list[str]:
    """The catalogue's own answer: the standards for that setting and level, in order."""
    standards = Standard.objects.filter(
        catalogue_version=version, **{SETTING_FIELDS[setting]: True}
    )
    if level:
        standards = standards.filter(**{INTERVENTION_LEVEL_FIELDS[level]: True})
    return list(standards.order_by("order").values_list("code", flat=True))


def assessment_codes(audit: Audit) -> list[str]:
    return list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .order_by("standard__order")
        .values_list("standard__code", flat=True)
    )


def the_new_audit(world: World) -> Audit:
    return (
        Audit.objects.for_institution(world.institution_a)
        .exclude(pk__in=[world.audit_a.pk, world.decided_a.pk, world.application_a.pk])
        .select_related("catalogue_version")
        .get()
    )


def assert_started(world: World, audit: Audit, *, level: str = "design") -> None:
    version = active_intervention()
    coordinator = world.users["coordinator_a"]
    assert audit.institution_id == world.institution_a.pk
    assert audit.catalogue_version_id == version.pk
    assert audit.catalogue_version.version == "2026.1"
    assert audit.component == Component.INTERVENTION
    assert (audit.setting, audit.target_level) == ("hospital", level)
    assert audit.status == Audit.Status.DRAFT
    assert audit.created_by == coordinator
    assert not audit.manifest
    assert not audit.manifest_digest

    codes = expected_codes(version, "hospital", level)
    assert codes, "the shipped catalogue has standards for a hospital"
    assert assessment_codes(audit) == codes
    rows = StandardAssessment.objects.for_institution(audit.institution_id).filter(audit=audit)
    assert all(row.institution_id == audit.institution_id for row in rows)
    assert all(row.self_rating == "" and row.narrative == "" for row in rows)

    [event] = AuditEvent.objects.for_institution(audit.institution_id).filter(
        audit=audit, action=AuditEvent.Action.CREATED
    )
    assert event.actor == coordinator
    assert event.actor_email == "coord-a@example.org"
    assert event.details == {"catalogue_version": "2026.1", "standards": len(codes)}


# --- the form -------------------------------------------------------------------------------------


def test_start_page_offers_the_two_institution_components_and_the_institution_setting(
    world: World, catalogue: None
) -> None:
    response = world.client("coordinator_a").get(start_url(world.institution_a))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="component" value="intervention"' in content
    assert 'name="component" value="training"' in content
    assert 'value="competences"' not in content
    assert '<option value="hospital" selected>' in content  # the institution's own setting
    assert 'name="target_level"' in content
    assert counts() == (3, 3, 0)  # a GET starts nothing (the world's three audits)


# --- success --------------------------------------------------------------------------------------


def test_coordinator_starts_a_design_audit_through_the_page(world: World, catalogue: None) -> None:
    free_institution_a(world)
    response = post_page(world.client("coordinator_a"), world.institution_a, DESIGN_IN_HOSPITAL)
    audit = the_new_audit(world)
    assert response.status_code == 302
    assert response.url == reverse("audits:detail", args=[audit.pk])
    assert_started(world, audit)
    # Design is a subset of the catalogue: the level filter really applied.
    assert len(assessment_codes(audit)) < active_intervention().standards.count()
    assert "INT09" not in assessment_codes(audit)  # an Execution-only standard

    dashboard = world.client("coordinator_a").get(response.url)
    assert dashboard.status_code == 200
    assert "The audit is started." in page_messages(dashboard, "success")[0]
    assert f"0 of {len(assessment_codes(audit))} standards ready" in plain_text(dashboard)


def test_coordinator_starts_an_audit_through_the_api(world: World, catalogue: None) -> None:
    free_institution_a(world)
    response = post_api(world.client("coordinator_a"), world.institution_a, DESIGN_IN_HOSPITAL)
    assert response.status_code == 201
    audit = the_new_audit(world)
    body = response.json()
    assert body["id"] == audit.pk
    assert body["institution"] == world.institution_a.pk
    assert body["catalogue_version"] == active_intervention().pk
    assert (body["component"], body["setting"], body["target_level"], body["status"]) == (
        "intervention",
        "hospital",
        "design",
        "draft",
    )
    assert_started(world, audit)


@pytest.mark.parametrize("level", ["execution", "comprehensive"])
def test_each_level_gets_the_standards_of_that_level(
    world: World, catalogue: None, level: str
) -> None:
    free_institution_a(world)
    PriorCertificationConfirmation.objects.create(
        institution=world.institution_a,
        confirmed_by=world.users["admin"],
        confirmed_by_email="admin@example.org",
        reason="Execution certificate RESCUE-I-2025-014",
    )
    response = post_api(
        world.client("coordinator_a"),
        world.institution_a,
        DESIGN_IN_HOSPITAL | {"target_level": level},
    )
    assert response.status_code == 201, response.content
    assert_started(world, the_new_audit(world), level=level)


def test_a_training_audit_has_no_level_and_the_training_standards(
    world: World, catalogue: None
) -> None:
    # The open Intervention audit does not block another component.
    response = post_page(
        world.client("coordinator_a"),
        world.institution_a,
        {"component": "training", "setting": "primary_care", "target_level": "design"},
    )
    assert response.status_code == 302
    audit = the_new_audit(world)
    training = CatalogueVersion.objects.get(component="training", status="active")
    assert audit.catalogue_version == training
    assert (audit.component, audit.setting, audit.target_level) == ("training", "primary_care", "")
    assert assessment_codes(audit) == expected_codes(training, "primary_care", "")
    assert all(code.startswith("TRA") for code in assessment_codes(audit))


# --- refusals: a clear message, 400, nothing created ----------------------------------------------


def assert_refused_on_page(response: Any, message: str) -> None:
    assert response.status_code == 400
    assert message in form_errors(response)
    assert "Start the audit" in response.content.decode()  # the form again, to correct


def assert_refused_by_api(response: Any, message: str) -> None:
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_second_open_audit_of_the_same_component_is_refused(world: World, catalogue: None) -> None:
    before = counts()
    client = world.client("coordinator_a")
    message = "Hospital A already has an open RESCUE-Intervention audit"
    assert_refused_on_page(post_page(client, world.institution_a, DESIGN_IN_HOSPITAL), message)
    assert_refused_by_api(post_api(client, world.institution_a, DESIGN_IN_HOSPITAL), message)
    assert counts() == before


def test_an_audit_just_started_blocks_the_next_one(world: World, catalogue: None) -> None:
    free_institution_a(world)
    client = world.client("coordinator_a")
    assert post_page(client, world.institution_a, DESIGN_IN_HOSPITAL).status_code == 302
    before = counts()
    response = post_page(
        client, world.institution_a, DESIGN_IN_HOSPITAL | {"target_level": "execution"}
    )
    assert_refused_on_page(response, "already has an open RESCUE-Intervention audit")
    assert counts() == before


def test_comprehensive_needs_a_prior_certification_which_an_admin_records(
    world: World, catalogue: None
) -> None:
    free_institution_a(world)
    coordinator = world.client("coordinator_a")
    comprehensive = DESIGN_IN_HOSPITAL | {"target_level": "comprehensive"}
    before = counts()
    message = "The Comprehensive level needs an Execution certification first: an active"
    assert_refused_on_page(post_page(coordinator, world.institution_a, comprehensive), message)
    assert_refused_by_api(post_api(coordinator, world.institution_a, comprehensive), message)
    assert counts() == before

    response = world.client("admin").post(
        reverse("institutions:prior_certification", args=[world.institution_a.pk]),
        {
            "reason": "Execution certificate RESCUE-I-2025-014 of 3 March 2025",
            "valid_until": "2030-03-02",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Execution certification of Hospital A recorded." in page_messages(response, "success")
    assert "Execution certificate RESCUE-I-2025-014 of 3 March 2025" in page_text(response)
    [confirmation] = PriorCertificationConfirmation.objects.for_institution(world.institution_a)
    assert confirmation.confirmed_by == world.users["admin"]
    assert confirmation.confirmed_by_email == "admin@example.org"
    assert f"{confirmation.valid_until}" == "2030-03-02"

    response = post_page(coordinator, world.institution_a, comprehensive)
    assert response.status_code == 302
    assert_started(world, the_new_audit(world), level="comprehensive")


def test_a_confirmation_for_another_institution_does_not_count(
    world: World, catalogue: None
) -> None:
    free_institution_a(world)
    PriorCertificationConfirmation.objects.create(
        institution=world.institution_b,
        confirmed_by=world.users["admin"],
        confirmed_by_email="admin@example.org",
        reason="Practice B's certificate",
    )
    before = counts()
    response = post_api(
        world.client("coordinator_a"),
        world.institution_a,
        DESIGN_IN_HOSPITAL | {"target_level": "comprehensive"},
    )
    assert_refused_by_api(response, "needs an Execution certification first")
    assert counts() == before


@pytest.mark.parametrize("level", ["", None])
def test_intervention_without_a_level_is_refused(
    world: World, catalogue: None, level: str | None
) -> None:
    free_institution_a(world)
    data = {"component": "intervention", "setting": "hospital"}
    if level is not None:
        data["target_level"] = level
    before = counts()
    client = world.client("coordinator_a")
    message = "Choose the Intervention level applied for."
    assert_refused_on_page(post_page(client, world.institution_a, data), message)
    assert_refused_by_api(post_api(client, world.institution_a, data), message)
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (DESIGN_IN_HOSPITAL | {"component": "audiology"}, "component"),
        (DESIGN_IN_HOSPITAL | {"setting": "space_station"}, "setting"),
        (DESIGN_IN_HOSPITAL | {"target_level": "expert"}, "target_level"),
        ({"setting": "hospital", "target_level": "design"}, "component"),
    ],
    ids=["unknown-component", "unknown-setting", "unknown-level", "no-component"],
)
def test_unknown_choices_are_form_and_serializer_errors(
    world: World, catalogue: None, data: dict[str, str], field: str
) -> None:
    free_institution_a(world)
    before = counts()
    client = world.client("coordinator_a")

    page = post_page(client, world.institution_a, data)
    assert page.status_code == 400
    assert page.context["form"].errors.keys() == {field}
    assert 'class="field has-error"' in page.content.decode()

    api = post_api(client, world.institution_a, data)
    assert api.status_code == 400
    assert api.json().keys() == {field}
    assert counts() == before


def test_competences_are_not_applied_for_by_institutions(world: World, catalogue: None) -> None:
    free_institution_a(world)
    before = counts()
    client = world.client("coordinator_a")
    data = {"component": "competences", "setting": "hospital", "target_level": ""}

    page = post_page(client, world.institution_a, data)
    assert page.status_code == 400
    assert "competences is not one of the available choices" in form_errors(page)

    api = post_api(client, world.institution_a, data)
    assert api.status_code == 400
    assert api.json() == {"component": ['"competences" is not a valid choice.']}

    # The service refuses it too, with the reason, whoever calls it.
    with pytest.raises(ActionRefusedError, match="applied for by the individual supporter"):
        audit_create(
            institution=world.institution_a,
            user=world.users["coordinator_a"],
            component="competences",
            setting="hospital",
        )
    assert counts() == before


def test_no_active_catalogue_is_a_clear_refusal(world: World) -> None:
    free_institution_a(world)  # the world's catalogue versions are all drafts
    before = counts()
    response = post_page(world.client("coordinator_a"), world.institution_a, DESIGN_IN_HOSPITAL)
    assert_refused_on_page(response, "No RESCUE-Intervention catalogue is active yet.")
    assert counts() == before


def test_contributor_cannot_start_an_audit_even_through_the_service(
    world: World, catalogue: None
) -> None:
    free_institution_a(world)
    before = counts()
    with pytest.raises(PermissionError):
        audit_create(
            institution=world.institution_a,
            user=world.users["contributor_a"],
            component="intervention",
            setting="hospital",
            target_level="design",
        )
    assert counts() == before


# --- the admin's prior-certification form ---------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_prior_certification_needs_a_reason(world: World, reason: str) -> None:
    response = world.client("admin").post(
        reverse("institutions:prior_certification", args=[world.institution_a.pk]),
        {"reason": reason, "valid_until": "2030-03-02"},
        follow=True,
    )
    assert response.redirect_chain == [
        (reverse("institutions:detail", args=[world.institution_a.pk]), 302)
    ]
    assert page_messages(response, "error") == [
        "Record what the confirmation rests on and the date it is valid until."
    ]
    assert page_messages(response, "success") == []
    assert not PriorCertificationConfirmation.unscoped.exists()
    assert "None recorded." in page_text(response)


# --- the institution page -------------------------------------------------------------------------


def test_start_button_is_shown_to_the_coordinator_only(world: World) -> None:
    url = reverse("institutions:detail", args=[world.institution_a.pk])
    button = f'href="{start_url(world.institution_a)}">Start an audit</a>'

    coordinator_page = world.client("coordinator_a").get(url)
    assert coordinator_page.status_code == 200
    assert button in coordinator_page.content.decode()

    contributor_page = world.client("contributor_a").get(url)
    assert contributor_page.status_code == 200
    assert "Hospital A" in contributor_page.content.decode()
    assert "Start an audit" not in contributor_page.content.decode()
    assert start_url(world.institution_a) not in contributor_page.content.decode()
