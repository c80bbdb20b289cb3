"""Asking again for the report of an unchanged dossier gives the last ready version back.

The digest of what the report shows (``reports.dossier.dossier_input_digest``) is stored on the
report; a request whose digest matches the latest ready report of the audit returns that report,
records nothing and sends no task. Any change to what the PDF shows makes a new version.
"""

import copy
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.assessments import assessment_self_rate
from audits.services.submission import audit_submit
from evidence.models import EvidenceFile
from evidence.services import (
    evidence_delete,
    evidence_effective_date_set,
    evidence_link_add,
    evidence_replace,
    evidence_upload,
)
from reports import dossier, services
from reports.dossier import dossier_input_digest
from reports.models import Report
from reports.rendering import RenderedPdf
from rescue.errors import ActionRefusedError
from tests.factories import UserFactory
from tests.reports.conftest import sealed_dossier
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

Dossier = tuple[Audit, User]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the reports whose render task was sent (nothing reaches the broker)."""
    ids: list[int] = []

    def send(*, report_id: int) -> bool:
        ids.append(report_id)
        return True

    monkeypatch.setattr(services, "report_send", send)
    return ids


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Callable) -> Callable[[], Any]:
    """A block whose on-commit callbacks run at its end, as they would once committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-page PDF instead of the layout: the context and its digest are read as ever."""
    monkeypatch.setattr(
        services, "render_pdf", lambda *args, **kwargs: RenderedPdf(b"%PDF-1.7 test", 1)
    )


@pytest.fixture
def draft(catalogue: None) -> Dossier:
    """A complete Intervention dossier, not submitted yet: it can still change."""
    return sealed_dossier(submit=False)


def ask(audit: Audit, user: User, on_commit: Callable[[], Any]) -> services.ReportRequestResult:
    with on_commit():
        return services.report_request(audit=audit, user=user)


def ask_ready(audit: Audit, user: User, on_commit: Callable[[], Any]) -> Report:
    """A new version, rendered."""
    result = ask(audit, user, on_commit)
    assert not result.reused
    report = services.report_render(report_id=result.report.pk)
    assert report is not None
    assert report.status == Report.Status.READY
    return report


def requested_events(audit: Audit) -> int:
    return (
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit, action=AuditEvent.Action.REPORT_REQUESTED)
        .count()
    )


def reports_of(audit: Audit) -> list[int]:
    return list(
        Report.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .order_by("version")
        .values_list("version", flat=True)
    )


def assessment(audit: Audit, code: str = "INT01") -> StandardAssessment:
    return (
        StandardAssessment.objects.for_institution(audit.institution_id)
        .select_related("audit", "standard")
        .get(audit=audit, standard__code=code)
    )


def first_file(audit: Audit) -> EvidenceFile:
    return (
        EvidenceFile.objects.for_institution(audit.institution_id)
        .select_related("audit", "current_revision")
        .filter(audit=audit, links__assessment__standard__code="INT01")
        .get()
    )


def csv_file(name: str, content: bytes = b"quarter,value\n2025-Q3,7\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "text/csv")


# --- Unchanged: one report, one task ------------------------------------------------------------


def test_asking_twice_for_an_unchanged_dossier_renders_once(
    catalogue: None, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    """Rendered for real: the PDF's generation time differs, the digest does not."""
    audit, coordinator = sealed_dossier()
    first = ask_ready(audit, coordinator, on_commit)
    assert len(first.input_digest) == 64
    again = ask(audit, coordinator, on_commit)
    assert again.reused
    assert again.report == first
    assert (again.report.version, again.report.status) == (1, Report.Status.READY)
    assert reports_of(audit) == [1]
    assert sent == [first.pk]  # one task, for the first request only
    assert requested_events(audit) == 1  # the reuse records no "Report requested"


def test_the_page_says_the_last_version_is_given_back(
    draft: Dossier, sent: list[int], on_commit: Callable[[], Any], quick_pdf: None
) -> None:
    audit, coordinator = draft
    client = client_for(coordinator)
    url = reverse("reports:create", args=[audit.pk])
    with on_commit():
        first = client.post(url, {"kind": "dossier"}, follow=True)
    assert "Dossier report v1 is being prepared." in first.content.decode()
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    services.report_render(report_id=report.pk)
    with on_commit():
        again = client.post(url, {"kind": "dossier"}, follow=True)
    assert again.status_code == 200
    detail = reverse("audits:detail", args=[audit.pk])
    assert again.redirect_chain == [(f"{detail}#report-{report.pk}", 302)]
    page = again.content.decode()
    assert "Nothing has changed since version 1 of this report: here it is." in page
    assert "is being prepared" not in page
    assert reverse("reports:download", args=[audit.pk, report.pk]) in page
    assert reports_of(audit) == [1]
    assert sent == [report.pk]
    assert requested_events(audit) == 1


def test_the_api_answers_200_with_the_ready_report(
    world: World, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    report = world.report_a
    url = f"/api/v1/audits/{world.audit_a.pk}/reports/"
    # The world's report was stored without a digest: it is never given back, a new one is made.
    with on_commit():
        queued = world.client("coordinator_a").post(
            url, {"kind": "dossier"}, content_type="application/json"
        )
    assert queued.status_code == 202
    assert (queued.json()["version"], queued.json()["reused"]) == (2, False)
    # Once version 2 is ready with the dossier as it is, asking again gives it back.
    services.report_render(report_id=queued.json()["id"])
    for role in ("coordinator_a", "auditor_assigned", "admin"):
        with on_commit():
            answer = world.client(role).post(
                url, {"kind": "dossier"}, content_type="application/json"
            )
        assert answer.status_code == 200, role
        body = answer.json()
        assert (body["id"], body["version"], body["status"], body["reused"]) == (
            queued.json()["id"],
            2,
            "ready",
            True,
        )
        assert body["download_url"].endswith(f"/reports/{body['id']}/download/")
    assert reports_of(world.audit_a) == [report.version, 2]
    assert sent == [queued.json()["id"]]


# --- What counts as a change --------------------------------------------------------------------


def rate_otherwise(audit: Audit, user: User) -> None:
    item = assessment(audit)
    assessment_self_rate(
        assessment=item, user=user, self_rating="partially_met", narrative=item.narrative
    )


def write_otherwise(audit: Audit, user: User) -> None:
    item = assessment(audit)
    assessment_self_rate(
        assessment=item,
        user=user,
        self_rating=item.self_rating,
        narrative=f"{item.narrative} Reviewed by the board.",
    )


def add_a_file(audit: Audit, user: User) -> None:
    evidence_upload(
        audit=audit,
        user=user,
        uploaded=csv_file("board-minutes.csv"),
        assessments=[assessment(audit)],
        confirmed_no_personal_data=True,
    )


def replace_a_file(audit: Audit, user: User) -> None:
    evidence_replace(
        evidence=first_file(audit),
        user=user,
        uploaded=csv_file("int01-evidence-1.csv", b"quarter,value\n2025-Q4,9\n"),
        confirmed_no_personal_data=True,
    )


def remove_a_file(audit: Audit, user: User) -> None:
    evidence_delete(evidence=first_file(audit), user=user)


def link_a_file(audit: Audit, user: User) -> None:
    evidence_link_add(evidence=first_file(audit), user=user, assessment=assessment(audit, "INT02"))


def date_a_file(audit: Audit, user: User) -> None:
    evidence_effective_date_set(
        evidence=first_file(audit), user=user, effective_date=date(2025, 3, 1)
    )


def submit(audit: Audit, user: User) -> None:
    audit_submit(audit=audit, user=user)


def speak_dutch(audit: Audit, user: User) -> None:
    audit.institution.preferred_language = "nl"
    audit.institution.save()


CHANGES = [
    rate_otherwise,
    write_otherwise,
    add_a_file,
    replace_a_file,
    remove_a_file,
    link_a_file,
    date_a_file,
    submit,
    speak_dutch,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_a_change_to_what_the_report_shows_makes_a_new_version(
    draft: Dossier,
    sent: list[int],
    on_commit: Callable[[], Any],
    quick_pdf: None,
    change: Callable[[Audit, User], None],
) -> None:
    audit, coordinator = draft
    first = ask_ready(audit, coordinator, on_commit)
    before = dossier_input_digest(audit, first.language)
    assert before == first.input_digest
    change(audit, coordinator)
    audit.refresh_from_db()
    second = ask(audit, coordinator, on_commit)
    assert not second.reused
    assert (second.report.version, second.report.status) == (2, Report.Status.QUEUED)
    assert second.report.input_digest not in ("", before)
    assert sent == [first.pk, second.report.pk]
    assert requested_events(audit) == 2
    # And once version 2 is ready, it is the one given back.
    services.report_render(report_id=second.report.pk)
    third = ask(audit, coordinator, on_commit)
    assert (third.reused, third.report.pk) == (True, second.report.pk)


@pytest.mark.usefixtures("quick_pdf")
def test_a_new_layout_makes_a_new_version(
    draft: Dossier,
    on_commit: Callable[[], Any],
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deployment that changes the templates, or the layout code (REPORT_LAYOUT_VERSION)."""
    audit, coordinator = draft
    first = ask_ready(audit, coordinator, on_commit)
    template = get_template("pdf/dossier.html").origin.name
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "dossier.html").write_text(
        Path(template).read_text() + "{# a new layout #}\n"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    second = ask(audit, coordinator, on_commit)
    assert (second.reused, second.report.version) == (False, 2)
    services.report_render(report_id=second.report.pk)
    assert ask(audit, coordinator, on_commit).reused
    monkeypatch.setattr(dossier, "REPORT_LAYOUT_VERSION", dossier.REPORT_LAYOUT_VERSION + 1)
    third = ask(audit, coordinator, on_commit)
    assert (third.reused, third.report.version) == (False, 3)
    assert len({first.input_digest, second.report.input_digest, third.report.input_digest}) == 3


def test_the_people_who_act_do_not_change_the_digest(
    draft: Dossier, on_commit: Callable[[], Any], quick_pdf: None
) -> None:
    """Who asks, and when, are not printed: another coordinator gets the same report back."""
    audit, coordinator = draft
    first = ask_ready(audit, coordinator, on_commit)
    admin = UserFactory(email="ernst@example.org")
    admin.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    admin = User.objects.get(pk=admin.pk)  # without the permission caches of before
    again = ask(audit, admin, on_commit)
    assert (again.reused, again.report.pk) == (True, first.pk)


def test_the_digest_covers_the_look_back_window_of_a_draft(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft's window starts from today, as its PDF says: the next day the digest differs.
    A submitted dossier's window starts from its submission: the digest stays."""
    draft_audit, _ = sealed_dossier(submit=False, name="Hospital Draft")
    sealed_audit, _ = sealed_dossier(name="Hospital Sealed")
    today = {audit.pk: dossier_input_digest(audit, "en") for audit in (draft_audit, sealed_audit)}
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=1))
    assert dossier_input_digest(draft_audit, "en") != today[draft_audit.pk]
    assert dossier_input_digest(sealed_audit, "en") == today[sealed_audit.pk]


def test_the_digest_is_read_in_a_constant_number_of_queries(
    catalogue: None, django_assert_max_num_queries: Callable
) -> None:
    for files in (1, 3):
        audit, _ = sealed_dossier(files_per_standard=files, name=f"Hospital {files}")
        with django_assert_max_num_queries(6):
            dossier_input_digest(audit, "en")


# --- What is never given back -------------------------------------------------------------------


def test_a_failed_last_report_is_not_given_back(
    draft: Dossier, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    audit, coordinator = draft
    first = ask(audit, coordinator, on_commit).report
    assert services.report_fail(report_id=first.pk, message="The report could not be rendered.")
    second = ask(audit, coordinator, on_commit)
    assert not second.reused
    assert (second.report.version, second.report.status) == (2, Report.Status.QUEUED)
    assert second.report.input_digest == first.input_digest  # same dossier, yet rendered
    assert sent == [first.pk, second.report.pk]


def test_a_pending_report_is_not_given_back(
    draft: Dossier, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    audit, coordinator = draft
    first = ask(audit, coordinator, on_commit).report
    with pytest.raises(ActionRefusedError, match="still being prepared"):
        ask(audit, coordinator, on_commit)
    assert reports_of(audit) == [1]
    assert sent == [first.pk]


def test_only_the_latest_ready_report_counts(
    draft: Dossier, on_commit: Callable[[], Any], quick_pdf: None
) -> None:
    """Version 1 showed the dossier as it is again now, version 2 did not: version 3 is made
    (giving back version 1 would hide that version 2 exists and reads otherwise)."""
    audit, coordinator = draft
    ask_ready(audit, coordinator, on_commit)
    item = assessment(audit)
    original = item.narrative
    assessment_self_rate(
        assessment=item, user=coordinator, self_rating="met", narrative="A new text."
    )
    ask_ready(audit, coordinator, on_commit)
    assessment_self_rate(
        assessment=assessment(audit), user=coordinator, self_rating="met", narrative=original
    )
    third = ask(audit, coordinator, on_commit)
    assert (third.reused, third.report.version) == (False, 3)


def test_a_report_whose_file_is_lost_is_not_given_back(
    draft: Dossier,
    sent: list[int],
    on_commit: Callable[[], Any],
    quick_pdf: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    audit, coordinator = draft
    first = ask_ready(audit, coordinator, on_commit)
    first.file.storage.delete(first.file.name)
    second = ask(audit, coordinator, on_commit)
    assert (second.reused, second.report.version) == (False, 2)
    assert f"report {first.pk}: its file is missing" in caplog.text
    assert sent == [first.pk, second.report.pk]


def test_the_digest_stored_is_that_of_what_was_rendered(
    draft: Dossier, on_commit: Callable[[], Any], quick_pdf: None
) -> None:
    """The dossier changed between the request and the rendering: the PDF shows the change,
    and so does the digest stored with it."""
    audit, coordinator = draft
    queued = ask(audit, coordinator, on_commit).report
    asked_for = queued.input_digest
    write_otherwise(audit, coordinator)
    rendered = services.report_render(report_id=queued.pk)
    assert rendered is not None
    assert rendered.input_digest == dossier_input_digest(audit, "en") != asked_for
    again = ask(audit, coordinator, on_commit)
    assert (again.reused, again.report.pk) == (True, queued.pk)


# --- Tenancy --------------------------------------------------------------------------------------


@pytest.fixture
def world_digests(world: World) -> World:
    """Institution A's ready report carries the digest of B's dossier as it is now: were the
    look-up not scoped to the audit, B would get A's report."""
    language = services.report_language(world.audit_b)
    digest = services.report_input_digest(audit=world.audit_b, kind="dossier", language=language)
    Report.objects.for_institution(world.institution_a.pk).filter(pk=world.report_a.pk).update(
        input_digest=digest
    )
    return world


def test_another_institutions_report_is_never_given_back(
    world_digests: World, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    world = world_digests
    url = f"/api/v1/audits/{world.audit_b.pk}/reports/"
    with on_commit():
        answer = world.client("coordinator_b").post(
            url, {"kind": "dossier"}, content_type="application/json"
        )
    assert answer.status_code == 202
    created = Report.objects.for_institution(world.institution_b.pk).get()
    assert (answer.json()["id"], answer.json()["reused"]) == (created.pk, False)
    assert created.pk != world.report_a.pk
    assert sent == [created.pk]


def test_outside_the_audit_a_reusable_report_answers_404(
    world: World, sent: list[int], on_commit: Callable[[], Any]
) -> None:
    language = services.report_language(world.audit_a)
    digest = services.report_input_digest(audit=world.audit_a, kind="dossier", language=language)
    Report.objects.for_institution(world.institution_a.pk).filter(pk=world.report_a.pk).update(
        input_digest=digest
    )
    url = f"/api/v1/audits/{world.audit_a.pk}/reports/"
    page_url = reverse("reports:create", args=[world.audit_a.pk])
    for role in ("coordinator_b", "auditor_unassigned"):
        with on_commit():
            answer = world.client(role).post(
                url, {"kind": "dossier"}, content_type="application/json"
            )
            page = world.client(role).post(page_url, {"kind": "dossier"})
        assert answer.status_code == 404, role
        assert str(world.report_a.pk) not in answer.content.decode()
        assert page.status_code == 404, role
    # A contributor reaches the audit but gets no whole-dossier report, reused or not.
    with on_commit():
        contributor = world.client("contributor_a").post(url, {}, content_type="application/json")
    assert contributor.status_code == 403
    assert "download_url" not in contributor.json()
    # The coordinator of A gets it back.
    with on_commit():
        own = world.client("coordinator_a").post(
            url, {"kind": "dossier"}, content_type="application/json"
        )
    assert (own.status_code, own.json()["id"]) == (200, world.report_a.pk)
    assert sent == []
    assert reports_of(world.audit_a) == [1]
