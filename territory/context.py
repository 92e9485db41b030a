"""The département a page speaks for: the user's, else the one the installation serves first."""

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from .models import Department
from .services import department_served


def _department(request):
    try:
        user = getattr(request, "user", None)
        department = user.department if user is not None and user.is_authenticated else None
        return department or department_served()
    except DatabaseError:  # an error page while the database is away: named by its code
        code = settings.PASIP_DEPARTMENT_CODE
        return Department(code=code, name=code)


def served_department(request):
    return {"served_department": SimpleLazyObject(lambda: _department(request))}
