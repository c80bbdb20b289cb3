"""The assessment interview of a competences application: an auditor of the review team records
it as part of the review, on the page and over the API; the team and ERNST read it; the report
carries it."""

import datetime
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditEvent, StandardAssessment
from reports.audit import audit_context, audit_input
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import AssessmentInterview
from reviews.services.interviews import interview_record
from tests.factories.reviews import review_place_grant
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(world: World) -> World:
    """The world's application submitted a week ago and in review, with the world's assigned
    auditor leading its team (accepted)."""
    submitted = timezone.now() - datetime.timedelta(days=7)
    Audit.unscoped.filter(pk=world.application_a.pk).update(
        status=Audit.Status.IN_REVIEW, submitted_at=submitted, endorsed_at=submitted
    )
    world.application_a.refresh_from_db()
    review_place_grant(
        audit=world.application_a,
        auditor=world.users["auditor_assigned"],
        assigned_by=world.users["admin"],
    )
    return world


def record(world: World, **changes: Any) -> AssessmentInterview:
    values: dict[str, Any] = {
        "audit": world.application_a,
        "user": world.users["auditor_assigned"],
        "held_on": timezone.localdate() - datetime.timedelta(days=2),
        "mode": AssessmentInterview.Mode.VIDEO,
        "participants": "The applicant; the lead auditor.",
        "competences": [world.application_assessment],
        "outcome": "COM02: listens without judging, summarises, checks understanding.",
    } | changes
    return interview_record(**values)


def test_the_lead_records_an_interview_on_the_page_and_the_team_reads_it(in_review: World) -> None:
    world = in_review
    auditor = world.client("auditor_assigned")
    url = reverse("reviews:interviews", args=[world.application_a.pk])
    page = auditor.get(url)
    assert page.status_code == 200
    assert "Record the interview" in page.content.decode()
    held_on = timezone.localdate() - datetime.timedelta(days=1)
    answer = auditor.post(
        reverse("reviews:interview_add", args=[world.application_a.pk]),
        {
            "held_on": held_on.isoformat(),
            "mode": "in_person",
            "participants": "Lucía, the applicant; Ana, lead auditor.",
            "codes": [world.competence.code],
            "outcome": "Listens well; refers in time.",
        },
    )
    assert answer.status_code == 302
    interview = AssessmentInterview.objects.for_institution(world.institution_a).get()
    assert (interview.held_on, interview.mode, interview.recorded_by_email) == (
        held_on,
        "in_person",
        "auditor-1@example.org",
    )
    assert list(interview.competences.all()) == [world.application_assessment]
    event = AuditEvent.unscoped.get(action=AuditEvent.Action.INTERVIEW_RECORDED)
    assert event.review_only  # the institution's history does not show the review's steps
    admin_page = world.client("admin").get(url).content.decode()
    assert "Refers in time." in admin_page.replace("refers", "Refers")
    assert "Record the interview" not in admin_page  # the admins read; the team records
    # The applicant and their institution do not read the review's pages.
    assert world.client("peer_supporter_a").get(url).status_code == 403
    assert world.client("coordinator_a").get(url).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": timezone.localdate() + datetime.timedelta(days=1)}, "in the future"),
        (
            {"held_on": timezone.localdate() - datetime.timedelta(days=30)},
            "before the application was submitted",
        ),
        ({"competences": []}, "Choose the competences"),
        ({"participants": "  "}, "who took part"),
        ({"outcome": ""}, "what the interview showed"),
        ({"mode": "letter"}, "how the interview was held"),
    ],
)
def test_a_bad_record_is_refused_with_the_reason_and_nothing_saved(
    in_review: World, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ActionRefusedError, match=message):
        record(in_review, **changes)
    assert not AssessmentInterview.objects.for_institution(in_review.institution_a).exists()


def test_only_the_team_records_and_only_while_the_review_is_open(in_review: World) -> None:
    world = in_review
    with pytest.raises(ActionForbiddenError):
        record(world, user=world.users["admin"])
    other = StandardAssessment.objects.for_institution(world.institution_a).get(
        pk=world.assessment_a.pk
    )
    with pytest.raises(ActionRefusedError, match="not part of this application"):
        record(world, competences=[other])
    Audit.unscoped.filter(pk=world.application_a.pk).update(status=Audit.Status.DRAFT_RELEASED)
    with pytest.raises(ActionRefusedError, match="while the review is open"):
        record(world)
    # An institution's audit has no interviews: its page is a 404 even for its own team.
    url = reverse("reviews:interviews", args=[world.audit_a.pk])
    assert world.client("auditor_assigned").get(url).status_code == 404


def test_the_api_records_and_lists_the_interviews(in_review: World) -> None:
    world = in_review
    url = f"/api/v1/audits/{world.application_a.pk}/review/interviews/"
    auditor = world.client("auditor_assigned")
    body = {
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "mode": "telephone",
        "participants": "The applicant; the lead auditor.",
        "competences": [world.competence.code],
        "outcome": "Confirms the reflective statement.",
    }
    created = auditor.post(url, body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["competences"] == [world.competence.code]
    unknown = auditor.post(url, body | {"competences": ["COM99"]}, content_type="application/json")
    assert unknown.status_code == 400
    assert "competences" in unknown.json()
    listed = world.client("admin").get(url)
    assert [i["mode"] for i in listed.json()] == ["telephone"]
    assert world.client("peer_supporter_a").get(url).status_code == 403
    assert world.client("coordinator_b").get(url).status_code == 404


def test_the_report_carries_the_interviews(in_review: World) -> None:
    world = in_review
    before = audit_input(audit_context(world.application_a), language="en", kind="audit")
    record(world)
    context = audit_context(world.application_a)
    assert [i.outcome for i in context["interviews"]] == [
        "COM02: listens without judging, summarises, checks understanding."
    ]
    after = audit_input(context, language="en", kind="audit")
    assert after["interviews"] != before["interviews"]  # a new interview renders a new report
    assert after["interviews"][0]["competences"] == ["COM02"]
    assert after["applicant"] == str(world.users["peer_supporter_a"])
    html = render_to_string("pdf/audit.html", context | {"language": "en", "report": None})
    assert "Assessment interviews" in html
    assert "listens without judging, summarises" in html
    assert str(world.users["peer_supporter_a"].get_full_name()) in html
    # An institution's audit report has no such chapter.
    institution = render_to_string(
        "pdf/audit.html", audit_context(world.audit_a) | {"language": "en", "report": None}
    )
    assert "Assessment interviews" not in institution
