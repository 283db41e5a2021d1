import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from capabilities.models import Capability, FrameworkVersion, Indicator, LevelDescriptor, Sector
from capabilities.services import framework_clone, framework_publish, framework_retire

pytestmark = pytest.mark.django_db

FROZEN = "published or retired and cannot be changed"


def refused(callable_):
    with pytest.raises(IntegrityError, match=FROZEN), transaction.atomic():
        callable_()


def test_the_database_refuses_any_edit_of_a_published_version(tiny_framework):
    indicator = Indicator.objects.get(version=tiny_framework, code="C04.1")
    indicator.question = "Changed?"
    refused(indicator.save)
    refused(lambda: Indicator.objects.filter(pk=indicator.pk).update(weight=3))
    refused(lambda: LevelDescriptor.objects.filter(indicator=indicator, level=2).update(text="Edited"))
    refused(
        lambda: (
            LevelDescriptor.objects.create(indicator=Indicator.objects.get(code="C01.2"), level=4, text="x")
            if False
            else Capability.objects.filter(version=tiny_framework).update(title="New")
        )
    )
    refused(lambda: indicator.sectors.add(Sector.objects.get(code="ngo")))
    refused(lambda: FrameworkVersion.objects.filter(pk=tiny_framework.pk).update(title="Renamed"))
    refused(lambda: FrameworkVersion.objects.filter(pk=tiny_framework.pk).update(status="draft"))

    indicator.refresh_from_db()
    assert indicator.question == "Is there a specialist unit?"
    assert list(indicator.sectors.values_list("code", flat=True)) == ["law_enforcement"]


def test_a_published_version_can_be_retired_but_not_revived(tiny_framework):
    framework_retire(version=tiny_framework)
    assert tiny_framework.status == FrameworkVersion.Status.RETIRED
    refused(lambda: FrameworkVersion.objects.filter(pk=tiny_framework.pk).update(status="published"))


def test_clone_produces_a_full_independent_draft(tiny_framework):
    clone = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny, second edition")

    assert clone.status == FrameworkVersion.Status.DRAFT
    assert clone.cloned_from == tiny_framework
    for relation in ["domains", "capabilities", "enablers", "levels", "indicators"]:
        assert getattr(clone, relation).count() == getattr(tiny_framework, relation).count(), relation
    assert LevelDescriptor.objects.filter(indicator__version=clone).count() == 25
    copied = Indicator.objects.get(version=clone, code="C04.2")
    original = Indicator.objects.get(version=tiny_framework, code="C04.2")
    assert copied.pk != original.pk
    assert copied.capability.version == clone and copied.capability.domain.version == clone
    assert set(copied.sectors.values_list("code", flat=True)) == {"law_enforcement", "ngo"}
    assert set(clone.enablers.get().capabilities.values_list("version", flat=True)) == {clone.pk}

    copied.question = "Are all officers trained?"
    copied.save()
    copied.descriptors.filter(level=3).update(text="Every officer.")
    original.refresh_from_db()
    assert original.question == "Are officers trained?"
    assert original.descriptors.get(level=3).text == "All unit officers."


def test_clone_uses_a_constant_number_of_queries(tiny_framework, django_assert_num_queries):
    # savepoint, code check, version insert in its own savepoint (3), levels (select+insert), domains (select+insert),
    # tags (select; no insert when there are none), capabilities (select + tags prefetch + insert), indicators
    # (select + 3 prefetches + insert), descriptors, indicator sectors, enablers (select + prefetch + insert),
    # metrics (select + sectors prefetch + insert), metric sectors, enabler capabilities, release savepoint.
    # Tagged rows add one insert each for the tags and their two links.
    with django_assert_num_queries(29):
        framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")


def test_publishing_checks_the_draft_is_complete(tiny_framework):
    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")
    Indicator.objects.get(version=draft, code="C01.1").descriptors.filter(level=2).delete()
    Indicator.objects.get(version=draft, code="C01.2").sectors.clear()

    with pytest.raises(ValidationError) as excinfo:
        framework_publish(version=draft)

    assert excinfo.value.messages == [
        "Indicator C01.1 has no descriptor for level(s) 2.",
        "Indicator C01.2 is asked of no sector.",
    ]
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.DRAFT


def test_publishing_a_complete_draft_freezes_it(tiny_framework):
    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")
    framework_publish(version=draft)
    assert draft.status == FrameworkVersion.Status.PUBLISHED and draft.published_at is not None
    refused(lambda: Indicator.objects.filter(version=draft).update(weight=2))


def test_database_constraints_refuse_bad_values_even_in_a_draft(tiny_framework):
    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")
    indicator = Indicator.objects.get(version=draft, code="C04.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelDescriptor.objects.create(indicator=indicator, level=5, text="Beyond")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(weight=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(version=draft, capability=indicator.capability, code="C04.1", question="Dup")


def test_a_clone_is_named_as_it_will_be_published(tiny_framework):
    with pytest.raises(ValidationError) as excinfo:
        framework_clone(version=tiny_framework, code="TINY-1-draft-1", title="Tiny (Draft 1)")

    assert set(excinfo.value.message_dict) == {"code", "title"}
    assert "leave out “draft”" in excinfo.value.message_dict["code"][0]
    assert FrameworkVersion.objects.count() == 1
    clone = framework_clone(version=tiny_framework, code=" TINY-2 ", title=" Tiny, second edition (drafting rules) ")
    assert (clone.code, clone.title, clone.description) == (
        "TINY-2",
        "Tiny, second edition (drafting rules)",
        tiny_framework.description,
    )


def test_publishing_refuses_a_draft_whose_name_says_draft(tiny_framework):
    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny 2")
    # Renamed after the clone, as an admin may do on the draft's page; the stale object still says "Tiny 2".
    FrameworkVersion.objects.filter(pk=draft.pk).update(title="Tiny 2 (draft 1)")

    with pytest.raises(ValidationError) as excinfo:
        framework_publish(version=draft)

    assert excinfo.value.messages == [
        "The title is what coordinators will see once the version is published: leave out “draft” (the status "
        "already says it) and give the final name."
    ]
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.DRAFT


def test_a_framework_file_published_under_a_draft_name_is_refused(db):
    from capabilities.fileformat import parse_framework
    from capabilities.services import framework_load
    from tests.conftest import TINY_FRAMEWORK_FILE

    data = parse_framework(TINY_FRAMEWORK_FILE.read_text(), str(TINY_FRAMEWORK_FILE))
    data["version"]["code"] = "TINY-1-draft-2"

    with pytest.raises(ValidationError, match="leave out “draft”"):
        framework_load(data=data)

    assert not FrameworkVersion.objects.exists()


def test_cloning_under_a_code_taken_meanwhile_is_a_message_not_an_error(tiny_framework, monkeypatch):
    from capabilities import services

    # Another admin's clone commits between the check and the insert.
    monkeypatch.setattr(services, "version_name_problems", lambda **kwargs: {})
    with pytest.raises(ValidationError) as excinfo:
        framework_clone(version=tiny_framework, code="TINY-1", title="Tiny again")

    assert excinfo.value.message_dict == {"code": ["A framework version with code TINY-1 already exists."]}
    assert FrameworkVersion.objects.count() == 1
