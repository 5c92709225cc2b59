"""Hand-offs of team and organisation as well as worker: a kind, the providers a service moved between, and the
service behind an organisation hand-off. A hand-off may belong to the person alone (no piece of work). Earlier
rows that changed team are marked as team hand-offs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_team_handoffs(apps, schema_editor):
    Handoff = apps.get_model("work", "Handoff")
    Handoff.objects.exclude(from_team=models.F("to_team")).exclude(from_team__isnull=True).update(kind="team")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("people", "0004_merge_fills_identity_gaps"),
        ("providers", "0003_location_cqc_rating_and_concern_category"),
        ("work", "0007_supervision_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="handoff",
            name="from_provider",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="providers.provider"
            ),
        ),
        migrations.AddField(
            model_name="handoff",
            name="kind",
            field=models.CharField(
                choices=[("worker", "Worker"), ("team", "Team"), ("organisation", "Organisation")],
                default="worker",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="handoff",
            name="service",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="handoffs",
                to="providers.service",
            ),
        ),
        migrations.AddField(
            model_name="handoff",
            name="to_provider",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="providers.provider"
            ),
        ),
        migrations.AlterField(
            model_name="handoff",
            name="to_team",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.team"
            ),
        ),
        migrations.AlterField(
            model_name="handoff",
            name="work_item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="handoffs",
                to="work.workitem",
            ),
        ),
        migrations.RunPython(mark_team_handoffs, migrations.RunPython.noop),
    ]
