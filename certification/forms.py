from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Decision
from certification.services import MAX_TEXT


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
