"""Two auditors review a real sealed dossier in the browser: each accepts on My reviews; the lead
rates every standard with the keyboard and the form (saved without a reload), one save goes stale
in a second tab and is recovered without losing its text, and completes; until the second auditor
completes, neither sees the other's ratings; then the lead consolidates the divergence."""

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit
from audits.services.applications import audit_create
from audits.services.submission import audit_submit
from institutions.models import Membership
from reviews.models import AuditorRating
from reviews.services.team import team_assign
from standards.choices import Component, Setting
from tests.audits.support import assessments_of, complete_dossier
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.reviews.conftest import qualify
from tests.world import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]

LEAD_SECRET = "Lead: only nights are covered"


def signed_in(browser: Browser, base: str, user: User) -> BrowserContext:
    """A browser whose session is the test client's (password and second factor verified)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client_for(user).cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    return context


@pytest.fixture
def dossier() -> dict[str, Any]:
    institution = InstitutionFactory(name="Browser Hospital", setting="hospital")
    coordinator = MembershipFactory(institution=institution, role=Membership.Role.COORDINATOR).user
    audit = audit_create(
        institution=institution,
        user=coordinator,
        component=Component.TRAINING,
        setting=Setting.HOSPITAL,
        target_level="",
    )
    complete_dossier(audit, coordinator)
    audit = audit_submit(audit=audit, user=coordinator)
    group = platform_groups_ensure()[AUDITORS]
    admin = UserFactory(email="admin@browser.org")
    admin.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    lead, second = UserFactory(email="lead@browser.org"), UserFactory(email="second@browser.org")
    for auditor, role in ((lead, "lead"), (second, "second")):
        auditor.groups.add(group)
        qualify(auditor, Component.TRAINING)
        team_assign(audit=audit, auditor=auditor, role=role, assigned_by=admin)
    codes = [a.standard.code for a in assessments_of(audit)]
    return {"audit": audit, "lead": lead, "second": second, "codes": codes}


def open_standard(page: Page, url: str) -> None:
    """Open a review page and wait for its deferred scripts (htmx, then the keys)."""
    page.goto(url)
    page.wait_for_selector("html[data-review-keys=ready]", state="attached")


def accept(page: Page, base: str) -> None:
    page.goto(f"{base}/reviews/")
    expect(page.locator("table")).to_contain_text("Browser Hospital")
    with page.expect_navigation():
        page.click("button:has-text('Accept')")
    expect(page.locator("#messages")).to_contain_text("You review the")


def lead_rates_the_first_standard(
    lead_context: BrowserContext, lead: Page, review: str, codes: list[str]
) -> None:
    """The keyboard, an htmx save, and a stale second tab recovered."""
    # The lead starts at the first standard not rated and moves with the keyboard.
    lead.click("a:has-text('the first not rated')")
    expect(lead).to_have_url(f"{review}/{codes[0]}/")
    keys_ready = "html[data-review-keys=ready]"  # the script is deferred: wait for it
    lead.wait_for_selector(keys_ready, state="attached")
    lead.keyboard.press("n")
    expect(lead).to_have_url(f"{review}/{codes[1]}/")
    lead.wait_for_selector(keys_ready, state="attached")
    lead.keyboard.press("p")
    expect(lead).to_have_url(f"{review}/{codes[0]}/")

    # The first standard: not met with a rationale, saved without a reload (htmx).
    lead.check("#rating_rating_2")  # not met
    lead.fill("#rating_rationale", LEAD_SECRET)
    lead.check("input[name=evidence]")
    lead.click("#rating-panel button:has-text('Save the rating')")
    expect(lead.locator("#rating-panel [role=status]")).to_contain_text("saved (version 1)")
    expect(lead.locator("#rating-panel [role=status]")).to_be_focused()
    expect(lead.locator("#review-nav")).to_contain_text("Not met")  # the side list follows

    # A second tab still holds version 1; the first tab saves version 2; the second tab's save
    # is stale: 409, the current rating beside the unsaved text, which stays in the form.
    other_tab = lead_context.new_page()
    open_standard(other_tab, f"{review}/{codes[0]}/")
    lead.fill("#rating_rationale", LEAD_SECRET + ", and weekends")
    lead.click("#rating-panel button:has-text('Save the rating')")
    expect(lead.locator("#rating-panel [role=status]")).to_contain_text("saved (version 2)")
    other_tab.fill("#rating_rationale", "Typed in the other tab")
    other_tab.fill("#rating_notes", "My unsaved note")
    with other_tab.expect_response(lambda r: r.request.method == "POST") as stale:
        other_tab.click("#rating-panel button:has-text('Save the rating')")
    assert stale.value.status == 409
    expect(other_tab.locator(".conflict")).to_contain_text("and weekends")
    expect(other_tab.locator("#rating_rationale")).to_have_value("Typed in the other tab")
    expect(other_tab.locator("#rating_notes")).to_have_value("My unsaved note")
    other_tab.click("#rating-panel button:has-text('Save the rating')")  # now deliberate
    expect(other_tab.locator("#rating-panel [role=status]")).to_contain_text("saved (version 3)")
    other_tab.close()


def lead_rates_the_rest_and_completes(lead: Page, review: str, codes: list[str]) -> None:
    """Met for every other standard, "save and go to the next not rated"."""
    # Every other standard: met, "save and go to the next not rated".
    open_standard(lead, f"{review}/{codes[1]}/")
    for code in codes[1:]:
        expect(lead).to_have_url(f"{review}/{code}/")
        lead.wait_for_selector("html[data-review-keys=ready]", state="attached")
        lead.check("#rating_rating_0")  # met
        lead.click("button:has-text('Save and go to the next not rated')")
        if code != codes[-1]:
            lead.wait_for_url(lambda url, c=code: not url.endswith(f"/{c}/"))
    expect(lead.locator("#rating-panel [role=status]")).to_contain_text("saved")
    lead.goto(f"{review}/")
    expect(lead.locator("main")).to_contain_text(f"You rated {len(codes)} of {len(codes)}")
    lead.click("a:has-text('Mark my review complete')")
    with lead.expect_navigation():
        lead.click("main form button[type=submit]")
    expect(lead.locator("#messages")).to_contain_text("Your review is complete.")


def second_rates_blind_and_completes(
    second: Page, review: str, codes: list[str], audit: Audit
) -> None:
    """The second auditor sees nothing of the lead's until both are done."""
    # The second auditor, blind: rates the first standard partially met and sees nothing of
    # the lead's.
    open_standard(second, f"{review}/{codes[0]}/")
    expect(second.locator("main")).not_to_contain_text(LEAD_SECRET)
    expect(second.locator("#review-nav")).not_to_contain_text("Lead auditor:")
    second.check("#rating_rating_1")  # partially met
    second.fill("#rating_rationale", "Second: a day rota exists")
    second.click("#rating-panel button:has-text('Save the rating')")
    expect(second.locator("#rating-panel [role=status]")).to_contain_text("saved (version 1)")
    stored = AuditorRating.objects.filter(institution_id=audit.institution_id, audit=audit)
    assert stored.count() == len(codes) + 1  # the lead's every standard, the second's first
    for code in codes[1:]:
        open_standard(second, f"{review}/{code}/")
        second.check("#rating_rating_0")
        second.click("#rating-panel button:has-text('Save the rating')")
        expect(second.locator("#rating-panel [role=status]")).to_contain_text("saved")
    second.goto(f"{review}/complete/")
    with second.expect_navigation():
        second.click("main form button[type=submit]")


def test_two_auditors_review_blind_and_the_lead_consolidates(
    browser: Browser, live_server: Any, dossier: dict[str, Any]
) -> None:
    base, audit, codes = live_server.url, dossier["audit"], dossier["codes"]
    review = f"{base}/audits/{audit.pk}/review"
    lead_context = signed_in(browser, base, dossier["lead"])
    second_context = signed_in(browser, base, dossier["second"])
    lead, second = lead_context.new_page(), second_context.new_page()
    errors: list[str] = []
    for page in (lead, second):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    accept(lead, base)
    accept(second, base)

    lead_rates_the_first_standard(lead_context, lead, review, codes)
    lead_rates_the_rest_and_completes(lead, review, codes)
    second_rates_blind_and_completes(second, review, codes, audit)

    # Both done: the blind is lifted, the lead consolidates the one divergence.
    lead.goto(f"{review}/divergences/")
    section = lead.locator(f"#d-{codes[0]}")
    expect(section).to_contain_text("Typed in the other tab")  # the deliberate second save
    expect(section).to_contain_text("Second: a day rota exists")
    section.locator("input[value=partially_met]").check()
    section.locator("textarea[name=rationale]").fill("Days covered, nights not.")
    section.locator("textarea[name=reason]").fill("The second auditor found the day rota.")
    with lead.expect_navigation():
        section.locator("button[type=submit]").click()
    expect(lead.locator("#messages")).to_contain_text(f"consolidated rating of {codes[0]}")
    assert Audit.unscoped.get(pk=audit.pk).status == Audit.Status.REVIEW_COMPLETE
    assert errors == [] or all("409" in e or "Conflict" in e for e in errors), errors
    lead_context.close()
    second_context.close()
