"""The dossier report's content: what an institution submitted, standard by standard.

``dossier_context`` reads everything the PDF shows. ``dossier_input`` picks from that context
every value the rendered document depends on, and ``dossier_input_digest`` is the SHA-256 of
its canonical JSON: two reports with the same digest show the same thing, so a request for an
unchanged dossier gets the last ready report back instead of a new rendering
(``reports.services.report_request``). The digest covers:

- what the report is: its kind, its language, ``REPORT_LAYOUT_VERSION`` (bump it when the Python
  side of the layout changes: this module's context, the chart) and a fingerprint of the layout
  files (the PDF templates, the print stylesheet, the language's compiled translations), so a
  deployment that changes the layout renders anew;
- the cover: institution name and country; component, level, setting, status, catalogue version
  (label, working catalogue), start date, submission date and submitter, seal digest, the
  look-back window's start, the coordinators (names and e-mails);
- each section and standard in order (code, title, level or CORE badge) with its self-rating,
  the reason it does not apply and its narrative, and its live files by their number in the
  index;
- the evidence index: each live file's current revision (name, revision number, size, SHA-256,
  uploader, upload time), its effective date and the standards it supports. A file uploaded,
  replaced, removed, linked or unlinked, or given another date, changes the digest.

Left out on purpose: the moment of generation and the report's version number, printed in the
running footer. They belong to the report row (``requested_at``, ``finished_at``, ``version``),
not to the dossier: leaving them out is what lets an unchanged dossier get its last report back,
whose footer names its own version and date. The person who asks is not printed, so not in the
digest either. Counts, the completeness chart and the summary tables follow from the values
above. The look-back window of a draft dossier starts from today, so a draft's report is reused
only on the day it was made (the PDF would show another date the next day). Values are taken
at a finer grain than printed (times to the microsecond, not the minute; the audit's status,
where the PDF shows only whether it is sealed): a needless new version is the only cost of
that, never a stale one.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from audits.models import Audit, StandardAssessment
from audits.selectors import SectionProgress, dossier_progress
from evidence.models import EvidenceFile
from institutions.models import Membership


@dataclass
class IndexEntry:
    evidence: EvidenceFile
    codes: list[str] = field(default_factory=list)


def completeness_chart(sections: list[SectionProgress]) -> SafeString:
    """A horizontal bar per section (ready / total), as an SVG drawn here on the server."""
    bar_left, bar_width, row, top = 150, 300, 22, 10
    height = top * 2 + row * len(sections)
    label = escape(_("Completeness per section"))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 520 {height}" '
        f'role="img" aria-label="{label}">'
    )
    parts = [head]
    for index, section in enumerate(sections):
        y = top + index * row
        share = section.done / section.total if section.total else 0
        parts.append(
            f'<text x="{bar_left - 8}" y="{y + 13}" text-anchor="end" font-size="10">'
            f"{escape(section.code)}</text>"
            f'<rect x="{bar_left}" y="{y + 3}" width="{bar_width}" height="13" fill="#e5e9ee"/>'
            f'<rect x="{bar_left}" y="{y + 3}" width="{bar_width * share:.1f}" height="13" '
            f'fill="#0b5f73"/>'
            f'<text x="{bar_left + bar_width + 8}" y="{y + 13}" font-size="10">'
            f"{section.done}/{section.total}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def dossier_context(audit: Audit) -> dict[str, Any]:
    """Everything the dossier report shows, read in a fixed number of queries."""
    audit = (
        Audit.objects.for_institution(audit.institution_id)
        .select_related("institution", "catalogue_version", "submitted_by")
        .get(pk=audit.pk)
    )
    sections = dossier_progress(audit=audit)
    items = [item for section in sections for item in section.items]
    index: dict[int, IndexEntry] = {}
    for item in items:
        for evidence in item.files:
            entry = index.setdefault(evidence.pk, IndexEntry(evidence))
            entry.codes.append(item.assessment.standard.code)
    # By E-number: fixed at submission (upload order); a dossier in preparation shows the
    # numbers its files will get, by the same rule.
    files = sorted(index.values(), key=lambda e: (e.evidence.created_at, e.evidence.pk))
    numbers = {
        entry.evidence.pk: entry.evidence.number or position
        for position, entry in enumerate(files, start=1)
    }
    for item in items:  # each standard lists its files by their number in the index
        for evidence in item.files:
            evidence.index_number = numbers[evidence.pk]  # for the template
    ratings = Counter(item.assessment.self_rating for item in items)
    coordinators = [
        m.user
        for m in Membership.objects.filter(
            institution_id=audit.institution_id, role=Membership.Role.COORDINATOR
        ).select_related("user")
    ]
    return {
        "audit": audit,
        "institution": audit.institution,
        "coordinators": coordinators,
        "sections": sections,
        "chart": completeness_chart(sections),
        "counts": {
            "standards": len(items),
            "ready": sum(item.complete for item in items),
            "files": len(files),
            "bytes": sum(e.evidence.current.size for e in files),
            "ratings": [
                (label, ratings.get(value, 0)) for value, label in StandardAssessment.Rating.choices
            ]
            + [(_("Not rated yet"), ratings.get("", 0))],
        },
        "files": files,
        "generated_at": timezone.now(),
    }


# Bump when the report's layout changes in Python (this module's context, the chart): reports
# asked for afterwards are rendered anew even where the dossier has not changed. Changes to the
# templates, the print stylesheet and the translations are seen by ``layout_fingerprint``.
REPORT_LAYOUT_VERSION = 1
LAYOUT_TEMPLATES = ("pdf/base.html", "pdf/dossier.html")
LAYOUT_STATIC = ("css/print.css",)


def layout_fingerprint(language: str, templates: tuple[str, ...] = LAYOUT_TEMPLATES) -> str:
    """SHA-256 of the files a report is laid out with (``templates``: the dossier report's by
    default), in ``language``."""
    digest = hashlib.sha256()
    for name in templates:
        source = get_template(name).template.source  # type: ignore[attr-defined]  # Django engine
        digest.update(f"template {name}\n".encode() + source.encode())
    for name in LAYOUT_STATIC:
        found = finders.find(name)
        digest.update(f"static {name}\n".encode())
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    for folder in settings.LOCALE_PATHS:
        compiled = Path(folder) / language / "LC_MESSAGES" / "django.mo"
        if compiled.is_file():
            digest.update(f"messages {compiled.name}\n".encode() + compiled.read_bytes())
    return digest.hexdigest()


def iso(value: date | datetime | None) -> str | None:
    """A date or a moment as ISO 8601 text for a report's input (None stays None)."""
    return value.isoformat() if value is not None else None


def dossier_input(context: dict[str, Any], *, language: str, kind: str) -> dict[str, Any]:
    """Every value of ``dossier_context`` the rendered PDF depends on (see the module docstring),
    as plain JSON data; the moment of generation is left out."""
    audit: Audit = context["audit"]
    institution = context["institution"]
    catalogue = audit.catalogue_version
    numbers = {entry.evidence.pk: number for number, entry in enumerate(context["files"], 1)}
    return {
        "kind": kind,
        "language": language,
        "layout": REPORT_LAYOUT_VERSION,
        "layout_files": layout_fingerprint(language),
        "institution": {"name": institution.name, "country": str(institution.country)},
        "audit": {
            "component": audit.component,
            "target_level": audit.target_level,
            "setting": audit.setting,
            "status": audit.status,
            "catalogue_version": catalogue.version,
            "working_catalogue": catalogue.is_working_catalogue,
            "created_at": iso(audit.created_at),
            "submitted_at": iso(audit.submitted_at),
            "submitted_by": audit.submitted_by.email if audit.submitted_by else None,
            "manifest_digest": audit.manifest_digest,
            "lookback_start": iso(audit.lookback_start),
        },
        "coordinators": [
            [person.get_full_name(), person.email] for person in context["coordinators"]
        ],
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "standards": [
                    {
                        "code": item.assessment.standard.code,
                        "title": item.assessment.standard.title,
                        # The badge's values, not its label: the label is in the language
                        # of whoever asks, the report's is in ``language``.
                        "level": item.assessment.standard.level,
                        "core": item.assessment.standard.is_core,
                        "self_rating": item.assessment.self_rating,
                        "justification": item.assessment.justification,
                        "narrative": item.assessment.narrative,
                        "files": [numbers[evidence.pk] for evidence in item.files],
                    }
                    for item in section.items
                ],
            }
            for section in context["sections"]
        ],
        "files": [
            {
                "name": entry.evidence.current.original_name,
                "revision": entry.evidence.current.number,
                "size": entry.evidence.current.size,
                "sha256": entry.evidence.current.sha256,
                "uploaded_by": entry.evidence.current.uploaded_by_email,
                "uploaded_at": iso(entry.evidence.current.uploaded_at),
                "effective_date": iso(entry.evidence.effective_date),
                "standards": entry.codes,
            }
            for entry in context["files"]
        ],
    }


def input_digest(data: dict[str, Any]) -> str:
    """SHA-256 of ``data`` as canonical JSON (keys sorted, no spaces, UTF-8)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def dossier_input_digest(audit: Audit, language: str, kind: str = "dossier") -> str:
    """The digest of what the dossier report of ``audit`` in ``language`` would show now: the
    queries of ``dossier_context`` (a fixed number), no rendering."""
    return input_digest(dossier_input(dossier_context(audit), language=language, kind=kind))
