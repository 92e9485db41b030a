"""Rebuilds the pre-aggregated tables from the referrals (called by beat, `tasks.py`)."""

import time
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from pasip.workdays import is_working_day, working_days_between
from people.services import age_band
from referrals.models import Referral

from .models import CommuneCube, ReferralCube, Refresh, StructureCube

BATCH = 5000


class WorkingDayCounter:
    """Working days between two dates in O(1): a running count of working days per date.

    Counts the same days as `pasip.workdays.working_days_between`, which it falls back on
    for dates before 2000.
    """

    ORIGIN = date(2000, 1, 1)

    def __init__(self):
        self.running = [0]  # running[i]: working days in (ORIGIN, ORIGIN + i days]

    def _index(self, day):
        index = (day - self.ORIGIN).days
        while len(self.running) <= index:
            next_day = self.ORIGIN + timedelta(days=len(self.running))
            self.running.append(self.running[-1] + is_working_day(next_day))
        return index

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; 0 when end <= start."""
        if end <= start:
            return 0
        if start < self.ORIGIN:
            return working_days_between(start, end)
        return self.running[self._index(end)] - self.running[self._index(start)]


def _local_day(moment):
    return timezone.localtime(moment).date()


def _referral_rows():
    return (
        Referral.objects.order_by()
        .values_list(
            "sent_at",
            "answered_at",
            "first_meeting_at",
            "closed_at",
            "state",
            "decline_reason",
            "outcome",
            "needs",
            "referring_structure_id",
            "referring_structure__typology",
            "person__commune_id",
            "person__commune__epci_id",
            "person__commune__department_id",
            "person__birth_year",
            "person__age_band",
            "person__erased_at",
        )
        .annotate(support_mode=KeyTextTransform("support_mode", "assessment__profile"))
        .iterator(chunk_size=BATCH)
    )


@transaction.atomic
def stats_refresh():
    """Counts every referral again into the three tables; returns the `Refresh` row."""
    started = time.monotonic()
    cube = defaultdict(lambda: [0, Counter(), defaultdict(Counter)])
    communes = Counter()
    structures = Counter()
    working_days = WorkingDayCounter()
    total = 0
    for row in _referral_rows():
        (sent_at, answered_at, meeting_at, closed_at, state, decline, outcome, needs) = row[:8]
        (structure, typology, commune, epci, department, birth_year, band, erased_at) = row[8:16]
        support_mode = row[16] or ""
        total += 1
        sent = _local_day(sent_at)
        month = sent.replace(day=1)
        typology = typology or ""
        band = age_band(birth_year, sent.year) if birth_year else band
        counts = [f"state:{state}", f"age:{band or ''}", f"mode:{support_mode}"]
        if decline:
            counts.append(f"decline:{decline}")
        if outcome:
            counts.append(f"outcome:{outcome}")
        delays = []
        if not erased_at:  # an erased person's dates are kept to the month only
            for phase, moment in (
                ("answer", answered_at),
                ("meeting", meeting_at),
                ("closure", closed_at),
            ):
                if moment:
                    delays.append((phase, str(working_days.between(sent, _local_day(moment)))))
        for need in ("", *sorted(set(needs or ()))):
            entry = cube[(department, month, epci, typology, need)]
            entry[0] += 1
            entry[1].update(counts)
            for phase, days in delays:
                entry[2][phase][days] += 1
            communes[(department, month, commune, epci, typology, need)] += 1
            structures[(department, month, structure, epci, typology, need)] += 1
    ReferralCube.objects.all().delete()
    CommuneCube.objects.all().delete()
    StructureCube.objects.all().delete()
    ReferralCube.objects.bulk_create(
        (
            ReferralCube(
                department_id=department,
                month=month,
                epci_id=epci,
                typology=typology,
                need=need,
                referrals=referrals,
                counts=dict(counts),
                delays={phase: dict(days) for phase, days in delays.items()},
            )
            for (department, month, epci, typology, need), (
                referrals,
                counts,
                delays,
            ) in cube.items()
        ),
        batch_size=BATCH,
    )
    CommuneCube.objects.bulk_create(
        (
            CommuneCube(
                department_id=department,
                month=month,
                commune_id=commune,
                epci_id=epci,
                typology=typology,
                need=need,
                referrals=referrals,
            )
            for (department, month, commune, epci, typology, need), referrals in communes.items()
        ),
        batch_size=BATCH,
    )
    StructureCube.objects.bulk_create(
        (
            StructureCube(
                department_id=department,
                month=month,
                structure_id=structure,
                epci_id=epci,
                typology=typology,
                need=need,
                referrals=referrals,
            )
            for (
                department,
                month,
                structure,
                epci,
                typology,
                need,
            ), referrals in structures.items()
        ),
        batch_size=BATCH,
    )
    return Refresh.objects.create(
        done_at=timezone.now(), referrals=total, seconds=time.monotonic() - started
    )


def stats_ensure_fresh():
    """The last refresh; on a fresh installation, the first one, done now."""
    return Refresh.objects.order_by("-done_at").first() or stats_refresh()
