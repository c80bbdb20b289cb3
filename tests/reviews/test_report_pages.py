"""The audit report's course on the pages: the team's report page (recommendation, release,
answers, plans, verification, final report) and the institution's outcome page (comments, no
more comments, plans, actions done). Who reaches what, and what the institution never sees."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from audits.services.submission import manifest_verify
from reviews.models import CorrectiveAction, CorrectiveActionPlan, ReportComment, ReviewReport
from reviews.services.plans import plan_decide, plan_submit
from reviews.services.report import report_comment_add
from tests.audits.support import form_errors, page_messages, page_text, pdf_upload
from tests.reviews.conftest import Review
from tests.reviews.test_queries import count
from tests.reviews.test_report_course import graded, released

pytestmark = pytest.mark.django_db

NOTE = "PRIVATE-NOTE-7731"


def test_before_release_the_institution_is_refused_and_sees_no_outcome(review: Review) -> None:
    code = review.codes[2]
    review.form_team(second=False)
    review.rate(review.lead, {code: "not_met"}, text="RATIONALE-X1", notes=NOTE)
    review.rate_all(review.lead, "met")
    review.complete(review.lead)
    coordinator = review.client(review.world.users["coordinator_a"])
    outcome = coordinator.get(review.url("reviews:outcome"))
    assert outcome.status_code == 403
    assert "when the lead auditor releases the draft report" in outcome.content.decode()
    assert coordinator.get(review.url("reviews:report")).status_code == 403
    dashboard = coordinator.get(review.url("audits:detail"))
    assert dashboard.status_code == 200
    assert "The review's outcome" not in page_text(dashboard)
    for page in (dashboard, coordinator.get(review.url("audits:history"))):
        body = page.content.decode()
        assert "RATIONALE-X1" not in body  # the rationale, and the finding made of it
        assert NOTE not in body
    other = review.client(review.world.users["coordinator_b"])
    assert other.get(review.url("reviews:outcome")).status_code == 404
    assert other.get(review.url("reviews:report")).status_code == 404


def test_the_lead_recommends_and_releases_on_the_page(review: Review) -> None:
    code = review.codes[2]
    graded(review, **{code: "not_met"})
    lead = review.client(review.lead)
    page = lead.get(review.url("reviews:report"))
    assert page.status_code == 200
    assert "The lead auditor's recommendation is not recorded yet." in page_text(page)

    refused = lead.post(review.url("reviews:release"))
    assert refused.status_code == 400
    assert "cannot be released yet" in " ".join(page_messages(refused))

    missing = lead.post(review.url("reviews:recommendation"), {"version": 1})
    assert missing.status_code == 400
    saved = lead.post(
        review.url("reviews:recommendation"),
        {"recommendation": "do_not_certify", "reason": "A core gap", "version": 1},
    )
    assert saved.status_code == 302
    stale = lead.post(
        review.url("reviews:recommendation"),
        {"recommendation": "certify", "reason": "MY UNSAVED GROUNDS", "version": 1},
    )
    assert stale.status_code == 409
    assert "MY UNSAVED GROUNDS" in page_text(stale)

    second = review.client(review.admin)
    read = second.get(review.url("reviews:report"))
    assert read.status_code == 200
    assert "Save the recommendation" not in page_text(read)
    assert second.post(review.url("reviews:release")).status_code == 403

    done = lead.post(review.url("reviews:release"))
    assert done.status_code == 302
    assert review.reload().status == "draft_released"
    coordinator = review.client(review.world.users["coordinator_a"])
    dashboard = coordinator.get(review.url("audits:detail"))
    assert "The draft audit report is released" in page_text(dashboard)
    contributor = review.client(review.world.users["contributor_a"])
    assert contributor.get(review.url("reviews:outcome")).status_code == 403


def test_the_institution_comments_and_the_lead_answers(review: Review) -> None:
    first, second = review.codes[2], review.codes[3]
    findings = released(review, **{first: "partially_met", second: "not_met"})
    coordinator_user = review.world.users["coordinator_a"]
    coordinator = review.client(coordinator_user)
    page = coordinator.get(review.url("reviews:outcome"))
    assert page.status_code == 200
    text = page_text(page)
    assert f"Short on {first}" in text
    assert f"Short on {second}" in text
    assert "Certify on conditions" in text
    assert NOTE not in page.content.decode()

    empty = coordinator.post(review.url("reviews:comment_add"), {"finding": findings[0].pk})
    assert empty.status_code == 400
    sent = coordinator.post(
        review.url("reviews:comment_add"), {"text": "E4 shows it", "finding": findings[0].pk}
    )
    assert sent.status_code == 302
    foreign = coordinator.post(review.url("reviews:comment_add"), {"text": "x", "finding": 999_999})
    assert foreign.status_code == 400
    assert "That finding is not part of this audit." in page_messages(foreign)
    general = coordinator.post(review.url("reviews:comment_add"), {"text": "Thanks"})
    assert general.status_code == 302
    assert (
        review.client(review.lead)
        .post(review.url("reviews:comment_add"), {"text": "x"})
        .status_code
        == 403
    )

    comment, whole = (
        ReportComment.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .order_by("pk")
    )
    lead = review.client(review.lead)
    answer_url = review.url("reviews:comment_answer", comment.pk)
    no_change = lead.post(answer_url, {"outcome": "accepted", "answer": "Yes"})
    assert no_change.status_code == 400
    assert "An accepted comment changes the finding" in form_errors(no_change)
    accepted = lead.post(
        answer_url, {"outcome": "accepted", "answer": "E4 shows it", "rating": "met"}
    )
    assert accepted.status_code == 302
    assert (
        coordinator.post(
            review.url("reviews:comment_answer", whole.pk), {"outcome": "maintained", "answer": "x"}
        ).status_code
        == 403
    )
    lead.post(
        review.url("reviews:comment_answer", whole.pk), {"outcome": "maintained", "answer": "Noted"}
    )

    page = page_text(coordinator.get(review.url("reviews:outcome")))
    assert "Consolidated rating changed: Partially met → Met." in page
    assert "Withdrawn after the institution's reply" in page

    assert coordinator.post(review.url("reviews:replies_done")).status_code == 302
    late = coordinator.post(review.url("reviews:comment_add"), {"text": "late"})
    assert late.status_code == 400
    final = lead.post(review.url("reviews:finalise"))
    assert final.status_code == 302
    assert review.reload().status == "final_report"
    report = ReviewReport.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit
    )
    assert report.stage == "final"


def test_a_plan_on_the_page_then_an_action_done_with_a_file_and_verified(review: Review) -> None:
    code = review.codes[2]
    [finding] = released(review, **{code: "not_met"})
    coordinator = review.client(review.world.users["coordinator_a"])
    url = review.url("reviews:plan", finding.pk)
    form = coordinator.get(url)
    assert form.status_code == 200
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    management = {
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "1",
        "actions-MAX_NUM_FORMS": "10",
    }
    incomplete = coordinator.post(
        url, {"cause": "No rota", **management, "actions-0-description": "Rota"}
    )
    assert incomplete.status_code == 400
    assert "who does it and by when" in form_errors(incomplete)
    submitted = coordinator.post(
        url,
        {
            "cause": "No rota",
            **management,
            "actions-0-description": "Set up a rota",
            "actions-0-owner": "Head of nursing",
            "actions-0-due_on": due,
        },
    )
    assert submitted.status_code == 302
    plan = CorrectiveActionPlan.objects.for_institution(review.audit.institution_id).get(
        finding=finding
    )
    assert plan.actions.count() == 1  # the empty second row is dropped

    lead = review.client(review.lead)
    page = lead.get(review.url("reviews:report"))
    assert "Record the decision on the plan" in page_text(page)
    returned = lead.post(review.url("reviews:plan_decide", plan.pk), {"decision": "return"})
    assert returned.status_code == 400
    assert (
        lead.post(review.url("reviews:plan_decide", plan.pk), {"decision": "accept"}).status_code
        == 302
    )
    action = CorrectiveAction.objects.for_institution(review.audit.institution_id).get(plan=plan)

    done_url = review.url("reviews:action_done", action.pk)
    assert coordinator.get(done_url).status_code == 200
    upload, _content = pdf_upload("rota.pdf", "Rota of May")
    reported = coordinator.post(
        done_url, {"note": "Rota in place", "files": [upload], "confirmed_no_personal_data": "on"}
    )
    assert reported.status_code == 302
    assert manifest_verify(audit=review.reload()) == []
    verify_url = review.url("reviews:action_verify", action.pk)
    assert coordinator.post(verify_url, {"decision": "close"}).status_code == 403
    assert review.client(review.stranger).post(verify_url, {"decision": "close"}).status_code == 404
    assert lead.post(verify_url, {"decision": "close"}).status_code == 302
    action.refresh_from_db()
    assert action.state == "closed"
    actions = set(
        AuditEvent.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .values_list("action", flat=True)
    )
    assert {"plan_submitted", "plan_accepted", "action_done", "action_verified"} <= actions


def test_another_institution_and_an_unknown_audit_find_nothing(review: Review) -> None:
    code = review.codes[2]
    [finding] = released(review, **{code: "not_met"})
    coordinator_user = review.world.users["coordinator_a"]
    comment = report_comment_add(
        audit=review.audit, user=coordinator_user, text="x", finding_id=finding.pk
    )
    plan = plan_submit(
        finding=finding,
        user=coordinator_user,
        cause="c",
        actions=[{"description": "d", "owner": "o", "due_on": timezone.localdate()}],
    )
    plan_decide(plan=plan, user=review.lead, accept=True)
    action = plan.actions.get()
    lead = review.client(review.lead)
    for name, pk in (
        ("reviews:comment_answer", comment.pk),
        ("reviews:plan_decide", plan.pk),
        ("reviews:action_verify", action.pk),
    ):
        assert lead.post(reverse(name, args=[999_999, pk]), {}).status_code == 404
    stranger = review.client(review.world.users["coordinator_b"])
    assert stranger.get(review.url("reviews:plan", finding.pk)).status_code == 404
    assert stranger.get(review.url("reviews:action_done", action.pk)).status_code == 404
    assert stranger.post(review.url("reviews:comment_add"), {"text": "x"}).status_code == 404


def test_the_report_and_outcome_pages_read_a_fixed_number_of_queries(review: Review) -> None:
    """One nonconformity with a plan and a comment, then four with plans, actions done and
    comments: the pages' query counts stay the same."""
    codes = review.codes[2:6]
    findings = released(review, **dict.fromkeys(codes, "not_met"))
    coordinator = review.world.users["coordinator_a"]
    due = timezone.localdate() + timedelta(days=9)

    def work(finding: object, n: int) -> None:
        plan = plan_submit(
            finding=finding,  # type: ignore[arg-type]
            user=coordinator,
            cause=f"Cause {n}",
            actions=[
                {"description": f"Action {n}.{i}", "owner": "Head", "due_on": due} for i in range(2)
            ],
        )
        plan_decide(plan=plan, user=review.lead, accept=True)
        report_comment_add(
            audit=review.audit, user=coordinator, text=f"On {n}", finding_id=plan.finding_id
        )
        report_comment_add(audit=review.audit, user=coordinator, text=f"Whole {n}")

    pages = {
        "report": (review.client(review.lead), review.url("reviews:report")),
        "outcome": (review.client(coordinator), review.url("reviews:outcome")),
    }
    work(findings[0], 0)
    small = {name: count(client, url) for name, (client, url) in pages.items()}
    for n, finding in enumerate(findings[1:], start=1):
        work(finding, n)
    large = {name: count(client, url) for name, (client, url) in pages.items()}
    assert small == large, (small, large)
