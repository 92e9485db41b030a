"""Fictional demo data for the Lot (46): the directory (structures, advisors, logins, in
`demo.directory`), then persons and their referrals (`demo.referrals`).

Idempotent: structures, places and users are keyed on their names and usernames, and persons,
their assessments and referrals are only generated when no demo social worker has any yet.
"""

import random
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db import transaction

from directory.models import Permanence
from people.models import Person
from referrals.models import Referral
from territory.models import Commune
from territory.services import territory_load

from .constants import SOCIAL_WORKERS
from .directory import (
    ROLE_LOGINS,
    advisors_load,
    directory_details_load,
    mediation_structures_load,
    social_structures_load,
    users_load,
)
from .referrals import persons_and_referrals_load

DEPARTMENT_CODE = "46"


@transaction.atomic
def demo_load(*, password, seed=46):
    """Loads the demo data; returns a summary dict. Safe to run again: it adds nothing twice."""
    rng = random.Random(seed)
    territory_load(department_code=DEPARTMENT_CODE)
    communes = {
        commune.insee: commune
        for commune in Commune.objects.filter(department__code=DEPARTMENT_CODE)
    }
    password_hash = make_password(password)  # hashed once: hashing is deliberately slow

    social = social_structures_load(communes)
    mediation, places = mediation_structures_load(rng, communes)
    users = users_load(social, password_hash)
    advisors = advisors_load(rng, mediation, places, password_hash, users)
    # Its own draw, so that the persons and referrals drawn below stay the same.
    directory_details_load(random.Random(seed + 1), places, advisors, communes)

    social_workers = [users[username] for username, *_rest in SOCIAL_WORKERS]
    already = (
        Person.objects.filter(created_by__in=social_workers).exists()
        or Referral.objects.filter(referrer__in=social_workers).exists()
    )
    created = not already
    if created:
        persons_and_referrals_load(rng, communes, social_workers, social, advisors)

    referrals = Referral.objects.filter(referrer__in=social_workers)
    return {
        "created_referrals": created,
        "social_structures": len(social),
        "mediation_structures": len(mediation),
        "places": sum(len(structure_places) for structure_places in places.values()),
        "advisors": len(advisors),
        "permanences": Permanence.objects.filter(
            advisor__in=[info.advisor for info in advisors]
        ).count(),
        "users": len(users),
        "persons": Person.objects.filter(created_by__in=social_workers).count(),
        "referrals": referrals.count(),
        "referrals_by_state": dict(Counter(referrals.values_list("state", flat=True))),
        "logins": [
            (username, users[username].get_role_display(), users[username].structure)
            for username in ROLE_LOGINS
        ],
        "password": password,
    }
