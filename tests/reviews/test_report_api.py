"""The audit report's course and the corrective actions over the API, as the schema states them:
the recommendation (a stale version: 409 with the current course), the release with its
blockers, the reply thread and its answers, the end of the reply and the final report; the
released outcome, which never holds the auditors' notes nor their own ratings; plans submitted,
returned and accepted, actions reported done with a file (an addendum that verifies) and
verified. Every step as each role, out of order, and with ids of another audit."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from audits.models import StandardAssessment
from audits.services.submission import manifest_verify
from reviews.models import (
    ConsolidatedRating,
    CorrectiveAction,
    CorrectiveActionPlan,
    Finding,
    ReportComment,
)
from reviews.services.consolidation import divergence_decide
from reviews.services.findings import finding_grade
from reviews.services.plans import plan_decide, plan_submit
from reviews.services.report import report_comment_add
from tests.audits.support import pdf_upload
from tests.reviews.conftest import Review
from tests.world import client_for

pytestmark = pytest.mark.django_db

# Written into the auditors' own notes and ratings: none of it may reach the institution.
LEAD_NOTE = "LEAD-PRIVATE-NOTE-7f3a"
SECOND_NOTE = "SECOND-PRIVATE-NOTE-91c2"
SECOND_RATIONALE = "SECOND-OWN-RATIONALE-4d8e"
SECRETS = (LEAD_NOTE, SECOND_NOTE, SECOND_RATIONALE)


def api(review: Review, path: str) -> str:
    return f"/api/v1/audits/{review.audit.pk}/{path}"


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, body, content_type="application/json")


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


class Roles:
    """A client for every role the course meets."""

    def __init__(self, review: Review) -> None:
        users = review.world.users
        self.people: dict[str, User | None] = {
            "lead": review.lead,
            "second": review.second,
            "admin": review.admin,
            "coordinator": users["coordinator_a"],
            "contributor": users["contributor_a"],
            "other_coordinator": users["coordinator_b"],
            "stranger": review.stranger,
            "anonymous": None,
        }
        self.clients = {role: client_for(user) for role, user in self.people.items()}

    def __getattr__(self, role: str) -> Client:
        return self.clients[role]

    def statuses(self, send: Any, roles: list[str] | None = None) -> dict[str, int]:
        return {
            role: send(client).status_code
            for role, client in self.clients.items()
            if roles is None or role in roles
        }


def reviewed(review: Review) -> tuple[Finding, Finding]:
    """A two-auditor review, complete: the auditors diverge on the third standard (the lead
    decides partially met) and agree the fourth is not met; both findings graded minor. Notes
    and the second auditor's own rationales carry the secrets."""
    first, second = review.codes[2], review.codes[3]
    review.form_team()
    lead_ratings = dict.fromkeys(review.codes, "met") | {
        first: "partially_met",
        second: "not_met",
    }
    review.rate(review.lead, lead_ratings, text="Lead view", notes=LEAD_NOTE)
    review.rate(
        review.second,
        lead_ratings | {first: "not_met"},
        text=SECOND_RATIONALE,
        notes=SECOND_NOTE,
    )
    review.complete(review.lead)
    review.complete(review.second)
    scope = review.audit.institution_id
    open_one = ConsolidatedRating.objects.for_institution(scope).get(audit=review.audit, rating="")
    divergence_decide(
        consolidated=open_one,
        user=review.lead,
        rating="partially_met",
        rationale="The team: the rota covers days only",
        reason="Nights are covered in part",
        base_version=open_one.version,
    )
    findings = list(
        Finding.objects.for_institution(scope)
        .filter(audit=review.audit)
        .select_related("assessment__standard")
        .order_by("assessment__standard__order")
    )
    for finding in findings:
        finding_grade(
            finding=finding,
            user=review.lead,
            grade="minor",
            statement=f"Short on {finding.assessment.standard.code}",
            base_version=finding.version,
        )
    review.reload()
    assert review.audit.status == "review_complete"
    return findings[0], findings[1]


RECOMMENDATION = {
    "recommendation": "conditions",
    "reason": "Two minor gaps, plans expected",
    "version": 1,
}


def release(review: Review, roles: Roles) -> None:
    assert put(roles.lead, api(review, "report/recommendation/"), RECOMMENDATION).status_code == 200
    released = post(roles.lead, api(review, "report/release/"))
    assert released.status_code == 200, released.json()
    review.reload()


def elsewhere(review: Review) -> dict[str, list[int]]:
    """A finding, a comment, a plan and an action on the institution's other audit and on
    another institution's: ids that the URLs of this audit must not reach."""
    world = review.world
    ids: dict[str, list[int]] = {"finding": [], "comment": [], "plan": [], "action": []}
    for audit in (world.audit_a, world.audit_b):
        scope = audit.institution_id
        finding = Finding.objects.create(
            institution_id=scope,
            audit=audit,
            assessment=StandardAssessment.objects.for_institution(scope)
            .filter(audit=audit)
            .first(),
            kind=Finding.Kind.NONCONFORMITY,
            grade="minor",
            statement="Elsewhere",
        )
        comment = ReportComment.objects.create(
            institution_id=scope, audit=audit, text="Elsewhere", author_email="x@example.org"
        )
        plan = CorrectiveActionPlan.objects.create(
            institution_id=scope,
            audit=audit,
            finding=finding,
            cause="Elsewhere",
            submitted_by_email="x@example.org",
            submitted_at=timezone.now(),
        )
        action = CorrectiveAction.objects.create(
            institution_id=scope,
            audit=audit,
            plan=plan,
            description="Elsewhere",
            owner="Someone",
            due_on=timezone.localdate(),
            state=CorrectiveAction.State.DONE,
        )
        for key, row in (("finding", finding), ("comment", comment), ("plan", plan)):
            ids[key].append(row.pk)
        ids["action"].append(action.pk)
    return ids


# --- The course ----------------------------------------------------------------------------------


def test_the_course_before_the_release_is_the_teams(review: Review) -> None:
    reviewed(review)
    roles = Roles(review)
    url = api(review, "report/")
    assert roles.statuses(lambda c: c.get(url)) == {
        "lead": 200,
        "second": 200,
        "admin": 200,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
        "anonymous": 403,
    }
    refused = roles.coordinator.get(url).json()
    assert "when the lead auditor releases the draft report" in refused["detail"]
    course = roles.lead.get(url).json()
    assert (course["stage"], course["recommendation"], course["version"]) == ("preparing", "", 1)
    assert course["release_blockers"] == ["The lead auditor's recommendation is not recorded yet."]
    assert course["finalise_blockers"] == ["The draft report has not been released yet."]
    assert course["levels"] == []  # RESCUE-Training: no level
    assert course["comments"] == []
    # The outcome waits for the release, for everyone who sees the audit.
    assert roles.statuses(lambda c: c.get(api(review, "outcome/"))) == {
        "lead": 403,
        "second": 403,
        "admin": 403,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
        "anonymous": 403,
    }


def test_an_auditor_who_has_not_accepted_is_told_to_accept(review: Review) -> None:
    review.form_team(accept=False)
    response = client_for(review.lead).get(api(review, "report/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "Accept the review on My reviews first."


def test_the_recommendation_is_the_leads_and_versioned(review: Review) -> None:
    reviewed(review)
    roles = Roles(review)
    url = api(review, "report/recommendation/")
    assert roles.statuses(
        lambda c: put(c, url, RECOMMENDATION), ["second", "admin", "coordinator", "contributor"]
    ) == {"second": 403, "admin": 403, "coordinator": 403, "contributor": 403}
    assert roles.statuses(
        lambda c: put(c, url, RECOMMENDATION), ["other_coordinator", "stranger"]
    ) == {"other_coordinator": 404, "stranger": 404}
    forbidden = put(roles.second, url, RECOMMENDATION).json()
    assert forbidden["detail"] == "Only the lead auditor makes the recommendation."

    missing = put(roles.lead, url, {"recommendation": "maybe", "version": "x"})
    assert missing.status_code == 400
    assert set(missing.json()) == {"recommendation", "reason", "version"}
    levelled = put(
        roles.lead, url, RECOMMENDATION | {"recommendation": "certify", "level": "design"}
    )
    assert levelled.status_code == 400
    assert levelled.json()["detail"] == "A level goes only with a recommendation to certify."

    saved = put(roles.lead, url, RECOMMENDATION)
    assert saved.status_code == 200, saved.json()
    course = saved.json()
    assert (course["recommendation"], course["version"]) == ("conditions", 2)
    assert course["recommendation_reason"] == "Two minor gaps, plans expected"
    assert course["release_blockers"] == []

    stale = put(roles.lead, url, RECOMMENDATION | {"recommendation": "do_not_certify"})
    assert stale.status_code == 409
    body = stale.json()
    assert "changed elsewhere (now version 2)" in body["detail"]
    assert (body["current"]["version"], body["current"]["recommendation"]) == (2, "conditions")
    again = put(roles.lead, url, RECOMMENDATION | {"recommendation": "certify", "version": 2})
    assert again.status_code == 200
    assert again.json()["version"] == 3


def test_no_recommendation_while_the_review_is_under_way(review: Review) -> None:
    review.form_team(second=False)
    response = put(client_for(review.lead), api(review, "report/recommendation/"), RECOMMENDATION)
    assert response.status_code == 400
    assert "once the review is complete" in response.json()["detail"]
    released = post(client_for(review.lead), api(review, "report/release/"))
    assert released.status_code == 400
    assert released.json()["blockers"] == ["The review is not complete."]


def test_the_release_lists_what_blocks_it_then_opens_the_reply(review: Review) -> None:
    reviewed(review)
    roles = Roles(review)
    url = api(review, "report/release/")
    assert roles.statuses(lambda c: post(c, url), ["second", "admin", "coordinator"]) == {
        "second": 403,
        "admin": 403,
        "coordinator": 403,
    }
    assert roles.statuses(lambda c: post(c, url), ["other_coordinator", "stranger"]) == {
        "other_coordinator": 404,
        "stranger": 404,
    }
    blocked = post(roles.lead, url)
    assert blocked.status_code == 400
    assert blocked.json()["detail"].startswith("The draft cannot be released yet:")
    assert blocked.json()["blockers"] == ["The lead auditor's recommendation is not recorded yet."]
    assert review.reload().status == "review_complete"

    release(review, roles)
    assert review.audit.status == "draft_released"
    course = roles.lead.get(api(review, "report/")).json()
    assert course["stage"] == "released"
    assert course["reply_open"] is True
    assert course["release_blockers"] == ["The draft has been released already."]
    again = post(roles.lead, url)
    assert again.status_code == 400
    assert again.json()["blockers"] == ["The draft has been released already."]

    # Released: the institution's coordinators read the course (without the team's blockers).
    assert roles.statuses(lambda c: c.get(api(review, "report/"))) == {
        "lead": 200,
        "second": 200,
        "admin": 200,
        "coordinator": 200,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
        "anonymous": 403,
    }
    theirs = roles.coordinator.get(api(review, "report/")).json()
    assert theirs["recommendation"] == "conditions"
    assert (theirs["release_blockers"], theirs["finalise_blockers"], theirs["levels"]) == (
        None,
        None,
        None,
    )
    contributor = roles.contributor.get(api(review, "report/")).json()
    assert contributor["detail"] == "The review's outcome goes to the institution's coordinators."


def test_the_outcome_never_shows_notes_nor_the_auditors_own_ratings(review: Review) -> None:
    partial, missing = reviewed(review)
    roles = Roles(review)
    release(review, roles)
    url = api(review, "outcome/")
    assert roles.statuses(lambda c: c.get(url)) == {
        "lead": 200,
        "second": 200,
        "admin": 200,
        "coordinator": 200,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
        "anonymous": 403,
    }
    outcome = roles.coordinator.get(url).json()
    by_code = {s["code"]: s for s in outcome["standards"]}
    first, second = partial.assessment.standard.code, missing.assessment.standard.code
    assert by_code[first]["rating"] == "partially_met"  # the lead's decision, not not_met
    assert by_code[first]["rationale"] == "The team: the rota covers days only"
    assert by_code[second]["rating"] == "not_met"
    assert by_code[first]["self_rating"] == "met"
    assert [(f["id"], f["standard"], f["kind"], f["grade"]) for f in outcome["findings"]] == [
        (partial.pk, first, "nonconformity", "minor"),
        (missing.pk, second, "nonconformity", "minor"),
    ]
    assert outcome["findings"][0]["withdrawn"] is False
    assert outcome["findings"][0]["plan"] is None
    assert outcome["general_comments"] == []
    # Nothing of the auditors' own: not in any answer the institution or the team gets here.
    for role in ("coordinator", "lead", "second", "admin"):
        for path in ("outcome/", "report/"):
            text = roles.clients[role].get(api(review, path)).content.decode()
            for secret in SECRETS:
                assert secret not in text, (role, path, secret)
    assert "auditor" not in str(outcome["standards"]).lower()  # no auditor's name or rating


def test_coordinators_comment_on_the_released_draft(review: Review) -> None:
    partial, _missing = reviewed(review)
    roles = Roles(review)
    url = api(review, "report/comments/")
    on_partial = {"text": "See E3: nights are covered", "finding": partial.pk}
    assert post(roles.coordinator, url, on_partial).status_code == 403  # not released yet
    release(review, roles)
    assert roles.statuses(
        lambda c: post(c, url, on_partial),
        ["lead", "second", "admin", "contributor", "other_coordinator", "stranger"],
    ) == {
        "lead": 403,
        "second": 403,
        "admin": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    assert post(roles.lead, url, on_partial).json()["detail"] == (
        "The institution's coordinators comment on the draft report."
    )
    blank = post(roles.coordinator, url, {"text": "  ", "finding": "one"})
    assert blank.status_code == 400
    assert set(blank.json()) == {"text", "finding"}
    for foreign in elsewhere(review)["finding"]:
        wrong = post(roles.coordinator, url, {"text": "x", "finding": foreign})
        assert wrong.status_code == 400
        assert wrong.json()["detail"] == "That finding is not part of this audit."

    made = post(roles.coordinator, url, on_partial)
    assert made.status_code == 201, made.json()
    comment = made.json()
    assert (comment["finding"], comment["standard"], comment["text"]) == (
        partial.pk,
        partial.assessment.standard.code,
        "See E3: nights are covered",
    )
    assert (comment["author_email"], comment["outcome"], comment["answer"]) == (
        "coord-a@example.org",
        "",
        "",
    )
    assert (comment["changes"], comment["answered_at"]) == ({}, None)
    general = post(roles.coordinator, url, {"text": "Thank you", "finding": None})
    assert general.status_code == 201
    assert (general.json()["finding"], general.json()["standard"]) == (None, None)
    thread = roles.lead.get(api(review, "report/")).json()["comments"]
    assert [c["id"] for c in thread] == [comment["id"], general.json()["id"]]
    outcome = roles.coordinator.get(api(review, "outcome/")).json()
    assert [c["text"] for c in outcome["general_comments"]] == ["Thank you"]


def commented(review: Review) -> tuple[Roles, list[ReportComment], list[Finding]]:
    """The draft released, with a comment on each finding and one on the report as a whole."""
    findings = list(reviewed(review))
    roles = Roles(review)
    release(review, roles)
    coordinator = review.world.users["coordinator_a"]
    comments = [
        report_comment_add(audit=review.audit, user=coordinator, text=text, finding_id=finding)
        for text, finding in (
            ("See E3: nights are covered", findings[0].pk),
            ("Too harsh", findings[1].pk),
            ("Thank you", None),
        )
    ]
    return roles, comments, findings


def answer(review: Review, client: Client, comment_id: int, body: dict[str, Any]) -> Any:
    return post(client, api(review, f"report/comments/{comment_id}/answer/"), body)


MAINTAINED = {"outcome": "maintained", "answer": "No rota was shown"}


def test_the_lead_answers_each_comment(review: Review) -> None:
    roles, [on_partial, on_missing, general], findings = commented(review)
    assert roles.statuses(
        lambda c: answer(review, c, on_partial.pk, MAINTAINED),
        ["second", "admin", "coordinator", "contributor", "other_coordinator", "stranger"],
    ) == {
        "second": 403,
        "admin": 403,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    for foreign in [*elsewhere(review)["comment"], 2**40]:
        assert answer(review, roles.lead, foreign, MAINTAINED).status_code == 404
    bad = answer(review, roles.lead, on_partial.pk, {"outcome": "perhaps", "rating": "x"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"outcome", "answer", "rating"}
    unchanged = answer(review, roles.lead, on_partial.pk, {"outcome": "accepted", "answer": "Ok"})
    assert unchanged.status_code == 400
    assert unchanged.json()["detail"].startswith("An accepted comment changes the finding")
    general_change = answer(review, roles.lead, general.pk, MAINTAINED | {"withdraw": True})
    assert general_change.status_code == 400
    assert general_change.json()["detail"] == (
        "Only an accepted comment on a finding changes a rating or a finding."
    )

    accepted = answer(
        review,
        roles.lead,
        on_partial.pk,
        {"outcome": "accepted", "answer": "E3 shows it", "rating": "met"},
    )
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["outcome"], accepted.json()["answer"]) == ("accepted", "E3 shows it")
    assert accepted.json()["changes"] == {"rating": ["partially_met", "met"], "withdrawn": True}
    assert accepted.json()["answered_at"] is not None
    twice = answer(review, roles.lead, on_partial.pk, MAINTAINED)
    assert twice.status_code == 400
    assert twice.json()["detail"] == "This comment has been answered already."
    regraded = answer(
        review,
        roles.lead,
        on_missing.pk,
        {"outcome": "accepted", "answer": "Minor indeed", "grade": "major"},
    )
    assert regraded.json()["changes"] == {"grade": ["minor", "major"]}
    outcome = roles.coordinator.get(api(review, "outcome/")).json()
    assert [(f["withdrawn"], f["grade"]) for f in outcome["findings"]] == [
        (True, "minor"),
        (False, "major"),
    ]
    assert {s["code"]: s["rating"] for s in outcome["standards"]}[
        findings[0].assessment.standard.code
    ] == "met"


def test_the_reply_ends_and_the_lead_issues_the_final_report(review: Review) -> None:
    roles, comments, _findings = commented(review)
    final, done = api(review, "report/final/"), api(review, "report/replies-done/")
    blocked = post(roles.lead, final)
    assert blocked.status_code == 400
    assert blocked.json()["detail"].startswith("The final report cannot be issued yet:")
    assert blocked.json()["blockers"][1:] == ["3 comments of the institution are not answered yet."]
    assert blocked.json()["blockers"][0].startswith("The reply window is open until")
    assert roles.statuses(
        lambda c: post(c, final),
        ["second", "admin", "coordinator", "contributor", "other_coordinator", "stranger"],
    ) == {
        "second": 403,
        "admin": 403,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }

    assert roles.statuses(
        lambda c: post(c, done),
        ["lead", "second", "admin", "contributor", "other_coordinator", "stranger"],
    ) == {
        "lead": 403,
        "second": 403,
        "admin": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    over = post(roles.coordinator, done)
    assert over.status_code == 200, over.json()
    course = over.json()
    assert (course["reply_open"], course["release_blockers"]) == (False, None)
    assert course["replies_done_at"] is not None
    again = post(roles.coordinator, done)
    assert again.status_code == 400
    assert again.json()["detail"] == "The institution declared it has no more comments."
    late = post(roles.coordinator, api(review, "report/comments/"), {"text": "One more"})
    assert late.status_code == 400
    assert late.json()["detail"] == "The institution declared it has no more comments."

    assert post(roles.lead, final).json()["blockers"] == [
        "3 comments of the institution are not answered yet."
    ]
    for comment in comments:
        assert answer(review, roles.lead, comment.pk, MAINTAINED).status_code == 200
    issued = post(roles.lead, final)
    assert issued.status_code == 200, issued.json()
    assert (issued.json()["stage"], issued.json()["finalise_blockers"]) == (
        "final",
        ["The final report has been issued already."],
    )
    assert issued.json()["finalised_at"] is not None
    assert review.reload().status == "final_report"
    assert post(roles.lead, final).json()["blockers"] == [
        "The final report has been issued already."
    ]
    assert put(roles.lead, api(review, "report/recommendation/"), RECOMMENDATION).status_code == 400
    thread = roles.coordinator.get(api(review, "report/")).json()["comments"]
    assert [(c["text"], c["outcome"]) for c in thread] == [
        ("See E3: nights are covered", "maintained"),
        ("Too harsh", "maintained"),
        ("Thank you", "maintained"),
    ]


# --- Corrective actions --------------------------------------------------------------------------


def plan_body(*more: dict[str, str]) -> dict[str, Any]:
    actions = [
        {"description": "Set up a rota", "owner": "Head of nursing", "due_on": tomorrow()},
        *more,
    ]
    return {"cause": "No night rota", "actions": actions}


def test_a_coordinator_submits_the_plan_of_a_nonconformity(review: Review) -> None:
    partial, _missing = reviewed(review)
    roles = Roles(review)
    url = api(review, f"findings/{partial.pk}/plan/")
    assert put(roles.coordinator, url, plan_body()).status_code == 403  # before the release
    release(review, roles)
    assert roles.statuses(
        lambda c: put(c, url, plan_body()),
        ["lead", "second", "admin", "contributor", "other_coordinator", "stranger"],
    ) == {
        "lead": 403,
        "second": 403,
        "admin": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    for foreign in elsewhere(review)["finding"]:
        foreign_url = api(review, f"findings/{foreign}/plan/")
        assert put(roles.coordinator, foreign_url, plan_body()).status_code == 404
    empty = put(roles.coordinator, url, {"cause": "x", "actions": []})
    assert empty.status_code == 400
    assert "actions" in empty.json()
    invalid = put(roles.coordinator, url, {"cause": "", "actions": [{"due_on": "soon"}]})
    assert invalid.status_code == 400
    assert set(invalid.json()) == {"cause", "actions"}
    past = plan_body()
    past["actions"][0]["due_on"] = "2001-01-01"
    late = put(roles.coordinator, url, past)
    assert late.status_code == 400
    assert late.json()["detail"] == "Action 1: the due date is in the past."

    submitted = put(roles.coordinator, url, plan_body())
    assert submitted.status_code == 200, submitted.json()
    plan = submitted.json()
    assert (plan["finding"], plan["cause"], plan["state"], plan["version"]) == (
        partial.pk,
        "No night rota",
        "submitted",
        1,
    )
    [action] = plan["actions"]
    assert (action["position"], action["description"], action["owner"], action["state"]) == (
        1,
        "Set up a rota",
        "Head of nursing",
        "open",
    )
    assert action["due_on"] == tomorrow()
    again = put(
        roles.coordinator,
        url,
        plan_body({"description": "Nights", "owner": "On call", "due_on": tomorrow()}),
    )
    assert (again.json()["version"], len(again.json()["actions"])) == (2, 2)
    outcome = roles.lead.get(api(review, "outcome/")).json()
    assert outcome["findings"][0]["plan"]["id"] == plan["id"]


def submitted(review: Review) -> tuple[Roles, CorrectiveActionPlan]:
    partial, _missing = reviewed(review)
    roles = Roles(review)
    release(review, roles)
    plan = plan_submit(
        finding=partial,
        user=review.world.users["coordinator_a"],
        cause="No night rota",
        actions=[
            {
                "description": "Set up a rota",
                "owner": "Head of nursing",
                "due_on": timezone.localdate() + timedelta(days=1),
            }
        ],
    )
    return roles, plan


def test_the_lead_returns_then_accepts_the_plan(review: Review) -> None:
    roles, plan = submitted(review)
    url = api(review, f"plans/{plan.pk}/decision/")
    accept = {"accept": True}
    assert roles.statuses(
        lambda c: post(c, url, accept),
        ["second", "admin", "coordinator", "contributor", "other_coordinator", "stranger"],
    ) == {
        "second": 403,
        "admin": 403,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    assert post(roles.second, url, accept).json()["detail"] == (
        "Only the lead auditor accepts or returns a plan."
    )
    for foreign in elsewhere(review)["plan"]:
        assert (
            post(roles.lead, api(review, f"plans/{foreign}/decision/"), accept).status_code == 404
        )
    assert set(post(roles.lead, url, {"reason": "x"}).json()) == {"accept"}
    no_reason = post(roles.lead, url, {"accept": False})
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == "Say what the plan lacks."
    returned = post(roles.lead, url, {"accept": False, "reason": "Who covers nights?"})
    assert returned.status_code == 200, returned.json()
    assert (returned.json()["state"], returned.json()["return_reason"]) == (
        "returned",
        "Who covers nights?",
    )
    twice = post(roles.lead, url, accept)
    assert twice.status_code == 400
    assert twice.json()["detail"] == (
        "This plan is returned for changes: only a submitted plan is accepted or returned."
    )
    action = plan.actions.get()
    early = roles.coordinator.post(
        api(review, f"actions/{action.pk}/done/"),
        {
            "note": "Rota in place",
            "files": [pdf_upload("rota.pdf", "Rota")[0]],
            "confirmed_no_personal_data": True,
        },
    )
    assert early.status_code == 400
    assert early.json()["detail"] == "Actions are reported done once their plan is accepted."
    finding = Finding.objects.for_institution(plan.institution_id).get(pk=plan.finding_id)
    resubmitted = put(roles.coordinator, api(review, f"findings/{finding.pk}/plan/"), plan_body())
    assert resubmitted.json()["state"] == "submitted"
    accepted = post(roles.lead, url, accept)
    assert (accepted.json()["state"], accepted.json()["return_reason"]) == ("accepted", "")
    locked = put(roles.coordinator, api(review, f"findings/{finding.pk}/plan/"), plan_body())
    assert locked.status_code == 400
    assert locked.json()["detail"] == (
        "This plan has been accepted: its actions are reported done."
    )


def accepted_action(review: Review) -> tuple[Roles, CorrectiveAction]:
    roles, plan = submitted(review)
    plan_decide(plan=plan, user=review.lead, accept=True)
    return roles, plan.actions.get()


ROTA = {"note": "Rota in place", "confirmed_no_personal_data": True}


def report_done(review: Review, client: Client, action_id: int, **fields: Any) -> Any:
    """Multipart, as a browser sends it; a field given as None is left out."""
    data = ROTA | {"files": [pdf_upload("rota.pdf", "Rota")[0]]} | fields
    return client.post(
        api(review, f"actions/{action_id}/done/"),
        {key: value for key, value in data.items() if value is not None},
    )


def test_a_coordinator_reports_an_action_done_with_its_file(review: Review) -> None:
    roles, action = accepted_action(review)
    assert roles.statuses(
        lambda c: report_done(review, c, action.pk),
        ["lead", "second", "admin", "contributor", "other_coordinator", "stranger"],
    ) == {
        "lead": 403,
        "second": 403,
        "admin": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    for foreign in elsewhere(review)["action"]:
        assert report_done(review, roles.coordinator, foreign).status_code == 404
    json_body = post(roles.coordinator, api(review, f"actions/{action.pk}/done/"), ROTA)
    assert json_body.status_code == 415
    no_file = report_done(review, roles.coordinator, action.pk, files=None, note=None)
    assert no_file.status_code == 400
    assert no_file.json() == {
        "note": ["This field is required."],
        "files": ["Add the evidence that the action is done."],
    }
    unconfirmed = report_done(
        review, roles.coordinator, action.pk, confirmed_no_personal_data=False
    )
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["detail"].startswith("rota.pdf: Confirm that the file")
    program = SimpleUploadedFile("rota.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")
    wrong_type = report_done(review, roles.coordinator, action.pk, files=[program])
    assert wrong_type.status_code == 400
    assert wrong_type.json()["detail"].startswith("rota.exe:")
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        big = pdf_upload("big.pdf", "Rota " * 2000)[0]
        too_big = report_done(review, roles.coordinator, action.pk, files=[big])
    assert too_big.status_code == 400
    assert too_big.json() == {"files": ["big.pdf: it is larger than 1.0\xa0KB."]}
    action.refresh_from_db()
    assert action.state == "open"
    assert manifest_verify(audit=review.reload()) == []

    reported = report_done(review, roles.coordinator, action.pk)
    assert reported.status_code == 200, reported.json()
    body = reported.json()
    assert (body["id"], body["state"], body["done_note"]) == (action.pk, "done", "Rota in place")
    [addendum] = body["reports"]
    assert [f["name"] for f in addendum["files"]] == ["rota.pdf"]
    assert addendum["previous_digest"] == review.reload().manifest_digest
    assert manifest_verify(audit=review.audit) == []  # the addendum chains to the seal
    twice = report_done(review, roles.coordinator, action.pk)
    assert twice.status_code == 400
    assert twice.json()["detail"] == "This action is reported done, to verify."


def test_an_auditor_of_the_team_verifies_the_action(review: Review) -> None:
    roles, action = accepted_action(review)
    url = api(review, f"actions/{action.pk}/verification/")
    close = {"close": True}
    not_done = post(roles.lead, url, close)
    assert not_done.status_code == 400
    assert not_done.json()["detail"] == "Only an action reported done is verified."
    assert report_done(review, roles.coordinator, action.pk).status_code == 200
    assert roles.statuses(
        lambda c: post(c, url, close),
        ["admin", "coordinator", "contributor", "other_coordinator", "stranger"],
    ) == {
        "admin": 403,
        "coordinator": 403,
        "contributor": 403,
        "other_coordinator": 404,
        "stranger": 404,
    }
    for foreign in elsewhere(review)["action"]:
        foreign_url = api(review, f"actions/{foreign}/verification/")
        assert post(roles.lead, foreign_url, close).status_code == 404
    assert set(post(roles.lead, url, {"reason": "x"}).json()) == {"close"}
    no_reason = post(roles.second, url, {"close": False})
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == "Say why the action stays open."
    kept = post(roles.second, url, {"close": False, "reason": "Nights not covered"})
    assert kept.status_code == 200, kept.json()
    assert (kept.json()["state"], kept.json()["verification_reason"]) == (
        "open",
        "Nights not covered",
    )
    again = report_done(review, roles.coordinator, action.pk, note="Nights covered too")
    assert again.status_code == 200
    closed = post(roles.lead, url, close)
    assert closed.status_code == 200
    assert (closed.json()["state"], closed.json()["verification_reason"]) == ("closed", "")
    assert [r["comment"] for r in closed.json()["reports"]] == [
        "Rota in place",
        "Nights covered too",
    ]
    assert manifest_verify(audit=review.reload()) == []
    outcome = roles.coordinator.get(api(review, "outcome/")).json()
    plan = outcome["findings"][0]["plan"]
    assert (plan["state"], [a["state"] for a in plan["actions"]]) == ("accepted", ["closed"])
    for secret in SECRETS:
        assert secret not in str(outcome)
