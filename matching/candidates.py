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
from datetime import date, time, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import User
from directory.enums import SpecificNeed
from directory.models import Absence, Advisor, Permanence, Place, Structure
from territory.models import Commune

from .engine import Candidate, PermanenceInfo, PlaceInfo, travel_limit_km

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


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _time(value):
    return time.fromisoformat(value) if isinstance(value, str) else value


# Raw SQL: the ranking runs on every suggestion page, and three round trips with no ORM
# compilation are several times cheaper than one query per relation.
PLACES_SQL = """
SELECT 0, link.advisor_id, place.id, place.name,
       (SELECT commune.name FROM {commune} commune WHERE commune.id = place.commune_id),
       place.latitude, place.longitude, place.specific_support, NULL, NULL, NULL
FROM {advisor_places} link
JOIN {place} place ON place.id = link.place_id
WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s
UNION ALL
SELECT 1, slot.advisor_id, place.id, place.name,
       (SELECT commune.name FROM {commune} commune WHERE commune.id = place.commune_id),
       place.latitude, place.longitude, place.specific_support, slot.weekday,
       CAST(slot.start AS TEXT), CAST(slot."end" AS TEXT)
FROM {permanence} slot
JOIN {place} place ON place.id = slot.place_id
WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s
UNION ALL
SELECT 2, home.advisor_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM {home_visits} home
WHERE home.commune_id = %s
UNION ALL
SELECT 3, absence.advisor_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       CAST(absence.start AS TEXT), CAST(absence."end" AS TEXT)
FROM {absence} absence
WHERE absence."end" >= %s AND absence.start <= %s AND (
    absence.advisor_id IN (
        SELECT link.advisor_id FROM {advisor_places} link
        JOIN {place} place ON place.id = link.place_id
        WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s)
    OR absence.advisor_id IN (
        SELECT slot.advisor_id FROM {permanence} slot
        JOIN {place} place ON place.id = slot.place_id
        WHERE place.latitude BETWEEN %s AND %s AND place.longitude BETWEEN %s AND %s)
    OR absence.advisor_id IN (
        SELECT home.advisor_id FROM {home_visits} home
        WHERE home.commune_id = %s))
"""
# Names through scalar subqueries: a few index lookups instead of hashing whole tables.
ADVISORS_SQL = """
SELECT advisor.id,
       (SELECT account.first_name || ' ' || account.last_name FROM {user} account
        WHERE account.id = advisor.user_id),
       (SELECT structure.name FROM {structure} structure
        WHERE structure.id = advisor.structure_id),
       (SELECT commune.department_id FROM {structure} structure
        JOIN {commune} commune ON commune.id = structure.commune_id
        WHERE structure.id = advisor.structure_id),
       advisor.is_active, advisor.themes, advisor.support_formats, advisor.languages,
       advisor.specific_needs, advisor.remote_phone, advisor.remote_video,
       advisor.aidants_connect, advisor.capacity
FROM {advisor} advisor
WHERE advisor.id IN ({ids}) {remote}
"""
REMOTE_SQL = """
   OR advisor.id IN (
       SELECT remote.id FROM {advisor} remote
       JOIN {structure} structure ON structure.id = remote.structure_id
       JOIN {commune} commune ON commune.id = structure.commune_id
       WHERE commune.department_id = %s AND ({ways}))
"""
ABSENCES_SQL = """
SELECT advisor_id, start, "end" FROM {absence}
WHERE advisor_id IN ({ids}) AND "end" >= %s AND start <= %s
"""


# The advisors' live load is read by the app that owns the referrals, which registers how
# (`referrals.loads.advisor_loads`, from its `AppConfig.ready()`): the matching sits below it.
_load_source = None


def load_source_register(source):
    """`source(*, pks, person, since)` -> {advisor pk: (open referrals, declines for capacity
    since `since`, helped the person before)}."""
    global _load_source
    _load_source = source


def live_load(*, pks, person, config):
    """{advisor: (open referrals, recent declines for capacity, helped the person before)}."""
    if not pks:
        return {}
    since = timezone.now() - timedelta(days=config["decline_window_days"])
    return _load_source(pks=pks, person=person, since=since)


def _tables():
    """The tables the queries read, by the names their apps give them."""
    return {
        "advisor": Advisor._meta.db_table,
        "advisor_places": Advisor.places.through._meta.db_table,
        "home_visits": Advisor.home_visit_communes.through._meta.db_table,
        "place": Place._meta.db_table,
        "permanence": Permanence._meta.db_table,
        "absence": Absence._meta.db_table,
        "structure": Structure._meta.db_table,
        "commune": Commune._meta.db_table,
        "user": User._meta.db_table,
    }


def candidates_load(*, commune, profile, config, today=None):
    """Candidates with their places, permanences and absences inside the box; no load yet."""
    today = today or timezone.localdate()
    limit = travel_limit_km(profile, config)
    box = _box(commune, limit + config["why_not_margin_km"])
    bounds = [*box["latitude__range"], *box["longitude__range"]]
    horizon_end = today + timedelta(days=config["horizon_days"])
    places, permanences, at_home = defaultdict(dict), defaultdict(list), set()
    absences = defaultdict(list)
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            PLACES_SQL.format(**tables),
            [*bounds, *bounds, commune.pk, today, horizon_end, *bounds, *bounds, commune.pk],
        )
        for kind, advisor_id, *place, weekday, start, end in cursor.fetchall():
            if kind == 2:
                at_home.add(advisor_id)
            elif kind == 3:
                absences[advisor_id].append((_date(start), _date(end)))
            else:
                places[advisor_id].setdefault(place[0], _place_info(*place))
                if kind == 1:
                    permanences[advisor_id].append(
                        PermanenceInfo(place[0], weekday, _time(start), _time(end))
                    )
        ids = sorted(set(places) | at_home)
        constraints = profile.constraints
        ways = [
            column
            for column, wanted in (
                ("remote.remote_phone", constraints.remote_phone),
                ("remote.remote_video", constraints.remote_video),
            )
            if wanted
        ]
        remote = REMOTE_SQL.format(ways=" OR ".join(ways), **tables) if ways else ""
        cursor.execute(
            ADVISORS_SQL.format(
                ids=", ".join(["%s"] * len(ids)) or "NULL", remote=remote, **tables
            ),
            [*ids, *([commune.department_id] if ways else [])],
        )
        rows = cursor.fetchall()
        remote_only = sorted({row[0] for row in rows} - set(ids))
        if remote_only:  # advisors reached only remotely: their absences were not read yet
            cursor.execute(
                ABSENCES_SQL.format(ids=", ".join(["%s"] * len(remote_only)), **tables),
                [*remote_only, today, horizon_end],
            )
            for advisor_id, start, end in cursor.fetchall():
                absences[advisor_id].append((_date(start), _date(end)))
    return [
        Candidate(
            pk=pk,
            name=(name or "").strip(),
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
        )
        for (
            pk,
            name,
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
        ) in rows
    ]
