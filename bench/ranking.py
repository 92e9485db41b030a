"""Matching at national scale: 4,000 advisors, 10,000 places, 15,000 permanences over France.

    .venv/bin/python bench/ranking.py [--persons 1000] [--reuse]

Creates the PostgreSQL database `pasip_bench4` afresh (or reuses it with --reuse), generates a
directory spread over metropolitan France (synthetic communes grouped in 96 départements,
places clustered around towns, home visits, remote help, absences, open referrals), then
times, for 1,000 random persons, the full ranking with its explanations (`advisors_rank`
plus every sentence and why-not reason), and a bare `/api/v1/` request through Django's test
client in the same run. Prints the figures and writes them to bench/results/matching.txt.
Target: p95 of the ranking under 50 ms.
"""

import argparse
import math
import os
import random
import statistics
import time
from datetime import date, timedelta
from datetime import time as clock

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
DATABASE = os.environ.get("PASIP_BENCH_DATABASE", "pasip_bench4")
common.use_database(DATABASE, redis_db=4)

ADVISORS, PLACES, PERMANENCES = 4_000, 10_000, 15_000
COMMUNES, DEPARTMENTS = 6_000, 96
# A rough outline of metropolitan France (longitude, latitude), for points on land.
FRANCE = [
    (-1.8, 43.4), (-1.2, 46.2), (-2.5, 47.3), (-4.7, 48.4), (-1.6, 48.7), (1.5, 50.1),
    (2.5, 51.1), (4.2, 49.9), (6.1, 49.5), (8.2, 49.0), (7.6, 47.6), (6.0, 46.2),
    (7.0, 45.9), (7.6, 44.1), (6.2, 43.1), (3.2, 43.3), (3.0, 42.4), (-0.6, 42.8),
]  # fmt: skip


def on_land(longitude, latitude):
    inside = False
    for (x1, y1), (x2, y2) in zip(FRANCE, FRANCE[1:] + FRANCE[:1], strict=True):
        crosses = (y1 > latitude) != (y2 > latitude)
        if crosses and longitude < x1 + (latitude - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def land_point(rng):
    while True:
        longitude, latitude = rng.uniform(-4.8, 8.3), rng.uniform(42.3, 51.1)
        if on_land(longitude, latitude):
            return latitude, longitude


def generate(rng):
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, User
    from directory.enums import Service, SpecificNeed, StructureKind, SupportFormat
    from directory.models import Absence, Advisor, Permanence, Place, Structure
    from people.models import Person
    from referrals.models import Referral, ReferralState
    from territory.models import Commune, Department, Epci

    started = time.monotonic()
    departments = Department.objects.bulk_create(
        Department(code=f"B{n:02d}", name=f"Département {n}") for n in range(DEPARTMENTS)
    )
    centres = [land_point(rng) for _ in departments]
    epcis = Epci.objects.bulk_create(
        Epci(code=f"9{n:08d}", name=f"EPCI {n}", department=d) for n, d in enumerate(departments)
    )
    communes = []
    for n in range(COMMUNES):
        latitude, longitude = land_point(rng)
        index = min(
            range(DEPARTMENTS),
            key=lambda i: (centres[i][0] - latitude) ** 2 + (centres[i][1] - longitude) ** 2,
        )
        communes.append(
            Commune(
                insee=f"Z{n:04d}",
                name=f"Commune {n}",
                population=rng.randint(100, 20_000),
                epci=epcis[index],
                department=departments[index],
                latitude=latitude,
                longitude=longitude,
                postal_codes=f"{10_000 + n}",
            )
        )
    communes = Commune.objects.bulk_create(communes, batch_size=1000)
    towns = rng.sample(communes, 1500)  # places cluster in and around towns

    structures = Structure.objects.bulk_create(
        (
            Structure(
                name=f"Structure {n}",
                kind=StructureKind.MEDIATION,
                typology="EPN",
                commune=town,
            )
            for n, town in enumerate(rng.sample(towns, 1200))
        ),
        batch_size=1000,
    )
    social = Structure.objects.create(
        name="Structure sociale", kind=StructureKind.SOCIAL, commune=communes[0]
    )
    places = []
    for n in range(PLACES):
        structure = rng.choice(structures)
        town = structure.commune if rng.random() < 0.5 else rng.choice(towns)
        places.append(
            Place(
                structure=structure,
                name=f"Lieu {n}",
                address="1 place de la Mairie",
                commune=town,
                latitude=town.latitude + rng.uniform(-0.05, 0.05),
                longitude=town.longitude + rng.uniform(-0.05, 0.05),
                services=[s.value for s in Service],
                specific_support=[SpecificNeed.MOTOR.value] if rng.random() < 0.6 else [],
                opening_hours="Mo-Fr 09:00-12:00,14:00-17:00",
            )
        )
    places = Place.objects.bulk_create(places, batch_size=1000)
    by_structure = {}
    for place in places:
        by_structure.setdefault(place.structure_id, []).append(place)

    password = make_password("bench-only-password")
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench{n}",
                first_name=f"Prénom{n}",
                last_name=f"Nom{n}",
                role=Role.ADVISOR,
                password=password,
                structure=rng.choice(structures),
            )
            for n in range(ADVISORS)
        ),
        batch_size=1000,
    )
    services = [s.value for s in Service]
    formats = [f.value for f in SupportFormat]
    advisors = Advisor.objects.bulk_create(
        (
            Advisor(
                user=user,
                structure_id=user.structure_id,
                themes=rng.sample(services, rng.randint(2, 7)),
                support_formats=rng.sample(formats, rng.randint(1, 3)),
                languages=["fr"] + (["en"] if rng.random() < 0.3 else []),
                specific_needs=rng.sample(
                    [n.value for n in SpecificNeed], rng.choice([0, 0, 1, 2])
                ),
                remote_phone=rng.random() < 0.4,
                remote_video=rng.random() < 0.3,
                aidants_connect=rng.random() < 0.35,
                capacity=rng.randint(8, 30),
                is_active=rng.random() < 0.97,
            )
            for user in users
        ),
        batch_size=1000,
    )
    through = Advisor.places.through
    links, advisor_places = [], {}
    for advisor in advisors:
        own = by_structure.get(advisor.structure_id) or [rng.choice(places)]
        chosen = rng.sample(own, min(len(own), rng.randint(1, 3)))
        advisor_places[advisor.pk] = chosen
        links += [through(advisor_id=advisor.pk, place_id=p.pk) for p in chosen]
    through.objects.bulk_create(links, batch_size=2000)
    home = Advisor.home_visit_communes.through
    home_links = []
    for advisor in rng.sample(advisors, 800):
        centre = advisor_places[advisor.pk][0]
        near = [
            c
            for c in rng.sample(communes, 400)
            if abs(c.latitude - centre.latitude) < 0.3 and abs(c.longitude - centre.longitude) < 0.4
        ]
        home_links += [home(advisor_id=advisor.pk, commune_id=c.pk) for c in near[:10]]
    home.objects.bulk_create(home_links, batch_size=2000)
    permanences = []
    for n in range(PERMANENCES):
        advisor = advisors[n % ADVISORS]
        start = rng.choice([clock(9), clock(14)])
        permanences.append(
            Permanence(
                advisor=advisor,
                place=rng.choice(advisor_places[advisor.pk]),
                weekday=rng.randint(0, 5),
                start=start,
                end=clock(start.hour + 3),
            )
        )
    Permanence.objects.bulk_create(permanences, batch_size=2000)
    today = date.today()
    Absence.objects.bulk_create(
        Absence(
            advisor=advisor,
            start=today + timedelta(days=rng.randint(-10, 20)),
            end=today + timedelta(days=rng.randint(21, 40)),
        )
        for advisor in rng.sample(advisors, 300)
    )
    social_worker = User.objects.create(
        username="bench-social", role=Role.SOCIAL_WORKER, structure=social, password=password
    )
    persons = Person.objects.bulk_create(
        (
            Person(
                first_name="Personne",
                last_name=f"{n}",
                birth_year=1960,
                commune=rng.choice(communes),
                structure=social,
                created_by=social_worker,
            )
            for n in range(5000)
        ),
        batch_size=1000,
    )
    states = [ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS]
    Referral.objects.bulk_create(
        (
            Referral(
                code=f"B{n:07d}",
                person=rng.choice(persons),
                referring_structure=social,
                referrer=social_worker,
                advisor=rng.choice(advisors),
                needs=[rng.choice(services)],
                state=rng.choice(states + [ReferralState.COMPLETED]),
            )
            for n in range(30_000)
        ),
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def random_profile(rng):
    from assessments.profile import Constraints, NeedPriority, NeedsProfile, SupportMode
    from directory.enums import Service, SpecificNeed

    categories = rng.sample([s.value for s in Service], rng.choice([1, 1, 2, 2, 3]))
    return NeedsProfile(
        needs=tuple(NeedPriority(c, 1 if i == 0 else rng.randint(1, 3)) for i, c in
                    enumerate(categories)),
        support_mode=rng.choice([SupportMode.DO_WITH, SupportMode.DO_WITH, SupportMode.TEACH,
                                 SupportMode.DO_FOR]),
        urgent=rng.random() < 0.2,
        constraints=Constraints(
            max_travel_km=rng.choice([None, None, 5, 10, 20, 30, 50]),
            home_visit=rng.random() < 0.1,
            remote_phone=rng.random() < 0.3,
            remote_video=rng.random() < 0.15,
            languages=("fr", "en") if rng.random() < 0.05 else ("fr",),
            specific_needs=(SpecificNeed.MOTOR.value,) if rng.random() < 0.08 else (),
        ),
    )  # fmt: skip


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def measure(rng, persons_count):
    from django.test import Client

    from matching.engine import advisors_rank
    from territory.models import Commune

    communes = list(Commune.objects.filter(insee__startswith="Z"))
    cases = [(rng.choice(communes), random_profile(rng)) for _ in range(persons_count)]
    for commune, profile in cases[:20]:  # warm-up: connections, caches, translations
        advisors_rank(profile=profile, commune=commune)
    timings, cpu, suggested, left_out, unmet = [], [], [], [], 0
    for commune, profile in cases:
        started, cpu_started = time.perf_counter(), time.process_time()
        ranking = advisors_rank(profile=profile, commune=commune)
        sentences = [s.explanation for s in ranking.suggestions]
        reasons = [w.explanation for w in ranking.why_not]
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        suggested.append(len(sentences))
        left_out.append(len(reasons))
        unmet += bool(ranking.unmet_needs)

    client = Client()
    for _ in range(20):
        client.get("/api/v1/")
    bare = []
    for _ in range(persons_count):
        started = time.perf_counter()
        response = client.get("/api/v1/")
        bare.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings, cpu, bare, suggested, left_out, unmet


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if not args.reuse:
        common.database_create(DATABASE, {**os.environ}, territory=False)

    import django

    django.setup()
    from directory.models import Advisor, Permanence, Place

    generated = 0.0
    if not Advisor.objects.exists():
        generated = generate(rng)
    load_before = os.getloadavg()[0]
    timings, cpu, bare, suggested, left_out, unmet = measure(rng, args.persons)
    load_after = os.getloadavg()[0]

    p50, p95, p99 = (percentile(timings, s) for s in (0.5, 0.95, 0.99))
    bare50, bare95 = percentile(bare, 0.5), percentile(bare, 0.95)
    lines = [
        "Matching at national scale (bench/ranking.py), PostgreSQL database " + DATABASE,
        f"directory: {Advisor.objects.count()} advisors, {Place.objects.count()} places, "
        f"{Permanence.objects.count()} permanences"
        + (f" (generated in {generated:.0f} s)" if generated else ""),
        f"persons: {len(timings)} random (commune anywhere in France, random needs profile)",
        f"suggestions per person: median {statistics.median(suggested):.0f}, "
        f"max {max(suggested)}; why-not entries: median {statistics.median(left_out):.0f}; "
        f"persons with an unmet need: {unmet}",
        f"full ranking with explanations: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(timings):.1f} ms",
        f"  of which CPU time of this process (Python, ORM, driver): "
        f"p50 {percentile(cpu, 0.5):.1f} ms, p95 {percentile(cpu, 0.95):.1f} ms",
        f"bare GET /api/v1/ (Django test client): p50 {bare50:.2f} ms, p95 {bare95:.2f} ms",
        f"ratio ranking / bare request: p50 {p50 / bare50:.1f}x, p95 {p95 / bare95:.1f}x",
        f"target p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'}",
        f"machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before and "
        f"{load_after:.1f} after the timings (other processes share the CPUs)",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "matching.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
