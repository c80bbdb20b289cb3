"""Institutions (the tenant) and the people who act for them."""

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from standards.choices import Setting


class Institution(models.Model):
    """A health or care institution applying for RESCUE certification. It is the tenant."""

    name = models.CharField(max_length=200)
    country = CountryField()
    setting = models.CharField(max_length=16, choices=Setting.choices)
    preferred_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="institution_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user acting for an institution in a role."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        CONTRIBUTOR = "contributor", "Contributor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "user"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.institution}"
