"""Decisions and certificates over the API: an ERNST admin off the team decides (201), a team
member is refused with the reason (403); certificates are listed for admins and their
institution's coordinators only, and their status changed by admins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import ERNST_ADMINS
from accounts.services import platform_groups_ensure
from certification.models import Certificate
from tests.certification.conftest import finalised
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def url(review: Review) -> str:
    return f"/api/v1/audits/{review.audit.pk}/decision/"


def test_the_decision_over_the_api(review: Review) -> None:
    finalised(review)
    admin = review.client(review.admin)
    assert admin.get(url(review)).status_code == 404  # none yet
    review.lead.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    lead = review.client(review.lead)
    body = {
        "outcome": "conditions",
        "reason": "One minor, planned",
        "departure_reason": "The plan closes it",
        "conditions_due_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
    }
    refused = lead.post(url(review), body, content_type="application/json")
    assert refused.status_code == 403
    assert "took no part" in refused.json()["detail"]
    coordinator = review.client(review.world.users["coordinator_a"])
    assert coordinator.post(url(review), body, content_type="application/json").status_code == 403
    bad = admin.post(url(review), {"outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"outcome", "reason"}
    departs = admin.post(
        url(review), {**body, "departure_reason": ""}, content_type="application/json"
    )
    assert departs.status_code == 400
    assert "departs" in departs.json()["detail"]
    taken = admin.post(url(review), body, content_type="application/json")
    assert taken.status_code == 201
    data = taken.json()
    assert data["outcome"] == "conditions"
    assert data["proposed_outcome"] == "do_not_certify"
    [number] = data["certificates"]
    again = admin.post(url(review), body, content_type="application/json")
    assert again.status_code == 400  # decided already
    assert coordinator.get(url(review)).json()["certificates"] == [number]
    contributor = review.client(review.world.users["contributor_a"])
    assert contributor.get(url(review)).status_code == 403
    assert review.client(review.world.users["coordinator_b"]).get(url(review)).status_code == 404


def test_certificates_over_the_api(review: Review) -> None:
    finalised(review)
    admin = review.client(review.admin)
    admin.post(
        url(review),
        {
            "outcome": "conditions",
            "reason": "One minor, planned",
            "departure_reason": "The plan closes it",
            "conditions_due_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
        },
        content_type="application/json",
    )
    certificate = Certificate.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit
    )
    coordinator = review.client(review.world.users["coordinator_a"])
    listed = coordinator.get("/api/v1/certificates/").json()
    assert certificate.number in [c["number"] for c in listed["results"]]
    other = review.client(review.world.users["coordinator_b"]).get("/api/v1/certificates/")
    assert certificate.number not in [c["number"] for c in other.json()["results"]]
    detail = f"/api/v1/certificates/{certificate.pk}/"
    assert coordinator.get(detail).json()["events"][0]["action"] == "issued"
    assert review.client(review.world.users["coordinator_b"]).get(detail).status_code == 404
    status = f"{detail}status/"
    change = {"change": "suspend", "reason": "Complaint under review"}
    assert coordinator.post(status, change, content_type="application/json").status_code == 403
    changed = admin.post(status, change, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["status"] == "suspended"
    twice = admin.post(status, change, content_type="application/json")
    assert twice.status_code == 400
