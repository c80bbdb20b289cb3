"""Writing the catalogue: load a validated file into the database, export a version back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import transaction

from audits.models import Audit
from standards.catalogue_files import (
    CatalogueDocument,
    CatalogueFileError,
    catalogue_dump,
    catalogue_file_read,
)
from standards.choices import InterventionLevel, Setting
from standards.models import (
    INTERVENTION_LEVEL_FIELDS,
    SETTING_FIELDS,
    CatalogueVersion,
    Section,
    Standard,
    StandardGuidance,
)


class LoadOutcome(StrEnum):
    CREATED = "created"
    REPLACED = "replaced"
    STATUS_CHANGED = "status changed"
    UNCHANGED = "unchanged"


@dataclass
class LoadResult:
    version: CatalogueVersion
    outcome: LoadOutcome
    retired: list[CatalogueVersion] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"{self.version} ({self.version.standards.count()} standards, "
            f"{self.version.get_status_display().lower()}): {self.outcome}"
        )
        for other in self.retired:
            text += f"; {other} retired"
        return text


def catalogue_load(*, paths: list[Path | str]) -> list[LoadResult]:
    """Validate catalogue files, then write them.

    - A new (component, version) is created.
    - The same content again is a no-op; the same content with another status changes the status.
    - Changed content replaces the version's standards only while no audit uses the version;
      otherwise it is refused and must be published under a new version label.
    - Activating a version retires the component's previously active version.

    Every file is validated before anything is written, and all of them load in one transaction:
    one bad file leaves the database as it was.
    """
    documents: list[CatalogueDocument] = []
    errors: list[CatalogueFileError] = []
    for path in paths:
        try:
            documents.append(catalogue_file_read(path))
        except CatalogueFileError as exc:
            errors.append(exc)
    if errors:
        raise CatalogueRefusedError(errors)
    try:
        _refuse_duplicate_versions(documents)
        with transaction.atomic():
            return [catalogue_document_load(document=document) for document in documents]
    except CatalogueFileError as exc:
        raise CatalogueRefusedError([exc]) from None


class CatalogueRefusedError(Exception):
    """One or more catalogue files were refused; nothing was written."""

    def __init__(self, errors: list[CatalogueFileError]) -> None:
        self.errors = errors
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def _refuse_duplicate_versions(documents: list[CatalogueDocument]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for document in documents:
        key = (document.component, document.version)
        if key in seen:
            raise CatalogueFileError(
                document.source, [f"{key[0]} version {key[1]} is also in {seen[key]}"]
            )
        seen[key] = document.source
    active: dict[str, str] = {}
    for document in documents:
        if document.status != "active":
            continue
        if document.component in active:
            raise CatalogueFileError(
                document.source,
                [
                    (
                        f"another active {document.component} version is loaded with it from "
                        f"{active[document.component]}; only one version per component is active"
                    )
                ],
            )
        active[document.component] = document.source


@transaction.atomic
def catalogue_document_load(*, document: CatalogueDocument) -> LoadResult:
    existing = (
        CatalogueVersion.objects.select_for_update()
        .filter(component=document.component, version=document.version)
        .first()
    )
    if existing is None:
        version = CatalogueVersion(component=document.component, version=document.version)
        outcome = LoadOutcome.CREATED
    elif existing.content_hash == document.content_hash:
        if existing.status == document.status:
            return LoadResult(version=existing, outcome=LoadOutcome.UNCHANGED)
        version, outcome = existing, LoadOutcome.STATUS_CHANGED
    else:
        # Across institutions on purpose: any audit pins the version.
        in_use = Audit.unscoped.filter(catalogue_version=existing).count()
        if in_use:
            raise CatalogueFileError(
                document.source,
                [
                    (
                        f"{existing} is used by {in_use} audit(s) and its content cannot change; "
                        "publish the changed catalogue under a new version label"
                    )
                ],
            )
        version, outcome = existing, LoadOutcome.REPLACED

    retired = (
        _retire_other_active(component=document.component, keep=document.version)
        if document.status == CatalogueVersion.Status.ACTIVE
        else []
    )
    _apply_metadata(version, document)
    version.full_clean()
    version.save()
    if outcome in (LoadOutcome.CREATED, LoadOutcome.REPLACED):
        _replace_content(version, document)
    return LoadResult(version=version, outcome=outcome, retired=retired)


@transaction.atomic
def catalogue_version_status_set(
    *, version: CatalogueVersion, status: str
) -> list[CatalogueVersion]:
    """Change a version's status; activating it retires the component's active version.

    Returns the versions that were retired to make room.
    """
    retired = (
        _retire_other_active(component=version.component, keep=version.version)
        if status == CatalogueVersion.Status.ACTIVE
        else []
    )
    version.status = status
    version.full_clean()
    version.save(update_fields=["status"])
    return retired


def _retire_other_active(*, component: str, keep: str) -> list[CatalogueVersion]:
    others = list(
        CatalogueVersion.objects.select_for_update()
        .filter(component=component, status=CatalogueVersion.Status.ACTIVE)
        .exclude(version=keep)
        .order_by("pk")
    )
    for other in others:
        other.status = CatalogueVersion.Status.RETIRED
        other.save(update_fields=["status"])
    return others


def _apply_metadata(version: CatalogueVersion, document: CatalogueDocument) -> None:
    data = document.data
    scoring = data["scoring"]
    version.name = data["name"]
    version.publication_date = date.fromisoformat(data["publication_date"])
    version.status = data["status"]
    version.is_working_catalogue = data["working_catalogue"]
    version.provenance = data["provenance"]
    version.content_hash = document.content_hash
    version.source_name = Path(document.source).name
    for key in (
        "elementary_met_share",
        "advanced_met_share",
        "core_met_share",
        "non_core_met_share",
    ):
        setattr(version, key, None if scoring[key] is None else Decimal(scoring[key]))
    version.lookback_years = scoring["lookback_years"]
    version.validity_years = scoring["validity_years"]


def _replace_content(version: CatalogueVersion, document: CatalogueDocument) -> None:
    version.sections.all().delete()  # cascades to standards and guidance
    standards: list[Standard] = []
    guidance: list[tuple[Standard, str, str]] = []
    order = 0
    for s_order, sec in enumerate(document.data["sections"], start=1):
        section = Section.objects.create(
            catalogue_version=version,
            code=sec["code"],
            title=sec["title"],
            description=sec["description"],
            order=s_order,
        )
        for std in sec["standards"]:
            order += 1
            standard = Standard(
                catalogue_version=version,
                section=section,
                code=std["code"],
                title=std["title"],
                operational_definition=std["definition"],
                evidence_required=std["evidence"],
                level=std["level"],
                is_core=std["core"],
                ernst_levels=std["ernst_levels"],
                order=order,
                **{
                    f: lvl in std["intervention_levels"]
                    for lvl, f in INTERVENTION_LEVEL_FIELDS.items()
                },
                **{f: s in std["settings"] for s, f in SETTING_FIELDS.items()},
            )
            standards.append(standard)
            guidance += [(standard, setting, text) for setting, text in std["guidance"].items()]
    Standard.objects.bulk_create(standards)
    StandardGuidance.objects.bulk_create(
        StandardGuidance(standard=standard, setting=setting, text=text)
        for standard, setting, text in guidance
    )


def catalogue_export(*, version: CatalogueVersion) -> str:
    """The version in the catalogue file format; loading the result again is a no-op."""
    return catalogue_dump(catalogue_version_document(version=version))


def catalogue_version_document(*, version: CatalogueVersion) -> dict[str, Any]:
    """The version's content in the normal form used for its content hash."""
    standards = (
        Standard.objects.filter(catalogue_version=version)
        .select_related("section")
        .prefetch_related("guidance")
        .order_by("order")
    )
    by_section: dict[int, list[dict[str, Any]]] = {}
    for std in standards:
        by_section.setdefault(std.section_id, []).append(
            {
                "code": std.code,
                "title": std.title,
                "level": std.level,
                "core": std.is_core,
                "intervention_levels": [
                    str(lvl) for lvl in InterventionLevel if lvl in std.intervention_levels
                ],
                "settings": [str(s) for s in Setting if s in std.settings],
                "ernst_levels": sorted(std.ernst_levels),
                "definition": std.operational_definition,
                "evidence": std.evidence_required,
                "guidance": {
                    g.setting: g.text for g in sorted(std.guidance.all(), key=lambda g: g.setting)
                },
            }
        )

    def share(value: Decimal | None) -> str | None:
        return None if value is None else str(value.quantize(Decimal("0.001")))

    return {
        "component": version.component,
        "version": version.version,
        "name": version.name,
        "publication_date": version.publication_date.isoformat(),
        "status": version.status,
        "working_catalogue": version.is_working_catalogue,
        "provenance": version.provenance,
        "scoring": {
            "elementary_met_share": share(version.elementary_met_share),
            "advanced_met_share": share(version.advanced_met_share),
            "core_met_share": share(version.core_met_share),
            "non_core_met_share": share(version.non_core_met_share),
            "lookback_years": version.lookback_years,
            "validity_years": version.validity_years,
        },
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "description": section.description,
                "standards": by_section.get(section.pk, []),
            }
            for section in version.sections.order_by("order")
        ],
    }
