"""The API's OpenAPI schema states every answer an operation can give.

Each view declares its own successful answers (and the error bodies that are its own, such as the
gaps of a refused submission). The error answers that follow from what an operation *is* are
added here, once, for every operation:

- 403 on every operation: not signed in (the API signs in by session), signed in without the
  two-factor step an account requires, a missing CSRF token on a change, or an action that is not
  the user's to take; the body says which;
- 404 where the path names an object: it does not exist, or it is outside the user's reach (the
  two look the same);
- 400 where the request carries query parameters or a body, and on every change: field errors
  keyed by field, or ``detail`` when a rule of the domain refuses the action;
- 409 on every change: it collided with a concurrent change, and may be sent again;
- 415 where the operation takes a body: the body's media type is not one it reads.

``schema_links`` adds the OpenAPI links declared in ``LINKS`` (a created audit leads to its
standards, its evidence, its submission and its reports), for clients and for the contract tests,
which follow them.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """An error answer: what went wrong, for the person who asked."""

    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))


class ValidationErrorSerializer(serializers.Serializer):
    """A refused request: each field in error, named by its key, with its messages; ``detail``
    when a rule refuses the action as a whole."""

    detail = serializers.CharField(
        required=False, help_text=_("Why a rule of the domain refuses the action.")
    )
    non_field_errors = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("Problems with the request as a whole."),
    )


ERROR_ANSWERS: dict[str, OpenApiResponse] = {
    "400": OpenApiResponse(
        ValidationErrorSerializer,
        description=_(
            "The request is refused: a field is missing or invalid (its key lists the messages), "
            "or a rule of the domain refuses the action (detail)."
        ),
    ),
    "403": OpenApiResponse(
        ErrorSerializer,
        description=_(
            "Not signed in, two-factor verification missing, CSRF token missing on a change, or "
            "not the user's to do; detail says which."
        ),
    ),
    "404": OpenApiResponse(
        ErrorSerializer,
        description=_("No such object within the user's reach."),
    ),
    "409": OpenApiResponse(
        ErrorSerializer,
        description=_("The request collided with a concurrent change; send it again."),
    ),
    "415": OpenApiResponse(
        ErrorSerializer,
        description=_("The body's media type is not one this operation reads."),
    ),
}


def error_statuses(operation: dict[str, Any], method: str) -> list[str]:
    """The error statuses an operation can answer, from what it takes."""
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    statuses = ["403"]
    if "path" in places:
        statuses.append("404")
    if "query" in places or has_body or method in UNSAFE_METHODS:
        statuses.append("400")
    if method in UNSAFE_METHODS:
        statuses.append("409")
    if has_body:
        statuses.append("415")
    return statuses


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in error_statuses(operation, self.method):
            if status not in responses:
                responses[status] = self._get_response_for_code(ERROR_ANSWERS[status], status)
        operation["responses"] = dict(sorted(responses.items()))
        return operation


# (operationId, status) -> the links of that answer: name -> (target operationId, parameters).
# A parameter's value is an OpenAPI runtime expression.
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("institutions_list", "200"): {
        "GetInstitution": ("institutions_retrieve", {"id": "$response.body#/results/0/id"}),
        "ListMembers": (
            "institutions_members_list",
            {"institution_id": "$response.body#/results/0/id"},
        ),
        "StartAudit": (
            "institutions_audits_create",
            {"institution_id": "$response.body#/results/0/id"},
        ),
    },
    ("institutions_audits_create", "201"): {
        "GetAudit": ("audits_retrieve", {"id": "$response.body#/id"}),
        "ListStandards": ("audits_standards_list", {"audit_id": "$response.body#/id"}),
        "ListEvidence": ("audits_evidence_list", {"audit_id": "$response.body#/id"}),
        "UploadEvidence": ("audits_evidence_create", {"audit_id": "$response.body#/id"}),
        "SubmitAudit": ("audits_submit_create", {"audit_id": "$response.body#/id"}),
        "ListReports": ("audits_reports_list", {"audit_id": "$response.body#/id"}),
    },
    ("audits_list", "200"): {
        "GetAudit": ("audits_retrieve", {"id": "$response.body#/results/0/id"}),
        "ListStandards": ("audits_standards_list", {"audit_id": "$response.body#/results/0/id"}),
    },
    ("audits_standards_list", "200"): {
        "RateStandard": (
            "audits_standards_partial_update",
            {"audit_id": "$request.path.audit_id", "code": "$response.body#/0/code"},
        ),
    },
    ("audits_reports_create", "202"): {
        "GetReport": (
            "audits_reports_retrieve",
            {"audit_id": "$request.path.audit_id", "report_id": "$response.body#/id"},
        ),
    },
    # An unchanged dossier: the last ready version is given back (200).
    ("audits_reports_create", "200"): {
        "GetReport": (
            "audits_reports_retrieve",
            {"audit_id": "$request.path.audit_id", "report_id": "$response.body#/id"},
        ),
    },
    ("catalogue_versions_list", "200"): {
        "GetCatalogueVersion": (
            "catalogue_versions_retrieve",
            {"id": "$response.body#/results/0/id"},
        ),
    },
    ("standards_list", "200"): {
        "GetStandard": ("standards_retrieve", {"id": "$response.body#/results/0/id"}),
    },
}


def schema_links(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the OpenAPI links of ``LINKS``."""
    operations = {
        operation["operationId"]: operation
        for methods in result.get("paths", {}).values()
        for operation in methods.values()
    }
    for (source, status), links in LINKS.items():
        if source not in operations:
            continue
        response = operations[source]["responses"][status]
        response["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in links.items()
            if target in operations
        }
    return result
