from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from audits.models import StandardAssessment


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


CONFIRMATION_LABEL = _(
    "These files are about the programme (policies, procedures, rotas, training records, "
    "aggregated indicators). They hold no patient data and nothing said in support sessions."
)


def effective_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Effective date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the document took effect, e.g. the day a policy was approved."),
    )


class UploadForm(forms.Form):
    # Empty files reach the inspection, which refuses them by name, one file at a time: the form
    # refusing them would refuse the whole batch with a message that names no file.
    # A declared field: the metaclass takes it off the class, so the form's own ``files`` (the
    # uploaded files) stays as it is.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files"), required=False, allow_empty_file=True
    )
    effective_date = effective_date_field()
    confirmed_no_personal_data = forms.BooleanField(label=CONFIRMATION_LABEL, required=False)


class EffectiveDateForm(forms.Form):
    """Empty clears the date."""

    effective_date = effective_date_field()


class ReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("File"), allow_empty_file=True
    )  # the inspection refuses it by name
    confirmed_no_personal_data = forms.BooleanField(label=CONFIRMATION_LABEL, required=False)


class LinksForm(forms.Form):
    assessments = forms.ModelMultipleChoiceField(
        label=_("Assessments"),
        queryset=StandardAssessment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, assessments: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["assessments"]).queryset = assessments
