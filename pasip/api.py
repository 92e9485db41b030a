"""Pieces shared by every API view."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def role_permission(*roles):
    """A DRF permission class letting in the given roles, with a French reason otherwise."""

    class HasRole(BasePermission):
        message = _("Cette action n'est pas accessible à votre rôle.")

        def has_permission(self, request, view):
            return bool(request.user.is_authenticated and request.user.role in roles)

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole
