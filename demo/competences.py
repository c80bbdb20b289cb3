"""The demo's competences track: Lucía Martín, a peer supporter of the Spanish hospital, applies
for the certification of her competences. Her application is endorsed by the hospital's
coordinator; she has assessed herself on three competences and added two files of her own. The
coordinator sees its stage on the hospital's "Peer supporters' applications" page, never its
content."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from audits.services.assessments import assessment_self_rate
from competences.services import application_create, application_endorse
from demo.dossiers import DemoDocument, demo_file
from evidence.services import evidence_upload
from institutions.models import Institution
from standards.choices import Component
from standards.selectors import catalogue_version_active

INSTITUTION = "Hospital Universitario del Mediterráneo"
APPLICANT = "peer@mediterraneo.example"
COORDINATOR = "coordinator@mediterraneo.example"

TRAINING_CERTIFICATE = DemoDocument(
    "peer-supporter-training-certificate.pdf",
    "Certificate of the peer-supporter training",
    (),
    (
        (
            "Lucía Martín completed the 24-hour peer-supporter course of the hospital's "
            "second-victim programme: psychological first aid, active listening, referral "
            "pathways, self-care."
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
        (),
    ),
)


def application_demo_ensure() -> bool:
    """Lucía's application, once (the competences catalogue must be active); whether it was
    made now."""
    institution = Institution.objects.filter(name=INSTITUTION).first()
    applicant = User.objects.filter(email=APPLICANT).first()
    coordinator = User.objects.filter(email=COORDINATOR).first()
    if institution is None or applicant is None or coordinator is None:
        return False
    if catalogue_version_active(component=Component.COMPETENCES) is None:
        return False
    if Audit.unscoped.filter(applicant=applicant).exists():
        return False
    application = application_create(institution=institution, user=applicant)
    assessments = {a.standard.code: a for a in application.assessments.select_related("standard")}
    uploaded: dict[str, object] = {}
    for code, rating, narrative, documents in SELF_ASSESSMENT:
        assessment = assessments[code]
        assessment_self_rate(
            assessment=assessment, user=applicant, self_rating=rating, narrative=narrative
        )
        for document in documents:
            if document.filename in uploaded:
                continue
            supported = [assessments[c] for c, _r, _n, docs in SELF_ASSESSMENT if document in docs]
            uploaded[document.filename] = evidence_upload(
                audit=application,
                user=applicant,
                uploaded=demo_file(document, institution),
                assessments=supported,
                confirmed_no_personal_data=True,
                effective_date=timezone.localdate() - timedelta(days=document.age_days),
            )
    application_endorse(audit=application, user=coordinator)
    return True
