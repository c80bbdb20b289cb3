"""The demo's appeal: the Austrian nursing home's coordinator appeals the decision on its
Training audit, with a statement and a file; it waits for an ERNST admin. The admin who took the
decision may not handle it (the page says why); the demo's second admin, who took no part in the
audit nor in the decision, may."""

from accounts.models import User
from audits.models import Audit
from certification.appeals import appeal_lodge, appeal_refusal
from certification.models import Appeal, Decision
from demo.dossiers import DemoDocument, demo_file
from institutions.models import Institution, Membership

INSTITUTION = "Pflegeheim Am Lindenhof"
STATEMENT = (
    "The certificate names the nursing home only. Our day-care unit runs the same second-victim "
    "training, with the same trainers and the same supervision, as the attached rota shows, and "
    "its training records were in the dossier. We ask that the decision be reconsidered so that "
    "the certification covers the day-care unit as well."
)
ROTA = DemoDocument(
    "day-care-unit-training-rota.pdf",
    "Day-care unit: training and supervision rota",
    (),
    (
        (
            "The day-care unit's staff attend the same peer-supporter training as the "
            "residential wards, in the cohorts of 2025 and 2026."
        ),
        "Supervision is given monthly by the programme lead to both teams together.",
    ),
    age_days=20,
)


def appeal_demo_ensure() -> bool:
    """Lodge the appeal once (the decided audit and its decision must exist); whether it was
    lodged now."""
    institution = Institution.objects.filter(name=INSTITUTION).first()
    if institution is None:
        return False
    decision = (
        Decision.objects.for_institution(institution)
        .filter(audit__component="training", audit__status=Audit.Status.DECIDED)
        .select_related("audit")
        .first()
    )
    if decision is None or Appeal.objects.for_institution(institution).exists():
        return False
    coordinator = User.objects.get(
        memberships__institution=institution, memberships__role=Membership.Role.COORDINATOR
    )
    if appeal_refusal(coordinator, decision) is not None:
        return False  # seeded again past the time to appeal: nothing to add
    appeal_lodge(
        decision=decision,
        user=coordinator,
        statement=STATEMENT,
        uploads=[demo_file(ROTA, institution)],
        confirmed_no_personal_data=True,
    )
    return True
