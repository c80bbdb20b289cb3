"""A coordinator takes an Intervention audit from creation to a sealed submission in the browser:
start it on the institution page, rate and upload evidence for every standard (the upload goes
through the page's script, one request per file; one file is dropped on the drop zone), see a bad
file refused by name and not the good one sent twice, submit."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audits.models import Audit
from audits.services.submission import manifest_verify
from institutions.models import Institution, Membership
from tests.factories import InstitutionFactory, MembershipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]

PASSWORD = "a-long-test-password-2026"


def log_in(page: Page, base: str) -> Institution:
    institution = InstitutionFactory(name="Browser Hospital", setting="hospital")
    coordinator = MembershipFactory(
        institution=institution, role=Membership.Role.COORDINATOR, user__email="coord@browser.org"
    ).user
    coordinator.set_password(PASSWORD)
    coordinator.save()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "coord@browser.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    return institution


DROP = """([zone, name, text]) => {
    const data = new DataTransfer();
    data.items.add(new File([text], name, {type: "text/csv"}));
    zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
}"""


def complete_standard(
    page: Page, url: str, code: str, files: list[Path], *, drop: bool = False
) -> None:
    """Rate the standard and upload its files (chosen, or dropped on the drop zone); a bad file
    among them is refused by name."""
    page.goto(url)
    page.check("input[name=self_rating][value=met]")
    page.fill("textarea[name=narrative]", f"How {code} is met.")
    page.click("form[action$='/rating/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(f"Self-assessment of {code} saved.")
    expect(page.locator("#messages")).to_be_focused()  # not back to the top of the page
    if drop:
        [file] = files
        zone = page.locator("[data-dropzone]").element_handle()
        page.evaluate(DROP, [zone, file.name, file.read_text()])
        expect(page.locator(".upload-list")).to_contain_text(file.name)
    else:
        page.set_input_files("form[data-upload] input[type=file]", [str(f) for f in files])
    page.check("form[data-upload] input[name=confirmed_no_personal_data]")
    if any(f.suffix == ".html" for f in files):
        # The page's script sends one request per file: the bad one is refused by name, the
        # good one kept, and the page stays to say so.
        page.click("form[data-upload] button[type=submit]")
        expect(page.locator(".upload-list")).to_contain_text("page.html: HTML pages")
        expect(page.locator(".upload-list .is-ok")).to_contain_text("uploaded")
        # Trying again sends only the refused file: the stored one is not uploaded twice.
        with page.expect_response(lambda r: r.request.method == "POST") as again:
            page.click("form[data-upload] button[type=submit]")
        assert again.value.status == 400
        expect(page.locator(".upload-list li")).to_have_count(3)  # two files and the note
        page.reload()
        expect(page.locator("table tbody tr")).to_have_count(1)
    else:
        with page.expect_navigation():  # every file accepted: the page reloads
            page.click("form[data-upload] button[type=submit]")
        # ... with a message per file, where the focus lands.
        expect(page.locator(".messages")).to_contain_text(f"{files[0].name} uploaded.")
        expect(page.locator("#messages")).to_be_focused()
    expect(page.locator("table")).to_contain_text("indicators.csv")


def test_coordinator_takes_a_dossier_to_a_sealed_submission(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    base = live_server.url
    indicators = tmp_path / "indicators.csv"
    indicators.write_bytes(b"quarter,activations\nQ1,4\nQ2,6\n")
    page_html = tmp_path / "page.html"
    page_html.write_bytes(b"<html><body>not evidence</body></html>")
    institution = log_in(page, base)

    page.goto(f"{base}/institutions/{institution.pk}/")
    page.click("text=Start an audit")
    page.check("input[name=component][value=intervention]")
    page.select_option("select[name=target_level]", "design")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Design level")
    dashboard = page.url
    codes = [
        link.inner_text().split()[0]
        for link in page.locator("section.section-card td:first-child a").all()
    ]
    audit = Audit.objects.for_institution(institution).get()
    assert len(codes) == audit.assessments.count() == 17

    complete_standard(page, f"{dashboard}standards/{codes[0]}/", codes[0], [indicators, page_html])
    complete_standard(page, f"{dashboard}standards/{codes[1]}/", codes[1], [indicators], drop=True)
    for code in codes[2:]:
        complete_standard(page, f"{dashboard}standards/{code}/", code, [indicators])

    page.goto(dashboard)
    expect(page.locator(".progress-figure")).to_contain_text("17 of 17")
    page.click("text=Submit the dossier")
    expect(page.locator(".messages")).to_contain_text("The dossier is submitted and sealed.")

    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED
    expect(page.locator("code.digest")).to_have_text(audit.manifest_digest)
    digest = hashlib.sha256(indicators.read_bytes()).hexdigest()
    files = [f for entry in audit.manifest["standards"].values() for f in entry["files"]]
    assert len(files) == 17
    assert {f["sha256"] for f in files} == {digest}
    assert manifest_verify(audit=audit) == []
    # Sealed: the standard pages no longer offer changes.
    page.goto(f"{dashboard}standards/{codes[0]}/")
    expect(page.locator("form[data-upload]")).to_have_count(0)
    expect(page.locator("form[action$='/rating/']")).to_have_count(0)
    # The only errors the browser saw are the refused HTML file's two 400s.
    assert len(page.console_errors) == 2
    assert all("400" in error for error in page.console_errors)
