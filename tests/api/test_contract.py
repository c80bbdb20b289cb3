"""Property-based API tests: every operation, as every role, keeps the contract of its schema.

Generated from the project's own OpenAPI schema by schemathesis, against the test database: no
server error, every status documented, every answer matching its schema and content type. The
seed and the number of examples are fixed (tests/api/contract.py), so a run is repeatable; a
failure prints the request that reproduces it.
"""

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from tests.api.contract import (
    CHECKS,
    DETERMINISTIC,
    MAX_EXAMPLES,
    MEMBER_ROLES,
    OUTSIDER_EXAMPLES,
    OUTSIDER_ROLES,
    STATEFUL_EXAMPLES,
    STATS,
    Session,
    load_schema,
    resolve,
)
from tests.world import World

schema = load_schema()

FUZZ_SETTINGS: dict[str, Any] = {
    "max_examples": MAX_EXAMPLES,
    "deadline": None,
    "derandomize": DETERMINISTIC,
    "database": None,
    # The world is built once per operation and role, and the examples share it: a change made
    # by one request (an audit started, a file uploaded) is there for the next, as for a client.
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}


def send(case: Case, world: World, session: Session) -> Any:
    """Turn the case's references into the world's objects, send it, and check the answer."""
    case.path_parameters = resolve(world, case.path_parameters or {})
    case.query = resolve(world, case.query) if case.query else case.query
    if isinstance(case.body, dict):
        case.body = resolve(world, case.body)
    response = case.call(cookies=session.cookies, headers=session.headers)
    STATS["requests"] += 1
    STATS[f"{case.operation.label} -> {response.status_code}"] += 1
    STATS[f"status {response.status_code}"] += 1
    case.validate_response(response, checks=CHECKS, headers=session.headers)
    return response


@pytest.mark.parametrize("role", MEMBER_ROLES)
@schema.parametrize()
@settings(**FUZZ_SETTINGS)
def test_operation_keeps_its_contract(case: Case, world: World, session: Session) -> None:
    send(case, world, session)


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
@schema.parametrize()
@settings(**(FUZZ_SETTINGS | {"max_examples": OUTSIDER_EXAMPLES}))
def test_operation_keeps_its_contract_for_outsiders(
    case: Case, world: World, session: Session
) -> None:
    send(case, world, session)


Workflow = schema.as_state_machine()


class ContractWorkflow(Workflow):  # type: ignore[misc, valid-type]
    """Sequences that follow the schema's links: start an audit, then read and change it."""

    world: World
    session: Session

    def step(self, input: StepInput) -> StepOutput:  # noqa: A002  (the base class's name)
        response = send(input.case, self.world, self.session)
        return StepOutput(response, input.case)


def test_workflows_keep_the_contract(world: World, session: Session) -> None:
    ContractWorkflow.world = world
    ContractWorkflow.session = session
    ContractWorkflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=DETERMINISTIC,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
