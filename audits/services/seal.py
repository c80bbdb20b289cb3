"""The seal: a submitted dossier no longer changes.

Every service that changes the self-assessment or the evidence calls ``audit_lock_open`` inside
its transaction. It takes the same row lock as ``audit_submit`` and re-reads the status from the
database, so a change either commits before the seal (and is in the manifest) or meets the seal
and is refused; a change checked against a stale ``audit`` instance cannot slip in after it.
"""

from django.utils.translation import gettext_lazy as _

from audits.models import Audit
from rescue.errors import ActionRefusedError

SEALED_MESSAGE = _("The dossier is submitted and can no longer be changed.")


class DossierSealedError(ActionRefusedError):
    def __init__(self) -> None:
        super().__init__(str(SEALED_MESSAGE))  # in the language active when refused


def audit_locked(audit_id: int) -> Audit:
    """The audit read under its row lock until the caller's transaction ends (with its
    institution and catalogue version): the review's steps take it to run one at a time."""
    return (
        Audit.unscoped.select_for_update(of=("self",))
        .select_related("institution", "catalogue_version")
        .get(pk=audit_id)
    )


def audit_lock_open(*, audit: Audit) -> None:
    """Lock the audit row until the caller's transaction ends; refuse if the dossier is sealed.

    Uploads and replacements call it last, once the file is stored: rows written before it are
    not visible to anyone until the commit, and a large file never holds the lock while it
    streams to storage.
    """
    status = (
        Audit.objects.for_institution(audit.institution_id)
        .select_for_update()
        .values_list("status", flat=True)
        .get(pk=audit.pk)
    )
    if status != Audit.Status.DRAFT:
        audit.status = status  # the caller's instance shows the seal too
        raise DossierSealedError
