"""API authentication and throttling classes (imported by DRF's settings: no view imports)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

CSRF_REFUSED = _("Jeton CSRF absent ou invalide : rechargez la page puis réessayez.")


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, its CSRF refusal in French."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied:
            raise PermissionDenied(CSRF_REFUSED, code="csrf_failed") from None


def token_expires_at(token):
    return token.created + settings.PASIP_API_TOKEN_LIFETIME


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, but a token lasts `PASIP_API_TOKEN_LIFETIME` (12 hours, like
    a session at most): an expired token is deleted and refused."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed(
                _("Jeton expiré : demandez-en un nouveau."), code="token_expired"
            )
        return user, token


class AnonymousRate(AnonRateThrottle):
    """Requests of anonymous clients, per address, at `PASIP_API_THROTTLE_RATES["anon"]`."""

    def get_rate(self):
        return settings.PASIP_API_THROTTLE_RATES[self.scope]


class UserRate(UserRateThrottle):
    """Requests of a signed-in user, at `PASIP_API_THROTTLE_RATES["user"]`."""

    def get_rate(self):
        return settings.PASIP_API_THROTTLE_RATES[self.scope]
