"""The framework tree of a published version is read once per process; a draft's is read every time."""

import pytest
from django.utils import translation

from capabilities.models import Capability, FrameworkVersion
from capabilities.queries import framework_tree

pytestmark = pytest.mark.django_db


def test_a_published_versions_tree_is_read_once(tiny_framework, django_assert_num_queries):
    # 1 levels, 2 capabilities with domains, 3 indicators, 4 their descriptors, 5 the languages whose
    # live translation pack is provisional (the pages say so).
    with django_assert_num_queries(5):
        tree = framework_tree(tiny_framework)
    reloaded = FrameworkVersion.objects.get(pk=tiny_framework.pk)  # as another request loads it
    with django_assert_num_queries(0):
        again = framework_tree(reloaded)

    assert again is tree
    assert [c.number for c in tree.capabilities] == sorted(c.number for c in tree.capabilities)
    indicator = next(i for i in tree.indicators.values() if i.code == "C01.1")
    assert indicator.capability is tree.capability(indicator.capability.number)
    assert [d.level for d in indicator.descriptors.all()] == sorted(d.level for d in indicator.descriptors.all())
    assert [level.level for level in tree.levels] == [0, 1, 2, 3, 4]


def test_a_drafts_tree_is_read_afresh_and_shows_its_edits(tiny_framework, django_assert_num_queries):
    from capabilities.services import framework_clone

    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny, second edition")
    framework_tree(draft)
    Capability.objects.filter(version=draft, number=1).update(title="Leadership, renamed")

    with django_assert_num_queries(4):
        tree = framework_tree(draft)

    assert tree.capability(1).title == "Leadership, renamed"


def test_one_tree_serves_every_language(tiny_framework):
    """The texts are modeltranslation fields, resolved when read: a cached tree needs no copy per language."""
    from capabilities.services import framework_clone

    draft = framework_clone(version=tiny_framework, code="TINY-FR", title="Tiny, in French too")
    Capability.objects.filter(version=draft, number=1).update(title_fr="Direction")
    tree = framework_tree(draft)

    with translation.override("fr"):
        assert tree.capability(1).title == "Direction"
    with translation.override("en"):
        assert tree.capability(1).title == "Leadership"
