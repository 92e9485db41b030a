"""OpenID Connect login, ready for ProConnect (the identity federation of French public agents).

Configured by environment variables only (`OIDC_RP_CLIENT_ID`, `OIDC_RP_CLIENT_SECRET`,
`OIDC_OP_ISSUER`, `OIDC_OP_AUTHORIZATION_ENDPOINT`, `OIDC_OP_TOKEN_ENDPOINT`,
`OIDC_OP_USER_ENDPOINT`, `OIDC_OP_JWKS_ENDPOINT`): with no client id the button is hidden and the
endpoints answer 404. ProConnect identifies the agent; the agent's account (role, structure)
still comes from PASIP's administrator, matched on the e-mail address: no account is created.
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import User

logger = logging.getLogger("pasip.auth")


def oidc_enabled():
    return bool(settings.OIDC_RP_CLIENT_ID)


class ProConnectBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as error:
            logger.warning("proconnect_refused reason=%s", error)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # The library leaves the audience unchecked: a token minted for another client must fail.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if "aud" in payload and self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("OIDC token for another audience")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and "iss" in payload and payload["iss"] != issuer:
            raise SuspiciousOperation("OIDC token from another issuer")
        return payload

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)

    def update_user(self, user, claims):
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("usual_name", claims.get("family_name", user.last_name))[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user


class LoginStart(OIDCAuthenticationRequestView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)


class LoginCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)
