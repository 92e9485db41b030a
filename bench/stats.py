"""The statistics on five years of referrals: 1,000,000 referrals in PostgreSQL.

    .venv/bin/python bench/stats.py [--referrals 1000000] [--reuse] [--repeat 20]

Creates the PostgreSQL database `pasip_bench7` afresh (or reuses it with --reuse), loads the
Lot's communes, writes structures, advisors, persons (with an assessment for most), and the
referrals over five years in bulk SQL (`INSERT … SELECT generate_series`), then rebuilds the
pre-aggregated tables (`stats_refresh`, timed) and times, as the département's officer through
Django's test client, the dashboard (the map page) and every indicator page, with no filter,
then each filter (a year, an EPCI, a type, a need, a year and an EPCI): p50 and p95 of the
server time per request. Prints the figures and writes them to bench/results/stats.txt.
Target: p95 under 300 ms.
"""

import argparse
import os
import statistics
import time

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
DATABASE = os.environ.get("PASIP_BENCH_DATABASE", "pasip_bench7")
common.use_database(DATABASE, redis_db=7)

SOCIAL_TYPOLOGIES = ["MDS", "CCAS", "CIAS", "CAF", "MSA", "CPAM", "RFS", "ASSO", "ML", "DEPT"]
STRUCTURES, ADVISORS = 160, 40
# (state, share of referrals): most referrals are closed after five years.
STATES = [
    ("sent", 0.02),
    ("accepted", 0.04),
    ("declined", 0.12),
    ("in_progress", 0.06),
    ("completed", 0.55),
    ("failed", 0.08),
    ("expired", 0.06),
    ("cancelled", 0.07),
]


def _fill_required(cursor, table, given):
    """Values for the NOT NULL columns without a database default that `given` leaves out, so
    that the bulk inserts keep working when a model gains a field."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    defaults = {
        "boolean": "false",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": "now()",
        "date": "current_date",
    }
    extra = {}
    for column, data_type in cursor.fetchall():
        if column in given or column == "id":
            continue
        if data_type in ("integer", "smallint", "bigint", "double precision", "numeric"):
            extra[column] = "0"
        else:
            extra[column] = defaults.get(data_type, "''")
    return extra


def _insert(cursor, table, columns, select_from):
    columns = {**columns, **_fill_required(cursor, table, columns)}
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(columns.values())
    # The benchmark's own SQL, no outside input.
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {values} {select_from}")  # noqa: S608 (the script's names)


def generate(referrals):
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import Role, User
    from directory.enums import Service, StructureKind
    from directory.models import Advisor, Place, Structure
    from territory.models import Commune

    rng = random.Random(7)
    communes = list(Commune.objects.all())
    weighted = [c.pk for c in communes for _copy in range(max(1, c.population // 200))]
    password = make_password("bench-only-password")
    with transaction.atomic():
        structures = Structure.objects.bulk_create(
            Structure(
                name=f"Structure sociale {index}",
                kind=StructureKind.SOCIAL,
                typology=SOCIAL_TYPOLOGIES[index % len(SOCIAL_TYPOLOGIES)],
                commune_id=rng.choice(weighted),
            )
            for index in range(STRUCTURES)
        )
        referrers = User.objects.bulk_create(
            User(
                username=f"ts{index}",
                password=password,
                role=Role.SOCIAL_WORKER,
                structure=structure,
            )
            for index, structure in enumerate(structures)
        )
        mediation = Structure.objects.create(
            name="Médiation", kind=StructureKind.MEDIATION, typology="BIB", commune=communes[0]
        )
        place = Place.objects.create(
            structure=mediation,
            name="Médiathèque",
            address="1 place",
            commune=communes[0],
            latitude=communes[0].latitude,
            longitude=communes[0].longitude,
        )
        advisor_users = User.objects.bulk_create(
            User(username=f"cn{index}", password=password, role=Role.ADVISOR, structure=mediation)
            for index in range(ADVISORS)
        )
        advisors = Advisor.objects.bulk_create(
            Advisor(user=user, structure=mediation, themes=[s.value for s in Service])
            for user in advisor_users
        )
        for advisor in advisors:
            advisor.places.add(place)
        User.objects.create(
            username="pilotage", password=password, role=Role.OFFICER, structure=structures[0]
        )
    persons = referrals * 7 // 10
    services = [s.value for s in Service]
    state_cases, cumulative = [], 0.0
    for state, share in STATES:
        cumulative += share
        state_cases.append(f"WHEN r.pick < {cumulative:.4f} THEN '{state}'")
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(
            "CREATE TEMP TABLE bench_refs AS SELECT unnest(%s::bigint[]) AS structure_id, "
            "unnest(%s::bigint[]) AS user_id",
            [[s.pk for s in structures], [u.pk for u in referrers]],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_weights AS SELECT %s::bigint[] AS communes", [weighted]
        )
        persons_from = (
            f"FROM generate_series(1, {persons}) g CROSS JOIN bench_weights w "  # noqa: S608 (a count)
            "JOIN (SELECT row_number() OVER () AS n, * FROM bench_refs) b "
            f"ON b.n = 1 + g % {STRUCTURES}"
        )
        _insert(
            cursor,
            "people_person",
            {
                "first_name": "'Prénom'",
                "last_name": "'Nom' || g",
                "birth_year": "1930 + floor(random() * 78)::int",
                "commune_id": "w.communes[1 + floor(random() * cardinality(w.communes))::int]",
                "phone": "''",
                "email": "''",
                "preferred_channel": "'post'",
                "structure_id": "b.structure_id",
                "created_by_id": "b.user_id",
                "created_at": "now() - interval '5 years'",
            },
            persons_from,
        )
        modes = "(ARRAY['faire_pour','faire_avec','apprendre'])[1 + floor(random() * 3)::int]"
        _insert(
            cursor,
            "assessments_assessment",
            {
                "person_id": "p.id",
                "created_by_id": "p.created_by_id",
                "created_at": "p.created_at",
                "updated_at": "p.created_at",
                "status": "'validated'",
                "answers": "'{}'::jsonb",
                "profile": f"jsonb_build_object('support_mode', {modes})",
            },
            "FROM people_person p WHERE random() < 0.7",
        )
        cursor.execute("CREATE INDEX ON assessments_assessment (person_id)")
        cursor.execute("SELECT min(id), max(id) FROM people_person")
        first_person, last_person = cursor.fetchone()
        referrals_from = (
            "FROM (SELECT g, random() AS pick, random() AS pick2, random() AS pick3, "  # noqa: S608 (constants)
            "now() - random() * interval '5 years' AS sent_at, "
            f"{first_person} + floor(random() * {last_person - first_person + 1})::bigint "
            f"AS person_id FROM generate_series(1, {referrals}) g) r "
            "JOIN people_person p ON p.id = r.person_id"
        )
        advisor_ids = "ARRAY[" + ",".join(str(a.pk) for a in advisors) + "]::bigint[]"
        _insert(
            cursor,
            "referrals_referral",
            {
                "code": "'B' || r.g",
                "person_id": "p.id",
                "referring_structure_id": "p.structure_id",
                "referrer_id": "p.created_by_id",
                "advisor_id": f"({advisor_ids})[1 + (r.g % {len(advisors)})]",
                "needs": _needs(services),
                "state": f"CASE {' '.join(state_cases)} ELSE 'cancelled' END",
                "decline_reason": _pick_when("declined", DECLINE_REASONS),
                "decline_detail": "'Précision'",
                "cancel_reason": "''",
                "cancel_detail": "''",
                "outcome": _outcome(),
                "assessment_id": (
                    "(SELECT a.id FROM assessments_assessment a WHERE a.person_id = p.id LIMIT 1)"
                ),
                "sent_at": "r.sent_at",
                # Delays in calendar days, drawn from exponential laws.
                "answered_at": _after(ANSWERED, 0, 2.5),
                "first_meeting_at": _after(["in_progress", "completed", "failed"], 3, 9),
                "closed_at": _after(["completed", "failed", "expired", "cancelled"], 10, 40),
                "was_suggested": "true",
            },
            referrals_from,
        )
        cursor.execute("ANALYZE")
        return time.monotonic() - started


ANSWERED = ["accepted", "declined", "in_progress", "completed", "failed"]
DECLINE_REASONS = ["out_of_area", "no_capacity", "need_not_covered", "duplicate", "other"]
OUTCOMES = {
    "completed": ["satisfied", "satisfied", "partially", "not_satisfied", "referred_elsewhere"],
    "failed": ["unreachable", "no_show"],
}


def _state_range(state):
    low = sum(share for name, share in STATES[: [n for n, _s in STATES].index(state)])
    high = low + dict(STATES)[state]
    return f"(r.pick >= {low:.4f} AND r.pick < {high:.4f})"


def _state_is(states):
    return "(" + " OR ".join(_state_range(state) for state in states) + ")"


def _array(values):
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _picked(values):
    return f"({_array(values)})[1 + floor(r.pick2 * {len(values)})::int]"


def _pick_when(state, values):
    return f"CASE WHEN {_state_range(state)} THEN {_picked(values)} ELSE '' END"


def _outcome():
    cases = " ".join(
        f"WHEN {_state_range(state)} THEN {_picked(values)}" for state, values in OUTCOMES.items()
    )
    return f"CASE {cases} ELSE '' END"


def _after(states, minimum, mean):
    days = f"floor({minimum} + -ln(1 - random()) * {mean})"
    return f"CASE WHEN {_state_is(states)} THEN r.sent_at + ({days} || ' days')::interval END"


def _needs(services):
    """One need (60 %) or two different ones."""
    first = f"({_array(services)})[1 + floor(r.pick3 * 9)::int]"
    second = (
        f"({_array(services)})[1 + (floor(r.pick3 * 9)::int + 1 + floor(r.pick2 * 8)::int) % 9]"
    )
    return (
        f"CASE WHEN r.pick2 < 0.6 THEN jsonb_build_array({first}) "
        f"ELSE jsonb_build_array({first}, {second}) END"
    )


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def timed(client, url, repeat, *, cached=False, published=False):
    """Server times of `url`: the year's tables computed anew each time; or, `published`, read
    from what the worker published after the rebuild (a process's first request); or,
    `cached`, from this process's memory."""
    from django.core.cache import cache

    from stats.models import PublishedYear

    client.get(url)  # a first request, outside the figures (imports, geometry of the map)
    times = []
    for _index in range(repeat):
        if not cached:
            cache.clear()
        if not (cached or published):
            PublishedYear.objects.all().delete()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    arguments = parser.parse_args()
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    if not arguments.reuse:
        common.database_create(DATABASE, {**os.environ})
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from referrals.models import Referral
    from stats.selectors import INDICATORS
    from stats.services import stats_refresh
    from territory.models import Epci

    if not arguments.reuse:
        seconds = generate(arguments.referrals)
        say(f"Generated {Referral.objects.count():,} referrals in {seconds:.0f} s (bulk SQL).")
    from django.conf import settings

    refresh = stats_refresh()
    limit = settings.PASIP_STATS_REFRESH_TIME_LIMIT
    say(
        f"Pre-aggregated tables rebuilt (stats_refresh) in {refresh.seconds:.0f} s "
        f"for {refresh.referrals:,} referrals: {refresh.seconds / limit:.0%} of the rebuild "
        f"task's time limit ({limit} s, on the stats queue)."
    )
    from stats.models import CommuneCube, ReferralCube, StructureCube

    say(
        f"Rows: ReferralCube {ReferralCube.objects.count():,}, CommuneCube "
        f"{CommuneCube.objects.count():,}, StructureCube {StructureCube.objects.count():,}."
    )
    client = Client()
    client.force_login(User.objects.get(username="pilotage"))
    today = timezone.localdate()
    epci = Epci.objects.get(name="CA du Grand Cahors").code
    filters = {
        "no filter (this year)": {},
        f"year ({today.year - 1})": {"annee": today.year - 1},
        "EPCI (CA du Grand Cahors)": {"epci": epci},
        "structure type (CCAS)": {"type": "CCAS"},
        "need (démarches)": {"besoin": "Aide aux démarches administratives"},
        "year and EPCI": {"annee": today.year - 1, "epci": epci},
    }
    pages = {
        slug: ("/statistiques/" if slug == "territoire" else f"/statistiques/{slug}/")
        for slug in INDICATORS
    }
    say()
    say(
        f"Server time per request, ms ({arguments.repeat} requests each, Django test client), "
        "the year's tables computed anew (the first request after a rebuild)"
    )
    say(f"{'filter':28} {'dashboard p50':>13} {'p95':>6} " + "all pages p50    p95    max")
    overall = []
    for label, query in filters.items():
        dashboard = timed(client, pages["territoire"] + _query(query), arguments.repeat)
        every = list(dashboard)
        for slug, url in pages.items():
            if slug != "territoire":
                every += timed(client, url + _query(query), arguments.repeat)
        overall += every
        say(
            f"{label:28} {statistics.median(dashboard):13.0f} {percentile(dashboard, 0.95):6.0f} "
            f"{statistics.median(every):14.0f} {percentile(every, 0.95):6.0f} {max(every):6.0f}"
        )
    say(
        f"{'every page, every filter':28} {'':13} {'':6} {statistics.median(overall):14.0f} "
        f"{percentile(overall, 0.95):6.0f} {max(overall):6.0f}"
    )
    for label in ("no filter (this year)", "year and EPCI"):
        for how, options in (("published", {"published": True}), ("cached", {"cached": True})):
            url = pages["territoire"] + _query(filters[label])
            times = timed(client, url, 50, **options)
            say(
                f"dashboard, its tables {how}, {label}: p50 {statistics.median(times):.1f} ms"
                f"  p95 {percentile(times, 0.95):.1f} ms"
            )
    say()
    say("Per page, no filter (p50 / p95 ms):")
    extra = {
        "API /stats/mois/": "/api/v1/stats/mois/",
        "CSV communes": "/statistiques/communes.csv",
    }
    for label, url in {**pages, **extra}.items():
        times = timed(client, url, arguments.repeat)
        say(f"  {label:20} {statistics.median(times):5.0f} / {percentile(times, 0.95):5.0f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stats.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _query(query):
    from urllib.parse import urlencode

    return "?" + urlencode(query) if query else ""


if __name__ == "__main__":
    main()
