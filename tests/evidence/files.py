"""Small files of every kind the evidence upload meets, made in memory."""

import io
import zipfile

from openpyxl import Workbook

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>\n'
BARE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
TXT = "Child Protection Act 2021, article 12 — the national unit (décret n° 7).\n".encode()
CSV = b"year,cases referred\n2024,132\n2025,171\n"
UTF16_TXT = "Loi n° 2021-12 relative à la protection de l'enfance.\n".encode("utf-16")


def zipped(members, *, first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx(extra=None):
    return zipped(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body><w:p><w:r><w:t>Policy</w:t></w:r></w:p></w:body></w:document>",
            **(extra or {}),
        }
    )


def xlsx():
    book = Workbook()
    book.active["A1"] = "Cases referred"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def odf(mimetype, extra=None):
    return zipped(
        {"content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<manifest/>", **(extra or {})},
        first=("mimetype", mimetype.encode()),
    )


def odt(extra=None):
    return odf("application/vnd.oasis.opendocument.text", extra)


def ods():
    return odf("application/vnd.oasis.opendocument.spreadsheet")


PLAIN_ZIP = zipped({"policy.txt": TXT, "photo.jpg": JPEG})
