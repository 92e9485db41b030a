"""Loads the matching engine's snapshots of the advisors who may matter for one person.

A handful of queries whatever the size of the directory: advisors with a place (or a
permanence) in a box around the commune's point wide enough for the travel limit and the
"why not" margin, advisors who visit the commune at home, and, when the person can be helped
remotely, advisors of the same département offering remote help.
"""

import math
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .enums import SpecificNeed
from .matching import Candidate, PermanenceInfo, PlaceInfo, travel_limit_km
from .models import Absence, Advisor, Permanence, Place

KM_PER_DEGREE = 111.2


def _box(commune, radius_km):
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(commune.latitude)), 0.01))
    return {
        "latitude__range": (commune.latitude - dlat, commune.latitude + dlat),
        "longitude__range": (commune.longitude - dlon, commune.longitude + dlon),
    }


def candidate_ids(*, commune, profile, config):
    limit = travel_limit_km(profile, config)
    near = Place.objects.filter(**_box(commune, limit + config["why_not_margin_km"])).values("pk")
    ids = set(
        Advisor.places.through.objects.filter(place_id__in=near).values_list(
            "advisor_id", flat=True
        )
    )
    ids |= set(Permanence.objects.filter(place_id__in=near).values_list("advisor_id", flat=True))
    ids |= set(
        Advisor.home_visit_communes.through.objects.filter(commune_id=commune.pk).values_list(
            "advisor_id", flat=True
        )
    )
    constraints = profile.constraints
    if constraints.remote_phone or constraints.remote_video:
        remote = Q(remote_phone=True) if constraints.remote_phone else Q(pk__in=[])
        if constraints.remote_video:
            remote |= Q(remote_video=True)
        ids |= set(
            Advisor.objects.filter(
                remote, structure__commune__department_id=commune.department_id
            ).values_list("pk", flat=True)
        )
    return sorted(ids)


def _place_info(row, prefix=""):
    return PlaceInfo(
        pk=row[f"{prefix}id" if prefix else "pk"],
        name=row[f"{prefix}name"],
        commune=row[f"{prefix}commune__name"],
        latitude=row[f"{prefix}latitude"],
        longitude=row[f"{prefix}longitude"],
        accessible=SpecificNeed.MOTOR.value in (row[f"{prefix}specific_support"] or []),
    )


PLACE_FIELDS = ["id", "name", "commune__name", "latitude", "longitude", "specific_support"]


def candidates_load(*, commune, profile, config, person=None, today=None):
    from referrals.models import DeclineReason, Referral, ReferralState

    today = today or timezone.localdate()
    ids = candidate_ids(commune=commune, profile=profile, config=config)
    if not ids:
        return []
    places = defaultdict(dict)
    for row in Advisor.places.through.objects.filter(advisor_id__in=ids).values(
        "advisor_id", *(f"place__{name}" for name in PLACE_FIELDS)
    ):
        places[row["advisor_id"]][row["place__id"]] = _place_info(row, "place__")
    permanences = defaultdict(list)
    for row in Permanence.objects.filter(advisor_id__in=ids).values(
        "advisor_id", "weekday", "start", "end", *(f"place__{name}" for name in PLACE_FIELDS)
    ):
        place = _place_info(row, "place__")
        places[row["advisor_id"]].setdefault(place.pk, place)
        permanences[row["advisor_id"]].append(
            PermanenceInfo(place.pk, row["weekday"], row["start"], row["end"])
        )
    absences = defaultdict(list)
    horizon_end = today + timedelta(days=config["horizon_days"])
    for row in Absence.objects.filter(
        advisor_id__in=ids, end__gte=today, start__lte=horizon_end
    ).values("advisor_id", "start", "end"):
        absences[row["advisor_id"]].append((row["start"], row["end"]))
    at_home = set(
        Advisor.home_visit_communes.through.objects.filter(
            commune_id=commune.pk, advisor_id__in=ids
        ).values_list("advisor_id", flat=True)
    )
    open_states = [ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS]
    open_counts = dict(
        Referral.objects.filter(advisor_id__in=ids, state__in=open_states)
        .values_list("advisor_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    since = timezone.now() - timedelta(days=config["decline_window_days"])
    declines = dict(
        Referral.objects.filter(
            advisor_id__in=ids,
            decline_reason=DeclineReason.NO_CAPACITY,
            answered_at__gte=since,
        )
        .values_list("advisor_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
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
    rows = Advisor.objects.filter(pk__in=ids).values(
        "pk",
        "user__first_name",
        "user__last_name",
        "structure__name",
        "structure__commune__department_id",
        "is_active",
        "themes",
        "support_formats",
        "languages",
        "specific_needs",
        "remote_phone",
        "remote_video",
        "aidants_connect",
        "capacity",
    )
    return [
        Candidate(
            pk=row["pk"],
            name=f"{row['user__first_name']} {row['user__last_name']}".strip(),
            structure=row["structure__name"],
            is_active=row["is_active"],
            themes=frozenset(row["themes"] or ()),
            support_formats=frozenset(row["support_formats"] or ()),
            languages=frozenset(row["languages"] or ("fr",)),
            specific_needs=frozenset(row["specific_needs"] or ()),
            places=tuple(sorted(places[row["pk"]].values(), key=lambda p: p.pk)),
            permanences=tuple(permanences[row["pk"]]),
            absences=tuple(absences[row["pk"]]),
            serves_at_home=row["pk"] in at_home,
            remote_phone=row["remote_phone"],
            remote_video=row["remote_video"],
            remote_reach=row["structure__commune__department_id"] == commune.department_id,
            aidants_connect=row["aidants_connect"],
            capacity=row["capacity"],
            open_referrals=open_counts.get(row["pk"], 0),
            capacity_declines=declines.get(row["pk"], 0),
            helped_person=row["pk"] in helped,
        )
        for row in rows
    ]
