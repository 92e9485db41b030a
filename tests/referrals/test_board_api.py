"""The coordinator's board through the API, as on its page (one order, one set of filters:
`referrals.board_filters.board_filtered`): what needs action first, the oldest first within a
group; filters by state, decline reason, structure and age in working days; pages; the decline
reason in each row; the person pseudonymised. And the referrals' list through the API writes
nothing to the access log, a referral opened one row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import PersonAccess
from referrals.models import CancelReason, DeclineReason, ReferralState
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralState
BOARD = "/api/v1/coordination/board/"


def made(days_ago, **kwargs):
    referral = ReferralFactory(**kwargs)
    referral.sent_at = timezone.now() - timedelta(days=days_ago)
    referral.save()
    return referral


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_codes(api, params=None):
    response = api.get(BOARD, params or {})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def page_codes(client, params=None):
    response = client.get(reverse("coordinator_board"), params or {})
    return [row["referral"].code for row in response.context["rows"]]


@pytest.fixture
def coordinator():
    return UserFactory(coordinator=True)


def test_the_api_board_has_the_pages_order_what_needs_action_first(client, coordinator):
    now = timezone.now()
    declined_new = made(1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    declined_old = made(8, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    expired = made(20, state=S.EXPIRED)
    stalled = made(6, reminded_at=now)
    late_meeting = made(15, state=S.ACCEPTED, meeting_reminded_at=now)
    escalated_new = made(9, reminded_at=now, escalated_at=now)
    escalated_old = made(12, reminded_at=now, escalated_at=now)
    cancelled = made(3, state=S.CANCELLED, cancel_reason=CancelReason.MISTAKE)
    quiet = made(30, state=S.ACCEPTED)
    consent_gone = made(2, state=S.CANCELLED, cancel_reason=CancelReason.CONSENT_WITHDRAWN)
    api = api_as(coordinator)
    client.force_login(coordinator)

    expected = [
        escalated_old,
        escalated_new,
        late_meeting,
        stalled,
        expired,
        declined_old,
        declined_new,
        cancelled,
    ]
    assert api_codes(api) == [r.code for r in expected] == page_codes(client)
    rows = api.get(BOARD).json()["results"]
    assert [row["group"] for row in rows] == [
        "escalated",
        "escalated",
        "stalled",
        "stalled",
        "expired",
        "declined",
        "declined",
        "cancelled",
    ]
    everything = api_codes(api, {"vue": "toutes"})
    assert everything[-2:] == [quiet.code, consent_gone.code]
    assert everything == page_codes(client, {"vue": "toutes"})


def test_each_row_says_the_decline_reason_what_to_do_and_nothing_of_the_persons_identity(
    coordinator,
):
    declined = made(8, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    declined.decline_detail = f"Mme {declined.person.last_name} habite trop loin"
    declined.save()
    escalated = made(12, reminded_at=timezone.now(), escalated_at=timezone.now())
    rows = {row["code"]: row for row in api_as(coordinator).get(BOARD).json()["results"]}

    row = rows[declined.code]
    assert (row["decline_reason"], row["decline_reason_label"]) == ("out_of_area", "Hors zone")
    assert (row["group"], row["group_label"]) == ("declined", "Refusée, à réorienter")
    assert (row["can_reroute"], row["can_open"]) == (True, False)
    assert row["age_working_days"] >= 5  # eight calendar days, whatever the holidays
    assert row["initials"] == declined.person.initials
    assert row["advisor_structure"] == declined.advisor.structure.name
    assert row["referring_structure"] == declined.referring_structure.name
    assert declined.person.last_name not in str(rows)  # nor the advisor's free text
    assert "first_name" not in row and "phone" not in row
    assert (rows[escalated.code]["can_open"], rows[escalated.code]["decline_reason"]) == (
        True,
        "",
    )


def test_the_api_board_filters_as_the_page_by_state_reason_structure_and_age(client, coordinator):
    gramat = AdvisorFactory(place_commune="46128")
    full = made(16, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY, advisor=gramat)
    far = made(1, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    waiting = made(15, reminded_at=timezone.now())
    api = api_as(coordinator)
    client.force_login(coordinator)

    for params, expected in [
        ({"etat": "declined"}, [full, far]),
        ({"motif": "out_of_area"}, [far]),
        ({"structure": gramat.structure.pk}, [full]),
        ({"structure": far.referring_structure.pk}, [far]),
        ({"age": "5"}, [waiting, full]),
        ({"etat": "declined", "age": "10"}, [full]),
    ]:
        assert api_codes(api, params) == [r.code for r in expected], params
        assert page_codes(client, params) == [r.code for r in expected], params


def test_a_wrong_filter_is_refused_in_french(coordinator):
    response = api_as(coordinator).get(BOARD, {"age": "7", "etat": "nimporte"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"age", "etat"}
    assert "Sélectionnez un choix valide" in errors["age"][0]
    other = UserFactory(coordinator=True)
    unknown = api_as(other).get(BOARD, {"structure": "999999"})
    assert unknown.json()["errors"]["structure"] == ["Cette structure n'est pas sur le tableau."]


def test_the_api_board_comes_in_pages(coordinator):
    for day in range(52):
        made(day + 1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    made(1, reminded_at=timezone.now())
    api = api_as(coordinator)
    first = api.get(BOARD, {"etat": "declined"}).json()
    assert first["count"] == 52 and len(first["results"]) == 50
    assert "etat=declined" in first["next"] and "page=2" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2
    rows = first["results"] + second["results"]
    assert len({row["code"] for row in rows}) == 52
    sent = [row["sent_at"] for row in rows]
    assert sent == sorted(sent)  # the oldest first, across the pages


def test_only_the_coordinator_reads_the_api_board():
    made(1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    for user in (UserFactory(), AdvisorFactory().user, UserFactory(officer=True)):
        assert api_as(user).get(BOARD).status_code == 403
    assert APIClient().get(BOARD).status_code in (401, 403)


def test_listing_referrals_through_the_api_writes_no_row_opening_one_writes_one():
    referrer = UserFactory()
    advisor = AdvisorFactory()
    referrals = [
        ReferralFactory(person=PersonFactory(created_by=referrer), advisor=advisor)
        for _ in range(5)
    ]
    for user in (referrer, advisor.user):
        listed = api_as(user).get("/api/v1/referrals/").json()
        assert listed["count"] == 5
        assert all("first_name" in row["person_data"] for row in listed["results"])
    code = referrals[0].code
    assert api_as(advisor.user).get("/api/v1/referrals/", {"code": code}).json()["count"] == 1
    assert not PersonAccess.objects.exists()

    opened = referrals[2]
    assert api_as(advisor.user).get(f"/api/v1/referrals/{opened.pk}/").status_code == 200
    [access] = PersonAccess.objects.all()
    assert (access.user, access.person, access.where) == (
        advisor.user,
        opened.person,
        f"API GET /api/v1/referrals/{opened.pk}/",
    )
