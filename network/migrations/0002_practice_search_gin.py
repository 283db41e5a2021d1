"""A GIN index for the library's full-text search, on PostgreSQL only (SQLite has no GIN: its search is
a plain ``icontains``). Its expression is the query's: ``network.queries.SEARCHED_FIELDS`` with the
``simple`` configuration, so the planner can use it (tests/network/test_library.py checks with EXPLAIN)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

NAME = "practice_search_gin"
FIELDS = ("title", "summary", "context", "what_was_done", "results", "tags")


def index():
    return GinIndex(SearchVector(*FIELDS, config="simple"), name=NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("network", "Practice"), index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("network", "Practice"), index())


class Migration(migrations.Migration):
    dependencies = [("network", "0001_regions_consents_library_exchange")]

    operations = [migrations.RunPython(create, drop)]
