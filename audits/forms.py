from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audits.models import StandardAssessment
from evidence.models import EvidenceFile
from standards.choices import Component, InterventionLevel, Setting


class AuditStartForm(forms.Form):
    component = forms.ChoiceField(
        label=_("Component"),
        choices=[
            (Component.INTERVENTION, Component.INTERVENTION.label),
            (Component.TRAINING, Component.TRAINING.label),
        ],
        widget=forms.RadioSelect,
    )
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    target_level = forms.ChoiceField(
        label=_("Intervention level"),
        choices=[("", "—"), *InterventionLevel.choices],
        required=False,
        help_text=_(
            "Design: planned. Execution: in place for at least a year. Comprehensive: a "
            "three-year evaluation and improvement cycle completed after Execution certification."
        ),
    )


class SelfRatingForm(forms.Form):
    self_rating = forms.ChoiceField(
        label=_("Self-rating"), choices=StandardAssessment.Rating.choices, widget=forms.RadioSelect
    )
    narrative = forms.CharField(
        label=_("How the institution meets the standard"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )
    justification = forms.CharField(
        label=_("Why the standard does not apply (for not applicable)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, application: bool = False, **kwargs: Any) -> None:
        """``application``: a peer supporter's competences, every one of which applies."""
        super().__init__(*args, **kwargs)
        if application:
            cast(forms.ChoiceField, self.fields["self_rating"]).choices = [
                choice
                for choice in StandardAssessment.Rating.choices
                if choice[0] != StandardAssessment.Rating.NOT_APPLICABLE
            ]
            self.fields["narrative"].label = _("How you meet the competence")
            del self.fields["justification"]

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        if (
            data.get("self_rating") == StandardAssessment.Rating.NOT_APPLICABLE
            and not data.get("justification", "").strip()
        ):
            self.add_error("justification", _("Say why the standard does not apply."))
        return data


class AssigneesForm(forms.Form):
    assignees = forms.ModelMultipleChoiceField(
        label=_("People working on this standard"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["assignees"]).queryset = members


class PriorCertificationForm(forms.Form):
    reason = forms.CharField(
        label=_("What the confirmation rests on"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_(
            "The Execution certificate issued before RESCUE Audit: its number, its date and "
            "who issued it."
        ),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The certificate's expiry; the confirmation counts until then."),
    )


def _file_label(evidence: EvidenceFile) -> str:
    return evidence.current_revision.original_name if evidence.current_revision else str(evidence)


class ReuseForm(forms.Form):
    evidence = forms.ModelChoiceField(
        label=_("Use a file already in the dossier"),
        queryset=EvidenceFile.objects.none(),
        empty_label=_("Choose a file…"),
    )

    def __init__(self, *args: Any, files: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["evidence"])
        field.queryset = files
        field.label_from_instance = _file_label  # type: ignore[method-assign,assignment]
