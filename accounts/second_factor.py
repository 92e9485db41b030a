"""A second factor (TOTP, django-otp) for the roles that see the whole territory.

Coordinators and administrators confirm an authenticator app once, then type its 6-digit code at
every login. Until they have, every page sends them here and the API refuses them (403).
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from pasip.http import next_url

from .models import Role

SECOND_FACTOR_ROLES = {Role.COORDINATOR, Role.ADMINISTRATOR}


def needs_second_factor(user):
    return settings.PASIP_REQUIRE_SECOND_FACTOR and (
        user.role in SECOND_FACTOR_ROLES or user.is_superuser
    )


class SecondFactorMiddleware:
    """Holds a coordinator or administrator at the second factor until it is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.held(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Validez d'abord votre second facteur dans l'application."),
                        "code": "second_factor_required",
                    },
                    status=403,
                )
            return redirect("second_factor")
        return self.get_response(request)

    def held(self, request):
        user = request.user
        return (
            user.is_authenticated
            and needs_second_factor(user)
            and not user.is_verified()
            and not request.path.startswith(self.open_paths())
        )

    @staticmethod
    def open_paths():
        return (
            reverse("second_factor"),
            reverse("second_factor_setup"),
            reverse("logout"),
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
        )


@login_required
def second_factor(request):
    """Asks for the current code of the user's authenticator app."""
    if not user_has_device(request.user):
        return redirect("second_factor_setup")
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("code", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(next_url(request, "home"))
        messages.error(
            request, _("Code incorrect ou expiré : saisissez le code affiché maintenant.")
        )
    return render(request, "registration/second_factor.html")


@login_required
def second_factor_setup(request):
    """Pairs an authenticator app: a QR code (and the key as text), then one code to confirm."""
    if user_has_device(request.user):
        return redirect("second_factor")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Application d'authentification"}
    )
    if request.method == "POST":
        if device.verify_token(request.POST.get("code", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Second facteur activé."))
            return redirect("home")
        messages.error(
            request, _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
        )
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "qr_code": _qr_data_url(device.config_url),
            "key": base64.b32encode(device.bin_key).decode(),
        },
    )


def _qr_data_url(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
