"""Role gates shared by the pages and the API."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def role_required(*roles):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(_("Cette page n'est pas accessible à votre rôle."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
