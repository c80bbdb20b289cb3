"""Domain vocabularies of the RESCUE certification (known facts, see shared/domain/RESCUE.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    INTERVENTION = "intervention", "RESCUE-Intervention"
    TRAINING = "training", "RESCUE-Training"
    COMPETENCES = "competences", "RESCUE-Supporters' Competences"


class Level(models.TextChoices):
    """Class of an Intervention or Training standard. Competences are CORE or not instead."""

    ELEMENTARY = "elementary", _("Elementary")
    ADVANCED = "advanced", _("Advanced")


class InterventionLevel(models.TextChoices):
    DESIGN = "design", _("Design")
    EXECUTION = "execution", _("Execution")
    COMPREHENSIVE = "comprehensive", _("Comprehensive")


class Setting(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    PRIMARY_CARE = "primary_care", _("Primary care")
    NURSING_HOME = "nursing_home", _("Social-healthcare centre / nursing home")


class ErnstLevel(models.IntegerChoices):
    """The ERNST five-level model of second-victim support."""

    PREVENTION = 1, "1 Prevention"
    SELF_CARE = 2, "2 Self-care"
    PEER_SUPPORT = 3, "3 Peer support and triage"
    PROFESSIONAL = 4, "4 Structured professional support"
    CLINICAL = 5, "5 Structured clinical support"


# Published number of standards per component; a catalogue file must match it.
EXPECTED_STANDARD_COUNT = {
    Component.INTERVENTION: 30,
    Component.TRAINING: 11,
    Component.COMPETENCES: 14,
}

# Standard codes per component: INT01..INT30, TRA01..TRA11, COM01..COM14.
CODE_PREFIX = {
    Component.INTERVENTION: "INT",
    Component.TRAINING: "TRA",
    Component.COMPETENCES: "COM",
}
