"""The permission matrix: every role × every transition and endpoint × own or other object.

"Own" is the object the user is involved in (the structure's referral or person, the advisor's
inbox, an escalated referral of the coordinator's département); "other" is one of another
structure, not escalated. A role the endpoint is not for is a 403; an object the user may not
see is a 404, like a guessed id; an action the user may see but not take is a 403.

Two users stand beside the advisor and the coordinator: a colleague advisor of the advisor's
structure ("colleague" on the advisor's own referral, "colleague_shared" on one sent to the
structure's shared inbox, which any of its advisors may answer while it waits there), and a
coordinator of another département ("coordinator_other"), who sees nothing of this one.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from pasip.errors import NotAllowed
from referrals import transitions
from referrals.models import ReferralState
from tests.factories import (
    AdvisorFactory,
    PersonFactory,
    ReferralFactory,
    StructureFactory,
    UserFactory,
)
from tests.territory.factories import rodez

pytestmark = pytest.mark.django_db
S = ReferralState
KINDS = [
    "referrer",
    "sw_other",
    "advisor",
    "colleague",
    "colleague_shared",
    "advisor_other",
    "coordinator",
    "coordinator_other",
    "officer",
    "admin",
    "sw_elsewhere",
    "advisor_elsewhere",
    "officer_other",
]
# The roles of a second département (Aveyron) answer as their peers of another structure in the
# Lot: nothing of the Lot's objects is theirs.
ELSEWHERE = {"sw_elsewhere": "sw_other", "advisor_elsewhere": "advisor_other"}
ELSEWHERE["officer_other"] = "officer"


def other_department_structure():
    """A structure of another département (Aveyron), with its own EPCI and commune."""
    return StructureFactory(commune=rodez())


def other_department_advisor():
    """An advisor of a mediation structure of Aveyron, holding a permanence in Rodez."""
    structure = StructureFactory(commune=rodez(), mediation=True)
    return AdvisorFactory(user__structure=structure, place_commune=rodez().insee)


@pytest.fixture
def world():
    referrer = UserFactory()
    advisor = AdvisorFactory()
    colleague = AdvisorFactory(user__structure=advisor.structure).user
    return {
        "referrer": referrer,
        "sw_other": UserFactory(),
        "advisor": advisor,
        "colleague": colleague,
        "colleague_shared": colleague,
        "advisor_other": AdvisorFactory().user,
        "coordinator": UserFactory(coordinator=True),
        "coordinator_other": UserFactory(coordinator=True, structure=other_department_structure()),
        "officer": UserFactory(officer=True),
        "admin": UserFactory(role=Role.ADMINISTRATOR),
        "sw_elsewhere": UserFactory(structure=other_department_structure()),
        "advisor_elsewhere": other_department_advisor().user,
        "officer_other": UserFactory(officer=True, structure=other_department_structure()),
        "next_advisor": AdvisorFactory(),
    }


def referral_for(world, state, own, shared=False):
    """`shared`: sent to the shared inbox of the advisor's structure (own), or of another."""
    if own:
        person = PersonFactory(created_by=world["referrer"])
        return ReferralFactory(
            person=person,
            advisor=world["advisor"],
            state=state,
            escalated_at=timezone.now(),
            shared=shared,
        )
    return ReferralFactory(state=state, shared=shared)


def person_for(world, own):
    return PersonFactory(created_by=world["referrer"]) if own else PersonFactory()


def expected_other(own_row, gated):
    """On another structure's object: a 404 for whoever passes the role gate, else a 403."""
    return {kind: 403 if kind in gated else 404 for kind in own_row}


OFFICE = {"officer", "officer_other", "admin"}  # roles no endpoint of the lifecycle is for
ADVISORS = {"advisor", "colleague", "colleague_shared", "advisor_other", "advisor_elsewhere"}
GATED = {  # endpoints whose role gate also leaves out other roles
    "page message": OFFICE | {"coordinator", "coordinator_other"},
    "page reroute": OFFICE | ADVISORS,
}


def row(default, **cells):
    for kind, peer in ELSEWHERE.items():
        cells.setdefault(kind, cells.get(peer, default))
    return {kind: cells.get(kind, default) for kind in KINDS}


ADVISOR_ONLY_PAGE = row(
    404, referrer=403, advisor=302, coordinator=403, coordinator_other=404, officer=403, admin=403
)
ADVISOR_ONLY_API = row(404, referrer=403, advisor=200, coordinator=403, officer=403, admin=403)

# name: (page or API, method, url builder, state, payload, answers on one's own object)
REFERRAL_ENDPOINTS = {
    "page detail": (
        "page",
        "get",
        "referral_detail",
        S.SENT,
        {},
        row(404, referrer=200, advisor=200, coordinator=200, officer=403, admin=403),
    ),
    "page accept": ("page", "post", "referral_accept", S.SENT, {}, ADVISOR_ONLY_PAGE),
    "page decline": (
        "page",
        "post",
        "referral_decline",
        S.SENT,
        {"reason": "no_capacity"},
        ADVISOR_ONLY_PAGE,
    ),
    "page start": ("page", "post", "referral_start", S.ACCEPTED, {}, ADVISOR_ONLY_PAGE),
    "page complete": (
        "page",
        "post",
        "referral_complete",
        S.IN_PROGRESS,
        {"outcome": "satisfied"},
        ADVISOR_ONLY_PAGE,
    ),
    "page fail": (
        "page",
        "post",
        "referral_fail",
        S.ACCEPTED,
        {"outcome": "no_show"},
        ADVISOR_ONLY_PAGE,
    ),
    "page cancel": (
        "page",
        "post",
        "referral_cancel",
        S.SENT,
        {"reason": "mistake"},
        row(404, referrer=302, advisor=403, coordinator=302, officer=403, admin=403),
    ),
    "page message": (
        "page",
        "post",
        "referral_message",
        S.SENT,
        {"body": "Bonjour"},
        row(
            404,
            referrer=302,
            advisor=302,
            coordinator=403,
            coordinator_other=403,
            officer=403,
            admin=403,
        ),
    ),
    "page reroute": (
        "page",
        "get",
        "referral_reroute",
        S.DECLINED,
        {},
        row(
            404,
            referrer=200,
            advisor=403,
            colleague=403,
            advisor_other=403,
            coordinator=200,
            officer=403,
            admin=403,
        ),
    ),
    "api detail": (
        "api",
        "get",
        "",
        S.SENT,
        {},
        row(404, referrer=200, advisor=200, coordinator=200, officer=403, admin=403),
    ),
    "api accept": ("api", "post", "accept/", S.SENT, {}, ADVISOR_ONLY_API),
    "api decline": ("api", "post", "decline/", S.SENT, {"reason": "no_capacity"}, ADVISOR_ONLY_API),
    "api start": ("api", "post", "start/", S.ACCEPTED, {}, ADVISOR_ONLY_API),
    "api complete": (
        "api",
        "post",
        "complete/",
        S.IN_PROGRESS,
        {"outcome": "satisfied"},
        ADVISOR_ONLY_API,
    ),
    "api fail": (
        "api",
        "post",
        "fail/",
        S.IN_PROGRESS,
        {"outcome": "unreachable"},
        ADVISOR_ONLY_API,
    ),
    "api cancel": (
        "api",
        "post",
        "cancel/",
        S.ACCEPTED,
        {"reason": "mistake"},
        row(404, referrer=200, advisor=403, coordinator=200, officer=403, admin=403),
    ),
    "api message": (
        "api",
        "post",
        "messages/",
        S.SENT,
        {"body": "Bonjour"},
        row(404, referrer=201, advisor=201, coordinator=403, officer=403, admin=403),
    ),
    "api timeline": (
        "api",
        "get",
        "timeline/",
        S.SENT,
        {},
        row(404, referrer=200, advisor=200, coordinator=200, officer=403, admin=403),
    ),
    "api reroute": (
        "api",
        "post",
        "reroute/",
        S.EXPIRED,
        {"advisor": "next"},
        row(404, referrer=201, advisor=403, coordinator=201, officer=403, admin=403),
    ),
}
# The coordinator re-routes any referral of the département's board, escalated or not.
BOARD_WIDE = {"page reroute": {"coordinator": 200}, "api reroute": {"coordinator": 201}}
# A colleague on a referral sent to the structure's shared inbox: sees it, answers it (accept
# or decline) and writes on it while it waits there; the rest is the advisor's who took it.
COLLEAGUE_ON_SHARED = {
    "page detail": 200,
    "page accept": 302,
    "page decline": 302,
    "page start": 403,
    "page complete": 403,
    "page fail": 403,
    "page cancel": 403,
    "page message": 302,
    "page reroute": 403,
    "api detail": 200,
    "api accept": 200,
    "api decline": 200,
    "api start": 403,
    "api complete": 403,
    "api fail": 403,
    "api cancel": 403,
    "api message": 201,
    "api timeline": 200,
    "api reroute": 403,
}

PERSON_ONLY = {"referrer": None, "sw_other": 404}
PERSON_ENDPOINTS = {
    "page person": ("page", "get", "person_detail", 200),
    "page export": ("page", "get", "person_export", 200),
    "page revoke": ("page", "post", "consent_revoke", 302),
    "page erase": ("page", "post", "person_erase", 302),
    "api export": ("api", "get", "export/", 200),
    "api revoke": ("api", "post", "revoke-consent/", 204),
    "api erase": ("api", "post", "erase/", 204),
}

COORDINATORS = row(403, coordinator=200, coordinator_other=200)
NO_OBJECT_ENDPOINTS = {
    "page board": ("get", lambda: reverse("coordinator_board"), COORDINATORS),
    "page access log": ("get", lambda: reverse("person_access_log"), COORDINATORS),
    "page list": (
        "get",
        lambda: reverse("referral_list"),
        row(200, coordinator=403, coordinator_other=403, officer=403, admin=403),
    ),
    "api board": ("get", lambda: "/api/v1/coordination/board/", COORDINATORS),
    "api access log": ("get", lambda: "/api/v1/access-log/", COORDINATORS),
    "api list": ("get", lambda: "/api/v1/referrals/", row(200, officer=403, admin=403)),
}


def user_of(world, kind):
    value = world[kind]
    return value.user if kind == "advisor" else value


def call(client_kind, user, method, url, payload):
    if client_kind == "page":
        from django.test import Client

        client = Client()
        client.force_login(user)
        return getattr(client, method)(url, payload)
    client = APIClient()
    client.force_authenticate(user)
    return (
        getattr(client, method)(url, payload, format="json")
        if method == "post"
        else (client.get(url))
    )


def referral_url(client_kind, target, pk):
    if client_kind == "page":
        return reverse(target, args=[pk])
    return f"/api/v1/referrals/{pk}/{target}"


@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("endpoint", list(REFERRAL_ENDPOINTS))
def test_referral_endpoints(world, endpoint, own):
    client_kind, method, target, state, payload, own_row = REFERRAL_ENDPOINTS[endpoint]
    if own:
        expected = {**own_row, "colleague_shared": COLLEAGUE_ON_SHARED[endpoint]}
    else:
        expected = expected_other(own_row, GATED.get(endpoint, OFFICE))
    expected = {**expected, **BOARD_WIDE.get(endpoint, {})}
    if payload.get("advisor") == "next":
        payload = {"advisor": world["next_advisor"].pk}
    answers = {}
    for kind in KINDS:
        referral = referral_for(world, state, own, shared=kind == "colleague_shared")
        url = referral_url(client_kind, target, referral.pk)
        answers[kind] = call(client_kind, user_of(world, kind), method, url, payload).status_code
        referral.refresh_from_db()
        changed = referral.events.exists() or referral.messages.exists()
        if answers[kind] in (403, 404):
            assert not changed, (endpoint, kind)  # a refusal changes nothing
    assert answers == expected


@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("endpoint", list(PERSON_ENDPOINTS))
def test_person_endpoints(world, endpoint, own):
    client_kind, method, target, success = PERSON_ENDPOINTS[endpoint]
    expected = row(403, referrer=success if own else 404, sw_other=404)
    answers = {}
    for kind in KINDS:
        person = person_for(world, own)
        url = (
            reverse(target, args=[person.pk])
            if client_kind == "page"
            else f"/api/v1/persons/{person.pk}/{target}"
        )
        answers[kind] = call(client_kind, user_of(world, kind), method, url, {}).status_code
    assert answers == expected


@pytest.mark.parametrize("endpoint", list(NO_OBJECT_ENDPOINTS))
def test_endpoints_without_object(world, endpoint):
    method, url, expected = NO_OBJECT_ENDPOINTS[endpoint]
    client_kind = "page" if endpoint.startswith("page") else "api"
    answers = {
        kind: call(client_kind, user_of(world, kind), method, url(), {}).status_code
        for kind in KINDS
    }
    assert answers == expected


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_system_expires_a_referral(world, kind):
    referral = referral_for(world, S.SENT, own=True)
    with pytest.raises(NotAllowed):
        transitions.check(user=user_of(world, kind), referral=referral, name="expire")
    transitions.check(user=None, referral=referral, name="expire")


def test_a_guessed_id_never_leaks(world):
    for kind in ("referrer", "advisor", "coordinator"):
        user = user_of(world, kind)
        for url in ("/api/v1/referrals/999999/", "/api/v1/referrals/999999/timeline/"):
            assert call("api", user, "get", url, {}).status_code == 404
        assert (
            call("page", user, "get", reverse("referral_detail", args=[999999]), {}).status_code
            == 404
        )
    assert (
        call("api", world["referrer"], "get", "/api/v1/persons/999999/export/", {}).status_code
        == 404
    )


def test_the_coordinator_sees_the_board_pseudonymised_and_opens_only_escalated(world, client):
    escalated = referral_for(world, S.SENT, own=True)
    waiting = ReferralFactory(reminded_at=timezone.now())
    client.force_login(world["coordinator"])
    page = client.get(reverse("coordinator_board")).content.decode()
    for referral in (escalated, waiting):
        assert referral.code in page and referral.person.initials in page
        assert referral.person.last_name not in page
    assert client.get(reverse("referral_detail", args=[waiting.pk])).status_code == 404
    assert client.get(reverse("referral_detail", args=[escalated.pk])).status_code == 200
    assert escalated.person.accesses.get().user == world["coordinator"]
    board = call("api", world["coordinator"], "get", "/api/v1/coordination/board/", {}).json()
    rows = board["results"]
    assert [(r["code"], r["group"]) for r in rows] == [
        (escalated.code, "escalated"),
        (waiting.code, "stalled"),
    ]
    assert set(rows[0]) >= {"initials", "birth_year", "commune"}
    assert "last_name" not in rows[0]


def api_post(user, url, payload=None):
    return call("api", user, "post", url, payload or {}).status_code


def listing(user):
    return call("api", user, "get", "/api/v1/referrals/?page_size=100", {}).json()["results"]


def test_a_colleague_answers_from_the_shared_inbox_but_never_a_colleagues_own_referral(world):
    colleague = world["colleague"]
    shared = referral_for(world, S.SENT, own=True, shared=True)
    declined = referral_for(world, S.SENT, own=True, shared=True)
    not_shared = referral_for(world, S.SENT, own=True)

    assert api_post(colleague, f"/api/v1/referrals/{shared.pk}/accept/") == 200
    shared.refresh_from_db()
    assert (shared.state, shared.advisor.user) == (S.ACCEPTED, colleague)  # now the colleague's
    decline = f"/api/v1/referrals/{declined.pk}/decline/"
    assert api_post(colleague, decline, {"reason": "no_capacity"}) == 200
    declined.refresh_from_db()
    assert declined.state == S.DECLINED

    pages = [
        ("get", "referral_detail", {}),
        ("post", "referral_accept", {}),
        ("post", "referral_decline", {"reason": "no_capacity"}),
        ("post", "referral_message", {"body": "Bonjour"}),
    ]
    for method, name, payload in pages:
        url = reverse(name, args=[not_shared.pk])
        assert call("page", colleague, method, url, payload).status_code == 404, name
    for method, action, payload in [
        ("get", "", {}),
        ("get", "timeline/", {}),
        ("post", "accept/", {}),
        ("post", "decline/", {"reason": "no_capacity"}),
        ("post", "messages/", {"body": "Bonjour"}),
    ]:
        url = f"/api/v1/referrals/{not_shared.pk}/{action}"
        assert call("api", colleague, method, url, payload).status_code == 404, action
    not_shared.refresh_from_db()
    assert not_shared.state == S.SENT and not not_shared.events.exists()
    assert not not_shared.messages.exists()
    listed = {row["id"] for row in listing(colleague)}
    assert not_shared.pk not in listed and {shared.pk, declined.pk} <= listed


def test_a_coordinator_of_another_departement_sees_nothing_of_this_one(world, client):
    escalated = referral_for(world, S.SENT, own=True)
    stalled = ReferralFactory(reminded_at=timezone.now())
    declined = ReferralFactory(state=S.DECLINED)
    client.force_login(world["coordinator"])  # the Lot's coordinator opens it: logged
    assert client.get(reverse("referral_detail", args=[escalated.pk])).status_code == 200
    board = call("api", world["coordinator"], "get", "/api/v1/coordination/board/", {}).json()
    groups = {r["code"]: r["group"] for r in board["results"]}
    assert [code for code, group in groups.items() if group == "escalated"] == [escalated.code]
    assert [code for code, group in groups.items() if group == "stalled"] == [stalled.code]
    assert groups[declined.code] == "declined"

    other = world["coordinator_other"]
    client.force_login(other)
    page = client.get(reverse("coordinator_board")).content.decode()
    for referral in (escalated, stalled, declined):
        assert referral.code not in page
    board = call("api", other, "get", "/api/v1/coordination/board/", {}).json()
    assert board["count"] == 0 and board["results"] == []
    for url in (
        reverse("referral_detail", args=[escalated.pk]),
        reverse("referral_reroute", args=[declined.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/api/v1/referrals/{escalated.pk}/",
        f"/api/v1/referrals/{escalated.pk}/timeline/",
    ):
        assert call("api", other, "get", url, {}).status_code == 404, url
    assert (
        api_post(other, f"/api/v1/referrals/{escalated.pk}/cancel/", {"reason": "mistake"}) == 404
    )
    reroute = f"/api/v1/referrals/{declined.pk}/reroute/"
    assert api_post(other, reroute, {"advisor": world["next_advisor"].pk}) == 404
    assert listing(other) == []
    # Nor the Lot's access log.
    assert escalated.person.accesses.exists()
    assert call("api", other, "get", "/api/v1/access-log/", {}).json()["results"] == []
    log = client.get(reverse("person_access_log")).content.decode()
    assert f"n° {escalated.person_id} —" not in log
    escalated.refresh_from_db()
    declined.refresh_from_db()
    assert escalated.state == S.SENT and not declined.reroutes.exists()
