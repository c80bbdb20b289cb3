"""Who may take a place on an audit's review team: one rule, used by the candidate list and by
the assignment itself."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from auditors.models import ConflictOfInterest
from audits.models import Audit


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
