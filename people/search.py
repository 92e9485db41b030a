"""Finding persons among those a user may open: the list's search and the duplicate warning.

Names are compared folded (case, accents, hyphens and apostrophes ignored), in Python: the
persons of one structure are a few thousand at most, and the comparison is then the same on
SQLite and PostgreSQL without the `unaccent` extension.
"""

import re
import unicodedata

from django.db.models import OuterRef, Subquery

from territory.models import Commune

from .models import Person


def fold(text):
    """'Élodie  D\u2019Alès-Dupont' -> 'elodie d ales dupont'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[\W_]+", bare.casefold())).strip()


def _referral_model():
    """The referrals point at the person: people reads them through that relation
    (`Person.referrals`), never by importing the referrals app, which sits above it."""
    return Person._meta.get_field("referrals").related_model


def with_last_referral(persons):
    """Each person with the state and code of their latest referral (None when there is none)."""
    latest = _referral_model().objects.filter(person=OuterRef("pk")).order_by("-sent_at", "-pk")
    return persons.annotate(
        last_referral_state=Subquery(latest.values("state")[:1]),
        last_referral_code=Subquery(latest.values("code")[:1]),
        last_referral_id=Subquery(latest.values("pk")[:1]),
    )


def persons_search(user, *, name="", birth_year=None, commune=""):
    """The persons visible to `user` matching every criterion given, by name then first name.

    `name` matches a part of the first name, the last name or both ("josette delpech");
    `commune` a part of the commune's name.
    """
    persons = Person.objects.visible_to(user)
    if birth_year:
        persons = persons.filter(birth_year=birth_year)
    if commune:
        wanted = fold(commune)
        communes = [
            pk
            for pk, commune_name in Commune.objects.filter(
                pk__in=persons.values("commune")
            ).values_list("pk", "name")
            if wanted in fold(commune_name)
        ]
        persons = persons.filter(commune__in=communes)
    if name:
        words = fold(name).split()
        keys = [
            pk
            for pk, first, last in persons.values_list("pk", "first_name", "last_name")
            if all(word in f"{fold(first)} {fold(last)}" for word in words)
        ]
        persons = persons.filter(pk__in=keys)
    return persons.select_related("commune").order_by("last_name", "first_name", "pk")


def probable_duplicates(user, *, first_name, last_name, birth_year):
    """Persons visible to `user` with the same name (folded) and the same birth year."""
    first, last = fold(first_name), fold(last_name)
    return [
        person
        for person in Person.objects.visible_to(user)
        .filter(birth_year=birth_year)
        .select_related("commune")
        .order_by("pk")
        if fold(person.first_name) == first and fold(person.last_name) == last
    ]


def referral_state_label(state):
    """The label of a referral's state (`last_referral_state`), "" for none."""
    if not state:
        return ""
    return dict(_referral_model()._meta.get_field("state").flatchoices).get(state, state)
