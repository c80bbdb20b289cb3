"""Forming the review team: places, refusals with their reasons, answers, withdrawal, replacement,
and access that follows the team at once."""

import pytest
from django.urls import reverse

from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from auditors.services import conflict_declare
from audits.models import Audit, AuditEvent
from audits.permissions import AuditAction, audit_policy
from audits.services.closure import audit_close
from institutions.models import Membership
from rescue.errors import ActionRefusedError
from reviews.models import AuditorAssignment, AuditorRating
from reviews.services.team import (
    assignment_accept,
    assignment_decline,
    assignment_withdraw,
    team_assign,
)
from standards.choices import Component
from tests.audits.support import form_errors, plain_text
from tests.factories import AuditFactory, UserFactory
from tests.factories.reviews import review_place_grant
from tests.reviews.conftest import Review, qualify

pytestmark = pytest.mark.django_db
State = AuditorAssignment.State


def events(review: Review) -> list[str]:
    return list(
        AuditEvent.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_the_admin_forms_a_team_and_the_first_acceptance_starts_the_review(
    review: Review,
) -> None:
    client = review.client(review.admin)
    response = client.post(
        review.url("reviews:team_assign"),
        {"auditor": review.lead.pk, "role": "lead", "due_on": "2099-01-31"},
    )
    assert response.status_code == 302, form_errors(response)
    place = review.place(review.lead)
    assert (place.role, place.state, str(place.due_on)) == ("lead", "invited", "2099-01-31")
    assert review.lead.has_perm("audits.review_audit", review.audit)
    assert review.reload().status == Audit.Status.SUBMITTED  # invited, not yet accepted
    # The second auditor shares the team's due date.
    team_assign(audit=review.audit, auditor=review.second, role="second", assigned_by=review.admin)
    assert str(review.place(review.second).due_on) == "2099-01-31"

    response = review.client(review.lead).post(
        reverse("reviews:invitation_accept", args=[place.pk])
    )
    assert response.status_code == 302
    assert review.reload().status == Audit.Status.IN_REVIEW
    assert events(review)[-3:] == ["auditor_assigned", "auditor_assigned", "auditor_accepted"]
    # Answering twice is out of order: a clear 400.
    again = review.client(review.lead).post(reverse("reviews:invitation_accept", args=[place.pk]))
    assert again.status_code == 400
    assert "already answered" in plain_text(again)


def test_a_dossier_in_preparation_gets_no_team(review: Review) -> None:
    draft = review.world.audit_a
    response = review.client(review.admin).post(
        reverse("reviews:team_assign", args=[draft.pk]),
        {"auditor": review.stranger.pk, "role": "lead"},
    )
    assert response.status_code == 400
    assert "still in preparation" in form_errors(response)


def test_a_declared_conflict_refuses_the_place_with_its_reason(review: Review) -> None:
    conflict_declare(
        auditor=review.stranger,
        institution=review.world.institution_a,
        reason="Worked there until 2024",
    )
    client = review.client(review.admin)
    page = plain_text(client.get(review.url("reviews:team")))
    assert "declared a conflict of interest with Hospital A" in page
    response = client.post(
        review.url("reviews:team_assign"), {"auditor": review.stranger.pk, "role": "lead"}
    )
    assert response.status_code == 400
    assert "Worked there until 2024" in form_errors(response)
    # No override can lift it.
    with pytest.raises(ActionRefusedError, match="conflict of interest"):
        team_assign(
            audit=review.audit,
            auditor=review.stranger,
            role="lead",
            assigned_by=review.admin,
            override_reason="We have no one else",
        )


def test_a_member_of_the_institution_is_refused(review: Review) -> None:
    Membership.objects.create(
        user=review.stranger, institution=review.world.institution_a, role="contributor"
    )
    with pytest.raises(ActionRefusedError, match="is a member of Hospital A"):
        team_assign(
            audit=review.audit, auditor=review.stranger, role="lead", assigned_by=review.admin
        )


def test_an_unqualified_auditor_needs_an_override_that_is_recorded(review: Review) -> None:
    qualify(review.stranger, Component.COMPETENCES)
    client = review.client(review.admin)
    refused = client.post(
        review.url("reviews:team_assign"), {"auditor": review.stranger.pk, "role": "lead"}
    )
    assert refused.status_code == 400
    assert "not qualified for RESCUE-Training" in form_errors(refused)
    assert "reason for the override" in form_errors(refused)
    response = client.post(
        review.url("reviews:team_assign"),
        {
            "auditor": review.stranger.pk,
            "role": "lead",
            "override_reason": "Trainer of trainers since 2019",
        },
    )
    assert response.status_code == 302
    place = review.place(review.stranger)
    assert place.qualification_override == "Trainer of trainers since 2019"
    event = AuditEvent.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit, action="auditor_assigned"
    )
    assert event.details["qualification_override"] == "Trainer of trainers since 2019"
    # The admin sees the override on the team page; the institution does not.
    assert "Trainer of trainers" in plain_text(client.get(review.url("reviews:team")))
    coordinator = review.client(review.world.users["coordinator_a"])
    assert "Trainer of trainers" not in plain_text(coordinator.get(review.url("reviews:team")))


@pytest.mark.parametrize(
    ("setup", "role", "message"),
    [
        ((), "second", "Assign the lead auditor first"),
        (("lead",), "lead", "holds the lead auditor place"),
    ],
)
def test_places_are_taken_in_order(
    review: Review, setup: tuple[str, ...], role: str, message: str
) -> None:
    if setup:
        team_assign(audit=review.audit, auditor=review.lead, role="lead", assigned_by=review.admin)
    with pytest.raises(ActionRefusedError, match=message):
        team_assign(audit=review.audit, auditor=review.second, role=role, assigned_by=review.admin)


def test_the_same_auditor_cannot_hold_both_places(review: Review) -> None:
    team_assign(audit=review.audit, auditor=review.lead, role="lead", assigned_by=review.admin)
    with pytest.raises(ActionRefusedError, match="already on this audit's team"):
        team_assign(
            audit=review.audit, auditor=review.lead, role="second", assigned_by=review.admin
        )


def test_declining_frees_the_place_ends_access_at_once_and_tells_the_admin_why(
    review: Review,
) -> None:
    review.form_team(second=False, accept=False)
    place = review.place(review.lead)
    client = review.client(review.lead)
    assert client.get(review.url("reviews:overview")).status_code == 200
    page = client.get(reverse("reviews:invitation_decline", args=[place.pk]))
    assert page.status_code == 200
    empty = client.post(reverse("reviews:invitation_decline", args=[place.pk]), {"reason": " "})
    assert empty.status_code == 400
    response = client.post(
        reverse("reviews:invitation_decline", args=[place.pk]),
        {"reason": "On leave until March"},
    )
    assert response.status_code == 302
    for name in ("reviews:overview", "audits:detail", "reviews:team"):
        assert client.get(review.url(name)).status_code == 404, name
    assert not review.lead.has_perm("audits.review_audit", review.audit)
    admin_page = plain_text(review.client(review.admin).get(review.url("reviews:team")))
    assert "On leave until March" in admin_page
    institution_page = plain_text(
        review.client(review.world.users["coordinator_a"]).get(review.url("reviews:team"))
    )
    assert "On leave" not in institution_page
    # The place is free again.
    team_assign(audit=review.audit, auditor=review.second, role="lead", assigned_by=review.admin)


def test_only_the_invited_auditor_answers(review: Review) -> None:
    review.form_team(second=False, accept=False)
    place = review.place(review.lead)
    for user in (review.second, review.admin, review.world.users["coordinator_a"]):
        response = review.client(user).post(reverse("reviews:invitation_accept", args=[place.pk]))
        assert response.status_code == 404
    with pytest.raises(ActionRefusedError):
        assignment_accept(assignment=place, user=review.second)
    with pytest.raises(ActionRefusedError):
        assignment_decline(assignment=place, user=review.second, reason="not mine")


def test_withdrawal_ends_access_at_once_and_keeps_the_ratings_attributed(review: Review) -> None:
    review.form_team()
    review.rate(review.second, {review.codes[0]: "partially_met"}, text="Second's rationale")
    place = review.place(review.second)
    client = review.client(review.second)
    assert client.get(review.url("reviews:standard", review.codes[0])).status_code == 200
    confirm = review.client(review.admin).get(review.url("reviews:team_withdraw", place.pk))
    assert "ratings they gave stay" in plain_text(confirm)
    review.client(review.admin).post(review.url("reviews:team_withdraw", place.pk))
    for name, args in (
        ("reviews:standard", [review.codes[0]]),
        ("reviews:overview", []),
        ("audits:detail", []),
    ):
        assert client.get(review.url(name, *args)).status_code == 404
    kept = AuditorRating.objects.for_institution(review.audit.institution_id).get(assignment=place)
    assert kept.rationale == f"Second's rationale on {review.codes[0]}"
    assert kept.assignment.auditor_email == review.second.email
    assert kept.assignment.state == State.WITHDRAWN


def test_replacing_an_auditor_gives_their_place_to_another(review: Review) -> None:
    review.form_team()
    old = review.place(review.second)
    response = review.client(review.admin).post(
        review.url("reviews:team_assign"),
        {"auditor": review.stranger.pk, "role": "lead", "replacing": old.pk},
    )
    assert response.status_code == 302, form_errors(response)
    old.refresh_from_db()
    assert (old.state, old.end_reason) == (State.WITHDRAWN, "replaced")
    new = review.place(review.stranger)
    assert (new.role, new.state) == ("second", "invited")  # the replaced auditor's place
    assert not review.second.has_perm("audits.review_audit", review.audit)
    assert review.stranger.has_perm("audits.review_audit", review.audit)


def test_a_conflict_declared_later_ends_the_place(review: Review) -> None:
    review.form_team()
    conflict_declare(
        auditor=review.second,
        institution=review.world.institution_a,
        reason="My sister works there",
    )
    assert not audit_policy.can(review.second, AuditAction.VIEW, review.audit)
    assert review.place(review.lead).is_active


def test_closing_the_audit_ends_every_place(review: Review) -> None:
    review.form_team()
    audit_close(audit=review.audit, closed_by=review.admin)
    assert not (
        AuditorAssignment.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit, ended_at__isnull=True)
        .exists()
    )
    for user in (review.lead, review.second):
        assert review.client(user).get(review.url("reviews:overview")).status_code == 404
    with pytest.raises(ActionRefusedError, match="can no longer change"):
        team_assign(audit=review.audit, auditor=review.lead, role="lead", assigned_by=review.admin)


def test_withdrawing_twice_is_refused(review: Review) -> None:
    review.form_team(second=False)
    place = review.place(review.lead)
    assignment_withdraw(assignment=place, ended_by=review.admin)
    with pytest.raises(ActionRefusedError, match="no longer on the team"):
        assignment_withdraw(assignment=place, ended_by=review.admin)


def test_the_candidate_list_shows_workload_qualifications_and_conflicts(review: Review) -> None:
    review.form_team(second=False)
    conflict_declare(
        auditor=review.stranger, institution=review.world.institution_a, reason="Former employer"
    )
    page = plain_text(review.client(review.admin).get(review.url("reviews:team")))
    assert "Candidates" in page
    assert "On the team" in page  # the lead
    assert "declared a conflict of interest with Hospital A" in page
    assert "RESCUE-Intervention, RESCUE-Training" in page


def test_the_candidate_list_reads_in_constant_queries(
    review: Review, django_assert_max_num_queries: object
) -> None:

    client = review.client(review.admin)
    client.get(review.url("reviews:team"))
    group = platform_groups_ensure()[AUDITORS]
    for n in range(20):
        user = UserFactory(email=f"pool-{n}@example.org")
        user.groups.add(group)
        qualify(user, Component.TRAINING)
        conflict_declare(auditor=user, institution=review.world.institution_b, reason="Elsewhere")
    with django_assert_max_num_queries(MAX_TEAM_PAGE):  # type: ignore[operator]
        response = client.get(review.url("reviews:team"))
    assert response.status_code == 200


MAX_TEAM_PAGE = 24


def test_each_auditors_load_counts_their_current_places_only(review: Review) -> None:
    """The candidate list's open reviews are the places on audits submitted or in review; the
    pool's open audits, the places on audits not closed. Ended places count nowhere."""
    client = review.client(review.admin)

    def load() -> tuple[dict[str, int], dict[str, int]]:
        candidates = client.get(review.url("reviews:team")).context["candidates"]
        pool = client.get(reverse("auditors:pool")).context["list"].page.object_list
        return (
            {c.user.email: c.user.open_reviews for c in candidates},
            {auditor.email: auditor.active_assignments for auditor in pool},
        )

    reviews_before, open_before = load()
    review.form_team()
    decided = AuditFactory(
        institution=review.world.institution_b,
        catalogue_version=review.audit.catalogue_version,
        status=Audit.Status.DECIDED,
    )
    review_place_grant(audit=decided, auditor=review.lead, assigned_by=review.admin)
    withdrawn = AuditFactory(
        institution=review.world.institution_b,
        catalogue_version=review.audit.catalogue_version,
        status=Audit.Status.IN_REVIEW,
    )
    place = review_place_grant(audit=withdrawn, auditor=review.lead, assigned_by=review.admin)
    assignment_withdraw(assignment=place, ended_by=review.admin)

    reviews, open_audits = load()
    lead, second, stranger = review.lead.email, review.second.email, review.stranger.email
    # this audit's review counts; the decided audit is no review, the withdrawn place nothing
    assert reviews[lead] == reviews_before[lead] + 1
    assert reviews[second] == reviews_before[second] + 1
    assert reviews[stranger] == reviews_before[stranger] == 0
    assert open_audits[lead] == open_before[lead] + 2  # in review and decided
    assert open_audits[stranger] == open_before[stranger] == 0
    audit_close(audit=decided, closed_by=review.admin)
    assert load()[1][lead] == open_before[lead] + 1


def test_a_conflict_declared_by_the_last_one_not_done_starts_the_consolidation(
    review: Review,
) -> None:
    review.form_team()
    review.rate_all(review.lead)
    review.complete(review.lead)
    conflict_declare(
        auditor=review.second, institution=review.world.institution_a, reason="New employer"
    )
    # The lead alone remains, complete: their ratings are the team's.
    assert review.reload().status == Audit.Status.REVIEW_COMPLETE
