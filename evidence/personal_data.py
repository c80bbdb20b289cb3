"""Likely personal data in evidence files.

Evidence is about the programme, never about patients, second victims or what was said in a
support session (RESCUE Confidentiality). The text of an accepted file is scanned for what looks
like personal data: a hit flags the file for the coordinator's review, it does not refuse it. A
finding carries masked examples only, so the flag never repeats the data it warns about.

The patterns aim at few false alarms on programme documents (policies, rotas, curricula, reports
full of dates, years, versions and extensions) rather than at catching every number: a missed
identifier is still covered by the uploader's confirmation that the file holds no personal data.
"""

import codecs
import itertools
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast
from xml.etree import ElementTree

from pypdf import PasswordType, PdfReader

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 200
MAX_PART_SIZE = 50 * 1024 * 1024  # uncompressed bytes of one zip entry
MAX_PACKAGE_TEXT_BYTES = 200 * 1024 * 1024  # uncompressed XML read from one package in all
MAX_EXAMPLES = 3

# --- Text extraction ------------------------------------------------------------------------------


class _Text:
    """Blocks of text (paragraphs, cells, pages) joined by newlines, up to ``max_chars``."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.blocks: list[str] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= self.max_chars

    def add(self, block: str | None) -> None:
        if not block or self.full:
            return
        block = block[: self.max_chars - self.size]
        self.blocks.append(block)
        self.size += len(block) + 1

    def value(self) -> str:
        return "\n".join(self.blocks)[: self.max_chars]


def extract_text(*, path: Path, kind_code: str, max_chars: int = 1_000_000) -> str:
    """The readable text of an accepted evidence file ("" for images and unreadable files).

    Paragraphs, cells and pages are separated by newlines; the runs of one paragraph are joined
    as written, so a word split by a formatting change stays one word.
    """
    if kind_code in {"txt", "csv"}:
        return _plain_text(path, max_chars)
    text = _Text(max_chars)
    if kind_code == "pdf":
        _pdf_text(path, text)
    elif kind_code in _PACKAGE_PARTS:
        _package_text(path, kind_code, text)
    return text.value()


def _plain_text(path: Path, max_chars: int) -> str:
    with path.open("rb") as stream:
        data = stream.read(max_chars * 4)  # a UTF-8 character is at most 4 bytes
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text[:max_chars]


def _pdf_text(path: Path, text: _Text) -> None:
    # pypdf raises more than its own errors on malformed files (ValueError, KeyError, TypeError,
    # RecursionError...). Extraction is best effort: the file was already accepted by content.
    try:
        with path.open("rb") as stream:
            reader = PdfReader(stream)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return
            for page in itertools.islice(reader.pages, MAX_PDF_PAGES):
                try:
                    text.add(page.extract_text())
                except Exception:  # one unreadable page does not hide the rest
                    logger.debug("Unreadable PDF page skipped", exc_info=True)
                    continue
                if text.full:
                    return
    except Exception:
        logger.debug("Unreadable PDF, text extraction stopped", exc_info=True)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ooxml_text(element: ElementTree.Element) -> str:
    """Text of a Word/DrawingML paragraph, a shared string or a comment: its runs in order."""
    out = []
    for node in element.iter():
        name = _local(node.tag)
        if name in {"t", "delText"} and node.text:
            out.append(node.text)
        elif name == "tab":
            out.append("\t")
        elif name in {"br", "cr"}:
            out.append("\n")
    return "".join(out)


def _cell_text(element: ElementTree.Element) -> str:
    """A worksheet cell: shared strings are read from sharedStrings.xml, not here."""
    cell_type = element.get("t")
    if cell_type == "s":
        return ""
    if cell_type == "inlineStr":
        return _ooxml_text(element)
    return next((node.text or "" for node in element if _local(node.tag) == "v"), "")


def _odf_text(element: ElementTree.Element) -> str:
    """Text of an OpenDocument paragraph (mixed content with spans, spaces, tabs, breaks)."""
    out: list[str] = []
    stack: list[ElementTree.Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        name = _local(item.tag)
        if item is not element and name == "s":
            count = item.get("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}c", "1")
            out.append(" " * min(int(count) if count.isdigit() else 1, 100))
            continue
        if item is not element and name in {"tab", "line-break"}:
            out.append("\t" if name == "tab" else "\n")
            continue
        if item.text:
            out.append(item.text)
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return "".join(out)


@dataclass(frozen=True)
class _PartReader:
    """Which entries of a package hold text, and how a block of text is found in them."""

    blocks: frozenset[str]
    render: Callable[[ElementTree.Element], str]


_WORD = _PartReader(frozenset({"p"}), _ooxml_text)
_SHARED_STRINGS = _PartReader(frozenset({"si"}), _ooxml_text)
_WORKSHEET = _PartReader(frozenset({"c"}), _cell_text)
_SHEET_COMMENTS = _PartReader(frozenset({"comment"}), _ooxml_text)
_OPENDOCUMENT = _PartReader(frozenset({"p", "h"}), _odf_text)

# Entry name patterns (lower case) in reading order, for each kind.
_PACKAGE_PARTS: dict[str, tuple[tuple[re.Pattern[str], _PartReader], ...]] = {
    "docx": (
        (re.compile(r"word/document\.xml"), _WORD),
        (re.compile(r"word/(header|footer)\d*\.xml"), _WORD),
        (re.compile(r"word/(footnotes|endnotes|comments)\.xml"), _WORD),
    ),
    "xlsx": (
        (re.compile(r"xl/sharedstrings\.xml"), _SHARED_STRINGS),
        (re.compile(r"xl/worksheets/sheet\d*\.xml"), _WORKSHEET),
        (re.compile(r"xl/comments\d*\.xml"), _SHEET_COMMENTS),
    ),
    "pptx": (
        (re.compile(r"ppt/slides/slide\d*\.xml"), _WORD),
        (re.compile(r"ppt/notesslides/notesslide\d*\.xml"), _WORD),
    ),
    "odt": (
        (re.compile(r"content\.xml"), _OPENDOCUMENT),
        (re.compile(r"styles\.xml"), _OPENDOCUMENT),
    ),
    "ods": (
        (re.compile(r"content\.xml"), _OPENDOCUMENT),
        (re.compile(r"styles\.xml"), _OPENDOCUMENT),
    ),
}


def _natural_key(name: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _package_text(path: Path, kind_code: str, text: _Text) -> None:
    budget = MAX_PACKAGE_TEXT_BYTES
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            for pattern, reader in _PACKAGE_PARTS[kind_code]:
                matching = sorted(
                    (entry for entry in entries if pattern.fullmatch(entry.filename.lower())),
                    key=lambda entry: _natural_key(entry.filename.lower()),
                )
                for entry in matching:
                    if text.full or entry.file_size > min(MAX_PART_SIZE, budget):
                        continue
                    budget -= entry.file_size
                    with package.open(entry) as stream:
                        for block in _xml_blocks(stream, reader):
                            text.add(block)
                            if text.full:
                                break
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError):
        # Damaged packages were refused at upload; whatever was read so far is kept.
        return
    except NotImplementedError:  # an unsupported compression method
        return


XML_CHUNK = 64 * 1024


def _xml_blocks(stream: IO[bytes], reader: _PartReader) -> Iterator[str]:
    """The text blocks of one XML part, read and parsed a chunk at a time (memory stays flat
    whatever the size of the part), up to ``MAX_PART_SIZE`` bytes.

    Office parts never declare a DTD: a part that does (the way to entity-expansion tricks) is
    left, before the parser sees it, as is a part that is not UTF-8 XML.
    """
    # Safe without defusedxml: no DTD reaches the parser, so no entity to expand or fetch.
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start", "end")
    )
    depth = 0  # inside how many text blocks
    open_elements: list[ElementTree.Element] = []
    read = 0
    tail = b""  # the end of the previous chunk, to see a "<!DOCTYPE" cut in two
    try:
        while read < MAX_PART_SIZE:
            chunk = stream.read(min(XML_CHUNK, MAX_PART_SIZE - read))
            if not chunk:
                break
            if not read and not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                return
            if b"<!DOCTYPE" in tail + chunk:
                return
            read += len(chunk)
            tail = chunk[-8:]
            parser.feed(chunk)
            for event_and_item in parser.read_events():
                # Start and end events (the only ones asked for) give (event, element) pairs.
                event, item = cast(tuple[str, ElementTree.Element], event_and_item)
                element = item
                if event == "start":
                    open_elements.append(element)
                    depth += _local(element.tag) in reader.blocks
                    continue
                open_elements.pop()
                if _local(element.tag) in reader.blocks:
                    depth -= 1
                    if depth == 0:
                        yield reader.render(element)
                if depth == 0:  # done with: let it go, so the tree never grows
                    element.clear()
                    if open_elements:
                        open_elements[-1].remove(element)
    except ElementTree.ParseError:
        return


# --- Findings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataFinding:
    category: str
    label: str
    count: int
    examples: tuple[str, ...]


LABELS = {
    "email": "E-mail addresses",
    "phone": "Telephone numbers",
    "birth_date": "Dates of birth",
    "patient_id": "Patient identifiers",
    "national_id": "National identity numbers",
}


@dataclass(frozen=True)
class _Hit:
    category: str
    start: int
    end: int
    key: str  # what makes two hits the same value
    example: str  # masked


def scan_personal_data(text: str) -> list[PersonalDataFinding]:
    """Likely personal data in ``text``, one finding per category (distinct values counted)."""
    text = text.translate(_NORMALISE)
    claimed = bytearray(len(text))  # 1 where a value was already found
    accepted: list[_Hit] = []
    # Most specific first: a value claimed by one detector is not counted again by another.
    for detector in (
        _emails,
        _labelled_national_ids,
        _national_ids,
        _patient_ids,
        _birth_dates,
        _phones,
        _unlabelled_bsns,
    ):
        for hit in detector(text):
            if claimed.find(1, hit.start, hit.end) != -1:
                continue
            claimed[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
            accepted.append(hit)
    findings = []
    for category, label in LABELS.items():
        keys: dict[str, str] = {}
        for hit in accepted:
            if hit.category == category:
                keys.setdefault(hit.key, hit.example)
        if keys:
            examples = tuple(dict.fromkeys(keys.values()))[:MAX_EXAMPLES]
            findings.append(
                PersonalDataFinding(
                    category=category, label=label, count=len(keys), examples=examples
                )
            )
    return findings


def scan_file(*, path: Path, kind_code: str) -> list[PersonalDataFinding]:
    return scan_personal_data(extract_text(path=path, kind_code=kind_code))


# One character for one character, so offsets stay put: odd spaces and dashes become plain ones.
_NORMALISE = str.maketrans(
    {
        **dict.fromkeys(
            ["\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\u2002", "\u2003"], " "
        ),
        **dict.fromkeys(["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"], "-"),
    }
)


def _before(text: str, start: int, width: int) -> str:
    return text[max(0, start - width) : start].lower()


# --- Masks ----------------------------------------------------------------------------------------


def _mask_characters(value: str, *, keep_start: int, keep_end: int) -> str:
    """``value`` with its letters and digits starred, but the first/last few kept."""
    positions = [i for i, char in enumerate(value) if char.isalnum()]
    if len(positions) <= keep_start + keep_end + 2:
        keep_start, keep_end = 0, min(keep_end, max(len(positions) - 4, 0))
    kept = set(positions[:keep_start]) | set(positions[len(positions) - keep_end :])
    return "".join(char if i in kept or not char.isalnum() else "*" for i, char in enumerate(value))


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[0]}***@{domain}"


def _mask_date(value: str) -> str:
    """The century of the year is kept; day, month and the rest of the year are starred."""

    def mask(match: re.Match[str]) -> str:
        token = match.group()
        if token.isdigit() and len(token) == 4:
            return token[:2] + "**"
        if token.isdigit():
            return "*" * len(token)
        return token[0] + "*" * (len(token) - 1)

    return re.sub(r"\d+|[^\W\d_]+", mask, value)


# --- E-mail addresses -----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w+%-][\w.+%-]{0,63}@[^\W_](?:[\w-]{0,62}\.)+[^\W\d_]{2,24}(?![\w-])"
)


def _emails(text: str) -> Iterator[_Hit]:
    for match in _EMAIL.finditer(text):
        address = match.group().rstrip(".")
        yield _Hit("email", match.start(), match.end(), address.lower(), _mask_email(address))


# --- Telephone numbers ----------------------------------------------------------------------------

_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.\-=#&%?@])"  # not inside a word, a URL, a reference or another number
    r"(?:\(?\+ ?)?"  # an international prefix, perhaps in parentheses
    r"\(?\d[\d()]*"  # the first group of digits
    r"(?:[ .\-]\(?\d[\d()]*)*"  # more groups, each after one separator
)
_PHONE_STRUCTURE = re.compile(r"\d*(?:\(\d{1,5}\)\d*)*")
_PHONE_LABEL = re.compile(
    r"\b(?:tel|tfno|telf|phone|telephone|mobile|mob|cell|móvil|movil|teléfono|telefono|"
    r"telefoon|mobiel|téléphone|portable|cellulare|telemóvel|whatsapp|fax|call)\b",
    re.IGNORECASE,
)
_NORTH_AMERICAN = re.compile(r"\(\d{3}\) ?\d{3}[ .-]\d{4}")
_DATE_TOKEN = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}"
)
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_NOT_A_PHONE_CONTEXT = re.compile(r"\b(?:isbn|issn|doi|pmid|pmcid|iban|swift|ref|orcid)\b|[€$£]")


def _phones(text: str) -> Iterator[_Hit]:
    for match in _PHONE_CANDIDATE.finditer(text):
        candidate = match.group()
        after = text[match.end() : match.end() + 2]
        if after[:1].isalnum() or re.match(r"[./-]\d", after):
            continue  # part of a longer token: a date, a reference, a code
        if _is_phone(candidate, before=_before(text, match.start(), 25), after=after):
            digits = re.sub(r"\D", "", candidate)
            international = candidate.lstrip("(").startswith("+") or digits.startswith("00")
            yield _Hit(
                "phone",
                match.start(),
                match.end(),
                digits.removeprefix("00"),
                _mask_characters(candidate, keep_start=3 if international else 1, keep_end=2),
            )


def _is_phone(candidate: str, *, before: str, after: str) -> bool:  # noqa: PLR0911
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 15:
        return False
    if not _PHONE_STRUCTURE.fullmatch(re.sub(r"[ .\-+]", "", candidate)):
        return False  # stray or nested parentheses
    if _NOT_A_PHONE_CONTEXT.search(before[-15:]) or after[:1] in {"€", "$", "£"}:
        return False
    groups = re.findall(r"\d+", candidate)
    if all(len(group) == 4 and group[:2] in {"19", "20"} for group in groups):
        return False  # a list of years
    if any(_DATE_TOKEN.fullmatch(token) for token in candidate.split()):
        return False
    if _DOTTED_QUAD.fullmatch(candidate):
        return False  # an IP address
    if candidate.lstrip("(").startswith("+"):
        return True
    labelled = bool(_PHONE_LABEL.search(before))
    body = candidate.removeprefix("00")
    if not re.search(r"[ .\-()]", body):
        return labelled  # a bare run of digits is only a number when it is called one
    if "." in body and (" " in body or body.count(".") < 2):
        return labelled  # decimals, not a number written with dots (01.23.45.67.89)
    if digits.startswith("0") or _NORTH_AMERICAN.fullmatch(candidate):
        return True  # a trunk prefix: most of Europe writes national numbers from 0
    # Without a trunk prefix: Spain and Portugal (9 digits), Italian mobiles (3, 10 digits).
    return (
        labelled
        or (len(digits) == 9 and digits[0] in "26789")
        or (len(digits) == 10 and digits[0] == "3")
    )


# --- Dates of birth -------------------------------------------------------------------------------

_BIRTH_LABEL = re.compile(
    r"\b(?:born(?:\s+on)?|date\s+of\s+birth|birth\s*date|birthday|d\.o\.b\.?|dob|"
    r"fecha\s+de\s+nacimiento|f\.\s*nac\.?|fecha\s+nac\.?|nacid[oa]\s+el|geboren(?:\s+(?:am|op))?|"
    r"geboortedatum|geb\.|geburtsdatum|née?\s+le|date\s+de\s+naissance|data\s+di\s+nascita|"
    r"nat[oa]\s+il|data\s+de\s+nascimento|nascid[oa]\s+em)(?!\w)",
    re.IGNORECASE,
)
_MONTH = r"[^\W\d_]{3,10}\.?"
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<d1>\d{1,2})[./-](?P<m1>\d{1,2})[./-](?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?(?P<w1>{_MONTH})\s+(?:de\s+)?\d{{4}}"
    rf"|(?P<w2>{_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r")(?![\w/-])",
    re.IGNORECASE,
)
# The first three letters (accents dropped) of month names in English, Spanish, Dutch, French,
# Italian, German and Portuguese.
_MONTH_PREFIXES = frozenset(
    {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        "ene", "abr", "ago", "dic", "mei", "okt", "mrt", "maa", "fev", "fév", "avr", "mai",
        "jui", "aou", "aoû", "déc", "gen", "mag", "giu", "lug", "set", "ott", "dez", "out",
        "jän", "mär",
    }
)  # fmt: skip


def _is_date(match: re.Match[str]) -> bool:
    word = match.group("w1") or match.group("w2")
    if word:
        return word[:3].lower() in _MONTH_PREFIXES
    first, second = (
        (int(match.group("d1")), int(match.group("m1")))
        if match.group("d1")
        else (int(match.group("d2")), int(match.group("m2")))
    )
    # Day-month or month-day order: one of them must be a month, both must fit a date.
    return 1 <= min(first, second) <= 12 and 1 <= max(first, second) <= 31


def _birth_dates(text: str) -> Iterator[_Hit]:
    for label in _BIRTH_LABEL.finditer(text):
        window = text[label.end() : label.end() + 60]
        for match in _DATE.finditer(window):
            if match.start() > 30:
                break
            if _is_date(match):
                value = match.group()
                start = label.end() + match.start()
                yield _Hit(
                    "birth_date",
                    start,
                    start + len(value),
                    re.sub(r"\W", "", value.lower()),
                    f"{label.group()} {_mask_date(value)}",
                )
                break


# --- Patient identifiers --------------------------------------------------------------------------

_PATIENT_LABEL = re.compile(
    r"\b(?:patient\s*(?:id|identifier|identification|number|no\.?|nr\.?|#)|mrn|"
    r"medical\s+record(?:\s+(?:number|no\.?|nr\.?|#))?|hospital\s+(?:number|no\.?)|"
    r"nhs(?:\s*(?:number|no\.?|#))?|historia\s+cl[ií]nica|n[º°o]\.?\s*(?:de\s+)?historia|"
    r"nhc|nuhsa|cip|sip|bsn|pati[eë]nt(?:en)?nummer|num[ée]ro\s+(?:de\s+)?patient|ipp|"
    r"n[úu]mero\s+de\s+paciente|id\s+paciente|cartella\s+clinica|codice\s+paziente|"
    r"numero\s+(?:di\s+)?cartella|processo\s+cl[ií]nico|n[úu]mero\s+de\s+utente)(?!\w)",
    re.IGNORECASE,
)
_PATIENT_ID = re.compile(
    r"[^\w\n]{0,4}"
    r"(?:(?i:n[º°o]\.?|no\.?|nr\.?|num\.?|number|nummer|n[úu]mero|numéro|is|was|=)[^\w\n]{0,3})?"
    r"(?P<id>(?:[A-Z]{1,4}[- ]?)?\d+(?:[ ./-]\d+){0,4}[A-Z]?)(?![\w-])"
)


# "NHS 2024 plan", "CIP 2024-2025" (an improvement plan), "SIP 2024/25", "MRN 12/03/2025".
_NOT_AN_IDENTIFIER = re.compile(
    r"(?:19|20)\d{2}(?:\s?[-/]\s?(?:(?:19|20)?\d{2}))?|" + _DATE_TOKEN.pattern
)


def _patient_ids(text: str) -> Iterator[_Hit]:
    for label in _PATIENT_LABEL.finditer(text):
        match = _PATIENT_ID.match(text, label.end())
        if not match:
            continue
        value = match.group("id")
        digits = re.sub(r"\D", "", value)
        if len(digits) < 4 or _NOT_AN_IDENTIFIER.fullmatch(value):
            continue  # too short to identify anyone, or a year, a period or a date
        start = match.start("id")
        yield _Hit(
            "patient_id",
            start,
            match.end("id"),
            re.sub(r"\W", "", value.upper()),
            f"{label.group()} {_mask_characters(value, keep_start=0, keep_end=2)}",
        )


# --- National identity numbers --------------------------------------------------------------------

_DNI = re.compile(r"(?<![\w.-])(\d{8}|\d{2}\.\d{3}\.\d{3})[- ]?([A-HJ-NP-TV-Z])(?!\w)")
_NIE = re.compile(r"(?<![\w.-])([XYZ])[- ]?(\d{7})[- ]?([A-HJ-NP-TV-Z])(?!\w)")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CODICE_FISCALE = re.compile(r"(?<!\w)[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z](?!\w)")
# Values of the characters in odd positions for the codice fiscale check letter: digits 0-9,
# then letters A-Z (A-J repeat the digits' values).
_CF_ODD_VALUES = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10)
_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        _CF_ODD_VALUES[:10] + _CF_ODD_VALUES[:10] + _CF_ODD_VALUES[10:] + (22, 25, 24, 23),
        strict=True,
    )
)
_BSN_LABELLED = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofinummer)\b[^\w\n]{0,6}(?:(?:nr|nummer)\.?\s*:?\s*)?"
    r"(?P<id>\d{4}\.?\d{2}\.?\d{3}|\d{9})(?![\w-])",
    re.IGNORECASE,
)
_BSN_BARE = re.compile(r"(?<![\w.,/+\-=#&%?@])\d{9}(?![\w-]|[.,/]\d)")
_NHS_LABELLED = re.compile(
    r"\bnhs\s*(?:number|no\.?|#)?[^\w\n]{0,6}(?P<id>\d{3}[ -]?\d{3}[ -]?\d{4})(?![\w-])",
    re.IGNORECASE,
)


def _dni_valid(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter


def _codice_fiscale_valid(code: str) -> bool:
    odd = sum(_CF_ODD[char] for char in code[0:15:2])
    even = sum(int(char) if char.isdigit() else ord(char) - 65 for char in code[1:15:2])
    return chr(65 + (odd + even) % 26) == code[15]


def _bsn_valid(number: str) -> bool:
    digits = [int(char) for char in re.sub(r"\D", "", number)]
    if len(digits) != 9 or not any(digits):
        return False
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8], strict=True))
    return (total - digits[8]) % 11 == 0


def _nhs_valid(number: str) -> bool:
    digits = [int(char) for char in re.sub(r"\D", "", number)]
    total = sum(weight * digit for weight, digit in zip(range(10, 1, -1), digits[:9], strict=True))
    check = 11 - total % 11
    return check != 10 and (check % 11) == digits[9]


def _national_hit(start: int, end: int, value: str) -> _Hit:
    key = re.sub(r"\W", "", value.upper())
    return _Hit("national_id", start, end, key, _mask_characters(value, keep_start=1, keep_end=1))


def _labelled_national_ids(text: str) -> Iterator[_Hit]:
    for pattern, valid in ((_BSN_LABELLED, _bsn_valid), (_NHS_LABELLED, _nhs_valid)):
        for match in pattern.finditer(text):
            if valid(match.group("id")):
                yield _national_hit(match.start("id"), match.end("id"), match.group("id"))


def _national_ids(text: str) -> Iterator[_Hit]:
    for match in _DNI.finditer(text):
        if _dni_valid(match.group(1).replace(".", ""), match.group(2)):
            yield _national_hit(match.start(), match.end(), match.group())
    for match in _NIE.finditer(text):
        prefix = str("XYZ".index(match.group(1)))
        if _dni_valid(prefix + match.group(2), match.group(3)):
            yield _national_hit(match.start(), match.end(), match.group())
    for match in _CODICE_FISCALE.finditer(text):
        if _codice_fiscale_valid(match.group()):
            yield _national_hit(match.start(), match.end(), match.group())


def _unlabelled_bsns(text: str) -> Iterator[_Hit]:
    """Nine digits alone are a citizen service number only if they pass the 11-proef."""
    for match in _BSN_BARE.finditer(text):
        if _bsn_valid(match.group()):
            yield _national_hit(match.start(), match.end(), match.group())
