"""Source marks (MNR 2016 or a portal addition) and tags (lenses such as the prevention levels).

Published versions are frozen by the triggers of migration 0002. This migration lifts them while
it adds the columns and tables, marks what the portal added to an already loaded MNR-2016 and
gives it the tags of ``fixtures/mnr-2016.yaml`` (so that loading that file again changes
nothing), then installs the triggers again, now also on the tag tables. A later migration that
lifts the triggers lifts both sets: 0002's ``uninstall`` and this one's ``uninstall_tag_triggers``.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# What the portal added to the MNR 2016 text (see docs/methodology.md, "Source marks").
PORTAL_LEVELS = [0]
PORTAL_ENABLERS = ["E4", "E7"]
PORTAL_INDICATORS = ["C08.3", "C18.5"]

PREVENTION = ("Prevention level", {"fr": "Niveau de prévention", "es": "Nivel de prevención", "ar": "مستوى الوقاية"})
INSPIRE = ("INSPIRE strategy", {"fr": "Stratégie INSPIRE", "es": "Estrategia INSPIRE", "ar": "استراتيجية INSPIRE"})
# (code, lens, name, {lang: name}) in file order.
TAGS = [
    (
        "prevention-primary",
        PREVENTION,
        "Primary prevention",
        {"fr": "Prévention primaire", "es": "Prevención primaria", "ar": "الوقاية الأولية"},
    ),
    (
        "prevention-secondary",
        PREVENTION,
        "Secondary prevention",
        {"fr": "Prévention secondaire", "es": "Prevención secundaria", "ar": "الوقاية الثانوية"},
    ),
    (
        "prevention-tertiary",
        PREVENTION,
        "Tertiary prevention",
        {"fr": "Prévention tertiaire", "es": "Prevención terciaria", "ar": "الوقاية الثالثية"},
    ),
    (
        "inspire-laws",
        INSPIRE,
        "Implementation and enforcement of laws",
        {
            "fr": "Mise en œuvre et application des lois",
            "es": "Implementación y vigilancia del cumplimiento de las leyes",
            "ar": "تنفيذ القوانين وإنفاذها",
        },
    ),
    (
        "inspire-norms",
        INSPIRE,
        "Norms and values",
        {"fr": "Normes et valeurs", "es": "Normas y valores", "ar": "الأعراف والقيم"},
    ),
    (
        "inspire-environments",
        INSPIRE,
        "Safe environments",
        {"fr": "Environnements sûrs", "es": "Entornos seguros", "ar": "البيئات الآمنة"},
    ),
    (
        "inspire-parents",
        INSPIRE,
        "Parent and caregiver support",
        {
            "fr": "Soutien aux parents et aux personnes qui s'occupent des enfants",
            "es": "Apoyo a padres, madres y cuidadores",
            "ar": "دعم الوالدين ومقدمي الرعاية",
        },
    ),
    (
        "inspire-services",
        INSPIRE,
        "Response and support services",
        {
            "fr": "Services d'intervention et de soutien",
            "es": "Servicios de respuesta y apoyo",
            "ar": "خدمات الاستجابة والدعم",
        },
    ),
    (
        "inspire-education",
        INSPIRE,
        "Education and life skills",
        {
            "fr": "Éducation et compétences de vie",
            "es": "Educación y aptitudes para la vida",
            "ar": "التعليم والمهارات الحياتية",
        },
    ),
]
# Capability number -> its tags. Capabilities 1, 2 and 21 are foundations (governance, data, shared
# language) that the Prevention Framework counts among its enablers: no prevention level.
CAPABILITY_TAGS = {
    3: ["inspire-laws"],
    4: ["prevention-secondary", "inspire-laws"],
    5: ["prevention-secondary", "prevention-tertiary", "inspire-laws"],
    6: ["prevention-secondary", "inspire-laws"],
    7: ["prevention-secondary"],
    8: ["prevention-tertiary", "inspire-services"],
    9: ["prevention-tertiary", "inspire-services"],
    10: ["prevention-tertiary", "inspire-services"],
    11: ["prevention-secondary", "prevention-tertiary", "inspire-services"],
    12: ["prevention-secondary"],
    13: ["prevention-primary", "inspire-education"],
    14: ["prevention-primary", "inspire-norms"],
    15: ["prevention-primary", "prevention-secondary", "inspire-services"],
    16: ["prevention-secondary", "inspire-environments"],
    17: ["prevention-secondary", "inspire-laws"],
    18: ["prevention-primary", "prevention-secondary", "inspire-environments"],
    19: ["prevention-primary", "inspire-environments"],
    20: ["prevention-primary", "inspire-norms"],
}
# Indicator code -> its own tags, where an indicator is more specific than its capability.
INDICATOR_TAGS = {
    "C05.3": ["prevention-tertiary"],
    "C13.3": ["inspire-parents"],
    "C15.1": ["prevention-primary"],
    "C15.2": ["prevention-secondary"],
    "C15.3": ["prevention-secondary"],
    "C15.5": ["prevention-primary"],
    "C18.1": ["prevention-primary"],
    "C18.4": ["prevention-secondary"],
}


def _freeze():
    return importlib.import_module("capabilities.migrations.0002_freeze_published_versions")


# The tag tables, frozen like the others (0002): (table, how a row reaches its version).
TAG_TABLES = [
    ("capabilities_tag", "{row}.version_id"),
    (
        "capabilities_capability_tags",
        "(SELECT c.version_id FROM capabilities_capability c WHERE c.id = {row}.capability_id)",
    ),
    (
        "capabilities_indicator_tags",
        "(SELECT i.version_id FROM capabilities_indicator i WHERE i.id = {row}.indicator_id)",
    ),
]


# Constant SQL assembled from the table names above, never from input (bandit skips migrations).
def _frozen(row, version_of):
    return (
        "EXISTS (SELECT 1 FROM capabilities_frameworkversion v "
        f"WHERE v.id = {version_of.format(row=row)} AND v.status <> 'draft')"
    )


def install_tag_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    message = _freeze().MESSAGE
    for table, version_of in TAG_TABLES:
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
                f"CREATE TRIGGER {func} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {func}()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER mnr_freeze_{table}_insert BEFORE INSERT ON {table} "
                f"WHEN {_frozen('NEW', version_of)} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER mnr_freeze_{table}_update BEFORE UPDATE ON {table} "
                f"WHEN {_frozen('NEW', version_of)} OR {_frozen('OLD', version_of)} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        else:
            raise NotImplementedError(f"No freeze triggers for the {vendor} database; use PostgreSQL or SQLite.")


def uninstall_tag_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _version_of in TAG_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS mnr_freeze_{table}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS mnr_freeze_{table}_update")


def lift(apps, schema_editor):
    _freeze().uninstall(apps, schema_editor)


def mark_and_freeze(apps, schema_editor):
    """Mark and tag an already loaded MNR-2016, then freeze published versions again."""
    Version = apps.get_model("capabilities", "FrameworkVersion")
    version = Version.objects.filter(code="MNR-2016").first()
    if version is not None:
        apps.get_model("capabilities", "MaturityLevel").objects.filter(version=version, level__in=PORTAL_LEVELS).update(
            source="portal"
        )
        Enabler = apps.get_model("capabilities", "Enabler")
        Enabler.objects.filter(version=version, code__in=PORTAL_ENABLERS).update(source="portal")
        Enabler.objects.filter(version=version).update(links_source="portal")
        Indicator = apps.get_model("capabilities", "Indicator")
        Indicator.objects.filter(version=version, code__in=PORTAL_INDICATORS).update(source="portal")
        Tag = apps.get_model("capabilities", "Tag")
        tags = {}
        for order, (code, (lens, lens_tr), name, names) in enumerate(TAGS):
            values = {"lens": lens, "lens_en": lens, "name": name, "name_en": name, "order": order}
            for lang, text in names.items():
                values[f"name_{lang}"] = text
                values[f"lens_{lang}"] = lens_tr[lang]
            tags[code], _ = Tag.objects.get_or_create(version=version, code=code, defaults=values)
        Capability = apps.get_model("capabilities", "Capability")
        for cap in Capability.objects.filter(version=version, number__in=CAPABILITY_TAGS):
            cap.tags.set([tags[code] for code in CAPABILITY_TAGS[cap.number]])
        for ind in Indicator.objects.filter(version=version, code__in=INDICATOR_TAGS):
            ind.tags.set([tags[code] for code in INDICATOR_TAGS[ind.code]])
    _freeze().install(apps, schema_editor)
    install_tag_triggers(schema_editor)


def unmark(apps, schema_editor):
    uninstall_tag_triggers(schema_editor)
    _freeze().uninstall(apps, schema_editor)


def refreeze(apps, schema_editor):
    _freeze().install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0004_crosswalks"),
    ]

    operations = [
        migrations.RunPython(lift, refreeze),
        migrations.AddField(
            model_name="enabler",
            name="links_source",
            field=models.CharField(
                choices=[("mnr-2016", "MNR 2016"), ("portal", "Portal addition")],
                default="mnr-2016",
                help_text="Where the links to the capabilities it supports come from (the MNR text does not list them).",
                max_length=10,
                verbose_name="source of the links",
            ),
        ),
        migrations.AddField(
            model_name="enabler",
            name="source",
            field=models.CharField(
                choices=[("mnr-2016", "MNR 2016"), ("portal", "Portal addition")],
                default="mnr-2016",
                help_text="MNR 2016 when the published MNR text has it; Portal addition when the portal added it.",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source",
            field=models.CharField(
                choices=[("mnr-2016", "MNR 2016"), ("portal", "Portal addition")],
                default="mnr-2016",
                help_text="MNR 2016 when the published MNR text has it; Portal addition when the portal added it.",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="maturitylevel",
            name="source",
            field=models.CharField(
                choices=[("mnr-2016", "MNR 2016"), ("portal", "Portal addition")],
                default="mnr-2016",
                help_text="MNR 2016 when the published MNR text has it; Portal addition when the portal added it.",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, verbose_name="code")),
                (
                    "lens",
                    models.CharField(
                        help_text="The group the tag belongs to, e.g. Prevention level.",
                        max_length=120,
                        verbose_name="lens",
                    ),
                ),
                (
                    "lens_en",
                    models.CharField(
                        help_text="The group the tag belongs to, e.g. Prevention level.",
                        max_length=120,
                        null=True,
                        verbose_name="lens",
                    ),
                ),
                (
                    "lens_fr",
                    models.CharField(
                        help_text="The group the tag belongs to, e.g. Prevention level.",
                        max_length=120,
                        null=True,
                        verbose_name="lens",
                    ),
                ),
                (
                    "lens_es",
                    models.CharField(
                        help_text="The group the tag belongs to, e.g. Prevention level.",
                        max_length=120,
                        null=True,
                        verbose_name="lens",
                    ),
                ),
                (
                    "lens_ar",
                    models.CharField(
                        help_text="The group the tag belongs to, e.g. Prevention level.",
                        max_length=120,
                        null=True,
                        verbose_name="lens",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("name_en", models.CharField(max_length=120, null=True, verbose_name="name")),
                ("name_fr", models.CharField(max_length=120, null=True, verbose_name="name")),
                ("name_es", models.CharField(max_length=120, null=True, verbose_name="name")),
                ("name_ar", models.CharField(max_length=120, null=True, verbose_name="name")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tags",
                        to="capabilities.frameworkversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
                "ordering": ["version", "order", "code"],
            },
        ),
        migrations.AddField(
            model_name="capability",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="capabilities", to="capabilities.tag", verbose_name="tags"
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="indicators", to="capabilities.tag", verbose_name="tags"
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(fields=("version", "code"), name="tag_code_unique_per_version"),
        ),
        migrations.RunPython(mark_and_freeze, unmark),
    ]
