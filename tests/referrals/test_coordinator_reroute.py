"""The coordinator re-routes a declined referral from the board: the person stays
pseudonymised, and the social worker who referred them keeps following the new referral."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.models import Notification
from people.models import PersonAccess
from referrals import services
from referrals.models import DeclineReason, EventKind, Referral, ReferralState
from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def declined_referral():
    declining = AdvisorFactory(place_commune="46128")
    referral = ReferralFactory(advisor=declining)
    services.referral_decline(
        user=declining.user, referral=referral, reason=DeclineReason.NO_CAPACITY
    )
    return referral


def test_the_coordinator_re_routes_from_the_board_on_behalf_of_the_social_worker(client):
    referral = declined_referral()
    other = AdvisorFactory(place_commune="46042")
    coordinator = UserFactory(coordinator=True)
    person = referral.person
    client.force_login(coordinator)

    board = client.get(reverse("coordinator_board")).content.decode()
    assert reverse("referral_reroute", args=[referral.pk]) in board
    page = client.get(reverse("referral_reroute", args=[referral.pk])).content.decode()
    assert person.initials in page and person.last_name not in page
    assert str(other) in page

    response = client.post(reverse("referral_reroute", args=[referral.pk]), {"advisor": other.pk})
    assert response.url == reverse("coordinator_board")
    new = Referral.objects.get(previous=referral)
    assert (new.advisor, new.state, new.needs) == (other, ReferralState.SENT, referral.needs)
    assert (new.referrer, new.referring_structure) == (
        referral.referrer,
        referral.referring_structure,
    )
    assert new.events.get().actor == coordinator
    assert referral.events.get(kind=EventKind.REROUTED).actor == coordinator
    told = Notification.objects.get(kind="referral_rerouted")
    assert told.recipient == referral.referrer and new.code in told.subject
    assert person.last_name not in told.body
    assert not PersonAccess.objects.filter(user=coordinator).exists()  # nothing was shown

    client.force_login(referral.referrer)
    assert new.code in client.get(reverse("referral_list")).content.decode()


def test_through_the_api_the_coordinator_gets_the_new_referral_pseudonymised():
    referral = declined_referral()
    other = AdvisorFactory(place_commune="46042")
    api = APIClient()
    api.force_authenticate(UserFactory(coordinator=True))

    response = api.post(
        f"/api/v1/referrals/{referral.pk}/reroute/", {"advisor": other.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["person_data"] == {
        "initials": referral.person.initials,
        "commune": referral.person.commune.name,
    }
    again = api.post(
        f"/api/v1/referrals/{referral.pk}/reroute/", {"advisor": other.pk}, format="json"
    )
    assert again.status_code == 409
