"""Erasure of a person, app by app: each app anonymises its own rows tied to the person.

An app registers its hook from its `AppConfig.ready()` (`register(hook)`); `erase(person)`,
called by `people.services.person_anonymise` once the person's own record is anonymised, runs
every hook in the same transaction. It imports no model, so that the apps register from
their `apps.py` as they load. A hook receives the person and keeps of its rows only
what the statistics read: dates are cut to their month (`month`, `months_of`, `date_fields`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Person

    Hook = Callable[[Person], None]

_hooks: list[Hook] = []


def register(hook: Hook) -> Hook:
    """Adds `hook(person)` to the erasure (once, however often the app is made ready)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


@transaction.atomic
def erase(person: Person) -> None:
    """Runs every app's hook on `person`, in the order the apps registered them."""
    for hook in _hooks:
        hook(person)


def month(value: datetime | None) -> datetime | None:
    """`value` cut to the first day of its month, in local time (None stays None)."""
    if value is None:
        return None
    local = timezone.localtime(value)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def months_of(instance: models.Model, *fields: str) -> dict[str, datetime | None]:
    return {field: month(getattr(instance, field)) for field in fields}


def date_fields(model: type[models.Model]) -> list[str]:
    """The names of a model's date and time fields."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


def rows_cut_to_month(queryset: models.QuerySet) -> None:
    """Cuts every date of the rows of `queryset` to the month, row by row."""
    model = queryset.model
    fields = date_fields(model)
    for row in queryset:
        model.objects.filter(pk=row.pk).update(**months_of(row, *fields))


def consents_erase(person: Person) -> None:
    """The consents (recorded, revoked): to the month."""
    rows_cut_to_month(person.consents.all())
