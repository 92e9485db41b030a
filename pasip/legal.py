"""The pages every page's footer links to: legal notice, privacy policy, accessibility
statement, help and contact. Public (no login), in French; the periods the privacy policy
states are read from the settings the retention and deadline jobs use."""

from django.conf import settings
from django.shortcuts import render

# The Département's contacts, printed on these pages.
CONTROLLER = {
    "name": "Département du Lot",
    "address": "Hôtel du Département, avenue de l'Europe – Regourd, BP 291, 46005 Cahors Cedex 9",
    "phone": "05 65 53 40 00",
    "dpo_email": "dpo@lot.fr",
    "dpo_address": (
        "Délégué à la protection des données, Département du Lot, avenue de l'Europe – Regourd, "
        "BP 291, 46005 Cahors Cedex 9"
    ),
    "accessibility_email": "accessibilite.numerique@lot.fr",
    "support_email": "pasip-numerique@lot.fr",
    "support_phone": "05 65 53 40 55",
}


def legal_notice(request):
    return render(request, "legal/legal_notice.html", {"controller": CONTROLLER})


def privacy(request):
    context = {
        "controller": CONTROLLER,
        "retention_months": settings.PASIP_RETENTION_MONTHS,
        "access_log_months": settings.PASIP_ACCESS_LOG_MONTHS,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
        "deadlines": settings.PASIP_DEADLINES,
    }
    return render(request, "legal/privacy.html", context)


def accessibility(request):
    return render(request, "legal/accessibility.html", {"controller": CONTROLLER})


def help_contact(request):
    return render(request, "legal/help.html", {"controller": CONTROLLER})


def demo(request):
    """Whether the demo logins exist (development settings only): the login page then shows
    the first five minutes' guide."""
    return {"demo_logins": bool(getattr(settings, "PASIP_DEMO_PASSWORD", None))}
