"""The certification decision and the certificates' life, in the services: impartiality, the
proposal and a departure's reason, conditions, numbering without gaps or duplicates (PostgreSQL,
concurrent issues), every allowed and refused change, and the periodic tasks run twice."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit, AuditEvent
from certification.models import Certificate, CertificateEvent, CertificateSequence, Decision
from certification.services import (
    TRANSITIONS,
    certificate_change,
    certificate_issue,
    certificates_expire,
    conditions_enforce,
    decision_take,
    expiry_after,
)
from rescue.errors import ActionForbiddenError, ActionRefusedError
from tests.certification.conftest import finalised
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def decide(review: Review, **overrides: object) -> Decision:
    values: dict[str, object] = {
        "audit": review.reload(),
        "user": review.admin,
        "outcome": "conditions",
        "level": "",
        "reason": "One minor nonconformity with an accepted plan",
        "departure_reason": "The plan closes TRA03 within weeks",
        "conditions_due_on": timezone.localdate() + timedelta(days=60),
    }
    values.update(overrides)
    return decision_take(**values)  # type: ignore[arg-type]


def test_a_team_member_may_not_decide_and_is_told_why(review: Review) -> None:
    finalised(review)
    review.lead.groups.add(platform_groups_ensure()[ERNST_ADMINS])  # an admin who audited it
    lead = User.objects.get(pk=review.lead.pk)  # permissions read afresh
    with pytest.raises(ActionForbiddenError, match="review team"):
        decide(review, user=lead)
    with pytest.raises(ActionForbiddenError, match="Only ERNST administrators"):
        decide(review, user=review.world.users["coordinator_a"])
    assert review.reload().status == Audit.Status.FINAL_REPORT


def test_the_decision_is_taken_on_the_final_report_only(review: Review) -> None:
    review.form_team(second=False)
    with pytest.raises(ActionRefusedError, match="on the final report"):
        decide(review, outcome="do_not_certify", departure_reason="")


def test_conditions_issue_a_certificate_and_record_the_proposal(review: Review) -> None:
    finalised(review)
    decision = decide(review)
    assert decision.proposed_outcome == "do_not_certify"  # TRA03 partially met fails the rule
    assert decision.departs
    assert decision.departure_reason == "The plan closes TRA03 within weeks"
    assert review.reload().status == Audit.Status.DECIDED
    certificate = Certificate.objects.for_institution(review.audit.institution_id).get(
        decision=decision
    )
    year = timezone.localdate().year
    before = Certificate.objects.for_institution(review.audit.institution_id).exclude(
        pk=certificate.pk
    )
    assert certificate.number == f"RESCUE-TRA-{year}-{before.count() + 1:06d}"
    assert certificate.expires_on == expiry_after(certificate.issued_on, 5)
    assert certificate.conditions_due_on == decision.conditions_due_on
    assert len(certificate.code) >= 20
    assert list(certificate.events.values_list("action", "actor_email")) == [
        ("issued", review.admin.email)
    ]
    assert (
        AuditEvent.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit, action="decided")
        .exists()
    )


def test_departing_without_a_reason_is_refused(review: Review) -> None:
    finalised(review)
    with pytest.raises(ActionRefusedError, match="departs from the rule evaluation"):
        decide(review, outcome="certify", departure_reason="", conditions_due_on=None)
    decision = decide(review, outcome="do_not_certify", departure_reason="", conditions_due_on=None)
    assert not decision.departs  # as proposed: no reason needed
    assert (
        not Certificate.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .exists()
    )


def test_conditions_need_an_accepted_plan_and_a_future_date(review: Review) -> None:
    finalised(review, plan=False)
    with pytest.raises(ActionRefusedError, match="no accepted corrective-action plan"):
        decide(review)
    with pytest.raises(ActionRefusedError, match="Give the date"):
        decide(review, conditions_due_on=timezone.localdate())


def test_a_level_is_for_intervention_audits_only(review: Review) -> None:
    finalised(review)
    with pytest.raises(ActionRefusedError, match="A level goes only"):
        decide(review, level="design")


def issued(review: Review, n: int = 1) -> list[Certificate]:
    return [
        certificate_issue(
            institution_id=review.audit.institution_id,
            scheme="training",
            setting="hospital",
            user=review.admin,
            issued_on=date(2031, 3, 1),
        )
        for _ in range(n)
    ]


def test_numbers_follow_each_other_per_scheme_and_year(review: Review) -> None:
    first, second = issued(review, 2)
    assert (first.number, second.number) == ("RESCUE-TRA-2031-000001", "RESCUE-TRA-2031-000002")
    other = certificate_issue(
        institution_id=review.audit.institution_id,
        scheme="intervention",
        setting="hospital",
        level="design",
        user=review.admin,
        issued_on=date(2032, 1, 5),
    )
    assert other.number == "RESCUE-INT-2032-000001"
    assert expiry_after(date(2028, 2, 29), 5) == date(2033, 2, 28)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers(review: Review) -> None:
    """Eight threads, each its own PostgreSQL connection, issue at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    scope = review.audit.institution_id
    start = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            start.wait()
            certificate = certificate_issue(
                institution_id=scope,
                scheme="training",
                setting="hospital",
                user=None,
                issued_on=date(2033, 6, 1),
            )
            numbers.append(certificate.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"RESCUE-TRA-2033-{n:06d}" for n in range(1, 9)]
    assert CertificateSequence.objects.get(prefix="TRA-2033").last == 8


# Every change from every status: allowed (the status after) or refused.
LIFECYCLE = [
    ("active", "suspend", "suspended"),
    ("active", "reinstate", None),
    ("active", "withdraw", "withdrawn"),
    ("suspended", "suspend", None),
    ("suspended", "reinstate", "active"),
    ("suspended", "withdraw", "withdrawn"),
    ("withdrawn", "suspend", None),
    ("withdrawn", "reinstate", None),
    ("withdrawn", "withdraw", None),
    ("expired", "suspend", None),
    ("expired", "reinstate", None),
    ("expired", "withdraw", None),
    ("superseded", "suspend", None),
    ("superseded", "reinstate", None),
    ("superseded", "withdraw", None),
]


def test_the_lifecycle_table_covers_every_change() -> None:
    assert {(s, c) for s, c, _ in LIFECYCLE} == {
        (status, change) for status in Certificate.Status.values for change in TRANSITIONS
    }


@pytest.mark.parametrize(("status", "change", "after"), LIFECYCLE)
def test_lifecycle(review: Review, status: str, change: str, after: str | None) -> None:
    [certificate] = issued(review)
    today = timezone.localdate()
    certificate.issued_on, certificate.expires_on = today, today + timedelta(days=900)
    certificate.status = status
    certificate.save()
    if after is None:
        with pytest.raises(ActionRefusedError, match="cannot be"):
            certificate_change(
                certificate=certificate, user=review.admin, change=change, reason="r"
            )
        certificate.refresh_from_db()
        assert certificate.status == status
        return
    certificate_change(certificate=certificate, user=review.admin, change=change, reason="Why")
    certificate.refresh_from_db()
    assert certificate.status == after
    event = certificate.events.order_by("-pk")[0]
    assert (event.from_status, event.to_status, event.reason) == (status, after, "Why")
    assert event.actor_email == review.admin.email


def test_changes_need_an_admin_a_reason_and_a_future_end(review: Review) -> None:
    [certificate] = issued(review)
    with pytest.raises(ActionForbiddenError):
        certificate_change(certificate=certificate, user=review.lead, change="suspend", reason="r")
    with pytest.raises(ActionRefusedError, match="Say why"):
        certificate_change(certificate=certificate, user=review.admin, change="suspend", reason="")
    with pytest.raises(ActionRefusedError, match="end date"):
        certificate_change(
            certificate=certificate,
            user=review.admin,
            change="suspend",
            reason="r",
            until=timezone.localdate(),
        )
    suspended = certificate_change(
        certificate=certificate,
        user=review.admin,
        change="suspend",
        reason="Complaint under review",
        until=timezone.localdate() + timedelta(days=30),
    )
    assert suspended.suspended_until == timezone.localdate() + timedelta(days=30)


def test_expiry_runs_twice_harmlessly(review: Review) -> None:
    old, current = issued(review, 2)
    Certificate.unscoped.filter(pk=old.pk).update(expires_on=date(2026, 3, 31))
    Certificate.unscoped.filter(pk=current.pk).update(expires_on=date(2030, 3, 31))
    assert certificates_expire(today=date(2026, 4, 1)) == [old.number]
    assert certificates_expire(today=date(2026, 4, 1)) == []
    old.refresh_from_db()
    assert old.status == "expired"
    assert old.events.filter(action=CertificateEvent.Action.EXPIRED).count() == 1
    current.refresh_from_db()
    assert current.status == "active"


def test_open_conditions_past_their_date_suspend_once(review: Review) -> None:
    finalised(review)
    decide(review)
    certificate = Certificate.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit
    )
    due = certificate.conditions_due_on
    assert due is not None
    assert conditions_enforce(today=due) == []  # not past yet
    after = due + timedelta(days=1)
    assert conditions_enforce(today=after) == [certificate.number]
    assert conditions_enforce(today=after) == []
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    event = certificate.events.get(action=CertificateEvent.Action.AUTO_SUSPENDED)
    assert review.codes[2] in event.reason
    assert event.actor_email == ""
