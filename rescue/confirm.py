"""The confirmation step before a destructive action.

The action's URL answers GET with a page that names the object and says what will happen, and a
form that POSTs to the same URL; POST acts. It works without JavaScript (and so under the CSP,
which allows no inline script). The page in the list is a link to the confirmation, never a
one-click button.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Confirmation:
    title: str  # the page's heading: "Remove Jane Doe from Hospital A?"
    button: str  # what the button does, with its object: "Remove Jane Doe"
    cancel_url: str
    consequences: Sequence[str] = ()
    warning: str = ""  # set when the action has an unusual consequence (removing oneself)
    hidden: dict[str, str] = field(default_factory=dict)  # fields posted with the form
    breadcrumb: tuple[str, str] | None = None  # (url, label)


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, *, status: int = 200
) -> HttpResponse:
    return render(request, "confirm.html", {"confirm": confirmation}, status=status)
