"""Answers remembered for the length of one request.

A page asks the same access questions several times (the user's role in the institution, whether
they hold the review grant on the audit): the policies ask them through :func:`memoized`, which
answers from memory inside a request and computes every time outside one (management commands,
Celery tasks, tests calling a policy directly). A change to what the answers rest on (a
membership, an object permission) forgets everything remembered in the request, so a page that
changes access and then renders sees the change.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("rescue_request_memo", default=None)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(key: Hashable, value: Any) -> None:
    """Record an answer read along with something else (inside a request; a no-op outside)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def forget(*_args: Any, **_kwargs: Any) -> None:
    """Forget what the request remembered (also usable as a signal receiver)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestMemoMiddleware:
    """Gives each request its own memory, dropped when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
