"""django-axes counts failures per account: the same account whatever the e-mail's letter case."""

from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    if credentials and credentials.get("username"):
        username = credentials["username"]
    else:
        username = getattr(request, "POST", {}).get("username")
    return username.strip().lower() if isinstance(username, str) else None
