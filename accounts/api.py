from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .models import User
from .second_factor import needs_second_factor


class ThrottledObtainAuthToken(ObtainAuthToken):
    """The token endpoint, answering 429 like the login page once django-axes locks a login."""

    def post(self, request, *args, **kwargs):
        try:
            response = super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes flags the request it was handed by authenticate() when it refuses.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {
                        "detail": _(
                            "Trop d'essais de mot de passe incorrects : réessayez dans 15 minutes."
                        ),
                        "code": "locked_out",
                    },
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise
        user = User.objects.get(auth_token__key=response.data["token"])
        if needs_second_factor(user):
            # A token would bypass the second factor: these roles use the application's pages.
            return Response(
                {
                    "detail": _("Votre rôle exige un second facteur : pas de jeton d'API."),
                    "code": "second_factor_required",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        return response
