"""The accessibility and layout gate: every HTML page of the access matrix, as every role that
reaches it, in Chromium.

Each (page, role) fails on
- an axe-core violation of impact "critical" or "serious" among the WCAG 2.1 A/AA rules
  (wcag2a, wcag2aa, wcag21a, wcag21aa), at a desktop width (1280 px) and at a phone width
  (390 px);
- what axe 4.x does not check: an ``id`` used twice, an ``aria-describedby`` (``for``,
  ``aria-labelledby``...) naming an id that is not there, radio buttons or checkboxes of one name
  outside a fieldset with a legend, a control whose keyboard focus shows no outline or one under
  3:1 against the background behind it;
- a document wider than a 390 x 844 phone screen (``scrollWidth > 390``); the message names the
  elements where the overflow starts.

The page list comes from ``MATRIX`` (tests/security/test_access_matrix.py): every GET entry with
a 200 (or a 403, the page saying who may) for a role, except the API (DRF views: JSON, and the
schema's Swagger page). A page that answers something other than a whole HTML document (a file
download, an htmx fragment) is skipped, with its content type as the reason. A page added to the
matrix is checked from then on. A few error pages (404, the 403 and 400 answers of a refused
submission, the CSRF refusal) are checked as well.

One world, one live server and one signed-in tab per role serve the whole module (building the
world for each of the ~110 tests would take longer than checking them); the database is emptied
when the module ends, as after a transactional test.
"""

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, get_resolver, reverse
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer
from rest_framework.views import APIView

from tests.security.test_access_matrix import MATRIX, Access
from tests.world import ROLES, World, build_world

# The browser's requests reach the database through the live server's own connection: the
# browser tests need it set up (hence the marker) but write nothing themselves.
needs_database = pytest.mark.django_db

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}
AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


# --- The page list ------------------------------------------------------------------------------


def _url_patterns() -> dict[str, URLPattern]:
    """Every named URL pattern by its full name ("audits:detail")."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLPattern):
                found[f"{namespace}{entry.name}"] = entry
            else:
                walk(
                    entry.url_patterns,
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                )

    walk(get_resolver().url_patterns, "")
    return found


def is_api(pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "cls", None)
    return isinstance(view, type) and issubclass(view, APIView)


# A page that someone may see but not use answers 403 with who may: a page of its own.
PAGE_STATUSES = {200, 403}


def matrix_pages() -> list[tuple[str, str]]:
    """(url name, role) for every page of the matrix that the role reads with a 200 (or a 403
    saying who may)."""
    patterns = _url_patterns()
    return [
        (name, role)
        for name, access in sorted(MATRIX.items())
        if access.method == "get" and not is_api(patterns[name])
        for role in ROLES
        if access.expect[role] in PAGE_STATUSES
    ]


def confirmation_pages() -> list[tuple[str, str]]:
    """(url name, role) for the confirmation page (the GET) of every destructive action."""
    return [
        (name, role)
        for name, access in sorted(MATRIX.items())
        if access.confirm
        for role in ROLES
        if access.confirm[role] in PAGE_STATUSES
    ]


PAGES = matrix_pages()
CONFIRMATIONS = confirmation_pages()


@dataclass(frozen=True)
class ErrorPage:
    """An error answer to look at: reached by GET, or by POST from the page at ``start``."""

    status: int
    url: Callable[[World], str]
    method: str = "get"
    start: Callable[[World], str] | None = None
    csrf: bool = True


def _audit_a_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"audit_id": w.audit_a.pk})


ERROR_PAGES: dict[tuple[str, str], ErrorPage] = {
    ("404 no such page", "anonymous"): ErrorPage(404, lambda w: "/no-such-page/"),
    ("404 no such page", "coordinator_a"): ErrorPage(404, lambda w: "/no-such-page/"),
    # Another institution's audit: the policy's own message ("No such audit.").
    ("404 out of reach", "coordinator_b"): ErrorPage(404, _audit_a_url("audits:detail")),
    # Submitting the dossier as someone who may only read it, and with gaps.
    ("403 refused submission", "auditor_assigned"): ErrorPage(
        403, _audit_a_url("audits:submit"), method="post", start=_audit_a_url("audits:detail")
    ),
    ("400 incomplete submission", "coordinator_a"): ErrorPage(
        400, _audit_a_url("audits:submit"), method="post", start=_audit_a_url("audits:detail")
    ),
    # A form sent without its CSRF token (an expired page): Django's refusal page.
    ("403 CSRF refused", "coordinator_a"): ErrorPage(
        403, lambda w: reverse("logout"), method="post", start=lambda w: reverse("home"), csrf=False
    ),
}


def test_the_page_list_covers_the_main_pages() -> None:
    assert PAGES, "no page of the access matrix is checked"
    names = {name for name, _role in PAGES}
    expected = {
        "home",
        "audits:list",
        "audits:detail",
        "audits:standard",
        "institutions:detail",
        "institutions:members",
        "institutions:list",
        "auditors:pool",
        "auditors:profile",
        "standards:catalogue",
        "login",
    }
    assert expected <= names, f"missing from the gate: {sorted(expected - names)}"
    assert ("login", "anonymous") in PAGES
    assert not names & {"schema", "api-docs", "standard-list", "audit-detail"}, "API in the gate"
    confirmed = {name for name, _role in CONFIRMATIONS}
    assert {
        "institutions:member_remove",
        "reviews:audit_close",
        "audits:evidence_delete",
    } <= confirmed


# --- The browser side ---------------------------------------------------------------------------


@contextmanager
def quiet(logger: str) -> Iterator[None]:
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


@dataclass
class Site:
    url: str
    world: World
    pages: dict[str, Page]


@pytest.fixture(scope="module")
def site(
    browser: Browser, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Site]:
    """One world, one live server and one signed-in browser tab per role, for the module.

    The role's session is the one the Django test client made (password and second factor
    verified), copied into the browser as its cookie. Everything is committed; the database is
    emptied at the end, as after a transactional test."""
    contexts: list[BrowserContext] = []
    with django_db_blocker.unblock(), quiet("axes"):  # not a line per sign-in in the failures
        world = build_world()
        server = LiveServer("localhost")
        try:
            pages: dict[str, Page] = {}
            for role in ROLES:
                context = browser.new_context(viewport=DESKTOP)
                contexts.append(context)
                cookie = world.client(role).cookies.get(settings.SESSION_COOKIE_NAME)
                if cookie is not None:
                    context.add_cookies(
                        [{"name": cookie.key, "value": cookie.value, "url": server.url}]
                    )
                pages[role] = context.new_page()
            yield Site(url=server.url, world=world, pages=pages)
        finally:
            for context in contexts:
                context.close()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def page_url(name: str, access: Access, world: World) -> str:
    url = reverse(name, kwargs=access.kwargs(world))
    return f"{url}?{urlencode(access.query)}" if access.query else url


# --- The checks ---------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def axe_problems(found: dict[int, list[dict[str, Any]]]) -> list[str]:
    """One line per rule and set of elements, with the widths it was seen at."""
    merged: dict[tuple[str, tuple[str, ...]], tuple[dict[str, Any], list[int]]] = {}
    for width, violations in found.items():
        for violation in violations:
            targets = tuple(" >> ".join(node["target"]) for node in violation["nodes"])
            merged.setdefault((violation["id"], targets), (violation, []))[1].append(width)
    problems = []
    for (rule, targets), (violation, widths) in merged.items():
        more = f" (+{len(targets) - 3} more)" if len(targets) > 3 else ""
        summary = violation["nodes"][0].get("failureSummary") or ""
        why = " ".join(summary.splitlines()[1:2]).strip()  # the line after "Fix any of..."
        problems.append(
            f"axe {rule} [{violation['impact']}] at {' and '.join(map(str, widths))} px: "
            f"{violation['help']} -- {len(targets)} element(s): {', '.join(targets[:3])}{more}"
            + (f" -- first: {why}" if why else "")
            + f" -- {violation['helpUrl'].split('?')[0]}"
        )
    return problems


# What axe 4.x leaves out: ids used twice, references to ids that are not there, radio buttons or
# checkboxes of one name not grouped (fieldset and legend, or role=group with a name).
DOM_CHECKS = """() => {
    const describe = (el) => {
        const form = el.closest("form");
        const name = el.getAttribute("name");
        return el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "")
            + (name ? `[name=${name}]` : "")
            + (form ? ` in form[action="${form.getAttribute("action") || ""}"]` : "");
    };
    const problems = [];
    const byId = new Map();
    for (const el of document.querySelectorAll("[id]")) {
        if (el.id) byId.set(el.id, [...(byId.get(el.id) || []), el]);
    }
    for (const [id, els] of byId) {
        if (els.length > 1) {
            problems.push(`duplicate id "${id}" x${els.length}: ${els.map(describe).join("; ")}`);
        }
    }
    const refs = ["aria-labelledby", "aria-describedby", "aria-errormessage", "aria-controls",
                  "aria-owns", "aria-details", "for", "headers"];
    for (const attr of refs) {
        for (const el of document.querySelectorAll(`[${attr}]`)) {
            const missing = el.getAttribute(attr).split(/\\s+/)
                .filter((id) => id && !document.getElementById(id));
            if (missing.length) {
                problems.push(`${attr} names missing id(s) ${missing.map((id) => `"${id}"`)
                    .join(", ")}: ${describe(el)}`);
            }
        }
    }
    const groups = new Map();
    const choices = "input[type=radio][name], input[type=checkbox][name]";
    for (const el of document.querySelectorAll(choices)) {
        const form = el.form ? ` in form[action="${el.form.getAttribute("action") || ""}"]` : "";
        const key = `${el.type} inputs named "${el.name}"${form}`;
        groups.set(key, [...(groups.get(key) || []), el]);
    }
    const named = (group) => group.tagName === "FIELDSET"
        ? !!group.querySelector(":scope > legend")
        : group.hasAttribute("aria-label") || group.hasAttribute("aria-labelledby");
    for (const [key, els] of groups) {
        const group = els[0].closest("fieldset, [role=group], [role=radiogroup]");
        if (els.length > 1 && !(group && named(group) && els.every((el) => group.contains(el)))) {
            problems.push(`${els.length} ${key} not grouped in a fieldset with a legend`
                + " (or role=group with a name)");
        }
    }
    return problems;
}"""


# Every visible control, focused as after a keyboard move, must show an indicator; an outline
# must stand out 3:1 from what is behind it (WCAG 1.4.11, 2.4.7; axe checks neither).
FOCUS_CHECK = """() => {
    const parse = (color) => {  // computed colours read "rgb(r, g, b)" or "rgba(r, g, b, a)"
        const v = color.startsWith("rgb") ? color.match(/[\\d.]+/g).map(Number) : null;
        return v ? { rgb: v.slice(0, 3), alpha: v.length > 3 ? v[3] : 1 } : null;
    };
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => v / 255)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (a, b) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    };
    const behind = (el) => {
        for (let node = el; node; node = node.parentElement) {
            const color = parse(getComputedStyle(node).backgroundColor);
            if (color && color.alpha >= 0.5) return color.rgb;
        }
        return [255, 255, 255];
    };
    const hex = (rgb) => "#" + rgb.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "")
        + [...el.classList].map((c) => "." + c).join("")
        + (el.type && el.tagName === "INPUT" ? `[type=${el.type}]` : "");
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
        + "[tabindex]:not([tabindex='-1'])";
    const found = new Map();
    const note = (key, el) => found.set(key, [...(found.get(key) || []), describe(el)]);
    for (const el of document.querySelectorAll(selector)) {
        const style = getComputedStyle(el);
        if (el.disabled || !el.getClientRects().length || style.visibility === "hidden") continue;
        el.focus({ preventScroll: true });
        if (document.activeElement !== el || !el.matches(":focus-visible")) continue;
        const focused = getComputedStyle(el);
        const outline = focused.outlineStyle !== "none" && parseFloat(focused.outlineWidth) > 0;
        if (focused.outlineStyle === "auto") continue;  // the browser's own two-tone ring
        if (!outline) {
            if (focused.boxShadow === "none") note("no visible focus indicator", el);
            continue;
        }
        const color = parse(focused.outlineColor);
        if (!color) continue;
        const offset = parseFloat(focused.outlineOffset) || 0;
        const back = behind(offset >= 0 ? el.parentElement : el);
        const contrast = ratio(color.rgb, back);
        if (contrast < 3) {
            note(`focus outline ${hex(color.rgb)} on ${hex(back)}: contrast `
                + `${contrast.toFixed(2)}:1, below 3:1`, el);
        }
    }
    if (document.activeElement) document.activeElement.blur();
    return [...found].map(([problem, els]) => `${problem} -- ${els.length} element(s): `
        + [...new Set(els)].slice(0, 3).join(", ") + (new Set(els).size > 3 ? ", ..." : ""));
}"""


def focus_problems(page: Page) -> list[str]:
    page.keyboard.press("Tab")  # from now on the browser shows focus as for the keyboard
    return [f"focus: {line}" for line in page.evaluate(FOCUS_CHECK)]


# The elements where the overflow starts: reaching past the right edge (as far as no scrolling
# or hidden-overflow ancestor cuts them off) while their parent does not; for each, the element
# deepest inside it that reaches furthest (the long word, the fixed-width field, the last cell).
WIDEST = """(limit) => {
    const edge = limit + 0.5;
    const right = (el) => el.getBoundingClientRect().right;
    const clips = (style) => style.overflowX !== "visible"
        || /paint|strict|content/.test(style.contain) || style.contentVisibility !== "visible";
    const reach = (el) => {
        let r = right(el);
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (clips(getComputedStyle(p))) r = Math.min(r, right(p));
        }
        return r;
    };
    const reaches = new Map();
    for (const el of [document.body, ...document.body.querySelectorAll("*")]) {
        if (!el.checkVisibility()) continue;  // not rendered: in a closed <details>, hidden
        const r = reach(el);
        if (r > edge) reaches.set(el, r);
    }
    const describe = (el) => {
        const classes = [...el.classList].map((c) => "." + c).join("");
        const text = (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 50);
        const box = el.getBoundingClientRect();
        return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes}`
            + ` (reaches ${Math.round(reaches.get(el))} px, width ${Math.round(box.width)} px`
            + (text ? `, "${text}")` : ")");
    };
    const deepest = (el) => {
        let best = el;
        for (const inner of el.querySelectorAll("*")) {
            if (reaches.has(inner) && reaches.get(inner) > reaches.get(best) - 0.5) best = inner;
        }
        return best;
    };
    return [...reaches.keys()].filter((el) => !reaches.has(el.parentElement))
        .sort((a, b) => reaches.get(b) - reaches.get(a)).slice(0, 3)
        .map((el) => {
            const inner = deepest(el);
            return describe(el) + (inner === el ? "" : ` <- widest inside: ${describe(inner)}`);
        });
}"""


def width_problems(page: Page) -> list[str]:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    limit = PHONE["width"]
    if width <= limit:
        return []
    culprits = "; ".join(page.evaluate(WIDEST, limit)) or "none found"
    return [f"wider than a {limit} px phone: scrollWidth {width} px; widest elements: {culprits}"]


def page_problems(page: Page) -> list[str]:
    """Everything wrong with the page open in the tab (at the desktop width)."""
    axe = {DESKTOP["width"]: axe_violations(page)}
    dom = [str(line) for line in page.evaluate(DOM_CHECKS)]
    focus = focus_problems(page)
    page.set_viewport_size(PHONE)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
    width = width_problems(page)
    axe[PHONE["width"]] = axe_violations(page)
    return axe_problems(axe) + dom + focus + width


def fail_on(problems: list[str], url: str, role: str) -> None:
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        pytest.fail(f"{url} as {role}: {len(problems)} problem(s)\n{listed}", pytrace=False)


WHOLE_DOCUMENT = re.compile(rb"^\s*(<!doctype html|<html)", re.IGNORECASE)


@needs_database
@pytest.mark.parametrize(("name", "role"), PAGES, ids=[f"{n}@{r}" for n, r in PAGES])
def test_page_is_accessible(site: Site, name: str, role: str) -> None:
    check_page(site, name, role, MATRIX[name].expect[role])


@needs_database
@pytest.mark.parametrize(
    ("name", "role"), CONFIRMATIONS, ids=[f"{n}@{r}" for n, r in CONFIRMATIONS]
)
def test_confirmation_page_is_accessible(site: Site, name: str, role: str) -> None:
    confirm = MATRIX[name].confirm
    assert confirm is not None
    check_page(site, name, role, confirm[role])


def check_page(site: Site, name: str, role: str, expected: int) -> None:
    page = site.pages[role]
    page.set_viewport_size(DESKTOP)
    url = page_url(name, MATRIX[name], site.world)
    # Ask first (the tab's cookies, no navigation): a download would not open as a page.
    answer = page.request.get(site.url + url, max_redirects=0)
    assert answer.status == expected, (
        f"{url} as {role}: {answer.status}, the matrix says {expected}"
    )
    content_type = answer.headers.get("content-type", "")
    if not content_type.startswith("text/html") or not WHOLE_DOCUMENT.match(answer.body()):
        pytest.skip(f"{name} answers {content_type or 'no content type'}, not an HTML document")
    response = page.goto(site.url + url)
    assert response is not None
    assert response.status == expected, f"{url} as {role}: {response.status} in the browser"
    fail_on(page_problems(page), url, role)


SEND_FORM = """([action, fields]) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = action;
    for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
    }
    document.body.append(form);
    form.submit();
}"""


@needs_database
@pytest.mark.parametrize(("label", "role"), ERROR_PAGES, ids=[f"{p}@{r}" for p, r in ERROR_PAGES])
def test_error_page_is_accessible(site: Site, label: str, role: str) -> None:
    error = ERROR_PAGES[label, role]
    page = site.pages[role]
    page.set_viewport_size(DESKTOP)
    url = error.url(site.world)
    if error.method == "get":
        response = page.goto(site.url + url)
    else:  # sent from the page where the person would be, as its form would send it
        assert error.start is not None
        page.goto(site.url + error.start(site.world))
        fields = {}
        if error.csrf:
            token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
            fields["csrfmiddlewaretoken"] = token
        with page.expect_navigation() as navigation:
            page.evaluate(SEND_FORM, [url, fields])
        response = navigation.value
    assert response is not None
    assert response.status == error.status, f"{label}: {url} as {role} answered {response.status}"
    fail_on(page_problems(page), f"{url} ({label})", role)
