import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import render
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


class UploadSizeMiddleware:
    """A file upload (multipart body) larger than `PASIP_UPLOAD_MAX_BYTES` is refused with a 413
    in French from its announced length, before anything reads the body (not even the CSRF
    check): no disk or memory spent on a file that would be refused anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.PASIP_UPLOAD_MAX_BYTES
        if request.content_type == "multipart/form-data" and _length(request) > limit:
            message = _("Fichier trop volumineux : %(size)d Mo au plus.") % {
                "size": limit // 1_000_000
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "too_large"}, status=413)
            return render(request, "error.html", {"status": 413, "message": message}, status=413)
        return self.get_response(request)


def _length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
