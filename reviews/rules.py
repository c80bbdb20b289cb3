"""The review's rules that more than one place applies: who may take a place on an audit's team
(the candidate list and the assignment), and what a rating needs (the auditors' form, the lead's
decision, the services and the API)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from auditors.models import ConflictOfInterest
from audits.models import Audit, StandardAssessment
from rescue.errors import ActionRefusedError


@dataclass(frozen=True)
class Refusal:
    """Why an auditor cannot take a place on an audit's team."""

    message: str
    overridable: bool = False  # an ERNST admin may assign all the same, with a recorded reason


def candidate_refusals(
    *,
    audit: Audit,
    auditor_email: str,
    conflict: ConflictOfInterest | None,
    is_member: bool,
    components: Sequence[str],
) -> list[Refusal]:
    """A declared conflict and a membership of the institution refuse; a missing qualification
    for the audit's component needs an explicit override."""
    refusals = []
    names = {"auditor": auditor_email, "institution": audit.institution.name}
    if conflict is not None:
        details = names | {"date": f"{conflict.declared_at:%d %B %Y}", "reason": conflict.reason}
        refusals.append(
            Refusal(
                _(
                    "%(auditor)s declared a conflict of interest with %(institution)s on "
                    "%(date)s: %(reason)s"
                )
                % details
            )
        )
    if is_member:
        refusals.append(Refusal(_("%(auditor)s is a member of %(institution)s.") % names))
    if audit.component not in components:
        refusals.append(
            Refusal(
                _("%(auditor)s is not qualified for %(component)s.")
                % {"auditor": auditor_email, "component": audit.get_component_display()},
                overridable=True,
            )
        )
    return refusals


def rating_errors(*, rating: str, rationale: str) -> dict[str, str]:
    """Field → message: a rating is one of the four, with a rationale unless the standard is
    met."""
    if rating not in StandardAssessment.Rating.values:
        return {"rating": _("Choose met, partially met, not met or not applicable.")}
    if rating != StandardAssessment.Rating.MET and not rationale.strip():
        return {"rationale": _("Say why the standard is not fully met (or does not apply).")}
    return {}


def required_text(value: str, *, missing: str, limit: int) -> str:
    """A text a step needs (a request's message, a finding's statement, a reason): stripped,
    refused when empty (with ``missing``) or longer than ``limit``."""
    value = value.strip()
    if not value:
        raise ActionRefusedError(missing)
    if len(value) > limit:
        raise ActionRefusedError(
            _("The text is too long (at most %(max)s characters).") % {"max": limit}
        )
    return value
