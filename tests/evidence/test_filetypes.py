"""The evidence allow-list: a file is what its bytes say, whatever its name or the browser claims."""

import pytest

from evidence.filetypes import Refused, identify
from tests.evidence import files

ACCEPTED = [
    ("law.pdf", files.PDF, "pdf"),
    ("policy.docx", files.docx(), "docx"),
    ("figures.xlsx", files.xlsx(), "xlsx"),
    ("sop.odt", files.odt(), "odt"),
    ("figures.ods", files.ods(), "ods"),
    ("notes.txt", files.TXT, "txt"),
    ("cases.csv", files.CSV, "csv"),
    ("loi.txt", files.UTF16_TXT, "txt"),
]


@pytest.mark.parametrize(("name", "data", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_listed_document_type_is_accepted(name, data, kind):
    assert identify(data, name).code == kind


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("annual-report.pdf", files.JPEG, "This file is an image"),
        ("scan.pdf", files.PNG, "This file is an image"),
        ("logo.txt", files.SVG, "SVG images are never accepted"),
        ("drawing.svg", files.BARE_SVG, "SVG images are never accepted"),
        ("evidence.docx", files.PLAIN_ZIP, "This file is an archive"),
        ("bundle.zip", files.PLAIN_ZIP, "This file is an archive"),
        ("tool.pdf", files.EXE, "This file is a program"),
        ("tool.txt", files.ELF, "This file is a program"),
        ("clip.pdf", files.MP4, "This file is a video"),
    ],
)
def test_images_svg_archives_programs_and_video_are_refused_whatever_their_name(name, data, reason):
    with pytest.raises(Refused, match=reason) as refused:
        identify(data, name)
    if reason in ("This file is an image", "This file is a video"):
        assert "Material depicting children must never be uploaded" in str(refused.value)


def test_a_word_document_with_macros_is_refused():
    with pytest.raises(Refused, match="macros"):
        identify(files.docx({"word/vbaProject.bin": b"\x00" * 10}), "policy.docx")


def test_a_document_with_embedded_files_is_refused():
    with pytest.raises(Refused, match="embedded"):
        identify(files.docx({"word/embeddings/oleObject1.bin": b"\x00" * 10}), "policy.docx")


def test_office_documents_may_hold_a_small_picture_but_not_photographs(settings):
    settings.EVIDENCE_MAX_EMBEDDED_MEDIA_BYTES = 1000
    assert identify(files.docx({"word/media/logo.png": files.PNG}), "policy.docx").code == "docx"

    with pytest.raises(Refused, match="pictures or media larger than"):
        identify(files.docx({"word/media/photo.jpg": files.JPEG * 20}), "policy.docx")
    with pytest.raises(Refused, match="pictures or media larger than"):
        identify(files.odt({"Pictures/photo.jpg": files.JPEG * 20}), "sop.odt")


def test_text_must_be_utf8_or_utf16_with_its_mark_and_hold_no_nul_bytes():
    with pytest.raises(Refused, match="not one of the accepted document types"):
        identify("Loi relative à l'enfance".encode("latin-1"), "loi.txt")
    with pytest.raises(Refused, match="not one of the accepted document types"):
        identify(b"text\x00with a NUL", "notes.txt")
    with pytest.raises(Refused, match="empty"):
        identify(b"", "empty.pdf")


def test_an_older_office_file_is_refused_with_what_to_do():
    with pytest.raises(Refused, match="Save it as DOCX or XLSX"):
        identify(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "policy.doc")


def test_an_opendocument_presentation_is_not_a_listed_type():
    with pytest.raises(Refused, match="not one of the accepted document types"):
        identify(files.odf("application/vnd.oasis.opendocument.presentation"), "slides.odt")
