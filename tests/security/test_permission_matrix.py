"""The permission matrix: every page and API endpoint × every role and anonymous × own object
and another structure's object, each cell with its expected answer.

The rows below are the product's rules, written independently of the views' decorators. The
URL configuration and the OpenAPI schema are walked: an endpoint without a row fails the test.

Expected answers, per row:
- anonymous: a page sends to the login page; the API answers 401 or 403 (unless `public`);
- a role not in `roles`: 403;
- a role in `roles`, on its own object (or with no object): anything but 401, 403, 404, 5xx;
- a role in `roles` scoped by `kind`, on another structure's object: 404 — a guessed id never
  tells that the object exists.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.models import Role
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

SW, ADV, COORD, OFF, ADMIN = (
    Role.SOCIAL_WORKER,
    Role.ADVISOR,
    Role.COORDINATOR,
    Role.OFFICER,
    Role.ADMINISTRATOR,
)
ALL = (SW, ADV, COORD, OFF, ADMIN)
MANAGERS = (COORD, ADMIN)
STATS = (OFF, COORD, ADMIN)


@dataclass(frozen=True)
class Row:
    method: str
    roles: tuple = ()
    kind: str | None = None  # the object the URL names, scoped per role
    public: bool = False


G, P = "GET", "POST"
ROWS = {
    # Authentication
    "home": Row(G, ALL),
    "healthz": Row(G, ALL, public=True),
    "readyz": Row(G, ALL, public=True),
    "login": Row(G, ALL, public=True),
    "logout": Row(P, ALL, public=True),
    # 404 until OpenID Connect is configured (tests/accounts/test_proconnect.py)
    "oidc_authentication_init": Row(G, public=True),
    "oidc_authentication_callback": Row(G, public=True),
    "second_factor": Row(G, ALL),
    "second_factor_setup": Row(G, ALL),
    "api-root": Row(G, ALL, public=True),
    "api-token": Row(P, ALL, public=True),
    "api-token-revoke": Row(P, ALL),
    "api-schema": Row(G, ALL),
    "api-docs": Row(G, ALL),
    # The footer's pages: legal notice, privacy policy, accessibility statement, help
    "legal_notice": Row(G, ALL, public=True),
    "privacy": Row(G, ALL, public=True),
    "accessibility": Row(G, ALL, public=True),
    "help": Row(G, ALL, public=True),
    # People and consent
    "person_list": Row(G, (SW,)),
    "person_create": Row(G, (SW,)),
    "person_detail": Row(G, (SW,), "person"),
    "consent_revoke": Row(P, (SW,), "person"),
    "consent_record": Row(P, (SW,), "person"),
    "person_export": Row(G, (SW,), "person"),
    "person_access_document": Row(G, (SW,), "person"),
    "person_erase": Row(P, (SW,), "person"),
    "person_access_log": Row(G, (COORD,)),
    "person-list": Row(G, (SW,)),
    "person-detail": Row(G, (SW,), "person"),
    "person-erase": Row(P, (SW,), "person"),
    "person-export": Row(G, (SW,), "person"),
    "person-revoke-consent": Row(P, (SW,), "person"),
    "person-search": Row(P, (SW,)),
    "access-log": Row(G, (COORD,)),
    # Assessment
    "assessment_create": Row(P, (SW,), "person"),
    "assessment_resume": Row(G, (SW,), "assessment"),
    "assessment_step": Row(G, (SW,), "assessment"),
    "assessment_summary": Row(G, (SW,), "assessment"),
    "assessment_correct": Row(P, (SW,), "assessment"),
    "assessment-correct": Row(P, (SW,), "assessment"),
    "questionnaire-current": Row(G, (SW,)),
    "assessment-list": Row(G, (SW,)),
    "assessment-detail": Row(G, (SW,), "assessment"),
    "assessment-profile": Row(G, (SW,), "assessment"),
    "assessment-validate": Row(P, (SW,), "assessment"),
    # Directory
    "directory_home": Row(G, MANAGERS),
    "directory_my_entry": Row(G, (ADV,)),
    "directory_search": Row(G, (SW, ADV, *MANAGERS)),
    "directory_advisor": Row(G, (ADV, *MANAGERS), "advisor"),
    "directory_permanence_add": Row(P, (ADV, *MANAGERS), "advisor"),
    "directory_permanence_remove": Row(P, (ADV, *MANAGERS), "permanence"),
    "directory_absence_add": Row(P, (ADV, *MANAGERS), "advisor"),
    "directory_absence_remove": Row(P, (ADV, *MANAGERS), "absence"),
    "directory_places": Row(G, (ADV, *MANAGERS)),
    "directory_place_new": Row(G, (ADV, *MANAGERS)),
    "directory_place": Row(G, (ADV, *MANAGERS), "place"),
    "directory_imports": Row(G, MANAGERS),
    "directory_import": Row(G, MANAGERS, "import"),
    "directory_import_apply": Row(P, MANAGERS, "import"),
    "directory_import_recheck": Row(P, MANAGERS, "import"),
    "directory_export_csv": Row(G, MANAGERS),
    "directory_export_json": Row(G, MANAGERS),
    "advisor-list": Row(G, (SW, ADV, *MANAGERS)),
    "advisor-detail": Row(G, (SW, ADV, *MANAGERS), "advisor_public"),
    "matching": Row(P, (SW, COORD)),
    "suggestions": Row(P, (SW,)),
    "commune-list": Row(G, ALL),
    "commune-detail": Row(G, ALL, "commune"),
    # Referrals
    "referral_new": Row(G, (SW,), "person"),
    "referral_list": Row(G, (SW, ADV)),
    "referral_detail": Row(G, (SW, ADV, COORD), "referral"),
    "referral_accept": Row(P, (ADV,), "referral"),
    "referral_decline": Row(P, (ADV,), "referral"),
    "referral_start": Row(P, (ADV,), "referral"),
    "referral_complete": Row(P, (ADV,), "referral"),
    "referral_fail": Row(P, (ADV,), "referral"),
    "referral_cancel": Row(P, (SW, COORD), "referral"),
    "referral_message": Row(P, (SW, ADV), "referral"),
    "referral_appointment": Row(P, (ADV,), "referral"),
    "referral_appointment_remove": Row(P, (ADV,), "referral"),
    "referral_reroute": Row(P, (SW, COORD), "board_referral"),
    "coordinator_board": Row(G, (COORD,)),
    "referral-list": Row(G, (SW, ADV, COORD)),
    "referral-detail": Row(G, (SW, ADV, COORD), "referral"),
    "referral-accept": Row(P, (ADV,), "referral"),
    "referral-decline": Row(P, (ADV,), "referral"),
    "referral-start": Row(P, (ADV,), "referral"),
    "referral-complete": Row(P, (ADV,), "referral"),
    "referral-fail": Row(P, (ADV,), "referral"),
    "referral-cancel": Row(P, (SW, COORD), "referral"),
    "referral-messages": Row(P, (SW, ADV), "referral"),
    "referral-appointment": Row(P, (ADV,), "referral"),
    "referral-reroute": Row(P, (SW, COORD), "board_referral"),
    "referral-timeline": Row(G, (SW, ADV, COORD), "referral"),
    "coordinator-board": Row(G, (COORD,)),
    # Slips
    "referral_slip": Row(G, (SW, ADV), "referral"),
    "referral_slip_preview": Row(G, (SW, ADV), "referral"),
    "referral-slip": Row(G, (SW, ADV), "referral"),
    # Notifications
    "notification_list": Row(G, ALL),
    "notification_read_all": Row(P, ALL),
    "notification_read": Row(P, ALL, "notification"),
    "notification_preferences": Row(G, ALL),
    "notification-list": Row(G, ALL),
    "notification-read-all": Row(P, ALL),
    "notification-unread-count": Row(G, ALL),
    "notification-read": Row(P, ALL, "notification"),
    "notification-preferences": Row(G, ALL),
    # Statistics
    "stats_home": Row(G, STATS),
    "stats_indicator": Row(G, STATS, "indicator"),
    "stats_csv": Row(G, STATS, "indicator"),
    "stats-index": Row(G, STATS),
    "stats-table": Row(G, STATS, "indicator"),
}


def url_names():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) != "admin/":
                    yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name, prefix + str(pattern.pattern)

    return dict(walk(get_resolver().url_patterns))


def test_every_url_and_every_api_operation_has_a_row():
    names = url_names()
    assert sorted(set(names) - set(ROWS)) == [], "endpoints without a row in the matrix"
    assert sorted(set(ROWS) - set(names)) == [], "rows for endpoints that no longer exist"
    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    for path in document["paths"]:
        name = resolve(re.sub(r"\{(\w+)\}", "1", path)).url_name
        assert name in ROWS, path


@pytest.fixture
def world(db):
    """Two of everything: the acting users' own objects and another structure's."""
    from assessments.services import assessment_start, assessment_validate
    from directory.models import Place
    from notifications.models import Notification
    from tests.assessments.answers import JOSETTE

    own = ReferralFactory(escalated_at=timezone.now())
    other = ReferralFactory()
    users = {
        SW: own.referrer,
        ADV: own.advisor.user,
        COORD: UserFactory(coordinator=True),
        OFF: UserFactory(officer=True),
        ADMIN: UserFactory(role=ADMIN, is_staff=True),
    }
    objects = {"own": {}, "other": {}}
    for side, referral in (("own", own), ("other", other)):
        person = referral.person
        assessment = assessment_start(user=referral.referrer, person=person, answers=JOSETTE)
        assessment_validate(user=referral.referrer, assessment=assessment)
        advisor = referral.advisor
        objects[side] = {
            "referral": referral,
            "board_referral": referral,
            "person": person,
            "assessment": assessment,
            "advisor": advisor,
            "advisor_public": advisor,
            "place": Place.objects.filter(structure=advisor.structure).first(),
            "permanence": advisor.permanences.create(
                place=advisor.places.first(), weekday=1, start="09:00", end="12:00"
            ),
            "absence": _absence(advisor),
        }
    for role, user in users.items():
        for side, recipient in (("own", user), ("other", other.referrer)):
            objects[side].setdefault("notification", {})[role] = Notification.objects.create(
                recipient=recipient,
                referral=own,
                kind="referral_sent",
                subject="Nouvelle orientation",
                body="…",
            )
    objects["own"]["import"] = _import(users[COORD])
    PersonFactory()
    AdvisorFactory()
    return users, objects


def _absence(advisor):
    from datetime import date

    return advisor.absences.create(start=date(2030, 1, 1), end=date(2030, 1, 5))


def _import(user):
    from directory.models import DirectoryImport

    return DirectoryImport.objects.create(uploaded_by=user, filename="lieux.csv", content=b"id\n")


def kwargs_for(name, pattern, target, role):
    kwargs = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern):
        key = key[0] or key[1]
        if key == "slug":
            from stats.selectors import INDICATORS

            kwargs[key] = list(INDICATORS)[1]  # the first one is the home page's
        elif key == "insee":
            kwargs[key] = "46042"
        elif key == "step":
            kwargs[key] = 1
        else:
            owner = role if role in ALL else SW  # anonymous tries a social worker's object
            kwargs[key] = target[owner].pk if isinstance(target, dict) else target.pk
    return kwargs


def cells(world):
    users, objects = world
    names = url_names()
    for name, row in sorted(ROWS.items()):
        if name not in names:
            continue
        yield name, "anonymous", None, row
        for role in ALL:
            yield name, role, "own", row
            if role in row.roles and _scoped(row.kind, role):
                yield name, role, "other", row


def expected(row, role, side, path):
    if row.public and not row.roles:  # the same answer whoever asks
        return "not 5xx"
    if role == "anonymous":
        if row.public:
            return "not 5xx"
        return "401/403" if path.startswith("/api/") else "login"
    if role not in row.roles:
        return "403"
    if side == "other" and _scoped(row.kind, role):
        return "404"
    return "allowed"


# Which roles see only their own objects of a kind; the others see every one of them.
SCOPED = {
    "referral": {SW, ADV, COORD},
    # A referral as the coordinator's board shows it: any of the département's (re-routing).
    "board_referral": {SW},
    "person": {SW},
    "assessment": {SW},
    "advisor": {ADV},
    "permanence": {ADV},
    "absence": {ADV},
    "place": {ADV},
    "notification": set(ALL),
}


def _scoped(kind, role):
    return role in SCOPED.get(kind, set())


def answer_matches(expectation, response, path):
    status = response.status_code
    if expectation == "login":
        return status == 302 and response.url.startswith(reverse("login"))
    if expectation == "401/403":
        return status in (401, 403)
    if expectation == "not 5xx":
        return status < 500
    if expectation == "allowed":
        return status < 500 and status not in (401, 403, 404)
    return str(status) == expectation


@pytest.mark.slow
@pytest.mark.django_db
def test_every_cell_of_the_matrix(world):
    users, objects = world
    client = Client(raise_request_exception=False)
    names = url_names()
    wrong = []
    count = 0
    for name, role, side, row in cells(world):
        target = objects[side or "own"].get(row.kind) if row.kind else None
        try:
            kwargs = kwargs_for(name, names[name], target, role) if row.kind else {}
            path = reverse(name, kwargs=kwargs or None)
        except Exception as error:  # noqa: BLE001 (reported as a wrong cell)
            wrong.append(f"{name} {role} {side}: cannot build the URL ({error})")
            continue
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            response = getattr(client, row.method.lower())(path)
            transaction.set_rollback(True)
        count += 1
        expectation = expected(row, role, side, path)
        if not answer_matches(expectation, response, path):
            wrong.append(
                f"{row.method} {path} as {role} ({side or '-'}): expected {expectation},"
                f" got {response.status_code}"
            )
    assert wrong == [], f"{len(wrong)} of {count} cells wrong:\n" + "\n".join(wrong)
