"""Every write on the directory: who may change which entry is checked here, once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from pasip.errors import NotAllowed

from .models import Absence, Advisor, Permanence, Place, UnmetNeed

DIRECTORY_MANAGERS = (Role.COORDINATOR, Role.ADMINISTRATOR)


def can_manage_directory(user):
    return user.is_authenticated and user.role in DIRECTORY_MANAGERS


def can_edit_advisor(user, advisor):
    """An advisor edits their own entry; the coordinator edits every entry."""
    return can_manage_directory(user) or (user.is_advisor and advisor.user_id == user.pk)


def can_edit_place(user, place):
    if can_manage_directory(user):
        return True
    return user.is_advisor and user.structure_id == place.structure_id


def _check_advisor(user, advisor):
    if not can_edit_advisor(user, advisor):
        raise NotAllowed(_("Vous ne pouvez modifier que votre propre fiche."))


@transaction.atomic
def advisor_update(*, user, advisor, home_visit_communes=None, places=None, **fields):
    """Updates an advisor's entry and stamps it; an advisor may change only their own."""
    _check_advisor(user, advisor)
    allowed = {
        "themes",
        "support_formats",
        "languages",
        "specific_needs",
        "remote_phone",
        "remote_video",
        "aidants_connect",
        "capacity",
        "is_active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown advisor fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(advisor, name, value)
    advisor.updated_at = timezone.now()
    advisor.save()
    if home_visit_communes is not None:
        advisor.home_visit_communes.set(home_visit_communes)
    if places is not None:
        if not can_manage_directory(user) and any(
            place.structure_id != advisor.structure_id for place in places
        ):
            raise NotAllowed(_("Choisissez des lieux de votre structure."))
        advisor.places.set(places)
    return advisor


@transaction.atomic
def permanence_add(*, user, advisor, place, weekday, start, end):
    _check_advisor(user, advisor)
    permanence = Permanence.objects.create(
        advisor=advisor, place=place, weekday=weekday, start=start, end=end
    )
    advisor.places.add(place)
    _touch(advisor)
    return permanence


@transaction.atomic
def permanence_remove(*, user, permanence):
    _check_advisor(user, permanence.advisor)
    permanence.delete()
    _touch(permanence.advisor)


@transaction.atomic
def absence_add(*, user, advisor, start, end, note=""):
    _check_advisor(user, advisor)
    absence = Absence.objects.create(advisor=advisor, start=start, end=end, note=note)
    _touch(advisor)
    return absence


@transaction.atomic
def absence_remove(*, user, absence):
    _check_advisor(user, absence.advisor)
    absence.delete()
    _touch(absence.advisor)


@transaction.atomic
def place_save(*, user, place):
    """Creates or updates a place (already validated) and stamps it."""
    if not can_edit_place(user, place):
        raise NotAllowed(_("Vous ne pouvez modifier que les lieux de votre structure."))
    place.updated_at = timezone.now()
    place.save()
    return place


def _touch(advisor):
    Advisor.objects.filter(pk=advisor.pk).update(updated_at=timezone.now())


def unmet_needs_record(*, person, commune, categories, day):
    """Records needs with no advisor within reach of `person`, once per person, need and month."""
    month = day.replace(day=1)
    UnmetNeed.objects.bulk_create(
        [
            UnmetNeed(commune=commune, category=category, month=month, person=person)
            for category in categories
        ],
        ignore_conflicts=True,
    )


__all__ = [
    "Place",
    "absence_add",
    "absence_remove",
    "advisor_update",
    "can_edit_advisor",
    "can_manage_directory",
    "permanence_add",
    "permanence_remove",
    "place_save",
    "unmet_needs_record",
]
