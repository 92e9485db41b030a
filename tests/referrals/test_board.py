"""The coordinator's board: what needs action first (escalated, stalled or expired, declined
waiting for a re-route, then the rest), oldest first within a group; filters by state, decline
reason, structure and age; pages; the decline reason shown; the person pseudonymised."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import CancelReason, DeclineReason, ReferralState
from referrals.views import BOARD_PAGE_SIZE
from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralState


def made(days_ago, **kwargs):
    referral = ReferralFactory(**kwargs)
    referral.sent_at = timezone.now() - timedelta(days=days_ago)
    referral.save()
    return referral


def codes(response):
    return [row["referral"].code for row in response.context["rows"]]


@pytest.fixture
def coordinator(client):
    user = UserFactory(coordinator=True)
    client.force_login(user)
    return user


def test_the_board_puts_what_needs_action_first_and_the_oldest_first_within_a_group(
    client, coordinator
):
    now = timezone.now()
    declined_new = made(1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    declined_old = made(8, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    expired = made(20, state=S.EXPIRED)
    stalled = made(6, reminded_at=now)
    late_meeting = made(15, state=S.ACCEPTED, meeting_reminded_at=now)
    escalated_new = made(9, reminded_at=now, escalated_at=now)
    escalated_old = made(12, reminded_at=now, escalated_at=now)
    cancelled = made(3, state=S.CANCELLED, cancel_reason=CancelReason.MISTAKE)
    quiet = made(30, state=S.ACCEPTED)  # nothing to do
    consent_gone = made(2, state=S.CANCELLED, cancel_reason=CancelReason.CONSENT_WITHDRAWN)

    response = client.get(reverse("coordinator_board"))
    assert codes(response) == [
        escalated_old.code,
        escalated_new.code,
        late_meeting.code,
        stalled.code,
        expired.code,
        declined_old.code,
        declined_new.code,
        cancelled.code,
    ]
    page = response.content.decode()
    assert "<td>Hors zone</td>" in page and "<td>Pas de disponibilité</td>" in page
    assert reverse("referral_reroute", args=[declined_new.pk]) in page
    assert reverse("referral_detail", args=[escalated_old.pk]) in page
    assert reverse("referral_detail", args=[stalled.pk]) not in page
    assert declined_old.person.initials in page and declined_old.person.last_name not in page
    assert "Signalée, sans réponse : <strong>2</strong>" in page

    everything = codes(client.get(reverse("coordinator_board"), {"vue": "toutes"}))
    assert everything[-2:] == [quiet.code, consent_gone.code]  # the others come last


def test_the_board_filters_by_state_reason_structure_and_age(client, coordinator):
    gramat = AdvisorFactory(place_commune="46128")
    full = made(16, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY, advisor=gramat)
    far = made(1, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    waiting = made(15, reminded_at=timezone.now())
    url = reverse("coordinator_board")

    assert codes(client.get(url, {"etat": "declined"})) == [full.code, far.code]
    assert codes(client.get(url, {"motif": "out_of_area"})) == [far.code]
    assert codes(client.get(url, {"structure": gramat.structure.pk})) == [full.code]
    referring = far.referring_structure.pk
    assert codes(client.get(url, {"structure": referring})) == [far.code]
    # Fifteen calendar days are more than five working days, holidays or not; one is not.
    assert codes(client.get(url, {"age": "5"})) == [waiting.code, full.code]
    response = client.get(url, {"age": "7"})
    assert response.status_code == 200 and response.context["form"].errors["age"]
    assert codes(response) == []


def test_the_board_comes_in_pages_that_keep_their_filters(client, coordinator):
    for day in range(BOARD_PAGE_SIZE + 2):
        made(day + 1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    made(1, reminded_at=timezone.now())
    url = reverse("coordinator_board")
    first = client.get(url, {"etat": "declined"})
    assert len(codes(first)) == BOARD_PAGE_SIZE
    assert "?etat=declined&amp;page=2" in first.content.decode()
    assert len(codes(client.get(url, {"etat": "declined", "page": 2}))) == 2


def test_only_the_coordinator_opens_the_board(client):
    made(1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    for user in (UserFactory(), AdvisorFactory().user, UserFactory(officer=True)):
        client.force_login(user)
        assert client.get(reverse("coordinator_board")).status_code == 403


def test_the_board_and_the_persons_list_cost_the_same_queries_for_2_and_for_12_rows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PersonFactory

    def queries(user, path):
        client.force_login(user)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    coordinator = UserFactory(coordinator=True)
    made(1, state=S.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
    made(2, reminded_at=timezone.now())
    few = queries(coordinator, reverse("coordinator_board"))
    for day in range(10):
        made(day + 3, state=S.DECLINED, decline_reason=DeclineReason.OUT_OF_AREA)
    assert queries(coordinator, reverse("coordinator_board")) == few

    small, busy = UserFactory(), UserFactory()
    for user, count in ((small, 2), (busy, 12)):
        for person in PersonFactory.create_batch(count, created_by=user):
            ReferralFactory(person=person)
    assert queries(busy, reverse("person_list")) == queries(small, reverse("person_list"))
