"""What can be done to a file already in the dossier: download (any revision), replace, choose the
standards it supports, reuse it for another standard, remove it, clear its personal-data flag.

Each refusal answers with the reason and changes nothing.
"""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from audits.models import Audit, AuditEvent, StandardAssessment
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from evidence.services import CONFIDENTIALITY_REQUIRED
from tests.evidence import samples
from tests.evidence.support import (
    BAD_FILES,
    ONE_KB,
    PERSONAL_TEXT,
    SEALED,
    api_url,
    file_url,
    listed_files,
    page_messages,
    page_text,
    seal,
    sha256,
    snapshot,
    standard_url,
    store,
    template_names,
    upload,
)
from tests.world import World

pytestmark = pytest.mark.django_db

ROTA = b"Peer supporter rota. Questions: jane.doe@hospital-a.example"  # world.evidence_a
NOT_YOURS = "You can see this file but not change it."
ACTIONS = (
    "evidence_replace",
    "evidence_links",
    "evidence_date",
    "evidence_delete",
    "evidence_review",
)


def fresh(evidence: EvidenceFile) -> EvidenceFile:
    return EvidenceFile.unscoped.select_related("current_revision").get(pk=evidence.pk)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def download(
    world: World, evidence: EvidenceFile, role: str = "coordinator_a", **query: Any
) -> Any:
    return world.client(role).get(file_url("evidence_download", world, evidence), query)


def replace(
    world: World,
    evidence: EvidenceFile,
    file: SimpleUploadedFile | None,
    *,
    role: str = "coordinator_a",
    confirmed: bool = True,
) -> HttpResponse:
    data: dict[str, Any] = {"return_to": world.standard.code}
    if file is not None:
        data["file"] = file
    if confirmed:
        data["confirmed_no_personal_data"] = "on"
    return world.client(role).post(file_url("evidence_replace", world, evidence), data)


def set_links(
    world: World,
    evidence: EvidenceFile,
    assessments: list[StandardAssessment] | list[int],
    role: str = "coordinator_a",
) -> HttpResponse:
    ids = [a.pk if isinstance(a, StandardAssessment) else a for a in assessments]
    return world.client(role).post(
        file_url("evidence_links", world, evidence),
        {"assessments": ids, "return_to": world.standard.code},
    )


def post_action(
    world: World, action: str, evidence: EvidenceFile, role: str = "coordinator_a"
) -> HttpResponse:
    return world.client(role).post(
        file_url(action, world, evidence), {"return_to": world.standard.code}
    )


def linked_to(evidence: EvidenceFile) -> set[int]:
    return set(EvidenceLink.unscoped.filter(evidence=evidence).values_list("assessment", flat=True))


def new_events(before: dict[str, Any]) -> list[AuditEvent]:
    known = {event["id"] for event in before["events"]}
    return list(AuditEvent.unscoped.exclude(pk__in=known).order_by("pk"))


def assert_refused(response: HttpResponse, status: int, message: str) -> None:
    assert response.status_code == status
    assert "audits/standard_detail.html" in template_names(response)
    assert page_messages(response) == [message]


# --- Download -------------------------------------------------------------------------------------


def test_download_is_a_private_attachment_with_the_exact_bytes(world: World) -> None:
    response = download(world, world.evidence_a)

    assert response.status_code == 200
    assert body(response) == ROTA
    assert response["Content-Disposition"] == 'attachment; filename="rota.txt"'
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Length"] == str(len(ROTA))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_file_lost_by_storage_is_a_404_with_the_reason_not_a_500(world: World) -> None:
    world.evidence_a.current_revision.file.delete(save=False)

    response = download(world, world.evidence_a)

    assert response.status_code == 404
    assert "The stored file is missing" in response.content.decode()


def test_download_names_a_non_ascii_file_safely(world: World) -> None:
    pdf = samples.pdf_bytes()
    evidence = store(world, "Política 2025.pdf", pdf)

    response = download(world, evidence)

    assert response.status_code == 200
    assert body(response) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Pol%C3%ADtica%202025.pdf"
    )


@pytest.mark.parametrize("role", ["coordinator_a", "contributor_a", "auditor_assigned", "admin"])
def test_everyone_who_sees_the_standard_downloads_its_file(world: World, role: str) -> None:
    response = download(world, world.evidence_a, role)
    assert response.status_code == 200
    assert body(response) == ROTA


def test_a_contributor_cannot_download_a_file_of_a_standard_not_assigned_to_them(
    world: World,
) -> None:
    board = store(world, "Board minutes.txt", assessment=world.assessment_a2)
    assert download(world, board, "contributor_a").status_code == 404
    assert download(world, board, "contributor_a", revision="1").status_code == 404
    assert download(world, board, "coordinator_a").status_code == 200


def test_a_contributor_downloads_a_file_they_uploaded_wherever_it_is_linked(world: World) -> None:
    mine = store(world, "Mine.txt", role="contributor_a")
    mine.links.update(assessment=world.assessment_a2)  # moved by the coordinator
    response = download(world, mine, "contributor_a")
    assert response.status_code == 200
    assert body(response) == b"Mine.txt contents"


def test_an_old_revision_is_downloaded_by_number(world: World) -> None:
    csv = samples.csv_bytes()
    assert replace(world, world.evidence_a, upload("Rota 2025.csv", csv)).status_code == 302

    current = download(world, world.evidence_a)
    first = download(world, world.evidence_a, revision="1")
    second = download(world, world.evidence_a, revision="2")

    assert body(current) == body(second) == csv
    assert current["Content-Disposition"] == 'attachment; filename="Rota 2025.csv"'
    assert current["Content-Type"] == "text/csv"
    assert first.status_code == 200
    assert body(first) == ROTA
    assert first["Content-Disposition"] == 'attachment; filename="rota.txt"'
    assert first["Content-Type"] == "text/plain"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("value", ["abc", "0", "3", "-1", "1.0", " 1", "²", "1e0", "9" * 30])
def test_a_revision_that_does_not_exist_is_404(world: World, value: str) -> None:
    replace(world, world.evidence_a, upload("rota.txt", b"Rota, version 2."))
    assert download(world, world.evidence_a, revision=value).status_code == 404


def test_a_revision_of_another_file_is_not_reachable_through_this_one(world: World) -> None:
    other = store(world, "Other.txt")
    replace(world, other, upload("Other.txt", b"Other, version 2."))
    # evidence_a has one revision; asking it for revision 2 must not find the other file's.
    assert download(world, world.evidence_a, revision="2").status_code == 404


# --- Replace --------------------------------------------------------------------------------------


def test_replace_stores_revision_2_and_keeps_revision_1(world: World) -> None:
    first = world.evidence_a.current_revision
    first_row = EvidenceRevision.unscoped.filter(pk=first.pk).values().get()
    first_path = Path(first.file.path)
    before = snapshot()
    csv = samples.csv_bytes()

    response = replace(world, world.evidence_a, upload("Rota 2025.csv", csv))

    assert response.status_code == 302
    assert response.url == standard_url(world)
    evidence = fresh(world.evidence_a)
    second = evidence.current_revision
    assert list(evidence.revisions.values_list("number", flat=True)) == [2, 1]
    assert second.number == 2
    assert (second.original_name, second.kind, second.mime_type) == (
        "Rota 2025.csv",
        "csv",
        "text/csv",
    )
    assert (second.size, second.sha256) == (len(csv), sha256(csv))
    assert second.uploaded_by == world.users["coordinator_a"]
    assert Path(second.file.path).read_bytes() == csv
    assert Path(second.file.path) != first_path
    # Revision 1 is kept as it was, file included.
    assert EvidenceRevision.unscoped.filter(pk=first.pk).values().get() == first_row
    assert first_path.read_bytes() == ROTA
    # Same file in the dossier: no new EvidenceFile, same links, same effective date.
    assert EvidenceFile.unscoped.count() == len(before["files"])
    assert snapshot()["links"] == before["links"]
    [event] = new_events(before)
    assert (event.action, event.object_label, event.actor_email) == (
        AuditEvent.Action.REPLACED,
        "Rota 2025.csv",
        "coord-a@example.org",
    )
    assert event.details == {
        "previous": "rota.txt",
        "previous_sha256": first.sha256,
        "sha256": sha256(csv),
        "revision": 2,
    }
    page = world.client("coordinator_a").get(response.url)
    assert page_messages(page, "success") == ["New version of Rota 2025.csv stored."]
    text = page_text(page)
    assert "version 2" in text
    # The flag belonged to revision 1; the clean version is not flagged.
    assert not second.is_flagged
    assert "May contain personal data" not in text


def test_a_reviewed_file_replaced_with_personal_data_is_flagged_again(world: World) -> None:
    assert post_action(world, "evidence_review", world.evidence_a).status_code == 302
    response = replace(world, world.evidence_a, upload("rota.txt", PERSONAL_TEXT.encode()))
    assert response.status_code == 302
    revision = fresh(world.evidence_a).current_revision
    assert revision.number == 2
    assert revision.is_flagged
    assert {f["category"] for f in revision.personal_data_findings} == {"email", "phone"}


REPLACE_REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    *[
        (bad.id, {"file": (bad.name, bad.build)}, bad.message)
        for bad in BAD_FILES
        if bad.id
        in {"windows-executable", "html-page", "svg-named-png", "zip-archive", "docm", "empty"}
    ],
    (
        "mismatched-extension",
        {"file": ("policy.docx", samples.pdf_bytes)},
        "policy.docx: its name ends in .docx but its content is a PDF document",
    ),
    (
        "unconfirmed",
        {"file": ("rota.txt", samples.txt_bytes), "confirmed": False},
        f"rota.txt: {CONFIDENTIALITY_REQUIRED}",
    ),
    ("no-file", {"file": None}, "Choose the new version of the file."),
]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [(kwargs, message) for _, kwargs, message in REPLACE_REFUSALS],
    ids=[case_id for case_id, _, _ in REPLACE_REFUSALS],
)
def test_a_refused_replacement_leaves_revision_1_current(
    world: World, kwargs: dict[str, Any], message: str
) -> None:
    before = snapshot()
    file = kwargs.pop("file")
    uploaded = upload(file[0], file[1]()) if file else None

    response = replace(world, world.evidence_a, uploaded, **kwargs)

    assert_refused(response, 400, message)
    assert snapshot() == before
    assert fresh(world.evidence_a).current_revision.number == 1
    assert body(download(world, world.evidence_a)) == ROTA


def test_a_replacement_over_the_size_limit_is_refused(world: World) -> None:
    before = snapshot()
    with override_settings(EVIDENCE_MAX_FILE_SIZE=1024):
        response = replace(world, world.evidence_a, upload("rota.txt", b"r" * 1025))
    assert_refused(response, 400, f"rota.txt: it is larger than {ONE_KB}")
    assert snapshot() == before


def test_a_contributor_replaces_a_file_of_their_standard(world: World) -> None:
    response = replace(
        world, world.evidence_a, upload("rota.txt", b"Rota, version 2."), role="contributor_a"
    )
    assert response.status_code == 302
    revision = fresh(world.evidence_a).current_revision
    assert (revision.number, revision.uploaded_by) == (2, world.users["contributor_a"])


def test_a_contributor_cannot_reach_a_file_of_another_standard(world: World) -> None:
    board = store(world, "Board.txt", assessment=world.assessment_a2)
    before = snapshot()
    for action in ACTIONS:
        response = world.client("contributor_a").post(
            file_url(action, world, board),
            {
                "file": upload("Board.txt", b"Overwritten."),
                "confirmed_no_personal_data": "on",
                "assessments": [world.assessment_a.pk],
                "effective_date": "2025-03-01",
            },
        )
        assert response.status_code == 404, action
    assert snapshot() == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ["auditor_assigned", "admin"])
def test_readers_may_not_change_a_file(world: World, action: str, role: str) -> None:
    before = snapshot()
    response = world.client(role).post(
        file_url(action, world, world.evidence_a),
        {
            "file": upload("rota.txt", b"Overwritten."),
            "confirmed_no_personal_data": "on",
            "assessments": [world.assessment_a.pk],
            "effective_date": "2025-03-01",
            "return_to": world.standard.code,
        },
    )
    assert_refused(response, 403, NOT_YOURS)
    assert snapshot() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_sealed_dossier_refuses_every_change(world: World, action: str) -> None:
    seal(world)
    before = snapshot()
    response = world.client("coordinator_a").post(
        file_url(action, world, world.evidence_a),
        {
            "file": upload("rota.txt", b"Rota, version 2."),
            "confirmed_no_personal_data": "on",
            "assessments": [world.assessment_a.pk, world.assessment_a2.pk],
            "effective_date": "2025-03-01",
            "return_to": world.standard.code,
        },
    )
    assert_refused(response, 400, SEALED)
    assert snapshot() == before
    # Still downloadable: sealing freezes the dossier, it does not hide it.
    assert body(download(world, world.evidence_a)) == ROTA


def test_the_standard_page_lists_every_version_with_its_own_download(world: World) -> None:
    csv = samples.csv_bytes()
    assert replace(world, world.evidence_a, upload("Rota 2025.csv", csv)).status_code == 302

    text = page_text(world.client("coordinator_a").get(standard_url(world)))

    assert "2 versions" in text
    base = file_url("evidence_download", world, world.evidence_a)
    for number, content in ((1, ROTA), (2, csv)):
        assert f'href="{base}?revision={number}"' in text
        assert body(download(world, world.evidence_a, revision=str(number))) == content
    assert sha256(ROTA)[:12] in text


# --- Effective date -------------------------------------------------------------------------------


def set_date(world: World, value: str, role: str = "coordinator_a") -> HttpResponse:
    return world.client(role).post(
        file_url("evidence_date", world, world.evidence_a),
        {"effective_date": value, "return_to": world.standard.code},
    )


def test_the_effective_date_is_set_changed_and_cleared_in_the_history(world: World) -> None:
    before = snapshot()

    assert set_date(world, "2025-03-01", role="contributor_a").status_code == 302
    assert fresh(world.evidence_a).effective_date == datetime.date(2025, 3, 1)
    assert set_date(world, "").status_code == 302
    assert fresh(world.evidence_a).effective_date is None

    events = new_events(before)
    assert [(e.action, e.object_label, e.actor_email) for e in events] == [
        (AuditEvent.Action.DATED, "rota.txt: 2025-03-01", "contrib-a@example.org"),
        (AuditEvent.Action.DATED, "rota.txt: no date", "coord-a@example.org"),
    ]
    assert events[1].details == {"previous": "2025-03-01", "effective_date": None}
    # The same date again records nothing.
    middle = snapshot()
    assert set_date(world, "").status_code == 302
    assert snapshot() == middle


@pytest.mark.parametrize("value", ["1 March", "2025-02-30", "x" * 300])
def test_a_date_that_is_not_one_is_400_and_changes_nothing(world: World, value: str) -> None:
    before = snapshot()
    response = set_date(world, value)
    assert_refused(response, 400, "rota.txt: enter the date as YYYY-MM-DD, or leave it empty.")
    assert snapshot() == before


def test_a_date_before_the_look_back_window_is_pointed_out(world: World) -> None:
    start = world.audit_a.lookback_start
    client = world.client("coordinator_a")
    assert set_date(world, start.isoformat()).status_code == 302
    assert "before the look-back window" not in page_text(client.get(standard_url(world)))
    early = start - datetime.timedelta(days=1)
    assert set_date(world, early.isoformat()).status_code == 302
    assert "before the look-back window" in page_text(client.get(standard_url(world)))


# --- Links ----------------------------------------------------------------------------------------


def test_a_file_is_set_to_support_two_standards_then_one(world: World) -> None:
    code_1, code_2 = world.standard.code, world.assessment_a2.standard.code
    before = snapshot()

    response = set_links(world, world.evidence_a, [world.assessment_a, world.assessment_a2])

    assert response.status_code == 302
    assert linked_to(world.evidence_a) == {world.assessment_a.pk, world.assessment_a2.pk}
    [linked] = new_events(before)
    assert (linked.action, linked.object_label) == (
        AuditEvent.Action.LINKED,
        f"rota.txt → {code_2}",
    )
    client = world.client("coordinator_a")
    assert listed_files(client.get(standard_url(world, world.assessment_a2))) == ["rota.txt"]

    middle = snapshot()
    response = set_links(world, world.evidence_a, [world.assessment_a2])

    assert response.status_code == 302
    assert linked_to(world.evidence_a) == {world.assessment_a2.pk}
    [unlinked] = new_events(middle)
    assert (unlinked.action, unlinked.object_label) == (
        AuditEvent.Action.UNLINKED,
        f"rota.txt → {code_1}",
    )
    assert listed_files(client.get(standard_url(world))) == []
    assert listed_files(client.get(standard_url(world, world.assessment_a2))) == ["rota.txt"]
    # The file itself is untouched.
    assert snapshot()["files"] == before["files"]
    assert snapshot()["revisions"] == before["revisions"]


def test_saving_the_same_standards_changes_nothing(world: World) -> None:
    before = snapshot()
    assert set_links(world, world.evidence_a, [world.assessment_a]).status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize("choice", ["none", "foreign", "missing"])
def test_an_empty_or_invalid_choice_of_standards_is_400_and_changes_nothing(
    world: World, choice: str
) -> None:
    foreign = StandardAssessment.unscoped.get(audit=world.audit_b)
    assessments = {"none": [], "foreign": [foreign.pk], "missing": [987654321]}[choice]
    before = snapshot()

    response = set_links(world, world.evidence_a, assessments)

    assert_refused(response, 400, "Choose at least one standard of this audit.")
    assert snapshot() == before


@pytest.mark.parametrize("action", ["evidence_replace", "evidence_links", "evidence_delete"])
def test_a_contributor_cannot_change_a_file_that_also_supports_another_persons_standard(
    world: World, action: str
) -> None:
    """Replacing or removing a shared file would change a standard that is not theirs."""
    both = [world.assessment_a, world.assessment_a2]
    assert set_links(world, world.evidence_a, both).status_code == 302
    before = snapshot()

    response = world.client("contributor_a").post(
        file_url(action, world, world.evidence_a),
        {
            "file": upload("rota.txt", b"Overwritten."),
            "confirmed_no_personal_data": "on",
            "assessments": [world.assessment_a.pk],
            "return_to": world.standard.code,
        },
    )

    assert_refused(response, 403, NOT_YOURS)
    assert snapshot() == before
    assert linked_to(world.evidence_a) == {world.assessment_a.pk, world.assessment_a2.pk}
    # Still theirs to read: it supports their standard.
    assert body(download(world, world.evidence_a, role="contributor_a")) == ROTA


def test_a_contributor_cannot_change_their_upload_once_it_supports_only_others_standards(
    world: World,
) -> None:
    mine = store(world, "Mine.txt", role="contributor_a")
    assert set_links(world, mine, [world.assessment_a2]).status_code == 302  # the coordinator
    before = snapshot()

    for action in ("evidence_replace", "evidence_delete"):
        response = world.client("contributor_a").post(
            file_url(action, world, mine),
            {"file": upload("Mine.txt", b"Overwritten."), "confirmed_no_personal_data": "on"},
        )
        assert response.status_code == 403, action
    assert snapshot() == before


def test_standard_link_reuses_a_file_for_another_standard(world: World) -> None:
    code_2 = world.assessment_a2.standard.code
    url = reverse("audits:standard_link", args=[world.audit_a.pk, code_2])
    client = world.client("coordinator_a")
    page = page_text(client.get(standard_url(world, world.assessment_a2)))
    assert "Use a file already in the dossier" in page
    picker = reverse("audits:standard_reuse", args=[world.audit_a.pk, code_2])
    assert "rota.txt" in page_text(client.get(picker))
    before = snapshot()

    response = client.post(url, {"evidence": world.evidence_a.pk})

    assert response.status_code == 302
    assert response.url == standard_url(world, world.assessment_a2)
    after = snapshot()
    assert after["files"] == before["files"]  # no second upload
    assert after["revisions"] == before["revisions"]
    assert after["storage"] == before["storage"]
    assert linked_to(world.evidence_a) == {world.assessment_a.pk, world.assessment_a2.pk}
    link = EvidenceLink.unscoped.get(evidence=world.evidence_a, assessment=world.assessment_a2)
    assert link.linked_by == world.users["coordinator_a"]
    [event] = new_events(before)
    assert (event.action, event.object_label) == (
        AuditEvent.Action.LINKED,
        f"rota.txt → {code_2}",
    )
    page = client.get(response.url)
    assert page_messages(page, "success") == [f"rota.txt now also supports {code_2}."]
    assert listed_files(page) == ["rota.txt"]

    # Linking it again is harmless: no second link, no second event.
    again = snapshot()
    assert client.post(url, {"evidence": world.evidence_a.pk}).status_code == 302
    assert snapshot() == again


def test_standard_link_refuses_a_removed_file(world: World) -> None:
    assert post_action(world, "evidence_delete", world.evidence_a).status_code == 302
    url = reverse(
        "audits:standard_link", args=[world.audit_a.pk, world.assessment_a2.standard.code]
    )
    before = snapshot()
    response = world.client("coordinator_a").post(url, {"evidence": world.evidence_a.pk})
    assert response.status_code == 400
    assert page_messages(response) == ["Choose a file of this dossier."]
    assert snapshot() == before


# --- Delete ---------------------------------------------------------------------------------------


def test_delete_is_a_soft_delete_that_keeps_the_history(world: World) -> None:
    revision = world.evidence_a.current_revision
    path = Path(revision.file.path)
    before = snapshot()
    client = world.client("coordinator_a")

    response = post_action(world, "evidence_delete", world.evidence_a)

    assert response.status_code == 302
    assert page_messages(client.get(response.url), "success") == [
        "rota.txt removed from the dossier."
    ]
    evidence = EvidenceFile.unscoped.get(pk=world.evidence_a.pk)
    assert evidence.deleted_at is not None
    assert evidence.deleted_by == world.users["coordinator_a"]
    # The record, its revision, its links and the stored file all remain.
    after = snapshot()
    assert after["revisions"] == before["revisions"]
    assert after["links"] == before["links"]
    assert after["storage"] == before["storage"]
    assert path.read_bytes() == ROTA
    [event] = new_events(before)
    assert (event.action, event.object_label, event.details) == (
        AuditEvent.Action.DELETED,
        "rota.txt",
        {"sha256": revision.sha256},
    )
    assert after["events"][: len(before["events"])] == before["events"]

    # Gone from the dossier: the standard page, the API list, the download.
    page = client.get(standard_url(world))
    assert listed_files(page) == []
    assert "No file yet." in page_text(page)
    assert client.get(api_url(world)).json()["results"] == []
    assert download(world, world.evidence_a).status_code == 404
    assert download(world, world.evidence_a, revision="1").status_code == 404
    # The history still names it.
    history = page_text(client.get(reverse("audits:history", args=[world.audit_a.pk])))
    assert "Evidence deleted</strong> rota.txt" in history
    assert "Evidence uploaded</strong> rota.txt" in history


def test_a_removed_file_can_no_longer_be_changed(world: World) -> None:
    assert post_action(world, "evidence_delete", world.evidence_a).status_code == 302
    before = snapshot()
    for action in ACTIONS:
        response = world.client("coordinator_a").post(
            file_url(action, world, world.evidence_a),
            {
                "file": upload("rota.txt", b"Back again."),
                "confirmed_no_personal_data": "on",
                "assessments": [world.assessment_a.pk],
                "effective_date": "2025-03-01",
            },
        )
        assert response.status_code == 404, action
    assert snapshot() == before


def test_a_contributor_removes_a_file_of_their_standard(world: World) -> None:
    response = post_action(world, "evidence_delete", world.evidence_a, "contributor_a")
    assert response.status_code == 302
    evidence = EvidenceFile.unscoped.get(pk=world.evidence_a.pk)
    assert evidence.deleted_by == world.users["contributor_a"]


# --- Personal-data review -------------------------------------------------------------------------


def test_the_coordinator_reviews_a_flagged_file_and_keeps_it(world: World) -> None:
    revision = world.evidence_a.current_revision
    assert revision.is_flagged
    findings = revision.personal_data_findings
    before = snapshot()
    client = world.client("coordinator_a")
    assert "Reviewed: keep it" in page_text(client.get(standard_url(world)))

    response = post_action(world, "evidence_review", world.evidence_a)

    assert response.status_code == 302
    revision = fresh(world.evidence_a).current_revision
    assert not revision.is_flagged
    assert revision.personal_data_reviewed_at is not None
    assert revision.personal_data_reviewed_by == world.users["coordinator_a"]
    assert revision.personal_data_findings == findings  # the record of what was found stays
    [event] = new_events(before)
    assert (event.action, event.object_label, event.details) == (
        AuditEvent.Action.FLAG_REVIEWED,
        "rota.txt",
        {"findings": ["E-mail addresses"]},
    )
    page = client.get(response.url)
    assert page_messages(page, "success") == ["rota.txt: reviewed and kept."]
    assert "May contain personal data" not in page_text(page)
    assert client.get(api_url(world)).json()["results"][0]["flagged"] is False


def test_a_contributor_may_not_clear_a_flag(world: World) -> None:
    before = snapshot()
    response = post_action(world, "evidence_review", world.evidence_a, "contributor_a")
    assert_refused(response, 403, "Only a coordinator can clear a personal-data flag.")
    assert snapshot() == before
    assert fresh(world.evidence_a).current_revision.is_flagged


def test_reviewing_a_file_that_is_not_flagged_is_400(world: World) -> None:
    clean = store(world, "Clean.txt")
    before = snapshot()
    response = post_action(world, "evidence_review", clean)
    assert_refused(response, 400, "This file is not flagged.")
    assert snapshot() == before

    # Nor can a flag be cleared twice.
    assert post_action(world, "evidence_review", world.evidence_a).status_code == 302
    reviewed = snapshot()
    response = post_action(world, "evidence_review", world.evidence_a)
    assert_refused(response, 400, "This file is not flagged.")
    assert snapshot() == reviewed


def test_the_dashboard_names_each_flagged_file_with_its_reasons_and_standards(
    world: World,
) -> None:
    both = [world.assessment_a, world.assessment_a2]
    assert set_links(world, world.evidence_a, both).status_code == 302
    dashboard = reverse("audits:detail", args=[world.audit_a.pk])
    client = world.client("coordinator_a")

    text = " ".join(re.sub(r"<[^>]+>", "", page_text(client.get(dashboard))).split())

    codes = f"{world.standard.code}, {world.assessment_a2.standard.code}"
    assert f"review rota.txt (e-mail addresses) supports {codes}" in text
    assert text.count("review rota.txt") == 1  # once, though it supports two standards
    assert post_action(world, "evidence_review", world.evidence_a).status_code == 302
    assert "rota.txt (e-mail addresses)" not in page_text(client.get(dashboard))


# --- A file's own page, and the picker of files to reuse ------------------------------------------


def test_a_files_page_holds_its_changes_and_leads_back_to_the_standard(world: World) -> None:
    """The standard page's row links to the file's page; its forms carry the standard back."""
    code = world.assessment_a.standard.code
    client = world.client("coordinator_a")
    row_link = f"{file_url('evidence_file', world, world.evidence_a)}?return_to={code}"
    assert row_link in client.get(standard_url(world)).content.decode()
    page = client.get(row_link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Change rota.txt" in text
    # One checkbox per standard the coordinator may edit; the ones it supports are checked.
    boxes = re.findall(r'<input type="checkbox" name="assessments" value="(\d+)"( checked)?>', text)
    editable = StandardAssessment.unscoped.filter(audit=world.audit_a).count()
    assert len(boxes) == editable
    assert {int(pk) for pk, checked in boxes if checked} == linked_to(world.evidence_a)
    assert text.count(f'name="return_to" value="{code}"') == 3  # new version, date, standards
    answer = set_links(world, world.evidence_a, [world.assessment_a, world.assessment_a2])
    assert answer.status_code == 302
    # A return_to that names no standard of the audit leads to the dossier, not elsewhere.
    stray = client.get(f"{file_url('evidence_file', world, world.evidence_a)}?return_to=ZZ99")
    assert 'name="return_to" value=""' in stray.content.decode()


def test_a_files_page_is_refused_to_those_who_may_not_change_it(world: World) -> None:
    url = file_url("evidence_file", world, world.evidence_a)
    assert world.client("coordinator_b").get(url).status_code == 404
    assert world.client("admin").get(url).status_code == 403
    Audit.unscoped.filter(pk=world.audit_a.pk).update(status=Audit.Status.SUBMITTED)
    assert world.client("coordinator_a").get(url).status_code == 400


def test_the_picker_searches_the_files_not_yet_used_for_the_standard(world: World) -> None:
    for n in range(30):
        store(world, f"minutes-{n:02d}.txt", f"Minutes {n}".encode())
    store(world, "policy.txt", b"The support policy.")
    code = world.assessment_a2.standard.code
    url = reverse("audits:standard_reuse", args=[world.audit_a.pk, code])
    client = world.client("coordinator_a")
    first = page_text(client.get(url))
    assert "1\u201325 of 32" in first  # rota.txt, 30 minutes, the policy; 25 a page
    assert first.count(f"Use it for {code}") == 25
    found = page_text(client.get(url, {"q": "POLICY"}))
    assert found.count(f"Use it for {code}") == 1
    assert "policy.txt" in found
    assert "No file matches this name." in page_text(client.get(url, {"q": "nothing-like-it"}))
    # Once it supports the standard, the file is no longer offered.
    assert (
        client.post(
            reverse("audits:standard_link", args=[world.audit_a.pk, code]),
            {
                "evidence": EvidenceFile.unscoped.get(
                    current_revision__original_name="policy.txt"
                ).pk
            },
        ).status_code
        == 302
    )
    assert "No file matches this name." in page_text(client.get(url, {"q": "policy"}))
    assert world.client("coordinator_b").get(url).status_code == 404
    assert client.get(url, {"per_page": "7"}).status_code == 400


def test_the_standard_page_shows_its_files_25_at_a_time(world: World) -> None:
    """A standard with 30 files: 25 on the first page, 5 on the second; its progress still
    counts them all."""
    for n in range(29):
        store(world, f"record-{n:02d}.txt", f"Record {n}".encode())
    client = world.client("coordinator_a")
    first = client.get(standard_url(world))
    second = client.get(standard_url(world), {"page": "2"})
    assert len(listed_files(first)) == 25
    assert len(listed_files(second)) == 5
    assert set(listed_files(first)).isdisjoint(listed_files(second))
    assert "1\u201325 of 30" in page_text(first)
    assert 'rel="next"' in first.content.decode()
    assert first.context["progress"].file_count == 30  # counted in SQL, not loaded
    assert len(listed_files(client.get(standard_url(world), {"page": "x"}))) == 25
