from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.forms import CONFIRMATION_LABEL, MultipleFileField
from evidence.models import EvidenceFile
from reviews.models import (
    AssessmentInterview,
    AuditorAssignment,
    Finding,
    Rating,
    ReportComment,
    ReviewReport,
)
from reviews.rules import rating_errors
from reviews.services.findings import MAX_STATEMENT
from reviews.services.interviews import MAX_TEXT as INTERVIEW_MAX_TEXT
from reviews.services.plans import MAX_ACTIONS
from reviews.services.ratings import MAX_NOTES, MAX_RATIONALE
from reviews.services.report import MAX_TEXT
from reviews.services.requests import MAX_MESSAGE


class TeamAssignForm(forms.Form):
    auditor: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Auditor"), queryset=None, empty_label=_("Choose an auditor")
    )
    role = forms.ChoiceField(
        label=_("Place on the team"),
        choices=AuditorAssignment.Role.choices,
        initial=AuditorAssignment.Role.LEAD,
        widget=forms.RadioSelect,
    )
    replacing: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Instead of"),
        queryset=None,
        required=False,
        empty_label=_("Nobody (a free place)"),
        help_text=_("The auditor replaced loses access at once; their ratings stay theirs."),
    )
    due_on = forms.DateField(
        label=_("Review due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Shared by the team. Left empty, the team's current due date is kept."),
    )
    override_reason = forms.CharField(
        label=_("Reason for a qualification override"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for an auditor not qualified for this component: why all the same."),
    )

    def __init__(
        self,
        *args: Any,
        auditors: QuerySet[Any],
        members: QuerySet[AuditorAssignment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["auditor"]).queryset = auditors
        replacing = cast(forms.ModelChoiceField, self.fields["replacing"])
        replacing.queryset = members
        replacing.label_from_instance = lambda a: f"{a.get_role_display()}: {a.auditor_email}"  # type: ignore[method-assign]

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_on


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: not available before the due date. ERNST sees it; the "
            "institution does not."
        ),
    )


def form_rebase(form: forms.Form, version: int) -> None:
    """After a stale save: the form keeps what was typed and now carries the current version,
    so that saving again is a deliberate overwrite of what is shown beside it."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


def _file_label(evidence: EvidenceFile) -> str:
    number = evidence.number
    name = evidence.current_revision.original_name if evidence.current_revision else str(evidence)
    return f"E{number} · {name}" if number else name


class AuditorRatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=MAX_RATIONALE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required unless the standard is met: what is missing or why it does not apply."
        ),
    )
    evidence = forms.TypedMultipleChoiceField(
        label=_("Evidence the rating rests on"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For you and ERNST: the institution never sees them."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, files: list[EvidenceFile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files_by_pk = {f.pk: f for f in files}
        field = cast(forms.TypedMultipleChoiceField, self.fields["evidence"])
        field.choices = [(f.pk, _file_label(f)) for f in files]

    def clean_evidence(self) -> list[EvidenceFile]:
        return [self.files_by_pk[pk] for pk in self.cleaned_data.get("evidence", [])]

    def clean(self) -> dict:
        return _rationale_unless_met(self)


def _rationale_unless_met(form: forms.Form) -> dict:
    data = form.cleaned_data
    if data.get("rating"):
        rule = rating_errors(rating=data["rating"], rationale=data.get("rationale", ""))
        for field, message in rule.items():
            form.add_error(field, message)
    return data


class DivergenceForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Consolidated rating"), choices=Rating.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=MAX_RATIONALE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless the standard is met."),
    )
    reason = forms.CharField(
        label=_("Why this rating"),
        max_length=MAX_RATIONALE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the decision, beside both auditors' ratings."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict:
        return _rationale_unless_met(self)


class FindingForm(forms.Form):
    """The lead's grade and statement of a finding (an observation has no grade)."""

    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=Finding.Grade.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Major: the standard's aim is not achieved. Minor: a partial shortfall."),
    )
    statement = forms.CharField(
        label=_("Statement"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What falls short and the evidence for it, as the report will state it."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, finding: Finding, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finding = finding
        if finding.kind == Finding.Kind.OBSERVATION:
            del self.fields["grade"]

    def clean_grade(self) -> str:
        grade = self.cleaned_data.get("grade", "")
        if not grade:
            raise forms.ValidationError(_("Grade the nonconformity: major or minor."))
        return grade


class ObservationForm(forms.Form):
    code = forms.ChoiceField(label=_("Standard"))
    statement = forms.CharField(
        label=_("Observation"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("An opportunity for improvement; it is not a nonconformity."),
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = codes


class EvidenceRequestForm(forms.Form):
    codes = forms.MultipleChoiceField(
        label=_("Standards"), widget=forms.CheckboxSelectMultiple, help_text=_("One or more.")
    )
    message = forms.CharField(
        label=_("What is missing"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is missing and what would show it. The institution reads this."),
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["codes"]).choices = codes


class EvidenceDecisionForm(forms.Form):
    class Decision:
        ACCEPT, REOPEN, CLOSE = "accept", "reopen", "close"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Decision.ACCEPT, _("Accept the answer")),
            (Decision.REOPEN, _("Not enough: reopen the request until a new date")),
            (Decision.CLOSE, _("Close the request as unanswered")),
        ],
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required unless you accept. The institution reads it."),
    )
    reopen_until = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When you reopen the request."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("decision") == self.Decision.REOPEN and not data.get("reopen_until"):
            self.add_error("reopen_until", _("Give the new due date."))
        if (
            data.get("decision") in (self.Decision.REOPEN, self.Decision.CLOSE)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Say why the answer is not enough."))
        return data


class EvidenceAnswerForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files"), required=False, allow_empty_file=True
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the files show, or why there is none."),
    )
    confirmed_no_personal_data = forms.BooleanField(label=CONFIRMATION_LABEL, required=False)


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=ReviewReport.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        help_text=_("RESCUE-Intervention: the level to certify at (up to the level applied for)."),
    )
    reason = forms.CharField(
        label=_("Grounds"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The institution reads them in the report."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels:
            cast(forms.ChoiceField, self.fields["level"]).choices = [
                ("", _("No level (do not certify)")),
                *levels,
            ]
        else:
            del self.fields["level"]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the auditors should reconsider, and the evidence that shows it."),
    )
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=ReportComment.Outcome.choices,
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Why"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Accepted: what changes and why. Maintained: why. The institution reads it."),
    )
    rating = forms.ChoiceField(
        label=_("New consolidated rating"),
        required=False,
        choices=[("", _("Unchanged")), *Rating.choices],
        help_text=_("Met or not applicable withdraws the nonconformity."),
    )
    grade = forms.ChoiceField(
        label=_("New grade"),
        required=False,
        choices=[("", _("Unchanged")), *Finding.Grade.choices],
    )
    withdraw = forms.BooleanField(label=_("Withdraw the finding"), required=False)

    def __init__(self, *args: Any, finding: Finding | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if finding is None:
            for name in ("rating", "grade", "withdraw"):
                del self.fields[name]
        elif finding.kind != Finding.Kind.NONCONFORMITY:
            del self.fields["grade"]


class PlanForm(forms.Form):
    cause = forms.CharField(
        label=_("Cause"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the standard is not met."),
    )


class PlanActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.CharField(
        label=_("Owner"), required=False, max_length=200, help_text=_("Who carries it out.")
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


PlanActionFormSet = forms.formset_factory(
    PlanActionForm, extra=0, min_num=1, max_num=MAX_ACTIONS, absolute_max=MAX_ACTIONS
)


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("accept", _("Accept the plan")), ("return", _("Return it for changes"))],
    )
    reason = forms.CharField(
        label=_("What the plan lacks"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you return it. The institution reads it."),
    )


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Evidence"), required=True, allow_empty_file=True
    )
    confirmed_no_personal_data = forms.BooleanField(label=CONFIRMATION_LABEL, required=False)


class ActionVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Verification"),
        widget=forms.RadioSelect,
        choices=[("close", _("Done: close the action")), ("keep", _("Not yet: keep it open"))],
    )
    reason = forms.CharField(
        label=_("Why it stays open"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InterviewForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date of the interview"), widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(
        label=_("How it was held"),
        choices=AssessmentInterview.Mode.choices,
        widget=forms.RadioSelect,
    )
    participants = forms.CharField(
        label=_("Who took part"),
        max_length=INTERVIEW_MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The applicant, the auditors, anyone else, with their part."),
    )
    codes = forms.MultipleChoiceField(
        label=_("Competences assessed"), widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.CharField(
        label=_("What the interview showed"),
        max_length=INTERVIEW_MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Competence by competence. The applicant reads it in the audit report."),
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["codes"]).choices = codes
