"""In-app notifications: the badge, the list, mark as read, the preference; pages and API."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notifications(user, count):
    rows = []
    for _ in range(count):
        referral = ReferralFactory()
        rows.append(
            services.notify(
                recipient=user,
                referral=referral,
                kind="referral_answered",
                subject=f"Orientation {referral.code} : acceptée",
            )
        )
    return rows


def test_the_header_shows_the_unread_count_and_the_list_marks_as_read(client):
    user = UserFactory()
    first, second, third = _notifications(user, 3)
    _notifications(UserFactory(), 2)  # someone else's
    client.force_login(user)

    home = client.get(reverse("notification_list")).content.decode()
    assert '<span class="badge">3<span class="sr-only"> non lues</span></span>' in home
    assert first.subject in home and third.subject in home
    assert f'<a href="/orientations/{first.referral_id}/">{first.subject}</a>' in home

    client.post(reverse("notification_read", args=[first.pk]))
    page = client.get(reverse("notification_list")).content.decode()
    assert '<span class="badge">2<' in page
    first.refresh_from_db()
    assert first.read_at is not None

    client.post(reverse("notification_read_all"))
    page = client.get(reverse("notification_list")).content.decode()
    assert 'class="badge"' not in page and "Aucune notification non lue" in page


def test_another_users_notification_cannot_be_marked(client):
    mine = UserFactory()
    [theirs] = _notifications(UserFactory(), 1)
    client.force_login(mine)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_as_read_then_open_the_referral(client):
    user = UserFactory()
    [notification] = _notifications(user, 1)
    client.force_login(user)
    target = reverse("referral_detail", args=[notification.referral_id])
    response = client.post(reverse("notification_read", args=[notification.pk]), {"next": target})
    assert response.status_code == 302 and response.url == target
    response = client.post(
        reverse("notification_read", args=[notification.pk]), {"next": "https://ailleurs.example/"}
    )
    assert response.url == reverse("notification_list")


def test_a_user_switches_to_the_daily_digest_on_the_preferences_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "<legend>Recevoir les courriels</legend>" in page
    client.post(reverse("notification_preferences"), {"mode": "digest", "digest_hour": "17"})
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.mode, preference.digest_hour) == ("digest", 17)
    [notification] = _notifications(user, 1)
    assert notification.digest_due_at is not None
    response = client.post(reverse("notification_preferences"), {"mode": "x", "digest_hour": "99"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_the_api_lists_marks_and_sets_the_preference(client):
    user = UserFactory(advisor=True)
    first, second = _notifications(user, 2)
    [theirs] = _notifications(UserFactory(), 1)
    client.force_login(user)

    listing = client.get("/api/v1/notifications/").json()
    assert [row["id"] for row in listing["results"]] == [second.pk, first.pk]
    assert listing["results"][0]["kind_label"] == "Réponse à une orientation"
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}

    marked = client.post(f"/api/v1/notifications/{first.pk}/read/").json()
    assert marked["read"] is True
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 1
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}

    assert client.get("/api/v1/notifications/preferences/").json() == {
        "mode": "immediate",
        "digest_hour": 8,
    }
    response = client.put(
        "/api/v1/notifications/preferences/",
        {"mode": "digest", "digest_hour": 7},
        content_type="application/json",
    )
    assert response.json() == {"mode": "digest", "digest_hour": 7}
    response = client.put(
        "/api/v1/notifications/preferences/",
        {"mode": "digest", "digest_hour": 24},
        content_type="application/json",
    )
    assert response.status_code == 400 and "digest_hour" in response.json()["errors"]


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/notifications/").status_code in (401, 403)


def test_the_list_shows_nothing_of_the_digest_wrapper(client):
    user = UserFactory()
    services.preference_update(user=user, mode="digest", digest_hour=0)
    _notifications(user, 2)
    Notification.objects.update(digest_due_at=None)
    Notification.objects.filter(recipient=user).update(
        digest_due_at=Notification.objects.first().created_at
    )
    services.digests_send_due()
    client.force_login(user)
    assert client.get("/api/v1/notifications/").json()["count"] == 2
