"""Authentication events, logged without secrets: who (user id), from where, when (UTC)."""

import logging
import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("pasip.auth")


def _address(request):
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    if request is not None:
        request.session["started_at"] = time.time()
    logger.info("login user_id=%s ip=%s", user.pk, _address(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user_id=%s ip=%s", getattr(user, "pk", None), _address(request))


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # The username typed is not logged: it may be a password typed in the wrong field.
    logger.warning("login_failed ip=%s", _address(request))
