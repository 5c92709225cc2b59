"""The out-of-hours emergency checklist's day-team handover is done after the move, not before it.

Seeded as essential (0002), it held the move's readiness back though it cannot happen until the next working day:
an out-of-hours duty worker could not mark the move ready without a team manager's override. Plans already started
keep the arrangement, now marked as done after the move.
"""

from django.db import migrations

KIND, CODE = "emergency_move", "day_team"


def seed(apps, schema_editor):
    """Idempotent, so tests that empty the tables can run it again after 0002's seed."""
    apps.get_model("transitions", "ArrangementTemplate").objects.filter(kind=KIND, code=CODE).update(after_move=True)
    apps.get_model("transitions", "Arrangement").objects.filter(plan__kind=KIND, code=CODE).update(after_move=True)


def mark_before_move(apps, schema_editor):
    apps.get_model("transitions", "ArrangementTemplate").objects.filter(kind=KIND, code=CODE).update(after_move=False)
    apps.get_model("transitions", "Arrangement").objects.filter(plan__kind=KIND, code=CODE).update(after_move=False)


class Migration(migrations.Migration):
    dependencies = [("transitions", "0004_arrangement_after_move")]
    operations = [migrations.RunPython(seed, mark_before_move)]
