import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.personal_data import (
    LABELS,
    XML_CHUNK,
    PersonalDataFinding,
    extract_text,
    scan_file,
    scan_personal_data,
)
from tests.evidence import samples

MARKER = "Peer support lead: ana.garcia@hospital.example"


def findings_by_category(text: str) -> dict[str, PersonalDataFinding]:
    return {finding.category: finding for finding in scan_personal_data(text)}


# --- Text extraction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind_code", "build"),
    [
        ("pdf", lambda: samples.pdf_bytes(MARKER)),
        ("pdf", lambda: samples.rendered_pdf_bytes(MARKER)),
        ("docx", lambda: samples.docx_bytes(["Introduction", MARKER])),
        ("xlsx", lambda: samples.xlsx_bytes([["Role", "Contact"], ["Lead", MARKER]])),
        ("pptx", lambda: samples.pptx_bytes(["Training day", MARKER])),
        ("odt", lambda: samples.odt_bytes(["Introduction", MARKER])),
        ("ods", lambda: samples.ods_bytes([["Role", "Contact"], ["Lead", MARKER]])),
        ("csv", lambda: samples.csv_bytes([["role", "contact"], ["lead", MARKER]])),
        ("txt", lambda: samples.txt_bytes(MARKER)),
        ("txt", lambda: samples.txt_bytes(MARKER, encoding="latin-1")),
        ("txt", lambda: b"\xef\xbb\xbf" + samples.txt_bytes(MARKER)),
    ],
)
def test_extract_text_returns_the_text_put_in(
    tmp_path: Path, kind_code: str, build: Callable[[], bytes]
) -> None:
    path = samples.write_sample(tmp_path, f"sample.{kind_code}", build())
    text = extract_text(path=path, kind_code=kind_code)
    assert MARKER in text
    assert not text.startswith("\ufeff")


def test_paragraphs_and_cells_are_separate_lines_and_split_runs_stay_joined(
    tmp_path: Path,
) -> None:
    # The sample Word document splits every paragraph into two runs, mid-word.
    path = samples.write_sample(tmp_path, "a.docx", samples.docx_bytes(["First one", "Second"]))
    assert extract_text(path=path, kind_code="docx") == "First one\nSecond"
    path = samples.write_sample(tmp_path, "a.ods", samples.ods_bytes([["a1", "b1"], ["a2"]]))
    assert extract_text(path=path, kind_code="ods") == "a1\nb1\na2"


def test_worksheet_numbers_and_inline_strings_are_read(tmp_path: Path) -> None:
    content = samples.xlsx_bytes([["Shared text", 612345678, 2.5]])
    path = samples.write_sample(tmp_path, "a.xlsx", content)
    assert extract_text(path=path, kind_code="xlsx").split("\n") == [
        "Shared text",
        "612345678",
        "2.5",
    ]


@pytest.mark.parametrize("kind_code", ["png", "jpeg"])
def test_images_have_no_text(tmp_path: Path, kind_code: str) -> None:
    path = samples.write_sample(tmp_path, "image", samples.png_bytes())
    assert extract_text(path=path, kind_code=kind_code) == ""


@pytest.mark.parametrize(
    ("kind_code", "content"),
    [
        ("pdf", b"%PDF-1.7\nthis is not really a PDF\n"),
        ("pdf", samples.pdf_bytes(MARKER)[:200]),
        ("docx", b"PK\x03\x04 not a zip"),
        ("docx", samples.docx_bytes()[:300]),
        ("odt", samples.zip_bytes()),
        ("docx", samples.with_part(samples.docx_bytes(), "word/document.xml", "<w:document><")),
    ],
)
def test_unreadable_files_give_no_text_and_no_error(
    tmp_path: Path, kind_code: str, content: bytes
) -> None:
    path = samples.write_sample(tmp_path, "broken", content)
    assert extract_text(path=path, kind_code=kind_code) == ""


def test_a_part_declaring_entities_is_not_expanded(tmp_path: Path) -> None:
    path = samples.write_sample(tmp_path, "lol.docx", samples.entity_expansion_docx_bytes())
    assert extract_text(path=path, kind_code="docx") == ""


def test_a_part_over_50_mb_uncompressed_is_not_read(tmp_path: Path) -> None:
    content = samples.oversized_part_docx_bytes(51 * 1024 * 1024)
    path = samples.write_sample(tmp_path, "bomb.docx", content)
    assert extract_text(path=path, kind_code="docx") == ""


def test_a_large_part_is_read_to_its_end_in_flat_memory(tmp_path: Path) -> None:
    """An 8 MB document.xml (empty paragraphs, then an e-mail address) is parsed a chunk at a
    time and each finished element let go: the address at the very end is found, and the
    scan's memory stays a small fraction of the part."""
    size = 8 * 1024 * 1024
    filler = b"<w:p><w:r><w:t></w:t></w:r></w:p>"
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>"
        + filler * (size // len(filler))
        + b"<w:p><w:r><w:t>"
        + MARKER.encode()
        + b"</w:t></w:r></w:p></w:body></w:document>"
    )
    path = samples.write_sample(
        tmp_path,
        "long.docx",
        samples.with_part(samples.docx_bytes(), "word/document.xml", document),
    )
    del document

    tracemalloc.start()
    try:
        findings = scan_file(path=path, kind_code="docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [f.category for f in findings] == ["email"]
    assert peak < 2 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB"


def test_a_doctype_cut_between_two_chunks_is_still_seen(tmp_path: Path) -> None:
    head = b'<?xml version="1.0"?>'
    padding = b"<!--" + b" " * (XML_CHUNK - len(head) - 4 - 7 - 3) + b"-->"
    document = (
        head
        + padding
        + b'<!DOCTYPE w:document [<!ENTITY who "ana.garcia@hospital.example">]>'
        + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + b"<w:body><w:p><w:r><w:t>&who;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert document[XML_CHUNK - 7 : XML_CHUNK + 2] == b"<!DOCTYPE"  # cut in two
    path = samples.write_sample(
        tmp_path, "cut.docx", samples.with_part(samples.docx_bytes(), "word/document.xml", document)
    )
    assert extract_text(path=path, kind_code="docx") == ""


def test_reading_stops_at_max_chars(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {n} of the peer support procedure." for n in range(500)]
    for kind_code, content in (
        ("docx", samples.docx_bytes(paragraphs)),
        ("txt", samples.txt_bytes("\n".join(paragraphs))),
    ):
        path = samples.write_sample(tmp_path, f"long.{kind_code}", content)
        text = extract_text(path=path, kind_code=kind_code, max_chars=1000)
        assert len(text) == 1000
        assert text.startswith("Paragraph 0 of the peer support procedure.")


# --- Detection ------------------------------------------------------------------------------------

DETECTED = [
    pytest.param(
        "email",
        "Contact the coordinator at jane.doe@hospital-example.org for rota changes.",
        ["jane.doe@hospital-example.org"],
        ["j***@hospital-example.org"],
        id="email",
    ),
    pytest.param(
        "email",
        "Escriba a Maria_Lopez+rescue@salud.example.es.",
        ["Maria_Lopez+rescue@salud.example.es"],
        ["M***@salud.example.es"],
        id="email-plus-address",
    ),
    pytest.param(
        "phone",
        "Call the on-call supporter on +34 612 345 612 at any time.",
        ["+34 612 345 612", "612 345 612", "612345612"],
        ["+34 6** *** *12"],
        id="phone-international",
    ),
    pytest.param(
        "phone",
        "Bel 06-12345678 of 020 794 6095 (kantoor).",
        ["06-12345678", "12345678", "020 794 6095"],
        ["0*-******78", "0** *** **95"],
        id="phone-dutch",
    ),
    pytest.param(
        "phone",
        "UK desk: +44 (0)20 7946 0958. Paris: 01 23 45 67 89.",
        ["7946 0958", "01 23 45 67 89"],
        ["+44 (0)** **** **58", "0* ** ** ** 89"],
        id="phone-parentheses-and-pairs",
    ),
    pytest.param(
        "phone",
        "Tel: 612345678 (mobile of the peer supporter).",
        ["612345678"],
        ["6******78"],
        id="phone-bare-but-labelled",
    ),
    pytest.param(
        "birth_date",
        "Patient Maria, date of birth: 12/03/1980, seen after the incident.",
        ["12/03/1980", "03/1980"],
        ["date of birth **/**/19**"],
        id="birth-date-english",
    ),
    pytest.param(
        "birth_date",
        "Fecha de nacimiento: 4 de marzo de 1975. Geboren am 3. März 1970.",
        ["4 de marzo de 1975", "3. März 1970"],
        ["Fecha de nacimiento * d* m**** d* 19**", "Geboren am *. M*** 19**"],
        id="birth-date-written-out",
    ),
    pytest.param(
        "birth_date",
        "DOB 1980-03-12; né le 05.05.1960; data di nascita 7/8/1955; geboortedatum 1-2-1990",
        ["1980-03-12", "05.05.1960", "7/8/1955", "1-2-1990"],
        ["DOB 19**-**-**", "né le **.**.19**", "data di nascita */*/19**"],
        id="birth-date-labels",
    ),
    pytest.param(
        "patient_id",
        "Incident report for patient number 4471203, MRN: 88812345.",
        ["4471203", "88812345"],
        ["patient number *****03", "MRN ******45"],
        id="patient-id-english",
    ),
    pytest.param(
        "patient_id",
        "Historia clínica nº 1234567; NHC 998877; SIP 12345678.",
        ["1234567", "998877", "12345678"],
        ["Historia clínica *****67", "NHC ****77", "SIP ******78"],
        id="patient-id-spanish",
    ),
    pytest.param(
        "patient_id",
        "NHS number 123 456 7890 (does not pass the check, still a patient identifier)",
        ["123 456 7890"],
        ["NHS number *** *** **90"],
        id="patient-id-nhs-label",
    ),
    pytest.param(
        "national_id",
        "Supporter DNI 12345678Z and NIE X1234567L on the rota.",
        ["12345678Z", "X1234567L"],
        ["1*******Z", "X*******L"],
        id="national-id-spain",
    ),
    pytest.param(
        "national_id",
        "Codice fiscale RSSMRA85T10A562S.",
        ["RSSMRA85T10A562S"],
        ["R**************S"],
        id="national-id-italy",
    ),
    pytest.param(
        "national_id",
        "BSN: 111222333. Losse nummer 123456782.",
        ["111222333", "123456782"],
        ["1*******3", "1*******2"],
        id="national-id-netherlands",
    ),
    pytest.param(
        "national_id",
        "NHS number 943 476 5919.",
        ["943 476 5919", "9434765919"],
        ["9** *** ***9"],
        id="national-id-nhs",
    ),
]


@pytest.mark.parametrize(("category", "text", "values", "examples"), DETECTED)
def test_personal_data_is_detected_with_masked_examples(
    category: str, text: str, values: list[str], examples: list[str]
) -> None:
    finding = findings_by_category(text)[category]
    assert finding.label == LABELS[category]
    assert finding.count >= 1
    assert len(finding.examples) <= 3
    assert list(finding.examples[: len(examples)]) == examples
    for example in finding.examples:
        for value in values:
            assert value not in example


def test_labels_are_in_english() -> None:
    assert LABELS == {
        "email": "E-mail addresses",
        "phone": "Telephone numbers",
        "birth_date": "Dates of birth",
        "patient_id": "Patient identifiers",
        "national_id": "National identity numbers",
    }


def test_distinct_values_are_counted_and_at_most_three_examples_kept() -> None:
    text = " ".join(f"Write to person{n}@example.org." for n in range(5))
    text += " Again: person0@example.org, PERSON1@example.org."
    finding = findings_by_category(text)["email"]
    assert finding.count == 5
    assert finding.examples == ("p***@example.org",)  # five addresses, one masked form
    phones = findings_by_category(
        "+34 600 000 001, +34 600 000 002, +34 600 000 003, +34 600 000 004"
    )
    assert phones["phone"].count == 4
    assert phones["phone"].examples == ("+34 6** *** *01", "+34 6** *** *02", "+34 6** *** *03")


def test_findings_come_in_a_fixed_category_order() -> None:
    text = "DNI 12345678Z, MRN 88812345, born 1/2/1980, tel +34 612 345 612, a@b.example"
    assert [finding.category for finding in scan_personal_data(text)] == [
        "email",
        "phone",
        "birth_date",
        "patient_id",
        "national_id",
    ]


def test_a_value_is_counted_in_one_category_only() -> None:
    findings = findings_by_category("NHS number 943 476 5919")
    assert set(findings) == {"national_id"}


REALISTIC_PROGRAMME_TEXT = """\
Second Victim Peer Support Programme - Policy v2026.1
Approved by the Executive Board on 12 March 2025 (minute 2025/014); next review 2026-03-12.
1. Purpose. The programme offers confidential peer support to all staff, students and
subcontractors involved in an adverse event, 24/7, with first contact within 24 hours and a
follow-up in 1-2 weeks. A change of supporter is offered after 3-4 sessions.
2. Activation. Staff call the switchboard and ask for the peer support team (ext. 4455), or use
the form at https://intranet.hospital.example/rescue/activate?id=123456789&lang=en.
3. Training. 12 peer supporters were trained in 2023, 2024 and 2025 (40% practical training;
refreshers every 6 months). Budget 2025: EUR 18.500,00. Attendance by quarter: 12 15 18 20 22.
Satisfaction 0.95 0.87 0.91; staff trained 120 150 180. See pages 12-14 and 101-120.
4. Evaluation. Indicators are reported on 01.03.2025 09.00 and 2025-01-01 2025-12-31.
References: Scott SD et al. ISBN 978-3-16-148410-0; doi:10.1136/bmj.320.7237.726; PMID 10720363.
Medical record keeping is out of scope; no minutes of support sessions are kept. The NHS 2024 plan
and the ERNST model (2019) were born out of the same movement in 2015. Version 3.2.1, build 250312.
Programa de apoyo: aprobado el 12/03/2025, revisión anual; horario 08:00-15:00; sala 2.14.
Ondersteuningsprogramma: vastgesteld op 1 april 2025; bereikbaar 24 uur per dag.
Server 192.168.100.200 hosts the intranet page; room numbers 3.101, 3.102; phone extension 4455.
"""


def test_a_realistic_programme_document_has_no_findings() -> None:
    assert scan_personal_data(REALISTIC_PROGRAMME_TEXT) == []


@pytest.mark.parametrize(
    "text",
    [
        "Activation within 24 hours, available 24/7.",
        "Phone extension: ext. 4455 (switchboard).",
        "Catalogue version 2026.1 replaces 2025.2.",
        "Reviewed in 2023 2024 2025 and 2026.",
        "Approved on 12 March 2025; reviewed 2025-03-12.",
        "ISBN 978-3-16-148410-0",
        "Page 12 of 40",
        "DNI 12345678A has the wrong check letter.",
        "Number 123456789 alone fails the 11-proef.",
        "Codice RSSMRA85T10A562X fails its check letter.",
        "See https://example.org/people/123456789 for the rota.",
        "The programme was born in 2019.",
        "Medical record keeping policy, 2024 edition.",
        "The CIP 2024-2025 and the SIP 2024/25 set the improvement actions.",
        "NHS 2024 plan; MRN 12/03/2025 audit.",
        "Form at https://example.org/form?id=123456782&step=2 (passes the 11-proef).",
        "Ratios 0.123456789 and 1.234567891 are decimals.",
    ],
)
def test_programme_wording_is_not_flagged(text: str) -> None:
    assert scan_personal_data(text) == []


def test_scan_file_reads_and_scans(tmp_path: Path) -> None:
    content = samples.docx_bytes(
        ["Procedure", "Escalate to jane.doe@example.org or +34 612 345 612"]
    )
    path = samples.write_sample(tmp_path, "procedure.docx", content)
    findings = scan_file(path=path, kind_code="docx")
    assert [(f.category, f.count) for f in findings] == [("email", 1), ("phone", 1)]
    assert findings[0].examples == ("j***@example.org",)


def test_scan_file_of_a_clean_pdf_finds_nothing(tmp_path: Path) -> None:
    path = samples.write_sample(tmp_path, "policy.pdf", samples.pdf_bytes())
    assert scan_file(path=path, kind_code="pdf") == []
