"""The catalogue page and the read-only catalogue API."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from standards.models import CatalogueVersion, Standard
from tests.factories import (
    CatalogueVersionFactory,
    SectionFactory,
    StandardFactory,
    StandardGuidanceFactory,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("standards:catalogue")
API = "/api/v1/standards/"


def codes_on_page(html: str) -> list[str]:
    return re.findall(r'<li class="standard" id="([A-Z]{3}\d{2})">', html)


def api_codes(client: Client, **params: str) -> list[str]:
    response = client.get(API, {"limit": 200, **params})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client: Client, catalogue: None) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_api_and_schema_are_refused(client: Client, catalogue: None) -> None:
    assert client.get(API).status_code == 403
    assert client.get("/api/v1/catalogue-versions/").status_code == 403
    assert client.get(reverse("schema")).status_code == 403


def test_api_is_read_only(user_client: Client, catalogue: None) -> None:
    standard = Standard.objects.first()
    assert user_client.post(API, {"code": "INT99"}).status_code == 405
    assert user_client.delete(f"{API}{standard.pk}/").status_code == 405
    assert user_client.patch(f"{API}{standard.pk}/", {"title": "x"}).status_code == 405
    assert Standard.objects.count() == 55


# --- The page ----------------------------------------------------------------------------------


def test_page_shows_every_component_by_section(user_client: Client, catalogue: None) -> None:
    response = user_client.get(PAGE)
    assert response.status_code == 200
    codes = codes_on_page(response.content.decode())
    assert len(codes) == 55
    assert codes[:2] == ["INT01", "INT02"]
    assert codes[30] == "TRA01"
    assert codes[41] == "COM01"
    html = response.content.decode()
    assert "pending the official RESCUE text" in html
    assert 'class="badge badge-core">CORE<' in html
    assert 'class="badge badge-advanced">Advanced<' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"component": "training"}, [f"TRA{n:02d}" for n in range(1, 12)]),
        ({"level": "core"}, ["COM02", "COM05", "COM07"]),
        ({"component": "competences", "q": "COM13"}, ["COM13"]),
    ],
)
def test_page_filters(user_client: Client, catalogue: None, params: dict, expected: list) -> None:
    response = user_client.get(PAGE, params)
    assert response.status_code == 200
    assert codes_on_page(response.content.decode()) == expected


def test_page_and_api_agree_on_every_filter(user_client: Client, catalogue: None) -> None:
    for params in (
        {"level": "advanced"},
        {"level": "elementary", "component": "intervention"},
        {"intervention_level": "design"},
        {"intervention_level": "comprehensive", "level": "advanced"},
        {"setting": "nursing_home", "component": "training"},
        {"q": "24 hours"},
    ):
        page = codes_on_page(user_client.get(PAGE, params).content.decode())
        assert page == api_codes(user_client, **params), params
        assert page, params


def test_intervention_level_filter_matches_the_data(user_client: Client, catalogue: None) -> None:
    expected = list(
        Standard.objects.filter(catalogue_version__component="intervention", applies_design=True)
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert 0 < len(expected) < 30
    assert api_codes(user_client, intervention_level="design") == expected


def test_setting_filter_matches_the_data(user_client: Client, catalogue: None) -> None:
    # Make one standard hospital-only so that the filter has something to leave out.
    Standard.objects.filter(code="INT05").update(for_primary_care=False, for_nursing_home=False)
    primary = api_codes(user_client, setting="primary_care", component="intervention")
    assert "INT05" not in primary
    assert len(primary) == 29
    assert "INT05" in api_codes(user_client, setting="hospital")


def test_level_filter_counts(user_client: Client, catalogue: None) -> None:
    elementary = api_codes(user_client, level="elementary")
    advanced = api_codes(user_client, level="advanced")
    assert len(elementary) + len(advanced) == 41
    assert not set(elementary) & set(advanced)


def test_invalid_filter_is_a_400_with_a_message(user_client: Client, catalogue: None) -> None:
    response = user_client.get(PAGE, {"level": "expert"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    api = user_client.get(API, {"component": "mastery"})
    assert api.status_code == 400
    assert "component" in api.json()


def test_htmx_request_gets_the_results_fragment(user_client: Client, catalogue: None) -> None:
    response = user_client.get(PAGE, {"component": "competences"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert codes_on_page(html)[0] == "COM01"


def test_retired_versions_are_hidden_unless_asked_for(user_client: Client, catalogue: None) -> None:
    retired = CatalogueVersionFactory(status=CatalogueVersion.Status.RETIRED)
    StandardFactory(section__catalogue_version=retired, code="INT77")
    assert "INT77" not in api_codes(user_client)
    assert api_codes(user_client, version=str(retired.pk)) == ["INT77"]
    assert codes_on_page(user_client.get(PAGE, {"version": retired.pk}).content.decode()) == [
        "INT77"
    ]


# --- The API -----------------------------------------------------------------------------------


def test_api_standard_detail(user_client: Client, catalogue: None) -> None:
    standard = Standard.objects.get(code="COM05")
    data = user_client.get(f"{API}{standard.pk}/").json()
    assert data["code"] == "COM05"
    assert data["component"] == "competences"
    assert data["is_core"] is True
    assert data["level"] == ""
    assert data["intervention_levels"] == []
    assert data["operational_definition"]
    assert data["evidence_required"]
    assert data["section"]["title"]


def test_api_unknown_standard_is_404(user_client: Client, catalogue: None) -> None:
    assert user_client.get(f"{API}999999/").status_code == 404


def test_api_catalogue_versions(user_client: Client, catalogue: None) -> None:
    rows = user_client.get("/api/v1/catalogue-versions/").json()["results"]
    counts = {row["component"]: row["standard_count"] for row in rows}
    assert counts == {"intervention": 30, "training": 11, "competences": 14}
    assert all(row["is_working_catalogue"] for row in rows)


def test_openapi_schema_describes_the_catalogue(user_client: Client) -> None:
    response = user_client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/standards/" in paths
    assert "/api/v1/catalogue-versions/{id}/" in paths
    parameters = {p["name"] for p in paths["/api/v1/standards/"]["get"]["parameters"]}
    assert {"component", "level", "intervention_level", "setting", "version"} <= parameters


# --- Query counts ------------------------------------------------------------------------------


def _catalogue_of(size: int) -> CatalogueVersion:
    version = CatalogueVersionFactory(status=CatalogueVersion.Status.ACTIVE)
    _add_standards(version, range(size))
    return version


def _add_standards(version: CatalogueVersion, numbers: range) -> None:
    """Five standards per section, each with setting guidance."""
    for start in numbers[::5]:
        section = SectionFactory(catalogue_version=version)
        for index in range(start, min(start + 5, numbers.stop)):
            standard = StandardFactory(section=section, code=f"INT{index:02d}")
            StandardGuidanceFactory(standard=standard)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [PAGE, f"{API}?limit=200", "/api/v1/catalogue-versions/"])
def test_query_count_does_not_grow_with_the_catalogue(user_client: Client, url: str) -> None:
    version = _catalogue_of(10)
    small = _queries(user_client, url)
    _add_standards(version, range(10, 60))
    large = _queries(user_client, url)
    assert large == small
    assert small <= 8


def test_the_badge_style_does_not_follow_the_language() -> None:
    """The badge's class comes from the level's value, its text from the translated label."""
    from django.utils import translation  # noqa: PLC0415

    from standards.models import Standard  # noqa: PLC0415

    standard = Standard(level="elementary")
    with translation.override("es"):
        assert standard.badge_key == "elementary"
    assert Standard(is_core=True).badge_key == "core"
    assert Standard().badge_key == ""
