"""Blind dual scoring: until both auditors have completed, neither sees the other's ratings,
rationales or notes anywhere; the institution never does. Then the lead consolidates."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audits.models import Audit, AuditEvent
from reports.dossier import dossier_context, dossier_input
from reviews.models import ConsolidatedRating
from tests.audits.support import page_text, plain_text
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db

LEAD_SECRET = "LEAD-RATIONALE-7Q"
LEAD_NOTE = "LEAD-NOTE-9X"
SECOND_SECRET = "SECOND-RATIONALE-3K"
SECOND_NOTE = "SECOND-NOTE-5W"


@pytest.fixture
def rated(review: Review) -> Review:
    """Both auditors have rated the first standard differently; nobody has completed."""
    review.form_team()
    code = review.codes[0]
    review.rate(review.lead, {code: "not_met"}, text=LEAD_SECRET, notes=LEAD_NOTE)
    review.rate(review.second, {code: "partially_met"}, text=SECOND_SECRET, notes=SECOND_NOTE)
    return review


def surfaces(review: Review) -> list[str]:
    """Every page that shows the review or the audit, as URLs."""
    code = review.codes[0]
    return [
        review.url("reviews:overview"),
        review.url("reviews:standard", code),
        review.url("reviews:standard", review.codes[1]),
        review.url("reviews:team"),
        review.url("audits:detail"),
        review.url("audits:standard", code),
        review.url("audits:history"),
        reverse("reviews:mine"),
        reverse("home"),
        f"/api/v1/audits/{review.audit.pk}/",
        f"/api/v1/audits/{review.audit.pk}/standards/",
    ]


def leaks(review: Review, user: object, secrets: tuple[str, ...]) -> list[str]:
    client = review.client(user)  # type: ignore[arg-type]
    found = []
    for url in surfaces(review):
        response = client.get(url)
        body = response.content.decode()
        found += [f"{url}: {s}" for s in secrets if s in body]
        if response.status_code == 200 and "partial" not in url:
            htmx = client.get(url, HTTP_HX_REQUEST="true").content.decode()
            found += [f"{url} (htmx): {s}" for s in secrets if s in htmx]
    return found


def test_neither_auditor_sees_the_other_s_ratings_before_both_complete(rated: Review) -> None:
    assert leaks(rated, rated.second, (LEAD_SECRET, LEAD_NOTE, "Lead auditor: ")) == []
    assert leaks(rated, rated.lead, (SECOND_SECRET, SECOND_NOTE, "Second auditor: ")) == []
    # Each sees their own.
    own = plain_text(rated.client(rated.second).get(rated.url("reviews:standard", rated.codes[0])))
    assert SECOND_SECRET in own
    assert SECOND_NOTE in own
    # The consolidation is not open yet.
    assert rated.client(rated.lead).get(rated.url("reviews:divergences")).status_code == 403


def test_one_completion_does_not_lift_the_blind(rated: Review) -> None:
    rated.rate_all(rated.lead, "met", **{rated.codes[0]: "not_met"})
    rated.complete(rated.lead)
    assert leaks(rated, rated.second, (LEAD_SECRET, LEAD_NOTE)) == []
    assert rated.reload().status == Audit.Status.IN_REVIEW


def test_the_institution_never_sees_a_rating_rationale_or_note(rated: Review) -> None:
    secrets = (LEAD_SECRET, LEAD_NOTE, SECOND_SECRET, SECOND_NOTE)
    for role in ("coordinator_a", "contributor_a"):
        user = rated.world.users[role]
        assert leaks(rated, user, secrets) == [], role
        client = rated.client(user)
        for name in ("reviews:overview", "reviews:divergences"):
            assert client.get(rated.url(name)).status_code == 403
        history = plain_text(client.get(rated.url("audits:history")))
        assert "Auditor accepted" not in history  # the review's own events stay inside it
    # ... also after the consolidation.
    rated.rate_all(rated.lead, "met", **{rated.codes[0]: "not_met"})
    rated.rate_all(rated.second, "met", **{rated.codes[0]: "partially_met"})
    rated.complete(rated.lead)
    rated.complete(rated.second)
    assert leaks(rated, rated.world.users["coordinator_a"], secrets) == []


def test_an_outside_auditor_and_another_institution_reach_nothing(rated: Review) -> None:
    for user in (rated.stranger, rated.world.users["coordinator_b"]):
        client = rated.client(user)
        for url in surfaces(rated)[:7]:
            assert client.get(url).status_code == 404, url
        assert (
            client.post(
                rated.url("reviews:standard", rated.codes[0]), {"rating": "met", "version": 0}
            ).status_code
            == 404
        )


def test_ernst_admins_see_every_rating(rated: Review) -> None:
    page = plain_text(rated.client(rated.admin).get(rated.url("reviews:standard", rated.codes[0])))
    for secret in (LEAD_SECRET, LEAD_NOTE, SECOND_SECRET, SECOND_NOTE):
        assert secret in page


def test_after_both_complete_the_lead_consolidates_the_divergences(rated: Review) -> None:
    code, agreed = rated.codes[0], rated.codes[1]
    rated.rate_all(rated.lead, "met", **{code: "not_met"})
    rated.rate_all(rated.second, "met", **{code: "partially_met"})
    rated.complete(rated.lead)
    rated.complete(rated.second)
    assert rated.audit.status == Audit.Status.IN_REVIEW  # one divergence open
    # The blind is lifted for the team.
    second_view = plain_text(rated.client(rated.second).get(rated.url("reviews:standard", code)))
    assert LEAD_SECRET in second_view
    consolidated = {
        c.assessment.standard.code: c
        for c in ConsolidatedRating.objects.for_institution(rated.audit.institution_id)
        .filter(audit=rated.audit)
        .select_related("assessment__standard")
    }
    assert (consolidated[agreed].rating, consolidated[agreed].source) == ("met", "agreed")
    assert consolidated[code].is_open
    lead = rated.client(rated.lead)
    page = lead.get(rated.url("reviews:divergences"))
    text = plain_text(page)
    assert LEAD_SECRET in text
    assert SECOND_SECRET in text
    assert code in text
    assert f"{agreed} " not in text.split("Divergences between")[1]
    # Only the lead decides.
    decide = rated.url("reviews:divergence_decide", code)
    data = {
        "rating": "partially_met",
        "rationale": "A day rota exists, the night one does not.",
        "reason": "The second file shows the day rota.",
        "version": 1,
    }
    assert rated.client(rated.second).post(decide, data).status_code == 403
    missing_reason = lead.post(decide, data | {"reason": ""})
    assert missing_reason.status_code == 400
    response = lead.post(decide, data)
    assert response.status_code == 302
    assert rated.reload().status == Audit.Status.REVIEW_COMPLETE
    decided = ConsolidatedRating.objects.for_institution(rated.audit.institution_id).get(
        pk=consolidated[code].pk
    )
    assert (decided.rating, decided.source, decided.decided_by_email) == (
        "partially_met",
        "lead",
        rated.lead.email,
    )
    # The originals are kept beside the decision.
    history = plain_text(lead.get(rated.url("reviews:standard", code)))
    assert LEAD_SECRET in history
    assert SECOND_SECRET in history
    assert "The second file shows the day rota." in history
    actions = set(
        AuditEvent.objects.for_institution(rated.audit.institution_id)
        .filter(audit=rated.audit)
        .values_list("action", flat=True)
    )
    assert {"review_completed", "ratings_consolidated", "consolidation_decided"} <= actions
    # Decided: the consolidation is over.
    assert lead.post(decide, data | {"version": 2}).status_code == 400


def test_a_stale_decision_answers_409_and_keeps_the_text(rated: Review) -> None:
    code = rated.codes[0]
    rated.rate_all(rated.lead, "met", **{code: "not_met"})
    rated.rate_all(rated.second, "met", **{rated.codes[1]: "not_met"})
    rated.complete(rated.lead)
    rated.complete(rated.second)
    lead = rated.client(rated.lead)
    decide = rated.url("reviews:divergence_decide", code)
    first = {"rating": "not_met", "rationale": "None at night", "reason": "First tab", "version": 1}
    assert lead.post(decide, first).status_code == 302
    stale = first | {"reason": "Second tab, typed later", "rating": "met", "rationale": ""}
    response = lead.post(decide, stale)
    assert response.status_code == 409
    html = page_text(response)
    assert "Second tab, typed later" in html
    assert "First tab" in html


def test_the_dossier_report_carries_no_auditor_rating(rated: Review) -> None:
    """The PDF a report renders is the dossier's: its input and its HTML hold no rating."""
    context = dossier_context(rated.reload())
    data = str(dossier_input(context, language="en", kind="dossier"))
    html = render_to_string("pdf/dossier.html", context | {"language": "en", "report": None})
    assert rated.codes[0] in html  # the dossier's standards are there
    for secret in (LEAD_SECRET, LEAD_NOTE, SECOND_SECRET, SECOND_NOTE):
        assert secret not in data
        assert secret not in html
