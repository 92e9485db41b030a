"""Two people acting on one referral at the same moment: exactly one wins, the other gets a 409.

Real concurrent HTTP requests against the live server (one thread and one database connection
per request); run on PostgreSQL with DATABASE_URL (see the README), on SQLite otherwise.
"""

import threading

import pytest
import requests
from rest_framework.authtoken.models import Token

from referrals.models import ReferralState
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 10


def at_once(*calls):
    """Runs the calls in threads released together; returns their responses in order."""
    barrier = threading.Barrier(len(calls))
    responses = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        responses[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def poster(live_server, user, path, payload=None):
    token = Token.objects.get_or_create(user=user)[0].key

    def post():
        return requests.post(
            f"{live_server.url}/api/v1/referrals/{path}",
            json=payload or {},
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )

    return post


def test_two_advisors_of_a_shared_inbox_accept_at_once(live_server, territory):
    first = AdvisorFactory()
    second = AdvisorFactory(user__structure=first.structure, structure=first.structure)
    for _round in range(ROUNDS):
        referral = ReferralFactory(advisor=first, shared=True)
        responses = at_once(
            poster(live_server, first.user, f"{referral.pk}/accept/"),
            poster(live_server, second.user, f"{referral.pk}/accept/"),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["code"] == "conflict"
        assert "acceptée" in loser["detail"]
        winner = next(r for r in responses if r.status_code == 200).json()
        referral.refresh_from_db()
        assert referral.state == ReferralState.ACCEPTED
        assert referral.advisor_id == winner["advisor"]
        assert list(referral.events.values_list("to_state", flat=True)) == ["accepted"]


def test_decline_and_cancel_at_once(live_server, territory):
    advisor = AdvisorFactory()
    person = PersonFactory()
    for _round in range(ROUNDS):
        referral = ReferralFactory(advisor=advisor, person=person)
        responses = at_once(
            poster(live_server, advisor.user, f"{referral.pk}/decline/", {"reason": "duplicate"}),
            poster(live_server, person.created_by, f"{referral.pk}/cancel/", {"reason": "mistake"}),
        )
        codes = [r.status_code for r in responses]
        assert sorted(codes) == [200, 409]
        referral.refresh_from_db()
        assert referral.state == (
            ReferralState.DECLINED if codes[0] == 200 else ReferralState.CANCELLED
        )
        assert referral.events.count() == 1
        loser = responses[codes.index(409)].json()
        assert loser["detail"].startswith(("Cette orientation", "Action impossible", "Quelqu'un"))
