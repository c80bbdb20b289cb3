"""Evidence requests through the pages: the auditor asks, the institution sees and answers with a
file, the auditor decides; who reaches a request and who does not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import EvidenceRequest
from tests.audits.support import form_errors, page_text, pdf_upload
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def ask(review: Review, code: str) -> EvidenceRequest:
    review.form_team()
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = review.client(review.lead).post(
        review.url("reviews:request_create"),
        {"codes": [code], "message": "NIGHT-ROTA missing", "due_on": due},
    )
    assert response.status_code == 302, form_errors(response)
    return EvidenceRequest.objects.for_institution(review.audit.institution_id).get()


def test_asked_seen_answered_and_accepted_on_the_pages(review: Review) -> None:
    code = review.codes[2]
    item = ask(review, code)
    world = review.world
    coordinator = review.client(world.users["coordinator_a"])
    assert "NIGHT-ROTA missing" in page_text(coordinator.get(review.url("audits:detail")))
    assert "NIGHT-ROTA missing" in page_text(coordinator.get(review.url("audits:standard", code)))
    # A contributor not assigned to the standard sees neither the request nor its page.
    contributor = review.client(world.users["contributor_a"])
    assert "NIGHT-ROTA" not in page_text(contributor.get(review.url("audits:detail")))
    detail = review.url("reviews:request", item.pk)
    assert contributor.get(detail).status_code == 404
    for user in (world.users["coordinator_b"], review.stranger):
        assert review.client(user).get(detail).status_code == 404

    unconfirmed = coordinator.post(
        detail, {"files": [pdf_upload("night-rota.pdf", "Night rota")[0]], "comment": "Here"}
    )
    assert unconfirmed.status_code == 400
    assert "Confirm that the file is about the programme" in form_errors(unconfirmed)
    item.refresh_from_db()
    assert item.state == "open"

    answered = coordinator.post(
        detail,
        {
            "files": [pdf_upload("night-rota.pdf", "Night rota")[0]],
            "comment": "The rota since January",
            "confirmed_no_personal_data": "on",
        },
    )
    assert answered.status_code == 302
    page = page_text(coordinator.get(detail))
    assert "night-rota.pdf" in page
    assert "Sealed as an addendum" in page

    lead = review.client(review.lead)
    team_page = page_text(lead.get(review.url("reviews:requests")))
    assert "The rota since January" in team_page
    decide = review.url("reviews:request_decide", item.pk)
    no_date = lead.post(decide, {"decision": "reopen", "reason": "Days only"})
    assert no_date.status_code == 400
    assert "Give the new due date." in form_errors(no_date)
    assert lead.post(decide, {"decision": "accept"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "accepted"
    assert coordinator.post(decide, {"decision": "accept"}).status_code == 403  # not the team's


def test_the_institution_may_not_ask_and_an_auditor_may_not_answer(review: Review) -> None:
    item = ask(review, review.codes[2])
    coordinator = review.client(review.world.users["coordinator_a"])
    assert coordinator.get(review.url("reviews:requests")).status_code == 403
    answered = review.client(review.lead).post(
        review.url("reviews:request", item.pk),
        {
            "files": [pdf_upload("x.pdf", "x")[0]],
            "comment": "x",
            "confirmed_no_personal_data": "on",
        },
    )
    assert answered.status_code == 403
    item.refresh_from_db()
    assert item.state == "open"
