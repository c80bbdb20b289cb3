"""The auditor's own pages (profile, conflicts of interest) and the ERNST admin's pool."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_auditor, is_platform_admin
from auditors import services
from auditors.filters import AuditorPoolFilter
from auditors.forms import AuditorProfileForm, ConflictForm
from auditors.selectors import (
    auditor_assignment_list,
    auditor_conflict_list,
    auditor_load_attach,
    auditor_pool,
)
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page


def _require_auditor(request: AuthenticatedHttpRequest) -> None:
    if not is_auditor(request.user):
        raise Http404


def _profile_page(
    request: AuthenticatedHttpRequest,
    profile_form: AuditorProfileForm | None = None,
    conflict_form: ConflictForm | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = services.auditor_profile_get(user=request.user)
    context = {
        "profile_form": profile_form
        or AuditorProfileForm(
            initial={
                "countries": [c.code for c in profile.countries],
                "languages": profile.languages,
                "components": profile.components,
            }
        ),
        "conflict_form": conflict_form or ConflictForm(),
        "conflicts": auditor_conflict_list(auditor=request.user),
        "assignments": auditor_assignment_list(auditor=request.user),
    }
    return render(request, "auditors/auditor_profile.html", context, status=status)


@login_required
def auditor_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_auditor(request)
    if request.method != "POST":
        return _profile_page(request)
    form = AuditorProfileForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, profile_form=form, status=400)
    services.auditor_profile_update(user=request.user, **form.cleaned_data)
    messages.success(request, _("Your qualifications are saved."))
    return redirect("auditors:profile")


@login_required
@require_POST
def conflict_declare(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, conflict_form=form, status=400)
    try:
        services.conflict_declare(auditor=request.user, **form.cleaned_data)
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        return _profile_page(request, conflict_form=form, status=400)
    messages.success(
        request,
        _("Conflict of interest with %(institution)s recorded.")
        % {"institution": form.cleaned_data["institution"]},
    )
    return redirect("auditors:profile")


@login_required
def auditor_pool_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_platform_admin(request.user):
        raise Http404
    listing = list_page(request, AuditorPoolFilter(request.GET, queryset=auditor_pool()))
    listing.page.object_list = auditor_load_attach(listing.page.object_list)
    return render(request, "auditors/auditor_pool.html", {"list": listing}, status=listing.status)
