"""Password sign-in, with Django's permission tables consulted only for the admin site."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from safepathways.accounts.models import User


class EmailBackend(ModelBackend):
    """Service permissions are rules (accounts/rules.py); the database tables only matter to admin staff.

    Without this, every refused rule fell through to two permission queries per request.
    """

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user for a request, with their memberships (which every page reads) in the same query."""
        user = User.objects.with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)  # type: ignore[misc,no-any-return]
