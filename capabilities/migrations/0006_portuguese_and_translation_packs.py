"""Portuguese as a fifth language, and translation packs versioned apart from the framework.

Published versions are frozen by the triggers of migrations 0002 and 0005. This migration lifts
them while it adds the Portuguese columns and the version's translations revision (on SQLite,
adding a column with a default rebuilds the table, which would drop its trigger), then installs them
again, *narrowed*: on the tables with translated texts, the update trigger fires only when a column
other than a translation column (``name_fr``, ``text_pt``, ...) is written. English, codes,
weights and links stay frozen; a translation pack going live may write its language's columns.
Django's ``bulk_update(..., fields=[...])`` writes only the columns it names, which is how
``capabilities.translationpacks`` writes them. A later migration that lifts the triggers must
install them again with ``narrow`` below.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# Tables with translated texts: (table, how a row reaches its version, translated fields).
TRANSLATED = [
    ("capabilities_domain", "version", ("name", "outcome")),
    ("capabilities_capability", "version", ("title", "summary", "outcome")),
    ("capabilities_enabler", "version", ("name", "description")),
    ("capabilities_maturitylevel", "version", ("name", "description")),
    ("capabilities_indicator", "version", ("question", "guidance")),
    ("capabilities_leveldescriptor", "indicator", ("text",)),
    ("capabilities_tag", "version", ("lens", "name")),
]
TRANSLATION_LANGUAGES = ("fr", "es", "ar", "pt")


def _module(name):
    return importlib.import_module(f"capabilities.migrations.{name}")


def lift(apps, schema_editor):
    _module("0005_source_marks_and_tags").uninstall_tag_triggers(schema_editor)
    _module("0002_freeze_published_versions").uninstall(apps, schema_editor)


def install_full(apps, schema_editor):
    _module("0002_freeze_published_versions").install(apps, schema_editor)
    _module("0005_source_marks_and_tags").install_tag_triggers(schema_editor)


def frozen_columns(schema_editor, table, fields):
    """Every column of ``table`` but the translation columns of ``fields`` (constant names, from the catalogue)."""
    translation_columns = {f"{field}_{lang}" for field in fields for lang in TRANSLATION_LANGUAGES}
    with schema_editor.connection.cursor() as cursor:
        columns = [c.name for c in schema_editor.connection.introspection.get_table_description(cursor, table)]
    return [c for c in columns if c not in translation_columns]


def narrow(apps, schema_editor):
    """Re-create the update triggers of the translated tables so that they fire on frozen columns only."""
    freeze = _module("0002_freeze_published_versions")
    vendor = schema_editor.connection.vendor
    for table, via, fields in TRANSLATED:
        columns = ", ".join(schema_editor.quote_name(c) for c in frozen_columns(schema_editor, table, fields))
        if vendor == "postgresql":
            func = f"mnr_freeze_{table}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {func} ON {table}")
            schema_editor.execute(
                f"CREATE TRIGGER {func} BEFORE INSERT OR UPDATE OF {columns} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {func}()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_update")
            schema_editor.execute(
                f"CREATE TRIGGER mnr_freeze_{table}_update BEFORE UPDATE OF {columns} ON {table} "
                f"WHEN {freeze._frozen('NEW', via)} OR {freeze._frozen('OLD', via)} "
                f"BEGIN SELECT RAISE(ABORT, '{freeze.MESSAGE}'); END"
            )
        else:
            raise NotImplementedError(f"No freeze triggers for the {vendor} database; use PostgreSQL or SQLite.")


def install_narrowed(apps, schema_editor):
    install_full(apps, schema_editor)
    narrow(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('capabilities', '0005_source_marks_and_tags'),
    ]

    operations = [
        migrations.RunPython(lift, install_full),
        migrations.AddField(
            model_name='capability',
            name='outcome_pt',
            field=models.TextField(null=True, verbose_name='outcome'),
        ),
        migrations.AddField(
            model_name='capability',
            name='summary_pt',
            field=models.TextField(null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='capability',
            name='title_pt',
            field=models.CharField(max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='domain',
            name='name_pt',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='domain',
            name='outcome_pt',
            field=models.TextField(null=True, verbose_name='outcome'),
        ),
        migrations.AddField(
            model_name='enabler',
            name='description_pt',
            field=models.TextField(null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='enabler',
            name='name_pt',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='frameworkversion',
            name='translations_revision',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='translations revision'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='guidance_pt',
            field=models.TextField(blank=True, null=True, verbose_name='evidence guidance'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='question_pt',
            field=models.TextField(null=True, verbose_name='question'),
        ),
        migrations.AddField(
            model_name='leveldescriptor',
            name='text_pt',
            field=models.TextField(null=True, verbose_name='descriptor'),
        ),
        migrations.AddField(
            model_name='maturitylevel',
            name='description_pt',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='maturitylevel',
            name='name_pt',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='sector',
            name='description_pt',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='sector',
            name='name_pt',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='tag',
            name='lens_pt',
            field=models.CharField(help_text='The group the tag belongs to, e.g. Prevention level.', max_length=120, null=True, verbose_name='lens'),
        ),
        migrations.AddField(
            model_name='tag',
            name='name_pt',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.CreateModel(
            name='TranslationPack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8, verbose_name='language')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('provisional', 'Provisional (live, awaiting review)'), ('reviewed', 'Reviewed'), ('published', 'Published'), ('superseded', 'Superseded')], default='draft', max_length=12, verbose_name='status')),
                ('translator', models.CharField(blank=True, max_length=200, verbose_name='translator')),
                ('reviewer', models.CharField(blank=True, max_length=200, verbose_name='reviewer')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='live since')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='translation_packs', to='capabilities.frameworkversion', verbose_name='framework version')),
            ],
            options={
                'verbose_name': 'translation pack',
                'verbose_name_plural': 'translation packs',
                'ordering': ['version__code', 'language', '-created_at'],
            },
        ),
        migrations.CreateModel(
            name='TranslationText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=80, verbose_name='key')),
                ('source', models.TextField(verbose_name='English')),
                ('text', models.TextField(blank=True, verbose_name='translation')),
                ('pack', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='texts', to='capabilities.translationpack')),
            ],
            options={
                'verbose_name': 'translated text',
                'verbose_name_plural': 'translated texts',
                'ordering': ['pack', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='translationpack',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'provisional', 'reviewed', 'published', 'superseded'])), name='translation_pack_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='translationpack',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['provisional', 'published'])), fields=('version', 'language'), name='translation_pack_one_live'),
        ),
        migrations.AddConstraint(
            model_name='translationpack',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'reviewed'])), fields=('version', 'language'), name='translation_pack_one_in_work'),
        ),
        migrations.AddConstraint(
            model_name='translationpack',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['reviewed', 'published']), _negated=True), models.Q(('reviewer', ''), _negated=True), _connector='OR'), name='translation_pack_reviewed_has_reviewer'),
        ),
        migrations.AddConstraint(
            model_name='translationtext',
            constraint=models.UniqueConstraint(fields=('pack', 'key'), name='translation_text_key_unique_per_pack'),
        ),
        migrations.RunPython(install_narrowed, lift),
    ]
