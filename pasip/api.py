"""Pieces shared by every API view."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .validators import CONTROL_CHARACTERS


def role_permission(*roles):
    """A DRF permission class letting in the given roles, with a French reason otherwise."""

    class HasRole(BasePermission):
        message = _("Cette action n'est pas accessible à votre rôle.")

        def has_permission(self, request, view):
            return bool(request.user.is_authenticated and request.user.role in roles)

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, but a value with a control character is unknown without asking the database
    (PostgreSQL refuses to compare with a NUL: a 500 else)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and CONTROL_CHARACTERS.search(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


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


ERROR_STATUSES = {
    "400": "Données invalides",
    "401": "Authentification requise",
    "403": "Action non autorisée pour ce rôle",
    "404": "Objet introuvable ou hors de votre périmètre",
    "409": "Conflit : l'objet a changé entre-temps",
    "429": "Trop de tentatives",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: every operation documents the error body all errors share."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": True},
        },
        "required": ["detail", "code"],
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": description, "content": error})
    return result
