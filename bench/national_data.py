"""A national-scale database: the directory of `bench/ranking.py` plus the social side.

`generate(rng, scale)` expects a migrated database with the Lot's territory loaded. It reuses
`ranking.generate` for the directory (96 synthetic départements over metropolitan France,
6,000 communes, 4,000 advisors, 10,000 places, 15,000 permanences), then adds, with
PostgreSQL COPY (rows built in Python) and INSERT … SELECT (the events, derived from the
referrals on the server):

- 3,000 social structures, in any commune (the Lot's 312 real communes included), whose sizes
  follow a long tail (a département's social services at the head, a small CCAS at the end);
- 20,000 social workers spread over them, each structure having at least one;
- 600,000 persons, each registered by one worker, living in the structure's département, each
  with a consent (most share their identity);
- 1,000,000 referrals sent over the last five years to an advisor of the person's département
  (or of the nearest département that has advisors), every person having at least one; older
  referrals are closed (completed, failed, declined, expired, cancelled), recent ones are open;
- their timeline: the sent event, then the answer (accepted or declined), the first meeting,
  the closure (completed, failed), the expiry or the cancellation, each at its date.

`scale` multiplies the counts of the social side (0.01 for a quick try of the script).
"""

import json
import time
from datetime import timedelta

STRUCTURES, WORKERS, PERSONS, REFERRALS, YEARS = 3_000, 20_000, 600_000, 1_000_000, 5
TYPOLOGIES = ["MDS", "CCAS", "CAF", "MSA", "RFS", "DEPT", "CIAS", "Autre"]
FIRST_NAMES = ["Marie", "Jean", "Fatima", "Louis", "Chantal", "Ahmed", "Nathalie", "Paul"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Roux", "Fabre"]
# (state, share) of the referrals sent more than 90 days ago, then of the recent ones
OLD_STATES = [
    ("completed", 0.55),
    ("failed", 0.13),
    ("declined", 0.12),
    ("expired", 0.10),
    ("cancelled", 0.10),
]
RECENT_STATES = [
    ("sent", 0.15),
    ("accepted", 0.20),
    ("in_progress", 0.35),
    ("completed", 0.12),
    ("declined", 0.06),
    ("failed", 0.04),
    ("expired", 0.04),
    ("cancelled", 0.04),
]
DECLINE_REASONS = ["out_of_area", "no_capacity", "need_not_covered", "duplicate"]
CANCEL_REASONS = ["consent_withdrawn", "need_resolved", "person_moved", "mistake"]
COMPLETED_OUTCOMES = ["satisfied", "satisfied", "partially", "not_satisfied", "referred_elsewhere"]
FAILED_OUTCOMES = ["unreachable", "no_show"]


def _copy(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _next_id(cursor, table):
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 (our names)
    return cursor.fetchone()[0]


def _sequence_reset(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (our names)
        f"(SELECT max(id) FROM {table}))"
    )


def _pick(rng, shares):
    draw, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if draw < total:
            return value
    return shares[-1][0]


def _advisors_by_department(cursor):
    """{department id: [(advisor id, user id)]}, departments without advisors borrowing those
    of the nearest department that has some (the Lot's real communes have none of their own)."""
    cursor.execute(
        "SELECT c.department_id, a.id, a.user_id FROM directory_advisor a "
        "JOIN directory_structure s ON s.id = a.structure_id "
        "JOIN territory_commune c ON c.id = s.commune_id WHERE a.is_active"
    )
    advisors = {}
    for department, advisor, user in cursor.fetchall():
        advisors.setdefault(department, []).append((advisor, user))
    cursor.execute(
        "SELECT department_id, avg(latitude), avg(longitude) FROM territory_commune "
        "GROUP BY department_id"
    )
    centres = {department: (lat, lon) for department, lat, lon in cursor.fetchall()}
    for department, (lat, lon) in centres.items():
        if department not in advisors:
            nearest = min(
                (d for d in advisors),
                key=lambda d: (centres[d][0] - lat) ** 2 + (centres[d][1] - lon) ** 2,
            )
            advisors[department] = advisors[nearest]
    return advisors


def generate_social(rng, scale=1.0, log=print):
    """Adds structures, workers, persons, consents, referrals and events; returns the counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from directory.enums import Service

    n_structures = max(20, round(STRUCTURES * scale))
    n_workers = max(n_structures, round(WORKERS * scale))
    n_persons = max(n_workers, round(PERSONS * scale))
    n_referrals = max(n_persons, round(REFERRALS * scale))
    now = timezone.now()
    services = [s.value for s in Service]
    cursor = connection.cursor().cursor  # psycopg's own cursor, for COPY

    started = time.monotonic()
    cursor.execute("SELECT id, department_id FROM territory_commune ORDER BY id")
    commune_department = dict(cursor.fetchall())
    communes_of = {}
    for commune, department in commune_department.items():
        communes_of.setdefault(department, []).append(commune)
    all_communes = list(commune_department)
    advisors_of = _advisors_by_department(cursor)

    # Structures: a long tail of sizes (weight of the k-th: k^-0.7).
    first_structure = _next_id(cursor, "directory_structure")
    structure_ids = list(range(first_structure, first_structure + n_structures))
    structure_commune = {s: rng.choice(all_communes) for s in structure_ids}
    _copy(
        cursor,
        "directory_structure",
        ["id", "name", "kind", "typology", "pivot", "commune_id", "phone", "email", "updated_at"],
        (
            (s, f"Structure sociale {s}", "social", rng.choice(TYPOLOGIES), "",
             structure_commune[s], "", "", now)
            for s in structure_ids
        ),
    )  # fmt: skip
    weights = [(k + 1) ** -0.7 for k in range(n_structures)]

    # Workers: one per structure, the rest drawn by the structures' weights.
    password = make_password("bench-only-password")
    first_user = _next_id(cursor, "accounts_user")
    worker_structure = structure_ids + rng.choices(
        structure_ids, weights=weights, k=n_workers - n_structures
    )
    worker_ids = list(range(first_user, first_user + n_workers))
    _copy(
        cursor,
        "accounts_user",
        ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
         "is_staff", "is_active", "date_joined", "role", "structure_id", "phone"],
        (
            (u, password, False, f"ts{n}", rng.choice(FIRST_NAMES), f"Social{n}", "", False,
             True, now, "social_worker", worker_structure[n], "")
            for n, u in enumerate(worker_ids)
        ),
    )  # fmt: skip
    log(f"  {n_structures} social structures, {n_workers} social workers")

    # Referrals first (dates, persons), so that each person is created before its first one.
    first_person = _next_id(cursor, "people_person")
    person_worker = [rng.randrange(n_workers) for _ in range(n_persons)]
    span = YEARS * 365 * 86_400
    referral_person = list(range(n_persons)) + [
        rng.randrange(n_persons) for _ in range(n_referrals - n_persons)
    ]
    sent = [now - timedelta(seconds=rng.randrange(span)) for _ in range(n_referrals)]
    created = [now] * n_persons
    for person, at in zip(referral_person, sent, strict=True):
        if at < created[person]:
            created[person] = at
    person_commune = []
    for worker in person_worker:
        home = structure_commune[worker_structure[worker]]
        if rng.random() < 0.3:
            person_commune.append(home)
        else:
            person_commune.append(rng.choice(communes_of[commune_department[home]]))

    _copy(
        cursor,
        "people_person",
        ["id", "first_name", "last_name", "birth_year", "commune_id", "phone", "email",
         "preferred_channel", "structure_id", "created_by_id", "created_at", "age_band"],
        (
            (first_person + p, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
             rng.randint(1935, 2008), person_commune[p], f"06 {p % 100:02d} 00 00 00", "",
             rng.choice(("phone", "phone", "post", "email")),
             worker_structure[person_worker[p]], worker_ids[person_worker[p]],
             created[p] - timedelta(minutes=30), "")
            for p in range(n_persons)
        ),
    )  # fmt: skip
    _copy(
        cursor,
        "people_consent",
        ["person_id", "share_identity", "share_assessment", "method", "recorded_by_id",
         "recorded_at"],
        (
            (first_person + p, rng.random() < 0.9, rng.random() < 0.75, "oral",
             worker_ids[person_worker[p]], created[p] - timedelta(minutes=20))
            for p in range(n_persons)
        ),
    )  # fmt: skip
    log(f"  {n_persons} persons with their consent ({time.monotonic() - started:.0f} s)")

    first_referral = _next_id(cursor, "referrals_referral")

    def referral_rows():
        for n in range(n_referrals):
            person = referral_person[n]
            worker = person_worker[person]
            at = sent[n]
            age_days = (now - at).days
            state = _pick(rng, OLD_STATES if age_days > 90 else RECENT_STATES)
            advisor, _user = rng.choice(advisors_of[commune_department[person_commune[person]]])

            def later(moment, low, high):
                return min(moment + timedelta(hours=rng.uniform(low * 24, high * 24)), now)

            answered = meeting = closed = appointment = None
            decline = cancel = outcome = ""
            if state in ("accepted", "in_progress", "completed", "failed", "declined"):
                answered = later(at, 0.1, 6)
            if state in ("accepted", "in_progress", "completed", "failed"):
                appointment = later(answered, 2, 15)
            if state in ("in_progress", "completed") or (state == "failed" and rng.random() < 0.5):
                meeting = later(answered, 2, 20)
            if state in ("completed", "failed"):
                closed = later(meeting or answered, 5, 60)
                outcome = rng.choice(
                    COMPLETED_OUTCOMES if state == "completed" else FAILED_OUTCOMES
                )
            elif state == "declined":
                decline = rng.choice(DECLINE_REASONS)
                closed = answered
            elif state == "expired":
                closed = later(at, 15, 16)
            elif state == "cancelled":
                cancel = rng.choice(CANCEL_REASONS)
                closed = later(at, 0.5, 10)
            reminded = later(at, 5, 6) if state == "sent" and age_days > 7 else None
            escalated = later(at, 10, 11) if state == "sent" and age_days > 14 else None
            suggested = rng.random() < 0.8
            yield (
                first_referral + n, f"LOT-{n:07d}", first_person + person,
                worker_structure[worker], worker_ids[worker], advisor,
                json.dumps(rng.sample(services, rng.choice((1, 1, 1, 2, 2, 3)))), state,
                decline, "", cancel, "", outcome, appointment, meeting, closed, False,
                suggested, rng.randint(1, 5) if suggested else None, at, answered, reminded,
                escalated, False, "",
            )  # fmt: skip

    _copy(
        cursor,
        "referrals_referral",
        ["id", "code", "person_id", "referring_structure_id", "referrer_id", "advisor_id",
         "needs", "state", "decline_reason", "decline_detail", "cancel_reason",
         "cancel_detail", "outcome", "appointment_at", "first_meeting_at", "closed_at",
         "shared", "was_suggested", "suggested_rank", "sent_at", "answered_at", "reminded_at",
         "escalated_at", "chosen_outside", "outside_reason"],
        referral_rows(),
    )  # fmt: skip
    log(f"  {n_referrals} referrals ({time.monotonic() - started:.0f} s)")

    events = _events_insert(cursor)
    for table in ("directory_structure", "accounts_user", "people_person", "referrals_referral"):
        _sequence_reset(cursor, table)
    cursor.execute("ANALYZE")
    log(f"  {events} referral events, analysed ({time.monotonic() - started:.0f} s)")
    return {
        "structures": n_structures,
        "workers": n_workers,
        "persons": n_persons,
        "referrals": n_referrals,
        "events": events,
        "seconds": time.monotonic() - started,
    }


# Each timeline step: (to_state, from_state, moment column, actor, the states that went
# through it, an extra condition). The actor is the referrer, the advisor's user or nobody.
EVENT_STEPS = [
    ("sent", "''", "r.sent_at", "r.referrer_id", None, "TRUE"),
    ("accepted", "'sent'", "r.answered_at", "a.user_id",
     ("accepted", "in_progress", "completed", "failed"), "TRUE"),
    ("declined", "'sent'", "r.answered_at", "a.user_id", ("declined",), "TRUE"),
    ("in_progress", "'accepted'", "r.first_meeting_at", "a.user_id",
     ("in_progress", "completed", "failed"), "r.first_meeting_at IS NOT NULL"),
    ("completed", "'in_progress'", "r.closed_at", "a.user_id", ("completed",), "TRUE"),
    ("failed", "CASE WHEN r.first_meeting_at IS NULL THEN 'accepted' ELSE 'in_progress' END",
     "r.closed_at", "a.user_id", ("failed",), "TRUE"),
    ("expired", "'sent'", "r.closed_at", "NULL", ("expired",), "TRUE"),
    ("cancelled", "'sent'", "r.closed_at", "r.referrer_id", ("cancelled",), "TRUE"),
]  # fmt: skip


def _events_insert(cursor):
    """The timeline of every referral, derived from its state and dates on the server (once:
    the referrals of `ranking.generate`, which have no dates but the sent one, included)."""
    total = 0
    for to_state, from_state, moment, actor, states, condition in EVENT_STEPS:
        among = "TRUE"
        if states is not None:
            among = "r.state IN ({})".format(", ".join(f"'{s}'" for s in states))
        cursor.execute(
            "INSERT INTO referrals_referralevent "  # noqa: S608 (constants above)
            "(referral_id, actor_id, at, from_state, to_state, kind, reason) "
            f"SELECT r.id, {actor}, coalesce({moment}, r.sent_at), {from_state}, "
            f"'{to_state}', 'transition', '' "
            "FROM referrals_referral r JOIN directory_advisor a ON a.id = r.advisor_id "
            f"WHERE {among} AND {condition}"
        )
        total += cursor.rowcount
    return total
