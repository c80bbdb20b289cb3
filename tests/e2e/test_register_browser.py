"""The public register and verification pages under the accessibility gate's checks, populated
(the gate itself sees the register empty and no verification page)."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from certification.models import Certificate
from standards.choices import InterventionLevel
from tests.certification.test_public import (
    Register,
    code_url,
    issue,
    number_url,
    register,
)
from tests.e2e.test_accessibility import DESKTOP, page_problems

__all__ = ["register"]  # a fixture, used by name


@pytest.mark.django_db(transaction=True)
def test_the_pages_pass_the_accessibility_gate_in_every_status(
    register: Register, live_server: Any, browser: Browser, settings: Any
) -> None:
    """The gate (tests/e2e/test_accessibility.py) sees the register empty and no verification
    page: here its checks run on the register with rows, on a refused filter, on a verification
    page of every status and on the 429 page, at the desktop and the phone widths."""
    institution = register.world.institution_a
    issue(institution, level=InterventionLevel.COMPREHENSIVE)
    issue(institution, "training")
    issue(institution, "training")  # RESCUE Mastery is replaced: a superseded certificate
    superseded = Certificate.unscoped.get(institution=institution, status="superseded")
    urls = [
        reverse("public:register"),
        f"{reverse('public:register')}?status=suspended&q=practice",
        f"{reverse('public:register')}?scheme=competences",
        *(
            url
            for certificate in (
                register.active,
                register.suspended,
                register.withdrawn,
                register.expired,
                superseded,
            )
            for url in (code_url(certificate), number_url(certificate))
        ),
    ]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = []
    try:
        for url in urls:
            page.set_viewport_size(DESKTOP)
            page.goto(live_server.url + url)
            problems += [f"{url}: {problem}" for problem in page_problems(page)]
        # A budget of its own: one more read, then a 429 (on pages not read yet: the browser
        # keeps the others, as their Cache-Control allows).
        settings.CERTIFICATE_PUBLIC_RATE = "1/h"
        page.set_viewport_size(DESKTOP)
        lower = reverse("public:certificate", args=[register.active.number.lower()])
        assert page.goto(live_server.url + lower).status == 200
        refused = page.goto(f"{live_server.url}{reverse('public:register')}?q=hospital")
        assert refused is not None
        assert refused.status == 429
        problems += [f"429: {problem}" for problem in page_problems(page)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
