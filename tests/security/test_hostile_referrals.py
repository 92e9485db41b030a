"""Hostile input: sending, answering, closing and messages of a referral.

The shared values and checks are in tests/security/hostile.py.
"""

import json

import pytest
from django.urls import reverse

from directory.enums import Service
from referrals.models import Referral, ReferralEvent, ReferralMessage, ReferralState
from tests.factories import (
    AdvisorFactory,
    ReferralFactory,
)
from tests.security.hostile import (
    INVISIBLE,
    LONG,
    NUL,
    REFUSED,
    SCRIPT,
    SQL,
    TEXTS,
    api,
    assert_escaped,
    assert_refused_in_french,
    assessed_person,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


# --- Referrals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"step": "send", "needs": [SCRIPT], "advisor": "1"},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": SQL},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": "-1"},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": "9" * 30},
        {"step": "send", "needs": [], "advisor": "1"},
        {"step": "send", "needs": [LONG]},
        {"step": SCRIPT},
        {"step": "assessment", "needs": [NUL]},
        {"step": "\x00"},
    ],
    ids=lambda data: json.dumps(data)[:40],
)
def test_referral_send_page_refuses_junk(client, data):
    person = assessed_person()
    advisor = AdvisorFactory()
    data = {k: (str(advisor.pk) if v == "1" else v) for k, v in data.items()}
    client.force_login(person.created_by)
    response = client.post(reverse("referral_new", args=[person.pk]), data)
    assert response.status_code == 200
    assert Referral.objects.count() == 0
    assert_escaped(response.content.decode(), SCRIPT)
    for error in page_errors(response):
        french(error)


@pytest.mark.parametrize(
    "overrides",
    [
        {"person": "abc"},
        {"person": [1]},
        {"person": 10**30},
        {"needs": Service.ADMIN_PROCEDURES.value},
        {"needs": [{"nested": "object"}]},
        {"needs": [SCRIPT]},
        {"needs": []},
        {"needs": None},
        {"advisor": -1},
        {"advisor": SQL},
        {"advisor": ...},
        {"shared": "peut-être"},
    ],
    ids=lambda overrides: json.dumps(overrides, default=str)[:40],
)
def test_referral_api_refuses_junk(overrides):
    person = assessed_person()
    advisor = AdvisorFactory()
    data = {"person": person.pk, "advisor": advisor.pk, "needs": [Service.ADMIN_PROCEDURES.value]}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not ...}
    response = api(person.created_by).post("/api/v1/referrals/", data, format="json")
    assert_refused_in_french(response)
    assert Referral.objects.count() == 0


def referral_pages(client, referral, users):
    """The pages that show what was written on a referral, for each side."""
    for user in users:
        client.force_login(user)
        yield client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
        yield client.get(reverse("referral_list")).content.decode()
        yield client.get(reverse("notification_list")).content.decode()


@pytest.mark.parametrize("action", ["decline", "cancel"])
@pytest.mark.parametrize("kind", list(TEXTS))
def test_decline_and_cancel_details_are_refused_or_escaped(client, action, kind):
    referral = ReferralFactory()
    actor = referral.advisor.user if action == "decline" else referral.referrer
    client.force_login(actor)
    value = TEXTS[kind]
    events = ReferralEvent.objects.count()

    response = client.post(
        reverse(f"referral_{action}", args=[referral.pk]), {"reason": "other", "detail": value}
    )

    referral.refresh_from_db()
    refused_on_its_page = action == "cancel" and kind in REFUSED  # the confirmation page
    assert response.status_code == (200 if refused_on_its_page else 302)
    if refused_on_its_page:
        assert_escaped(response.content.decode(), value)
    if kind in REFUSED:
        assert referral.state == ReferralState.SENT
        assert ReferralEvent.objects.count() == events
        errors = page_errors(response)
        assert errors
        for error in errors:
            french(error)
    else:
        assert referral.state != ReferralState.SENT
        assert getattr(referral, f"{action}_detail").strip() == value.strip()
    for html in referral_pages(client, referral, [referral.referrer, referral.advisor.user]):
        assert_escaped(html, value)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decline", {"reason": SCRIPT}),
        ("decline", {"reason": ""}),
        ("decline", {"reason": "other", "detail": "   "}),
        ("cancel", {"reason": SQL}),
        ("cancel", {"reason": ["other", "other"]}),
        ("accept", {"appointment_at": "2026-13-45T99:99", "appointment_place": "x"}),
        ("accept", {"appointment_place": "9" * 30}),
        ("accept", {"appointment_at": LONG}),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_transition_forms_refuse_junk(client, action, data):
    referral = ReferralFactory()
    actor = referral.referrer if action == "cancel" else referral.advisor.user
    client.force_login(actor)
    response = client.post(reverse(f"referral_{action}", args=[referral.pk]), data)
    # A cancellation refused comes back on its confirmation page, with what was typed.
    assert response.status_code == (200 if action == "cancel" else 302)
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    page = response.content if action == "cancel" else client.get(response.url).content
    assert_escaped(page.decode(), SCRIPT)


@pytest.mark.parametrize("outcome", [SCRIPT, "", "completed'--", LONG, "\x00"])
def test_complete_refuses_an_unknown_outcome(client, outcome):
    referral = ReferralFactory(in_progress=True)
    client.force_login(referral.advisor.user)
    response = client.post(reverse("referral_complete", args=[referral.pk]), {"outcome": outcome})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.IN_PROGRESS
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decline", {"reason": "other", "detail": LONG}),
        ("decline", {"reason": "other", "detail": NUL}),
        ("decline", {"reason": ["other"]}),
        ("decline", {"reason": {"nested": 1}}),
        ("decline", {}),
        ("cancel", {"reason": SQL}),
        ("cancel", {"reason": "other", "detail": ["a", "b"]}),
        ("accept", {"appointment_at": "demain", "appointment_place": "x"}),
        ("accept", {"appointment_place": 10**30}),
        ("complete", {"outcome": SCRIPT}),
        ("start", {"first_meeting_at": [1, 2]}),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_transition_api_refuses_junk(action, data):
    state = ReferralState.IN_PROGRESS if action == "complete" else ReferralState.SENT
    if action == "start":
        state = ReferralState.ACCEPTED
    referral = ReferralFactory(state=state)
    actor = referral.referrer if action == "cancel" else referral.advisor.user
    response = api(actor).post(f"/api/v1/referrals/{referral.pk}/{action}/", data, format="json")
    assert_refused_in_french(response)
    referral.refresh_from_db()
    assert referral.state == state


@pytest.mark.parametrize("kind", list(TEXTS))
def test_messages_are_refused_or_escaped(client, kind):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    value = TEXTS[kind]
    response = client.post(reverse("referral_message", args=[referral.pk]), {"body": value})
    assert response.status_code == 302
    if kind in REFUSED:
        assert ReferralMessage.objects.count() == 0
        errors = page_errors(response)
        assert errors
        for error in errors:
            french(error)
    else:
        assert ReferralMessage.objects.get().body == value
    for html in referral_pages(client, referral, [referral.referrer, referral.advisor.user]):
        assert_escaped(html, value)


@pytest.mark.parametrize(
    "body", [{"body": LONG}, {"body": NUL}, {"body": ["a"]}, {"body": {"a": 1}}, {"body": ""}, {}]
)
def test_message_api_refuses_junk(body):
    referral = ReferralFactory()
    response = api(referral.referrer).post(
        f"/api/v1/referrals/{referral.pk}/messages/", body, format="json"
    )
    assert_refused_in_french(response)
    assert ReferralMessage.objects.count() == 0


@pytest.mark.parametrize("value", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_and_bidirectional_characters_are_refused_in_messages(client, value):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.post(reverse("referral_message", args=[referral.pk]), {"body": value})
    assert response.status_code == 302
    assert [french(error) for error in page_errors(response)]
    response = api(referral.referrer).post(
        f"/api/v1/referrals/{referral.pk}/messages/", {"body": value}, format="json"
    )
    assert_refused_in_french(response)
    response = api(referral.advisor.user).post(
        f"/api/v1/referrals/{referral.pk}/decline/",
        {"reason": "other", "detail": value},
        format="json",
    )
    assert_refused_in_french(response)
    assert ReferralMessage.objects.count() == 0
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
