from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.mark.django_db
def test_sweep_authorisations_command_reports_and_is_safe_to_repeat() -> None:
    out = StringIO()
    call_command("sweep_authorisations", "--date", "2026-11-22", stdout=out)
    call_command("sweep_authorisations", "--date", "2026-11-22", stdout=out)
    assert out.getvalue().count("0 authorisations expired; 0 suspensions terminated.") == 2


@pytest.mark.django_db
def test_sweep_authorisations_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_authorisations", "--date", "22/11/2026")
