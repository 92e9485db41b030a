"""Speed at national scale: the pages and endpoints that matter, on 1,000,000 referrals.

    .venv/bin/python bench/national.py [--runs 50] [--reuse] [--scale 1.0]

Creates the PostgreSQL database `pasip_national` afresh (migrate, then `load_territory` of three
départements from the national files: the Lot, Aveyron, Tarn-et-Garonne), generates
the directory of `bench/ranking.py` (4,000 advisors, 10,000 places over 96 synthetic
départements) and the social side of `bench/national_data.py` (3,000 social structures,
20,000 social workers, 600,000 persons, 1,000,000 referrals over five years with their
events), rebuilds the statistics, then times each page and endpoint in-process with Django's
test client (server time: URL resolution, middleware, views, templates, queries), counting
its queries, together with a bare `/api/v1/` request as the floor. Each list is timed for the
busiest user and for a user with few referrals: the query count must be the same. An officer
and a coordinator of each of the three départements read the statistics and the board: each
answer must hold their own département's EPCIs and referrals only.
Prints the figures and writes them to bench/results/national.txt.
Targets: list pages p95 < 100 ms, suggestions p95 < 50 ms.
"""

import argparse
import math
import os
import random
import time

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
DATABASE = os.environ.get("PASIP_NATIONAL_DATABASE", "pasip_national")
os.environ["PASIP_BENCH_DATABASE_URL"] = common.database_url(DATABASE)  # for bench/ranking.py
common.use_database(DATABASE, redis_db=9)

import national_data  # noqa: E402  (the social side's generator, after the environment)
import ranking  # noqa: E402  (the directory generator, reused)

LIST_TARGET_MS, SUGGESTIONS_TARGET_MS = 100, 50
DEPARTMENTS = ("46", "12", "82")  # loaded from the national files (territory/data/cog/)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def one(sql, *params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def code_space_line(referrals):
    """How full the referral codes of one département are with all `referrals` in it."""
    from referrals.codes import CODE_ALPHABET, CODE_LENGTH

    space = len(CODE_ALPHABET) ** CODE_LENGTH
    return (
        f"referral codes: {space:,} per département ({len(CODE_ALPHABET)}^{CODE_LENGTH}); "
        f"{referrals:,} referrals in one département fill {100 * referrals / space:.2f} % of them, "
        f"so 1 new code in {space // max(referrals, 1):,} is drawn again"
    )


class Case:
    """One page or endpoint for one user: `requests` yields (method, path, data) to time."""

    def __init__(self, name, user, requests, *, group="", target=None, note=""):
        self.name, self.user, self.requests = name, user, requests
        self.group, self.target, self.note = group, target, note
        self.timings, self.queries = [], []

    def run(self, runs):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        calls = [self.requests(n) for n in range(runs + 3)]
        for n, (method, path, data) in enumerate(calls):
            connection.queries_log.clear()  # a full log (9,000 queries) would count nothing
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                if method == "post":
                    response = client.post(path, data, content_type="application/json")
                else:
                    response = client.get(path)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (self.name, path, response.status_code)
            if n >= 3:  # the first three warm connections, caches and translations
                self.timings.append(elapsed)
                self.queries.append(len(captured))
        return self

    def line(self):
        p50, p95 = percentile(self.timings, 0.5), percentile(self.timings, 0.95)
        low, high = min(self.queries), max(self.queries)
        queries = f"{low}" if low == high else f"{low}-{high}"
        verdict = ""
        if self.target:
            verdict = "  met" if p95 < self.target else f"  NOT met (< {self.target} ms)"
        return (
            f"{self.name:<52} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  queries {queries:>5}"
            f"{verdict}{self.note}"
        )


def department_users():
    """{département: (officer, coordinator)}, each of a structure in the département."""
    from accounts.models import Role, User
    from directory.enums import StructureKind
    from directory.models import Structure
    from territory.models import Commune, Department

    users = {}
    for department in Department.objects.filter(code__in=DEPARTMENTS).order_by("code"):
        commune = Commune.objects.filter(department=department).order_by("-population").first()
        structure, _ = Structure.objects.get_or_create(
            name=f"Bench {department.code}",
            defaults={"commune": commune, "kind": StructureKind.SOCIAL, "typology": "MDS"},
        )
        users[department] = tuple(
            User.objects.get_or_create(
                username=f"bench-{role}-{department.code}",
                defaults={"role": role, "structure": structure},
            )[0]
            for role in (Role.OFFICER, Role.COORDINATOR)
        )
    return users


def department_cases(get):
    for department, (officer, coordinator) in department_users().items():
        yield Case(f"statistics API territoire (officer, {department.name})", officer,
                   get("/api/v1/stats/territoire/"), group="départements")  # fmt: skip
        yield Case(f"board API (coordinator, {department.name})", coordinator,
                   get("/api/v1/coordination/board/"), group="départements")  # fmt: skip


def scoping_lines():
    """Whether each officer and coordinator sees their own département's data only."""
    from django.test import Client

    from referrals.models import Referral
    from territory.models import Epci

    lines = []
    for department, (officer, coordinator) in department_users().items():
        client = Client()
        client.force_login(officer)
        table = client.get("/api/v1/stats/territoire/").json()
        labels = {row["label"] for row in table["rows"] if not row["total"] and not row["group"]}
        own = set(Epci.objects.of_department(department).values_list("name", flat=True))
        client.force_login(coordinator)
        board = client.get("/api/v1/coordination/board/").json()
        ids = [row["id"] for row in board["results"]]
        foreign = (
            Referral.objects.filter(pk__in=ids)
            .exclude(person__commune__department=department)
            .count()
        )
        verdict = "only theirs" if labels <= own and not foreign else "NOT only theirs"
        lines.append(
            f"{department.name} ({department.code}): officer sees {len(labels)} EPCIs "
            f"({len(labels - own)} holding none of its communes), coordinator's board "
            f"{len(ids)} referrals on its first page ({foreign} of another département): " + verdict
        )
    return lines


def cases(rng):
    """The pages and endpoints, for the users who own the most and the fewest referrals."""
    from accounts.models import Role, User
    from directory.enums import Service
    from referrals.models import Referral
    from territory.models import Commune

    busy_structure, busy_count = one(
        "SELECT referring_structure_id, count(*) FROM referrals_referral "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    )
    small_structure, small_count = one(
        "SELECT referring_structure_id, count(*) FROM referrals_referral "
        "GROUP BY 1 HAVING count(*) >= 5 ORDER BY 2 LIMIT 1"
    )
    busy_advisor, busy_advisor_count = one(
        "SELECT advisor_id, count(*) FROM referrals_referral GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    )
    # Some of whose persons share their identity, so that the access log is written as for
    # the busy advisor (a list with no identity shown writes none, two queries fewer).
    small_advisor, small_advisor_count = one(
        "SELECT r.advisor_id, count(DISTINCT r.id) FROM referrals_referral r "
        "LEFT JOIN people_consent c ON c.person_id = r.person_id AND c.share_identity "
        "AND c.revoked_at IS NULL GROUP BY 1 "
        "HAVING count(DISTINCT r.id) >= 5 AND bool_or(c.id IS NOT NULL) ORDER BY 2 LIMIT 1"
    )
    worker = User.objects.filter(role=Role.SOCIAL_WORKER, structure_id=busy_structure).first()
    small_worker = User.objects.filter(
        role=Role.SOCIAL_WORKER, structure_id=small_structure
    ).first()
    advisor = User.objects.get(advisor_profile__id=busy_advisor)
    small_advisor_user = User.objects.get(advisor_profile__id=small_advisor)
    officer, _ = User.objects.get_or_create(username="bench-officer", role=Role.OFFICER)

    # A closed referral of the busy structure, sent to the busy advisor if there is one.
    referral = (
        Referral.objects.filter(referring_structure_id=busy_structure, state="completed")
        .order_by("-sent_at")
        .first()
    )
    inbox_referral = Referral.objects.filter(advisor_id=busy_advisor).order_by("-sent_at").first()
    slip_referrals = list(
        Referral.objects.filter(referring_structure_id=busy_structure, state="sent")
        .order_by("-sent_at")
        .values_list("pk", flat=True)[:200]
    )
    communes = list(Commune.objects.values_list("insee", flat=True))
    services = [s.value for s in Service]

    def get(path):
        return lambda n: ("get", path, None)

    def suggestion(n):
        needs = rng.sample(services, rng.choice((1, 1, 2, 2, 3)))
        return "post", "/api/v1/suggestions/", {"commune": rng.choice(communes), "needs": needs}

    sizes = {
        "busy": f"structure of {busy_count} referrals",
        "small": f"structure of {small_count} referrals",
        "busy advisor": f"advisor of {busy_advisor_count} referrals",
        "small advisor": f"advisor of {small_advisor_count} referrals",
    }
    lists = LIST_TARGET_MS
    return sizes, [*department_cases(get)] + [
        Case("bare GET /api/v1/ (anonymous)", None, get("/api/v1/"), group="floor"),
        Case("bare GET /api/v1/ (social worker)", worker, get("/api/v1/"), group="floor"),
        Case("social worker: /orientations/ (busy)", worker, get("/orientations/"),
             group="lists", target=lists),
        Case("social worker: /orientations/ (small)", small_worker, get("/orientations/"),
             group="lists", target=lists),
        Case("social worker: /api/v1/referrals/ (busy)", worker, get("/api/v1/referrals/"),
             group="lists", target=lists),
        Case("social worker: /api/v1/referrals/ (small)", small_worker,
             get("/api/v1/referrals/"), group="lists", target=lists),
        Case("advisor inbox: /orientations/ (busy)", advisor, get("/orientations/"),
             group="lists", target=lists),
        Case("advisor inbox: /orientations/ (small)", small_advisor_user,
             get("/orientations/"), group="lists", target=lists),
        Case("advisor inbox: /api/v1/referrals/ (busy)", advisor, get("/api/v1/referrals/"),
             group="lists", target=lists),
        Case("advisor inbox: /api/v1/referrals/ (small)", small_advisor_user,
             get("/api/v1/referrals/"), group="lists", target=lists),
        Case("advisor inbox: /orientations/?etat=sent (busy)", advisor,
             get("/orientations/?etat=sent"), group="lists", target=lists),
        Case("referral page /orientations/<id>/ (social worker)", worker,
             get(f"/orientations/{referral.pk}/"), group="referral"),
        Case("referral page /orientations/<id>/ (advisor)", advisor,
             get(f"/orientations/{inbox_referral.pk}/"), group="referral"),
        Case("referral API /api/v1/referrals/<id>/", worker,
             get(f"/api/v1/referrals/{referral.pk}/"), group="referral"),
        Case("suggestions POST /api/v1/suggestions/", worker, suggestion,
             group="suggestions", target=SUGGESTIONS_TARGET_MS,
             note="  (random commune of France and needs)"),
        Case("slip /orientations/<id>/fiche.pdf (first rendering)", worker,
             lambda n: ("get", f"/orientations/{slip_referrals[n]}/fiche.pdf", None),
             group="slip"),
        Case("slip /orientations/<id>/fiche.pdf (unchanged, again)", worker,
             get(f"/orientations/{slip_referrals[-1]}/fiche.pdf"), group="slip"),
        Case("statistics page /statistiques/ (officer, the Lot)", officer,
             get("/statistiques/"), group="stats"),
        Case("statistics API /api/v1/stats/mois/", officer, get("/api/v1/stats/mois/"),
             group="stats"),
        Case("statistics API /api/v1/stats/territoire/", officer,
             get("/api/v1/stats/territoire/"), group="stats"),
    ]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per case")
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--scale", type=float, default=1.0, help="of the social side's counts")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    if not args.reuse:
        print(f"creating {DATABASE} (migrate, load_territory)", flush=True)
        common.database_create(DATABASE, {**os.environ}, territory=DEPARTMENTS)

    import django

    django.setup()
    from django.core.management import call_command

    from pasip.warmup import warm_up

    if args.reuse:
        call_command("migrate", verbosity=0)  # the indexes of the code being measured
    warm_up()  # what pasip/wsgi.py does in each web process before its first request
    from directory.models import Advisor, Place
    from people.models import Person
    from referrals.models import Referral, ReferralEvent
    from stats.models import Refresh
    from stats.services import stats_refresh

    generation = ""
    if not Advisor.objects.exists():
        directory_seconds = ranking.generate(rng)
        print(f"directory generated in {directory_seconds:.0f} s", flush=True)
        social = national_data.generate_social(rng, args.scale)
        generation = (
            f"generated in {time.monotonic() - started:.0f} s (directory "
            f"{directory_seconds:.0f} s, social side {social['seconds']:.0f} s)"
        )
    refresh_line = ""
    if not Refresh.objects.exists():
        refresh = stats_refresh()
        refresh_line = (
            f"statistics rebuilt from {refresh.referrals} referrals in {refresh.seconds:.0f} s "
            "(the nightly task)"
        )
        print(refresh_line, flush=True)

    sizes, measured = cases(rng)
    for case in measured:
        runs = min(args.runs, 20) if case.group == "slip" else args.runs
        case.run(runs)
        print(case.line(), flush=True)

    from accounts.models import Role, User

    lines = [
        f"Speed at national scale (bench/national.py), PostgreSQL database {DATABASE}",
        f"data: {Advisor.objects.count()} advisors, {Place.objects.count()} places, "
        f"{User.objects.filter(role=Role.SOCIAL_WORKER).count()} social workers, "
        f"{Person.objects.count()} persons, {Referral.objects.count()} referrals, "
        f"{ReferralEvent.objects.count()} referral events"
        + (f"; {generation}" if generation else ""),
    ]
    if refresh_line:
        lines.append(refresh_line)
    lines += [
        f"users: busy = {sizes['busy']} / {sizes['busy advisor']}; "
        f"small = {sizes['small']} / {sizes['small advisor']}",
        f"server time in-process (Django test client), {args.runs} requests per case "
        "(20 for the slip) after 3 warm-up requests; queries per request",
        "",
    ]
    group = None
    for case in measured:
        if group is not None and case.group != group:
            lines.append("")
        group = case.group
        lines.append(case.line())
    by_name = {case.name: case for case in measured}
    lines += ["", code_space_line(Referral.objects.count()), "", *scoping_lines()]
    lines.append("")
    for page in ("social worker: /orientations/", "social worker: /api/v1/referrals/",
                 "advisor inbox: /orientations/", "advisor inbox: /api/v1/referrals/"):  # fmt: skip
        busy, small = by_name[f"{page} (busy)"], by_name[f"{page} (small)"]
        same = set(busy.queries) == set(small.queries)
        lines.append(
            f"query count of {page}: busy {max(busy.queries)}, small {max(small.queries)}: "
            + ("independent of the data" if same else "GROWS with the data")
        )
    text = "\n".join(lines) + "\n"
    print("\n" + text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "national.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
