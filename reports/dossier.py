"""The dossier report's content: what an institution submitted, standard by standard."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape
from typing import Any

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
    files = sorted(index.values(), key=lambda e: e.evidence.current.original_name.lower())
    numbers = {entry.evidence.pk: number for number, entry in enumerate(files, start=1)}
    for item in items:  # each standard lists its files by their number in the index
        for evidence in item.files:
            evidence.index_number = numbers[evidence.pk]  # type: ignore[attr-defined]  # for the template
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
