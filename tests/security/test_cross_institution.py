"""Institution B's coordinator against every object of institution A.

For each object URL and API endpoint: reading, changing and deleting answer exactly as for an
object that does not exist (404), and nothing in the database changes.
"""

from typing import Any

import pytest
from django.urls import reverse

from audits.models import Audit, AuditEvent, StandardAssessment
from certification.models import (
    Appeal,
    AppealFile,
    Certificate,
    CertificateEvent,
    Decision,
    Renewal,
)
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from institutions.models import Institution, InstitutionSite, Invitation, Membership
from reports.models import Report
from reviews.models import (
    AssessmentInterview,
    AuditorAssignment,
    AuditorRating,
    ConsolidatedRating,
    CorrectiveAction,
    CorrectiveActionPlan,
    EvidenceRequest,
    EvidenceRequestAnswer,
    Finding,
    ReportComment,
    ReviewReport,
)
from tests.security.test_access_matrix import MATRIX, Access
from tests.world import World

OUTSIDER = "coordinator_b"
MISSING_ID = 987654321

OBJECT_URLS = sorted(
    name
    for name, access in MATRIX.items()
    if access.expect[OUTSIDER] == 404 and access.kwargs.__code__.co_names
)


def snapshot() -> tuple[Any, ...]:
    return (
        list(Institution.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Invitation.unscoped.order_by("pk").values()),
        list(InstitutionSite.unscoped.order_by("pk").values()),
        list(Audit.unscoped.order_by("pk").values()),
        list(AuditorAssignment.unscoped.order_by("pk").values()),
        list(StandardAssessment.unscoped.order_by("pk").values()),
        list(EvidenceFile.unscoped.order_by("pk").values()),
        list(EvidenceRevision.unscoped.order_by("pk").values()),
        list(EvidenceLink.unscoped.order_by("pk").values()),
        list(AuditEvent.unscoped.order_by("pk").values()),
        list(Report.unscoped.order_by("pk").values()),
        list(AuditorRating.unscoped.order_by("pk").values()),
        list(ConsolidatedRating.unscoped.order_by("pk").values()),
        list(Finding.unscoped.order_by("pk").values()),
        list(EvidenceRequest.unscoped.order_by("pk").values()),
        list(EvidenceRequestAnswer.unscoped.order_by("pk").values()),
        list(ReviewReport.unscoped.order_by("pk").values()),
        list(ReportComment.unscoped.order_by("pk").values()),
        list(AssessmentInterview.unscoped.order_by("pk").values()),
        list(CorrectiveActionPlan.unscoped.order_by("pk").values()),
        list(CorrectiveAction.unscoped.order_by("pk").values()),
        list(Decision.unscoped.order_by("pk").values()),
        list(Certificate.unscoped.order_by("pk").values()),
        list(CertificateEvent.unscoped.order_by("pk").values()),
        list(Appeal.unscoped.order_by("pk").values()),
        list(AppealFile.unscoped.order_by("pk").values()),
        list(Renewal.unscoped.order_by("pk").values()),
    )


def with_missing_ids(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        key: MISSING_ID if key.endswith("id") or key == "pk" else value
        for key, value in kwargs.items()
    }


def call(client: Any, method: str, url: str, access: Access, world: World) -> int:
    if method == "get":
        return client.get(url).status_code
    if method == "post":
        return client.post(url, access.data(world)).status_code
    return getattr(client, method)(url, content_type="application/json", data={}).status_code


def test_there_are_object_urls_to_check() -> None:
    assert len(OBJECT_URLS) >= 10, OBJECT_URLS


@pytest.mark.django_db
@pytest.mark.parametrize("name", OBJECT_URLS)
def test_foreign_object_is_indistinguishable_from_a_missing_one(world: World, name: str) -> None:
    access = MATRIX[name]
    client = world.client(OUTSIDER)
    real = reverse(name, kwargs=access.kwargs(world))
    missing = reverse(name, kwargs=with_missing_ids(access.kwargs(world)))
    methods = [access.method]
    if name.endswith("-detail") or name == "institution-members":
        methods += ["put", "patch", "delete"]
    before = snapshot()
    for method in methods:
        assert call(client, method, real, access, world) == call(
            client, method, missing, access, world
        ), f"{method.upper()} {name}"
    assert call(client, access.method, real, access, world) == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_lists_and_search_show_nothing_of_the_other_institution(world: World) -> None:
    client = world.client(OUTSIDER)
    pages = [
        reverse("home"),
        reverse("audits:list"),
        "/api/v1/institutions/",
        "/api/v1/audits/",
        f"/api/v1/audits/?institution={world.institution_a.pk}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Hospital A" not in body, url
        assert "coord-a@example.org" not in body, url
    assert client.get("/api/v1/audits/").json()["count"] == 1  # B's own audit only
    # Filtering by a foreign institution looks exactly like filtering by a missing one.
    foreign = client.get(f"/api/v1/audits/?institution={world.institution_a.pk}")
    missing = client.get(f"/api/v1/audits/?institution={MISSING_ID}")
    assert foreign.status_code == missing.status_code == 200
    assert foreign.json() == missing.json()


@pytest.mark.django_db
def test_a_foreign_file_under_ones_own_audit_is_missing_too(world: World) -> None:
    """B's coordinator puts A's file id under B's own audit: still no such file."""
    client = world.client(OUTSIDER)
    own_audit = world.audit_b.pk
    before = snapshot()
    download = reverse("audits:evidence_download", args=[own_audit, world.evidence_a.pk])
    assert client.get(download).status_code == 404
    for action in (
        "evidence_replace",
        "evidence_links",
        "evidence_date",
        "evidence_delete",
        "evidence_review",
    ):
        url = reverse(f"audits:{action}", args=[own_audit, world.evidence_a.pk])
        assert client.post(url, {"assessments": [world.assessment_a.pk]}).status_code == 404
    # A's assessment offered as a link target of a file of B: refused, nothing linked.
    link = reverse("audits:standard_link", args=[own_audit, world.standard.code])
    assert client.post(link, {"evidence": world.evidence_a.pk}).status_code == 400
    assert snapshot() == before


@pytest.mark.django_db
def test_a_foreign_report_under_ones_own_audit_is_missing_too(world: World) -> None:
    """B's coordinator, who may have B's reports, puts A's report id under B's own audit."""
    client = world.client(OUTSIDER)
    own_audit = world.audit_b.pk
    before = snapshot()
    for url in (
        reverse("reports:status", args=[own_audit, world.report_a.pk]),
        reverse("reports:download", args=[own_audit, world.report_a.pk]),
        f"/api/v1/audits/{own_audit}/reports/{world.report_a.pk}/",
    ):
        foreign = client.get(url)
        missing = client.get(url.replace(f"/{world.report_a.pk}/", f"/{MISSING_ID}/"))
        assert foreign.status_code == missing.status_code == 404, url
        assert "Hospital A" not in foreign.content.decode(), url
    assert client.get(f"/api/v1/audits/{own_audit}/reports/").json() == []
    assert snapshot() == before


@pytest.mark.django_db
def test_the_other_institutions_files_appear_nowhere(world: World) -> None:
    client = world.client(OUTSIDER)
    own = world.audit_b.pk
    for url in (
        reverse("audits:detail", args=[own]),
        reverse("audits:standard", args=[own, world.standard.code]),
        reverse("audits:history", args=[own]),
        f"/api/v1/audits/{own}/evidence/",
        f"/api/v1/audits/{own}/standards/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "rota.txt" not in response.content.decode(), url
