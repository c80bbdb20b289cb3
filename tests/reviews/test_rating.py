"""Rating a standard: the form, versions and the 409 that loses nothing, completion."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from rescue.errors import ActionRefusedError
from reviews.models import AuditorAssignment, AuditorRating
from reviews.services.ratings import RatingConflictError, rating_save
from tests.audits.support import form_errors, page_text, plain_text
from tests.factories import AuditFactory
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def rating_of(review: Review, code: str) -> AuditorRating:
    return AuditorRating.objects.for_institution(review.audit.institution_id).get(
        assignment=review.place(review.lead), assessment__standard__code=code
    )


def post(review: Review, code: str, data: dict, **headers: str):  # type: ignore[no-untyped-def]
    return review.client(review.lead).post(review.url("reviews:standard", code), data, **headers)


def test_the_review_page_shows_the_standard_the_self_assessment_and_the_files(
    review: Review,
) -> None:
    review.form_team(second=False)
    code = review.codes[0]
    response = review.client(review.lead).get(review.url("reviews:standard", code))
    assert response.status_code == 200
    text = plain_text(response)
    assert "What is measured" in text
    assert "Evidence the auditor checks" in text
    assert f"How we meet {code}." in text  # the institution's narrative
    assert f"E1 {code}-evidence.pdf" in text
    assert "Look-back window" in text
    assert "Preview" in text
    assert "Download" in text
    html = page_text(response)
    assert 'data-shortcut="n"' in html
    assert 'hx-post="' in html  # saved without a reload, and by a plain post without script


def test_a_rating_is_saved_by_a_plain_post_and_its_version_grows(review: Review) -> None:
    review.form_team(second=False)
    code = review.codes[1]
    evidence = review.files[code][0]
    response = post(
        review,
        code,
        {
            "rating": "partially_met",
            "rationale": "The rota covers nights only.",
            "notes": "Ask for the day rota.",
            "evidence": [evidence.pk],
            "version": 0,
        },
    )
    assert response.status_code == 302
    saved = rating_of(review, code)
    assert (saved.rating, saved.version) == ("partially_met", 1)
    assert list(saved.evidence.all()) == [evidence]
    response = post(review, code, {"rating": "met", "version": 1})
    assert response.status_code == 302
    assert rating_of(review, code).version == 2
    page = plain_text(review.client(review.lead).get(review.url("reviews:standard", code)))
    assert "Met" in page


def test_save_and_next_goes_to_the_next_unrated_standard(review: Review) -> None:
    review.form_team(second=False)
    first, second, third = review.codes[:3]
    review.rate(review.lead, {second: "met"})
    response = post(review, first, {"rating": "met", "version": 0, "save_next": "1"})
    assert response.status_code == 302
    assert response["Location"] == review.url("reviews:standard", third)


def test_htmx_saves_answer_with_the_panel_and_the_side_list(review: Review) -> None:
    review.form_team(second=False)
    code = review.codes[0]
    response = post(review, code, {"rating": "met", "version": 0}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith("<section")
    assert 'id="rating-panel"' in html
    assert 'id="review-nav"' in html
    assert 'hx-swap-oob="true"' in html
    assert "is saved (version 1)" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rating": "not_met", "rationale": " "}, "rationale", "not fully met"),
        ({"rating": "excellent"}, "rating", "Select a valid choice"),
        ({"rating": "met", "evidence": ["999999"]}, "evidence", "Select a valid choice"),
        ({"rating": "met", "version": "-1"}, "version", ""),
    ],
)
def test_bad_input_is_named_and_saves_nothing(
    review: Review, data: dict, field: str, message: str
) -> None:
    review.form_team(second=False)
    code = review.codes[0]
    response = post(review, code, {"version": 0} | data)
    assert response.status_code == 400
    assert message in form_errors(response)
    assert not AuditorRating.objects.for_institution(review.audit.institution_id).exists()


def test_a_file_of_another_standard_or_dossier_cannot_be_cited(review: Review) -> None:
    review.form_team(second=False)
    first, second = review.codes[:2]
    other = review.files[second][0]
    response = post(review, first, {"rating": "met", "version": 0, "evidence": [other.pk]})
    assert response.status_code == 400
    foreign = review.world.evidence_a  # the draft dossier's file
    with pytest.raises(ActionRefusedError, match="files of this dossier only"):
        rating_save(
            assignment=review.place(review.lead),
            assessment=review.assessments[0],
            user=review.lead,
            rating="met",
            evidence=[foreign],
            base_version=0,
        )


def test_a_stale_save_answers_409_keeps_the_text_and_shows_the_current_rating(
    review: Review,
) -> None:
    review.form_team(second=False)
    code = review.codes[0]
    review.rate(review.lead, {code: "not_met"}, text="Saved in the other tab")
    typed = {
        "rating": "partially_met",
        "rationale": "Typed here, never saved",
        "notes": "My unsaved note",
        "version": 0,  # the page was opened before the other tab saved
    }
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = post(review, code, typed, **headers)
        assert response.status_code == 409
        html = page_text(response)
        assert "Typed here, never saved" in html  # in the form
        assert "My unsaved note" in html
        assert "Saved in the other tab on" in html  # the current rating beside it
        assert "changed elsewhere (now version 1)" in html
        assert 'name="version" value="1"' in html  # a second save is deliberate
    assert rating_of(review, code).rationale == f"Saved in the other tab on {code}"
    response = post(review, code, typed | {"version": 1})
    assert response.status_code == 302
    assert rating_of(review, code).rationale == "Typed here, never saved"


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_at_once_one_wins(review: Review) -> None:
    """Two connections save version 1 at the same moment: one UPDATE wins, the other finds the
    version moved on (PostgreSQL re-checks the WHERE after the row lock) and gets the 409."""
    review.form_team(second=False)
    code = review.codes[0]
    review.rate(review.lead, {code: "met"})
    place, assessment = review.place(review.lead), review.assessments[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(text: str) -> None:
        try:
            barrier.wait()
            rating_save(
                assignment=place,
                assessment=assessment,
                user=review.lead,
                rating="partially_met",
                rationale=text,
                base_version=1,
            )
            outcomes.append("saved")
        except RatingConflictError as exc:
            outcomes.append(f"409 at version {exc.current.version if exc.current else 0}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=save, args=(f"tab {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409 at version 2", "saved"]
    assert rating_of(review, code).version == 2


@pytest.mark.django_db(transaction=True)
def test_two_first_ratings_at_once_one_wins(review: Review) -> None:
    review.form_team(second=False)
    place, assessment = review.place(review.lead), review.assessments[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(rating: str) -> None:
        try:
            barrier.wait()
            rating_save(
                assignment=place,
                assessment=assessment,
                user=review.lead,
                rating=rating,
                rationale="first",
                base_version=0,
            )
            outcomes.append("saved")
        except RatingConflictError:
            outcomes.append("409")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=save, args=(r,)) for r in ("met", "not_met")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409", "saved"]


def test_no_rating_before_accepting(review: Review) -> None:
    review.form_team(second=False, accept=False)
    response = post(review, review.codes[0], {"rating": "met", "version": 0})
    assert response.status_code == 403
    assert "Accept the review" in page_text(response)


def test_completion_needs_every_standard_rated_and_fixes_the_ratings(review: Review) -> None:
    review.form_team(second=False, accept=True)
    client = review.client(review.lead)
    review.rate(review.lead, {review.codes[0]: "met"})
    response = client.post(review.url("reviews:complete"))
    assert response.status_code == 400
    assert "Not rated yet: " + ", ".join(review.codes[1:]) in plain_text(response)
    review.rate_all(review.lead)
    confirm = client.get(review.url("reviews:complete"))
    assert "can no longer change" in plain_text(confirm)
    assert client.post(review.url("reviews:complete")).status_code == 302
    refused = post(review, review.codes[0], {"rating": "not_met", "rationale": "x", "version": 1})
    assert refused.status_code == 403
    assert "marked your review complete" in page_text(refused)


def test_a_single_auditor_s_ratings_are_the_consolidated_ones(review: Review) -> None:
    review.form_team(second=False)
    review.rate_all(review.lead, "met", **{review.codes[2]: "not_met"})
    review.complete(review.lead)
    assert review.audit.status == Audit.Status.REVIEW_COMPLETE
    consolidated = {
        c.assessment.standard.code: (c.rating, c.source)
        for c in review.audit.consolidated_ratings.select_related("assessment__standard")
    }
    assert consolidated[review.codes[2]] == ("not_met", "single")
    assert len(consolidated) == len(review.codes)


def test_my_reviews_lists_each_audit_with_progress_due_date_team_and_stage(
    review: Review,
) -> None:
    review.form_team()
    review.rate(review.lead, {review.codes[0]: "met", review.codes[1]: "met"})
    page = plain_text(review.client(review.lead).get(reverse("reviews:mine")))
    assert "Hospital A" in page
    assert f"rated 2 of {len(review.codes)}" in page
    assert review.second.email in page
    assert "In review" in page


def test_my_reviews_shows_open_reviews_first_25_a_page(review: Review) -> None:
    """An auditor of many cycles: the open review on top, the finished ones after, 25 a page,
    on the page and over the API."""
    review.form_team()
    for n in range(26):
        audit = AuditFactory(
            institution=review.world.institution_b, status=Audit.Status.CLOSED, target_level=""
        )
        place = AuditorAssignment.objects.create(
            institution=audit.institution,
            audit=audit,
            auditor=review.lead,
            auditor_email=review.lead.email,
            role=AuditorAssignment.Role.LEAD,
            state=AuditorAssignment.State.ACCEPTED,
            due_on=timezone.localdate() - timedelta(days=380 - n),  # the older, the sooner due
        )
        AuditorAssignment.objects.for_institution(audit.institution_id).filter(pk=place.pk).update(
            assigned_at=timezone.now() - timedelta(days=400 - n)
        )
    places = AuditorAssignment.unscoped.filter(auditor=review.lead, ended_at__isnull=True).count()
    assert places > 26
    client = review.client(review.lead)
    first = client.get(reverse("reviews:mine"))
    rows = first.context["rows"]
    assert len(rows) == 25
    assert rows[0].audit == review.audit  # the open review first
    assert f"25 of {places}" in plain_text(first)
    second = client.get(reverse("reviews:mine"), {"page": "2"})
    assert len(second.context["rows"]) == places - 25
    assert all(row.audit.status == Audit.Status.CLOSED for row in second.context["rows"])
    # the finished ones newest first, whatever their due dates
    finished = [row.assignment for row in rows[1:]] + [
        row.assignment for row in second.context["rows"]
    ]
    assert [a.assigned_at for a in finished] == sorted(
        (a.assigned_at for a in finished), reverse=True
    )
    api = client.get("/api/v1/reviews/", {"limit": 5}).json()
    assert api["count"] == places
    assert api["results"][0]["audit"] == review.audit.pk
