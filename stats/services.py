"""Rebuilds the pre-aggregated tables from the referrals (called by beat, `tasks.py`)."""

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from pasip.workdays import is_working_day, working_days_between
from people.ages import age_band
from referrals.delays import DELAY_PHASES, local_day, phase_delays
from referrals.models import Referral

from .models import (
    COUNT_KEYS,
    SUPPORT_MODES,
    CommuneCube,
    PublishedYear,
    ReferralCube,
    Refresh,
    StructureCube,
    count_column,
)
from .publication import publish_years

BATCH = 5000


class WorkingDayCounter:
    """Working days between two dates in O(1): a running count of working days per date.

    Counts the same days as `pasip.workdays.working_days_between`, which it falls back on
    for dates before 2000.
    """

    ORIGIN = date(2000, 1, 1)

    def __init__(self) -> None:
        self.running = [0]  # running[i]: working days in (ORIGIN, ORIGIN + i days]

    def _index(self, day: date) -> int:
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


def _referral_rows() -> Iterator[tuple[Any, ...]]:
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
            "answer_days",
            "meeting_days",
            "closure_days",
        )
        .annotate(support_mode=KeyTextTransform("support_mode", "assessment__profile"))
        .iterator(chunk_size=BATCH)
    )


@transaction.atomic
def stats_refresh() -> Refresh:
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
        kept_days = row[16:19]
        support_mode = row[19] or ""
        total += 1
        sent = local_day(sent_at)
        month = sent.replace(day=1)
        typology = typology or ""
        band = age_band(birth_year, sent.year) if birth_year else band
        if support_mode not in SUPPORT_MODES:
            support_mode = ""
        counts = [f"state:{state}", f"age:{band or ''}", f"mode:{support_mode}"]
        if decline:
            counts.append(f"decline:{decline}")
        if outcome:
            counts.append(f"outcome:{outcome}")
        if erased_at:  # dates cut to the month: the delays kept by the erasure count instead
            delays = [
                (phase, str(days))
                for phase, days in zip(DELAY_PHASES, kept_days, strict=True)
                if days is not None
            ]
        else:
            moments = (answered_at, meeting_at, closed_at)
            counted = phase_delays(sent, moments, working_days.between)
            delays = [(phase, str(days)) for phase, days in counted]
        for need in ("", *sorted(set(needs or ()))):
            entry = cube[(department, month, epci, typology, need)]
            entry[0] += 1
            entry[1].update(counts)
            for phase, days in delays:
                entry[2][phase][days] += 1
            communes[(department, month, commune, epci, typology, need)] += 1
            structures[(department, month, structure, epci, typology, need)] += 1
    columns = [count_column(key) for key in COUNT_KEYS]
    _replace(
        ReferralCube,
        ["department_id", "month", "epci_id", "typology", "need", "referrals", "delays", *columns],
        (
            (
                *key,
                referrals,
                json.dumps({phase: dict(days) for phase, days in delays.items()}),
                *(counts[count_key] for count_key in COUNT_KEYS),
            )
            for key, (referrals, counts, delays) in cube.items()
        ),
    )
    place = ["department_id", "month", "epci_id", "typology", "need", "referrals"]
    _replace(
        CommuneCube,
        ["commune_id", *place],
        ((c, d, m, e, t, n, count) for (d, m, c, e, t, n), count in communes.items()),
    )
    _replace(
        StructureCube,
        ["structure_id", *place],
        ((s, d, m, e, t, n, count) for (d, m, s, e, t, n), count in structures.items()),
    )
    refresh = Refresh.objects.create(
        done_at=timezone.now(), referrals=total, seconds=time.monotonic() - started
    )
    PublishedYear.objects.exclude(refresh=refresh).delete()  # tables of older counts
    # Only the latest rebuild is read: the others (96 a day) are kept a week, for their timings.
    Refresh.objects.filter(done_at__lt=refresh.done_at - timedelta(days=7)).delete()
    publish_years()  # in the same transaction: no page sees the new counts unpublished
    return refresh


def _replace(model: type[models.Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """Replaces a table's rows: COPY on PostgreSQL, one prepared INSERT elsewhere."""
    table = model._meta.db_table
    model.objects.all().delete()
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (model's own)
                list(rows),
            )


def stats_ensure_fresh() -> Refresh:
    """The last refresh; on a fresh installation, the first one, done now."""
    return Refresh.objects.order_by("-done_at").first() or stats_refresh()
