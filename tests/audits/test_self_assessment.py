"""The self-assessment of a standard: rating, narrative, justification, assignees, look-back."""

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.assessments import assessment_assignees_set, assessment_self_rate
from rescue.errors import ActionRefusedError
from tests.audits.support import form_errors, page_messages, page_text, plain_text
from tests.world import World

pytestmark = pytest.mark.django_db

NARRATIVE = "The peer support policy was approved by the board in March 2025."


def rate_url(world: World, assessment: StandardAssessment) -> str:
    return reverse("audits:standard_rate", args=[world.audit_a.pk, assessment.standard.code])


def standard_url(world: World, assessment: StandardAssessment) -> str:
    return reverse("audits:standard", args=[world.audit_a.pk, assessment.standard.code])


def api_url(world: World, assessment: StandardAssessment) -> str:
    return reverse("audit-standard-rate", args=[world.audit_a.pk, assessment.standard.code])


def assignees_url(world: World, assessment: StandardAssessment) -> str:
    return reverse("audits:standard_assignees", args=[world.audit_a.pk, assessment.standard.code])


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


def fresh(assessment: StandardAssessment) -> StandardAssessment:
    return StandardAssessment.objects.for_institution(assessment.institution_id).get(
        pk=assessment.pk
    )


def state(assessment: StandardAssessment) -> dict[str, Any]:
    """The assessment's row and assignees, and the audit's events, for before/after checks."""
    row = (
        StandardAssessment.objects.for_institution(assessment.institution_id)
        .filter(pk=assessment.pk)
        .values()
        .get()
    )
    return {
        "row": row,
        "assignees": set(fresh(assessment).assignees.values_list("pk", flat=True)),
        "events": list(
            AuditEvent.objects.for_institution(assessment.institution_id)
            .filter(audit_id=assessment.audit_id)
            .values_list("pk", flat=True)
        ),
    }


def self_rated_events(assessment: StandardAssessment) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_institution(assessment.institution_id)
        .filter(audit_id=assessment.audit_id, action=AuditEvent.Action.SELF_RATED)
        .order_by("pk")
    )


def save_met(world: World, assessment: StandardAssessment) -> None:
    """A rating saved earlier, which refused changes must leave as it is."""
    assessment_self_rate(
        assessment=fresh(assessment),
        user=world.users["coordinator_a"],
        self_rating="met",
        narrative=NARRATIVE,
    )


# --- saving ---------------------------------------------------------------------------------------


def test_coordinator_saves_a_rating_through_the_page(world: World) -> None:
    assessment = world.assessment_a2
    client = world.client("coordinator_a")
    response = client.post(
        rate_url(world, assessment),
        {"self_rating": "partially_met", "narrative": f"  {NARRATIVE}\n", "justification": ""},
    )
    assert response.status_code == 302
    assert response.url == standard_url(world, assessment)

    saved = fresh(assessment)
    assert saved.self_rating == StandardAssessment.Rating.PARTIALLY_MET
    assert saved.narrative == NARRATIVE  # trimmed
    assert saved.justification == ""
    assert saved.updated_by == world.users["coordinator_a"]

    [event] = self_rated_events(assessment)
    assert event.actor_email == "coord-a@example.org"
    assert event.object_label == f"{assessment.standard.code} {assessment.standard.title}"
    assert event.details == {"rating": "partially_met"}

    page = client.get(response.url)
    code = assessment.standard.code
    assert page_messages(page, "success") == [f"Self-assessment of {code} saved."]
    content = page.content.decode()
    assert 'value="partially_met" required id="id_self_rating_1" checked' in content
    assert NARRATIVE in page_text(page)


def test_coordinator_saves_a_rating_through_the_api(world: World) -> None:
    assessment = world.assessment_a2
    response = patch(
        world.client("coordinator_a"),
        api_url(world, assessment),
        {"self_rating": "met", "narrative": NARRATIVE},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == assessment.standard.code
    assert (body["self_rating"], body["narrative"], body["justification"]) == ("met", NARRATIVE, "")
    # Met needs evidence: the answer says what is still missing.
    assert body["complete"] is False
    assert body["problems"] == ["no evidence file"]
    assert body["file_count"] == 0

    saved = fresh(assessment)
    assert (saved.self_rating, saved.narrative) == ("met", NARRATIVE)
    assert saved.updated_by == world.users["coordinator_a"]
    [event] = self_rated_events(assessment)
    assert event.actor == world.users["coordinator_a"]
    assert event.details == {"rating": "met"}


def test_a_later_save_replaces_the_earlier_one_and_is_recorded_again(world: World) -> None:
    assessment = world.assessment_a2
    client = world.client("coordinator_a")
    patch(client, api_url(world, assessment), {"self_rating": "met", "narrative": NARRATIVE})
    response = patch(
        client,
        api_url(world, assessment),
        {"self_rating": "not_applicable", "justification": "No night shifts in this unit."},
    )
    assert response.status_code == 200
    assert response.json()["complete"] is True  # not applicable needs no file
    saved = fresh(assessment)
    assert saved.self_rating == "not_applicable"
    assert saved.justification == "No night shifts in this unit."
    assert saved.narrative == ""  # the save is the whole self-assessment
    assert [e.details["rating"] for e in self_rated_events(assessment)] == [
        "met",
        "not_applicable",
    ]


def test_not_applicable_with_a_justification_is_saved_and_shown(world: World) -> None:
    assessment = world.assessment_a2
    client = world.client("coordinator_a")
    response = client.post(
        rate_url(world, assessment),
        {"self_rating": "not_applicable", "justification": "No emergency department."},
        follow=True,
    )
    assert response.status_code == 200
    saved = fresh(assessment)
    assert (saved.self_rating, saved.justification) == (
        "not_applicable",
        "No emergency department.",
    )
    assert "No emergency department." in page_text(response)
    # Nothing more is needed for this standard.
    assert '<p class="badge badge-done">Ready</p>' in response.content.decode()


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("justification", ["", "   "])
def test_not_applicable_without_justification_is_refused_on_the_page(
    world: World, justification: str
) -> None:
    assessment = world.assessment_a2
    save_met(world, assessment)
    before = state(assessment)
    response = world.client("coordinator_a").post(
        rate_url(world, assessment),
        {"self_rating": "not_applicable", "narrative": "", "justification": justification},
    )
    assert response.status_code == 400
    assert "Say why the standard does not apply." in form_errors(response)
    assert state(assessment) == before
    assert fresh(assessment).self_rating == "met"
    assert fresh(assessment).narrative == NARRATIVE


@pytest.mark.parametrize("justification", ["", "   ", None])
def test_not_applicable_without_justification_is_refused_by_the_api(
    world: World, justification: str | None
) -> None:
    assessment = world.assessment_a2
    save_met(world, assessment)
    before = state(assessment)
    data = {"self_rating": "not_applicable"}
    if justification is not None:
        data["justification"] = justification
    response = patch(world.client("coordinator_a"), api_url(world, assessment), data)
    assert response.status_code == 400
    assert response.json() == {"detail": "Say why the standard does not apply to your institution."}
    assert state(assessment) == before


def test_the_service_and_the_database_refuse_an_unjustified_not_applicable(world: World) -> None:
    assessment = fresh(world.assessment_a2)
    with pytest.raises(ActionRefusedError, match="Say why"):
        assessment_self_rate(
            assessment=assessment,
            user=world.users["coordinator_a"],
            self_rating="not_applicable",
            justification="  ",
        )
    with (
        pytest.raises(IntegrityError, match="assessment_not_applicable_justified"),
        transaction.atomic(),
    ):
        StandardAssessment.objects.for_institution(world.institution_a).filter(
            pk=assessment.pk
        ).update(self_rating="not_applicable", justification="")


@pytest.mark.parametrize("rating", ["excellent", "MET", "", None])
def test_an_invalid_rating_changes_nothing(world: World, rating: str | None) -> None:
    assessment = world.assessment_a2
    save_met(world, assessment)
    before = state(assessment)
    data = {"narrative": "Overwritten?"}
    if rating is not None:
        data["self_rating"] = rating
    client = world.client("coordinator_a")

    page = client.post(rate_url(world, assessment), data)
    assert page.status_code == 400
    assert page.context["rating_form"].errors.keys() == {"self_rating"}
    assert state(assessment) == before

    api = patch(client, api_url(world, assessment), data)
    assert api.status_code == 400
    assert api.json().keys() == {"self_rating"}
    assert state(assessment) == before


# --- the contributor ------------------------------------------------------------------------------


def test_contributor_rates_their_assigned_standard(world: World) -> None:
    assessment = world.assessment_a
    client = world.client("contributor_a")
    assert client.get(standard_url(world, assessment)).status_code == 200

    response = client.post(rate_url(world, assessment), {"self_rating": "not_met"})
    assert response.status_code == 302
    assert fresh(assessment).self_rating == "not_met"
    assert fresh(assessment).updated_by == world.users["contributor_a"]

    response = patch(client, api_url(world, assessment), {"self_rating": "met", "narrative": "x"})
    assert response.status_code == 200
    assert (fresh(assessment).self_rating, fresh(assessment).narrative) == ("met", "x")
    assert [e.actor_email for e in self_rated_events(assessment)] == ["contrib-a@example.org"] * 2


def test_contributor_gets_404_for_a_standard_not_assigned_to_them(world: World) -> None:
    assessment = world.assessment_a2
    save_met(world, assessment)
    before = state(assessment)
    client = world.client("contributor_a")
    assert client.get(standard_url(world, assessment)).status_code == 404
    assert client.post(rate_url(world, assessment), {"self_rating": "not_met"}).status_code == 404
    response = patch(client, api_url(world, assessment), {"self_rating": "not_met"})
    assert response.status_code == 404
    assert state(assessment) == before
    # Nor is it listed for them.
    listed = client.get(reverse("audit-standards", args=[world.audit_a.pk])).json()
    codes = [s["code"] for s in listed["results"]]
    assert codes == [world.assessment_a.standard.code]


# --- assignees ------------------------------------------------------------------------------------


def test_coordinator_assigns_a_member_who_then_reaches_the_standard(world: World) -> None:
    assessment = world.assessment_a2
    contributor = world.users["contributor_a"]
    response = world.client("coordinator_a").post(
        assignees_url(world, assessment), {"assignees": [contributor.pk]}
    )
    assert response.status_code == 302
    assert response.url == standard_url(world, assessment)
    assert list(fresh(assessment).assignees.all()) == [contributor]
    [event] = AuditEvent.objects.for_institution(world.institution_a).filter(
        action=AuditEvent.Action.ASSIGNEES_CHANGED
    )
    assert event.object_label == assessment.standard.code
    assert event.details == {"assignees": ["contrib-a@example.org"]}

    client = world.client("contributor_a")
    assert client.get(standard_url(world, assessment)).status_code == 200
    assert client.post(rate_url(world, assessment), {"self_rating": "met"}).status_code == 302
    assert fresh(assessment).self_rating == "met"


def test_unassigning_everyone_takes_the_standard_away_from_the_contributor(world: World) -> None:
    assessment = world.assessment_a
    response = world.client("coordinator_a").post(assignees_url(world, assessment), {})
    assert response.status_code == 302
    assert not fresh(assessment).assignees.exists()
    assert world.client("contributor_a").get(standard_url(world, assessment)).status_code == 404


@pytest.mark.parametrize("outsider", ["coordinator_b", "auditor_assigned", "admin"])
def test_assigning_a_non_member_is_refused_and_changes_nothing(world: World, outsider: str) -> None:
    assessment = world.assessment_a
    before = state(assessment)
    response = world.client("coordinator_a").post(
        assignees_url(world, assessment),
        {"assignees": [world.users["contributor_a"].pk, world.users[outsider].pk]},
    )
    assert response.status_code == 400
    assert page_messages(response, "error") == ["Choose members of the institution."]
    assert state(assessment) == before
    assert list(fresh(assessment).assignees.all()) == [world.users["contributor_a"]]


def test_assigning_an_unknown_user_id_is_refused(world: World) -> None:
    assessment = world.assessment_a
    before = state(assessment)
    response = world.client("coordinator_a").post(
        assignees_url(world, assessment), {"assignees": [987654321]}
    )
    assert response.status_code == 400
    assert state(assessment) == before


def test_the_service_names_the_outsider(world: World) -> None:
    assessment = fresh(world.assessment_a)
    before = state(assessment)
    with pytest.raises(
        ActionRefusedError, match="Not a coordinator or contributor of the institution: coord-b@"
    ):
        assessment_assignees_set(
            assessment=assessment,
            user=world.users["coordinator_a"],
            assignees=[world.users["coordinator_b"]],
        )
    assert state(assessment) == before


# --- the look-back window -------------------------------------------------------------------------


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def test_look_back_window_is_shown_on_the_standard_page_and_the_dashboard(world: World) -> None:
    version = world.audit_a.catalogue_version
    version.lookback_years = 2
    version.save(update_fields=["lookback_years"])
    start = years_before(timezone.localdate(), 2)
    shown = f"{start.day} {start:%B %Y}"
    client = world.client("contributor_a")

    standard = plain_text(client.get(standard_url(world, world.assessment_a)))
    assert f"Look-back window: since {shown}." in standard

    dashboard = plain_text(client.get(reverse("audits:detail", args=[world.audit_a.pk])))
    assert (
        f"Look-back window: evidence should cover what was designed or done since {shown} "
        "(2 years before today)." in dashboard
    )


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        # Half past midnight in Brussels on 1 March: still 28 February in UTC.
        (datetime.datetime(2026, 2, 28, 23, 30, tzinfo=datetime.UTC), "1 March 2023"),
        # A leap day: three years before is the 28th.
        (datetime.datetime(2028, 2, 29, 10, 0, tzinfo=datetime.UTC), "28 February 2025"),
    ],
)
def test_after_submission_the_window_counts_back_from_the_submission_day(
    world: World, submitted: datetime.datetime, expected: str
) -> None:
    Audit.objects.for_institution(world.institution_a).filter(pk=world.audit_a.pk).update(
        status=Audit.Status.SUBMITTED, submitted_at=submitted
    )
    dashboard = plain_text(
        world.client("coordinator_a").get(reverse("audits:detail", args=[world.audit_a.pk]))
    )
    local = timezone.localtime(submitted)
    assert f"submitted {local.day} {local:%b %Y, %H:%M}" in dashboard
    assert f"since {expected} (3 years before submission)." in dashboard
    standard = plain_text(
        world.client("coordinator_a").get(standard_url(world, world.assessment_a))
    )
    assert f"Look-back window: since {expected}." in standard
