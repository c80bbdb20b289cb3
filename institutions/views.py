"""Institution pages. Each view resolves the institution through the policy first (404 outside
the user's reach), then calls a service."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import PERM_MANAGE_ALL_INSTITUTIONS
from accounts.selectors import account_exists
from audits.forms import PriorCertificationForm
from audits.models import PriorCertificationConfirmation
from audits.permissions import AuditAction, audit_policy
from institutions import services
from institutions.filters import InstitutionListFilter
from institutions.forms import (
    AcceptNewAccountForm,
    InstitutionForm,
    InstitutionSiteForm,
    InvitationForm,
)
from institutions.models import Institution, Invitation, Membership
from institutions.permissions import (
    PERM_VIEW_ALL_INSTITUTIONS,
    InstitutionAction,
    institution_policy,
)
from institutions.selectors import (
    institution_invitation_list,
    institution_member_list,
    institution_site_list,
)
from rescue.confirm import Confirmation, confirmation_page
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page
from rescue.ratelimits import email_request_refusal

# The site form shares the profile's page and field names (name, address): its own ids.
SITE_IDS = "site_%s"


@login_required
def institution_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    institutions = institution_policy.institutions_for(request.user, InstitutionAction.VIEW)
    if not request.user.has_perm(PERM_VIEW_ALL_INSTITUTIONS):
        raise Http404  # members reach their institutions from the home page
    listing = list_page(request, InstitutionListFilter(request.GET, queryset=institutions))
    return render(
        request, "institutions/institution_list.html", {"list": listing}, status=listing.status
    )


@login_required
def institution_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERM_MANAGE_ALL_INSTITUTIONS):
        raise Http404
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        institution = services.institution_create(created_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(institution)s is created. Invite its first coordinator.")
            % {"institution": institution},
        )
        return redirect("institutions:members", institution_id=institution.pk)
    status = 400 if form.errors else 200
    return render(request, "institutions/institution_edit.html", {"form": form}, status=status)


@login_required
def institution_detail(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.VIEW, institution_id
    )
    audits = (
        audit_policy.audits_for(request.user, AuditAction.VIEW)
        .filter(institution=institution, applicant__isnull=True)  # a person's are not listed
        .select_related("catalogue_version")
    )
    context = {
        "institution": institution,
        "sites": institution_site_list(institution=institution),
        "audits": audits,
        "can": institution_policy.capabilities(request.user, institution),
    }
    if request.user.has_perm(PERM_MANAGE_ALL_INSTITUTIONS):
        context["confirm_form"] = PriorCertificationForm()
        context["confirmations"] = PriorCertificationConfirmation.objects.for_institution(
            institution.pk
        )
    return render(request, "institutions/institution_detail.html", context)


def _edit_page(
    request: HttpRequest,
    institution: Institution,
    form: InstitutionForm | None = None,
    site_form: InstitutionSiteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "institution": institution,
        "form": form or InstitutionForm(instance=institution),
        "site_form": site_form or InstitutionSiteForm(auto_id=SITE_IDS),
        "sites": institution_site_list(institution=institution),
    }
    return render(request, "institutions/institution_edit.html", context, status=status)


@login_required
def institution_edit(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.CHANGE, institution_id
    )
    if request.method != "POST":
        return _edit_page(request, institution)
    # Validate on a copy, so a refused form never alters the institution shown beside it.
    form = InstitutionForm(request.POST, instance=Institution.objects.get(pk=institution.pk))
    if not form.is_valid():
        return _edit_page(request, institution, form=form, status=400)
    services.institution_update(institution=institution, user=request.user, **form.cleaned_data)
    messages.success(request, _("The institution's profile is saved."))
    return redirect("institutions:detail", institution_id=institution.pk)


@login_required
@require_POST
def site_add(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.CHANGE, institution_id
    )
    site_form = InstitutionSiteForm(request.POST, auto_id=SITE_IDS)
    if not site_form.is_valid():
        return _edit_page(request, institution, site_form=site_form, status=400)
    try:
        services.institution_site_add(
            institution=institution, user=request.user, **site_form.cleaned_data
        )
    except ActionRefusedError as exc:
        site_form.add_error("name", exc.message)
        return _edit_page(request, institution, site_form=site_form, status=400)
    messages.success(request, _("Site %(site)s added.") % {"site": site_form.cleaned_data["name"]})
    return redirect("institutions:edit", institution_id=institution.pk)


@login_required
@require_http_methods(["GET", "POST"])
def site_remove(
    request: AuthenticatedHttpRequest, institution_id: int, site_id: int
) -> HttpResponse:
    """GET asks first, naming the site; POST removes it."""
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.CHANGE, institution_id
    )
    site = get_object_or_404(institution_site_list(institution=institution), pk=site_id)
    back = reverse("institutions:edit", kwargs={"institution_id": institution.pk})
    if request.method == "GET":
        names = {"site": site.name, "institution": institution.name}
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove the site %(site)s of %(institution)s?") % names,
                button=_("Remove %(site)s") % names,
                cancel_url=back,
                consequences=[
                    _("The site leaves the institution's profile; its audits keep their data.")
                ],
                breadcrumb=(back, institution.name),
            ),
        )
    services.institution_site_remove(site=site, user=request.user)
    messages.success(request, _("Site %(site)s removed.") % {"site": site.name})
    return redirect(back)


def _members_page(
    request: AuthenticatedHttpRequest,
    institution_id: int,
    form: InvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.MANAGE_MEMBERS, institution_id
    )
    roles = services.invitable_roles(user=request.user, institution=institution)
    context = {
        "institution": institution,
        "members": institution_member_list(institution=institution),
        "invitations": institution_invitation_list(institution=institution),
        "form": form or InvitationForm(roles=roles),
        "can": institution_policy.capabilities(request.user, institution),
    }
    return render(request, "institutions/member_list.html", context, status=status)


@login_required
def member_list(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    return _members_page(request, institution_id)


@login_required
@require_POST
def invitation_create(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.MANAGE_MEMBERS, institution_id
    )
    roles = services.invitable_roles(user=request.user, institution=institution)
    form = InvitationForm(request.POST, roles=roles)
    if not form.is_valid():
        return _members_page(request, institution_id, form=form, status=400)
    refusal = email_request_refusal(
        request, purpose="invitation", address=form.cleaned_data["email"]
    )
    if refusal is not None:
        form.add_error(None, refusal)
        return _members_page(request, institution_id, form=form, status=429)
    try:
        invitation = services.invitation_create(
            institution=institution,
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        return _members_page(request, institution_id, form=form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("institutions:members", institution_id=institution.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(
    request: AuthenticatedHttpRequest, institution_id: int, invitation_id: int
) -> HttpResponse:
    """GET asks first, naming the invitation; POST withdraws it."""
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.MANAGE_MEMBERS, institution_id
    )
    invitation = get_object_or_404(
        Invitation.objects.for_institution(institution), pk=invitation_id
    )
    back = reverse("institutions:members", kwargs={"institution_id": institution.pk})
    names = {"email": invitation.email, "institution": institution.name}
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title=_("Withdraw the invitation to %(email)s?") % names,
                button=_("Withdraw the invitation to %(email)s") % names,
                cancel_url=back,
                consequences=[
                    _("The link in the e-mail stops working at once; you can invite again later.")
                ],
                breadcrumb=(back, _("Members of %(institution)s") % names),
            ),
        )
    services.invitation_revoke(invitation=invitation, user=request.user)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % names)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(
    request: AuthenticatedHttpRequest, institution_id: int, membership_id: int
) -> HttpResponse:
    """GET asks first, naming the person (and warning someone about to remove themselves);
    POST removes them."""
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.MANAGE_MEMBERS, institution_id
    )
    membership = get_object_or_404(
        Membership.objects.select_related("user", "institution").filter(institution=institution),
        pk=membership_id,
    )
    back = reverse("institutions:members", kwargs={"institution_id": institution.pk})
    person = membership.user.get_full_name() or membership.user.email
    names = {
        "person": person,
        "email": membership.user.email,
        "role": membership.get_role_display(),
        "institution": institution.name,
    }
    if request.method == "GET":
        yourself = membership.user == request.user
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove %(person)s from %(institution)s?") % names,
                button=_("Remove %(person)s") % names,
                cancel_url=back,
                consequences=[
                    _(
                        "%(email)s (%(role)s) loses access to the institution and its "
                        "dossiers at once."
                    )
                    % names,
                    _("What they uploaded or wrote stays in the dossiers, attributed to them."),
                ],
                warning=_("You are removing yourself: you will no longer reach %(institution)s.")
                % names
                if yourself
                else "",
                breadcrumb=(back, _("Members of %(institution)s") % names),
            ),
        )
    try:
        services.membership_remove(membership=membership, removed_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _members_page(request, institution_id, status=400)
    messages.success(request, _("%(email)s no longer has access to %(institution)s.") % names)
    if membership.user == request.user:
        return redirect("home")
    return redirect(back)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. The token is the credential; 404 when unknown."""
    invitation = services.invitation_get_by_token(token=token)
    if invitation is None:
        return render(request, "institutions/invitation_invalid.html", status=404)
    context: dict = {"invitation": invitation, "institution": invitation.institution}
    if invitation.state != Invitation.State.PENDING:
        context["problem"] = services.invitation_problem(invitation)
        return render(request, "institutions/invitation_accept.html", context, status=410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, request.user, invitation, context)
    return _accept_with_new_account(request, invitation, context)


def _accept_signed_in(
    request: HttpRequest, user: User, invitation: Invitation, context: dict
) -> HttpResponse:
    if request.method != "POST":
        return render(request, "institutions/invitation_accept.html", context)
    try:
        services.invitation_accept(invitation=invitation, user=user)
    except ActionRefusedError as exc:
        context["problem"] = exc.message
        return render(request, "institutions/invitation_accept.html", context, status=400)
    messages.success(
        request, _("You have joined %(institution)s.") % {"institution": invitation.institution}
    )
    return redirect("institutions:detail", institution_id=invitation.institution_id)


def _accept_with_new_account(
    request: HttpRequest, invitation: Invitation, context: dict
) -> HttpResponse:
    has_account = account_exists(email=invitation.email)
    form = AcceptNewAccountForm(request.POST or None, invitation=invitation)
    if not has_account and request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_new_user(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ActionRefusedError as exc:
            context["problem"] = exc.message
            return render(request, "institutions/invitation_accept.html", context, status=400)
        login(request, membership.user, backend="accounts.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome to RESCUE Audit. You have joined %(institution)s.")
            % {"institution": membership.institution},
        )
        return redirect("institutions:detail", institution_id=membership.institution_id)
    context.update({"form": form, "has_account": has_account})
    status = 400 if form.errors else 200
    return render(request, "institutions/invitation_accept.html", context, status=status)
