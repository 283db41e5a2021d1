"""AnswerRevision.country: the answer's country on each revision, with an index for a country's newest."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_country(apps, schema_editor):
    Answer = apps.get_model("assessments", "Answer")
    AnswerRevision = apps.get_model("assessments", "AnswerRevision")
    AnswerRevision.objects.update(
        country_id=Subquery(Answer.objects.filter(pk=OuterRef("answer_id")).values("submission__cycle__country_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_auditevent_plan_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="answerrevision",
            name="country",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="assessments.country",
            ),
        ),
        migrations.RunPython(copy_country, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="answerrevision",
            name="country",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="assessments.country",
            ),
        ),
        migrations.AddIndex(
            model_name="answerrevision",
            index=models.Index(fields=["country", "-changed_at"], name="revision_country_newest"),
        ),
    ]
