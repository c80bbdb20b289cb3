"""Evidence requests over the API, as the schema states them: asked, listed by who reaches them,
answered with a file (multipart), decided; refusals as 400, 403 and 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.audits.support import pdf_upload
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def url(review: Review, path: str = "") -> str:
    return f"/api/v1/audits/{review.audit.pk}/requests/{path}"


def due(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_the_whole_cycle_over_the_api(review: Review) -> None:
    review.form_team()
    world = review.world
    code = review.codes[2]
    lead = review.client(review.lead)
    coordinator = review.client(world.users["coordinator_a"])
    body = {"standards": [code], "message": "The night rota", "due_on": due(14)}
    assert coordinator.post(url(review), body, content_type="application/json").status_code == 403
    created = lead.post(url(review), body, content_type="application/json")
    assert created.status_code == 201, created.json()
    item = created.json()
    assert (item["standards"], item["state"], item["overdue"]) == ([code], "open", False)
    bad = lead.post(url(review), body | {"standards": ["NOPE"]}, content_type="application/json")
    assert bad.status_code == 400
    assert "standards" in bad.json()

    assert [r["id"] for r in coordinator.get(url(review)).json()] == [item["id"]]
    assert review.client(world.users["contributor_a"]).get(url(review)).json() == []
    assert review.client(world.users["coordinator_b"]).get(url(review)).status_code == 404

    answer = url(review, f"{item['id']}/answer/")
    sent = {"files": [pdf_upload("night-rota.pdf", "Night rota")[0]], "comment": "Since January"}
    assert lead.post(answer, sent | {"confirmed_no_personal_data": True}).status_code == 403
    assert review.client(review.stranger).post(answer, sent).status_code == 404
    answered = coordinator.post(
        answer,
        {
            "files": [pdf_upload("night-rota.pdf", "Night rota")[0]],
            "comment": "Since January",
            "confirmed_no_personal_data": True,
        },
    )
    assert answered.status_code == 201, answered.json()
    [first] = answered.json()["answers"]
    assert first["previous_digest"] == review.reload().manifest_digest
    assert [f["name"] for f in first["files"]] == ["night-rota.pdf"]
    assert answered.json()["state"] == "answered"

    decision = url(review, f"{item['id']}/decision/")
    assert (
        coordinator.post(
            decision, {"decision": "accept"}, content_type="application/json"
        ).status_code
        == 403
    )
    no_date = lead.post(
        decision, {"decision": "reopen", "reason": "Days only"}, content_type="application/json"
    )
    assert no_date.status_code == 400
    assert "reopen_until" in no_date.json()
    reopened = lead.post(
        decision,
        {"decision": "reopen", "reason": "Days only", "reopen_until": due(7)},
        content_type="application/json",
    )
    assert reopened.status_code == 200
    assert (reopened.json()["state"], reopened.json()["due_on"]) == ("open", due(7))
    again = coordinator.post(
        answer,
        {
            "files": [pdf_upload("nights.pdf", "Nights too")[0]],
            "comment": "",
            "confirmed_no_personal_data": True,
        },
    )
    assert again.status_code == 201
    second = again.json()["answers"][1]
    assert second["previous_digest"] == first["digest"]
    assert second["files"][0]["number"] == first["files"][0]["number"] + 1
    accepted = lead.post(decision, {"decision": "accept"}, content_type="application/json")
    assert accepted.json()["state"] == "accepted"
    late = coordinator.post(answer, {"comment": "More", "confirmed_no_personal_data": True})
    assert late.status_code == 400
    assert "takes no answer" in late.json()["detail"]
