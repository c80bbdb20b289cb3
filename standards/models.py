"""The versioned standards catalogue.

A catalogue version is a named, dated set of standards of one component with its scoring rules.
Audits are pinned to the version they started on, so a new version never changes a past audit.
Catalogue content is loaded from files (``manage.py load_catalogue``), not edited row by row.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from rescue.choices import ChoiceLabels
from standards.choices import CODE_PREFIX, Component, ErnstLevel, InterventionLevel, Level, Setting

SHARE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


def _share_field(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=SHARE_VALIDATORS,
        help_text=help_text,
    )


class CatalogueVersion(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    component = models.CharField(max_length=16, choices=Component.choices)
    version = models.CharField("version label", max_length=32)
    name = models.CharField(max_length=200)
    publication_date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    is_working_catalogue = models.BooleanField(
        default=False,
        help_text="Written by the project from the published evidence, pending the official text.",
    )
    provenance = models.TextField(blank=True)
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical catalogue content (status excluded)."
    )
    source_name = models.CharField(max_length=255, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    # Scoring rules (shared/domain/RESCUE.md, "Scoring"): shares of applicable standards that
    # must be met. Intervention and Training use the Elementary/Advanced pair, Competences the
    # CORE/non-CORE pair.
    elementary_met_share = _share_field(
        "Share of applicable Elementary standards that must be met."
    )
    advanced_met_share = _share_field("Share of applicable Advanced standards that must be met.")
    core_met_share = _share_field("Share of CORE competences that must be met.")
    non_core_met_share = _share_field("Share of the other competences that must be met.")
    lookback_years = models.PositiveSmallIntegerField(
        default=3, help_text="How far back evidence may date."
    )
    validity_years = models.PositiveSmallIntegerField(
        default=5, help_text="How long a certificate is valid."
    )

    class Meta:
        ordering = ["component", "-publication_date", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "version"], name="catalogue_version_unique_label"
            ),
            models.UniqueConstraint(
                fields=["component"],
                condition=Q(status="active"),
                name="catalogue_version_one_active_per_component",
                violation_error_message=(
                    "Another version of this component is active; retire it first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} {self.version}"

    @property
    def uses_core(self) -> bool:
        return self.component == Component.COMPETENCES

    @property
    def code_prefix(self) -> str:
        return CODE_PREFIX[Component(self.component)]


class Section(ChoiceLabels, models.Model):
    catalogue_version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["catalogue_version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue_version", "code"], name="section_unique_code"
            ),
            models.UniqueConstraint(
                fields=["catalogue_version", "order"], name="section_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# Boolean columns behind the multi-valued "applies to" attributes: filtering on them is a plain
# indexed equality on every database, SQLite included.
INTERVENTION_LEVEL_FIELDS = {
    InterventionLevel.DESIGN: "applies_design",
    InterventionLevel.EXECUTION: "applies_execution",
    InterventionLevel.COMPREHENSIVE: "applies_comprehensive",
}
SETTING_FIELDS = {
    Setting.HOSPITAL: "for_hospital",
    Setting.PRIMARY_CARE: "for_primary_care",
    Setting.NURSING_HOME: "for_nursing_home",
}


class Standard(ChoiceLabels, models.Model):
    catalogue_version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="standards"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    operational_definition = models.TextField(help_text="What is measured.")
    evidence_required = models.TextField(help_text="What the auditor checks.")
    level = models.CharField(
        max_length=10,
        choices=Level.choices,
        blank=True,
        help_text="Elementary or Advanced (Intervention and Training); empty for competences.",
    )
    is_core = models.BooleanField("CORE", default=False, help_text="CORE competence.")
    applies_design = models.BooleanField(default=False)
    applies_execution = models.BooleanField(default=False)
    applies_comprehensive = models.BooleanField(default=False)
    for_hospital = models.BooleanField(default=True)
    for_primary_care = models.BooleanField(default=True)
    for_nursing_home = models.BooleanField(default=True)
    ernst_levels = models.JSONField(
        default=list, blank=True, help_text="Levels 1 to 5 of the ERNST model it contributes to."
    )
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["catalogue_version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue_version", "code"], name="standard_unique_code"
            ),
            models.UniqueConstraint(
                fields=["catalogue_version", "order"], name="standard_unique_order"
            ),
            models.CheckConstraint(
                condition=Q(level="") | Q(is_core=False), name="standard_core_has_no_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def intervention_levels(self) -> list[str]:
        return [
            str(lvl) for lvl, field in INTERVENTION_LEVEL_FIELDS.items() if getattr(self, field)
        ]

    @property
    def intervention_level_labels(self) -> list[str]:
        """The levels as shown on the page, in the active language ("Design", "Execution")."""
        return [
            str(lvl.label)
            for lvl, field in INTERVENTION_LEVEL_FIELDS.items()
            if getattr(self, field)
        ]

    @property
    def settings(self) -> list[str]:
        return [str(s) for s, field in SETTING_FIELDS.items() if getattr(self, field)]

    @property
    def ernst_level_labels(self) -> list[str]:
        return [ErnstLevel(level).label for level in sorted(self.ernst_levels)]

    @cached_property
    def badge(self) -> str:
        """The class shown on badges: Elementary, Advanced, CORE or nothing."""
        if self.level:
            return str(Level(self.level).label)
        return "CORE" if self.is_core else ""

    @property
    def badge_key(self) -> str:
        """The badge's style, whatever the language: elementary, advanced, core or ""."""
        if self.level:
            return str(self.level)
        return "core" if self.is_core else ""


class StandardGuidance(ChoiceLabels, models.Model):
    """Setting-specific guidance on how a standard is met (optional)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="guidance")
    setting = models.CharField(max_length=16, choices=Setting.choices)
    text = models.TextField()

    class Meta:
        ordering = ["standard", "setting"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "setting"], name="standard_guidance_unique_setting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} / {self.get_setting_display()}"
