"""Evidence previews: PDFs and images shown by the browser after the download's permission check,
under a content security policy; other types are not previewed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.services import evidence_upload
from tests.evidence import samples
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def preview(review: Review, user: object, evidence_id: int):  # type: ignore[no-untyped-def]
    url = reverse("audits:evidence_preview", args=[review.audit.pk, evidence_id])
    return review.client(user).get(url)  # type: ignore[arg-type]


def test_a_pdf_is_shown_inline_to_the_team_under_a_strict_policy(review: Review) -> None:
    review.form_team()
    evidence = review.files[review.codes[0]][0]
    response = preview(review, review.lead, evidence.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "form-action 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "script-src" not in policy
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_image_is_sandboxed(world, catalogue) -> None:  # type: ignore[no-untyped-def]
    audit = world.audit_a
    evidence = evidence_upload(
        audit=audit,
        user=world.users["coordinator_a"],
        uploaded=SimpleUploadedFile("rota.png", samples.png_bytes(), "image/png"),
        assessments=[world.assessment_a],
        confirmed_no_personal_data=True,
    )
    url = reverse("audits:evidence_preview", args=[audit.pk, evidence.pk])
    response = world.client("auditor_assigned").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].endswith("; sandbox")


def test_other_types_and_foreign_files_are_not_previewed(review: Review) -> None:
    review.form_team()
    text_file = review.world.evidence_a  # plain text, of the draft dossier
    url = reverse("audits:evidence_preview", args=[review.world.audit_a.pk, text_file.pk])
    assert review.world.client("coordinator_a").get(url).status_code == 404
    evidence = review.files[review.codes[0]][0]
    for user in (review.stranger, review.world.users["coordinator_b"]):
        assert preview(review, user, evidence.pk).status_code == 404
