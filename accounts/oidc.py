"""OpenID Connect login, ready for ProConnect (the identity federation of French public agents).

Configured by environment variables only (`OIDC_RP_CLIENT_ID`, `OIDC_RP_CLIENT_SECRET`,
`OIDC_OP_ISSUER`, `OIDC_OP_AUTHORIZATION_ENDPOINT`, `OIDC_OP_TOKEN_ENDPOINT`,
`OIDC_OP_USER_ENDPOINT`, `OIDC_OP_JWKS_ENDPOINT`, `OIDC_OP_LOGOUT_ENDPOINT`): with no client id
the button is hidden and the endpoints answer 404. ProConnect identifies the agent; the agent's
account (role, structure) still comes from PASIP's administrator: no account is created. The
first ProConnect login finds the account by its e-mail address and binds ProConnect's stable
identifier (`sub`) to it; later logins find it by that identifier only, so a changed e-mail keeps
the same account and an identifier bound to one account never opens another.

The assurance level `PASIP_PROCONNECT_ACR` is requested (`acr_values`) and checked in the ID token.
Logging out after a ProConnect login also ends the session at the provider (`end_session_endpoint`).
"""

import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import User

logger = logging.getLogger("pasip.auth")


# The session keys: the ID token kept for the logout at the provider (the library's own key) and
# the state of that logout.
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 (a session key, not a secret)
LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"
EIDAS_LEVEL = re.compile(r"^eidas([1-3])$")


def oidc_enabled():
    return bool(settings.OIDC_RP_CLIENT_ID)


def requested_acr_values():
    return settings.PASIP_PROCONNECT_ACR.split()


def acr_is_acceptable(acr):
    """Whether an ID token's `acr` satisfies the level requested (a higher eIDAS level does)."""
    requested = requested_acr_values()
    if not requested or acr in requested:
        return True
    level = EIDAS_LEVEL.match(acr or "")
    minimums = [int(m.group(1)) for m in map(EIDAS_LEVEL.match, requested) if m]
    return bool(level and minimums and int(level.group(1)) >= min(minimums))


class ProConnectBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            user = super().authenticate(request, **kwargs)
        except SuspiciousOperation as error:
            logger.warning("proconnect_refused reason=%s", error)
            user = None
        if user is None and request is not None and hasattr(request, "session"):
            # Nobody logged in: the ID token has nothing to end at the provider.
            request.session.pop(ID_TOKEN_SESSION_KEY, None)
        return user

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

    def get_or_create_user(self, access_token, id_token, payload):
        # `payload` is the verified ID token (the userinfo, also a JWT, carries no `acr`).
        acr = payload.get("acr")
        if not acr_is_acceptable(acr):
            # The login page explains this refusal (`proconnect=niveau`).
            self.request.proconnect_refusal = "niveau"
            raise SuspiciousOperation(f"OIDC token with assurance level {acr!r}")
        subject = payload.get("sub")
        if not subject:
            raise SuspiciousOperation("OIDC token without subject")
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub", subject) != subject:
            raise SuspiciousOperation("OIDC userinfo for another subject")
        user = User.objects.filter(proconnect_sub=subject).first()
        if user is None:
            user = self.bind_by_email(subject, claims)
            if user is None:
                return None
        if not user.is_active:
            logger.warning("proconnect_refused reason=inactive user=%s", user.pk)
            return None
        return self.update_user(user, claims)

    def bind_by_email(self, subject, claims):
        """The first ProConnect login: the one active account with this e-mail address and no
        ProConnect identifier yet gets this one."""
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) != 1:
            logger.warning("proconnect_refused reason=no_account matches=%s", len(users))
            return None
        user = users[0]
        try:
            with transaction.atomic():
                bound = User.objects.filter(pk=user.pk, proconnect_sub__isnull=True).update(
                    proconnect_sub=subject
                )
        except IntegrityError:
            bound = 0
        if not bound:
            logger.warning("proconnect_refused reason=bind_conflict user=%s", user.pk)
            return None
        logger.info("proconnect_bound user=%s", user.pk)
        user.proconnect_sub = subject
        return user

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True, proconnect_sub__isnull=True)

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

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if requested_acr_values():
            params["acr_values"] = " ".join(requested_acr_values())
        return params


class LoginCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)

    def login_success(self):
        # Logging in over another account's session empties the session: the ID token, kept for
        # the logout at the provider, stays.
        id_token = self.request.session.get(ID_TOKEN_SESSION_KEY)
        response = super().login_success()
        if id_token:
            self.request.session[ID_TOKEN_SESSION_KEY] = id_token
        return response

    def login_failure(self):
        reason = getattr(self.request, "proconnect_refusal", "echec")
        if reason == "echec":
            return super().login_failure()
        return HttpResponseRedirect(f"{resolve_url('login')}?proconnect={reason}")


def logout_at_provider(request):
    """Log out of PASIP; after a ProConnect login, the redirect that also ends the session at the
    provider (None otherwise: the caller logs out as for a password login).

    The ID token only travels from the session to the provider's own URL."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not (id_token and endpoint and oidc_enabled() and request.user.is_authenticated):
        return None
    logout(request)
    state = get_random_string(32)
    request.session[LOGOUT_STATE_SESSION_KEY] = state
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    separator = "&" if "?" in endpoint else "?"
    return HttpResponseRedirect(f"{endpoint}{separator}{urlencode(params)}")
