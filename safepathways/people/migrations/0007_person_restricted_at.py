"""When a record was restricted: a declared grant given before it no longer opens the record (ADR-004).

Records restricted before this migration keep it empty, so no declared grant counts on them (break-glass only).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_seed_gender_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="restricted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
