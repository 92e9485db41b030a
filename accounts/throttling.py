"""Login throttling: django-axes' lock of a username from one address, and a lock of the
address itself when it tries many usernames (password spraying)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone


class AddressAwareAxesHandler(AxesDatabaseHandler):
    """Axes' database handler (a username locked from one address after `AXES_FAILURE_LIMIT`
    failures), plus: an address that failed `PASIP_ADDRESS_FAILURE_LIMIT` times within
    `PASIP_ADDRESS_FAILURE_WINDOW`, whatever the usernames, is locked until its older failures
    leave the window. The answer is axes' lockout answer in both cases, for an existing account
    as for an unknown one, so it never tells whether an account exists."""

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # Axes flags the request for its lockout answer when the username's count reaches its
        # limit; the address's count is checked here the same way, after the failure is logged.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and address_locked(request):
            request.axes_locked_out = True


def address_locked(request):
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return False
    since = timezone.now() - settings.PASIP_ADDRESS_FAILURE_WINDOW
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    return failures.count() >= settings.PASIP_ADDRESS_FAILURE_LIMIT
