from django.conf import settings
from django.db import migrations, models


def language_from_frozen_data(apps, schema_editor):
    """Jobs made before the column: their language is in the frozen data."""
    ReportJob = apps.get_model("reports", "ReportJob")
    for job in ReportJob.objects.filter(language="").only("pk", "data").iterator():
        language = ((job.data or {}).get("meta") or {}).get("language") or "en"
        ReportJob.objects.filter(pk=job.pk).update(language=language)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_enablerscore_reportjob_validatedlevel")]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="language",
            field=models.CharField(blank=True, choices=settings.LANGUAGES, max_length=8, verbose_name="language"),
        ),
        migrations.RunPython(language_from_frozen_data, migrations.RunPython.noop),
    ]
