"""An audit goes from the sealed dossier to the final report in the browser: the lead asks for
evidence and the coordinator answers with a file, which the lead accepts; then, on a completed
single-auditor review, the lead grades the nonconformity, recommends and releases the draft
(before which the institution sees nothing of the review), the coordinator plans the corrective
actions and comments, the lead accepts the plan, answers the comment and issues the final
report. A real Celery worker renders the draft (the coordinator downloads it) and the final
report (the lead downloads it); both PDFs are read page by page."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from audits.models import Audit
from audits.services.submission import manifest_verify
from reviews.models import CorrectiveActionPlan, EvidenceRequest, Finding, ReportComment
from tests.e2e.test_accessibility import DESKTOP, page_problems
from tests.e2e.test_review_browser import signed_in
from tests.evidence import samples
from tests.reports.conftest import celery_queue, worker_factory
from tests.reviews.conftest import Review, review

__all__ = ["celery_queue", "review", "worker_factory"]  # fixtures, used by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]

REQUEST_MESSAGE = "The night rota is missing from the dossier"
ANSWER_COMMENT = "The night rota in force since January"
RATIONALE = "RATIONALE-NIGHTS-0417 no night cover"
STATEMENT = "No peer supporter covers the night shifts"
GROUNDS = "A core standard is not met"
CAUSE = "The rota was drawn up for day shifts only"
ACTION = "Extend the rota to the night shifts"
COMMENT = "The night cover starts in March"
ANSWER = "No night rota was shown for the period audited"


class Tabs:
    """Signed-in tabs on the live server, recording their pages' console errors; closed before
    the live server and the database go (a report row keeps polling until then)."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.errors: list[str] = []
        self.contexts: list[BrowserContext] = []

    def open(self, user: Any) -> Page:
        context = signed_in(self.browser, self.base, user)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        return page


@pytest.fixture
def tabs(browser: Browser, live_server: Any) -> Iterator[Tabs]:
    opened = Tabs(browser, live_server.url)
    yield opened
    for context in opened.contexts:
        context.close()


def submit(page: Page, button: Locator) -> None:
    with page.expect_navigation():
        button.click()


def downloaded(page: Page, row: Locator, path: Path, worker: Any) -> list[str]:
    """Wait for the report row to be ready, download its PDF; the text of each page, which
    carries its number out of the total."""
    link = row.get_by_role("link", name="Download v")
    try:
        expect(link).to_be_visible(timeout=90_000)
    except AssertionError:
        raise AssertionError(f"not ready; worker log:\n{worker.output()}") from None
    with page.expect_download() as download:
        link.click()
    download.value.save_as(path)
    version = row.locator("strong").first.inner_text().rsplit(" v", 1)[1]
    assert download.value.suggested_filename.endswith(f"-v{version}.pdf")
    reader = PdfReader(BytesIO(path.read_bytes()))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text, (number, text)
    return pages


def later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@dataclass
class Course:
    """Where the test stands: the audit, the two tabs, the audit's URL and the standard."""

    audit: Audit
    lead: Page
    coordinator: Page
    url: str  # the audit's dashboard, /audits/<id>
    code: str


def lead_asks(course: Course, title: str) -> EvidenceRequest:
    """The standard's checkbox, what is missing, the due date."""
    lead = course.lead
    lead.goto(f"{course.url}/review/requests/")
    ask = lead.locator("section[aria-labelledby=ask-title]")
    ask.get_by_role("checkbox", name=f"{course.code} {title}", exact=True).check()
    ask.get_by_label("What is missing").fill(REQUEST_MESSAGE)
    ask.get_by_label("Due date").fill(later(14))
    submit(lead, ask.get_by_role("button", name="Send the request"))
    expect(lead.locator("#messages")).to_contain_text("The request is sent to the institution.")
    item = EvidenceRequest.objects.for_institution(course.audit.institution_id).get(
        audit=course.audit
    )
    card = lead.locator(f"#r-{item.pk}")
    expect(card).to_contain_text(course.code)
    expect(card).to_contain_text(REQUEST_MESSAGE)
    expect(card.locator("h3 .badge").first).to_have_text("Open")
    return item


def coordinator_answers(course: Course, item: EvidenceRequest) -> None:
    """From the dashboard to the request; a PDF, the confirmation and a comment."""
    coordinator = course.coordinator
    coordinator.goto(f"{course.url}/")
    listed = coordinator.locator("section[aria-labelledby=requests-title]")
    expect(listed).to_contain_text("Open")
    listed.get_by_role("link", name=f"{course.code}: {REQUEST_MESSAGE}").click()
    expect(coordinator).to_have_url(f"{course.url}/requests/{item.pk}/")
    expect(coordinator.locator("main")).to_contain_text(REQUEST_MESSAGE)

    answer = coordinator.locator("section[aria-labelledby=answer-title]")
    answer.get_by_label("Files", exact=True).set_input_files(
        {
            "name": "night-rota.pdf",
            "mimeType": "application/pdf",
            "buffer": samples.pdf_bytes("Night rota, January"),
        }
    )
    answer.get_by_label("Comment", exact=True).fill(ANSWER_COMMENT)
    answer.get_by_label("They hold no patient data and nothing said in support sessions.").check()
    submit(coordinator, answer.get_by_role("button", name="Send the answer"))
    expect(coordinator.locator("#messages")).to_contain_text(
        "Your answer is sent and sealed with the dossier."
    )
    card = coordinator.locator("section.evidence-request")
    expect(card.locator("h3 .badge").first).to_have_text("Answered, to check")
    expect(card).to_contain_text(ANSWER_COMMENT)
    expect(card.get_by_role("link", name="night-rota.pdf")).to_be_visible()
    expect(card).to_contain_text("Sealed as an addendum")
    expect(coordinator.locator("section[aria-labelledby=answer-title]")).to_have_count(0)


def lead_accepts(course: Course, item: EvidenceRequest, email: str) -> None:
    lead = course.lead
    lead.goto(f"{course.url}/review/requests/")
    card = lead.locator(f"#r-{item.pk}")
    expect(card.locator("h3 .badge").first).to_have_text("Answered, to check")
    expect(card).to_contain_text(ANSWER_COMMENT)
    expect(card.get_by_role("link", name="night-rota.pdf")).to_be_visible()
    card.get_by_label("Accept the answer").check()
    submit(lead, card.get_by_role("button", name="Record the decision"))
    expect(lead.locator("#messages")).to_contain_text("The decision on the request is recorded.")
    card = lead.locator(f"#r-{item.pk}")
    expect(card.locator("h3 .badge").first).to_have_text("Accepted")
    expect(card).to_contain_text(f"Decided by {email}")
    expect(card.get_by_role("button", name="Record the decision")).to_have_count(0)


def test_the_lead_asks_for_evidence_the_coordinator_answers_with_a_file_and_the_lead_accepts(
    tabs: Tabs, review: Review
) -> None:
    review.form_team(second=False)
    audit = review.audit
    assert audit.status == Audit.Status.IN_REVIEW
    standard = review.assessments[2].standard
    course = Course(
        audit=audit,
        lead=tabs.open(review.lead),
        coordinator=tabs.open(review.world.users["coordinator_a"]),
        url=f"{tabs.base}/audits/{audit.pk}",
        code=standard.code,
    )

    item = lead_asks(course, standard.title)
    coordinator_answers(course, item)
    lead_accepts(course, item, review.lead.email)
    course.coordinator.reload()  # the institution reads the decision too
    expect(course.coordinator.locator("section.evidence-request h3 .badge").first).to_have_text(
        "Accepted"
    )

    item.refresh_from_db()
    assert item.state == EvidenceRequest.State.ACCEPTED
    [file] = [f for a in item.answers.all() for f in a.files.all()]
    assert file.current_revision.original_name == "night-rota.pdf"
    assert manifest_verify(audit=review.reload()) == []  # the answer chains to the seal
    assert tabs.errors == [], tabs.errors


def lead_grades_and_recommends(course: Course, finding: Finding) -> None:
    lead, code = course.lead, course.code
    lead.goto(f"{course.url}/review/findings/")
    section = lead.locator(f"#f-{finding.pk}")
    section.get_by_label("Major nonconformity").check()
    section.get_by_label("Statement").fill(STATEMENT)
    submit(lead, section.get_by_role("button", name=f"Save the finding on {code}"))
    expect(lead.locator("#messages")).to_contain_text(f"The finding on {code} is saved.")
    section = lead.locator(f"#f-{finding.pk}")
    expect(section.locator("h2 .badge")).to_have_text("Major nonconformity")
    expect(section).to_contain_text(STATEMENT)

    lead.goto(f"{course.url}/review/report/")
    accessible(lead)  # before the release: the evaluation, the recommendation's form
    recommendation = lead.locator("#recommendation")
    recommendation.get_by_label("Do not certify").check()
    recommendation.get_by_label("Grounds").fill(GROUNDS)
    submit(lead, recommendation.get_by_role("button", name="Save the recommendation"))
    expect(lead.locator("#messages")).to_contain_text("The recommendation is recorded.")
    expect(lead.locator("#recommendation strong").first).to_have_text("Do not certify")


def institution_sees_nothing(course: Course) -> None:
    coordinator = course.coordinator
    refused = coordinator.goto(f"{course.url}/outcome/")
    assert refused is not None
    assert refused.status == 403
    expect(coordinator.locator("main")).to_contain_text(
        "when the lead auditor releases the draft report"
    )
    for url in (f"{course.url}/", f"{course.url}/history/"):
        shown = coordinator.goto(url)
        assert shown is not None
        assert shown.status == 200, url
        body = coordinator.content()
        for secret in (STATEMENT, RATIONALE, GROUNDS):
            assert secret not in body, (url, secret)
    expect(coordinator.get_by_role("link", name="The review's outcome")).to_have_count(0)


def lead_releases(course: Course) -> None:
    lead = course.lead
    lead.goto(f"{course.url}/review/report/")
    submit(lead, lead.get_by_role("button", name="Release the draft report to the institution"))
    expect(lead.locator("#messages")).to_contain_text("The draft report is released")
    expect(lead.locator("#course-title + p .badge")).to_have_text(
        "Draft released to the institution"
    )


def coordinator_reads_the_outcome(course: Course) -> None:
    coordinator = course.coordinator
    coordinator.goto(f"{course.url}/")
    notice = coordinator.locator("section[aria-labelledby=outcome-title]")
    expect(notice.get_by_role("heading")).to_have_text("The draft audit report is released")
    notice.get_by_role("link", name="The review's outcome").click()
    expect(coordinator).to_have_url(f"{course.url}/outcome/")
    main = coordinator.locator("main")
    expect(main).to_contain_text(STATEMENT)
    expect(main).to_contain_text("Do not certify")
    expect(main).to_contain_text(GROUNDS)


def accessible(page: Page) -> None:
    """The accessibility and layout gate's checks (tests/e2e/test_accessibility.py) on the page
    as it stands, with its forms and thread: the gate itself sees these pages only empty."""
    problems = page_problems(page)
    page.set_viewport_size(DESKTOP)
    assert problems == [], f"{page.url}: " + "; ".join(problems)


def coordinator_plans_and_comments(course: Course, finding: Finding) -> None:
    """The cause and one action; a comment on the finding, then no more comments."""
    coordinator, code = course.coordinator, course.code
    accessible(coordinator)  # the outcome page with its comment forms
    coordinator.locator(f"#f-{finding.pk}").get_by_role(
        "link", name="Record the cause and the corrective-action plan"
    ).click()
    expect(coordinator).to_have_url(f"{course.url}/outcome/findings/{finding.pk}/plan/")
    accessible(coordinator)  # the plan's form with its formset
    coordinator.get_by_label("Cause", exact=True).fill(CAUSE)
    action = coordinator.get_by_role("group", name="Action 1")
    action.get_by_label("Action", exact=True).fill(ACTION)
    action.get_by_label("Owner").fill("Head of nursing")
    action.get_by_label("Due on").fill(later(60))
    submit(coordinator, coordinator.get_by_role("button", name="Submit the plan"))
    expect(coordinator.locator("#messages")).to_contain_text(
        "The plan is submitted to the lead auditor."
    )
    expect(coordinator).to_have_url(f"{course.url}/outcome/#f-{finding.pk}")
    on_finding = coordinator.locator(f"#f-{finding.pk}")
    expect(on_finding.locator(".plan .badge").first).to_have_text("Submitted, to check")
    expect(on_finding).to_contain_text(ACTION)

    on_finding.get_by_label("Your comment").fill(COMMENT)
    submit(coordinator, on_finding.get_by_role("button", name=f"Comment on the finding on {code}"))
    expect(coordinator.locator("#messages")).to_contain_text(
        "Your comment is sent to the lead auditor."
    )
    comment = coordinator.locator(f"#f-{finding.pk} .comment")
    expect(comment).to_contain_text(COMMENT)
    expect(comment).to_contain_text("Waiting for the lead auditor's answer.")
    accessible(coordinator)  # with the plan and the comment
    submit(coordinator, coordinator.get_by_role("button", name="We have no more comments"))
    expect(coordinator.locator("#messages")).to_contain_text("The reply is over")
    expect(coordinator.get_by_role("button", name="We have no more comments")).to_have_count(0)


def lead_accepts_the_plan_and_answers(course: Course) -> None:
    lead = course.lead
    lead.goto(f"{course.url}/review/report/")
    plans = lead.locator("#plans")
    expect(plans).to_contain_text(CAUSE)
    accessible(lead)  # the report page with a plan to decide and a comment to answer
    plans.get_by_label("Accept the plan").check()
    submit(lead, plans.get_by_role("button", name="Record the decision on the plan"))
    expect(lead.locator("#messages")).to_contain_text("The decision on the plan is recorded.")
    expect(lead.locator("#plans .plan .badge").first).to_have_text("Accepted")

    replies = lead.locator("#replies")
    expect(replies.locator(".comment")).to_contain_text(COMMENT)
    replies.get_by_label("Maintained").check()
    replies.get_by_label("Why").fill(ANSWER)
    submit(lead, replies.get_by_role("button", name="Answer the comment"))
    expect(lead.locator("#messages")).to_contain_text("Your answer is recorded")
    answered = lead.locator("#replies .comment .answer")
    expect(answered).to_contain_text("Maintained")
    expect(answered).to_contain_text(ANSWER)


def test_the_draft_is_released_replied_to_answered_and_the_final_report_downloaded(
    tabs: Tabs, review: Review, worker_factory: Callable, tmp_path: Path
) -> None:
    code = review.codes[2]
    review.form_team(second=False)
    review.rate(review.lead, {code: "not_met"}, text=RATIONALE)
    review.rate_all(review.lead, "met")
    review.complete(review.lead)
    audit = review.audit
    assert audit.status == Audit.Status.REVIEW_COMPLETE
    [finding] = Finding.objects.for_institution(audit.institution_id).filter(audit=audit)
    assert finding.kind == Finding.Kind.NONCONFORMITY
    worker = worker_factory()  # renders the draft at the release, then the final report
    course = Course(
        audit=audit,
        lead=tabs.open(review.lead),
        coordinator=tabs.open(review.world.users["coordinator_a"]),
        url=f"{tabs.base}/audits/{audit.pk}",
        code=code,
    )

    lead_grades_and_recommends(course, finding)
    institution_sees_nothing(course)  # before the release
    lead_releases(course)
    coordinator_reads_the_outcome(course)

    # The draft's PDF, rendered at the release, is the institution's to download. (Waited for
    # here also because a final report asked for while the draft renders is not queued.)
    draft = course.coordinator.locator("#reports .report-row").first
    expect(draft).to_contain_text("Audit report v1")
    text = " ".join(downloaded(course.coordinator, draft, tmp_path / "draft.pdf", worker))
    for fact in (code, STATEMENT, GROUNDS, "Draft"):
        assert fact in text, (fact, text)

    coordinator_plans_and_comments(course, finding)
    lead_accepts_the_plan_and_answers(course)

    # The final report; the worker renders it and the lead downloads it.
    lead = course.lead
    submit(lead, lead.get_by_role("button", name="Issue the final report"))
    expect(lead.locator("#messages")).to_contain_text("The final report is issued")
    expect(lead.locator("#course-title + p .badge")).to_have_text("Final report issued")
    assert review.reload().status == Audit.Status.FINAL_REPORT
    final = lead.locator("#reports .report-row").first
    expect(final).to_contain_text("Audit report v2")
    pages = downloaded(lead, final, tmp_path / "final.pdf", worker)
    text = " ".join(pages)
    for fact in (code, STATEMENT, CAUSE, ACTION, GROUNDS, COMMENT, ANSWER, "Final"):
        assert fact in text, (fact, text)
    expect(final).to_contain_text(f"{len(pages)} pages")

    scope = audit.institution_id
    plan = CorrectiveActionPlan.objects.for_institution(scope).get(finding=finding)
    assert plan.state == CorrectiveActionPlan.State.ACCEPTED
    comment = ReportComment.objects.for_institution(scope).get(audit=audit)
    assert (comment.outcome, comment.answer) == (ReportComment.Outcome.MAINTAINED, ANSWER)
    assert [e for e in tabs.errors if "403" not in e] == [], tabs.errors  # the refused outcome
