"""Error pages: French HTML for the pages, the API's JSON error body under /api/."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

ERRORS = {
    400: ("bad_request", _("Requête incorrecte.")),
    403: ("permission_denied", _("Vous n'avez pas accès à cette page.")),
    404: ("not_found", _("Page ou objet introuvable, ou hors de votre périmètre.")),
    500: ("server_error", _("Erreur du serveur : réessayez dans quelques minutes.")),
}
ERROR_REPORTED = _("Erreur du serveur : l'équipe technique est prévenue.")


def error_response(request, status):
    code, message = ERRORS[status]
    if status == 500 and settings.PASIP_ERRORS_REPORTED:
        message = ERROR_REPORTED
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(message), "code": code}, status=status)
    context = {"status": status, "message": message}
    if status == 500:  # the server's error page asks nothing of the database
        context["served_department"] = None
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def csrf_failure(request, reason=""):
    """A page posted without its CSRF token (a form kept open too long, cookies refused)."""
    message = _(
        "Ce formulaire a expiré ou votre navigateur refuse les cookies : revenez à la page"
        " précédente, rechargez-la puis envoyez-la de nouveau."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(message), "code": "csrf_failed"}, status=403)
    return render(request, "error.html", {"status": 403, "message": message}, status=403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)
