"""The lifecycle through pages and API: finding by code, appointment, outcomes, timeline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.models import Outcome, ReferralState
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_advisor_finds_a_referral_by_its_code_in_pages_and_api(client):
    referral = ReferralFactory(code="LOT-7K3Q")
    other = ReferralFactory(advisor=referral.advisor)
    client.force_login(referral.advisor.user)
    page = client.get(reverse("referral_list"), {"code": "7k3q"}).content.decode()
    assert "LOT-7K3Q" in page and other.code not in page
    found = api_as(referral.advisor.user).get("/api/v1/referrals/", {"code": "lot-7k3q"}).json()
    assert [r["code"] for r in found["results"]] == ["LOT-7K3Q"]


def test_the_whole_row_of_the_table_through_the_api():
    referral = ReferralFactory()
    advisor = api_as(referral.advisor.user)
    base = f"/api/v1/referrals/{referral.pk}/"
    place = referral.advisor.places.get()
    appointment_at = (timezone.now() + timedelta(days=3)).isoformat()  # a date to come
    accepted = advisor.post(
        base + "accept/",
        {"appointment_at": appointment_at, "appointment_place": place.pk},
        format="json",
    ).json()
    assert (accepted["state"], accepted["appointment_place"]) == ("accepted", place.pk)
    assert accepted["allowed_actions"] == ["complete", "fail", "start"]
    # Today is before the appointment's day: the advisor says the meeting came earlier.
    early = {"earlier_than_planned": True}
    assert advisor.post(base + "start/", early, format="json").json()["state"] == "in_progress"
    referrer = api_as(referral.referrer)
    assert referrer.post(base + "messages/", {"body": "Merci"}, format="json").status_code == 201
    bad = advisor.post(base + "complete/", {"outcome": "bogus"}, format="json")
    assert bad.status_code == 400
    done = advisor.post(base + "complete/", {"outcome": Outcome.SATISFIED}, format="json").json()
    assert (done["state"], done["outcome"]) == ("completed", "satisfied")
    timeline = referrer.get(base + "timeline/").json()
    assert [(i["kind"], i.get("to_state")) for i in timeline] == [
        ("event", "accepted"),
        ("event", "in_progress"),
        ("message", None),
        ("event", "completed"),
    ]
    late = referrer.post(base + "cancel/", {"reason": "mistake"}, format="json")
    assert late.status_code == 409 and "terminée" in late.json()["detail"]


def test_pages_show_only_the_buttons_of_the_allowed_transitions(client):
    referral = ReferralFactory(accepted=True)
    client.force_login(referral.advisor.user)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Premier rendez-vous effectué" in page and "Terminer l" in page
    assert "Accepter l'orientation" not in page and "Annuler l'orientation" not in page
    client.force_login(referral.referrer)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Annuler l&#x27;orientation" in page or "Annuler l'orientation" in page
    assert "Premier rendez-vous effectué" not in page


def test_cancel_other_without_text_is_refused_on_the_page(client):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.post(
        reverse("referral_cancel", args=[referral.pk]), {"reason": "other"}, follow=True
    )
    assert "Précisez le motif" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
