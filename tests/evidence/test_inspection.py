from collections.abc import Callable
from pathlib import Path

import magic
import pytest

from evidence.inspection import (
    ACCEPTED_EXTENSIONS,
    ALLOWED_KINDS,
    FileRefusedError,
    Inspection,
    inspect_file,
    sanitise_filename,
)
from tests.evidence import samples


def inspect(directory: Path, filename: str, content: bytes) -> Inspection:
    path = samples.write_sample(directory, "upload.bin", content)
    return inspect_file(filename=filename, path=path, size=len(content))


def refusal(directory: Path, filename: str, content: bytes) -> FileRefusedError:
    with pytest.raises(FileRefusedError) as caught:
        inspect(directory, filename, content)
    return caught.value


# --- Accepted -------------------------------------------------------------------------------------

ACCEPTED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("Policy.pdf", samples.pdf_bytes, "pdf", "application/pdf"),
    ("Rendered policy.pdf", samples.rendered_pdf_bytes, "pdf", "application/pdf"),
    (
        "Procedure.docx",
        samples.docx_bytes,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "Rota.xlsx",
        samples.xlsx_bytes,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "Training.pptx",
        samples.pptx_bytes,
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("Procedure.odt", samples.odt_bytes, "odt", "application/vnd.oasis.opendocument.text"),
    ("Rota.ods", samples.ods_bytes, "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("Poster.png", samples.png_bytes, "png", "image/png"),
    ("Photo.jpg", samples.jpeg_bytes, "jpeg", "image/jpeg"),
    ("Photo.jpeg", samples.jpeg_bytes, "jpeg", "image/jpeg"),
    ("Sessions.csv", samples.csv_bytes, "csv", "text/csv"),
    ("Notes.txt", samples.txt_bytes, "txt", "text/plain"),
    (
        "Latin-1.txt",
        lambda: samples.txt_bytes("Política de apoyo", encoding="latin-1"),
        "txt",
        "text/plain",
    ),
    (
        "Windows.txt",
        lambda: samples.txt_bytes("“Second victim” \u2013 año", encoding="cp1252"),
        "txt",
        "text/plain",
    ),
    ("Bom.csv", lambda: b"\xef\xbb\xbf" + samples.csv_bytes(), "csv", "text/csv"),
    ("Indicators.csv", lambda: samples.txt_bytes("indicator value\n"), "csv", "text/csv"),
]


@pytest.mark.parametrize(("filename", "build", "code", "mime_type"), ACCEPTED)
def test_allowed_kinds_are_accepted(
    tmp_path: Path, filename: str, build: Callable[[], bytes], code: str, mime_type: str
) -> None:
    inspection = inspect(tmp_path, filename, build())
    assert inspection.kind.code == code
    assert inspection.mime_type == mime_type
    assert inspection.mime_type in inspection.kind.mime_types
    assert inspection.filename == filename


def test_every_allowed_kind_has_an_accepted_sample() -> None:
    assert {code for _, _, code, _ in ACCEPTED} == {kind.code for kind in ALLOWED_KINDS}
    assert ACCEPTED_EXTENSIONS == (
        ".csv, .docx, .jpeg, .jpg, .ods, .odt, .pdf, .png, .pptx, .txt, .xlsx"
    )


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        ("Procedure.docx", samples.with_leading_thumbnail(samples.docx_bytes()), "docx"),
        ("Rota.xlsx", samples.with_leading_thumbnail(samples.xlsx_bytes()), "xlsx"),
        ("Slides.pptx", samples.with_leading_thumbnail(samples.pptx_bytes()), "pptx"),
        ("Procedure.odt", samples.repack(samples.odt_bytes(), first=["content.xml"]), "odt"),
        ("Rota.ods", samples.repack(samples.ods_bytes(), first=["content.xml"]), "ods"),
    ],
)
def test_office_packages_are_recognised_when_libmagic_sees_only_a_zip(
    tmp_path: Path, filename: str, content: bytes, code: str
) -> None:
    # The premise: libmagic cannot tell these from any other zip.
    assert magic.from_buffer(content[:8192], mime=True) in {
        "application/zip",
        "application/octet-stream",
    }
    assert inspect(tmp_path, filename, content).kind.code == code


def test_the_inspection_names_the_file_by_its_sanitised_name(tmp_path: Path) -> None:
    inspection = inspect(
        tmp_path, "C:\\Users\\ana\\Política de apoyo 2025.PDF", samples.pdf_bytes()
    )
    assert inspection.filename == "Política de apoyo 2025.pdf"
    assert inspection.kind.code == "pdf"


def test_an_opendocument_with_empty_basic_library_indexes_is_accepted(tmp_path: Path) -> None:
    content = samples.with_part(samples.odt_bytes(), "Basic/script-lc.xml", "<library/>")
    assert inspect(tmp_path, "Procedure.odt", content).kind.code == "odt"


def test_an_office_document_is_inspected_without_inflating_its_parts(tmp_path: Path) -> None:
    # document.xml inflates to 60 MB; only the entry list and [Content_Types].xml are read.
    content = samples.oversized_part_docx_bytes(60 * 1024 * 1024)
    assert len(content) < 1024 * 1024
    assert inspect(tmp_path, "Big.docx", content).kind.code == "docx"


# --- Refused --------------------------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    exc = refusal(tmp_path, "Policy.pdf", b"")
    assert exc.reason == "it is empty"
    assert str(exc) == "Policy.pdf: it is empty"


def test_the_declared_size_decides_emptiness(tmp_path: Path) -> None:
    path = samples.write_sample(tmp_path, "upload.bin", samples.pdf_bytes())
    with pytest.raises(FileRefusedError, match=r"^Policy\.pdf: it is empty$"):
        inspect_file(filename="Policy.pdf", path=path, size=0)


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("setup.exe", samples.pe_bytes(), "programs and scripts are not accepted"),
        ("evidence.zip", samples.zip_bytes(), "archives are not accepted"),
        ("evidence.tar.gz", samples.gzip_bytes(), "archives are not accepted"),
        ("policy.html", samples.html_bytes(), "HTML pages are not accepted"),
        ("logo.svg", samples.svg_bytes(), "SVG images are not accepted (they can carry scripts)"),
        ("Procedure.docm", samples.docx_bytes(vba_project=True), "macro-enabled Office documents"),
        ("Rota.xlsm", samples.xlsx_bytes(), "macro-enabled Office documents are not accepted"),
        (
            "Old.doc",
            samples.txt_bytes(),
            "older Office formats (.doc, .xls, .ppt) are not accepted",
        ),
        ("Old.xls", samples.txt_bytes(), "save it as .docx, .xlsx or .pptx"),
        ("README", samples.txt_bytes(), "it has no file extension; accepted extensions: .csv"),
        ("Policy.", samples.txt_bytes(), "it has no file extension"),
        ("Minutes.rtf", samples.txt_bytes(), "files ending in .rtf are not accepted; accepted"),
        ("Photo.gif", samples.txt_bytes(), f"accepted extensions: {ACCEPTED_EXTENSIONS}"),
    ],
)
def test_extensions_off_the_allow_list_are_refused(
    tmp_path: Path, filename: str, content: bytes, reason: str
) -> None:
    exc = refusal(tmp_path, filename, content)
    assert reason in exc.reason
    assert str(exc) == f"{sanitise_filename(filename)}: {exc.reason}"


REFUSED_BY_CONTENT: list[tuple[str, Callable[[], bytes], str]] = [
    ("Policy.pdf", samples.html_bytes, "its content is an HTML page, which is not accepted"),
    ("Notes.txt", samples.html_bytes, "its content is an HTML page, which is not accepted"),
    ("Poster.pdf", samples.png_bytes, "its name ends in .pdf but its content is a PNG image"),
    ("Photo.png", samples.jpeg_bytes, "its name ends in .png but its content is a JPEG image"),
    ("Scan.jpg", samples.pdf_bytes, "its name ends in .jpg but its content is a PDF document"),
    ("Policy.pdf", samples.docx_bytes, "its name ends in .pdf but its content is a Word document"),
    ("Rota.xlsx", samples.docx_bytes, "its name ends in .xlsx but its content is a Word document"),
    (
        "Rota.ods",
        samples.odt_bytes,
        "its name ends in .ods but its content is an OpenDocument text",
    ),
    (
        "Text.odt",
        samples.ods_bytes,
        "its name ends in .odt but its content is an OpenDocument spreadsheet",
    ),
    (
        "Procedure.docx",
        samples.pdf_bytes,
        "its name ends in .docx but its content is a PDF document",
    ),
    ("Notes.txt", samples.pdf_bytes, "its name ends in .txt but its content is a PDF document"),
    ("Notes.txt", samples.elf_bytes, "programs and scripts are not accepted"),
    ("Notes.txt", samples.pe_bytes, "programs and scripts are not accepted"),
    ("Policy.pdf", samples.pe_bytes, "programs and scripts are not accepted"),
    ("Notes.txt", samples.shell_script_bytes, "programs and scripts are not accepted"),
    ("Rota.csv", samples.python_script_bytes, "programs and scripts are not accepted"),
    ("Notes.txt", samples.svg_bytes, "SVG images are not accepted (they can carry scripts)"),
    ("Poster.png", samples.svg_bytes, "SVG images are not accepted (they can carry scripts)"),
    ("Poster.png", lambda: samples.svg_bytes(xml_declaration=False), "SVG images are not accepted"),
    (
        "Notes.txt",
        lambda: b"Logo follows\n<svg onload='alert(1)'></svg>\n",
        "SVG images are not accepted",
    ),
    ("Notes.txt", samples.xml_bytes, "its content is an XML document, which is not accepted"),
    ("Procedure.docx", samples.zip_bytes, "the file is damaged or not a real .docx document"),
    ("Procedure.odt", samples.zip_bytes, "the file is damaged or not a real .odt document"),
    (
        "Procedure.docx",
        lambda: samples.docx_bytes()[:300],
        "the file is damaged or not a real .docx document",
    ),
    (
        "Procedure.docx",
        lambda: b"PK\x03\x04" + b"\0" * 200,
        "the file is damaged or not a real .docx document",
    ),
    (
        "Procedure.docx",
        samples.oversized_content_types_docx_bytes,
        "the file is damaged or not a real .docx",
    ),
    (
        "Procedure.docx",
        lambda: samples.docx_bytes(vba_project=True),
        "macro-enabled Office documents are not accepted",
    ),
    (
        "Procedure.docx",
        lambda: samples.docx_bytes(macro_content_type=True),
        "macro-enabled Office documents are not accepted",
    ),
    (
        "Procedure.odt",
        lambda: samples.with_part(samples.odt_bytes(), "Basic/Standard/Module1.xml", "<x/>"),
        "macro-enabled",
    ),
    (
        "Rota.ods",
        lambda: samples.with_part(samples.ods_bytes(), "Scripts/python/macro.py", "import os"),
        "macro-enabled",
    ),
    (
        "Rota.xlsx",
        lambda: samples.with_part(samples.xlsx_bytes(), "xl/vbaProject.bin", b"\0" * 64),
        "macro-enabled",
    ),
    (
        "Procedure.docx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000,
        "older Office formats",
    ),
    ("Policy.pdf", samples.zip_bytes, "archives are not accepted"),
    ("Rota.csv", samples.gzip_bytes, "archives are not accepted"),
    ("Procedure.docx", samples.gzip_bytes, "archives are not accepted"),
    ("Notes.txt", lambda: b"7z\xbc\xaf\x27\x1c" + b"\0" * 100, "archives are not accepted"),
    ("Notes.txt", lambda: b"Rar!\x1a\x07\x01\x00" + b"\0" * 100, "archives are not accepted"),
    (
        "Notes.txt",
        lambda: samples.txt_bytes("Peer support programme", encoding="utf-16"),
        "neither UTF-8 nor Latin-1",
    ),
    (
        "Notes.txt",
        lambda: b"{\\rtf1\\ansi Peer support}\n",
        "its name ends in .txt but its content is an RTF document",
    ),
    (
        "Policy.pdf",
        lambda: b"Not really a PDF, just text.\n",
        "its name ends in .pdf but its content is plain text",
    ),
]


@pytest.mark.parametrize(("filename", "build", "reason"), REFUSED_BY_CONTENT)
def test_content_that_is_not_what_the_name_says_is_refused(
    tmp_path: Path, filename: str, build: Callable[[], bytes], reason: str
) -> None:
    exc = refusal(tmp_path, filename, build())
    assert reason in exc.reason
    assert str(exc) == f"{filename}: {exc.reason}"


def test_a_refusal_names_the_file_without_its_path_or_control_characters(tmp_path: Path) -> None:
    exc = refusal(tmp_path, "../../uploads/\x1b[31mreport\u202egnp.pdf", samples.png_bytes())
    assert exc.filename == "[31mreportgnp.pdf"
    assert str(exc) == "[31mreportgnp.pdf: its name ends in .pdf but its content is a PNG image"


# --- File names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\system.ini.txt", "system.ini.txt"),
        ("C:\\Users\\ana\\Desktop\\Rota 2025.xlsx", "Rota 2025.xlsx"),
        ("/home/ana/policy.pdf", "policy.pdf"),
        ("Política de apoyo 2025.PDF", "Política de apoyo 2025.pdf"),
        ("Protocolo\u0301 NFC.pdf", "Protocoló NFC.pdf"),  # decomposed accent composed (NFC)
        ("Ondersteuning \u2013 Tweede.DOCX", "Ondersteuning \u2013 Tweede.docx"),
        ("国际 支持计划.pdf", "国际 支持计划.pdf"),
        ("report\x00\x07\x1f.pdf", "report.pdf"),
        ("new\nline\ttab.txt", "new line tab.txt"),
        ("  many    spaces   here .pdf", "many spaces here.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "abcdefgh.pdf"),
        ("...hidden.txt", "hidden.txt"),
        (" . .leading.pdf", "leading.pdf"),
        ("trailing dots.pdf. . ", "trailing dots.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override removed
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        (".pdf", "file.pdf"),
        ("", "file"),
        ("../", "file"),
        ("\x00\x01", "file"),
        ("CON.txt", "_CON.txt"),
        ("archive.tar.GZ", "archive.tar.gz"),
        ("no extension", "no extension"),
        ("Minutes v2.1 final", "Minutes v2.1 final"),
    ],
)
def test_sanitise_filename(name: str, expected: str) -> None:
    assert sanitise_filename(name) == expected


def test_a_long_name_is_cut_to_150_characters_keeping_its_extension() -> None:
    assert sanitise_filename("x" * 300 + ".DOCX") == "x" * 145 + ".docx"
    sanitised = sanitise_filename("Protocolo de apoyo a las segundas víctimas " * 10 + ".PDF")
    assert len(sanitised) <= 150
    assert sanitised.startswith("Protocolo de apoyo")
    assert sanitised.endswith(".pdf")
    assert not sanitised.removesuffix(".pdf").endswith((" ", "."))


def test_sanitising_twice_changes_nothing() -> None:
    for name in ("../a/Política  de apoyo.PDF", "x" * 400 + ".Txt", " .hidden", "CON.pdf"):
        once = sanitise_filename(name)
        assert sanitise_filename(once) == once
