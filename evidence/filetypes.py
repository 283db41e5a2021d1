"""What an uploaded file is, decided from its bytes: the allow-list of evidence document types.

The name and the browser's content type are never trusted: a JPEG renamed ``report.pdf`` is a JPEG.
Signatures are checked here rather than through a general-purpose detector, because the question is
narrow (is this one of seven document types, and nothing else?) and the answer for the zip-based
formats needs a look inside the archive anyway:

- PDF: the ``%PDF-`` header at the very start.
- DOCX / XLSX (OOXML): a zip holding ``[Content_Types].xml`` and ``word/document.xml`` or
  ``xl/workbook.xml``; refused with macros (``vbaProject.bin``, a macro-enabled content type), with
  embedded objects, or with embedded pictures or media above ``EVIDENCE_MAX_EMBEDDED_MEDIA_BYTES``.
- ODT / ODS (OpenDocument): a zip whose first member is ``mimetype`` holding the ODF type; the same
  refusals for macros (``Basic/``, ``Scripts/``), embedded objects and media.
- TXT / CSV: text that decodes as UTF-8 (or UTF-16 with its byte-order mark) without NUL bytes, and
  is not markup (an SVG is an image written as XML). Which of the two is the only thing the name
  decides, since the content cannot.

Everything else is refused, and known kinds (images, video, audio, archives, programs) are named in
the refusal so that the person knows why.
"""

import codecs
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extension: str


PDF = Kind("pdf", "PDF", "application/pdf", "pdf")
DOCX = Kind("docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = Kind("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
ODT = Kind("odt", "ODT", "application/vnd.oasis.opendocument.text", "odt")
ODS = Kind("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", "ods")
TXT = Kind("txt", "TXT", "text/plain", "txt")
CSV = Kind("csv", "CSV", "text/csv", "csv")
KINDS = {kind.code: kind for kind in (PDF, DOCX, XLSX, ODT, ODS, TXT, CSV)}
ACCEPTED_LABELS = ", ".join(kind.label for kind in KINDS.values())

ODF_KINDS = {ODT.content_type: ODT, ODS.content_type: ODS}
# Zip members that hold pictures, video or sound inside an office document.
MEDIA_FOLDERS = ("word/media/", "xl/media/", "Pictures/", "media/")
EMBEDDED_FOLDERS = ("word/embeddings/", "xl/embeddings/", "Object ", "ObjectReplacements/")
MACRO_PARTS = ("vbaproject.bin", "basic/", "scripts/")

# Signatures of what is never accepted, to say what a refused file is. (prefix, offset, what)
IMAGE, VIDEO, AUDIO, ARCHIVE, PROGRAM = "image", "video", "audio", "archive", "program"
SIGNATURES = [
    (b"\xff\xd8\xff", 0, IMAGE),  # JPEG
    (b"\x89PNG\r\n\x1a\n", 0, IMAGE),
    (b"GIF87a", 0, IMAGE),
    (b"GIF89a", 0, IMAGE),
    (b"BM", 0, IMAGE),
    (b"II*\x00", 0, IMAGE),  # TIFF
    (b"MM\x00*", 0, IMAGE),
    (b"\x00\x00\x01\x00", 0, IMAGE),  # ICO
    (b"8BPS", 0, IMAGE),  # Photoshop
    (b"\x1aE\xdf\xa3", 0, VIDEO),  # Matroska, WebM
    (b"\x00\x00\x01\xba", 0, VIDEO),  # MPEG
    (b"FLV", 0, VIDEO),
    (b"OggS", 0, AUDIO),
    (b"ID3", 0, AUDIO),
    (b"fLaC", 0, AUDIO),
    (b"PK\x03\x04", 0, ARCHIVE),
    (b"PK\x05\x06", 0, ARCHIVE),
    (b"Rar!\x1a\x07", 0, ARCHIVE),
    (b"7z\xbc\xaf\x27\x1c", 0, ARCHIVE),
    (b"\x1f\x8b", 0, ARCHIVE),  # gzip
    (b"BZh", 0, ARCHIVE),
    (b"\xfd7zXZ\x00", 0, ARCHIVE),
    (b"(\xb5/\xfd", 0, ARCHIVE),  # zstd
    (b"ustar", 257, ARCHIVE),  # tar
    (b"MZ", 0, PROGRAM),  # Windows executable
    (b"\x7fELF", 0, PROGRAM),
    (b"\xcf\xfa\xed\xfe", 0, PROGRAM),  # Mach-O
    (b"\xfe\xed\xfa\xcf", 0, PROGRAM),
    (b"\xca\xfe\xba\xbe", 0, PROGRAM),
    (b"#!", 0, PROGRAM),  # a script
]
# ISO media (MP4, MOV, HEIC, AVIF): "ftyp" at offset 4, then the brand.
ISO_IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"heif")
# The start of text that is markup, not plain text: SVG images are XML, HTML runs scripts.
MARKUP_STARTS = ("<?xml", "<svg", "<!doctype", "<html", "<script")


class Refused(Exception):
    """The file is not accepted; the message says why, in words for the person who chose it."""


def _never(what):
    reason = _(
        "Material depicting children must never be uploaded to an assessment tool, so images, video and "
        "sound are never accepted."
    )
    messages = {
        IMAGE: _("This file is an image.") + " " + reason,
        VIDEO: _("This file is a video.") + " " + reason,
        AUDIO: _("This file is a sound recording.") + " " + reason,
        ARCHIVE: _(
            "This file is an archive (such as ZIP). Archives are not accepted: upload each document on its own."
        ),
        PROGRAM: _("This file is a program or a script. Only documents are accepted."),
    }
    return Refused(messages[what])


def _not_a_document():
    return Refused(
        _("This file is not one of the accepted document types (%(types)s), whatever its name says.")
        % {"types": ACCEPTED_LABELS}
    )


def _known_refusal(head):
    for prefix, offset, what in SIGNATURES:
        if head[offset : offset + len(prefix)] == prefix:
            return _never(what)
    if head[4:8] == b"ftyp":
        return _never(IMAGE if head[8:12] in ISO_IMAGE_BRANDS else VIDEO)
    if head[:4] == b"RIFF":
        return _never({b"WEBP": IMAGE, b"AVI ": VIDEO, b"WAVE": AUDIO}.get(head[8:12], VIDEO))
    if head[:4] == b"\x30\x26\xb2\x75":  # ASF: WMV, WMA
        return _never(VIDEO)
    return None


def _office_kind(archive):
    """DOCX, XLSX, ODT or ODS for a zip that is one of them (with its rules checked), else ``None``."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    lowered = [name.lower() for name in names]
    first = infos[0] if infos else None
    if first is not None and first.filename == "mimetype":
        kind = ODF_KINDS.get(archive.read(first)[:100].decode("ascii", "replace").strip())
        if kind is None:
            raise _not_a_document()
    elif "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            kind = DOCX
        elif "xl/workbook.xml" in names:
            kind = XLSX
        else:
            raise _not_a_document()
        types = archive.read("[Content_Types].xml")
        if b"macroEnabled" in types or b"vbaProject" in types:
            raise _macros()
    else:
        return None
    if any(part in name for name in lowered for part in MACRO_PARTS):
        raise _macros()
    if any(name.startswith(folder) for name in names for folder in EMBEDDED_FOLDERS):
        raise Refused(
            _(
                "This %(type)s document has other files embedded in it. Save it without embedded objects "
                "and upload those as documents of their own."
            )
            % {"type": kind.label}
        )
    media = sum(info.file_size for info in infos if info.filename.startswith(MEDIA_FOLDERS))
    if media > settings.EVIDENCE_MAX_EMBEDDED_MEDIA_BYTES:
        raise Refused(
            _(
                "This %(type)s document holds pictures or media larger than %(limit)s in all. Images are not "
                "accepted as evidence: remove them, or keep only small ones such as a logo."
            )
            % {"type": kind.label, "limit": megabytes(settings.EVIDENCE_MAX_EMBEDDED_MEDIA_BYTES)}
        )
    return kind


def _macros():
    return Refused(_("This document contains macros. Save it as an ordinary document without macros."))


def _text(data):
    """The decoded text, or ``None`` when the bytes are not text in UTF-8 or UTF-16 with a byte-order mark."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data, chosen = data[len(bom) :], encoding
            break
    else:
        chosen = "utf-8"
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def megabytes(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def identify(data: bytes, name: str = "") -> Kind:
    """The accepted kind of ``data``; raises ``Refused`` with the reason otherwise."""
    if not data:
        raise Refused(_("This file is empty."))
    head = data[:512]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kind = _office_kind(archive)
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError):
            raise _not_a_document()
        if kind is not None:
            return kind
        raise _never(ARCHIVE)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Refused(
            _("This is an older Office file (DOC or XLS). Save it as DOCX or XLSX, or as PDF, and upload that.")
        )
    refusal = _known_refusal(head)
    if refusal is not None:
        raise refusal
    text = _text(data)
    if text is None:
        raise _not_a_document()
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(MARKUP_STARTS) or "<svg" in start[:1000]:
        raise Refused(
            _("This file is markup (XML, HTML or an SVG image), not plain text. SVG images are never accepted.")
        )
    return CSV if name.lower().endswith(".csv") else TXT
