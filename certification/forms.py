from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Appeal, Decision
from certification.services import MAX_TEXT
from evidence.forms import CONFIRMATION_LABEL, MultipleFileField


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(label=_("Level certified"), required=False)
    conditions_due_on = forms.DateField(
        label=_("Conditions closed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "On conditions: past this date with a condition open, the certificate is "
            "suspended automatically."
        ),
    )
    reason = forms.CharField(
        label=_("Grounds"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    departure_reason = forms.CharField(
        label=_("Why the decision departs from the rule evaluation's proposal"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required only when it departs; recorded and shown with the decision."),
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels:
            cast(forms.ChoiceField, self.fields["level"]).choices = [
                ("", _("No level (do not certify)")),
                *levels,
            ]
        else:
            del self.fields["level"]


class CertificateChangeForm(forms.Form):
    change = forms.ChoiceField(
        label=_("Change"),
        widget=forms.RadioSelect,
        choices=[
            ("suspend", _("Suspend")),
            ("reinstate", _("Reinstate")),
            ("withdraw", _("Withdraw")),
        ],
    )
    until = forms.DateField(
        label=_("Suspended until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional, for a suspension: its planned end."),
    )
    reason = forms.CharField(
        label=_("Why"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why you appeal the decision"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The grounds: what the decision overlooks or gets wrong, with reference to the "
            "report and the evidence."
        ),
    )
    # Empty files reach the upload checks, which refuse them by name (see evidence.forms).
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files (optional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, Office documents, images, CSV or text; up to 10."),
    )
    confirmed_no_personal_data = forms.BooleanField(label=CONFIRMATION_LABEL, required=False)


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The appeal's outcome"), choices=Appeal.Outcome.choices, widget=forms.RadioSelect
    )
    new_outcome = forms.ChoiceField(
        label=_("Changed: the new decision"),
        choices=Decision.Outcome.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The decision's certificates follow: issued, changed or withdrawn, and RESCUE "
            "Mastery with them."
        ),
    )
    new_level = forms.ChoiceField(label=_("Level certified"), required=False)
    new_conditions_due_on = forms.DateField(
        label=_("Conditions closed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reasons"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The institution reads them with the outcome."),
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels:
            cast(forms.ChoiceField, self.fields["new_level"]).choices = [
                ("", _("No level (do not certify)")),
                *levels,
            ]
        else:
            del self.fields["new_level"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Appeal.Outcome.CHANGED and not data.get("new_outcome"):
            self.add_error("new_outcome", _("Choose the new decision."))
        return data
