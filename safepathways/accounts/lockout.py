"""Sign-in lockout: django-axes's database handler, which also locks an account after failures from any address.

django-axes counts failures for each set of AXES_LOCKOUT_PARAMETERS and compares the largest with one limit
(AXES_FAILURE_LIMIT), so two sets cannot have two limits. Counted only by account and address together, guesses
spread over many addresses were never stopped: 4 from each of a thousand addresses, and the right password from the
next one signs in. OWASP's Authentication Cheat Sheet ("Account Lockout"): the counter of failed logins should be
associated with the account itself, rather than the source IP address, so that an attacker cannot make attempts from
a large number of different addresses.

So an account is locked when either count reaches its limit:
- by account and address together (AXES_LOCKOUT_PARAMETERS), after AXES_FAILURE_LIMIT failures
  (SAFEPATHWAYS_LOCKOUT_ATTEMPTS, default 5): someone mistyping is stopped soon, at that address only;
- by account, from every address together, after ACCOUNT_LOCKOUT_ATTEMPTS failures
  (SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS, default 20): higher, because anyone who knows an address can lock its
  account from anywhere, and that lock stops its owner signing in too.

Both count the failures within AXES_COOLOFF_TIME, as django-axes does (each (account, address, browser) row counts
while its last failure is that recent), so either lock ends that long after the last failure. A successful sign-in
clears the failures from its own address only (AXES_RESET_ON_SUCCESS): the owner signing in does not clear the
count of someone guessing elsewhere.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def account_failure_limit() -> int:
    """Failures from any address that lock an account (SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS)."""
    return int(settings.ACCOUNT_LOCKOUT_ATTEMPTS)


def account_failures(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """The failed sign-ins to the account named in the request, from every address, within the cool-off time."""
    # The sign-in page lowercases the address before authenticating, and the user is found by exact match on the
    # lowercased address, so another spelling of it is never a different account that could be signed in to.
    username = get_client_username(request, credentials)
    if not username:
        return 0
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    total: int | None = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


class AccountLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """django-axes's database handler, with the account's failures from any address counted as well.

    django-axes asks get_failures both before authenticating (is this request locked out?) and after a failure
    (does this one lock it?), and locks when the answer reaches AXES_FAILURE_LIMIT. So once the account's own count
    reaches its limit, the answer is AXES_FAILURE_LIMIT, whatever the count at this address.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        if failures < limit and account_failures(request, credentials) >= account_failure_limit():
            return limit
        return failures
