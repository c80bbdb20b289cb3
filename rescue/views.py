from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from institutions.selectors import membership_list_for_user
from standards.selectors import catalogue_version_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": membership_list_for_user(user=request.user),
        "catalogue_versions": catalogue_version_list().filter(status="active"),
    }
    return render(request, "home.html", context)
