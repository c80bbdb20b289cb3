"""The demo's competences track: Lucía Martín, a peer supporter of the Spanish hospital, has
applied for the certification of her competences. The hospital's coordinator endorsed it; she
assessed herself on the fourteen competences with three files of her own and submitted it. It is
in review: Clara (qualified for the competences) leads, Ana seconds (an override: she is not);
both have rated some competences blind, and Clara has recorded the assessment interview. The
coordinator sees its stage on the hospital's "Peer supporters' applications" page, never its
content.

Sofía Navarro, certified through the same hospital, has since moved to the Dutch centre: her
certificate stays hers and valid, and she has listed it in the public register."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from audits.services.assessments import assessment_self_rate
from audits.services.submission import audit_submit
from certification.models import Certificate
from certification.services import certificate_listing_set
from competences.services import application_create, application_endorse
from demo.certification import final_review_demo_ensure
from demo.dossiers import DemoDocument, demo_file
from evidence.services import evidence_upload
from institutions.models import Institution, Membership
from reviews.models import AssessmentInterview, AuditorAssignment
from reviews.services.interviews import interview_record
from reviews.services.ratings import rating_save
from reviews.services.team import assignment_accept, team_assign
from standards.choices import Component
from standards.selectors import catalogue_version_active

INSTITUTION = "Hospital Universitario del Mediterráneo"
APPLICANT = "peer@mediterraneo.example"
COORDINATOR = "coordinator@mediterraneo.example"
MOVED = "peer@delinde.example"  # Sofía Navarro, certified, now at the Dutch centre

TRAINING_CERTIFICATE = DemoDocument(
    "peer-supporter-training-certificate.pdf",
    "Certificate of the peer-supporter training",
    (),
    (
        (
            "Completed the 24-hour peer-supporter course of the hospital's second-victim "
            "programme: psychological first aid, active listening, referral pathways, "
            "self-care."
        ),
        "Forty per cent of the course was practice: role play and supervised simulation.",
    ),
    age_days=700,
)
REFLECTION = DemoDocument(
    "reflective-statement.pdf",
    "Reflective statement on two years of peer support",
    (),
    (
        (
            "What I learnt about listening without judging, about knowing the limits of peer "
            "support and referring in time, and about looking after myself after a hard "
            "conversation. No colleague, event or session is described."
        ),
    ),
    age_days=40,
)
SUPERVISION = DemoDocument(
    "record-of-supervised-practice.pdf",
    "Record of supervised practice, 2025-2026",
    (),
    (
        (
            "Monthly group supervision with the programme's psychologist since March 2025, and "
            "four individual supervisions; signed by the supervisor. Dates and hours only: no "
            "colleague or session is described."
        ),
    ),
    age_days=25,
)
# The other competences, each with a line of its own and the training certificate and the
# record of supervised practice in support.
FURTHER = {
    "COM04": "I co-facilitate the quarterly group sessions of the programme.",
    "COM05": "I apply psychological first aid as trained, and keep to its limits.",
    "COM06": "I recognise when a colleague needs more than peer support and refer in time.",
    "COM07": "I know the referral pathways of the hospital and use them.",
    "COM08": "I keep to confidentiality as the programme's protocol sets it.",
    "COM09": "I look after myself after a hard conversation: supervision and my own support.",
    "COM10": "I know the second-victim phenomenon and its stages.",
    "COM11": "I follow up one to two weeks after a first contact, as the protocol asks.",
    "COM12": "I hand over to another supporter after three or four sessions when it helps.",
    "COM13": "I take part in the programme's supervision every month.",
    "COM14": "I keep my training up to date: two refresher days a year.",
}
# (competence, rating, narrative, the files that support it)
SELF_ASSESSMENT = (
    (
        "COM01",
        StandardAssessment.Rating.MET,
        (
            "I communicate clearly and calmly with colleagues after adverse events; the training "
            "certificate covers the communication modules."
        ),
        (TRAINING_CERTIFICATE,),
    ),
    (
        "COM02",
        StandardAssessment.Rating.MET,
        (
            "Active, empathetic listening is the core of my practice; my reflective statement "
            "describes how I learnt it and how supervision keeps it sharp."
        ),
        (TRAINING_CERTIFICATE, REFLECTION),
    ),
    (
        "COM03",
        StandardAssessment.Rating.PARTIALLY_MET,
        (
            "I adapt to colleagues of other cultures and languages; a course on cultural "
            "sensitivity is planned for next spring."
        ),
        (SUPERVISION,),
    ),
    *(
        (code, StandardAssessment.Rating.MET, line, (TRAINING_CERTIFICATE, SUPERVISION))
        for code, line in FURTHER.items()
    ),
)
# (competence, Clara's rating, Ana's rating); None: not rated yet by that auditor.
BLIND_RATINGS = (
    ("COM01", StandardAssessment.Rating.MET, StandardAssessment.Rating.MET),
    ("COM02", StandardAssessment.Rating.MET, StandardAssessment.Rating.MET),
    ("COM03", StandardAssessment.Rating.PARTIALLY_MET, StandardAssessment.Rating.MET),
    ("COM04", StandardAssessment.Rating.MET, None),
    ("COM06", StandardAssessment.Rating.MET, None),
)


def application_demo_ensure() -> bool:
    """Lucía's application, once (the competences catalogue must be active), taken into review;
    whether it was made now."""
    cast = _cast(APPLICANT)
    if cast is None:
        return False
    institution, applicant, coordinator, admin = cast
    application, assessments = _submitted_application(institution, applicant, coordinator)
    _review_ensure(application, assessments, admin)
    return True


def moved_supporter_demo_ensure() -> bool:
    """Sofía Navarro applied through the Spanish hospital when she supported its programme, was
    certified, and has since moved to the Dutch centre (a peer supporter there now): her
    certificate stays hers and valid, and she has listed it in the public register. Whether it
    was made now."""
    cast = _cast(MOVED)
    if cast is None:
        return False
    institution, holder, coordinator, admin = cast
    spanish = Membership.objects.create(
        user=holder, institution=institution, role=Membership.Role.PEER_SUPPORTER
    )
    application, _assessments = _submitted_application(institution, holder, coordinator)
    final_review_demo_ensure(
        audit=application,
        admin=admin,
        lead_email="auditor3@rescue.example",
        shortfall=None,
        decide=True,
    )
    spanish.delete()  # she left the hospital for the Dutch centre
    certificate = Certificate.unscoped.get(holder=holder)
    certificate_listing_set(certificate=certificate, user=holder, listed=True)
    return True


def _cast(applicant_email: str) -> tuple[Institution, User, User, User] | None:
    """The hospital, the applicant, its coordinator and the ERNST admin, if the demo has them,
    the competences catalogue is active and the applicant has not applied yet."""
    institution = Institution.objects.filter(name=INSTITUTION).first()
    applicant = User.objects.filter(email=applicant_email).first()
    coordinator = User.objects.filter(email=COORDINATOR).first()
    admin = User.objects.filter(email="admin@rescue.example").first()
    if institution is None or applicant is None or coordinator is None or admin is None:
        return None
    if catalogue_version_active(component=Component.COMPETENCES) is None:
        return None
    if Audit.unscoped.filter(applicant=applicant).exists():
        return None
    return institution, applicant, coordinator, admin


def _submitted_application(
    institution: Institution, applicant: User, coordinator: User
) -> tuple[Audit, dict[str, StandardAssessment]]:
    """An application with every competence self-assessed and the three files, endorsed and
    submitted."""
    application = application_create(institution=institution, user=applicant)
    assessments = {a.standard.code: a for a in application.assessments.select_related("standard")}
    for code, rating, narrative, _documents in SELF_ASSESSMENT:
        assessment_self_rate(
            assessment=assessments[code], user=applicant, self_rating=rating, narrative=narrative
        )
    for document in (TRAINING_CERTIFICATE, REFLECTION, SUPERVISION):
        evidence_upload(
            audit=application,
            user=applicant,
            uploaded=demo_file(document, institution),
            assessments=[assessments[c] for c, _r, _n, docs in SELF_ASSESSMENT if document in docs],
            confirmed_no_personal_data=True,
            effective_date=timezone.localdate() - timedelta(days=document.age_days),
        )
    application_endorse(audit=application, user=coordinator)
    return audit_submit(audit=application, user=applicant), assessments


def _review_ensure(
    application: Audit, assessments: dict[str, StandardAssessment], admin: User
) -> None:
    """Clara leads, Ana seconds; both accept and rate some competences blind; Clara records the
    interview."""
    clara = User.objects.get(email="auditor3@rescue.example")
    ana = User.objects.get(email="auditor1@rescue.example")
    due = timezone.localdate() + timedelta(days=30)
    places = []
    for auditor, role, override in (
        (clara, AuditorAssignment.Role.LEAD, ""),
        (
            ana,
            AuditorAssignment.Role.SECOND,
            "Ana has interviewed peer supporters for the hospital programmes she audits.",
        ),
    ):
        place = team_assign(
            audit=application,
            auditor=auditor,
            role=role,
            assigned_by=admin,
            due_on=due,
            override_reason=override,
        )
        places.append(assignment_accept(assignment=place, user=auditor))
    application.refresh_from_db()
    for code, *ratings in BLIND_RATINGS:
        assessment = assessments[code]
        files = [link.evidence for link in assessment.evidence_links.select_related("evidence")]
        for place, auditor, rating in zip(places, (clara, ana), ratings, strict=True):
            if rating is None:
                continue
            place.audit = application
            rating_save(
                assignment=place,
                assessment=assessment,
                user=auditor,
                rating=rating,
                rationale=""
                if rating == StandardAssessment.Rating.MET
                else f"{auditor.first_name}: the course on cultural sensitivity is still to come.",
                notes="",
                evidence=files[:1],
                base_version=0,
            )
    interview_record(
        audit=application,
        user=clara,
        held_on=timezone.localdate(),
        mode=AssessmentInterview.Mode.VIDEO,
        participants="Lucía Martín, the applicant; Clara Auditor, lead auditor.",
        competences=[assessments[code] for code in ("COM02", "COM06", "COM09")],
        outcome=(
            "COM02: listens without interrupting, summarises and checks understanding in the "
            "role play. COM06: names the signs that call for referral and the pathway to use. "
            "COM09: describes her own support after a hard conversation and uses supervision."
        ),
    )
