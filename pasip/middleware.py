import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.utils.translation import gettext as _


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active (the idle limit is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault("started_at", time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
        return self.get_response(request)


class NulCharacterMiddleware:
    """An API address or query string holding a NUL character is refused with a 400, before
    any view: no database stores one, and PostgreSQL refuses to compare with one (a 500 else).
    Pages read their query strings through forms, which refuse it with a French message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (
            "\x00" in request.path
            or any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.GET.lists()
            )
        ):
            message = _("L'adresse demandée contient un caractère invalide.")
            return JsonResponse({"detail": message, "code": "invalid_characters"}, status=400)
        return self.get_response(request)
