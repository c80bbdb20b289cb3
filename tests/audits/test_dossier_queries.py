"""The dossier pages and the standards API answer in a constant number of queries.

Two audits are built directly with factories (no real uploads): a small one (3 standards, one
file each) and a large one (30 standards, five files each, every file supporting three standards,
assignees, a flagged file, a deleted file, events). The same page must cost the same number of
queries for both: a query per standard or per file would show as a difference.
"""

import hashlib
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.selectors import dossier_progress, dossier_summary, flagged_file_list
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from institutions.models import Membership
from standards.models import StandardGuidance
from tests.factories import (
    AuditFactory,
    CatalogueVersionFactory,
    InstitutionFactory,
    MembershipFactory,
    SectionFactory,
    StandardFactory,
)
from tests.world import client_for

pytestmark = pytest.mark.django_db

# Upper bounds with some room above today's counts (dashboard 11, with the whole dossier's counts
# beside a contributor's own; standard page 19 to 22, API 10), far below what a query per
# standard (30) or per file (150) of the large audit would cost.
MAX_DASHBOARD = 14
MAX_STANDARD_PAGE = 32
MAX_API = 14
MAX_LIST = 12

FINDING = {"category": "email", "label": "E-mail address", "count": 1, "examples": ["a…@x.org"]}


@dataclass
class Setup:
    audit: Audit
    users: dict[str, User]
    codes: list[str]
    files_per_standard: dict[str, int] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        if role not in self.clients:
            self.clients[role] = client_for(self.users[role])
        return self.clients[role]


def build(*, standards: int, files_each: int, links_each: int) -> Setup:
    institution = InstitutionFactory()
    coordinator = MembershipFactory(institution=institution).user
    contributor = MembershipFactory(institution=institution, role=Membership.Role.CONTRIBUTOR).user
    version = CatalogueVersionFactory()
    sections = [SectionFactory(catalogue_version=version) for _ in range(3)]
    catalogue = [
        StandardFactory(section=sections[i * 3 // standards], code=f"INT{i + 1:02d}", order=i + 1)
        for i in range(standards)
    ]
    for standard in catalogue:
        StandardGuidance.objects.create(standard=standard, setting="hospital", text="Cover.")
    audit = AuditFactory(institution=institution, catalogue_version=version)
    assessments = StandardAssessment.objects.bulk_create(
        StandardAssessment(
            institution=institution,
            audit=audit,
            standard=standard,
            self_rating="met",
            narrative=f"How we meet {standard.code}.",
        )
        for standard in catalogue
    )
    for assessment in assessments:
        assessment.assignees.add(coordinator, contributor)

    files = EvidenceFile.objects.bulk_create(
        EvidenceFile(institution=institution, audit=audit, created_by=coordinator)
        for _ in range(standards * files_each + 1)  # one more, deleted below
    )
    revisions = EvidenceRevision.objects.bulk_create(
        EvidenceRevision(
            institution=institution,
            evidence=evidence,
            number=1,
            file=f"evidence/{institution.pk}/{audit.pk}/{n}.pdf",
            original_name=f"file-{n}.pdf",
            size=1000 + n,
            sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            mime_type="application/pdf",
            kind="pdf",
            uploaded_by=coordinator,
            uploaded_by_email=coordinator.email,
            confirmed_no_personal_data=True,
            personal_data_findings=[FINDING] if n == 0 else [],
        )
        for n, evidence in enumerate(files)
    )
    for evidence, revision in zip(files, revisions, strict=True):
        evidence.current_revision = revision
    EvidenceFile.unscoped.bulk_update(files, ["current_revision"])  # one tenant here
    links = []
    for n, evidence in enumerate(files):
        own = n // files_each % standards
        for step in range(links_each):
            assessment = assessments[(own + step) % standards]
            links.append(
                EvidenceLink(
                    institution=institution,
                    evidence=evidence,
                    assessment=assessment,
                    linked_by=coordinator,
                )
            )
    EvidenceLink.objects.bulk_create(links)
    deleted = files[-1]
    EvidenceFile.objects.for_institution(institution).filter(pk=deleted.pk).update(
        deleted_at=audit.created_at, deleted_by=coordinator
    )
    for n in range(min(standards, 12)):
        audit_event_record(
            audit=audit,
            actor=coordinator,
            action=AuditEvent.Action.UPLOADED,
            object_label=f"file-{n}.pdf",
        )

    live = files[:-1]
    per_standard = {standard.code: 0 for standard in catalogue}
    for link in links:
        if link.evidence_id != deleted.pk:
            per_standard[catalogue[assessments.index(link.assessment)].code] += 1
    assert sum(per_standard.values()) == len(live) * links_each
    return Setup(
        audit=audit,
        users={"coordinator": coordinator, "contributor": contributor},
        codes=[s.code for s in catalogue],
        files_per_standard=per_standard,
    )


@pytest.fixture
def small() -> Setup:
    return build(standards=3, files_each=1, links_each=1)


@pytest.fixture
def large() -> Setup:
    return build(standards=30, files_each=5, links_each=3)


def count_queries(client: Client, url: str) -> tuple[int, list[str], HttpResponse]:
    client.get(url)  # warm up: sessions, caches filled once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [q["sql"] for q in queries.captured_queries], response


def assert_constant(
    small_url: str, large_url: str, small: Setup, large: Setup, role: str, *, bound: int
) -> HttpResponse:
    """Same count for both, under the bound; the large answer, for checks of its content."""
    few, few_sql, _ = count_queries(small.client(role), small_url)
    many, many_sql, response = count_queries(large.client(role), large_url)
    assert few == many, "\n".join(["small:", *few_sql, "", "large:", *many_sql])
    assert many <= bound, "\n".join(many_sql)
    return response


ROLES = ["coordinator", "contributor"]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_queries_do_not_grow_with_the_dossier(
    small: Setup, large: Setup, role: str
) -> None:
    urls = [reverse("audits:detail", args=[s.audit.pk]) for s in (small, large)]
    response = assert_constant(*urls, small, large, role, bound=MAX_DASHBOARD)
    # The large page really shows the large dossier.
    content = response.content.decode()
    assert all(f'<span class="code">{code}</span>' in content for code in large.codes)
    assert "review</span>" in content  # the flagged file


@pytest.mark.parametrize("role", ROLES)
def test_standard_page_queries_do_not_grow_with_the_dossier(
    small: Setup, large: Setup, role: str
) -> None:
    urls = [reverse("audits:standard", args=[s.audit.pk, s.codes[0]]) for s in (small, large)]
    response = assert_constant(*urls, small, large, role, bound=MAX_STANDARD_PAGE)
    assert len(response.context["file_rows"]) == large.files_per_standard[large.codes[0]] > 5
    # Each file's changes are on its own page: no choice of standards per file row here, so the
    # page's size follows this standard's files, not the files times the standards.
    assert 'name="assessments"' not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_standards_api_queries_do_not_grow_with_the_dossier(
    small: Setup, large: Setup, role: str
) -> None:
    urls = [reverse("audit-standards", args=[s.audit.pk]) for s in (small, large)]
    response = assert_constant(*urls, small, large, role, bound=MAX_API)
    body = response.json()
    assert body["count"] == len(large.codes)
    rows = body["results"]
    assert [row["code"] for row in rows] == large.codes
    assert {row["code"]: row["file_count"] for row in rows} == large.files_per_standard
    assert all(row["complete"] for row in rows)


@pytest.mark.parametrize("role", ROLES)
def test_the_evidence_api_lists_a_standards_files_a_page_at_a_time(
    small: Setup, large: Setup, role: str
) -> None:
    code = large.codes[0]
    urls = [
        f"{reverse('audit-evidence', args=[s.audit.pk])}?standard={s.codes[0]}"
        for s in (small, large)
    ]
    response = assert_constant(*urls, small, large, role, bound=MAX_API)
    body = response.json()
    assert body["count"] == large.files_per_standard[code]
    paged = large.client(role).get(
        reverse("audit-evidence", args=[large.audit.pk]), {"standard": code, "limit": 4}
    )
    assert len(paged.json()["results"]) == 4
    assert paged.json()["next"]
    unknown = large.client(role).get(
        reverse("audit-evidence", args=[large.audit.pk]), {"standard": "ZZ99"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["standard"] == ["No standard ZZ99 in this audit."]


def test_the_audit_list_shows_each_audits_progress_in_constant_queries(
    small: Setup, large: Setup
) -> None:
    """An ERNST admin's list holds both audits; a coordinator's, their own. The figures are the
    dashboard's, and the count of queries does not depend on the audits' size."""
    first, second, third = StandardAssessment.unscoped.filter(audit=large.audit)[:3]
    StandardAssessment.unscoped.filter(pk=first.pk).update(self_rating="")  # not rated
    StandardAssessment.unscoped.filter(pk=second.pk).update(
        self_rating="not_applicable", justification="No students in this hospital."
    )
    EvidenceLink.unscoped.filter(assessment=third).delete()  # rated, no file
    url = reverse("audits:list")
    few, few_sql, _ = count_queries(small.client("coordinator"), url)
    many, many_sql, response = count_queries(large.client("coordinator"), url)
    assert few == many, "\n".join(["small:", *few_sql, "", "large:", *many_sql])
    assert many <= MAX_LIST, "\n".join(many_sql)
    for setup, client_response in (
        (large, response),
        (small, small.client("coordinator").get(url)),
    ):
        items = [item for section in dossier_progress(audit=setup.audit) for item in section.items]
        ready = sum(item.complete for item in items)
        assert ready == len(items) - (2 if setup is large else 0)
        text = " ".join(client_response.content.decode().split())
        assert f"</progress> {ready} of {len(items)}</span></td>" in text


def test_the_dashboards_counted_reading_agrees_with_the_files_it_counts(large: Setup) -> None:
    """``dossier_summary`` counts in SQL what ``dossier_progress`` loads: live files (the deleted
    one left out), the flag for personal data (set, then reviewed), readiness, people."""
    audit = large.audit
    flagged_revision = EvidenceRevision.unscoped.get(
        evidence__audit=audit, original_name="file-0.pdf"
    )
    rated_without_file = StandardAssessment.objects.for_institution(audit.institution_id).get(
        audit=audit, standard__code=large.codes[-1]
    )
    EvidenceLink.objects.for_institution(audit.institution_id).filter(
        assessment=rated_without_file
    ).delete()
    assessments = StandardAssessment.objects.for_institution(audit.institution_id).filter(
        audit=audit
    )

    def readings() -> tuple[list, list]:
        full = [i for s in dossier_progress(audit=audit) for i in s.items]
        counted = [
            i for s in dossier_summary(audit=audit, assessments=assessments) for i in s.items
        ]
        return full, counted

    full, counted = readings()
    assert [i.assessment.pk for i in counted] == [i.assessment.pk for i in full]
    for whole, summary in zip(full, counted, strict=True):
        assert summary.file_count == len(whole.files)
        assert summary.flagged == whole.flagged
        assert summary.problems == whole.problems
        assert sorted(summary.people) == sorted(
            u.get_full_name() or u.email for u in whole.assessment.assignees.all()
        )
    assert sum(item.flagged for item in counted) == 3  # file-0 supports three standards
    assert counted[-1].problems == ["no evidence file"]
    [entry] = flagged_file_list(audit=audit, assessments=assessments)
    assert entry["file"].pk == flagged_revision.evidence_id
    assert entry["codes"] == [i.assessment.standard.code for i in counted if i.flagged]

    flagged_revision.personal_data_reviewed_at = audit.created_at
    flagged_revision.save(update_fields=["personal_data_reviewed_at"])
    full, counted = readings()
    assert not any(item.flagged for item in counted)
    assert [s.flagged for s in counted] == [w.flagged for w in full]
    assert flagged_file_list(audit=audit, assessments=assessments) == []


def test_flagged_files_are_counted_by_their_current_revision_within_the_institution(
    large: Setup,
) -> None:
    """``flagged_files`` counts each standard's live files whose current revision is flagged:
    a file whose earlier revision was flagged but whose current one is clean is not counted, a
    deleted flagged file is not, and another institution's flagged revisions never are."""
    audit = large.audit
    assessments = StandardAssessment.objects.for_institution(audit.institution_id).filter(
        audit=audit
    )
    first = assessments.order_by("standard__order")[0]
    files = list(
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(links__assessment=first, deleted_at__isnull=True)
        .select_related("current_revision")
        .order_by("pk")
    )
    assert len(files) >= 3
    # file-0 is flagged already; a second file of the standard becomes flagged too.
    second = files[1].current
    EvidenceRevision.unscoped.filter(pk=second.pk).update(personal_data_findings=[FINDING])
    # A third file: flagged at revision 1, clean at its current revision 2.
    third = files[2]
    clean = EvidenceRevision.objects.create(
        institution_id=audit.institution_id,
        evidence=third,
        number=2,
        file="evidence/clean.pdf",
        original_name="clean.pdf",
        size=10,
        sha256="0" * 64,
        mime_type="application/pdf",
        kind="pdf",
        uploaded_by_email="coord@example.org",
    )
    EvidenceRevision.unscoped.filter(pk=third.current.pk).update(personal_data_findings=[FINDING])
    EvidenceFile.unscoped.filter(pk=third.pk).update(current_revision=clean)
    # Another institution's flagged file, whose revision id the counts must not reach.
    other = build(standards=3, files_each=1, links_each=1)
    EvidenceRevision.unscoped.filter(evidence__audit=other.audit).update(
        personal_data_findings=[FINDING]
    )

    def flagged_of_first() -> int:
        summary = dossier_summary(audit=audit, assessments=assessments)
        return next(
            i for s in summary for i in s.items if i.assessment.pk == first.pk
        ).flagged_files

    assert flagged_of_first() == 2
    EvidenceFile.objects.for_institution(audit.institution_id).filter(pk=files[1].pk).update(
        deleted_at=audit.created_at
    )
    assert flagged_of_first() == 1
