"""The public register, the verification pages and their API: what they list and say, what they
never show, who reaches them, their caching, their rate and their query counts.

The register's population spans three institutions: three certificates in force (valid,
suspended, valid) and four that are not listed (withdrawn, expired, past their expiry before the
hourly task has run, and a supporters' competences certificate, which certifies a person).
"""

import html
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from audits.models import Audit, StandardAssessment
from certification.models import Certificate, CertificateEvent, Decision
from certification.selectors import register_list
from certification.services import certificate_change, certificate_issue, certificates_expire
from institutions.models import Institution
from standards.choices import InterventionLevel, Setting
from tests.factories import InstitutionFactory
from tests.world import World

pytestmark = pytest.mark.django_db

API_REGISTER = "/api/v1/register/"


def api_verify(code: str) -> str:
    return f"/api/v1/verify/{code}/"


def number_url(certificate: Certificate) -> str:
    return reverse("public:certificate", args=[certificate.number])


def code_url(certificate: Certificate) -> str:
    return reverse("public:verify", args=[certificate.code])


def long_date(day: date) -> str:
    return dateformat.format(day, "j F Y")


def short_date(day: date) -> str:
    return dateformat.format(day, "j M Y")


def issue(
    institution: Institution,
    scheme: str = "intervention",
    *,
    level: str | None = None,
    setting: str = Setting.HOSPITAL,
    issued_on: date | None = None,
    expires_on: date | None = None,
    **more: Any,
) -> Certificate:
    if level is None:
        level = InterventionLevel.EXECUTION if scheme == "intervention" else ""
    return certificate_issue(
        institution_id=institution.pk,
        scheme=scheme,
        setting=setting,
        level=level,
        user=more.pop("user", None),
        issued_on=issued_on,
        expires_on=expires_on,
        **more,
    )


def reload(certificate: Certificate) -> Certificate:
    return Certificate.unscoped.get(pk=certificate.pk)


def listed_on_page(response: Any) -> set[str]:
    """The certificate numbers the register page links to."""
    content = response.content.decode()
    return {part.split("/", 1)[0] for part in content.split('href="/register/')[1:] if "/" in part}


def listed_by_api(response: Any) -> set[str]:
    return {row["number"] for row in response.json()["results"]}


@dataclass
class Register:
    world: World
    admin: User
    active: Certificate  # A (Spain), Intervention Execution, hospital
    suspended: Certificate  # B (Netherlands), Training, primary care, suspended until a date
    design: Certificate  # C (Belgium), Intervention Design, nursing home
    withdrawn: Certificate  # A, Training
    expired: Certificate  # B, Intervention, expired by the hourly task
    overdue: Certificate  # C, Training, past its expiry, the task not yet run
    competences: Certificate  # A: a person's certificate, not an institution's

    def named(self, *names: str) -> set[str]:
        return {getattr(self, name).number for name in names}


@pytest.fixture
def register(world: World) -> Register:
    today = timezone.localdate()
    admin = world.users["admin"]
    a, b = world.institution_a, world.institution_b
    c = InstitutionFactory(name="Zorgcentrum De Linde", country="BE", setting=Setting.NURSING_HOME)
    active = issue(a)
    suspended = issue(b, "training", setting=Setting.PRIMARY_CARE)
    certificate_change(
        certificate=suspended,
        user=admin,
        change="suspend",
        reason="A complaint is being looked into",
        until=today + timedelta(days=30),
    )
    design = issue(c, level=InterventionLevel.DESIGN, setting=Setting.NURSING_HOME)
    withdrawn = issue(a, "training")
    certificate_change(
        certificate=withdrawn, user=admin, change="withdraw", reason="The programme stopped"
    )
    expired = issue(
        b,
        issued_on=today - timedelta(days=5 * 365),
        expires_on=today - timedelta(days=3),
        setting=Setting.PRIMARY_CARE,
    )
    certificates_expire(today)
    overdue = issue(
        c,
        "training",
        issued_on=today - timedelta(days=5 * 365),
        expires_on=today - timedelta(days=1),
        setting=Setting.NURSING_HOME,
    )
    competences = issue(a, "competences")
    return Register(
        world=world,
        admin=admin,
        active=active,
        suspended=reload(suspended),
        design=design,
        withdrawn=reload(withdrawn),
        expired=reload(expired),
        overdue=overdue,
        competences=competences,
    )


# --- The register --------------------------------------------------------------------------------


def test_the_register_lists_exactly_the_certificates_in_force(
    register: Register, client: Client
) -> None:
    page = client.get(reverse("public:register"))
    assert page.status_code == 200
    assert listed_on_page(page) == register.named("active", "suspended", "design")
    content = page.content.decode()
    for name in ("Hospital A", "Practice B", "Zorgcentrum De Linde", "Spain", "Netherlands"):
        assert name in content
    for label in ("RESCUE-Intervention", "RESCUE-Training", "Execution", "Design", "Primary care"):
        assert label in content
    since = timezone.localdate(register.suspended.status_since)
    assert f"Suspended since {short_date(since)}" in content
    assert content.count("Suspended since") == 1
    assert short_date(register.active.expires_on) in content

    answer = client.get(API_REGISTER)
    assert answer.status_code == 200
    assert answer.json()["count"] == 3
    assert listed_by_api(answer) == register.named("active", "suspended", "design")
    rows = {row["number"]: row for row in answer.json()["results"]}
    suspended = rows[register.suspended.number]
    assert suspended == {
        "number": register.suspended.number,
        "url": f"http://testserver{number_url(register.suspended)}",
        "holder_name": "",
        "institution_name": "Practice B",
        "country": "NL",
        "country_name": "Netherlands",
        "setting": "primary_care",
        "scheme": "training",
        "level": "",
        "issued_on": register.suspended.issued_on.isoformat(),
        "expires_on": register.suspended.expires_on.isoformat(),
        "status": "suspended",
        "valid": False,
        "status_since": since.isoformat(),
        "suspended_until": register.suspended.suspended_until.isoformat(),  # type: ignore[union-attr]
        "superseded_by": None,
    }
    assert rows[register.active.number]["valid"] is True


FILTERS: list[tuple[Callable[[Register], dict[str, str]], tuple[str, ...]]] = [
    (lambda r: {"q": "hospital a"}, ("active",)),
    (lambda r: {"q": "  DE LINDE "}, ("design",)),
    (lambda r: {"q": r.active.number.lower()}, ("active",)),
    (lambda r: {"q": "rescue-tra-"}, ("suspended",)),
    (lambda r: {"country": "NL"}, ("suspended",)),
    (lambda r: {"country": "FR"}, ()),
    (lambda r: {"setting": "nursing_home"}, ("design",)),
    (lambda r: {"scheme": "training"}, ("suspended",)),
    (lambda r: {"scheme": "intervention"}, ("active", "design")),
    (lambda r: {"level": "design"}, ("design",)),
    (lambda r: {"status": "suspended"}, ("suspended",)),
    (lambda r: {"status": "active"}, ("active", "design")),
    (lambda r: {"q": "practice", "status": "active"}, ()),
    (lambda r: {"country": "ES", "scheme": "intervention", "level": "execution"}, ("active",)),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_search_and_filters(
    register: Register,
    client: Client,
    query: Callable[[Register], dict[str, str]],
    expected: tuple[str, ...],
) -> None:
    params = query(register)
    page = client.get(reverse("public:register"), params)
    assert page.status_code == 200
    assert listed_on_page(page) == register.named(*expected)
    answer = client.get(API_REGISTER, params)
    assert answer.status_code == 200
    assert listed_by_api(answer) == register.named(*expected)


@pytest.fixture
def listed_person(register: Register) -> Certificate:
    """The register's certificate of competences, listed with its holder's consent: a person
    who works at Hospital A, whose own name holds "Hospital" too."""
    Certificate.unscoped.filter(pk=register.competences.pk).update(
        holder=register.world.users["peer_supporter_a"],
        holder_name="Ana Hospitalet Ruiz",
        register_consent_at=timezone.now(),
    )
    return register.competences


SEARCHES = ["hospital a", "Hospital", "ruiz", "hospitalet", "linde", "-TRA-", "rescue", "zz"]


@pytest.mark.parametrize("term", SEARCHES)
def test_the_search_finds_what_its_three_paths_find_together(
    register: Register, listed_person: Certificate, term: str
) -> None:
    # The institution's name (for an institution's certificate only), the holder's name or the
    # number: the same certificates as the plain OR across the institution join.
    expected = register_list().filter(
        models.Q(institution__name__icontains=term, holder__isnull=True)
        | models.Q(holder_name__icontains=term)
        | models.Q(number__icontains=term)
    )
    assert set(register_list({"q": term})) == set(expected)


def test_a_person_is_found_by_their_name_never_by_where_they_work(
    register: Register, listed_person: Certificate, client: Client
) -> None:
    person = listed_person.number
    assert listed_by_api(client.get(API_REGISTER, {"q": "hospital a"})) == {register.active.number}
    assert listed_by_api(client.get(API_REGISTER, {"q": "RUIZ"})) == {person}
    assert listed_by_api(client.get(API_REGISTER, {"q": "hospital"})) == {
        register.active.number,
        person,
    }
    assert listed_on_page(client.get(reverse("public:register"), {"q": "ruiz"})) == {person}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL")
@pytest.mark.parametrize(
    ("searched", "index"),
    [
        (lambda: register_list({"q": "ruiz"}), "certificate_holder_name_trgm"),
        (lambda: register_list({"q": "ruiz"}), "certificate_number_trgm"),
        # The institutions the search's third path asks for.
        (lambda: Institution.objects.filter(name__icontains="linde"), "institution_name_trgm"),
    ],
)
def test_the_search_can_read_each_of_its_columns_from_a_trigram_index(
    register: Register, searched: Callable[[], models.QuerySet[Any]], index: str
) -> None:
    # A handful of rows are read faster without an index: the planner is told to read tables
    # only through a bitmap of an index's matches, so that the plan shows whether an index fits
    # the search's expressions at all.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert f"Bitmap Index Scan on {index}" in searched().explain()


def test_a_filter_outside_its_choices_is_said_and_refused(
    register: Register, client: Client
) -> None:
    # The statuses out of force are not register choices.
    for params in ({"status": "withdrawn"},):
        page = client.get(reverse("public:register"), params)
        assert page.status_code == 400
        assert "Select a valid choice" in page.content.decode()
        assert listed_on_page(page) == register.named("active", "suspended", "design")
        answer = client.get(API_REGISTER, params)
        assert answer.status_code == 400
        assert list(answer.json()) == list(params)


def test_the_register_is_paginated_25_a_page(world: World, client: Client) -> None:
    for n in range(30):
        issue(InstitutionFactory(name=f"Institution {n:02d}"), "training")
    first = client.get(reverse("public:register"))
    assert len(listed_on_page(first)) == 25
    content = first.content.decode()
    assert "1\N{EN DASH}25 of 30" in content
    assert 'href="?page=2"' in content
    second = client.get(reverse("public:register"), {"page": 2})
    assert len(listed_on_page(second)) == 5
    assert not listed_on_page(first) & listed_on_page(second)
    assert "Institution 29" in second.content.decode()

    answer = client.get(API_REGISTER, {"limit": 10, "offset": 20}).json()
    assert answer["count"] == 30
    assert len(answer["results"]) == 10
    assert answer["next"] is None
    assert answer["results"][-1]["institution_name"] == "Institution 29"


# --- Verification ------------------------------------------------------------------------------


def verification_pages(client: Client, certificate: Certificate) -> Iterator[str]:
    """The verification page by code (the QR code) and by number (the register)."""
    for url in (code_url(certificate), number_url(certificate)):
        response = client.get(url)
        assert response.status_code == 200, url
        yield response.content.decode()


def verification_answer(client: Client, certificate: Certificate) -> dict[str, Any]:
    response = client.get(api_verify(certificate.code))
    assert response.status_code == 200
    return response.json()


def test_an_active_certificate_is_valid_until_its_expiry(
    register: Register, client: Client
) -> None:
    certificate = register.active
    for content in verification_pages(client, certificate):
        assert f"This certificate is valid until {long_date(certificate.expires_on)}." in content
        for fact in (
            certificate.number,
            "Hospital A",
            "Spain",
            "RESCUE-Intervention",
            "Execution",
            "Hospital",
            long_date(certificate.issued_on),
        ):
            assert fact in content
    answer = verification_answer(client, certificate)
    assert answer["status"] == "active"
    assert answer["valid"] is True
    assert answer["level"] == "execution"
    assert answer["expires_on"] == certificate.expires_on.isoformat()


def test_a_suspended_certificate_says_since_when_and_until_when(
    register: Register, client: Client
) -> None:
    certificate = register.suspended
    since = timezone.localdate(certificate.status_since)
    until = certificate.suspended_until
    assert until is not None
    for content in verification_pages(client, certificate):
        assert f"Suspended since {long_date(since)}, until {long_date(until)}." in content
        assert "It is not valid while suspended." in content
        assert "This certificate is valid until" not in content
    answer = verification_answer(client, certificate)
    assert answer["status"] == "suspended"
    assert answer["valid"] is False
    assert answer["status_since"] == since.isoformat()
    assert answer["suspended_until"] == until.isoformat()

    open_ended = issue(register.world.institution_a, "training")
    certificate_change(
        certificate=open_ended, user=register.admin, change="suspend", reason="Under review"
    )
    for content in verification_pages(client, open_ended):
        assert f"Suspended since {long_date(timezone.localdate())}." in content
        assert ", until" not in content
    assert verification_answer(client, open_ended)["suspended_until"] is None


def test_a_withdrawn_certificate_says_when(register: Register, client: Client) -> None:
    certificate = register.withdrawn
    on = timezone.localdate(certificate.status_since)
    for content in verification_pages(client, certificate):
        assert f"Withdrawn on {long_date(on)}. This certificate is no longer valid." in content
    answer = verification_answer(client, certificate)
    assert (answer["status"], answer["valid"], answer["status_since"]) == (
        "withdrawn",
        False,
        on.isoformat(),
    )


@pytest.mark.parametrize("name", ["expired", "overdue"])
def test_an_expired_certificate_says_so_even_before_the_task_records_it(
    register: Register, client: Client, name: str
) -> None:
    certificate: Certificate = getattr(register, name)
    assert certificate.status == ("expired" if name == "expired" else "active")
    day_after = certificate.expires_on + timedelta(days=1)
    for content in verification_pages(client, certificate):
        assert (
            f"Expired on {long_date(day_after)}: it was valid until "
            f"{long_date(certificate.expires_on)}." in content
        )
    answer = verification_answer(client, certificate)
    assert (answer["status"], answer["valid"], answer["status_since"]) == (
        "expired",
        False,
        day_after.isoformat(),
    )


def test_a_superseded_certificate_links_to_the_one_that_replaces_it(
    world: World, client: Client
) -> None:
    # RESCUE Mastery follows its bases: a renewed Training certificate replaces the Mastery.
    institution = world.institution_a
    issue(institution, level=InterventionLevel.COMPREHENSIVE)
    issue(institution, "training")
    mastery = Certificate.unscoped.get(institution=institution, scheme="mastery")
    issue(institution, "training")  # the renewal
    old = reload(mastery)
    assert old.status == "superseded"
    new = old.superseded_by
    assert new is not None
    for content in verification_pages(client, old):
        assert "Superseded on" in content
        assert f'<a href="{number_url(new)}">{new.number}</a>' in content
        assert new.code not in content
        assert old.code not in content
    answer = verification_answer(client, old)
    assert (answer["status"], answer["superseded_by"]) == ("superseded", new.number)
    assert new.code not in json.dumps(answer)
    # The new one is in force, on the register; the replaced one is not.
    listed = listed_on_page(client.get(reverse("public:register"), {"scheme": "mastery"}))
    assert listed == {new.number}


def test_the_number_is_found_in_any_case(register: Register, client: Client) -> None:
    url = reverse("public:certificate", args=[register.active.number.lower()])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/verify/no-such-code/",
        "/verify/" + "a" * 40 + "/",
        "/verify/%00/",
        "/verify/bad%20code/",
        "/register/RESCUE-INT-1999-000001/",
        "/register/%00/",
        "/api/v1/verify/no-such-code/",
        "/api/v1/verify/%00/",
    ],
)
def test_an_unknown_code_or_number_is_a_plain_404(
    register: Register, client: Client, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json() == {"detail": "No such certificate."}
    else:
        assert "No such certificate." in response.content.decode()


# --- Nothing else is public --------------------------------------------------------------------


def renderings(value: Any) -> set[str]:
    """The ways a value could appear in a page or an answer."""
    if value is None or value == "" or isinstance(value, bool | int | dict | list):
        return set()
    if isinstance(value, datetime):
        day = timezone.localdate(value)
        return {value.isoformat(), *renderings(day)}
    if isinstance(value, date):
        return {value.isoformat(), long_date(value), short_date(value)}
    text = str(value)
    return {text, html.escape(text)} if len(text) >= 4 else set()


def field_values(obj: models.Model) -> dict[str, set[str]]:
    """Every field of ``obj`` with the ways its value (and its choice's label) could appear."""
    values = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        found = renderings(value)
        if field.choices and value:
            found |= renderings(getattr(obj, f"get_{field.name}_display")())
        if found:
            values[f"{type(obj).__name__}.{field.name}"] = found
    return values


def published(certificate: Certificate) -> set[str]:
    """What the public pages say of a certificate, in every form."""
    institution = certificate.institution
    facts: list[Any] = [
        certificate.number,
        certificate.scheme,
        certificate.scheme_label,
        certificate.level,
        certificate.level_label,
        certificate.setting,
        certificate.get_setting_display(),
        certificate.issued_on,
        certificate.expires_on,
        certificate.status,
        certificate.status_label,
        certificate.status_since,
        certificate.suspended_until,
        institution.name,
        institution.country.code,
        institution.country.name,
    ]
    return set().union(*(renderings(fact) for fact in facts))


def public_answers(client: Client, certificate: Certificate) -> dict[str, str]:
    """Every public page and answer that shows ``certificate``, as an anonymous visitor."""
    urls = {
        "register page": f"{reverse('public:register')}?q={certificate.number}",
        "page by number": number_url(certificate),
        "page by code": code_url(certificate),
        "register API": f"{API_REGISTER}?q={certificate.number}",
        "verify API": api_verify(certificate.code),
    }
    answers = {}
    for what, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, what
        answers[what] = response.content.decode()
    assert certificate.number in answers["register page"]
    return answers


def test_nothing_but_the_published_facts_is_shown(world: World, client: Client) -> None:
    today = timezone.localdate()
    admin = world.users["admin"]
    institution = world.institution_a
    Institution.objects.filter(pk=institution.pk).update(
        contact_email="quality-desk@hospital-a.example",
        contact_phone="+34 965 000 731",
        address="Calle del Almendro 17, 03001",
        preferred_language="es",
    )
    institution.refresh_from_db()
    Audit.unscoped.filter(pk=world.audit_a.pk).update(manifest_digest="f00d" * 16)
    audit = Audit.unscoped.get(pk=world.audit_a.pk)
    StandardAssessment.unscoped.filter(pk=world.assessment_a.pk).update(
        narrative="Peer supporters meet on Tuesdays in room B-214."
    )
    due = today + timedelta(days=61)
    decision = Decision.objects.create(
        institution=institution,
        audit=audit,
        outcome=Decision.Outcome.CONDITIONS,
        level=InterventionLevel.EXECUTION,
        conditions_due_on=due,
        reason="Grounds: the night rota of ward 4 is thin",
        proposed_outcome=Decision.Outcome.CERTIFY,
        proposed_level=InterventionLevel.COMPREHENSIVE,
        proposal="The rule evaluation proposes Comprehensive",
        recommendation="The lead recommends conditions",
        departure_reason="Departure: the incident on ward 4 in March",
        decided_by=admin,
        decided_by_email=admin.email,
    )
    certificate = issue(
        institution,
        audit=audit,
        decision=decision,
        catalogue_version_id=audit.catalogue_version_id,
        conditions_due_on=due,
        user=admin,
    )
    certificate_change(
        certificate=certificate,
        user=admin,
        change="suspend",
        reason="A nurse of ward 4 complained about the peer supporter J. Ortega",
        until=today + timedelta(days=20),
    )
    certificate = reload(certificate)
    # A plain certificate of another institution: what any public page shows anyway (the
    # frame, the filters' choices, today's date).
    baseline = public_answers(client, issue(world.institution_b, "training"))
    answers = public_answers(client, certificate)

    hidden: dict[str, set[str]] = {}
    for obj in (
        certificate,
        decision,
        institution,
        audit,
        world.site_a,
        *CertificateEvent.objects.for_institution(institution).filter(certificate=certificate),
    ):
        hidden |= field_values(obj)
    people = {user.email for user in world.users.values()}
    hidden["people"] = people | {"jane.doe@hospital-a.example", "rota.txt"}
    hidden["narrative"] = {"room B-214"}

    public = published(certificate)
    for what, content in answers.items():
        for field, forms in hidden.items():
            for form in forms - public:
                assert form not in content or form in baseline[what], (
                    f"{field} ({form!r}) in the {what}"
                )
        assert "/audits/" not in content
        assert "/institutions/" not in content
    # Said plainly, whatever the baseline: no code, reason, person or contact detail.
    for content in answers.values():
        for secret in (
            "ward 4",
            "Ortega",
            "quality-desk",
            "965 000 731",
            "Almendro",
            admin.email,
            "conditions",
            long_date(due),
        ):
            assert secret not in content
    for what in ("register page", "page by number", "register API"):
        assert certificate.code not in answers[what]
    assert certificate.code not in answers["verify API"]  # the caller knows it; no echo


def test_the_register_shows_no_code(register: Register, client: Client) -> None:
    codes = [c.code for c in Certificate.unscoped.all()]
    for url in (reverse("public:register"), API_REGISTER):
        content = client.get(url).content.decode()
        for code in codes:
            assert code not in content


# --- Who, caching, rate --------------------------------------------------------------------------


def public_urls(register: Register) -> list[str]:
    return [
        reverse("public:register"),
        number_url(register.active),
        code_url(register.active),
        API_REGISTER,
        api_verify(register.active.code),
    ]


def test_anyone_reads_them_and_anonymous_answers_may_be_cached(
    register: Register, client: Client
) -> None:
    for url in public_urls(register):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache == {"public", "max-age=300"}, url
        assert "Cookie" in response["Vary"], url
        # Nothing of one visitor (a CSRF cookie, a message) in an answer shared caches keep.
        assert not response.cookies, url
        assert 'X-CSRFToken": ""' in response.content.decode() or url.startswith("/api/")


@pytest.mark.parametrize("role", ["coordinator_a", "coordinator_b", "auditor_assigned", "admin"])
def test_signed_in_people_read_them_privately(register: Register, role: str) -> None:
    client = register.world.client(role)
    for url in public_urls(register):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url
    page = client.get(reverse("public:register"))
    assert register.world.users[role].email in page.content.decode()  # their frame
    assert listed_on_page(page) == register.named("active", "suspended", "design")


def test_too_many_requests_are_refused_with_a_429(
    register: Register, client: Client, settings: Any
) -> None:
    settings.CERTIFICATE_PUBLIC_RATE = "3/h"
    urls = public_urls(register)
    for url in urls[:3]:  # the pages and the API share one budget
        assert client.get(url).status_code == 200
    page = client.get(urls[1])
    assert page.status_code == 429
    content = page.content.decode()
    assert "Too many requests" in content
    assert "Wait a minute and try again." in content
    assert register.active.number not in content
    assert int(page["Retry-After"]) > 0
    assert "no-store" in page["Cache-Control"]
    assert client.get(urls[0]).status_code == 429

    answer = client.get(urls[4])
    assert answer.status_code == 429
    assert "Wait a minute and try again." in answer.json()["detail"]
    assert int(answer["Retry-After"]) > 0
    assert "no-store" in answer["Cache-Control"]
    # A signed-in person counts on their own budget.
    assert register.world.client("coordinator_b").get(urls[0]).status_code == 200


# --- Query counts --------------------------------------------------------------------------------


def populate(count: int, admin: User) -> Certificate:
    """``count`` certificates of ``count`` institutions, a third of them suspended; the last."""
    certificate = None
    for n in range(count):
        institution = InstitutionFactory(name=f"Queries {count}-{n}")
        certificate = issue(institution, "training" if n % 2 else "intervention")
        if n % 3 == 0:
            certificate_change(
                certificate=certificate, user=admin, change="suspend", reason="Review"
            )
    assert certificate is not None
    return certificate


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["anonymous", "coordinator_a"])
def test_query_counts_do_not_grow_with_the_register(world: World, role: str) -> None:
    client = world.client(role)
    counts = []
    for size in (3, 30):
        Certificate.unscoped.update(status="withdrawn")  # the previous size's, out of the list
        last = reload(populate(size, world.users["admin"]))
        urls = [
            reverse("public:register"),
            f"{reverse('public:register')}?q=queries&country=BE",
            number_url(last),
            code_url(last),
            API_REGISTER,
            f"{API_REGISTER}?scheme=training",
            api_verify(last.code),
        ]
        counts.append([queries(client, url) for url in urls])
        assert len(listed_on_page(client.get(reverse("public:register")))) == min(size, 25)
    assert counts[0] == counts[1]
    if role == "anonymous":
        assert max(counts[0]) <= 3, counts[0]  # the page's count and rows; one for a verification


def test_a_page_of_the_register_costs_the_same_queries_whatever_the_page(world: World) -> None:
    # The count and one page of rows, whether the page is the first, a later one or a longer one.
    client = world.client("anonymous")
    counts = {}
    for size in (5, 40):
        Certificate.unscoped.update(status="withdrawn")  # the previous size's, out of the list
        populate(size, world.users["admin"])
        register_url = reverse("public:register")
        urls = [
            register_url,
            f"{register_url}?page=2",
            f"{register_url}?per_page=100",
            f"{register_url}?q=queries+{size}-1&scheme=training&status=active",
            f"{API_REGISTER}?limit=2&offset=2",
        ]
        counts[size] = [queries(client, url) for url in urls]
    assert counts[5] == counts[40] == [2] * 5, counts


def test_a_verification_costs_one_query_whatever_the_certificate(
    register: Register, client: Client
) -> None:
    # A superseded certificate names its successor: it comes with the certificate, not after it.
    institution = register.world.institution_a
    issue(institution, level=InterventionLevel.COMPREHENSIVE)
    issue(institution, "training")
    mastery = Certificate.unscoped.get(institution=institution, scheme="mastery")
    issue(institution, "training")  # the renewal replaces the Mastery
    superseded = reload(mastery)
    assert superseded.status == "superseded"
    names = ("active", "suspended", "design", "withdrawn", "expired", "overdue", "competences")
    certificates = [*(getattr(register, name) for name in names), superseded]
    counts = {
        certificate.status + " " + certificate.number: [
            queries(client, url)
            for url in (
                code_url(certificate),
                number_url(certificate),
                api_verify(certificate.code),
            )
        ]
        for certificate in certificates
    }
    assert all(count == [1, 1, 1] for count in counts.values()), counts
