"""Loading catalogue files: the shipped catalogue, each class of bad file, idempotence, versions."""

import copy
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from audits.models import Audit
from standards.catalogue_files import catalogue_text_parse
from standards.choices import Component
from standards.models import CatalogueVersion, Section, Standard, StandardGuidance
from standards.services import CatalogueRefusedError, catalogue_export, catalogue_load
from tests.conftest import CATALOGUE_FILES
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

INTERVENTION_FILE = next(p for p in CATALOGUE_FILES if p.name.startswith("intervention"))


def shipped(component: str) -> dict[str, Any]:
    path = next(p for p in CATALOGUE_FILES if p.name.startswith(component))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any], name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def db_state() -> tuple[Any, ...]:
    """Everything the loader writes, to prove that a refused load wrote nothing."""
    return (
        list(CatalogueVersion.objects.order_by("pk").values()),
        list(Section.objects.order_by("pk").values()),
        list(Standard.objects.order_by("pk").values()),
        list(StandardGuidance.objects.order_by("pk").values()),
    )


def entry(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for sec in data["sections"] for s in sec["standards"] if s["code"] == code)


# --- The shipped catalogue ---------------------------------------------------------------------


def test_shipped_catalogue_has_the_published_counts(catalogue: None) -> None:
    counts = {
        v.component: v.standards.count() for v in CatalogueVersion.objects.filter(status="active")
    }
    assert counts == {"intervention": 30, "training": 11, "competences": 14}


def test_shipped_codes_are_the_expected_sequences(catalogue: None) -> None:
    for component, prefix, count in (
        ("intervention", "INT", 30),
        ("training", "TRA", 11),
        ("competences", "COM", 14),
    ):
        codes = list(
            Standard.objects.filter(catalogue_version__component=component)
            .order_by("order")
            .values_list("code", flat=True)
        )
        assert codes == [f"{prefix}{n:02d}" for n in range(1, count + 1)]


def test_core_competences_are_com02_com05_com07(catalogue: None) -> None:
    core = Standard.objects.filter(catalogue_version__component="competences", is_core=True)
    assert sorted(core.values_list("code", flat=True)) == ["COM02", "COM05", "COM07"]
    assert not Standard.objects.filter(catalogue_version__component="competences").exclude(level="")


def test_every_standard_is_complete(catalogue: None) -> None:
    for standard in Standard.objects.select_related("catalogue_version"):
        assert standard.title.strip(), standard.code
        assert len(standard.operational_definition.strip()) > 40, standard.code
        assert len(standard.evidence_required.strip()) > 30, standard.code
        assert standard.settings, standard.code
        if standard.catalogue_version.component == Component.COMPETENCES:
            assert standard.level == ""
        else:
            assert standard.level in ("elementary", "advanced"), standard.code
        if standard.catalogue_version.component == Component.INTERVENTION:
            assert standard.intervention_levels, standard.code
        else:
            assert standard.intervention_levels == [], standard.code


def test_every_intervention_level_and_class_is_represented(catalogue: None) -> None:
    intervention = Standard.objects.filter(catalogue_version__component="intervention")
    for field in ("applies_design", "applies_execution", "applies_comprehensive"):
        assert intervention.filter(**{field: True}).count() >= 10, field
    for component in ("intervention", "training"):
        levels = set(
            Standard.objects.filter(catalogue_version__component=component).values_list(
                "level", flat=True
            )
        )
        assert levels == {"elementary", "advanced"}


def test_shipped_versions_are_labelled_working_catalogue(catalogue: None) -> None:
    for version in CatalogueVersion.objects.all():
        assert version.is_working_catalogue
        assert "working catalogue" in version.name.lower()
        assert "official" in version.provenance.lower()


def test_scoring_parameters_are_loaded(catalogue: None) -> None:
    intervention = CatalogueVersion.objects.get(component="intervention")
    assert intervention.elementary_met_share == 1
    assert intervention.advanced_met_share is not None
    assert intervention.core_met_share is None
    assert intervention.lookback_years == 3
    competences = CatalogueVersion.objects.get(component="competences")
    assert competences.core_met_share == 1
    assert competences.non_core_met_share is not None
    assert competences.elementary_met_share is None
    assert competences.lookback_years == 5


# --- Bad files ---------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(code: str, key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        entry(data, code)[key] = value

    return mutate


def _drop(code: str, key: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del entry(data, code)[key]

    return mutate


def _duplicate_code(data: dict[str, Any]) -> None:
    entry(data, "INT12")["code"] = "INT11"


def _drop_last_standard(data: dict[str, Any]) -> None:
    data["sections"][-1]["standards"].pop()


def _extra_standard(data: dict[str, Any]) -> None:
    extra = copy.deepcopy(entry(data, "INT30"))
    extra["code"] = "INT31"
    data["sections"][-1]["standards"].append(extra)


def _top(key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data[key] = value

    return mutate


def _scoring(key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        if value is None:
            del data["scoring"][key]
        else:
            data["scoring"][key] = value

    return mutate


def _duplicate_section(data: dict[str, Any]) -> None:
    data["sections"][1]["code"] = data["sections"][0]["code"]


BAD_INTERVENTION_FILES = [
    pytest.param(
        _drop("INT07", "evidence"),
        ["INT07", "missing required field 'evidence'"],
        id="missing-evidence",
    ),
    pytest.param(
        _set("INT03", "definition", "   "),
        ["INT03", "'definition'", "must not be empty"],
        id="empty-definition",
    ),
    pytest.param(
        _set("INT05", "level", "expert"), ["INT05", "'expert' is not one of"], id="unknown-level"
    ),
    pytest.param(
        _drop("INT05", "level"), ["INT05", "missing required field 'level'"], id="missing-level"
    ),
    pytest.param(
        _set("INT09", "settings", ["hospital", "prison"]),
        ["INT09", "'prison' is not one of"],
        id="unknown-setting",
    ),
    pytest.param(
        _set("INT10", "intervention_levels", ["planning"]),
        ["INT10", "'planning' is not one of"],
        id="unknown-intervention-level",
    ),
    pytest.param(
        _drop("INT10", "intervention_levels"),
        ["INT10", "missing required field 'intervention_levels'"],
        id="missing-intervention-levels",
    ),
    pytest.param(
        _set("INT11", "ernst_levels", [6]), ["INT11", "6 is not one of"], id="unknown-ernst-level"
    ),
    pytest.param(
        _set("INT02", "core", True),
        ["INT02", "'core' applies to competences only"],
        id="core-on-intervention",
    ),
    pytest.param(
        _set("INT02", "levle", "advanced"),
        ["INT02", "unknown fields", "'levle'"],
        id="unknown-field",
    ),
    pytest.param(_set("INT04", "guidance", {"nursing_home": "x"}), [], id="guidance-ok-control"),
    pytest.param(_duplicate_code, ["INT11", "duplicate code"], id="duplicate-code"),
    pytest.param(
        _set("INT08", "code", "TRA08"), ["TRA08", "codes start with INT"], id="wrong-prefix"
    ),
    pytest.param(_drop_last_standard, ["has 30 standards; this file has 29"], id="too-few"),
    pytest.param(_extra_standard, ["has 30 standards; this file has 31"], id="too-many"),
    pytest.param(_duplicate_section, ["duplicate section code"], id="duplicate-section"),
    pytest.param(
        _top("version", 2026.2),
        ["'version'", "put the version label in quotes"],
        id="unquoted-version",
    ),
    pytest.param(
        _top("publication_date", "2026-02-30"),
        ["'publication_date'", "is not a date"],
        id="bad-date",
    ),
    pytest.param(
        _top("component", "mastery"),
        ["'component'", "'mastery' is not one of"],
        id="unknown-component",
    ),
    pytest.param(
        _top("status", "published"), ["'status'", "'published' is not one of"], id="unknown-status"
    ),
    pytest.param(
        _scoring("advanced_met_share", 1.5),
        ["'scoring.advanced_met_share'", "1.5"],
        id="share-above-one",
    ),
    pytest.param(
        _scoring("advanced_met_share", None),
        ["scoring.advanced_met_share' is required"],
        id="missing-share",
    ),
    pytest.param(
        _scoring("core_met_share", 1.0),
        ["scoring.core_met_share' does not apply"],
        id="foreign-share",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_INTERVENTION_FILES)
def test_bad_file_is_refused_with_a_clear_message_and_writes_nothing(
    tmp_path: Path, catalogue: None, mutate: Mutation, expected: list[str]
) -> None:
    data = shipped("intervention")
    data["version"] = "2099.1"  # a new version, so that a wrongly accepted file would be written
    mutate(data)
    path = write(tmp_path, data, "bad-intervention.yaml")
    before = db_state()

    if not expected:  # the control case: the mutation is valid and the file loads
        catalogue_load(paths=[path])
        assert db_state() != before
        return

    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[path])
    message = str(refused.value)
    assert "bad-intervention.yaml" in message
    assert "nothing was written" in message
    for fragment in expected:
        assert fragment in message
    assert db_state() == before


def test_guidance_for_a_setting_the_standard_does_not_cover_is_refused(tmp_path: Path) -> None:
    data = shipped("intervention")
    target = entry(data, "INT04")
    target["settings"] = ["hospital"]
    target["guidance"] = {"primary_care": "Arrange cover across practices."}
    with pytest.raises(
        CatalogueRefusedError, match=r"INT04.*guidance for setting\(s\).*primary_care"
    ):
        catalogue_load(paths=[write(tmp_path, data)])
    assert not CatalogueVersion.objects.exists()


def test_competence_with_a_level_is_refused(tmp_path: Path) -> None:
    data = shipped("competences")
    entry(data, "COM03")["level"] = "advanced"
    del entry(data, "COM04")["core"]
    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[write(tmp_path, data)])
    message = str(refused.value)
    assert "standard COM03" in message
    assert "use 'core: true/false'" in message
    assert "standard COM04" in message
    assert "missing required field 'core'" in message
    assert not CatalogueVersion.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("component: intervention\n  version: [", "line 2", id="yaml-syntax"),
        pytest.param(
            "component: training\ncomponent: intervention\n",
            "duplicate key 'component'",
            id="duplicate-key",
        ),
        pytest.param("- just\n- a list\n", "must be a YAML mapping", id="not-a-mapping"),
        pytest.param("", "must be a YAML mapping", id="empty-file"),
    ],
)
def test_unreadable_file_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[path])
    assert "broken.yaml" in str(refused.value)
    assert expected in str(refused.value)
    assert not CatalogueVersion.objects.exists()


def test_missing_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Pflegeheim Am Lindenhöf".encode("latin-1"))
    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[tmp_path / "absent.yaml", latin])
    message = str(refused.value)
    assert "absent.yaml: refused (1 problem), nothing was written:\n  - file not found" in message
    assert "latin.yaml: refused (1 problem), nothing was written:\n  - not UTF-8" in message


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    data = shipped("intervention")
    del entry(data, "INT01")["evidence"]
    entry(data, "INT20")["level"] = "expert"
    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[write(tmp_path, data)])
    message = str(refused.value)
    assert "2 problems" in message
    assert "standard INT01 (section 1, entry 1)" in message
    assert "INT20" in message


def test_one_bad_file_among_several_writes_nothing(tmp_path: Path) -> None:
    bad = shipped("training")
    del entry(bad, "TRA03")["definition"]
    with pytest.raises(CatalogueRefusedError, match="TRA03"):
        catalogue_load(paths=[*CATALOGUE_FILES, write(tmp_path, bad, "training-bad.yaml")])
    assert not CatalogueVersion.objects.exists()
    assert not Standard.objects.exists()


def test_two_files_for_the_same_version_are_refused(tmp_path: Path) -> None:
    copy_path = write(tmp_path, shipped("intervention"), "copy.yaml")
    with pytest.raises(CatalogueRefusedError, match=r"intervention version 2026\.1 is also in"):
        catalogue_load(paths=[INTERVENTION_FILE, copy_path])
    assert not CatalogueVersion.objects.exists()


def test_two_active_versions_of_a_component_in_one_load_are_refused(tmp_path: Path) -> None:
    other = shipped("intervention")
    other["version"] = "2027.1"
    with pytest.raises(CatalogueRefusedError, match="only one version per component is active"):
        catalogue_load(paths=[INTERVENTION_FILE, write(tmp_path, other)])
    assert not CatalogueVersion.objects.exists()


# --- Idempotence and versions ------------------------------------------------------------------


def test_loading_twice_creates_nothing_new(catalogue: None) -> None:
    before = db_state()
    results = catalogue_load(paths=CATALOGUE_FILES)
    assert [r.outcome for r in results] == ["unchanged"] * 3
    assert db_state() == before


def test_whitespace_and_comment_edits_are_no_ops(tmp_path: Path, catalogue: None) -> None:
    text = INTERVENTION_FILE.read_text(encoding="utf-8")
    path = tmp_path / "reformatted.yaml"
    path.write_text("# a new comment\n" + text.replace("\n\n", "\n") + "\n\n", encoding="utf-8")
    before = db_state()
    [result] = catalogue_load(paths=[path])
    assert result.outcome == "unchanged"
    assert db_state() == before


def _audit_on(version: CatalogueVersion) -> Audit:
    return Audit.objects.create(
        institution=InstitutionFactory(), catalogue_version=version, setting="hospital"
    )


def test_changed_file_for_a_version_in_use_is_refused(tmp_path: Path, catalogue: None) -> None:
    version = CatalogueVersion.objects.get(component="intervention")
    _audit_on(version)
    data = shipped("intervention")
    entry(data, "INT01")["title"] = "A reworded title"
    before = db_state()
    with pytest.raises(CatalogueRefusedError) as refused:
        catalogue_load(paths=[write(tmp_path, data, "reworded.yaml")])
    message = str(refused.value)
    assert "reworded.yaml" in message
    assert "used by 1 audit(s)" in message
    assert "new version label" in message
    assert db_state() == before


def test_changed_file_for_a_version_not_in_use_replaces_its_content(
    tmp_path: Path, catalogue: None
) -> None:
    data = shipped("intervention")
    entry(data, "INT01")["title"] = "A reworded title"
    [result] = catalogue_load(paths=[write(tmp_path, data)])
    assert result.outcome == "replaced"
    version = CatalogueVersion.objects.get(component="intervention")
    assert version.standards.get(code="INT01").title == "A reworded title"
    assert version.standards.count() == 30
    assert Standard.objects.filter(catalogue_version__component="intervention").count() == 30


def test_status_change_is_allowed_for_a_version_in_use(tmp_path: Path, catalogue: None) -> None:
    version = CatalogueVersion.objects.get(component="intervention")
    _audit_on(version)
    data = shipped("intervention")
    data["status"] = "retired"
    standards_before = list(version.standards.order_by("pk").values())
    [result] = catalogue_load(paths=[write(tmp_path, data)])
    assert result.outcome == "status changed"
    version.refresh_from_db()
    assert version.status == "retired"
    assert list(version.standards.order_by("pk").values()) == standards_before


def test_new_active_version_retires_the_previous_one_and_keeps_audits_pinned(
    tmp_path: Path, catalogue: None
) -> None:
    old = CatalogueVersion.objects.get(component="intervention")
    audit = _audit_on(old)
    data = shipped("intervention")
    data["version"] = "2027.1"
    entry(data, "INT01")["title"] = "A reworded title"
    [result] = catalogue_load(paths=[write(tmp_path, data)])
    assert result.outcome == "created"
    assert result.retired == [old]
    old.refresh_from_db()
    assert old.status == "retired"
    assert (
        CatalogueVersion.objects.get(component="intervention", status="active").version == "2027.1"
    )
    audit.refresh_from_db()
    assert audit.catalogue_version == old
    assert old.standards.get(code="INT01").title != "A reworded title"


# --- Export ------------------------------------------------------------------------------------


def test_export_round_trips_to_the_same_content(catalogue: None) -> None:
    for version in CatalogueVersion.objects.all():
        text = catalogue_export(version=version)
        document = catalogue_text_parse(text, source="export")
        assert document.content_hash == version.content_hash
        assert document.status == version.status


def test_export_command_writes_a_file_that_loads_as_unchanged(
    tmp_path: Path, catalogue: None
) -> None:
    out = tmp_path / "exported.yaml"
    call_command(
        "export_catalogue", "2026.1", component="competences", output=out, stderr=StringIO()
    )
    assert "COM07" in out.read_text(encoding="utf-8")
    [result] = catalogue_load(paths=[out])
    assert result.outcome == "unchanged"


def test_export_command_asks_for_the_component_when_ambiguous(catalogue: None) -> None:
    with pytest.raises(CommandError, match="choose one with --component"):
        call_command("export_catalogue", "2026.1", stdout=StringIO())
    with pytest.raises(CommandError, match="No catalogue version '1999'"):
        call_command("export_catalogue", "1999", stdout=StringIO())


# --- The command -------------------------------------------------------------------------------


def test_load_command_reports_each_version(db: None) -> None:
    out = StringIO()
    call_command("load_catalogue", str(INTERVENTION_FILE.parent), stdout=out)
    assert "RESCUE-Intervention 2026.1 (30 standards, active): created" in out.getvalue()
    out = StringIO()
    call_command("load_catalogue", str(INTERVENTION_FILE), stdout=out)
    assert "unchanged" in out.getvalue()


def test_load_command_exits_non_zero_on_a_bad_file(tmp_path: Path, db: None) -> None:
    data = shipped("intervention")
    del entry(data, "INT07")["evidence"]
    path = write(tmp_path, data, "int-missing-evidence.yaml")
    with pytest.raises(CommandError) as refused:
        call_command("load_catalogue", str(path), stdout=StringIO())
    assert "int-missing-evidence.yaml" in str(refused.value)
    assert "INT07" in str(refused.value)
    assert not CatalogueVersion.objects.exists()
