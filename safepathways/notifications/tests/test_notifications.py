import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from safepathways.conftest import Persona
from safepathways.notifications.models import Notification
from safepathways.notifications.services import notify


def test_notify_puts_one_message_per_recipient_and_emails_after_commit(
    social_worker: Persona, team_manager: Persona, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        created = notify(
            recipients=[social_worker.user, team_manager.user, social_worker.user], message="Breach", link="/work/duty/"
        )
    assert len(created) == 2
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([social_worker.user.email, team_manager.user.email])


def test_a_repeated_dedupe_key_is_ignored(social_worker: Persona) -> None:
    notify(recipients=[social_worker.user], message="Breach", dedupe_key="breach:1")
    notify(recipients=[social_worker.user], message="Breach", dedupe_key="breach:1")
    assert Notification.objects.count() == 1


def test_inbox_needs_sign_in(anonymous: Client) -> None:
    assert anonymous.get(reverse("notifications:inbox")).status_code == 302


def test_inbox_shows_only_my_notifications(social_worker: Persona, team_manager: Persona) -> None:
    notify(recipients=[social_worker.user], message="For the worker")
    notify(recipients=[team_manager.user], message="For the manager")
    body = social_worker.http.get(reverse("notifications:inbox")).content.decode()
    assert "For the worker" in body
    assert "For the manager" not in body


def test_opening_marks_read_and_follows_the_link(social_worker: Persona, team_manager: Persona) -> None:
    mine = notify(recipients=[social_worker.user], message="Breach", link="/work/duty/")[0]
    theirs = notify(recipients=[team_manager.user], message="Theirs", link="/work/duty/")[0]
    response = social_worker.http.post(reverse("notifications:open", args=[mine.pk]))
    assert response["Location"] == "/work/duty/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert social_worker.http.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert social_worker.http.get(reverse("notifications:open", args=[mine.pk])).status_code == 405


def test_an_offsite_link_is_not_followed(social_worker: Persona) -> None:
    sneaky = notify(recipients=[social_worker.user], message="x", link="https://evil.example/")[0]
    assert social_worker.http.post(reverse("notifications:open", args=[sneaky.pk]))["Location"] == "/inbox/"


@pytest.mark.parametrize("rows", [1, 20])
def test_inbox_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(rows):
        notify(recipients=[social_worker.user], message=f"Message {n}")
    # session, user with memberships (menu), notifications
    with django_assert_num_queries(3):
        response = social_worker.http.get(reverse("notifications:inbox"))
    assert response.content.decode().count("Message ") == rows
