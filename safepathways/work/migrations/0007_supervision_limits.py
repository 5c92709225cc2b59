"""When supervision raises a worker's allocated work: local limits per priority, default 84 days open, 28 days
without a recorded contact (they were constants in the supervision selectors)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("work", "0006_one_default_cap_per_team")]

    operations = [
        migrations.AddField(
            model_name="prioritypolicy",
            name="supervision_no_contact_days",
            field=models.PositiveSmallIntegerField(
                default=28,
                help_text="Raise allocated work at supervision when no contact has been recorded for longer than "
                "this many days since it was allocated or last contacted",
            ),
        ),
        migrations.AddField(
            model_name="prioritypolicy",
            name="supervision_open_days",
            field=models.PositiveSmallIntegerField(
                default=84,
                help_text="Raise allocated work at supervision once it has been open longer than this many days",
            ),
        ),
    ]
