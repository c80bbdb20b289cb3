"""Institutions (the tenant) and the people who act for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from institutions.tenancy import TenantOwnedModel
from rescue.choices import ChoiceLabels, country_name
from standards.choices import Setting


class Institution(ChoiceLabels, models.Model):
    """A health or care institution applying for RESCUE certification. It is the tenant."""

    name = models.CharField(max_length=200)
    country = CountryField()
    setting = models.CharField(max_length=16, choices=Setting.choices)
    preferred_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # the list's ordering

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="institution_unique_name"),
        ]
        permissions = [
            ("view_all_institutions", "See every institution (ERNST admin)"),
            ("manage_all_institutions", "Create institutions, invite coordinators (ERNST admin)"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        """The country's name in the active language (``rescue.choices.country_name``)."""
        return country_name(self.country.code)


class Membership(ChoiceLabels, models.Model):
    """A user acting for an institution in a role."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        CONTRIBUTOR = "contributor", _("Contributor")
        # A peer supporter of the institution's programme: no part in its dossiers; may apply
        # for the certification of their own competences (RESCUE-Supporters' Competences).
        PEER_SUPPORTER = "peer_supporter", _("Peer supporter")

    # The roles that work on the institution's dossiers (audits, evidence, reports).
    DOSSIER_ROLES = (Role.COORDINATOR, Role.CONTRIBUTOR)

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


class InstitutionSite(TenantOwnedModel):
    """A further site of an institution (a campus, a practice, a residence)."""

    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="site_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(TenantOwnedModel):
    """A single-use, expiring invitation to join an institution in a role.

    Only the SHA-256 of the token is stored: the link in the e-mail is the only copy.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by_email = models.EmailField(help_text="Kept when the inviting account is deleted.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "email"])]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
