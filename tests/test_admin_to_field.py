"""``?_to_field=`` on every admin list: a reverse relation's name (``+`` for every ``related_name="+"``) is
refused with 400, as any field the list does not allow; the primary key still works."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db
ADMIN_LISTS = {f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist": m for m in admin.site._registry}


def reverse_relation_names(model):
    return sorted({f.name for f in model._meta.get_fields(include_hidden=True) if not f.concrete})


@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_a_reverse_relation_as_to_field_is_refused_with_400_on_every_admin_list(client, superuser, name):
    client.force_login(superuser)
    client.raise_request_exception = False
    names = reverse_relation_names(ADMIN_LISTS[name])

    answers = {value: client.get(reverse(name), {"_to_field": value}).status_code for value in names + ["id"]}

    assert answers == {value: 200 if value == "id" else 400 for value in answers}


def test_the_users_list_has_hidden_reverse_relations_to_refuse():
    from django.contrib.auth import get_user_model

    assert "+" in reverse_relation_names(get_user_model())
