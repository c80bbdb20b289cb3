"""The rule evaluation: what the catalogue version's scoring rules make of the consolidated ratings.

A pure function (:func:`evaluate`) of the rules and the ratings, with no database, so that the
review pages, the audit report and the certification decision read one answer and the tests can
state it as a table. ``shared/domain/RESCUE.md`` ("Scoring"):

- a level of RESCUE-Intervention (and RESCUE-Training, which has one) is awarded when every
  applicable Elementary standard of that level is met and at least the configured share of the
  applicable Advanced standards is met;
- a competence certificate needs every CORE competence met and the configured share of the rest.

*Applicable* leaves out the standards consolidated as not applicable. *Partially met* is not met.
A standard without a consolidated rating yet (not reviewed, or a divergence the lead has not
decided) leaves its rule **pending**: the evaluation is provisional until none is. A rule over no
applicable standard passes, and says so. A share left empty in the catalogue counts as 1 (every
one), the strict reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from standards.choices import Component, InterventionLevel, Level

MET = "met"
NOT_APPLICABLE = "not_applicable"
SHORT = frozenset({"partially_met", "not_met"})
EVERY = Decimal(1)

# The Intervention levels in their order: a higher one is the greater certificate.
LEVEL_ORDER = (
    InterventionLevel.DESIGN,
    InterventionLevel.EXECUTION,
    InterventionLevel.COMPREHENSIVE,
)


@dataclass(frozen=True)
class ScoringRules:
    component: str
    elementary_met_share: Decimal | None = None
    advanced_met_share: Decimal | None = None
    core_met_share: Decimal | None = None
    non_core_met_share: Decimal | None = None

    @classmethod
    def of(cls, version: Any) -> ScoringRules:
        """The rules of a catalogue version."""
        return cls(
            component=version.component,
            elementary_met_share=version.elementary_met_share,
            advanced_met_share=version.advanced_met_share,
            core_met_share=version.core_met_share,
            non_core_met_share=version.non_core_met_share,
        )


@dataclass(frozen=True)
class StandardFacts:
    """What the rules read of a standard: its class and, for Intervention, its levels."""

    code: str
    level: str = ""  # elementary, advanced, or "" for a competence
    is_core: bool = False
    levels: frozenset[str] = frozenset()  # the Intervention levels it applies to


@dataclass(frozen=True)
class RuleResult:
    key: str  # elementary, advanced, core, non_core
    required_share: Decimal
    applicable: tuple[str, ...]  # codes rated anything but not applicable, or not rated yet
    met: tuple[str, ...]
    short: tuple[str, ...]  # partially met or not met: what makes the rule fail
    pending: tuple[str, ...]  # no consolidated rating yet
    not_applicable: tuple[str, ...]

    @property
    def needed(self) -> int:
        """How many applicable standards must be met."""
        return math.ceil(self.required_share * len(self.applicable))

    @property
    def passed(self) -> bool | None:
        """True or False; None while a standard of the rule has no consolidated rating."""
        if self.pending:
            return None
        return len(self.met) >= self.needed

    @property
    def label(self) -> str:
        classes = {
            "elementary": (_("Every applicable Elementary standard is met"), _("Elementary")),
            "advanced": (_("Every applicable Advanced standard is met"), _("Advanced")),
            "core": (_("Every CORE competence is met"), _("CORE")),
            "non_core": (_("Every other competence is met"), _("other")),
        }
        every, name = classes[self.key]
        if self.required_share >= EVERY:
            return every
        return _("At least %(percent)s%% of the applicable %(class)s standards are met") % {
            "percent": _percent(self.required_share),
            "class": name,
        }

    @property
    def explanation(self) -> str:
        """Why the rule passes, fails or waits, with the standards that make it so."""
        counts = {"met": len(self.met), "applicable": len(self.applicable), "needed": self.needed}
        if not self.applicable:
            return _("No applicable standard: the rule holds.")
        if self.passed is None:
            return _(
                "Waiting for the consolidated rating of %(codes)s (%(met)s of %(applicable)s met "
                "so far, %(needed)s needed)."
            ) % {"codes": ", ".join(self.pending), **counts}
        if self.passed:
            text = _("%(met)s of %(applicable)s met, %(needed)s needed.") % counts
            if self.short:
                text += " " + _("Not met, within the share: %(codes)s.") % {
                    "codes": ", ".join(self.short)
                }
            return text
        return _("%(met)s of %(applicable)s met, %(needed)s needed. Not met: %(codes)s.") % {
            "codes": ", ".join(self.short),
            **counts,
        }


@dataclass(frozen=True)
class LevelResult:
    level: str  # an Intervention level, or "" for the one level of Training and Competences
    rules: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool | None:
        outcomes = [rule.passed for rule in self.rules]
        if False in outcomes:
            return False
        if None in outcomes:
            return None
        return True

    @property
    def label(self) -> str:
        if self.level:
            return str(InterventionLevel(self.level).label)
        return _("Certified")


@dataclass(frozen=True)
class Evaluation:
    levels: tuple[LevelResult, ...]

    @property
    def complete(self) -> bool:
        """Every standard has its consolidated rating: the answer is final."""
        return all(level.passed is not None for level in self.levels)

    @property
    def proposed(self) -> LevelResult | None:
        """The highest level whose rules all pass (None: not to certify, or not yet known)."""
        passing = [level for level in self.levels if level.passed]
        return passing[-1] if passing else None

    @property
    def proposal(self) -> str:
        if not self.complete and self.proposed is None:
            return _("Not known yet: some standards wait for their consolidated rating.")
        if self.proposed is None:
            return _("Do not certify: no level's rules pass.")
        if self.proposed.level:
            return _("Certify at the %(level)s level.") % {"level": self.proposed.label}
        return _("Certify.")


def evaluate(
    *,
    rules: ScoringRules,
    standards: Iterable[StandardFacts],
    ratings: Mapping[str, str],
    target_level: str = "",
) -> Evaluation:
    """Each level up to ``target_level`` (Intervention) or the one level (Training,
    Competences), each with its rules over the standards that apply to it. ``ratings`` maps a
    code to its consolidated rating (met, partially_met, not_met, not_applicable; missing or
    empty: not consolidated yet)."""
    standards = list(standards)
    if rules.component == Component.COMPETENCES:
        core = [s for s in standards if s.is_core]
        others = [s for s in standards if not s.is_core]
        return Evaluation(
            (
                LevelResult(
                    "",
                    (
                        _rule("core", _share(rules.core_met_share), core, ratings),
                        _rule("non_core", _share(rules.non_core_met_share), others, ratings),
                    ),
                ),
            )
        )
    if rules.component == Component.INTERVENTION:
        top = LEVEL_ORDER.index(InterventionLevel(target_level)) if target_level else 0
        scopes = [
            (str(level), [s for s in standards if level in s.levels])
            for level in LEVEL_ORDER[: top + 1]
        ]
    else:
        scopes = [("", standards)]
    return Evaluation(
        tuple(
            LevelResult(
                level,
                (
                    _rule(
                        "elementary",
                        _share(rules.elementary_met_share),
                        [s for s in scope if s.level == Level.ELEMENTARY],
                        ratings,
                    ),
                    _rule(
                        "advanced",
                        _share(rules.advanced_met_share),
                        [s for s in scope if s.level == Level.ADVANCED],
                        ratings,
                    ),
                ),
            )
            for level, scope in scopes
        )
    )


def _share(value: Decimal | None) -> Decimal:
    return EVERY if value is None else Decimal(value)


def _rule(
    key: str, share: Decimal, standards: list[StandardFacts], ratings: Mapping[str, str]
) -> RuleResult:
    def having(wanted: Any) -> tuple[str, ...]:
        return tuple(s.code for s in standards if wanted(ratings.get(s.code) or ""))

    return RuleResult(
        key=key,
        required_share=share,
        applicable=having(lambda r: r != NOT_APPLICABLE),
        met=having(lambda r: r == MET),
        short=having(lambda r: r in SHORT),
        pending=having(lambda r: r == ""),
        not_applicable=having(lambda r: r == NOT_APPLICABLE),
    )


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}"
