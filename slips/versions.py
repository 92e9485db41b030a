"""A slip's version, read in one query: the cache key of its PDF and of its print page.

The version is a digest of every stored value the slip prints, read as it is in the database
(never a "last updated" column: a queryset's `update()` or a directory import leaves those
unchanged), of the day and the permanences already over today, of the variant, and of the
code and templates that turn them into a slip. Whatever changes on the slip changes the
version, so a cached slip is never stale; the slip's full context is built only on a miss.

What the slip prints, and where the query reads it (each a branch of one UNION ALL):
- the referral: code, state, date sent, needs, appointment and its place, the assessment,
  the advisor, the referrer and the referring structure it points to;
- the advisor's name and structure (name, phone); the referrer's name and e-mail and the
  referring structure (name, phone);
- the assessment's profile (summary, needs and constraints on the advisor's page);
- the person's consents not withdrawn (the latest is printed): what was consented, how,
  when and by whom;
- the advisor's permanences (day, hours, place), absences and places;
- (not printed) whether the person's data was erased, which the slip's views need;
- every place printed (the appointment's, the permanences', the advisor's): name, address,
  phone and commune.
"""

import hashlib
import json
import sys
from datetime import time
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# The code and templates a slip is made by, and the libraries that shape what it prints (dates
# and month names, public holidays, the QR code, the PDF): a deployment that changes any of them
# makes new versions (the cache is shared and outlives the processes). Every module of the
# project that the slip's code imports is here (tests/slips/test_versions.py checks it).
SOURCES = (
    "slips/*.py",
    "slips/templatetags/*.py",
    "templates/slips/*",
    "assessments/models.py",
    "assessments/profile.py",  # the support modes the advisor's page names
    "assessments/wording.py",  # the constraints, languages, half-days said in words
    "directory/enums.py",  # the needs' labels
    "pasip/errors.py",  # the time limit's error
    "pasip/workdays.py",  # the weekdays' names
    "people/models.py",  # how a consent was given
    "referrals/models.py",  # the states' labels
)
LIBRARIES = ("django", "holidays", "qrcode", "pillow", "weasyprint", "pydyf")
WIDTH = 11  # values per row, after the branch's name


@cache
def code_digest():
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(Path(settings.BASE_DIR).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()


def _select(values, source):
    # Only identifiers are interpolated (the models' tables and columns, quoted by the database
    # backend); the one value, the referral's id, is a bound parameter.
    return f"SELECT {values} FROM {source}"  # noqa: S608


def _row(name, values, source):
    values = [f"CAST({value} AS TEXT)" for value in values]
    values += ["NULL"] * (WIDTH - len(values))
    return _select(f"'{name}', {', '.join(values)}", source)


@cache
def version_query(vendor):
    """The query's text, made once per process from the models' tables and columns: no ORM
    compilation on each request. Its one parameter is the referral's id.

    Planning it is most of its cost, and grows with the tables it names: the referral is read
    once (a common table expression the other branches join), every place once."""
    from accounts.models import User
    from assessments.models import Assessment
    from directory.models import Absence, Advisor, Permanence, Place, Structure
    from people.models import Consent, Person
    from referrals.models import Referral
    from territory.models import Commune

    quote = connection.ops.quote_name

    def table(model, alias):
        return f"{quote(model._meta.db_table)} {alias}"

    def col(alias, model, field):
        return f"{alias}.{quote(model._meta.get_field(field).column)}"

    def join(model, alias, on):
        return f"JOIN {table(model, alias)} ON {col(alias, model, 'id')} = {on}"

    def on_referral(alias, model, field, referral_field):
        return f"JOIN r ON {col(alias, model, field)} = {col('r', Referral, referral_field)}"

    advisor_places = Advisor.places.through
    permanence_places = _select(
        col("e", Permanence, "place"),
        f"{table(Permanence, 'e')} {on_referral('e', Permanence, 'advisor', 'advisor')}",
    )
    advisors_places = _select(
        col("h", advisor_places, "place"),
        f"{table(advisor_places, 'h')} {on_referral('h', advisor_places, 'advisor', 'advisor')}",
    )
    appointment_place = _select(col("r", Referral, "appointment_place"), "r")
    branches = [
        _row(
            "referral",
            [
                col("r", Referral, field)
                for field in (
                    "code",
                    "state",
                    "sent_at",
                    "needs",
                    "appointment_at",
                    "appointment_place",
                    "assessment",
                    "advisor",
                    "referrer",
                    "referring_structure",
                    "person",
                )
            ],
            "r",
        ),
        _row(
            "advisor",
            [
                col("u", User, "first_name"),
                col("u", User, "last_name"),
                col("s", Structure, "name"),
                col("s", Structure, "phone"),
            ],
            f"{table(Advisor, 'a')} {on_referral('a', Advisor, 'id', 'advisor')} "
            f"{join(User, 'u', col('a', Advisor, 'user'))} "
            f"{join(Structure, 's', col('a', Advisor, 'structure'))}",
        ),
        _row(
            "referrer",
            [
                col("u", User, "first_name"),
                col("u", User, "last_name"),
                col("u", User, "email"),
                col("s", Structure, "name"),
                col("s", Structure, "phone"),
            ],
            f"{table(User, 'u')} {on_referral('u', User, 'id', 'referrer')} "
            f"{join(Structure, 's', col('r', Referral, 'referring_structure'))}",
        ),
        # Not printed: whether the person's data was erased, for the access log (a page
        # showing an erased person's slip logs nothing).
        _row(
            "person",
            [col("o", Person, "erased_at")],
            f"{table(Person, 'o')} {on_referral('o', Person, 'id', 'person')}",
        ),
        _row(
            "assessment",
            [col("x", Assessment, "profile")],
            f"{table(Assessment, 'x')} {on_referral('x', Assessment, 'id', 'assessment')}",
        ),
        _row(
            "consent",
            [
                col("c", Consent, "id"),
                col("c", Consent, "share_identity"),
                col("c", Consent, "share_assessment"),
                col("c", Consent, "method"),
                col("c", Consent, "recorded_at"),
                col("u", User, "first_name"),
                col("u", User, "last_name"),
            ],
            f"{table(Consent, 'c')} {on_referral('c', Consent, 'person', 'person')} "
            f"{join(User, 'u', col('c', Consent, 'recorded_by'))} "
            f"WHERE {col('c', Consent, 'revoked_at')} IS NULL",
        ),
        _row(
            "permanence",
            [col("e", Permanence, field) for field in ("id", "weekday", "start", "end", "place")],
            f"{table(Permanence, 'e')} {on_referral('e', Permanence, 'advisor', 'advisor')}",
        ),
        _row(
            "absence",
            [col("b", Absence, field) for field in ("id", "start", "end")],
            f"{table(Absence, 'b')} {on_referral('b', Absence, 'advisor', 'advisor')}",
        ),
        _row(
            "advisor_place",
            [col("h", advisor_places, "place")],
            f"{table(advisor_places, 'h')} "
            + on_referral("h", advisor_places, "advisor", "advisor"),
        ),
        # Every place printed (the appointment's, the permanences', the advisor's), once.
        _row(
            "place",
            [
                col("p", Place, "id"),
                col("p", Place, "name"),
                col("p", Place, "address"),
                col("p", Place, "address_complement"),
                col("p", Place, "postal_code"),
                col("p", Place, "phone"),
                col("m", Commune, "name"),
                col("m", Commune, "postal_codes"),
            ],
            f"{table(Place, 'p')} {join(Commune, 'm', col('p', Place, 'commune'))} "
            f"WHERE {col('p', Place, 'id')} IN "
            f"({appointment_place} UNION {permanence_places} UNION {advisors_places})",
        ),
    ]
    referral = (
        f"WITH r AS ({_select('*', table(Referral, 'q'))} WHERE {col('q', Referral, 'id')} = %s)\n"
    )
    return referral + "\nUNION ALL\n".join(branches)


@cache
def _preparing_cursor_class():
    """On PostgreSQL (psycopg 3), a cursor whose queries are prepared once per connection:
    parsing and planning the version query takes ten times as long as running it (3 ms and
    0.3 ms on the 2-core development machine), and a persistent connection then only runs it.
    Django's own cursors bind parameters client-side and never prepare. (SQLite's driver keeps
    its statements prepared already.) Not for PgBouncer in transaction mode before 1.21.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _cursor():
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparation off (it binds the ORM's queries client-side, which
        # cannot be prepared), and psycopg then refuses even an explicit `prepare=True`: a
        # threshold never reached lets this cursor prepare and nothing else.
        connection.connection.prepare_threshold = sys.maxsize
    with connection.wrap_database_errors:
        # Wrapped as Django wraps its own (query logging, counting in tests).
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


def printed_rows(referral_id):
    """Every stored value the slip prints, as sorted rows of text; None if no such referral."""
    with _cursor() as cursor:
        cursor.execute(version_query(connection.vendor), [referral_id])
        rows = cursor.fetchall()
    if not any(row[0] == "referral" for row in rows):
        return None
    return sorted(rows, key=lambda row: tuple("" if value is None else value for value in row))


def _time(value):
    return time.fromisoformat(value) if isinstance(value, str) else value


def person_erased_at(rows):
    """When the referral's person's data was erased (None if it was not), from `printed_rows`."""
    value = next(row[1] for row in rows if row[0] == "person")
    return parse_datetime(value) if isinstance(value, str) else value


def slip_version(referral_id, variant, now=None, *, rows=None):
    """The version of a referral's slip in `variant` at `now`, in one query (none when its
    `printed_rows` are given); None if there is no such referral. The day counts (the date
    printed, the permanences coming) and so do today's permanences already over (the slip
    shows only those still to come)."""
    rows = printed_rows(referral_id) if rows is None else rows
    if rows is None:
        return None
    local = timezone.localtime(now or timezone.now())
    over_today = sorted(
        row[1]
        for row in rows
        if row[0] == "permanence"
        and int(row[2]) == local.weekday()
        and _time(row[4]) <= local.time()
    )
    printed = [code_digest(), variant, local.date().isoformat(), over_today, rows]
    text = json.dumps(printed, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
