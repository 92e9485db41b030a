"""Authentication events, logged without secrets: who (user id), from where, when (UTC)."""

import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def revoke_api_token_on_password_change(sender, instance, raw=False, **kwargs):
    """A new password revokes the user's API token, as it ends their other sessions."""
    if raw or instance.pk is None:
        return
    old_password = sender.objects.filter(pk=instance.pk).values_list("password", flat=True)
    if old_password and old_password[0] != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
