"""Metrics: the outcome figures reported beside a capability's maturity, versioned with the framework.

Published versions are frozen by the triggers of migrations 0002, 0005 and 0006. This migration lifts
them while it creates the metric tables and gives an already loaded MNR-2016 (and MNR-2016-R2025) the
metrics of its fixture file, so that loading the file again changes nothing. Where the version has a
live translation pack, the metric texts of the shipped pack go into that language's columns and are
added to the pack (the columns of a language without a live pack follow the file, as 0006 says). It
then installs the triggers again, narrowed as 0006 does, and freezes the metric tables too. A later
migration that lifts the triggers lifts all of them (``lift`` below) and installs them again with
``install`` below.
"""

import importlib
from pathlib import Path

import yaml
import django.db.models.deletion
from django.db import migrations, models

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
FILES = {"MNR-2016": "mnr-2016.yaml", "MNR-2016-R2025": "mnr-2016-r2025.yaml"}
LANGUAGES = ("fr", "es", "ar", "pt")
FIELDS = ("name", "definition")
LIVE = ("provisional", "published")
# The metric tables, frozen like the others: (table, how a row reaches its version).
METRIC_TABLES = [
    ("capabilities_metric", "{row}.version_id"),
    (
        "capabilities_metric_sectors",
        "(SELECT m.version_id FROM capabilities_metric m WHERE m.id = {row}.metric_id)",
    ),
]


def _module(name):
    return importlib.import_module(f"capabilities.migrations.{name}")


# Constant SQL assembled from the table names above, never from input (bandit skips migrations).
def _frozen(row, version_of):
    return (
        "EXISTS (SELECT 1 FROM capabilities_frameworkversion v "
        f"WHERE v.id = {version_of.format(row=row)} AND v.status <> 'draft')"
    )


def install_metric_triggers(schema_editor):
    """Freeze the metric tables; on ``capabilities_metric`` the translation columns stay writable (0006)."""
    vendor = schema_editor.connection.vendor
    message = _module("0002_freeze_published_versions").MESSAGE
    for table, version_of in METRIC_TABLES:
        if table == "capabilities_metric":
            columns = _module("0006_portuguese_and_translation_packs").frozen_columns(schema_editor, table, FIELDS)
            update_of = "UPDATE OF " + ", ".join(schema_editor.quote_name(c) for c in columns)
        else:
            update_of = "UPDATE"
        if vendor == "postgresql":
            func = f"mnr_freeze_{table}"
            schema_editor.execute(
                f"""CREATE OR REPLACE FUNCTION {func}() RETURNS trigger AS $$
                BEGIN
                  IF {_frozen("NEW", version_of)} OR (TG_OP = 'UPDATE' AND {_frozen("OLD", version_of)}) THEN
                    RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql"""
            )
            schema_editor.execute(
                f"CREATE TRIGGER {func} BEFORE INSERT OR {update_of} ON {table} FOR EACH ROW EXECUTE FUNCTION {func}()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER mnr_freeze_{table}_insert BEFORE INSERT ON {table} "
                f"WHEN {_frozen('NEW', version_of)} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER mnr_freeze_{table}_update BEFORE {update_of} ON {table} "
                f"WHEN {_frozen('NEW', version_of)} OR {_frozen('OLD', version_of)} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        else:
            raise NotImplementedError(f"No freeze triggers for the {vendor} database; use PostgreSQL or SQLite.")


def uninstall_metric_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _version_of in METRIC_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS mnr_freeze_{table}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_update")


def lift_framework_triggers(apps, schema_editor):
    """Lift the triggers of 0002, 0005 and 0006 (0006 only narrowed those of 0002 and 0005)."""
    _module("0006_portuguese_and_translation_packs").lift(apps, schema_editor)


def install_framework_triggers(apps, schema_editor):
    _module("0006_portuguese_and_translation_packs").install_narrowed(apps, schema_editor)


def lift(apps, schema_editor):
    uninstall_metric_triggers(schema_editor)
    lift_framework_triggers(apps, schema_editor)


def install(apps, schema_editor):
    install_framework_triggers(apps, schema_editor)
    install_metric_triggers(schema_editor)


def _pack_texts(code, language):
    path = FIXTURES / "translations" / f"{code}.{language}.yaml"
    if not path.exists():
        return {}
    texts = yaml.safe_load(path.read_text(encoding="utf-8")).get("texts") or {}
    return {key: entry for key, entry in texts.items() if key.startswith("metric:")}


def add_metrics(apps, schema_editor):
    """Give the loaded MNR versions the metrics of their fixture files, then freeze again."""
    Version = apps.get_model("capabilities", "FrameworkVersion")
    Capability = apps.get_model("capabilities", "Capability")
    Metric = apps.get_model("capabilities", "Metric")
    Sector = apps.get_model("capabilities", "Sector")
    Pack = apps.get_model("capabilities", "TranslationPack")
    Text = apps.get_model("capabilities", "TranslationText")
    sectors = {s.code: s for s in Sector.objects.all()}
    for code, filename in FILES.items():
        version = Version.objects.filter(code=code).first()
        if version is None or version.metrics.exists():
            continue
        data = yaml.safe_load((FIXTURES / filename).read_text(encoding="utf-8"))
        # A language's columns belong to its live pack (0006): filled only where the version has one.
        live = set(Pack.objects.filter(version=version, status__in=LIVE).values_list("language", flat=True))
        packs = {lang: _pack_texts(code, lang) if lang in live else {} for lang in LANGUAGES}
        capabilities = {c.number: c for c in Capability.objects.filter(version=version)}
        for row in data["capabilities"]:
            if row["number"] not in capabilities:
                continue
            for order, m in enumerate(row.get("metrics") or []):
                values = {"name": m["name"], "name_en": m["name"], "definition": m["definition"]}
                values["definition_en"] = m["definition"]
                for lang in LANGUAGES:
                    for field in FIELDS:
                        values[f"{field}_{lang}"] = (packs[lang].get(f"metric:{m['code']}:{field}") or {}).get("text")
                metric = Metric.objects.create(
                    version=version,
                    capability=capabilities[row["number"]],
                    code=m["code"],
                    order=order,
                    unit=m["unit"],
                    higher_is_better=m["higher_is_better"],
                    **values,
                )
                metric.sectors.set([sectors[s] for s in m["sectors"] if s in sectors])
        for pack in Pack.objects.filter(version=version, status__in=LIVE):
            known = set(Text.objects.filter(pack=pack).values_list("key", flat=True))
            Text.objects.bulk_create(
                Text(pack=pack, key=key, source=entry["source"], text=entry.get("text") or "")
                for key, entry in packs.get(pack.language, {}).items()
                if key not in known
            )


def remove_metrics(apps, schema_editor):
    apps.get_model("capabilities", "TranslationText").objects.filter(key__startswith="metric:").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('capabilities', '0006_portuguese_and_translation_packs'),
    ]

    operations = [
        migrations.RunPython(lift_framework_triggers, install_framework_triggers),
        migrations.CreateModel(
            name='Metric',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Stable code, e.g. M16.2; never reused.', max_length=20, verbose_name='code')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('name_en', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_fr', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_es', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_ar', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_pt', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('definition', models.TextField(verbose_name='definition')),
                ('definition_en', models.TextField(null=True, verbose_name='definition')),
                ('definition_fr', models.TextField(null=True, verbose_name='definition')),
                ('definition_es', models.TextField(null=True, verbose_name='definition')),
                ('definition_ar', models.TextField(null=True, verbose_name='definition')),
                ('definition_pt', models.TextField(null=True, verbose_name='definition')),
                ('unit', models.CharField(choices=[('count', 'Count'), ('hours', 'Hours'), ('percentage', 'Percentage'), ('currency', 'Currency')], max_length=10, verbose_name='unit')),
                ('higher_is_better', models.BooleanField(default=True, verbose_name='higher is better')),
                ('capability', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='metrics', to='capabilities.capability')),
                ('sectors', models.ManyToManyField(related_name='metrics', to='capabilities.sector', verbose_name='sectors that report it')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='metrics', to='capabilities.frameworkversion')),
            ],
            options={
                'verbose_name': 'metric',
                'verbose_name_plural': 'metrics',
                'ordering': ['version', 'capability__number', 'order', 'code'],
                'constraints': [models.UniqueConstraint(fields=('version', 'code'), name='metric_code_unique_per_version'), models.CheckConstraint(condition=models.Q(('unit__in', ['count', 'hours', 'percentage', 'currency'])), name='metric_unit_valid')],
            },
        ),
        migrations.RunPython(add_metrics, remove_metrics),
        migrations.RunPython(install, lift),
    ]
