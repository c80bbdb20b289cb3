"""The API contract, as the fuzz tests hold the project to it.

The schema is the one the project serves (``/api/schema/``), generated in-process. The fuzz needs
valid data to get past the 404 of an unknown id: ``VALID`` gives, for every operation, a request
that succeeds, written with *references* to the test world (``AUDIT_A`` rather than an id, which
changes from test to test). The references are put into the schema as examples, mixed into the
generated path parameters, and turned into the world's ids just before each request is sent.

An operation missing from ``VALID`` fails ``test_every_operation_has_a_valid_request``: every
endpoint is fuzzed from the day it is written.
"""

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.value import GeneratedValue
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.world import World, verified_login

# The roles the contract is checked as (tests/world.py builds them): those who reach some of the
# world's objects, and the outsiders, who reach none (not signed in: 403 everywhere; an auditor
# assigned to nothing: 404 on every object), whose answers the fuzz learns from fewer examples.
MEMBER_ROLES = (
    "coordinator_a",
    "contributor_a",
    "auditor_assigned",
    "admin",
    "peer_supporter_a",
)
OUTSIDER_ROLES = ("anonymous", "auditor_unassigned")
ROLES = OUTSIDER_ROLES + MEMBER_ROLES

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# A fixed seed and a bounded number of examples keep the run repeatable; API_FUZZ_SEED and
# API_FUZZ_EXAMPLES give another run:
#   API_FUZZ_SEED=7 API_FUZZ_EXAMPLES=100 .venv/bin/pytest tests/api
SEED = int(os.environ.get("API_FUZZ_SEED", "20261201"))
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
OUTSIDER_EXAMPLES = int(os.environ.get("API_FUZZ_OUTSIDER_EXAMPLES", "4"))
STATEFUL_EXAMPLES = int(os.environ.get("API_FUZZ_STATEFUL_EXAMPLES", "6"))
DETERMINISTIC = "API_FUZZ_SEED" not in os.environ


# References to the world's objects: numbers no test id reaches, resolved just before a request is
# sent (the world's ids change from test to test).
INSTITUTION_A = 900_001
INSTITUTION_B = 900_002
AUDIT_A = 900_011
AUDIT_B = 900_012
REPORT_A = 900_021
CATALOGUE_VERSION = 900_031
STANDARD = 900_041
ASSIGNMENT_A = 900_051
CERTIFICATE_A = 900_061
DECIDED_A = 900_071
EVIDENCE_A = 900_081
APPEAL_A = 900_091
APPLICATION_A = 900_101
STANDARD_CODE = "@standard-code"

REFS: dict[int, Callable[[World], int]] = {
    INSTITUTION_A: lambda world: world.institution_a.pk,
    INSTITUTION_B: lambda world: world.institution_b.pk,
    AUDIT_A: lambda world: world.audit_a.pk,
    AUDIT_B: lambda world: world.audit_b.pk,
    REPORT_A: lambda world: world.report_a.pk,
    CATALOGUE_VERSION: lambda world: world.audit_a.catalogue_version_id,
    STANDARD: lambda world: world.standard.pk,
    ASSIGNMENT_A: lambda world: world.assignment_a.pk,
    CERTIFICATE_A: lambda world: world.certificate_a.pk,
    DECIDED_A: lambda world: world.decided_a.pk,
    EVIDENCE_A: lambda world: world.evidence_a.pk,
    APPEAL_A: lambda world: world.appeal_a.pk,
    APPLICATION_A: lambda world: world.application_a.pk,
}


def resolve_ref(world: World, value: Any) -> Any:
    """The world's value for a reference; anything else as it is."""
    if isinstance(value, str):
        # Path parameters arrive as the text of the URL, quoted.
        text = unquote(value)
        if text == STANDARD_CODE:
            return world.standard.code
        if text.isdecimal() and len(text) <= 9 and int(text) in REFS:
            return str(REFS[int(text)](world))
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value not in REFS:
        return value
    return REFS[value](world)


def resolve(world: World, value: Any) -> Any:
    if isinstance(value, dict):
        return {key: resolve(world, item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(world, item) for item in value]
    return resolve_ref(world, value)


@dataclass(frozen=True)
class Valid:
    """A request to an operation that succeeds: who sends it, and what it answers."""

    role: str
    status: int
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    # Other objects for the fuzz to try: another institution's, which must be out of reach.
    foreign_paths: tuple[dict[str, Any], ...] = ()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def on_audit_a(status: int, *, body: dict[str, Any] | None = None, **path: Any) -> Valid:
    """A coordinator's request about institution A's audit; institution B's is out of reach."""
    return Valid(
        "coordinator_a",
        status,
        path={"audit_id": AUDIT_A, **path},
        body=body,
        foreign_paths=({"audit_id": AUDIT_B, **path},),
    )


def on_review_a(status: int, *, body: dict[str, Any] | None = None, **path: Any) -> Valid:
    """The assigned auditor's request about audit A's review; B's audit is out of reach."""
    return Valid(
        "auditor_assigned",
        status,
        path={"audit_id": AUDIT_A, **path},
        body=body,
        foreign_paths=({"audit_id": AUDIT_B, **path},),
    )


VALID: dict[str, Valid] = {
    "institutions_list": Valid("coordinator_a", 200),
    "institutions_retrieve": Valid(
        "coordinator_a", 200, path={"id": INSTITUTION_A}, foreign_paths=({"id": INSTITUTION_B},)
    ),
    "institutions_members_list": Valid(
        "coordinator_a",
        200,
        path={"institution_id": INSTITUTION_A},
        foreign_paths=({"institution_id": INSTITUTION_B},),
    ),
    "institutions_audits_create": Valid(
        "coordinator_a",
        201,
        path={"institution_id": INSTITUTION_A},
        body={"component": "training", "setting": "hospital"},
        foreign_paths=({"institution_id": INSTITUTION_B},),
    ),
    "catalogue_versions_list": Valid("coordinator_a", 200),
    "catalogue_versions_retrieve": Valid("coordinator_a", 200, path={"id": CATALOGUE_VERSION}),
    "standards_list": Valid("coordinator_a", 200, query={"q": "peer"}),
    "standards_retrieve": Valid("coordinator_a", 200, path={"id": STANDARD}),
    "audits_list": Valid("coordinator_a", 200, query={"institution": INSTITUTION_A}),
    "audits_retrieve": Valid(
        "coordinator_a", 200, path={"id": AUDIT_A}, foreign_paths=({"id": AUDIT_B},)
    ),
    "audits_standards_list": on_audit_a(200),
    "audits_standards_partial_update": on_audit_a(
        200,
        code=STANDARD_CODE,
        body={"self_rating": "met", "narrative": "Peer supporters are on call every day."},
    ),
    "audits_evidence_list": on_audit_a(200),
    "audits_evidence_create": on_audit_a(
        201,
        body={"files": [PDF], "standards": [STANDARD_CODE], "confirmed_no_personal_data": True},
    ),
    # Audit A is no renewal: nothing is carried, and confirming its file is refused (400);
    # tests/certification/test_renewal.py confirms carried files.
    "audits_evidence_carried_list": on_audit_a(200),
    "audits_evidence_carried_create": on_audit_a(400, body={"files": [EVIDENCE_A]}),
    # The world's dossier has gaps: the valid request is refused, with every gap, as a 400.
    "audits_submit_create": on_audit_a(400),
    "audits_reports_list": on_audit_a(200),
    # The world's ready report was stored without an input digest, so it is never given back
    # (200): the valid request queues version 2.
    "audits_reports_create": on_audit_a(202, body={"kind": "dossier"}),
    "audits_reports_retrieve": on_audit_a(200, report_id=REPORT_A),
    # The review, as the world's auditor: their place on audit A is accepted already (answering
    # again: 400) and the dossier is in preparation, so nothing is rated yet (403 with the
    # reason). tests/reviews/test_api.py holds the same operations on a dossier in review.
    "reviews_list": Valid("auditor_assigned", 200),
    "reviews_accept_create": Valid("auditor_assigned", 400, path={"review_id": ASSIGNMENT_A}),
    "reviews_decline_create": Valid(
        "auditor_assigned", 400, path={"review_id": ASSIGNMENT_A}, body={"reason": "On leave"}
    ),
    "audits_review_ratings_list": on_review_a(200),
    "audits_review_ratings_update": on_review_a(
        403, code=STANDARD_CODE, body={"rating": "met", "version": 0}
    ),
    "audits_review_complete_create": on_review_a(403),
    "audits_review_divergences_list": on_review_a(403),
    "audits_review_evaluation_retrieve": on_review_a(403),
    # Evidence requests: audit A is in preparation, so asking is refused (400) and no request
    # exists to answer or decide (404); tests/reviews/test_request_api.py walks real ones.
    "audits_requests_list": on_audit_a(200),
    "audits_requests_create": on_review_a(
        400, body={"standards": [STANDARD_CODE], "message": "Night rota", "due_on": "2099-01-01"}
    ),
    "audits_requests_answer_create": on_audit_a(
        404,
        request_id=999999,
        body={"files": [PDF], "comment": "Here", "confirmed_no_personal_data": True},
    ),
    "audits_requests_decision_create": on_review_a(
        404, request_id=999999, body={"decision": "accept"}
    ),
    "audits_review_findings_list": on_review_a(403),
    "audits_review_findings_create": on_review_a(
        403, body={"code": STANDARD_CODE, "statement": "Could publish the rota"}
    ),
    "audits_review_findings_update": on_review_a(
        403, finding_id=1, body={"grade": "minor", "statement": "Rota gaps", "version": 1}
    ),
    "audits_review_divergences_update": on_review_a(
        403, code=STANDARD_CODE, body={"rating": "met", "reason": "Both files", "version": 1}
    ),
    # The report's course: the team reads it at any time; audit A is in preparation, so the
    # lead's steps are refused with the reason (400), the institution sees nothing of it yet
    # (403) and no comment, plan or action exists (404). tests/reviews/test_report_api.py walks
    # a released draft, its reply and its corrective actions.
    "audits_report_retrieve": on_review_a(200),
    "audits_report_recommendation_update": on_review_a(
        400, body={"recommendation": "conditions", "reason": "Two minor gaps", "version": 1}
    ),
    "audits_report_release_create": on_review_a(400),
    "audits_report_final_create": on_review_a(400),
    "audits_report_comments_create": on_audit_a(403, body={"text": "See E3", "finding": None}),
    "audits_report_comments_answer_create": on_review_a(
        404, comment_id=999999, body={"outcome": "maintained", "answer": "No rota was shown"}
    ),
    "audits_report_replies_done_create": on_audit_a(403),
    "audits_outcome_retrieve": on_audit_a(403),
    "audits_findings_plan_update": on_audit_a(
        403,
        finding_id=999999,
        body={
            "cause": "No night rota",
            "actions": [
                {"description": "Set up a rota", "owner": "Head of nursing", "due_on": "2099-01-01"}
            ],
        },
    ),
    "audits_plans_decision_create": on_review_a(404, plan_id=999999, body={"accept": True}),
    "audits_actions_done_create": on_audit_a(
        403,
        action_id=999999,
        body={"note": "Rota in place", "files": [PDF], "confirmed_no_personal_data": True},
    ),
    "audits_actions_verification_create": on_review_a(404, action_id=999999, body={"close": True}),
    # The decision: audit A is in preparation, so none is taken yet (404) and taking it is
    # refused (400). Certificates: the coordinator reads A's (withdrawn: a change is refused).
    "audits_decision_retrieve": Valid(
        "admin", 404, path={"audit_id": AUDIT_A}, foreign_paths=({"audit_id": AUDIT_B},)
    ),
    "audits_decision_create": Valid(
        "admin",
        400,
        path={"audit_id": AUDIT_A},
        body={"outcome": "do_not_certify", "reason": "Not yet"},
    ),
    "certificates_list": Valid("coordinator_a", 200),
    "certificates_retrieve": Valid("coordinator_a", 200, path={"certificate_id": CERTIFICATE_A}),
    # Renewal: none started (404); the world's certificate is withdrawn, so it is refused (400).
    "certificates_renewal_retrieve": Valid(
        "coordinator_a", 404, path={"certificate_id": CERTIFICATE_A}
    ),
    "certificates_renewal_create": Valid(
        "coordinator_a", 400, path={"certificate_id": CERTIFICATE_A}
    ),
    # The world's certificate is an institution's: only a holder lists theirs (403).
    "certificates_listing_create": Valid(
        "coordinator_a", 403, path={"certificate_id": CERTIFICATE_A}, body={"listed": True}
    ),
    "certificates_status_create": Valid(  # the world's certificate is withdrawn: refused
        "admin",
        400,
        path={"certificate_id": CERTIFICATE_A},
        body={"change": "suspend", "reason": "Complaint under review"},
    ),
    # Appeals: A's decided audit is appealed already (a second appeal is refused, 400); the
    # world's admin, off the audit and the decision, takes it up (deciding first: 400).
    # tests/certification/test_appeals.py walks lodging, taking up and every outcome.
    "audits_appeal_retrieve": Valid(
        "coordinator_a", 200, path={"audit_id": DECIDED_A}, foreign_paths=({"audit_id": AUDIT_B},)
    ),
    "audits_appeal_create": Valid(
        "coordinator_a",
        400,
        path={"audit_id": DECIDED_A},
        body={
            "statement": "The night rota was in the dossier",
            "files": [PDF],
            "confirmed_no_personal_data": True,
        },
        foreign_paths=({"audit_id": AUDIT_B},),
    ),
    "appeals_list": Valid("admin", 200),
    "appeals_retrieve": Valid("admin", 200, path={"appeal_id": APPEAL_A}),
    "appeals_take_create": Valid("admin", 200, path={"appeal_id": APPEAL_A}),
    "appeals_decision_create": Valid(
        "admin",
        400,
        path={"appeal_id": APPEAL_A},
        body={"outcome": "upheld", "reason": "The rota was read"},
    ),
    # The public register and the verification, for anyone: the world's certificate is
    # withdrawn, so not listed; a code unknown is a 404; tests/certification/test_public.py walks
    # every status.
    # The competences track: A's peer supporter has an open application already (a second is
    # refused, 400); A's coordinator lists it, reads its status and endorses it.
    # tests/competences walks applying, endorsing and who sees what.
    "institutions_applications_list": Valid(
        "coordinator_a",
        200,
        path={"institution_id": INSTITUTION_A},
        foreign_paths=({"institution_id": INSTITUTION_B},),
    ),
    "institutions_applications_create": Valid(
        "peer_supporter_a", 400, path={"institution_id": INSTITUTION_A}
    ),
    "applications_retrieve": Valid(
        "coordinator_a",
        200,
        path={"audit_id": APPLICATION_A},
        foreign_paths=({"audit_id": AUDIT_B},),
    ),
    "applications_endorsement_create": Valid(
        "coordinator_a",
        200,
        path={"audit_id": APPLICATION_A},
        foreign_paths=({"audit_id": AUDIT_B},),
    ),
    # The interviews of A's application: it has no team yet, so the admin reads an empty list
    # and recording one is refused (403: not on the team); tests/reviews/test_interviews.py
    # records them.
    "audits_review_interviews_list": Valid(
        "admin", 200, path={"audit_id": APPLICATION_A}, foreign_paths=({"audit_id": AUDIT_B},)
    ),
    "audits_review_interviews_create": Valid(
        "admin",
        403,
        path={"audit_id": APPLICATION_A},
        body={
            "held_on": "2026-11-30",
            "mode": "video",
            "participants": "The applicant; the lead auditor",
            "competences": ["COM02"],
            "outcome": "Listens without judging",
        },
    ),
    "register_list": Valid("anonymous", 200, query={"q": "hospital", "status": "active"}),
    "verify_retrieve": Valid("anonymous", 404, path={"code": "no-such-code"}),
}


# --- The schema ----------------------------------------------------------------------------------


def served_schema() -> dict[str, Any]:
    """The OpenAPI document as ``/api/schema/`` serves it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))


def operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (method, path, operation)."""
    return {
        operation["operationId"]: (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def with_examples(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each operation's valid request as its examples."""
    for operation_id, (_method, _path, operation) in operations(document).items():
        valid = VALID.get(operation_id)
        if valid is None:
            continue
        for parameter in operation.get("parameters", []):
            given = {"path": valid.path, "query": valid.query}.get(parameter["in"], {})
            if parameter["name"] in given:
                parameter["example"] = given[parameter["name"]]
        if valid.body is not None and "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                media["example"] = as_text(valid.body)
    return document


def as_text(value: Any) -> Any:
    """A body as an OpenAPI example can hold it (a file's bytes as text)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    return value


def load_schema() -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": DETERMINISTIC},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(with_examples(served_schema()), config=config)
    # Requests go to Django's WSGI handler in this process, inside the test's transaction (the
    # `api_requests` fixture keeps the handler from closing the connection, as the test client
    # does).
    schema.app = WSGIHandler()

    @schema.hook
    def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
        # A share of the generated requests name real objects: the user's own and another
        # institution's; some give an integer the database cannot hold; the rest, whatever the
        # schema allows.
        raw = context.operation.definition.raw
        valid = VALID.get(raw.get("operationId", ""))
        if valid is None or not valid.path:
            return strategy
        known = [valid.path, *valid.foreign_paths]
        return st.one_of(
            st.sampled_from(known), with_extreme_integers(raw, "path", strategy), strategy
        )

    @schema.hook
    def before_generate_query(context: Any, strategy: Any) -> Any:
        return st.one_of(
            with_extreme_integers(context.operation.definition.raw, "query", strategy), strategy
        )

    @schema.hook
    def before_generate_body(context: Any, strategy: Any) -> Any:
        # Some generated bodies are the valid one, so that the fuzz gets past the field checks.
        valid = VALID.get(context.operation.definition.raw.get("operationId", ""))
        if valid is None or valid.body is None:
            return strategy
        return st.one_of(st.just(valid.body), strategy)

    return schema


# Requests sent by the contract tests, counted for the summary at the end of the run.
STATS: Counter[str] = Counter()


# Integers at and past the edges of what databases hold: a page of 10**20 rows, an id of 2**63.
EXTREME_INTEGERS = (2**31, 2**63, 10**20, -(2**63), -1)


def with_extreme_integers(operation: dict[str, Any], place: str, strategy: Any) -> Any:
    """The generated parameters, with one integer parameter set to an extreme value."""
    names = [
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter["in"] == place and parameter.get("schema", {}).get("type") == "integer"
    ]
    if not names:
        return strategy

    def put(drawn: tuple[Any, str, int]) -> Any:
        generated, name, number = drawn

        def change(value: Any) -> dict[str, Any]:
            # The path needs all its parameters; a query is clearer with only the extreme one
            # (with another, the extreme one may not even be read: an offset past the end).
            return {**(value or {}), name: number} if place == "path" else {name: number}

        # Generated values come plain, or wrapped with how they were made (negative cases).
        if isinstance(generated, GeneratedValue):
            return generated.map_value(change)
        return change(generated)

    return st.tuples(strategy, st.sampled_from(names), st.sampled_from(EXTREME_INTEGERS)).map(put)


# --- Signing in ----------------------------------------------------------------------------------


@dataclass
class Session:
    """What a signed-in browser sends: the session cookie and, for changes, the CSRF token."""

    cookies: dict[str, str]
    headers: dict[str, str]


def session_for(world: World, role: str) -> Session:
    if role == "anonymous":
        return Session(cookies={}, headers={})
    client = Client()
    verified_login(client, world.users[role])  # two factors verified where the role needs them
    token = secrets.token_hex(16)  # 32 characters, as Django's CSRF secret
    return Session(
        cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        headers={"X-CSRFToken": token},
    )
