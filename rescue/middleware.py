"""Middleware that must run before host validation and HTTPS redirection."""

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse


class HealthCheckMiddleware:
    """Answer ``/healthz`` for container health checks.

    It sits first in the stack so that the probe works on the container's own address, which is
    not in ``ALLOWED_HOSTS``, and over plain HTTP behind the TLS-terminating proxy. It reveals
    nothing but whether the database answers.
    """

    path = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != self.path:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        return HttpResponse("ok\n", content_type="text/plain")
