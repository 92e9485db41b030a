"""Erasure (`people.erasure`): the unmet needs found for the person, to the month."""

from people.erasure import rows_cut_to_month

from .models import UnmetNeed


def unmet_needs_erase(person):
    rows_cut_to_month(UnmetNeed.objects.filter(person=person))
