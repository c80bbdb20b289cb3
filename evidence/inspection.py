"""Is an uploaded evidence file acceptable? Decided by its content, never by its name alone.

The content type is detected with libmagic on the first 8 KiB and must be on the allow-list and
agree with the file's extension. Office documents (OOXML and OpenDocument) are zip packages that
libmagic reports as plain zip or octet-stream unless the package happens to list its parts in the
usual order, so the package itself is opened (read in place, never extracted) and the part that
makes it a document of the claimed kind must be there; macro-enabled packages are refused.

Every refusal is a ``FileRefusedError`` whose message names the file.
"""

import codecs
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import magic

HEAD_SIZE = 8 * 1024
MAX_FILENAME_LENGTH = 150
# Bounds on what is read from inside a zip package while inspecting it (zip-bomb guard): only
# these small parts are ever decompressed, and at most this many bytes of each.
MAX_PACKAGE_ENTRIES = 20_000
MAX_CONTENT_TYPES_SIZE = 1024 * 1024
MAX_MIMETYPE_SIZE = 256


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    mime_types: frozenset[str]
    extensions: frozenset[str]


PDF = FileKind("pdf", "PDF document", frozenset({"application/pdf"}), frozenset({".pdf"}))
DOCX = FileKind(
    "docx",
    "Word document",
    frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    frozenset({".docx"}),
)
XLSX = FileKind(
    "xlsx",
    "Excel workbook",
    frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    frozenset({".xlsx"}),
)
PPTX = FileKind(
    "pptx",
    "PowerPoint presentation",
    frozenset({"application/vnd.openxmlformats-officedocument.presentationml.presentation"}),
    frozenset({".pptx"}),
)
ODT = FileKind(
    "odt",
    "OpenDocument text",
    frozenset({"application/vnd.oasis.opendocument.text"}),
    frozenset({".odt"}),
)
ODS = FileKind(
    "ods",
    "OpenDocument spreadsheet",
    frozenset({"application/vnd.oasis.opendocument.spreadsheet"}),
    frozenset({".ods"}),
)
PNG = FileKind("png", "PNG image", frozenset({"image/png"}), frozenset({".png"}))
JPEG = FileKind(
    "jpeg", "JPEG image", frozenset({"image/jpeg", "image/pjpeg"}), frozenset({".jpg", ".jpeg"})
)
CSV = FileKind(
    "csv",
    "CSV table",
    frozenset({"text/csv", "text/plain", "application/csv"}),
    frozenset({".csv"}),
)
TXT = FileKind("txt", "plain text", frozenset({"text/plain"}), frozenset({".txt"}))

ALLOWED_KINDS: tuple[FileKind, ...] = (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, CSV, TXT)

# The one type recorded for a file of each kind, whatever libmagic's wording for it.
_CANONICAL_MIME_TYPE = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
}
_KIND_BY_EXTENSION = {ext: kind for kind in ALLOWED_KINDS for ext in kind.extensions}
ACCEPTED_EXTENSIONS = ", ".join(sorted(_KIND_BY_EXTENSION))

# --- Reasons (the part of the message after the file name) ---------------------------------------

REASON_EMPTY = "it is empty"
REASON_HTML = "its content is an HTML page, which is not accepted"
REASON_XML = "its content is an XML document, which is not accepted"
REASON_SVG = "SVG images are not accepted (they can carry scripts)"
REASON_MACRO = "macro-enabled Office documents are not accepted"
REASON_ARCHIVE = "archives are not accepted"
REASON_PROGRAM = "programs and scripts are not accepted"
REASON_LEGACY_OFFICE = (
    "older Office formats (.doc, .xls, .ppt) are not accepted; save it as .docx, .xlsx or .pptx"
)
REASON_ENCRYPTED = "password-protected documents are not accepted"
REASON_HTML_NAME = "HTML pages are not accepted"
REASON_BINARY_TEXT = "it is not plain text (it contains binary data)"
REASON_TEXT_ENCODING = "its text is neither UTF-8 nor Latin-1; save it as UTF-8"

# --- What the extension alone already says -------------------------------------------------------

_MACRO_EXTENSIONS = frozenset(
    {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam", ".sldm"}
)
_LEGACY_OFFICE_EXTENSIONS = frozenset({".doc", ".dot", ".xls", ".xlt", ".ppt", ".pot", ".pps"})
_ARCHIVE_EXTENSIONS = frozenset(
    {
        ".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".tbz2", ".xz", ".txz", ".zst",
        ".lz", ".lzma", ".z", ".cab", ".iso", ".dmg", ".img", ".cpio", ".ar",
    }
)  # fmt: skip
_PROGRAM_EXTENSIONS = frozenset(
    {
        ".exe", ".dll", ".com", ".scr", ".msi", ".msp", ".msix", ".appx", ".bat", ".cmd",
        ".ps1", ".psm1", ".vbs", ".vbe", ".js", ".jse", ".mjs", ".wsf", ".wsh", ".hta", ".sh",
        ".bash", ".zsh", ".csh", ".ksh", ".py", ".pyc", ".pyw", ".pl", ".rb", ".php", ".jar",
        ".class", ".apk", ".app", ".bin", ".elf", ".so", ".dylib", ".lnk", ".reg", ".cpl",
        ".msc", ".jnlp", ".appimage", ".deb", ".rpm", ".run", ".out", ".o",
    }
)  # fmt: skip
_SVG_EXTENSIONS = frozenset({".svg", ".svgz"})
_HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml"})

# --- What libmagic's answer says ------------------------------------------------------------------

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset({"text/xml", "application/xml"})
_SVG_TYPES = frozenset({"image/svg+xml", "image/svg"})
_PROGRAM_TYPES = frozenset(
    {
        "application/x-executable", "application/x-pie-executable", "application/x-sharedlib",
        "application/x-object", "application/x-coredump", "application/x-elf",
        "application/x-dosexec", "application/x-msdownload", "application/x-ms-ne-executable",
        "application/vnd.microsoft.portable-executable", "application/x-mach-binary",
        "application/x-msi", "application/java-archive", "application/x-java-applet",
        "application/x-bytecode.python", "application/javascript", "application/x-sh",
        "application/x-shellscript", "text/javascript", "text/x-shellscript", "text/x-python",
        "text/x-perl", "text/x-ruby", "text/x-php", "text/x-tcl", "text/x-lua", "text/x-awk",
        "text/x-nawk", "text/x-gawk", "text/x-msdos-batch", "text/x-powershell",
    }
)  # fmt: skip
_ARCHIVE_TYPES = frozenset(
    {
        "application/zip", "application/x-zip-compressed", "application/x-rar",
        "application/vnd.rar", "application/x-rar-compressed", "application/x-7z-compressed",
        "application/gzip", "application/x-gzip", "application/x-tar", "application/x-bzip2",
        "application/x-xz", "application/zstd", "application/x-lzma", "application/x-lzip",
        "application/x-compress", "application/x-archive", "application/x-cpio",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image",
        "application/x-apple-diskimage", "application/x-lzh-compressed", "application/x-arj",
    }
)  # fmt: skip
_LEGACY_OFFICE_TYPES = frozenset(
    {
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.ms-office", "application/x-ole-storage", "application/cdfv2",
    }
)  # fmt: skip
# Text that is not "plain text" even though libmagic files it under text/.
_NOT_PLAIN_TEXT_TYPES = frozenset({"text/rtf"})

_PACKAGE_KINDS = frozenset({"docx", "xlsx", "pptx", "odt", "ods"})
_OOXML_MAIN_PART = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_ODF_MIMETYPE = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

_DESCRIPTIONS = {
    "application/pdf": "a PDF document",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/tiff": "a TIFF image",
    "image/bmp": "a BMP image",
    "image/heic": "a HEIC image",
    "image/heif": "a HEIF image",
    "text/plain": "plain text",
    "text/csv": "CSV text",
    "text/rtf": "an RTF document",
    "application/json": "JSON data",
    "application/octet-stream": "not recognisable",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation"
    ),
    "application/vnd.oasis.opendocument.text": "an OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation",
    "application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing",
}


class FileRefusedError(Exception):
    """The file is not accepted as evidence; ``reason`` says why, ``str()`` names the file."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


@dataclass(frozen=True)
class Inspection:
    kind: FileKind
    mime_type: str
    filename: str


# --- File names -----------------------------------------------------------------------------------

_INVALID_FILENAME_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00]')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_WINDOWS_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)


def sanitise_filename(name: str) -> str:
    """The uploader's file name, recognisable but safe to store, show and offer for download."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(
        " " if char.isspace() else char
        for char in base
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    base = _INVALID_FILENAME_CHARACTERS.sub("", base)
    base = " ".join(base.split()).rstrip(". ")  # Windows drops trailing dots and spaces
    match = _EXTENSION.search(base)
    stem, extension = (base[: match.start()], match.group().lower()) if match else (base, "")
    stem = stem.lstrip(". ")[: MAX_FILENAME_LENGTH - len(extension)].rstrip(". ")
    if not stem:
        stem = "file"
    elif stem.split(".")[0].lower() in _WINDOWS_RESERVED_NAMES:
        stem = f"_{stem}"[: MAX_FILENAME_LENGTH - len(extension)]
    return stem + extension


# --- Inspection -----------------------------------------------------------------------------------


def inspect_file(*, filename: str, path: Path, size: int) -> Inspection:
    """Accept the file at ``path`` (uploaded as ``filename``) or raise ``FileRefusedError``."""
    name = sanitise_filename(filename)
    if size <= 0:
        raise FileRefusedError(name, REASON_EMPTY)
    match = _EXTENSION.search(name)
    extension = match.group() if match else ""  # already lower case
    kind = _kind_for_extension(name, extension)
    with path.open("rb") as stream:
        head = stream.read(HEAD_SIZE)
    if not head:
        raise FileRefusedError(name, REASON_EMPTY)
    detected = _detect(head)
    _refuse_dangerous_content(name, head, detected)
    if kind.code in _PACKAGE_KINDS and (detected == "application/octet-stream" or _is_zip(head)):
        _check_package(name, extension, kind, path)
    elif kind.code in {"csv", "txt"}:
        _check_text(name, extension, head, detected)
    elif detected in kind.mime_types:
        if kind is PDF and not head.startswith(b"%PDF-"):
            raise FileRefusedError(name, f"the file is damaged or not a real {extension} document")
    else:
        raise _mismatch(name, extension, detected)
    return Inspection(kind=kind, mime_type=_CANONICAL_MIME_TYPE[kind.code], filename=name)


def _kind_for_extension(name: str, extension: str) -> FileKind:
    if not extension:
        accepted = f"accepted extensions: {ACCEPTED_EXTENSIONS}"
        raise FileRefusedError(name, f"it has no file extension; {accepted}")
    if extension in _KIND_BY_EXTENSION:
        return _KIND_BY_EXTENSION[extension]
    for extensions, reason in (
        (_MACRO_EXTENSIONS, REASON_MACRO),
        (_LEGACY_OFFICE_EXTENSIONS, REASON_LEGACY_OFFICE),
        (_ARCHIVE_EXTENSIONS, REASON_ARCHIVE),
        (_PROGRAM_EXTENSIONS, REASON_PROGRAM),
        (_SVG_EXTENSIONS, REASON_SVG),
        (_HTML_EXTENSIONS, REASON_HTML_NAME),
    ):
        if extension in extensions:
            raise FileRefusedError(name, reason)
    accepted = f"accepted extensions: {ACCEPTED_EXTENSIONS}"
    raise FileRefusedError(name, f"files ending in {extension} are not accepted; {accepted}")


def _detect(head: bytes) -> str:
    try:
        detected = magic.from_buffer(head, mime=True)
    except magic.MagicException:
        return "application/octet-stream"
    return (detected or "application/octet-stream").strip().lower()


def _is_zip(head: bytes) -> bool:
    return head.startswith(_ZIP_SIGNATURES)


def _is_textual(detected: str) -> bool:
    return detected.startswith("text/") or detected in _XML_TYPES


def _refuse_dangerous_content(name: str, head: bytes, detected: str) -> None:
    """Content refused whatever the file is called."""
    if detected in _SVG_TYPES or (_is_textual(detected) and b"<svg" in head.lower()):
        raise FileRefusedError(name, REASON_SVG)
    if detected in _HTML_TYPES:
        raise FileRefusedError(name, REASON_HTML)
    if detected in _XML_TYPES:
        raise FileRefusedError(name, REASON_XML)
    if (
        detected in _PROGRAM_TYPES
        or detected.startswith("text/x-script")
        or (_is_textual(detected) and head.lstrip(b"\xef\xbb\xbf").startswith(b"#!"))
    ):
        raise FileRefusedError(name, REASON_PROGRAM)
    if detected in _LEGACY_OFFICE_TYPES:
        raise FileRefusedError(name, REASON_LEGACY_OFFICE)
    if detected == "application/encrypted":
        raise FileRefusedError(name, REASON_ENCRYPTED)
    if detected in _ARCHIVE_TYPES and not _is_zip(head):
        raise FileRefusedError(name, REASON_ARCHIVE)
    # A zip is an archive unless it is an Office package of the claimed kind; the caller decides.


def _mismatch(name: str, extension: str, detected: str) -> FileRefusedError:
    if detected in _ARCHIVE_TYPES:
        return FileRefusedError(name, REASON_ARCHIVE)
    description = _DESCRIPTIONS.get(detected, f"of type {detected}")
    return FileRefusedError(name, f"its name ends in {extension} but its content is {description}")


def _check_text(name: str, extension: str, head: bytes, detected: str) -> None:
    is_text = detected.startswith("text/") or detected in _KIND_BY_EXTENSION[extension].mime_types
    if not is_text or detected in _NOT_PLAIN_TEXT_TYPES:
        raise _mismatch(name, extension, detected)
    if b"\x00" in head:
        # UTF-16 and UTF-32 text has NUL bytes too; we only take UTF-8 and Latin-1.
        reason = REASON_TEXT_ENCODING if _looks_like_wide_text(head) else REASON_BINARY_TEXT
        raise FileRefusedError(name, reason)
    # Without NUL bytes, text that is not UTF-8 still reads as Latin-1: both are accepted. The
    # incremental decoder lets the 8 KiB cut fall in the middle of a character.
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        head.decode("latin-1")


def _looks_like_wide_text(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1::2].count(0) > len(head) // 4


# --- Office packages ------------------------------------------------------------------------------


class _DamagedPackageError(Exception):
    pass


class _MacroPackageError(Exception):
    pass


def _check_package(name: str, extension: str, kind: FileKind, path: Path) -> None:
    damaged = FileRefusedError(name, f"the file is damaged or not a real {extension} document")
    try:
        actual = _package_kind(path, claimed=kind.code)
    except _DamagedPackageError:
        raise damaged from None
    except _MacroPackageError:
        raise FileRefusedError(name, REASON_MACRO) from None
    if actual == kind.code:
        return
    if actual is None:
        raise damaged
    raise _mismatch(name, extension, _CANONICAL_MIME_TYPE.get(actual, actual))


def _package_kind(path: Path, *, claimed: str) -> str | None:
    """The kind of Office document the zip package at ``path`` is (``claimed`` first).

    Returns a kind code, another OpenDocument media type, or None when it is no document.
    Only the entry list and the small ``mimetype`` and ``[Content_Types].xml`` parts are read.
    """
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if len(entries) > MAX_PACKAGE_ENTRIES:
                raise _DamagedPackageError
            names = {entry.filename.lower(): entry for entry in entries}
            if any(_is_macro_part(entry_name) for entry_name in names):
                raise _MacroPackageError
            content_types = _read_small(package, names.get("[content_types].xml"))
            if content_types is not None:
                lowered = content_types.lower()
                if b"macroenabled" in lowered or b"vbaproject" in lowered:
                    raise _MacroPackageError
            mimetype = _read_small(package, names.get("mimetype"), MAX_MIMETYPE_SIZE)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:
        raise _DamagedPackageError from exc
    except (RuntimeError, NotImplementedError, ValueError) as exc:
        # Encrypted entries, unknown compression methods, malformed headers.
        raise _DamagedPackageError from exc

    found: list[str] = []
    if mimetype is not None and "content.xml" in names:
        media_type = mimetype.decode("ascii", "replace").strip()
        found.extend(code for code, value in _ODF_MIMETYPE.items() if value == media_type)
        if not found and media_type.startswith("application/vnd.oasis.opendocument."):
            found.append(media_type)
    if content_types is not None:
        found.extend(code for code, part in _OOXML_MAIN_PART.items() if part in names)
    if claimed in found:
        return claimed
    return found[0] if found else None


# OpenDocument keeps Basic libraries under Basic/ (the two index files alone are harmless) and
# other script languages under Scripts/.
_ODF_LIBRARY_INDEXES = frozenset(
    {"script-lc.xml", "script-lb.xml", "dialog-lc.xml", "dialog-lb.xml"}
)


def _is_macro_part(entry_name: str) -> bool:
    """Whether a (lower-cased) package entry holds macro code."""
    if entry_name.endswith("/"):
        return False
    part = PurePosixPath(entry_name)
    if part.name == "vbaproject.bin":
        return True
    if entry_name.startswith("basic/"):
        return part.name not in _ODF_LIBRARY_INDEXES
    return entry_name.startswith("scripts/")


def _read_small(
    package: zipfile.ZipFile,
    entry: zipfile.ZipInfo | None,
    limit: int = MAX_CONTENT_TYPES_SIZE,
) -> bytes | None:
    """An entry's content if it is small; never decompresses more than ``limit`` bytes."""
    if entry is None:
        return None
    if entry.file_size > limit:
        raise _DamagedPackageError
    with package.open(entry) as stream:
        return stream.read(limit)
