from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, InstitutionSite, Invitation
from institutions.services import INSTITUTION_PROFILE_FIELDS


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = list(INSTITUTION_PROFILE_FIELDS)
        labels = {
            "name": _("Name"),
            "country": _("Country"),
            "setting": _("Setting"),
            "preferred_language": _("Preferred language"),
            "contact_email": _("Contact email"),
            "contact_phone": _("Contact phone"),
            "address": _("Address"),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class InstitutionSiteForm(forms.ModelForm):
    class Meta:
        model = InstitutionSite
        fields = ["name", "city", "address"]
        labels = {"name": _("Name"), "city": _("City"), "address": _("Address")}
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = roles


class AcceptNewAccountForm(forms.Form):
    """For someone invited who has no account yet."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        from django.contrib.auth.password_validation import validate_password  # noqa: PLC0415

        from accounts.models import User  # noqa: PLC0415

        data = super().clean() or self.cleaned_data
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            candidate = User(
                email=self.invitation.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(data["password1"], user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
