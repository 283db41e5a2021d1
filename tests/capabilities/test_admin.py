import html
import re

import pytest
from django.urls import reverse

from capabilities.models import (
    Capability,
    Domain,
    Enabler,
    FrameworkVersion,
    Indicator,
    MaturityLevel,
    Sector,
)
from capabilities.services import framework_clone

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(tiny_framework):
    return framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("model", [FrameworkVersion, Domain, Capability, Enabler, MaturityLevel, Indicator, Sector])
def test_every_framework_admin_page_renders(admin_client_, draft, model):
    obj = model.objects.filter(**({"version": draft} if hasattr(model, "version") else {})).first() or draft
    if model is FrameworkVersion:
        obj = draft
    changelist = admin_client_.get(reverse(f"admin:capabilities_{model._meta.model_name}_changelist"))
    assert changelist.status_code == 200
    page = admin_client_.get(change_url(obj))
    assert page.status_code == 200
    assert str(obj) in page.content.decode() or getattr(obj, "code", "") in page.content.decode()
    assert 'name="_save"' in page.content.decode()


def test_indicator_admin_has_search_and_filters(admin_client_, draft):
    response = admin_client_.get(reverse("admin:capabilities_indicator_changelist"), {"q": "specialist unit"})
    body = response.content.decode()
    assert "C04.1" in body and "C01.1" not in body
    assert "By version" in body and "By sectors" in body


def test_an_admin_edits_an_indicator_of_a_draft_with_its_descriptors(admin_client_, draft):
    indicator = Indicator.objects.get(version=draft, code="C04.1")
    page = admin_client_.get(change_url(indicator)).content.decode()
    data = {
        "capability": indicator.capability_id,
        "code": "C04.1",
        "order": 0,
        "question_en": "Is there a national specialist unit?",
        "question_fr": "Existe-t-il une unité spécialisée nationale ?",
        "guidance_en": "Unit name and mandate.",
        "weight": 3,
        "source": "mnr-2016",
        "sectors": [s.pk for s in indicator.sectors.all()],
    }
    descriptors = list(indicator.descriptors.all())
    data.update(
        {
            "descriptors-TOTAL_FORMS": 5,
            "descriptors-INITIAL_FORMS": 5,
            "descriptors-MIN_NUM_FORMS": 5,
            "descriptors-MAX_NUM_FORMS": 5,
        }
    )
    for i, d in enumerate(descriptors):
        data.update(
            {
                f"descriptors-{i}-id": d.pk,
                f"descriptors-{i}-indicator": indicator.pk,
                f"descriptors-{i}-level": d.level,
                f"descriptors-{i}-text_en": d.text,
            }
        )
    data["descriptors-3-text_en"] = "A national unit with a written mandate."
    data["descriptors-3-text_ar"] = "وحدة وطنية بولاية مكتوبة."
    assert 'name="descriptors-0-text_en"' in page and 'name="descriptors-0-text_ar"' in page

    response = admin_client_.post(change_url(indicator), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    indicator.refresh_from_db()
    assert indicator.question == "Is there a national specialist unit?"
    assert indicator.question_fr == "Existe-t-il une unité spécialisée nationale ?"
    assert indicator.version == draft
    assert indicator.descriptors.get(level=3).text == "A national unit with a written mandate."
    assert indicator.descriptors.get(level=3).text_ar == "وحدة وطنية بولاية مكتوبة."


def test_a_published_version_is_read_only_in_the_admin(admin_client_, tiny_framework):
    indicator = Indicator.objects.get(version=tiny_framework, code="C04.1")

    page = admin_client_.get(change_url(indicator)).content.decode()
    response = admin_client_.post(change_url(indicator), {"question_en": "Hacked", "weight": 1})

    assert 'name="_save"' not in page
    assert "Is there a specialist unit?" in page
    assert response.status_code == 403
    indicator.refresh_from_db()
    assert indicator.question == "Is there a specialist unit?"
    version_page = admin_client_.get(change_url(tiny_framework)).content.decode()
    assert 'name="_save"' not in version_page
    assert (
        admin_client_.post(
            reverse("admin:capabilities_frameworkversion_delete", args=[tiny_framework.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_new_rows_can_only_be_added_to_drafts(admin_client_, tiny_framework, draft):
    page = admin_client_.get(reverse("admin:capabilities_domain_add")).content.decode()
    options = re.findall(r'<option value="(\d+)"', page)
    assert options == [str(draft.pk)]


def test_the_clone_action_asks_the_new_versions_code_and_title(admin_client_, tiny_framework):
    url = reverse("admin:capabilities_frameworkversion_changelist")
    clone_url = reverse("admin:capabilities_frameworkversion_clone", args=[tiny_framework.pk])

    response = admin_client_.post(url, {"action": "clone_as_draft", "_selected_action": [tiny_framework.pk]})
    assert response.status_code == 302 and response.url == clone_url
    assert FrameworkVersion.objects.count() == 1  # nothing cloned before the name is given
    page = admin_client_.get(clone_url).content.decode()
    assert 'name="code"' in page and 'name="title"' in page and "Two domains, three capabilities." in page

    response = admin_client_.post(
        clone_url, {"code": "TINY-2", "title": "Tiny, second edition", "description": "Edited."}, follow=True
    )

    clone = FrameworkVersion.objects.get(code="TINY-2")
    assert (clone.title, clone.description, clone.status, clone.cloned_from) == (
        "Tiny, second edition",
        "Edited.",
        "draft",
        tiny_framework,
    )
    assert clone.indicators.count() == 5
    assert response.redirect_chain[-1][0] == change_url(clone)
    assert "Cloned TINY-1 into the new draft TINY-2; edit it, then publish it." in response.content.decode()


@pytest.mark.parametrize(
    ("code", "title", "field", "message"),
    [
        ("TINY-1-draft-1", "Tiny 2", "code", "leave out “draft”"),
        ("TINY-2", "Tiny (draft 1)", "title", "leave out “draft”"),
        ("TINY-2", "Tiny DRAFT", "title", "leave out “draft”"),
        ("TINY-draft2", "Tiny 2", "code", "leave out “draft”"),
        ("TINY-2", "Tiny, brouillon", "title", "leave out “draft”"),  # the French word for the status
        ("TINY-1", "Tiny 2", "code", "A framework version with code TINY-1 already exists."),
        ("tiny 2", "Tiny 2", "code", "A code has only letters, digits, hyphens and underscores"),
        ("TINY-2", "   ", "title", "This field is required."),
    ],
)
def test_cloning_refuses_a_name_that_is_no_final_name_and_keeps_what_was_typed(
    admin_client_, tiny_framework, code, title, field, message
):
    clone_url = reverse("admin:capabilities_frameworkversion_clone", args=[tiny_framework.pk])

    response = admin_client_.post(clone_url, {"code": code, "title": title, "description": "Kept text"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    page = response.content.decode()
    assert "Kept text" in page and f'value="{html.escape(code)}"' in page
    assert FrameworkVersion.objects.count() == 1


def test_the_clone_action_takes_one_version(admin_client_, tiny_framework, draft):
    url = reverse("admin:capabilities_frameworkversion_changelist")

    response = admin_client_.post(
        url, {"action": "clone_as_draft", "_selected_action": [tiny_framework.pk, draft.pk]}, follow=True
    )

    assert "Select one version to clone: the new draft needs its own code and title." in response.content.decode()
    assert FrameworkVersion.objects.count() == 2


def test_the_version_page_links_to_its_indicators_and_has_publish_and_clone_buttons(
    admin_client_, tiny_framework, draft
):
    page = admin_client_.get(change_url(draft)).content.decode()
    indicators = reverse("admin:capabilities_indicator_changelist") + f"?version={draft.pk}"
    assert f'href="{indicators}" id="version-indicators">5 indicators</a>' in page
    assert reverse("admin:capabilities_frameworkversion_publish", args=[draft.pk]) in page
    assert reverse("admin:capabilities_frameworkversion_clone", args=[draft.pk]) in page

    published = admin_client_.get(change_url(tiny_framework)).content.decode()
    assert reverse("admin:capabilities_frameworkversion_publish", args=[tiny_framework.pk]) not in published
    assert reverse("admin:capabilities_frameworkversion_clone", args=[tiny_framework.pk]) in published


def test_the_publish_button_runs_the_checks_then_asks_for_confirmation(admin_client_, draft):
    publish_url = reverse("admin:capabilities_frameworkversion_publish", args=[draft.pk])
    Indicator.objects.get(version=draft, code="C04.2").sectors.clear()

    page = admin_client_.get(publish_url).content.decode()
    assert "TINY-2 cannot be published yet: 1 thing to fix." in page
    assert "Indicator C04.2 is asked of no sector." in page and 'id="confirm-publish"' not in page
    response = admin_client_.post(publish_url)
    assert "Indicator C04.2 is asked of no sector." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"

    Indicator.objects.get(version=draft, code="C04.2").sectors.add(Sector.objects.get(code="ngo"))
    page = admin_client_.get(publish_url).content.decode()
    assert "passes the publishing checks (domains: 2, capabilities: 3, indicators: 5)" in page
    assert 'id="confirm-publish"' in page
    draft.refresh_from_db()
    assert draft.status == "draft"  # showing the confirmation publishes nothing

    response = admin_client_.post(publish_url, follow=True)

    assert response.redirect_chain[-1][0] == change_url(draft)
    assert "Published TINY-2: it is frozen now." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None
    again = admin_client_.get(publish_url).content.decode()
    assert "TINY-2 is Published: only a draft can be published." in again


def test_publishing_refuses_a_draft_still_named_draft(admin_client_, draft):
    FrameworkVersion.objects.filter(pk=draft.pk).update(code="TINY-2-draft-1", title="Tiny 2 (draft 1)")
    url = reverse("admin:capabilities_frameworkversion_changelist")

    response = admin_client_.post(url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)

    body = html.unescape(response.content.decode())
    assert "TINY-2-draft-1: The code is what coordinators will see once the version is published" in body
    assert "TINY-2-draft-1: The title is what coordinators will see" in body
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_clone_and_publish_pages_are_for_framework_admins_only(client, django_user_model, tiny_framework, draft):
    pages = [
        reverse("admin:capabilities_frameworkversion_clone", args=[tiny_framework.pk]),
        reverse("admin:capabilities_frameworkversion_publish", args=[draft.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    staff = django_user_model.objects.create_user("clerk", "clerk@example.org", "a-long-password-1", is_staff=True)
    client.force_login(staff)
    for url in pages:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"code": "TINY-3", "title": "Tiny 3"}).status_code == 403, url
    assert FrameworkVersion.objects.count() == 2
    draft.refresh_from_db()
    assert draft.status == "draft"
    missing = reverse("admin:capabilities_frameworkversion_publish", args=[draft.pk + 100])
    client.force_login(django_user_model.objects.create_superuser("root2", "r2@example.org", "a-long-password-1"))
    assert client.get(missing).status_code == 404


def test_the_indicator_list_shows_the_newest_draft_by_default(admin_client_, tiny_framework, draft):
    url = reverse("admin:capabilities_indicator_changelist")

    def shown(query=None):
        response = admin_client_.get(url, query or {})
        assert response.status_code == 200
        return {(i.version.code, i.code) for i in response.context["cl"].result_list}

    assert {v for v, _code in shown()} == {"TINY-2"} and len(shown()) == 5
    assert {v for v, _code in shown({"version": tiny_framework.pk})} == {"TINY-1"}
    assert len(shown({"version": "all"})) == 10
    assert {v for v, _code in shown({"version": "junk"})} == {"TINY-2"}
    page = admin_client_.get(url).content.decode()
    assert '<th scope="col" class="column-version_code">' in page.replace("sortable ", "")
    assert "TINY-2 · Draft" in page and "All versions" in page

    FrameworkVersion.objects.filter(pk=draft.pk).delete()
    assert {v for v, _code in shown()} == {"TINY-1"}  # no draft: the newest version


def test_the_indicator_list_takes_the_same_queries_for_more_versions(
    admin_client_, tiny_framework, draft, django_assert_num_queries
):
    url = reverse("admin:capabilities_indicator_changelist")
    admin_client_.get(url)  # warm the session and the content types
    with django_assert_num_queries(QUERIES_INDICATOR_LIST) as captured:
        admin_client_.get(url)
    framework_clone(version=tiny_framework, code="TINY-3", title="Tiny 3")
    with django_assert_num_queries(QUERIES_INDICATOR_LIST):
        admin_client_.get(url, {"version": "all"})
    assert captured


# session, user, two-step device, versions (the version filter), sectors (their filter), count of the
# filtered list, count of all, the page of indicators with their version and capability, domain names (filter),
# tags (their filter)
QUERIES_INDICATOR_LIST = 10


def test_an_indicator_page_says_which_version_it_belongs_to(admin_client_, tiny_framework, draft):
    editable = admin_client_.get(change_url(Indicator.objects.get(version=draft, code="C04.1"))).content.decode()
    frozen = admin_client_.get(change_url(Indicator.objects.get(version=tiny_framework, code="C04.1"))).content
    assert 'id="framework-version">Framework version:' in editable
    assert f'href="{change_url(draft)}">TINY-2 · Tiny 2</a>\n  (Draft)' in editable
    assert "read-only" not in editable.split('id="framework-version"')[1].split("</p>")[0]
    frozen = frozen.decode()
    assert f'href="{change_url(tiny_framework)}">TINY-1 · ' in frozen
    assert "(Published) — read-only: clone the version into a draft to change it." in frozen
