"""The error answers of the API: bounded pages, JSON everywhere under /api/, and the schema that
states them once for every operation."""

from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from rescue.api.pagination import MAX_LIMIT, MAX_OFFSET
from rescue.api.schema import LINKS, error_statuses
from tests.api.contract import operations, served_schema
from tests.world import World

DOCUMENT = served_schema()
OPERATIONS = operations(DOCUMENT)
LISTS = sorted(
    path
    for _operation_id, (method, path, operation) in OPERATIONS.items()
    if method == "GET" and any(p["name"] == "limit" for p in operation.get("parameters", []))
)


def list_url(path: str, world: World) -> str:
    return path.replace("{institution_id}", str(world.institution_a.pk)).replace(
        "{audit_id}", str(world.audit_a.pk)
    )


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        {"limit": str(MAX_LIMIT + 1)},
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "9223372036854775808"},
        {"limit": "100000000000000000000"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"offset": str(MAX_OFFSET + 1)},
        {"offset": "-1"},
        {"offset": "9223372036854775808"},
        {"offset": "+3"},
    ],
)
def test_a_page_out_of_bounds_is_a_400_that_says_what_is_allowed(
    path: str, query: dict[str, str], world: World
) -> None:
    response = world.client("admin").get(list_url(path, world), query)
    assert response.status_code == 400, response.content
    [(name, [message])] = response.json().items()
    assert name in query
    assert "whole number from" in message


@pytest.mark.parametrize("path", LISTS)
def test_a_page_within_bounds_is_served(path: str, world: World) -> None:
    response = world.client("admin").get(
        list_url(path, world), {"limit": str(MAX_LIMIT), "offset": str(MAX_OFFSET)}
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    response = world.client("admin").get(list_url(path, world), {"limit": "1"})
    assert len(response.json()["results"]) <= 1


def test_the_schema_states_the_bounds() -> None:
    _method, _path, operation = OPERATIONS["institutions_list"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["limit"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_LIMIT,
        "default": 50,
    }
    assert parameters["offset"]["maximum"] == MAX_OFFSET


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing/",
        "/api/v1/audits/not-a-number/",
        "/api/v1/audits/1/standards/a%2Fb/",
        "/api/v1/audits//standards/",
    ],
)
def test_an_unknown_api_path_is_a_json_404(path: str, world: World) -> None:
    response = world.client("coordinator_a").get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_an_unknown_page_is_still_the_html_page(world: World) -> None:
    response = world.client("coordinator_a").get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_change_without_the_csrf_token_is_a_json_403(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coordinator_a"])
    response = client.post(
        f"/api/v1/institutions/{world.institution_a.pk}/audits/",
        {"component": "training", "setting": "hospital"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_body_of_another_media_type_is_a_415(world: World) -> None:
    response = world.client("coordinator_a").patch(
        f"/api/v1/audits/{world.audit_a.pk}/standards/{world.standard.code}/",
        "self_rating=met",
        content_type="text/plain",
    )
    assert response.status_code == 415
    assert "detail" in response.json()


def test_a_standard_code_with_a_nul_is_a_field_error_not_a_500(world: World) -> None:
    response = world.client("coordinator_a").post(
        f"/api/v1/audits/{world.audit_a.pk}/evidence/",
        {"files": [], "standards": ["IN\x00T"], "confirmed_no_personal_data": "true"},
    )
    assert response.status_code == 400
    assert "standards" in response.json() or "files" in response.json()


class Colliding(APIView):
    def post(self, request: Any) -> Response:
        raise IntegrityError("duplicate key value violates unique constraint")


def test_a_lost_race_on_a_unique_constraint_is_a_409(world: World) -> None:
    request = APIRequestFactory().post("/api/v1/anything/", {}, format="json")
    request.user = world.users["coordinator_a"]
    response = Colliding.as_view()(request)
    assert response.status_code == 409
    assert "send it again" in response.data["detail"]


# --- The schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_documents_its_error_answers(operation_id: str) -> None:
    method, _path, operation = OPERATIONS[operation_id]
    responses = operation["responses"]
    assert "403" in responses
    places = {p["in"] for p in operation.get("parameters", [])}
    if "path" in places:
        assert "404" in responses
    if method != "GET":
        assert {"400", "409"} <= set(responses)
    if "requestBody" in operation:
        assert {"400", "415"} <= set(responses)
    for status, answer in responses.items():
        if status >= "400":
            [media] = answer["content"]
            assert media == "application/json", (status, answer)


def test_error_statuses_follow_what_the_operation_takes() -> None:
    assert error_statuses({}, "GET") == ["403"]
    assert error_statuses({"parameters": [{"in": "query"}]}, "GET") == ["403", "400"]
    assert error_statuses({"parameters": [{"in": "path"}]}, "GET") == ["403", "404"]
    assert error_statuses({"requestBody": {}}, "POST") == ["403", "400", "409", "415"]
    assert error_statuses({}, "POST") == ["403", "400", "409"]


def test_an_audit_answer_states_the_empty_level_of_a_training_audit() -> None:
    schema = DOCUMENT["components"]["schemas"]["Audit"]["properties"]["target_level"]
    refs = {item["$ref"].rsplit("/", 1)[1] for item in schema["oneOf"]}
    assert refs == {"TargetLevelEnum", "BlankEnum"}


def test_the_upload_answers_what_it_stored_and_what_it_refused() -> None:
    _method, _path, operation = OPERATIONS["audits_evidence_create"]
    for status in ("201", "400"):
        ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/EvidenceUploadResult")
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    name = body.rsplit("/", 1)[1]
    files = DOCUMENT["components"]["schemas"][name]["properties"]["files"]
    assert files["items"]["format"] == "binary"


def test_a_created_audit_links_to_what_a_client_does_next() -> None:
    answer = OPERATIONS["institutions_audits_create"][2]["responses"]["201"]
    assert answer["links"]["GetAudit"] == {
        "operationId": "audits_retrieve",
        "parameters": {"id": "$response.body#/id"},
    }
    targets = {target for links in LINKS.values() for target, _parameters in links.values()}
    assert targets <= set(OPERATIONS)
