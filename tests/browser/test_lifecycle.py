"""Decline, re-route, accept, first meeting, complete: in Chromium, seen from both sides."""

import pytest

from referrals.models import Referral, ReferralState
from tests.browser.chromium import log_in, log_out
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_referral(page, code):
    page.get_by_role("link", name="Orientations", exact=False).first.click()
    page.get_by_role("link", name=code).click()


def test_decline_reroute_accept_first_meeting_complete(page):
    social_worker = UserFactory(first_name="Claire", last_name="Vayssié")
    first = AdvisorFactory(
        user__first_name="Mathieu", user__last_name="Lacombe", place_commune="46128"
    )
    second = AdvisorFactory(
        user__first_name="Inès", user__last_name="Bories", place_commune="46042"
    )
    person = PersonFactory(created_by=social_worker, last_name="Delpech")
    declined = ReferralFactory(person=person, advisor=first)

    # The first advisor finds the referral by its code and declines it, with a coded reason.
    log_in(page, first.user)
    page.get_by_label("Code de l'orientation").fill(declined.code)
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name=declined.code).click()
    page.get_by_label("Motif du refus").select_option(label="Pas de disponibilité")
    page.get_by_role("button", name="Refuser").click()
    assert page.get_by_text("Orientation refusée").first.is_visible()
    log_out(page)

    # The social worker sees the refusal and re-routes: the advisor who declined is not offered.
    log_in(page, social_worker)
    open_referral(page, declined.code)
    assert "Pas de disponibilité" in page.content()
    page.get_by_role("link", name="Réorienter vers un autre conseiller").click()
    assert "Mathieu Lacombe" not in page.locator("fieldset").inner_text()
    page.get_by_label("Inès Bories", exact=False).check()
    page.get_by_role("button", name="Envoyer la nouvelle orientation").click()
    rerouted = Referral.objects.get(previous=declined)
    assert page.get_by_text(f"Orientation {rerouted.code} envoyée").is_visible()
    assert page.get_by_role("link", name=declined.code).is_visible()
    log_out(page)

    # The second advisor accepts, writes to the social worker, records the first meeting.
    log_in(page, second.user)
    open_referral(page, rerouted.code)
    page.get_by_role("button", name="Accepter l'orientation").click()
    assert page.get_by_text("Orientation acceptée").is_visible()
    page.get_by_role("textbox", name="Message").fill(
        "Rendez-vous fixé mardi matin à la médiathèque."
    )
    page.get_by_role("button", name="Envoyer le message").click()
    page.get_by_role("button", name="Premier rendez-vous effectué").click()
    assert page.get_by_text("Premier rendez-vous enregistré").is_visible()
    log_out(page)

    # The social worker follows it: the state and the message in the timeline.
    log_in(page, social_worker)
    open_referral(page, rerouted.code)
    assert page.locator(".state").inner_text() == "Accompagnement en cours"
    assert "Rendez-vous fixé mardi matin" in page.locator(".timeline").inner_text()
    log_out(page)

    # The advisor closes it with an outcome; the social worker sees the loop closed.
    log_in(page, second.user)
    open_referral(page, rerouted.code)
    page.get_by_label("Issue de l'accompagnement").select_option(label="Besoin satisfait")
    page.get_by_role("button", name="Terminer l'accompagnement").click()
    assert page.get_by_text("Accompagnement terminé").is_visible()
    log_out(page)

    log_in(page, social_worker)
    open_referral(page, rerouted.code)
    assert page.locator(".state").inner_text() == "Terminée"
    timeline = page.locator(".timeline").inner_text()
    for step in ("Envoyée", "Acceptée", "Accompagnement en cours", "Terminée"):
        assert step in timeline
    assert "Besoin satisfait" in page.content()
    rerouted.refresh_from_db()
    assert rerouted.state == ReferralState.COMPLETED
    assert list(rerouted.events.values_list("to_state", flat=True)) == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]
