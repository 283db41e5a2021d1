"""The good-practice library: moderation states, who may do what, and search."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from capabilities.models import Capability
from network import services
from network.models import Practice
from network.queries import practice_search
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


def entry(author, tiny_framework, *, title="Helpline for children", text="A national helpline.", number=1):
    practice = Practice(title=title, summary=text, what_was_done="Opened a 24-hour line.", language="en")
    return services.practice_save(
        practice=practice, by=author, capabilities=Capability.objects.filter(version=tiny_framework, number=number)
    )


def test_an_entry_goes_from_draft_to_submitted_to_published_or_returned(coordinator, secretariat, tiny_framework):
    practice = entry(coordinator, tiny_framework)
    assert practice.status == "draft" and practice.country == coordinator.roles.get().country

    with pytest.raises(PermissionDenied):
        services.practice_publish(practice=practice, by=coordinator)
    with pytest.raises(ValidationError, match="state"):
        services.practice_publish(practice=practice, by=secretariat)  # a draft cannot be published

    services.practice_submit(practice=practice, by=coordinator)
    with pytest.raises(ValidationError, match="change"):
        services.practice_return(practice=practice, by=secretariat, reason=" ")
    services.practice_return(practice=practice, by=secretariat, reason="Add the results.")
    assert practice.status == "returned" and practice.return_reason == "Add the results."

    services.practice_submit(practice=practice, by=coordinator)
    services.practice_publish(practice=practice, by=secretariat)
    assert practice.status == "published" and practice.published_at is not None
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.practice_save(practice=practice, by=coordinator, capabilities=[])


def test_focal_points_and_observers_may_not_write_entries(client, focal_point, observer, tiny_framework):
    for user in (focal_point, observer):
        with pytest.raises(PermissionDenied):
            entry(user, tiny_framework)
        client.force_login(user)
        assert client.get(reverse("network:practice_create")).status_code == 403


def test_a_draft_is_seen_by_its_author_and_the_secretariat_only(
    client, coordinator, outsider, secretariat, tiny_framework
):
    practice = entry(coordinator, tiny_framework)
    url = practice.get_absolute_url()
    for user, status in ((coordinator, 200), (secretariat, 200), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(outsider)
    assert client.get(reverse("network:practice_update", args=[practice.pk])).status_code == 404


def test_the_country_is_shown_only_when_the_author_chooses(client, coordinator, secretariat, outsider, tiny_framework):
    practice = entry(coordinator, tiny_framework)
    services.practice_submit(practice=practice, by=coordinator)
    services.practice_publish(practice=practice, by=secretariat)
    client.force_login(outsider)
    assert "Arcadia" not in client.get(practice.get_absolute_url()).content.decode()
    Practice.objects.filter(pk=practice.pk).update(show_country=True)
    assert "Arcadia" in client.get(practice.get_absolute_url()).content.decode()


def test_an_invalid_form_keeps_what_was_typed(client, coordinator, tiny_framework):
    client.force_login(coordinator)
    response = client.post(
        reverse("network:practice_create"),
        {"title": "Hotline", "summary": "S", "what_was_done": "W", "language": "en", "resources": "not a link"},
    )
    assert response.status_code == 200
    assert "starting with https://" in response.content.decode() and "Hotline" in response.content.decode()
    assert not Practice.objects.exists()


def published(author, secretariat, tiny_framework, **kwargs):
    practice = entry(author, tiny_framework, **kwargs)
    services.practice_submit(practice=practice, by=author)
    return services.practice_publish(practice=practice, by=secretariat)


def test_search_by_capability_and_text_on_sqlite(coordinator, secretariat, tiny_framework):
    helpline = published(coordinator, secretariat, tiny_framework)
    training = published(coordinator, secretariat, tiny_framework, title="Judges trained", text="Training.", number=3)

    assert list(practice_search(Practice.objects.published(), capability=3)) == [training]
    assert list(practice_search(Practice.objects.published(), q="helpline")) == [helpline]
    assert list(practice_search(Practice.objects.published(), q="training", capability=1)) == []


def test_search_by_capability_and_text_on_postgresql(coordinator, secretariat, tiny_framework):
    require_postgres()
    helpline = published(coordinator, secretariat, tiny_framework, text="Children call a national helpline.")
    published(coordinator, secretariat, tiny_framework, title="Judges trained", text="Training of judges.", number=3)

    assert list(practice_search(Practice.objects.published(), q="helplines OR helpline", capability=1)) == [helpline]
    assert list(practice_search(Practice.objects.published(), q="judges", capability=1)) == []


def test_the_text_search_can_use_the_gin_index_on_postgresql(coordinator, secretariat, tiny_framework):
    require_postgres()
    from django.db import connection

    published(coordinator, secretariat, tiny_framework)
    found = practice_search(Practice.objects.all(), q="helpline")  # no status filter: its index would do
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "practice_search_gin" in plan, plan


def test_the_library_list_runs_the_same_queries_for_few_and_many_entries(
    client, coordinator, secretariat, tiny_framework, django_assert_num_queries
):
    for n in range(3):
        published(coordinator, secretariat, tiny_framework, title=f"Entry {n}")
    client.force_login(coordinator)
    url = reverse("network:library") + "?capability=1"
    client.get(url)

    # session, user, the OTP device; the count; roles (may the user write?); the region choices; the page;
    # the author's unpublished entries; the page's capabilities
    with django_assert_num_queries(9):
        client.get(url)
    for n in range(3, 30):
        published(coordinator, secretariat, tiny_framework, title=f"Entry {n}")
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_the_gap_report_links_the_library_entries_for_capabilities_with_next_steps(
    coordinator, secretariat, tiny_framework, cycle
):
    from network.report import report_sections

    practice = published(coordinator, secretariat, tiny_framework)
    data = {"capabilities": [{"number": 1, "title": "Leadership", "next_steps": [{"indicator": "C01.1"}]}]}

    sections = report_sections(cycle=cycle, data=data)

    assert sections[0]["template"] == "network/report_section.html"
    assert sections[0]["data"]["library"][0]["entries"][0]["title"] == practice.title
    assert sections[0]["data"]["library"][0]["entries"][0]["url"].endswith(practice.get_absolute_url())


def test_the_links_give_an_entry_once_in_the_readers_language_where_it_is_translated(
    coordinator, secretariat, tiny_framework
):
    from django.utils import timezone

    from network.report import library_links

    original = published(coordinator, secretariat, tiny_framework)
    capability = Capability.objects.get(version=tiny_framework, number=1)

    def translation(language, title, status=Practice.Status.PUBLISHED):
        copy = Practice.objects.create(
            title=title,
            summary="S.",
            what_was_done="W.",
            language=language,
            translation_of=original,
            status=status,
            published_at=timezone.now(),
        )
        copy.capabilities.add(capability)
        return copy

    arabic = translation("ar", "خط مساعدة وطني للأطفال")
    translation("fr", "Brouillon", status=Practice.Status.DRAFT)

    def titles(language):
        return [(e["id"], e["title"]) for e in library_links([1], language=language)[1]]

    assert titles("ar") == [(arabic.pk, arabic.title)]
    assert titles("en") == [(original.pk, original.title)]
    assert titles("fr") == [(original.pk, original.title)], "an unpublished translation is not offered"
    assert titles("es") == [(original.pk, original.title)], "no translation: the original"


def test_a_published_entry_is_translated_from_its_page_and_each_version_links_the_others(
    client, coordinator, secretariat, tiny_framework
):
    original = published(coordinator, secretariat, tiny_framework)
    client.force_login(coordinator)
    url = reverse("network:practice_create") + f"?translation_of={original.pk}"
    assert url in client.get(original.get_absolute_url()).content.decode()

    with translation.override("ar"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert original.what_was_done in page, "the original is shown to translate from"
    assert '<option value="ar" selected>' in page, "the reader's language is proposed"

    fields = {
        "title": "خط مساعدة وطني للأطفال",
        "summary": "خط وطني.",
        "what_was_done": "خط على مدار الساعة.",
        "capabilities": [c.pk for c in original.capabilities.all()],
    }
    refused = client.post(url, {**fields, "language": "en"})
    assert refused.status_code == 200 and "another language than the original" in refused.content.decode()
    assert not Practice.objects.filter(translation_of=original).exists(), "nothing saved"

    response = client.post(url, {**fields, "language": "ar"})
    copy = Practice.objects.get(translation_of=original)
    assert response.url == copy.get_absolute_url()
    assert (copy.language, copy.status, copy.author) == ("ar", "draft", coordinator)
    again = client.post(url, {**fields, "language": "ar"})
    assert "has a translation in Arabic already" in again.content.decode()

    services.practice_submit(practice=copy, by=coordinator)
    services.practice_publish(practice=copy, by=secretariat)
    assert f'href="{copy.get_absolute_url()}" lang="ar"' in client.get(original.get_absolute_url()).content.decode()
    translated = client.get(copy.get_absolute_url()).content.decode()
    assert "Translation. Also in:" in translated and f'href="{original.get_absolute_url()}"' in translated


def test_only_a_published_entry_one_may_see_is_translated(client, coordinator, secretariat, tiny_framework):
    draft = entry(secretariat, tiny_framework)
    client.force_login(coordinator)
    for pk in (draft.pk, 999999, "x"):
        assert client.get(reverse("network:practice_create") + f"?translation_of={pk}").status_code == 404


def test_the_seed_file_loads_its_translations_and_refuses_one_of_no_earlier_entry(tmp_path, tiny_framework):
    from network.library import library_load

    library_load()
    arabic = Practice.objects.get(code="mnr-01-leadership-ar")
    assert arabic.translation_of.code == "mnr-01-leadership" and arabic.language == "ar"
    assert arabic.tag_list == ["الحوكمة", "التنسيق"]

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: mnr-network-library/1\nentries:\n- {code: x-fr, translation_of: nowhere, capabilities: [1], "
        "language: fr, title: T, summary: S, what_was_done: W}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="no earlier entry"):
        library_load(path=bad)
    assert not Practice.objects.filter(code="x-fr").exists(), "the file is refused whole"
