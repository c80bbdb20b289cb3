from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from rescue.http import AuthenticatedHttpRequest
from standards.filters import StandardFilter
from standards.selectors import catalogue_grouped, standard_queryset


@login_required
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The standards of each component by section, with filters."""
    filterset = StandardFilter(data=request.GET, queryset=standard_queryset(), request=request)
    valid = filterset.is_valid()
    groups = catalogue_grouped(standards=filterset.qs) if valid else []
    context = {"filterset": filterset, "groups": groups}
    template = (
        "standards/partials/catalogue_results.html" if request.htmx else "standards/catalogue.html"
    )
    return render(request, template, context, status=200 if valid else 400)
