"""The password backend: Django's, refusing the demo password outside the demo."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from pasip.validators import DEMO_PASSWORD


class PasswordBackend(ModelBackend):
    """Django's username-and-password backend. The demo accounts' password is public (it is in
    the README): it opens a session only under settings that define `PASIP_DEMO_PASSWORD` (the
    development and test settings), so an account created by the demo and left in a database
    used in production can never be entered with it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password == DEMO_PASSWORD and getattr(settings, "PASIP_DEMO_PASSWORD", None) is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
