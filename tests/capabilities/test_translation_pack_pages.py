"""What a live translation pack changes on the pages and in the PDF: the texts, and nothing in the queries."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from assessments import services
from assessments.models import Answer
from capabilities.models import LevelDescriptor
from capabilities.translationpacks import framework_texts, pack_import, pack_publish
from mnr_portal.language import SESSION_KEY
from reports.consolidation import cycle_report_data
from reports.pdf import render_report_pdf
from tests.assessments.test_queries import framework_with_one_capability
from tests.capabilities.packs import load_shipped_pack
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A French page leaves French active in this thread; the next test's setup must write English."""
    translation.activate("en")
    yield
    translation.activate("en")


def in_french(client):
    session = client.session
    session[SESSION_KEY] = "fr"
    session.save()


@pytest.mark.parametrize("with_pack", [False, True], ids=["no-pack", "french-pack"])
def test_the_capability_page_takes_the_same_queries_with_a_live_pack(
    django_assert_num_queries, client, country_a, organisation, focal_point, coordinator, with_pack
):
    version = framework_with_one_capability(indicators=5, sector=organisation.sector)
    if with_pack:
        entries = {key: (t.source, f"FR {t.source}") for key, t in framework_texts(version).items()}
        pack, _ = pack_import(version=version, language="fr", entries=entries)
        pack_publish(pack=pack, provisional=True)
    cycle = make_cycle(country=country_a, framework_version=version, organisations=[organisation], by=coordinator)
    submission = cycle.submissions.get()
    Answer.objects.filter(submission=submission).update(
        choice="2", version=1, updated_by=focal_point, updated_at=timezone.now()
    )
    client.force_login(focal_point)
    in_french(client)
    url = reverse("assessments:questionnaire_capability", args=[submission.pk, 1])
    client.get(url)  # warm: the session, and the version's cached tree

    # The same 8 queries as tests/assessments/test_queries.py names: the pack's texts are in the tree.
    with django_assert_num_queries(8):
        response = client.get(url)

    body = response.content.decode()
    assert ("FR C01.5 at level 4." in body) is with_pack
    assert ('id="draft-translation"' in body) is with_pack


def test_the_french_page_shows_french_questions_and_marks_a_missing_text_as_english(
    client, framework, country_a, coordinator
):
    org = OrganisationFactory(country=country_a, name="Ministère", sector=SectorFactory(code="ministry"))
    load_shipped_pack(framework, "fr", skip={"indicator:C01.1:guidance"})
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=[org], by=coordinator)
    submission = cycle.submissions.get()
    user = UserFactory(username="marie")
    FocalPointRoleFactory(user=user, organisation=org)
    client.force_login(user)
    in_french(client)
    body = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()

    assert "Un organe national piloté par le gouvernement" in body  # C01.1's question
    descriptor = LevelDescriptor.objects.get(indicator__version=framework, indicator__code="C01.1", level=3)
    assert descriptor.text_fr and escape(descriptor.text_fr) in body
    assert '<span lang="en" dir="ltr" class="fw-fallback">Name the body and the instrument that created it' in body
    assert 'id="draft-translation"' in body


def pdf_text(pdf):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_pdf_carries_translated_descriptors(framework, country_a, coordinator, language):
    load_shipped_pack(framework, language)
    org = OrganisationFactory(country=country_a, name="National Committee", sector=SectorFactory(code="ministry"))
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=[org], by=coordinator)
    submission = cycle.submissions.get()
    for answer in submission.answers.filter(indicator__capability__number=1):
        services.answer_save(answer=answer, choice="1", evidence="", comment="", base_version=0, by=coordinator)
    submission.status = "submitted"
    submission.save(update_fields=["status"])

    data = cycle_report_data(cycle, language=language)
    text = pdf_text(render_report_pdf(data)[0])

    # Level 1 everywhere in capability 1, target 3: the next steps quote level 2's descriptors.
    steps = [s["text"] for c in data["capabilities"] if c["number"] == 1 for s in c["next_steps"]]
    descriptor = LevelDescriptor.objects.get(indicator__version=framework, indicator__code="C01.1", level=2)
    translated = getattr(descriptor, f"text_{language}")
    assert translated in steps
    words = translated.split()[:4]
    assert " ".join(words) in text, (words, text[:400])
    assert descriptor.text_en not in text
