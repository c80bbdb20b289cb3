"""Findings: the completed review makes a nonconformity of every standard consolidated as
partially met or not met; the lead grades and states them and adds observations, on the page and
over the API; everyone else reads or is kept out, as for the consolidation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import AuditEvent
from reviews.models import Finding
from reviews.services.findings import findings_from_consolidation, observation_add
from reviews.services.requests import evidence_request_answer, evidence_request_create
from tests.audits.support import form_errors, page_messages, page_text, pdf_upload
from tests.reviews.conftest import Review
from tests.reviews.test_queries import count

pytestmark = pytest.mark.django_db


def api(review: Review, path: str = "") -> str:
    return f"/api/v1/audits/{review.audit.pk}/review/findings/{path}"


def completed(review: Review, **ratings: str) -> list[Finding]:
    """A single-auditor review rated ``met`` but for ``ratings``, completed."""
    review.form_team(second=False)
    review.rate_all(review.lead, "met", **ratings)
    review.complete(review.lead)
    assert review.reload().status == "review_complete"
    return list(
        Finding.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .select_related("assessment__standard")
        .order_by("assessment__standard__order")
    )


def test_completion_makes_a_nonconformity_of_each_shortfall(review: Review) -> None:
    first, second, third = review.codes[2:5]
    findings = completed(
        review, **{first: "partially_met", second: "not_met", third: "not_applicable"}
    )
    assert [(f.assessment.standard.code, f.kind, f.grade) for f in findings] == [
        (first, "nonconformity", ""),
        (second, "nonconformity", ""),
    ]
    assert findings[0].statement == f"{review.lead.email} on {first}"  # the consolidated rationale
    assert findings_from_consolidation(audit=review.audit) == 0  # once only


def test_the_lead_grades_on_the_page_and_a_stale_save_keeps_the_text(review: Review) -> None:
    code = review.codes[3]
    [finding] = completed(review, **{code: "not_met"})
    lead = review.client(review.lead)
    url = review.url("reviews:finding_grade", finding.pk)
    page = lead.get(review.url("reviews:findings"))
    assert page.status_code == 200
    assert "1 nonconformity is not graded yet." in page_text(page)

    ungraded = lead.post(url, {"statement": "No rota", "version": 1})
    assert ungraded.status_code == 400
    assert "Grade the nonconformity: major or minor." in form_errors(ungraded)

    saved = lead.post(url, {"grade": "major", "statement": "No 24/7 rota", "version": 1})
    assert saved.status_code == 302
    finding.refresh_from_db()
    assert (finding.grade, finding.statement, finding.version) == ("major", "No 24/7 rota", 2)

    stale = lead.post(url, {"grade": "minor", "statement": "MY UNSAVED TEXT", "version": 1})
    assert stale.status_code == 409
    text = page_text(stale)
    assert "MY UNSAVED TEXT" in text
    assert "Saved elsewhere meanwhile: Major nonconformity (version 2)" in text
    finding.refresh_from_db()
    assert finding.grade == "major"
    event = AuditEvent.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit, action=AuditEvent.Action.FINDING_GRADED
    )
    assert event.review_only


def test_over_the_api_and_who_may_do_what(review: Review) -> None:
    code = review.codes[3]
    [finding] = completed(review, **{code: "partially_met"})
    body = {"grade": "minor", "statement": "Rota covers days only", "version": 1}
    lead = review.client(review.lead)
    admin = review.client(review.admin)

    assert (
        admin.put(api(review, f"{finding.pk}/"), body, content_type="application/json").status_code
        == 403
    )
    done = lead.put(api(review, f"{finding.pk}/"), body, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert (done.json()["grade"], done.json()["label"], done.json()["version"]) == (
        "minor",
        "Minor nonconformity",
        2,
    )
    assert done.json()["consolidated_rating"] == "partially_met"
    stale = lead.put(api(review, f"{finding.pk}/"), body, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2

    observation = lead.post(
        api(review),
        {"code": review.codes[0], "statement": "Could publish the rota"},
        content_type="application/json",
    )
    assert observation.status_code == 201, observation.json()
    assert (observation.json()["kind"], observation.json()["grade"]) == ("observation", "")
    graded = lead.put(
        api(review, f"{observation.json()['id']}/"),
        {"grade": "major", "statement": "x", "version": 1},
        content_type="application/json",
    )
    assert graded.status_code == 400
    assert "not graded" in graded.json()["detail"]
    unknown = lead.post(
        api(review), {"code": "NOPE", "statement": "x"}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert "code" in unknown.json()

    listed = admin.get(api(review)).json()
    assert [f["code"] for f in listed] == [review.codes[0], code]
    for role in ("coordinator_a", "contributor_a"):
        client = review.client(review.world.users[role])
        assert client.get(api(review)).status_code == 403
        assert client.get(review.url("reviews:findings")).status_code == 403
    for user in (review.stranger, review.world.users["coordinator_b"]):
        assert review.client(user).get(api(review)).status_code == 404
        assert review.client(user).get(review.url("reviews:findings")).status_code == 404


def test_nothing_before_the_review_is_complete(review: Review) -> None:
    review.form_team()
    code = review.codes[0]
    review.rate_all(review.lead, "met", **{code: "not_met"})
    review.rate_all(review.second, "met", **{code: "partially_met"})
    lead = review.client(review.lead)
    assert lead.get(api(review)).status_code == 403  # the consolidation has not started
    review.complete(review.lead)
    review.complete(review.second)
    assert review.reload().status == "in_review"  # a divergence waits for the lead
    assert lead.get(api(review)).json() == []
    early = lead.post(
        api(review), {"code": code, "statement": "x"}, content_type="application/json"
    )
    assert early.status_code == 400
    assert "once the review is complete" in early.json()["detail"]
    page = lead.post(review.url("reviews:observation_add"), {"code": code, "statement": "x"})
    assert page.status_code == 400
    assert any("once the review is complete" in m for m in page_messages(page))


def test_a_finding_of_another_institutions_audit_is_not_found(review: Review) -> None:
    completed(review, **{review.codes[3]: "not_met"})
    world = review.world
    elsewhere = Finding.objects.create(
        institution=world.institution_b,
        audit=world.audit_b,
        assessment=world.audit_b.assessments.get(),
        kind=Finding.Kind.NONCONFORMITY,
        statement="B's own",
    )
    body = {"grade": "minor", "statement": "Taken over", "version": 1}
    lead = review.client(review.lead)
    assert (
        lead.put(api(review, f"{elsewhere.pk}/"), body, content_type="application/json").status_code
        == 404
    )
    assert lead.post(review.url("reviews:finding_grade", elsewhere.pk), body).status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.grade, elsewhere.statement, elsewhere.version) == ("", "B's own", 1)
    assert "B's own" not in str(lead.get(api(review)).json())


def test_the_findings_and_requests_pages_do_not_grow_with_their_rows(review: Review) -> None:
    """One finding and one request, then seven findings and four answered requests: the same
    number of queries on the findings page, the team's request page and the dossier dashboard."""
    completed(review, **{review.codes[3]: "not_met"})
    coordinator = review.world.users["coordinator_a"]

    def ask(n: int) -> None:
        for i in range(n):
            request = evidence_request_create(
                audit=review.audit,
                user=review.lead,
                assessments=review.assessments[i : i + 2],
                message=f"More on {i}",
                due_on=timezone.localdate() + timedelta(days=5),
            )
            evidence_request_answer(
                request=request,
                user=coordinator,
                uploads=[pdf_upload(f"answer-{i}.pdf", f"Answer {i}")[0]],
                comment="Here",
                confirmed_no_personal_data=True,
            )

    pages = {
        "findings": (review.client(review.lead), review.url("reviews:findings")),
        "requests": (review.client(review.lead), review.url("reviews:requests")),
        "dashboard": (review.client(coordinator), review.url("audits:detail")),
    }
    ask(1)
    small = {name: count(client, url) for name, (client, url) in pages.items()}
    for assessment in review.assessments[:6]:
        observation_add(
            audit=review.audit, assessment=assessment, user=review.lead, statement="Idea"
        )
    ask(3)
    large = {name: count(client, url) for name, (client, url) in pages.items()}
    assert small == large
