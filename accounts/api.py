from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .authentication import token_expires_at
from .second_factor import needs_second_factor

TOKEN_ANSWER = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class ThrottledObtainAuthToken(ObtainAuthToken):
    """The token endpoint: answers 429 like the login page once django-axes locks a login, and
    creates no token for a role that needs the second factor. A user's token is the one still
    valid, or a new one."""

    # DRF's token view names its own parsers: the project's (pasip.parsers) instead.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(responses={200: TOKEN_ANSWER})
    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
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
        user = serializer.validated_data["user"]
        if needs_second_factor(user):
            # A token would bypass the second factor: these roles use the application's pages.
            return Response(
                {
                    "detail": _("Votre rôle exige un second facteur : pas de jeton d'API."),
                    "code": "second_factor_required",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expires_at(token) <= timezone.now():
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class RevokeAuthToken(APIView):
    """Revokes the user's API token (the one the request came with, or the user's only one)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
