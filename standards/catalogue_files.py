"""Catalogue files: parse, validate and normalise; and write back.

A catalogue file is YAML, one per component version (the format is documented in the README).
Validation happens entirely before anything is written: first a JSON Schema for the shape, then
the component's rules (codes, counts, levels, scoring parameters). Every problem found is
reported, each naming the file and the standard code or position it concerns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from standards.choices import (
    CODE_PREFIX,
    EXPECTED_STANDARD_COUNT,
    Component,
    ErnstLevel,
    InterventionLevel,
    Level,
    Setting,
)

STATUSES = ["draft", "active", "retired"]
PAIR_SHARES = ("elementary_met_share", "advanced_met_share")
CORE_SHARES = ("core_met_share", "non_core_met_share")

_TEXT = {"type": "string", "pattern": r"\S"}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_YEARS = {"type": "integer", "minimum": 1, "maximum": 10}

STANDARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "title", "settings", "ernst_levels", "definition", "evidence"],
    "properties": {
        "code": {"type": "string", "pattern": r"^[A-Z]{3}[0-9]{2}$"},
        "title": {**_TEXT, "maxLength": 200},
        "level": {"enum": Level.values},
        "core": {"type": "boolean"},
        "intervention_levels": {
            "type": "array",
            "items": {"enum": InterventionLevel.values},
            "minItems": 1,
            "uniqueItems": True,
        },
        "settings": {
            "type": "array",
            "items": {"enum": Setting.values},
            "minItems": 1,
            "uniqueItems": True,
        },
        "ernst_levels": {
            "type": "array",
            "items": {"enum": ErnstLevel.values},
            "uniqueItems": True,
        },
        "definition": _TEXT,
        "evidence": _TEXT,
        "guidance": {
            "type": "object",
            "propertyNames": {"enum": Setting.values},
            "additionalProperties": _TEXT,
        },
    },
}

CATALOGUE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "component",
        "version",
        "name",
        "publication_date",
        "status",
        "scoring",
        "sections",
    ],
    "properties": {
        "component": {"enum": Component.values},
        "version": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"},
        "name": {**_TEXT, "maxLength": 200},
        "publication_date": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "status": {"enum": STATUSES},
        "working_catalogue": {"type": "boolean"},
        "provenance": {"type": "string"},
        "scoring": {
            "type": "object",
            "additionalProperties": False,
            "required": ["lookback_years", "validity_years"],
            "properties": {
                **dict.fromkeys(PAIR_SHARES + CORE_SHARES, _SHARE),
                "lookback_years": _YEARS,
                "validity_years": _YEARS,
            },
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "title", "standards"],
                "properties": {
                    "code": {"type": "string", "pattern": r"^[A-Z]{2,8}$"},
                    "title": {**_TEXT, "maxLength": 200},
                    "description": {"type": "string"},
                    "standards": {"type": "array", "minItems": 1, "items": STANDARD_SCHEMA},
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(CATALOGUE_SCHEMA)


class CatalogueFileError(Exception):
    """A catalogue file was refused. Nothing has been written."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return f"{self.source}: refused ({count} {noun}), nothing was written:\n{lines}"


@dataclass(frozen=True)
class CatalogueDocument:
    """A validated, normalised catalogue file."""

    source: str
    data: dict[str, Any]
    content_hash: str

    @property
    def component(self) -> str:
        return self.data["component"]

    @property
    def version(self) -> str:
        return self.data["version"]

    @property
    def status(self) -> str:
        return self.data["status"]

    def standards(self) -> list[dict[str, Any]]:
        return [std for section in self.data["sections"] for std in section["standards"]]


# --- Reading -----------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def catalogue_file_read(path: Path | str) -> CatalogueDocument:
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueFileError(source, ["file not found"]) from None
    except IsADirectoryError:
        raise CatalogueFileError(source, ["is a directory, not a catalogue file"]) from None
    except UnicodeDecodeError as exc:
        raise CatalogueFileError(source, [f"not UTF-8 text ({exc.reason})"]) from None
    return catalogue_text_parse(text, source=source)


def catalogue_text_parse(text: str, *, source: str) -> CatalogueDocument:
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CatalogueFileError(source, [_yaml_error_message(exc)]) from None
    if not isinstance(raw, dict):
        raise CatalogueFileError(source, ["the file must be a YAML mapping of catalogue fields"])
    if isinstance(raw.get("publication_date"), date):
        raw["publication_date"] = raw["publication_date"].isoformat()

    problems = [_schema_problem(error, raw) for error in _sorted_errors(raw)]
    if problems:
        raise CatalogueFileError(source, problems)
    problems = _rule_problems(raw)
    if problems:
        raise CatalogueFileError(source, problems)

    data = _normalise(raw)
    return CatalogueDocument(source=source, data=data, content_hash=content_hash(data))


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: YAML syntax error: {problem}"
    return f"YAML syntax error: {problem}"


def _sorted_errors(raw: dict[str, Any]) -> list[ValidationError]:
    return sorted(_VALIDATOR.iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path])


def _location(raw: dict[str, Any], path: list[Any]) -> str:
    """Name where a problem is: the standard's code when it has one, else its position."""
    if len(path) >= 2 and path[0] == "sections" and isinstance(path[1], int):
        section_no = path[1] + 1
        if len(path) >= 4 and path[2] == "standards" and isinstance(path[3], int):
            entry_no = path[3] + 1
            try:
                code = raw["sections"][path[1]]["standards"][path[3]].get("code")
            except (AttributeError, IndexError, KeyError, TypeError):
                code = None
            where = f"section {section_no}, entry {entry_no}"
            label = (
                f"standard {code} ({where})" if isinstance(code, str) else f"standard at {where}"
            )
            rest = path[4:]
        else:
            label = f"section {section_no}"
            rest = path[2:]
    else:
        label = ""
        rest = path
    field = ".".join(str(p) for p in rest)
    if label and field:
        return f"{label}, field '{field}'"
    if field:
        return f"field '{field}'"
    return label or "top level"


def _schema_problem(error: ValidationError, raw: dict[str, Any]) -> str:
    path = list(error.absolute_path)
    where = _location(raw, path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{where}: missing required field '{missing}'"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message.replace('Additional properties', 'unknown fields')}"
    if error.validator == "pattern" and path and path[-1] in ("definition", "evidence", "title"):
        return f"{where}: must not be empty"
    if error.validator == "type" and error.validator_value == "string" and path == ["version"]:
        return f'{where}: must be text; put the version label in quotes, e.g. "2026.1"'
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)  # type: ignore[union-attr]
        return f"{where}: {error.instance!r} is not one of: {allowed}"
    return f"{where}: {error.message}"


def _rule_problems(raw: dict[str, Any]) -> list[str]:
    """The component's rules, on a document whose shape is already valid."""
    problems: list[str] = []
    component = Component(raw["component"])
    prefix = CODE_PREFIX[component]

    try:
        date.fromisoformat(raw["publication_date"])
    except ValueError:
        problems.append(f"field 'publication_date': {raw['publication_date']!r} is not a date")

    scoring = raw["scoring"]
    wanted, unwanted = (CORE_SHARES, PAIR_SHARES)
    if component != Component.COMPETENCES:
        wanted, unwanted = PAIR_SHARES, CORE_SHARES
    problems += [
        f"field 'scoring.{key}' is required for {component.label}"
        for key in wanted
        if key not in scoring
    ]
    problems += [
        f"field 'scoring.{key}' does not apply to {component.label}"
        for key in unwanted
        if key in scoring
    ]

    section_codes: set[str] = set()
    codes: dict[str, str] = {}
    count = 0
    for s_index, section in enumerate(raw["sections"]):
        if section["code"] in section_codes:
            problems.append(f"section {s_index + 1}: duplicate section code {section['code']}")
        section_codes.add(section["code"])
        for e_index, std in enumerate(section["standards"]):
            count += 1
            where = f"section {s_index + 1}, entry {e_index + 1}"
            code = std["code"]
            label = f"standard {code} ({where})"
            if code in codes:
                problems.append(f"{label}: duplicate code, already used at {codes[code]}")
            else:
                codes[code] = where
            if not code.startswith(prefix):
                problems.append(f"{label}: {component.label} codes start with {prefix}")
            problems += [f"{label}: {p}" for p in _standard_rule_problems(component, std)]

    expected = EXPECTED_STANDARD_COUNT[component]
    if count != expected:
        problems.append(f"{component.label} has {expected} standards; this file has {count}")
    return problems


def _standard_rule_problems(component: Component, std: dict[str, Any]) -> list[str]:
    problems = []
    if component == Component.COMPETENCES:
        if "level" in std:
            problems.append("competences have no Elementary/Advanced level; use 'core: true/false'")
        if "core" not in std:
            problems.append("missing required field 'core' (true for CORE competences)")
        if "intervention_levels" in std:
            problems.append("'intervention_levels' applies to Intervention standards only")
    else:
        if "level" not in std:
            problems.append("missing required field 'level' (elementary or advanced)")
        if "core" in std:
            problems.append("'core' applies to competences only")
        if component == Component.INTERVENTION and "intervention_levels" not in std:
            problems.append("missing required field 'intervention_levels'")
        if component == Component.TRAINING and "intervention_levels" in std:
            problems.append("'intervention_levels' applies to Intervention standards only")
    stray = sorted(set(std.get("guidance", {})) - set(std["settings"]))
    if stray:
        problems.append(
            f"guidance for setting(s) the standard does not apply to: {', '.join(stray)}"
        )
    return problems


# --- Normal form and hash ----------------------------------------------------------------------


def _share(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.001")))


def _normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """The canonical content: every optional field present, text stripped, shares exact."""
    scoring = raw["scoring"]
    return {
        "component": raw["component"],
        "version": raw["version"],
        "name": raw["name"].strip(),
        "publication_date": raw["publication_date"],
        "status": raw["status"],
        "working_catalogue": bool(raw.get("working_catalogue", False)),
        "provenance": (raw.get("provenance") or "").strip(),
        "scoring": {
            **{key: _share(scoring.get(key)) for key in PAIR_SHARES + CORE_SHARES},
            "lookback_years": scoring["lookback_years"],
            "validity_years": scoring["validity_years"],
        },
        "sections": [
            {
                "code": section["code"],
                "title": section["title"].strip(),
                "description": (section.get("description") or "").strip(),
                "standards": [_normalise_standard(std) for std in section["standards"]],
            }
            for section in raw["sections"]
        ],
    }


def _normalise_standard(std: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": std["code"],
        "title": std["title"].strip(),
        "level": std.get("level", ""),
        "core": bool(std.get("core", False)),
        "intervention_levels": [
            v for v in InterventionLevel.values if v in std.get("intervention_levels", [])
        ],
        "settings": [v for v in Setting.values if v in std["settings"]],
        "ernst_levels": sorted(std["ernst_levels"]),
        "definition": std["definition"].strip(),
        "evidence": std["evidence"].strip(),
        "guidance": {k: v.strip() for k, v in sorted(std.get("guidance", {}).items())},
    }


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical content. The status is not content: changing it is allowed."""
    content = {key: value for key, value in data.items() if key != "status"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 and "\n" not in value else None
    if "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(isinstance(item, str | int) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(list, _list_representer)


def catalogue_dump(data: dict[str, Any]) -> str:
    """Write a normalised catalogue in the file format, leaving out empty optional fields."""
    doc: dict[str, Any] = {
        "component": data["component"],
        "version": data["version"],
        "name": data["name"],
        "publication_date": date.fromisoformat(data["publication_date"]),
        "status": data["status"],
        "working_catalogue": data["working_catalogue"],
    }
    if data["provenance"]:
        doc["provenance"] = data["provenance"]
    doc["scoring"] = {
        **{
            k: float(v)
            for k, v in data["scoring"].items()
            if k.endswith("_share") and v is not None
        },
        "lookback_years": data["scoring"]["lookback_years"],
        "validity_years": data["scoring"]["validity_years"],
    }
    doc["sections"] = []
    for section in data["sections"]:
        out: dict[str, Any] = {"code": section["code"], "title": section["title"]}
        if section["description"]:
            out["description"] = section["description"]
        out["standards"] = [_dump_standard(std, data["component"]) for std in section["standards"]]
        doc["sections"].append(out)
    header = f"# {data['name']} {data['version']}, exported by manage.py export_catalogue\n"
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _dump_standard(std: dict[str, Any], component: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": std["code"], "title": std["title"]}
    if component == Component.COMPETENCES:
        out["core"] = std["core"]
    else:
        out["level"] = std["level"]
    if std["intervention_levels"]:
        out["intervention_levels"] = std["intervention_levels"]
    out["settings"] = std["settings"]
    out["ernst_levels"] = std["ernst_levels"]
    out["definition"] = std["definition"]
    out["evidence"] = std["evidence"]
    if std["guidance"]:
        out["guidance"] = std["guidance"]
    return out
