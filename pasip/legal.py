"""The pages every page's footer links to: legal notice, privacy policy, accessibility
statement, help and contact. Public (no login), in French; the periods the privacy policy
states are read from the settings the retention job uses and from the département's deadlines."""

from django.conf import settings
from django.shortcuts import render

# The Département's contacts, printed on these pages: `settings.PASIP_CONTROLLER` (the
# environment's PASIP_CONTROLLER, a JSON object with these keys) over the Lot's.
LOT_CONTROLLER = {
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


def controller():
    return {**LOT_CONTROLLER, **settings.PASIP_CONTROLLER}


def legal_notice(request):
    return render(request, "legal/legal_notice.html", {"controller": controller()})


def privacy(request):
    context = {
        "controller": controller(),
        "retention_months": settings.PASIP_RETENTION_MONTHS,
        "access_log_months": settings.PASIP_ACCESS_LOG_MONTHS,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "legal/privacy.html", context)


def accessibility(request):
    return render(request, "legal/accessibility.html", {"controller": controller()})


def help_contact(request):
    return render(request, "legal/help.html", {"controller": controller()})


def demo(request):
    """Whether the demo logins exist (development settings only): the login page then shows
    the first five minutes' guide."""
    return {"demo_logins": bool(getattr(settings, "PASIP_DEMO_PASSWORD", None))}
