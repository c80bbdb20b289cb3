"""The standard test world: two institutions and every kind of person.

Institution A has a coordinator, a contributor, an audit with an assigned auditor, a pending
invitation and a site; the audit has two standards (the first assigned to the contributor) and one
evidence file, flagged for personal data. A has also an earlier audit, decided (do not certify)
by an ERNST admin since gone, and its coordinator's appeal against the decision, with a file,
waiting for an admin. Institution B has a coordinator and an audit. Besides them: an auditor
assigned to nothing, an ERNST admin (free to handle A's appeal), and an anonymous visitor.
A's peer supporter has their own application for the certification of their competences, made
through A: a draft with one competence and one file, which nobody of A but them sees.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit, StandardAssessment
from certification.appeals import appeal_lodge
from certification.models import Appeal, AppealFile, Certificate, Decision
from certification.services import certificate_change, certificate_issue
from evidence.models import EvidenceFile
from evidence.services import evidence_upload
from institutions.models import Institution, InstitutionSite, Invitation, Membership
from institutions.services import invitation_create
from reports.models import Report
from reviews.models import AuditorAssignment
from standards.choices import Component, Setting
from standards.models import Standard
from tests.factories import (
    AuditFactory,
    CatalogueVersionFactory,
    InstitutionFactory,
    MembershipFactory,
    StandardFactory,
    UserFactory,
)
from tests.factories.reviews import review_place_grant

ROLES = (
    "anonymous",
    "coordinator_a",
    "contributor_a",
    "coordinator_b",
    "auditor_assigned",
    "auditor_unassigned",
    "admin",
    "peer_supporter_a",
)


@dataclass
class World:
    institution_a: Institution
    institution_b: Institution
    users: dict[str, User]
    audit_a: Audit
    audit_b: Audit
    assignment_a: AuditorAssignment
    contributor_membership_a: Membership
    invitation_a: Invitation
    invitation_token_a: str
    site_a: InstitutionSite
    standard: Standard
    assessment_a: StandardAssessment  # assigned to the contributor
    assessment_a2: StandardAssessment  # nobody assigned
    evidence_a: EvidenceFile  # supports assessment_a, flagged for personal data
    report_a: Report  # a ready dossier report of audit_a
    certificate_a: Certificate  # a withdrawn Training certificate of institution A
    decided_a: Audit  # an earlier audit of A, decided: do not certify
    decision_a: Decision
    appeal_a: Appeal  # lodged by A's coordinator, waiting for an ERNST admin
    appeal_file_a: AppealFile
    # The peer supporter's own application for the certification of their competences, made
    # through A (a draft, not endorsed), with one competence and one file of theirs.
    application_a: Audit
    competence: Standard
    application_assessment: StandardAssessment
    application_evidence: EvidenceFile
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        if role not in self.clients:
            self.clients[role] = client_for(self.users.get(role))
        return self.clients[role]


def verified_login(client: Client, user: User) -> None:
    """Log in with a confirmed authenticator app, as after a successful second factor."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        verified_login(client, user)
    return client


def build_world() -> World:
    groups = platform_groups_ensure()
    a = InstitutionFactory(name="Hospital A", country="ES", setting=Setting.HOSPITAL)
    b = InstitutionFactory(name="Practice B", country="NL", setting=Setting.PRIMARY_CARE)
    users = {
        "coordinator_a": MembershipFactory(
            institution=a, role=Membership.Role.COORDINATOR, user__email="coord-a@example.org"
        ).user,
        "coordinator_b": MembershipFactory(
            institution=b, role=Membership.Role.COORDINATOR, user__email="coord-b@example.org"
        ).user,
        "auditor_assigned": UserFactory(email="auditor-1@example.org"),
        "auditor_unassigned": UserFactory(email="auditor-2@example.org"),
        "admin": UserFactory(email="admin@example.org", is_staff=True),
        # A peer supporter of A's programme: sees institution A, and none of its dossiers.
        "peer_supporter_a": MembershipFactory(
            institution=a, role=Membership.Role.PEER_SUPPORTER, user__email="peer-a@example.org"
        ).user,
    }
    contributor = MembershipFactory(
        institution=a, role=Membership.Role.CONTRIBUTOR, user__email="contrib-a@example.org"
    )
    users["contributor_a"] = contributor.user
    users["auditor_assigned"].groups.add(groups[AUDITORS])
    users["auditor_unassigned"].groups.add(groups[AUDITORS])
    users["admin"].groups.add(groups[ERNST_ADMINS])
    for user in users.values():  # permission caches were filled before the groups changed
        user.__dict__.pop("_perm_cache", None)
        user.__dict__.pop("_group_perm_cache", None)

    audit_a = AuditFactory(institution=a)
    audit_b = AuditFactory(institution=b, catalogue_version=audit_a.catalogue_version)
    assignment = review_place_grant(
        audit=audit_a, auditor=users["auditor_assigned"], assigned_by=users["admin"]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the e-mail goes out on commit
        invitation = invitation_create(
            institution=a,
            email="newcomer@example.org",
            role=Membership.Role.CONTRIBUTOR,
            invited_by=users["coordinator_a"],
            base_url="http://testserver/",
        )
    token = invitation_token_from_mail()
    site = InstitutionSite.objects.create(institution=a, name="North campus", city="Alicante")
    version = audit_a.catalogue_version
    standard = StandardFactory(section__catalogue_version=version)
    standard_2 = StandardFactory(section=standard.section)
    assessment_a = StandardAssessment.objects.create(
        institution=a, audit=audit_a, standard=standard
    )
    assessment_a.assignees.add(contributor.user)
    assessment_a2 = StandardAssessment.objects.create(
        institution=a, audit=audit_a, standard=standard_2
    )
    StandardAssessment.objects.create(institution=b, audit=audit_b, standard=standard)
    evidence = evidence_upload(
        audit=audit_a,
        user=users["coordinator_a"],
        uploaded=SimpleUploadedFile(
            "rota.txt", b"Peer supporter rota. Questions: jane.doe@hospital-a.example", "text/plain"
        ),
        assessments=[assessment_a],
        confirmed_no_personal_data=True,
    )
    report = Report(
        institution=a,
        audit=audit_a,
        kind=Report.Kind.DOSSIER,
        language="en",
        version=1,
        status=Report.Status.READY,
        requested_by=users["coordinator_a"],
        requested_by_email="coord-a@example.org",
        page_count=1,
    )
    report.file.save("dossier.pdf", ContentFile(b"%PDF-1.7 test report"), save=False)
    report.save()
    # Withdrawn: its pages answer, yet the public register (active and suspended ones) and
    # Mastery (active ones) stay as each test makes them.
    certificate = certificate_change(
        certificate=certificate_issue(
            institution_id=a.pk, scheme="training", setting=Setting.HOSPITAL, user=users["admin"]
        ),
        user=users["admin"],
        change="withdraw",
        reason="Issued in error",
    )
    # An earlier audit of A, decided by an ERNST admin no longer on the platform (the record keeps
    # the e-mail), and appealed by A's coordinator with one file: the world's admin may handle it.
    decided = AuditFactory(institution=a, catalogue_version=version, status=Audit.Status.DECIDED)
    Audit.unscoped.filter(pk=decided.pk).update(created_at=audit_a.created_at - timedelta(days=400))
    decision = Decision.objects.create(
        institution=a,
        audit=decided,
        outcome=Decision.Outcome.DO_NOT_CERTIFY,
        reason="Two standards not met",
        proposed_outcome=Decision.Outcome.DO_NOT_CERTIFY,
        proposal="Do not certify: no level's rules pass.",
        decided_by=None,
        decided_by_email="former-admin@example.org",
    )
    appeal = appeal_lodge(
        decision=decision,
        user=users["coordinator_a"],
        statement="The night rota was in the dossier (E4) but not read.",
        uploads=[SimpleUploadedFile("grounds.txt", b"Night rota, signed in March.", "text/plain")],
        confirmed_no_personal_data=True,
    )
    competences = CatalogueVersionFactory(component=Component.COMPETENCES)
    competence = StandardFactory(
        section__catalogue_version=competences, code="COM02", level="", is_core=True
    )
    application = AuditFactory(
        institution=a,
        catalogue_version=competences,
        applicant=users["peer_supporter_a"],
        created_by=users["peer_supporter_a"],
        target_level="",
    )
    application_assessment = StandardAssessment.objects.create(
        institution=a, audit=application, standard=competence
    )
    application_evidence = evidence_upload(
        audit=application,
        user=users["peer_supporter_a"],
        uploaded=SimpleUploadedFile(
            "reflection.txt", b"What I learnt from supervised practice.", "text/plain"
        ),
        assessments=[application_assessment],
        confirmed_no_personal_data=True,
    )
    return World(
        institution_a=a,
        institution_b=b,
        users=users,
        audit_a=audit_a,
        audit_b=audit_b,
        assignment_a=assignment,
        contributor_membership_a=contributor,
        invitation_a=invitation,
        invitation_token_a=token,
        site_a=site,
        standard=standard,
        assessment_a=assessment_a,
        assessment_a2=assessment_a2,
        evidence_a=evidence,
        report_a=report,
        certificate_a=certificate,
        decided_a=decided,
        decision_a=decision,
        appeal_a=appeal,
        appeal_file_a=appeal.files.get(),
        application_a=application,
        competence=competence,
        application_assessment=application_assessment,
        application_evidence=application_evidence,
    )


def invitation_token_from_mail() -> str:
    """The token of the last invitation e-mail (only its hash is stored)."""
    match = re.search(r"/invitations/([A-Za-z0-9_-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)
