"""The decision and certificate pages: an ERNST admin off the team decides in the page and is
taken to the certificate; a team member reads why not (403); the institution reads its own
certificates, never changes them; nobody else finds them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ERNST_ADMINS
from accounts.services import platform_groups_ensure
from certification.models import Certificate
from certification.services import certificate_issue
from tests.audits.support import form_errors, page_text
from tests.certification.conftest import finalised
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def test_an_admin_off_the_team_decides_on_the_page(review: Review) -> None:
    finalised(review)
    admin = review.client(review.admin)
    url = review.url("certification:decision")
    page = admin.get(url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Do not certify: no level's rules pass." in text  # the proposal
    assert "Record the decision" in text
    take = review.url("certification:decision_take")
    departs = admin.post(take, {"outcome": "certify", "reason": "All but TRA03"})
    assert departs.status_code == 400
    assert "departs from the rule evaluation" in form_errors(departs)
    due = (timezone.localdate() + timedelta(days=45)).isoformat()
    done = admin.post(
        take,
        {
            "outcome": "conditions",
            "reason": "TRA03 minor, plan accepted",
            "departure_reason": "The plan closes it within weeks",
            "conditions_due_on": due,
        },
    )
    certificate = Certificate.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("certification:certificate", args=[certificate.pk])
    documents = page_text(review.client(review.world.users["coordinator_a"]).get(done["Location"]))
    assert "Decision letter v1" in documents
    assert "Certificate v1" in documents
    again = admin.get(url)
    assert "The plan closes it within weeks" in page_text(again)
    assert "Record the decision" not in page_text(again)


def test_a_team_member_is_told_why_and_the_institution_may_not_decide(review: Review) -> None:
    finalised(review)
    review.lead.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    lead = review.client(review.lead)
    page = lead.get(review.url("certification:decision"))
    assert page.status_code == 403
    assert "took no part in the audit" in page.content.decode()
    refused = lead.post(
        review.url("certification:decision_take"), {"outcome": "do_not_certify", "reason": "x"}
    )
    assert refused.status_code == 403
    coordinator = review.client(review.world.users["coordinator_a"])
    assert coordinator.get(review.url("certification:decision")).status_code == 403
    other = review.client(review.world.users["coordinator_b"])
    assert other.get(review.url("certification:decision")).status_code == 404


def test_certificates_are_read_by_their_institution_and_changed_by_admins(review: Review) -> None:
    finalised(review)
    admin = review.client(review.admin)
    admin.post(
        review.url("certification:decision_take"),
        {"outcome": "do_not_certify", "reason": "r"},
    )
    certificate = certificate_issue(  # one more of the institution's, besides the decision
        institution_id=review.audit.institution_id,
        scheme="training",
        setting="hospital",
        user=review.admin,
    )
    url = reverse("certification:certificate", args=[certificate.pk])
    change = reverse("certification:certificate_change", args=[certificate.pk])
    coordinator = review.client(review.world.users["coordinator_a"])
    page = coordinator.get(url)
    assert page.status_code == 200
    assert "Change the status" not in page_text(page)
    assert coordinator.post(change, {"change": "withdraw", "reason": "x"}).status_code == 403
    listed = page_text(coordinator.get(reverse("certification:certificates")))
    assert certificate.number in listed
    for outsider in ("contributor_a", "coordinator_b"):
        client = review.client(review.world.users[outsider])
        assert client.get(url).status_code == 404
        assert client.post(change, {"change": "withdraw", "reason": "x"}).status_code == 404
    other_list = review.client(review.world.users["coordinator_b"]).get(
        reverse("certification:certificates")
    )
    assert certificate.number not in page_text(other_list)
    missing = admin.post(change, {"change": "suspend"})
    assert missing.status_code == 400
    suspended = admin.post(change, {"change": "suspend", "reason": "Complaint under review"})
    assert suspended.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    history = page_text(admin.get(url))
    assert "Complaint under review" in history
    twice = admin.post(change, {"change": "suspend", "reason": "again"})
    assert twice.status_code == 400


def test_the_decision_page_reads_the_rule_evaluation_once(review: Review) -> None:
    """The proposal and the page's evaluation are one reading of the consolidated ratings (12
    queries in all, the session read from the cache and the permissions in one; 14 when each
    read them)."""
    finalised(review)
    admin = review.client(review.admin)
    url = review.url("certification:decision")
    admin.get(url)  # the session, the permission caches
    with CaptureQueriesContext(connection) as queries:
        assert admin.get(url).status_code == 200
    consolidated = [
        q for q in queries if "reviews_consolidatedrating" in q["sql"].split("WHERE")[0]
    ]
    assert len(consolidated) == 1
    assert len(queries) == 12
