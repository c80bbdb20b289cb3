"""An audit with a final report, ready for the decision: a single-auditor Training review with
one minor nonconformity whose plan is accepted (``final``), built through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import Audit
from reviews.models import Finding
from reviews.services.plans import plan_decide, plan_submit
from reviews.services.report import replies_done, report_finalise, report_release
from tests.reviews.conftest import Review, review  # noqa: F401 - the fixture, by name
from tests.reviews.test_report_course import graded, recommend


def finalised(
    review: Review,  # noqa: F811 - a parameter, not the fixture
    *,
    short: str = "partially_met",
    plan: bool = True,
) -> Audit:
    """Rated met but one standard (``short``), graded minor, a plan accepted, released, the
    reply declared over, final."""
    [finding] = graded(review, **{review.codes[2]: short})
    recommend(review)
    report_release(audit=review.reload(), user=review.lead)
    coordinator = review.world.users["coordinator_a"]
    if plan:
        submitted = plan_submit(
            finding=finding,
            user=coordinator,
            cause="Role play not scheduled",
            actions=[
                {
                    "description": "Schedule role play",
                    "owner": "Training lead",
                    "due_on": timezone.localdate() + timedelta(days=30),
                }
            ],
        )
        plan_decide(plan=submitted, user=review.lead, accept=True)
    replies_done(audit=review.audit, user=coordinator)
    report_finalise(audit=review.audit, user=review.lead)
    return review.reload()


@pytest.fixture
def final(review: Review) -> Review:  # noqa: F811 - the fixture above, extended
    finalised(review)
    return review


def finding_of(review: Review) -> Finding:  # noqa: F811 - a parameter
    return Finding.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit, kind=Finding.Kind.NONCONFORMITY
    )
