"""Every operation of the schema can be reached with valid data, so the fuzz tests it in depth.

`tests/api/contract.py` declares, for each operation, a request that succeeds. A new operation
without one fails here, by name: it would otherwise be fuzzed only as far as its first 404.
"""

from typing import Any

import pytest

from tests.api.contract import (
    CHECKS,
    VALID,
    load_schema,
    operations,
    resolve,
    served_schema,
    session_for,
)
from tests.world import World

OPERATIONS = operations(served_schema())


def test_every_operation_has_a_valid_request() -> None:
    missing = sorted(
        f"{method} {path} ({operation_id})"
        for operation_id, (method, path, _operation) in OPERATIONS.items()
        if operation_id not in VALID
    )
    assert not missing, (
        "These operations have no valid request in tests/api/contract.py (VALID), so the fuzz "
        "cannot reach them with valid data; add one for each: " + "; ".join(missing)
    )


def test_no_valid_request_names_an_operation_that_is_gone() -> None:
    stale = sorted(set(VALID) - set(OPERATIONS))
    assert not stale, f"VALID names operations the schema no longer has: {stale}"


def test_every_valid_request_names_each_path_parameter() -> None:
    for operation_id, valid in VALID.items():
        _method, _path, operation = OPERATIONS[operation_id]
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(valid.path) == names, f"{operation_id}: path parameters {names}"
        for foreign in valid.foreign_paths:
            assert set(foreign) == names, f"{operation_id}: foreign path parameters {names}"


def valid_case(
    operation: Any,
    world: World,
    path: dict[str, Any],
    query: dict[str, Any],
    body: dict[str, Any] | None,
) -> Any:
    kwargs: dict[str, Any] = {"path_parameters": resolve(world, path)}
    if query:
        kwargs["query"] = resolve(world, query)
    if body is not None:
        media_types = list(operation.definition.raw["requestBody"]["content"])
        kwargs["body"] = resolve(world, body)
        kwargs["media_type"] = (
            "application/json" if "application/json" in media_types else media_types[0]
        )
    return operation.Case(**kwargs)


@pytest.fixture(scope="module")
def schema() -> Any:
    return load_schema()


@pytest.mark.parametrize("operation_id", sorted(VALID))
def test_valid_request_succeeds_and_keeps_the_contract(
    operation_id: str, schema: Any, world: World, api_requests: None
) -> None:
    valid = VALID[operation_id]
    operation = schema.find_operation_by_id(operation_id)
    case = valid_case(operation, world, valid.path, valid.query, valid.body)
    session = session_for(world, valid.role)
    response = case.call_and_validate(
        cookies=session.cookies, headers=session.headers, checks=CHECKS
    )
    assert response.status_code == valid.status, response.text


@pytest.mark.parametrize(
    "operation_id", sorted(op for op, valid in VALID.items() if valid.foreign_paths)
)
def test_another_institutions_object_is_out_of_reach(
    operation_id: str, schema: Any, world: World, api_requests: None
) -> None:
    """The fuzz also names the other institution's objects: for the valid request's own role,
    they are a 404 (or, for what the other institution's audit holds, a 404 too)."""
    valid = VALID[operation_id]
    operation = schema.find_operation_by_id(operation_id)
    session = session_for(world, valid.role)
    for foreign in valid.foreign_paths:
        case = valid_case(operation, world, foreign, valid.query, valid.body)
        response = case.call_and_validate(
            cookies=session.cookies, headers=session.headers, checks=CHECKS
        )
        assert response.status_code == 404, (foreign, response.text)
