from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):  # type: ignore[name-defined]  # stubs lack it
        model = User
        fields = ("email",)
        field_classes: dict = {}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):  # type: ignore[name-defined]  # stubs lack it
        model = User
        fields = "__all__"
        field_classes: dict = {}


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Log in with the e-mail address in any letter case (addresses are stored in lower case)."""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class OTPTokenForm(forms.Form):
    """A code from the authenticator app or, where allowed, a backup code."""

    token = forms.CharField(label=_("Code"), max_length=32)

    def clean_token(self) -> str:
        # Codes are often typed or pasted with spaces or a hyphen in the middle.
        token = self.cleaned_data["token"]
        return "".join(token.split()).replace("-", "").lower()
