"""Pieces shared by every API view."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse


def role_permission(*roles):
    """A DRF permission class letting in the given roles, with a French reason otherwise."""

    class HasRole(BasePermission):
        message = _("Cette action n'est pas accessible à votre rôle.")

        def has_permission(self, request, view):
            return bool(request.user.is_authenticated and request.user.role in roles)

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """Where the API starts: its schema and docs."""
    return Response(
        {
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
        }
    )
