"""Demo data for the embedded mode: a small, living product for a newcomer.

Every step creates what is missing and leaves what exists alone, so seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from accounts.services import platform_groups_ensure
from auditors.models import AuditorProfile, ConflictOfInterest
from demo.appeals import appeal_demo_ensure
from demo.certification import register_demo_ensure
from demo.competences import application_demo_ensure, moved_supporter_demo_ensure
from demo.dossiers import DEMO_DOSSIERS, dossier_ensure
from institutions.models import Institution, Membership
from standards.choices import Setting

DEMO_PASSWORD = "rescue-demo-2026"  # noqa: S105 - printed on purpose; demo seeding is refused in production


@dataclass(frozen=True)
class DemoInstitution:
    name: str
    country: str
    setting: str
    language: str
    email_domain: str
    contact_phone: str
    address: str
    peer_supporter: tuple[str, str] | None = None  # first and last name


DEMO_INSTITUTIONS = [
    DemoInstitution(
        name="Hospital Universitario del Mediterráneo",
        country="ES",
        setting=Setting.HOSPITAL,
        language="es",
        email_domain="mediterraneo.example",
        contact_phone="+34 965 000 100",
        address="Avenida de la Salud 1, 03550 Alicante, Spain",
        peer_supporter=("Lucía", "Martín"),
    ),
    DemoInstitution(
        name="Gezondheidscentrum De Linde",
        country="NL",
        setting=Setting.PRIMARY_CARE,
        language="nl",
        email_domain="delinde.example",
        contact_phone="+31 30 000 2200",
        address="Lindelaan 12, 3581 Utrecht, Netherlands",
        peer_supporter=("Sofía", "Navarro"),
    ),
    DemoInstitution(
        name="Pflegeheim Am Lindenhof",
        country="AT",
        setting=Setting.NURSING_HOME,
        language="de",
        email_domain="lindenhof.example",
        contact_phone="+43 1 000 3300",
        address="Lindenhofgasse 5, 1070 Wien, Austria",
    ),
]


# Further institutions on the platform, without demo accounts: enough for the ERNST admin's
# institution list to show its pages, count and filters (25 a page).
DEMO_FURTHER_INSTITUTIONS = [
    ("Centro Hospitalar do Tejo", "PT", Setting.HOSPITAL),
    ("Unidade de Saúde Familiar Ribeira", "PT", Setting.PRIMARY_CARE),
    ("Lar São Bento", "PT", Setting.NURSING_HOME),
    ("Hospital Comarcal de la Vega", "ES", Setting.HOSPITAL),
    ("Centro de Salud Puerta del Mar", "ES", Setting.PRIMARY_CARE),
    ("Residencia Los Olivos", "ES", Setting.NURSING_HOME),
    ("Klinikum Am Rosengarten", "DE", Setting.HOSPITAL),
    ("Hausarztzentrum Nordstadt", "DE", Setting.PRIMARY_CARE),
    ("Seniorenstift Lindenallee", "DE", Setting.NURSING_HOME),
    ("Landesklinikum Donautal", "AT", Setting.HOSPITAL),
    ("Primärversorgung Mariahilf", "AT", Setting.PRIMARY_CARE),
    ("Ziekenhuis Rivierenland", "NL", Setting.HOSPITAL),
    ("Huisartsenpraktijk De Brug", "NL", Setting.PRIMARY_CARE),
    ("Woonzorgcentrum Het Anker", "NL", Setting.NURSING_HOME),
    ("AZ Sint-Jozef", "BE", Setting.HOSPITAL),
    ("Maison médicale du Parc", "BE", Setting.PRIMARY_CARE),
    ("Centre hospitalier de la Loire", "FR", Setting.HOSPITAL),
    ("Maison de santé des Tilleuls", "FR", Setting.PRIMARY_CARE),
    ("EHPAD Les Glycines", "FR", Setting.NURSING_HOME),
    ("Ospedale San Carlo", "IT", Setting.HOSPITAL),
    ("Casa di Cura Villa Serena", "IT", Setting.NURSING_HOME),
    ("Szpital Wojewódzki w Lublinie", "PL", Setting.HOSPITAL),
    ("Nemocnice Jihlava", "CZ", Setting.HOSPITAL),
    ("Spitalul Județean Sibiu", "RO", Setting.HOSPITAL),
    ("Tallinna Perearstikeskus", "EE", Setting.PRIMARY_CARE),
    ("Helsingin Terveysasema Kallio", "FI", Setting.PRIMARY_CARE),
    ("Sjukhuset i Västerås", "SE", Setting.HOSPITAL),
    ("Bergen Legesenter", "NO", Setting.PRIMARY_CARE),
    ("University Hospital Galway", "IE", Setting.HOSPITAL),
    ("Riverside Care Home", "GB", Setting.NURSING_HOME),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    created: bool


@dataclass
class DemoSeedResult:
    accounts: list[DemoAccount]
    institutions_created: int
    audits_created: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return (
            self.institutions_created > 0
            or bool(self.audits_created)
            or any(a.created for a in self.accounts)
        )


def _user_ensure(
    *, email: str, first_name: str, last_name: str, is_staff: bool = False
) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email,
        password=DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    return user, True


def _group_member_ensure(user: User, group: Group) -> None:
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)


@transaction.atomic
def demo_seed() -> DemoSeedResult:
    groups = platform_groups_ensure()
    accounts: list[DemoAccount] = []
    institutions_created = 0

    for spec in DEMO_INSTITUTIONS:
        institution, created = Institution.objects.get_or_create(
            name=spec.name,
            country=spec.country,
            defaults={
                "setting": spec.setting,
                "preferred_language": spec.language,
                "contact_email": f"rescue@{spec.email_domain}",
                "contact_phone": spec.contact_phone,
                "address": spec.address,
            },
        )
        institutions_created += created
        people = [
            (Membership.Role.COORDINATOR, "Coordinator", spec.name, "coordinator"),
            (Membership.Role.CONTRIBUTOR, "Contributor", spec.name, "contributor"),
        ]
        if spec.peer_supporter:  # a peer supporter of the programme: none of its dossiers
            people.append((Membership.Role.PEER_SUPPORTER, *spec.peer_supporter, "peer"))
        for role, first_name, last_name, mailbox in people:
            email = f"{mailbox}@{spec.email_domain}"
            user, user_created = _user_ensure(
                email=email, first_name=first_name, last_name=last_name
            )
            Membership.objects.get_or_create(
                user=user, institution=institution, defaults={"role": role}
            )
            accounts.append(
                DemoAccount(email, spec.name, f"{Membership.Role(role).label}", user_created)
            )

    for name, country, setting in DEMO_FURTHER_INSTITUTIONS:
        _, created = Institution.objects.get_or_create(
            name=name, country=country, defaults={"setting": setting}
        )
        institutions_created += created

    # Clara is qualified for the supporters' competences only: assigning her to an Intervention
    # audit needs a recorded override (the candidate list says so).
    for number, (first_name, last_name, countries, languages, components) in enumerate(
        (
            ("Ana", "Auditor", ["ES", "PT"], ["es", "pt", "en"], ["intervention", "training"]),
            (
                "Bruno",
                "Auditor",
                ["NL", "AT", "DE"],
                ["nl", "de", "en"],
                ["intervention", "training"],
            ),
            ("Clara", "Auditor", ["FR", "BE"], ["fr", "nl", "en"], ["competences"]),
        ),
        start=1,
    ):
        user, created = _user_ensure(
            email=f"auditor{number}@rescue.example", first_name=first_name, last_name=last_name
        )
        _group_member_ensure(user, groups[AUDITORS])
        AuditorProfile.objects.get_or_create(
            user=user,
            defaults={
                "countries": countries,
                "languages": languages,
                "components": components,
            },
        )
        accounts.append(
            DemoAccount(user.email, f"{first_name} {last_name}", "External auditor", created)
        )

    # Bruno once worked at the Dutch centre: he may not audit it.
    ConflictOfInterest.objects.get_or_create(
        auditor=User.objects.get(email="auditor2@rescue.example"),
        institution=Institution.objects.get(name="Gezondheidscentrum De Linde"),
        defaults={"reason": "Worked as a nurse practitioner there until 2023."},
    )

    admin, created = _user_ensure(
        email="admin@rescue.example", first_name="ERNST", last_name="Administrator", is_staff=True
    )
    _group_member_ensure(admin, groups[ERNST_ADMINS])
    accounts.append(DemoAccount(admin.email, "ERNST Administrator", "ERNST admin", created))
    # A second ERNST admin, who takes no decision in the demo: free to handle the appeal against
    # one (the first admin decided it, so may not).
    appeals, created = _user_ensure(
        email="appeals@rescue.example", first_name="ERNST", last_name="Appeals", is_staff=True
    )
    _group_member_ensure(appeals, groups[ERNST_ADMINS])
    accounts.append(
        DemoAccount(appeals.email, "ERNST Appeals", "ERNST admin (handles appeals)", created)
    )

    audits_created = []
    for dossier in DEMO_DOSSIERS:
        audit = dossier_ensure(dossier, admin)
        if audit is not None:
            audit.refresh_from_db(fields=["status"])  # the review's steps moved it on
            audits_created.append(
                f"{audit.get_component_display()} audit of {audit.institution.name}: "
                f"{audit.get_status_display().lower()}"
            )
    if register_demo_ensure(admin=admin):
        audits_created.append("Certificates of further institutions in the public register")
    if appeal_demo_ensure():
        audits_created.append(
            "An appeal against the Austrian nursing home's decision, waiting for an ERNST admin"
        )
    if moved_supporter_demo_ensure():
        audits_created.append(
            "Sofía Navarro's certificate of competences, hers since she moved to the Dutch centre"
        )
    if application_demo_ensure():
        audits_created.append(
            "Lucía Martín's application for the certification of her competences, in review"
        )
    return DemoSeedResult(
        accounts=accounts, institutions_created=institutions_created, audits_created=audits_created
    )
