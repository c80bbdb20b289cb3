"""The review over the API: the same rules as the pages, answers as the schema states them."""

import pytest

from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def api(review: Review, path: str) -> str:
    return f"/api/v1/audits/{review.audit.pk}/review/{path}"


def test_my_reviews_accept_and_decline(review: Review) -> None:
    review.form_team(accept=False)
    lead = review.client(review.lead)
    listed = lead.get("/api/v1/reviews/").json()["results"]
    [row] = [r for r in listed if r["audit"] == review.audit.pk]
    assert (row["role"], row["state"], row["stage"]) == ("lead", "invited", "submitted")
    accepted = lead.post(f"/api/v1/reviews/{row['id']}/accept/")
    assert accepted.status_code == 200
    assert (accepted.json()["state"], accepted.json()["stage"]) == ("accepted", "in_review")
    second = review.client(review.second)
    place = review.place(review.second)
    assert second.post(f"/api/v1/reviews/{place.pk}/decline/", {"reason": ""}).status_code == 400
    assert (
        second.post(f"/api/v1/reviews/{place.pk}/decline/", {"reason": "Away"}).status_code == 204
    )
    assert second.get(api(review, "ratings/")).status_code == 404  # access gone at once
    # Another auditor's place is not found.
    assert lead.post(f"/api/v1/reviews/{place.pk}/accept/").status_code == 404


def test_a_rating_with_its_version_and_the_409_with_the_current_one(review: Review) -> None:
    review.form_team()
    code = review.codes[0]
    file_id = review.files[code][0].pk
    client = review.client(review.lead)
    url = api(review, f"ratings/{code}/")
    body = {"rating": "partially_met", "rationale": "Nights only", "evidence": [file_id]}
    first = client.put(url, body | {"version": 0}, content_type="application/json")
    assert first.status_code == 200, first.json()
    assert first.json()["mine"]["version"] == 1
    assert first.json()["mine"]["evidence"] == [file_id]
    stale = client.put(
        url, body | {"version": 0, "rationale": "Other tab"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["rationale"] == "Nights only"
    assert stale.json()["current"]["version"] == 1
    missing_rationale = client.put(
        url, {"rating": "not_met", "version": 1}, content_type="application/json"
    )
    assert missing_rationale.status_code == 400
    other_standard_file = review.files[review.codes[1]][0].pk
    foreign = client.put(
        url,
        {"rating": "met", "version": 1, "evidence": [other_standard_file]},
        content_type="application/json",
    )
    assert foreign.status_code == 400
    assert "evidence" in foreign.json()


def test_the_api_keeps_the_blind_and_the_institution_out(review: Review) -> None:
    review.form_team()
    code = review.codes[0]
    review.rate(review.lead, {code: "not_met"}, text="LEAD-SECRET", notes="LEAD-NOTE")
    rows = review.client(review.second).get(api(review, "ratings/")).json()
    assert "LEAD-SECRET" not in str(rows)
    assert "LEAD-NOTE" not in str(rows)
    assert all(row["others"] == [] and row["mine"] is None for row in rows)
    for role in ("coordinator_a", "contributor_a"):
        client = review.client(review.world.users[role])
        assert client.get(api(review, "ratings/")).status_code == 403
    for user in (review.stranger, review.world.users["coordinator_b"]):
        assert review.client(user).get(api(review, "ratings/")).status_code == 404
    assert "LEAD-SECRET" in str(review.client(review.admin).get(api(review, "ratings/")).json())


def test_completion_divergences_and_the_lead_s_decision(review: Review) -> None:
    review.form_team()
    code = review.codes[0]
    lead, second = review.client(review.lead), review.client(review.second)
    assert lead.post(api(review, "complete/")).status_code == 400  # nothing rated
    review.rate_all(review.lead, "met", **{code: "not_met"})
    review.rate_all(review.second, "met", **{code: "partially_met"})
    assert lead.post(api(review, "complete/")).json()["stage"] == "in_review"
    assert lead.get(api(review, "divergences/")).status_code == 403  # second not done
    assert second.post(api(review, "complete/")).status_code == 200
    [divergence] = lead.get(api(review, "divergences/")).json()
    assert divergence["code"] == code
    assert {divergence["mine"]["rating"], divergence["others"][0]["rating"]} == {
        "not_met",
        "partially_met",
    }
    decide = api(review, f"divergences/{code}/")
    body = {"rating": "partially_met", "rationale": "Day rota only", "reason": "Second file"}
    assert (
        second.put(decide, body | {"version": 1}, content_type="application/json").status_code
        == 403
    )
    done = lead.put(decide, body | {"version": 1}, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert (done.json()["rating"], done.json()["source"]) == ("partially_met", "lead")
    assert review.reload().status == "review_complete"
    stale = lead.put(decide, body | {"version": 1}, content_type="application/json")
    assert stale.status_code == 400  # the consolidation is over
    assert "consolidation is over" in stale.json()["detail"]


def test_the_rule_evaluation_follows_the_consolidated_ratings(review: Review) -> None:
    """Single auditor: their ratings are the consolidated ones. One Elementary standard not met
    fails the level, on the API and on the overview page; nothing is shown before the
    consolidation, nor to the institution or anyone off the team."""
    review.form_team(second=False)
    url = api(review, "evaluation/")
    lead = review.client(review.lead)
    assert lead.get(url).status_code == 403  # nothing consolidated yet
    by_level = {a.standard.code: a.standard.level for a in review.assessments}
    short = next(code for code, level in by_level.items() if level == "elementary")
    review.rate_all(review.lead, "met", **{short: "not_met"})
    review.complete(review.lead)
    assert review.reload().status == "review_complete"

    answer = lead.get(url)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["complete"] is True
    assert body["proposed_level"] is None
    assert body["proposal"] == "Do not certify: no level's rules pass."
    [level] = body["levels"]
    elementary, advanced = level["rules"]
    assert (elementary["key"], elementary["passed"], elementary["short"]) == (
        "elementary",
        False,
        [short],
    )
    assert short in elementary["explanation"]
    assert advanced["passed"] is True
    assert review.client(review.admin).get(url).json() == body

    page = lead.get(review.url("reviews:overview")).content.decode()
    assert "Rule evaluation" in page
    assert elementary["explanation"] in page
    for role in ("coordinator_a", "contributor_a"):
        assert review.client(review.world.users[role]).get(url).status_code == 403
    for user in (review.stranger, review.world.users["coordinator_b"]):
        assert review.client(user).get(url).status_code == 404
