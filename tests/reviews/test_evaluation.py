"""The rule evaluation as a table: rules, standards and consolidated ratings in, each level's
rules out (passed, failed or pending, with the standards that make it so)."""

from decimal import Decimal

import pytest

from reviews.evaluation import ScoringRules, StandardFacts, evaluate

INTERVENTION = ScoringRules(
    "intervention", elementary_met_share=Decimal(1), advanced_met_share=Decimal("0.5")
)
TRAINING = ScoringRules(
    "training", elementary_met_share=Decimal(1), advanced_met_share=Decimal("0.5")
)
COMPETENCES = ScoringRules(
    "competences", core_met_share=Decimal(1), non_core_met_share=Decimal("0.6")
)

ALL_LEVELS = frozenset({"design", "execution", "comprehensive"})


def e(code: str, levels: frozenset[str] = ALL_LEVELS) -> StandardFacts:
    return StandardFacts(code, level="elementary", levels=levels)


def a(code: str, levels: frozenset[str] = ALL_LEVELS) -> StandardFacts:
    return StandardFacts(code, level="advanced", levels=levels)


def core(code: str) -> StandardFacts:
    return StandardFacts(code, is_core=True)


def other(code: str) -> StandardFacts:
    return StandardFacts(code)


TRAINING_STANDARDS = [e("E1"), e("E2"), a("A1"), a("A2"), a("A3"), a("A4")]
ALL_MET = {s.code: "met" for s in TRAINING_STANDARDS}

# (case, rules, standards, ratings, {rule key: (passed, short or pending codes)}, proposal level)
CASES = [
    (
        "everything met",
        TRAINING,
        TRAINING_STANDARDS,
        ALL_MET,
        {"elementary": (True, ()), "advanced": (True, ())},
        "",
    ),
    (
        "one Elementary partially met fails",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, "E2": "partially_met"},
        {"elementary": (False, ("E2",)), "advanced": (True, ())},
        None,
    ),
    (
        "half the Advanced met is the share",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, "A1": "not_met", "A2": "partially_met"},
        {"elementary": (True, ()), "advanced": (True, ("A1", "A2"))},
        "",
    ),
    (
        "below the share fails with the standards short",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, "A1": "not_met", "A2": "not_met", "A3": "partially_met"},
        {"elementary": (True, ()), "advanced": (False, ("A1", "A2", "A3"))},
        None,
    ),
    (
        "not applicable leaves the share's count",
        TRAINING,
        TRAINING_STANDARDS,
        # 1 met of 2 applicable Advanced: 50 %, the share
        {**ALL_MET, "A1": "not_applicable", "A2": "not_applicable", "A3": "not_met"},
        {"elementary": (True, ()), "advanced": (True, ("A3",))},
        "",
    ),
    (
        "an Elementary standard not applicable is no gap",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, "E1": "not_applicable"},
        {"elementary": (True, ()), "advanced": (True, ())},
        "",
    ),
    (
        "every Advanced not applicable: an empty share holds",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, **dict.fromkeys(("A1", "A2", "A3", "A4"), "not_applicable")},
        {"elementary": (True, ()), "advanced": (True, ())},
        "",
    ),
    (
        "no Advanced standard at all: an empty share holds",
        TRAINING,
        [e("E1")],
        {"E1": "met"},
        {"elementary": (True, ()), "advanced": (True, ())},
        "",
    ),
    (
        "a standard not consolidated yet leaves its rule pending",
        TRAINING,
        TRAINING_STANDARDS,
        {**ALL_MET, "A4": ""},
        {"elementary": (True, ()), "advanced": (None, ("A4",))},
        None,
    ),
    (
        "a failing rule fails even while another waits",
        TRAINING,
        TRAINING_STANDARDS,
        {k: v for k, v in {**ALL_MET, "E1": "not_met"}.items() if k != "A1"},
        {"elementary": (False, ("E1",)), "advanced": (None, ("A1",))},
        None,
    ),
    (
        "a share left empty in the catalogue means every one",
        ScoringRules("training"),
        TRAINING_STANDARDS,
        {**ALL_MET, "A1": "partially_met"},
        {"elementary": (True, ()), "advanced": (False, ("A1",))},
        None,
    ),
    (
        "competences: CORE and the share of the rest",
        COMPETENCES,
        [core("C1"), core("C2"), other("O1"), other("O2"), other("O3"), other("O4"), other("O5")],
        {
            "C1": "met",
            "C2": "met",
            "O1": "met",
            "O2": "met",
            "O3": "met",
            "O4": "not_met",
            "O5": "partially_met",
        },
        {"core": (True, ()), "non_core": (True, ("O4", "O5"))},
        "",
    ),
    (
        "competences: one CORE short fails whatever the rest",
        COMPETENCES,
        [core("C1"), core("C2"), other("O1")],
        {"C1": "met", "C2": "partially_met", "O1": "met"},
        {"core": (False, ("C2",)), "non_core": (True, ())},
        None,
    ),
    (
        "competences: the share just met (60 % of 5 others needs 3, 3 met)",
        COMPETENCES,
        [core("C1"), other("O1"), other("O2"), other("O3"), other("O4"), other("O5")],
        {"C1": "met", "O1": "met", "O2": "met", "O3": "met", "O4": "not_met", "O5": "not_met"},
        {"core": (True, ()), "non_core": (True, ("O4", "O5"))},
        "",
    ),
    (
        "competences: a competence not applicable leaves the count (60 % of 4 needs 3)",
        COMPETENCES,
        [core("C1"), other("O1"), other("O2"), other("O3"), other("O4"), other("O5")],
        {
            "C1": "met",
            "O1": "met",
            "O2": "met",
            "O3": "not_met",
            "O4": "not_met",
            "O5": "not_applicable",
        },
        {"core": (True, ()), "non_core": (False, ("O3", "O4"))},
        None,
    ),
    (
        "competences: 60 % of 4 others needs 3",
        COMPETENCES,
        [core("C1"), other("O1"), other("O2"), other("O3"), other("O4")],
        {"C1": "met", "O1": "met", "O2": "met", "O3": "not_met", "O4": "not_met"},
        {"core": (True, ()), "non_core": (False, ("O3", "O4"))},
        None,
    ),
]


@pytest.mark.parametrize(
    ("rules", "standards", "ratings", "expected", "proposed"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_rules_of_one_level(rules, standards, ratings, expected, proposed) -> None:  # type: ignore[no-untyped-def]
    evaluation = evaluate(rules=rules, standards=standards, ratings=ratings)
    [level] = evaluation.levels
    got = {
        rule.key: (rule.passed, rule.pending if rule.passed is None else rule.short)
        for rule in level.rules
    }
    assert got == expected
    assert (evaluation.proposed.level if evaluation.proposed else None) == proposed
    for rule in level.rules:  # every outcome is explained with its standards
        for code in rule.short if rule.passed is False else rule.pending:
            assert code in rule.explanation


def test_each_intervention_level_reads_the_standards_that_apply_to_it() -> None:
    """Design needs D1 and D2; Execution adds X1 (Elementary) and XA (Advanced). X1 not met:
    Design passes, Execution fails, the proposal is Design; Comprehensive is not evaluated for an
    Execution audit."""
    design = frozenset({"design", "execution", "comprehensive"})
    later = frozenset({"execution", "comprehensive"})
    standards = [e("D1", design), e("D2", design), e("X1", later), a("XA", later)]
    ratings = {"D1": "met", "D2": "met", "X1": "not_met", "XA": "met"}
    evaluation = evaluate(
        rules=INTERVENTION, standards=standards, ratings=ratings, target_level="execution"
    )
    assert [(level.level, level.passed) for level in evaluation.levels] == [
        ("design", True),
        ("execution", False),
    ]
    design_rules, execution_rules = (level.rules for level in evaluation.levels)
    assert design_rules[0].applicable == ("D1", "D2")
    assert design_rules[1].applicable == ()  # no Advanced standard at Design: it holds
    assert execution_rules[0].short == ("X1",)
    assert evaluation.complete
    assert evaluation.proposed is not None
    assert evaluation.proposed.level == "design"
    assert "Design" in evaluation.proposal

    ratings["X1"] = "met"
    evaluation = evaluate(
        rules=INTERVENTION, standards=standards, ratings=ratings, target_level="execution"
    )
    assert evaluation.proposed is not None
    assert evaluation.proposed.level == "execution"


def test_the_proposal_says_when_it_is_not_known_yet_or_negative() -> None:
    pending = evaluate(rules=TRAINING, standards=TRAINING_STANDARDS, ratings={})
    assert not pending.complete
    assert pending.proposed is None
    assert "Not known yet" in pending.proposal
    failing = evaluate(
        rules=TRAINING, standards=TRAINING_STANDARDS, ratings={**ALL_MET, "E1": "not_met"}
    )
    assert failing.complete
    assert "Do not certify" in failing.proposal
    assert (
        evaluate(rules=TRAINING, standards=TRAINING_STANDARDS, ratings=ALL_MET).proposal
        == "Certify."
    )


def test_the_labels_state_the_shares() -> None:
    [level] = evaluate(rules=TRAINING, standards=TRAINING_STANDARDS, ratings=ALL_MET).levels
    assert [rule.label for rule in level.rules] == [
        "Every applicable Elementary standard is met",
        "At least 50% of the applicable Advanced standards are met",
    ]
    assert level.rules[1].explanation == "4 of 4 met, 2 needed."
