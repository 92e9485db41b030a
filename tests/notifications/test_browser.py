"""In Debian's Chromium: the unread badge, the list, mark as read, switching to the digest."""

import pytest

from notifications import services
from notifications.models import NotificationPreference
from tests.browser.chromium import log_in
from tests.factories import ReferralFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_list_mark_as_read_and_switch_to_the_digest(page):
    user = UserFactory(first_name="Claire")
    referrals = [ReferralFactory() for _ in range(3)]
    for referral in referrals:
        services.notify(
            recipient=user,
            referral=referral,
            kind="referral_answered",
            subject=f"Orientation {referral.code} : acceptée",
        )

    log_in(page, user)

    link = page.get_by_role("link", name="Notifications 3 non lues")
    assert link.is_visible()
    link.click()
    assert page.get_by_role("heading", name="Notifications").is_visible()
    rows = page.get_by_role("row")
    assert rows.count() == 4  # a header and three notifications
    page.get_by_role(
        "button", name=f"Marquer comme lue : Orientation {referrals[0].code} : acceptée"
    ).click()
    assert page.get_by_role("link", name="Notifications 2 non lues").is_visible()

    page.get_by_role("button", name="Tout marquer comme lu").click()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert page.get_by_text("Aucune notification non lue.").is_visible()

    page.get_by_role("link", name="modifier mes préférences").click()
    page.get_by_label("Un résumé quotidien").check()
    page.get_by_label("Heure du résumé quotidien").select_option("18")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Vos préférences de notification sont enregistrées.").is_visible()
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.mode, preference.digest_hour) == ("digest", 18)
    assert page.get_by_label("Un résumé quotidien").is_checked()
