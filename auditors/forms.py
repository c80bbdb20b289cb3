from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django_countries import countries

from institutions.models import Institution
from standards.choices import Component


class AuditorProfileForm(forms.Form):
    countries = forms.MultipleChoiceField(
        choices=list(countries), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    components = forms.MultipleChoiceField(
        choices=Component.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ConflictForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.all())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AssignAuditorForm(forms.Form):
    auditor: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, empty_label="Choose an auditor"
    )

    def __init__(self, *args: Any, auditors: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["auditor"]).queryset = auditors
