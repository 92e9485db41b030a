"""Loads the matching engine's snapshots of the advisors who may matter for one person.

A handful of queries whatever the size of the directory: the places (and permanences) of
advisors in a box around the commune's point wide enough for the travel limit and the
"why not" margin, advisors who visit the commune at home, and, when the person can be helped
remotely, advisors of the same département offering remote help. Places outside the box are
not loaded: they are beyond reach whatever the advisor.
"""

import json
import math
from collections import defaultdict
from datetime import time, timedelta

from django.db import connection
from django.utils import timezone

from .enums import SpecificNeed
from .matching import Candidate, PermanenceInfo, PlaceInfo, travel_limit_km
from .models import Absence

KM_PER_DEGREE = 111.2


def _box(commune, radius_km):
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(commune.latitude)), 0.01))
    return {
        "latitude__range": (commune.latitude - dlat, commune.latitude + dlat),
        "longitude__range": (commune.longitude - dlon, commune.longitude + dlon),
    }


def _place_info(place_id, name, commune, latitude, longitude, support):
    return PlaceInfo(
        pk=place_id,
        name=name,
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        # A list, or its JSON text (the raw SQL below does not decode it): both answer `in`.
        accessible=SpecificNeed.MOTOR.value in (support or ""),
    )


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or [])


def _time(value):
    return time.fromisoformat(value) if isinstance(value, str) else value


# Raw SQL: the ranking runs on every suggestion page, and three round trips with no ORM
# compilation are several times cheaper than one query per relation.
PLACES_SQL = """
SELECT 0, link.advisor_id, place.id, place.name, commune.name, place.latitude,
       place.longitude, place.specific_support, NULL, NULL, NULL
FROM directory_advisor_places link
JOIN directory_place place ON place.id = link.place_id
JOIN territory_commune commune ON commune.id = place.commune_id
WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s
UNION ALL
SELECT 1, slot.advisor_id, place.id, place.name, commune.name, place.latitude,
       place.longitude, place.specific_support, slot.weekday, slot.start, slot."end"
FROM directory_permanence slot
JOIN directory_place place ON place.id = slot.place_id
JOIN territory_commune commune ON commune.id = place.commune_id
WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s
UNION ALL
SELECT 2, home.advisor_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM directory_advisor_home_visit_communes home
WHERE home.commune_id = %s
"""
ADVISORS_SQL = """
SELECT advisor.id, account.first_name, account.last_name, structure.name,
       structure_commune.department_id, advisor.is_active, advisor.themes,
       advisor.support_formats, advisor.languages, advisor.specific_needs,
       advisor.remote_phone, advisor.remote_video, advisor.aidants_connect, advisor.capacity,
       (SELECT COUNT(*) FROM referrals_referral referral
        WHERE referral.advisor_id = advisor.id AND referral.state IN (%s, %s, %s)),
       (SELECT COUNT(*) FROM referrals_referral referral
        WHERE referral.advisor_id = advisor.id AND referral.decline_reason = %s
          AND referral.answered_at >= %s)
FROM directory_advisor advisor
JOIN accounts_user account ON account.id = advisor.user_id
JOIN directory_structure structure ON structure.id = advisor.structure_id
JOIN territory_commune structure_commune ON structure_commune.id = structure.commune_id
WHERE advisor.id IN ({ids})
   OR (structure_commune.department_id = %s
       AND ((advisor.remote_phone AND %s) OR (advisor.remote_video AND %s)))
"""


def candidates_load(*, commune, profile, config, person=None, today=None):
    """Candidates with their places and permanences inside the box, and their live load."""
    from referrals.models import DeclineReason, Referral, ReferralState

    today = today or timezone.localdate()
    limit = travel_limit_km(profile, config)
    box = _box(commune, limit + config["why_not_margin_km"])
    bounds = [*box["latitude__range"], *box["longitude__range"]]
    places, permanences, at_home = defaultdict(dict), defaultdict(list), set()
    with connection.cursor() as cursor:
        cursor.execute(PLACES_SQL, [*bounds, *bounds, commune.pk])
        for kind, advisor_id, *place, weekday, start, end in cursor.fetchall():
            if kind == 2:
                at_home.add(advisor_id)
                continue
            places[advisor_id].setdefault(place[0], _place_info(*place))
            if kind == 1:
                permanences[advisor_id].append(
                    PermanenceInfo(place[0], weekday, _time(start), _time(end))
                )
        ids = sorted(set(places) | at_home)
        constraints = profile.constraints
        since = timezone.now() - timedelta(days=config["decline_window_days"])
        cursor.execute(
            ADVISORS_SQL.format(ids=", ".join(["%s"] * len(ids)) or "NULL"),
            [
                ReferralState.SENT,
                ReferralState.ACCEPTED,
                ReferralState.IN_PROGRESS,
                DeclineReason.NO_CAPACITY,
                since,
                *ids,
                commune.department_id,
                bool(constraints.remote_phone),
                bool(constraints.remote_video),
            ],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    absences = defaultdict(list)
    horizon_end = today + timedelta(days=config["horizon_days"])
    for advisor_id, start, end in Absence.objects.filter(
        advisor_id__in=ids, end__gte=today, start__lte=horizon_end
    ).values_list("advisor_id", "start", "end"):
        absences[advisor_id].append((start, end))
    helped = set()
    if person is not None:
        helped = set(
            Referral.objects.filter(
                person=person,
                advisor_id__in=ids,
                state__in=[
                    ReferralState.ACCEPTED,
                    ReferralState.IN_PROGRESS,
                    ReferralState.COMPLETED,
                ],
            ).values_list("advisor_id", flat=True)
        )
    return [
        Candidate(
            pk=pk,
            name=f"{first_name} {last_name}".strip(),
            structure=structure,
            is_active=bool(is_active),
            themes=frozenset(_json(themes)),
            support_formats=frozenset(_json(formats)),
            languages=frozenset(_json(languages) or ("fr",)),
            specific_needs=frozenset(_json(specific)),
            places=tuple(sorted(places[pk].values(), key=lambda p: p.pk)),
            permanences=tuple(permanences[pk]),
            absences=tuple(absences[pk]),
            serves_at_home=pk in at_home,
            remote_phone=bool(phone),
            remote_video=bool(video),
            remote_reach=department_id == commune.department_id,
            aidants_connect=bool(aidants_connect),
            capacity=capacity,
            open_referrals=open_count,
            capacity_declines=declines,
            helped_person=pk in helped,
        )
        for (
            pk,
            first_name,
            last_name,
            structure,
            department_id,
            is_active,
            themes,
            formats,
            languages,
            specific,
            phone,
            video,
            aidants_connect,
            capacity,
            open_count,
            declines,
        ) in rows
    ]
