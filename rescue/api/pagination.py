"""The one pagination of the API: ``limit`` and ``offset``, both bounded.

A page asked for outside the bounds, or with a value that is not a whole number, is refused with a
400 that says what is allowed: a clamp would hide a client's mistake, and an unbounded value
reaches the database as a number it cannot hold.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Deeper than this, narrow the list with its filters: an offset scan of millions of rows is slow
# for everyone, and a number this size still fits every database's integers.
MAX_OFFSET = 10_000_000


class ApiPagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET

    def get_limit(self, request: Request) -> int:
        return self._bounded(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request: Request) -> int:
        return self._bounded(request, self.offset_query_param, 0, self.max_offset, 0)

    @staticmethod
    def _bounded(request: Request, name: str, low: int, high: int, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        # isdecimal, not int(): int() takes "+5", " 5", "5_000" and other scripts' digits.
        value = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 12 else None
        if value is None or not low <= value <= high:
            message = _("Give a whole number from %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }
            raise ValidationError({name: [message]})
        return value

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, self.max_limit, self.default_limit),
            self.offset_query_param: (0, self.max_offset, 0),
        }
        for parameter in parameters:
            low, high, default = bounds[parameter["name"]]
            parameter["schema"].update({"minimum": low, "maximum": high, "default": default})
            parameter["description"] = _(
                "%(what)s: a whole number from %(low)d to %(high)d (default %(default)d); "
                "outside those bounds the request is refused with 400."
            ) % {
                "what": _("Results per page")
                if parameter["name"] == self.limit_query_param
                else _("Results to skip"),
                "low": low,
                "high": high,
                "default": default,
            }
        return parameters
