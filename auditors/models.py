"""The auditor pool: who may audit what, and their declared conflicts of interest."""

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from institutions.models import Institution
from rescue.choices import ChoiceLabels, country_name
from standards.choices import Component


class AuditorProfile(ChoiceLabels, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_profile"
    )
    countries = CountryField(multiple=True, blank=True, help_text="Countries they audit in.")
    languages = models.JSONField(default=list, blank=True, help_text="Language codes they work in.")
    components = models.JSONField(
        default=list, blank=True, help_text="Certification components they are qualified for."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"Auditor profile of {self.user}"

    @property
    def country_names(self) -> list[str]:
        return [country_name(country.code) for country in self.countries]

    @property
    def language_names(self) -> list[str]:
        names = dict(settings.LANGUAGES)
        return [str(names.get(code, code)) for code in self.languages]

    @property
    def component_names(self) -> list[str]:
        names = dict(Component.choices)
        return [str(names.get(code, code)) for code in self.components]


class ConflictOfInterest(ChoiceLabels, models.Model):
    """An auditor's declaration that they must not audit an institution."""

    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    reason = models.TextField()
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["auditor", "institution"], name="conflict_unique_per_institution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} ↔ {self.institution}"
