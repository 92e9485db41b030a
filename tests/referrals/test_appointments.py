"""After accepting, the advisor adds, moves or removes the appointment; the person's
confirmation and reminder follow; a past date is refused; the first meeting is not recorded
before the appointment's day unless the advisor says it came earlier."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import PersonMessage
from pasip.errors import ApplicationError, Conflict, NotAllowed
from people.models import ContactChannel
from referrals import services
from referrals.models import EventKind, ReferralState
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralState


def in_days(days, hour=10):
    return timezone.localtime(timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def accepted(phone="06 11 22 33 44", email="", **kwargs):
    return ReferralFactory(
        person=PersonFactory(phone=phone, email=email, preferred_channel=ContactChannel.PHONE),
        state=S.ACCEPTED,
        **kwargs,
    )


def pending(referral):
    return list(
        PersonMessage.objects.filter(referral=referral, status="pending")
        .order_by("kind")
        .values_list("kind", "channel", "appointment_at")
    )


# --- Services ------------------------------------------------------------------------------


def test_add_move_and_remove_replace_the_person_s_messages(django_capture_on_commit_callbacks):
    referral = accepted()
    advisor = referral.advisor.user
    place = referral.advisor.places.get()
    first, second = in_days(5), in_days(8, hour=14)

    with django_capture_on_commit_callbacks(execute=False):
        services.referral_appointment_set(
            user=advisor, referral=referral, appointment_at=first, appointment_place=place
        )
    assert (referral.appointment_at, referral.appointment_place) == (first, place)
    assert pending(referral) == [
        ("appointment_confirmation", "sms", first),
        ("appointment_reminder", "sms", first),
    ]

    with django_capture_on_commit_callbacks(execute=False):
        services.referral_appointment_set(user=advisor, referral=referral, appointment_at=second)
    assert referral.appointment_at == second and referral.appointment_place is None
    assert pending(referral) == [
        ("appointment_confirmation", "sms", second),
        ("appointment_reminder", "sms", second),
    ]
    moved = PersonMessage.objects.filter(referral=referral, appointment_at=first)
    assert {(m.status, m.cancel_reason) for m in moved} == {("cancelled", "Rendez-vous déplacé.")}

    services.referral_appointment_remove(user=advisor, referral=referral)
    referral.refresh_from_db()
    assert referral.appointment_at is None and pending(referral) == []
    removed = PersonMessage.objects.filter(referral=referral, appointment_at=second)
    assert {m.cancel_reason for m in removed} == {"Rendez-vous supprimé."}
    assert referral.state == S.ACCEPTED

    events = referral.events.filter(kind=EventKind.APPOINTMENT)
    assert [e.reason for e in events] == [
        f"Rendez-vous fixé au {first:%d/%m/%Y} à 10:00",
        f"Rendez-vous déplacé au {second:%d/%m/%Y} à 14:00",
        "Rendez-vous supprimé",
    ]
    assert {e.actor for e in events} == {advisor}


def test_a_date_in_the_past_is_refused_when_accepting_and_when_moving():
    referral = ReferralFactory()
    advisor = referral.advisor.user
    yesterday = in_days(-1)
    with pytest.raises(ApplicationError, match="La date du rendez-vous est passée"):
        services.referral_accept(user=advisor, referral=referral, appointment_at=yesterday)
    referral.refresh_from_db()
    assert referral.state == S.SENT

    services.referral_accept(user=advisor, referral=referral)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    with pytest.raises(ApplicationError, match="choisissez une date et une heure à venir"):
        services.referral_appointment_set(
            user=advisor, referral=referral, appointment_at=an_hour_ago
        )
    referral.refresh_from_db()
    assert referral.appointment_at is None and not PersonMessage.objects.exists()


def test_only_the_referral_s_advisor_changes_the_appointment_and_only_once_accepted():
    referral = accepted(appointment_at=in_days(3))
    colleague = AdvisorFactory(user__structure=referral.advisor.structure)
    for user in (colleague.user, AdvisorFactory().user, referral.referrer, UserFactory()):
        with pytest.raises(NotAllowed):
            services.referral_appointment_set(
                user=user, referral=referral, appointment_at=in_days(4)
            )
        with pytest.raises(NotAllowed):
            services.referral_appointment_remove(user=user, referral=referral)
    referral.refresh_from_db()
    assert referral.appointment_at == in_days(3)

    waiting = ReferralFactory(state=S.SENT)
    with pytest.raises(Conflict, match="une fois l'orientation acceptée"):
        services.referral_appointment_set(
            user=waiting.advisor.user, referral=waiting, appointment_at=in_days(2)
        )
    closed = ReferralFactory(state=S.COMPLETED, appointment_at=in_days(2))
    with pytest.raises(Conflict, match="terminée"):
        services.referral_appointment_remove(user=closed.advisor.user, referral=closed)


def test_another_advisor_s_place_is_refused():
    referral = accepted()
    elsewhere = AdvisorFactory().places.get()
    with pytest.raises(ApplicationError, match="Choisissez un de vos lieux"):
        services.referral_appointment_set(
            user=referral.advisor.user,
            referral=referral,
            appointment_at=in_days(2),
            appointment_place=elsewhere,
        )


def test_the_first_meeting_before_the_appointment_s_day_needs_the_box():
    referral = accepted(appointment_at=in_days(3))
    advisor = referral.advisor.user
    with pytest.raises(ApplicationError, match="plus tôt que prévu"):
        services.referral_start(user=advisor, referral=referral)
    referral.refresh_from_db()
    assert referral.state == S.ACCEPTED
    on_the_day = ReferralFactory(state=S.ACCEPTED, appointment_at=in_days(0, hour=23))
    services.referral_start(user=on_the_day.advisor.user, referral=on_the_day)
    assert on_the_day.state == S.IN_PROGRESS
    services.referral_start(user=advisor, referral=referral, earlier_than_planned=True)
    assert referral.state == S.IN_PROGRESS


# --- Pages ---------------------------------------------------------------------------------


def test_the_advisor_sets_moves_and_removes_it_from_the_referral_s_page(client):
    referral = accepted()
    client.force_login(referral.advisor.user)
    url = reverse("referral_detail", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Aucun rendez-vous fixé." in page and "Fixer le rendez-vous" in page
    assert "La personne sera prévenue par SMS." in page

    when = in_days(6)
    response = client.post(
        reverse("referral_appointment", args=[referral.pk]),
        {"appointment_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    page = response.content.decode()
    assert "Rendez-vous fixé. La personne sera prévenue par SMS." in page
    assert f"Prévu le {when:%d/%m/%Y} à 10:00" in page and "Déplacer le rendez-vous" in page
    referral.refresh_from_db()
    assert referral.appointment_at == when and len(pending(referral)) == 2

    later = in_days(9)
    response = client.post(
        reverse("referral_appointment", args=[referral.pk]),
        {"appointment_at": later.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "Rendez-vous déplacé." in response.content.decode()
    assert [at for _kind, _channel, at in pending(referral)] == [later, later]

    response = client.post(reverse("referral_appointment_remove", args=[referral.pk]), follow=True)
    assert "Rendez-vous supprimé : la personne ne recevra plus de rappel." in (
        response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.appointment_at is None and pending(referral) == []


def test_a_past_date_on_the_page_is_refused_in_french_and_what_was_typed_stays(client):
    referral = accepted(appointment_at=in_days(4))
    client.force_login(referral.advisor.user)
    typed = in_days(-2).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("referral_appointment", args=[referral.pk]), {"appointment_at": typed}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La date du rendez-vous est passée : choisissez une date et une heure à venir." in page
    assert f'value="{typed}"' in page
    referral.refresh_from_db()
    assert referral.appointment_at == in_days(4)

    response = client.post(reverse("referral_appointment", args=[referral.pk]), {})
    assert "Indiquez la date et l&#x27;heure du rendez-vous." in response.content.decode()


def test_a_landline_is_said_on_the_page(client):
    referral = accepted(phone="05 65 38 64 00")
    client.force_login(referral.advisor.user)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "La personne ne sera pas prévenue : son numéro n&#x27;est pas un mobile." in page


def test_the_referring_social_worker_reads_how_the_person_will_be_told(client):
    """She is with the person when sending: her page says whether an SMS will follow."""
    landline = accepted(phone="05 65 38 64 00")
    mobile = accepted()
    closed = accepted(phone="05 65 38 64 00")
    closed.state = S.COMPLETED
    closed.save(update_fields=["state"])
    for referral, said in (
        (landline, "La personne ne sera pas prévenue : son numéro n&#x27;est pas un mobile."),
        (mobile, "La personne sera prévenue par SMS."),
    ):
        client.force_login(referral.referrer)
        page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
        assert f'<dd id="person-told">{said}</dd>' in page
    client.force_login(closed.referrer)
    page = client.get(reverse("referral_detail", args=[closed.pk])).content.decode()
    assert "person-told" not in page  # nothing more will be sent


def test_the_first_meeting_page_keeps_the_date_and_asks_for_the_box(client):
    referral = accepted(appointment_at=in_days(3))
    client.force_login(referral.advisor.user)
    url = reverse("referral_start", args=[referral.pk])
    typed = in_days(1).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"first_meeting_at": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "cochez « le premier rendez-vous a eu lieu plus tôt que prévu »" in page
    assert f'value="{typed}"' in page and "Le premier rendez-vous a eu lieu plus tôt" in page
    referral.refresh_from_db()
    assert referral.state == S.ACCEPTED

    client.post(url, {"first_meeting_at": typed, "earlier_than_planned": "on"})
    referral.refresh_from_db()
    assert referral.state == S.IN_PROGRESS
    assert referral.first_meeting_at == in_days(1)


def test_nobody_else_changes_the_appointment_from_the_pages(client):
    referral = accepted(appointment_at=in_days(3))
    colleague = AdvisorFactory(user__structure=referral.advisor.structure)
    data = {"appointment_at": in_days(5).strftime("%Y-%m-%dT%H:%M")}
    client.force_login(colleague.user)  # the same structure, not the referral's advisor
    assert client.post(reverse("referral_appointment", args=[referral.pk]), data).status_code in (
        403,
        404,
    )
    client.force_login(referral.referrer)  # the social worker sees the page, not the form
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Déplacer le rendez-vous" not in page
    for name in ("referral_appointment", "referral_appointment_remove"):
        assert client.post(reverse(name, args=[referral.pk]), data).status_code == 403
    client.force_login(AdvisorFactory().user)
    assert client.post(reverse("referral_appointment", args=[referral.pk]), data).status_code == 404
    referral.refresh_from_db()
    assert referral.appointment_at == in_days(3)


# --- API -----------------------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_adds_moves_and_removes_the_appointment():
    referral = accepted()
    url = f"/api/v1/referrals/{referral.pk}/appointment/"
    advisor = api_as(referral.advisor.user)
    place = referral.advisor.places.get()
    when = in_days(5)
    response = advisor.post(
        url, {"appointment_at": when.isoformat(), "appointment_place": place.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["appointment_place"] == place.pk
    assert len(pending(referral)) == 2

    past = advisor.post(url, {"appointment_at": in_days(-1).isoformat()}, format="json")
    assert past.status_code == 400
    assert past.json() == {
        "detail": "La date du rendez-vous est passée : choisissez une date et une heure à venir.",
        "code": "appointment_past",
    }

    removed = advisor.delete(url)
    assert removed.status_code == 200 and removed.json()["appointment_at"] is None
    assert pending(referral) == []
    again = advisor.delete(url)
    assert again.status_code == 400 and again.json()["code"] == "no_appointment"


def test_the_api_refuses_anyone_else():
    referral = accepted(appointment_at=in_days(3))
    url = f"/api/v1/referrals/{referral.pk}/appointment/"
    data = {"appointment_at": in_days(6).isoformat()}
    social_worker = api_as(referral.referrer)
    assert social_worker.post(url, data, format="json").status_code == 403
    assert social_worker.delete(url).status_code == 403
    assert api_as(AdvisorFactory().user).post(url, data, format="json").status_code == 404
    referral.refresh_from_db()
    assert referral.appointment_at == in_days(3)
    start = api_as(referral.advisor.user).post(
        f"/api/v1/referrals/{referral.pk}/start/", {}, format="json"
    )
    assert start.status_code == 400
    assert start.json()["code"] == "first_meeting_before_appointment"


def test_accepting_with_a_past_date_is_refused_on_the_page_the_date_kept(client):
    referral = ReferralFactory()
    client.force_login(referral.advisor.user)
    typed = in_days(-3).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("referral_accept", args=[referral.pk]), {"appointment_at": typed}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La date du rendez-vous est passée : choisissez une date et une heure à venir." in page
    assert f'value="{typed}"' in page
    referral.refresh_from_db()
    assert referral.state == S.SENT and referral.appointment_at is None


def test_the_social_worker_hears_of_each_change_without_personal_data():
    from notifications.models import Notification

    referral = accepted(phone="05 65 38 64 00")
    advisor = referral.advisor.user
    when = in_days(5)
    services.referral_appointment_set(user=advisor, referral=referral, appointment_at=when)
    services.referral_appointment_set(user=advisor, referral=referral, appointment_at=in_days(6))
    services.referral_appointment_remove(user=advisor, referral=referral)
    told = Notification.objects.filter(kind="referral_appointment").order_by("pk")
    assert [n.recipient for n in told] == [referral.referrer] * 3
    assert [n.subject for n in told] == [
        f"Orientation {referral.code} : rendez-vous fixé",
        f"Orientation {referral.code} : rendez-vous déplacé",
        f"Orientation {referral.code} : rendez-vous supprimé",
    ]
    person = referral.person
    for notification in told:
        for personal in (person.first_name, person.last_name, person.phone, f"{when:%d/%m/%Y}"):
            assert personal not in notification.body + notification.html_body
        assert "pensez à la prévenir" in notification.body
    assert not Notification.objects.filter(recipient=advisor, kind="referral_appointment")


def test_a_closed_referral_s_appointment_is_refused_with_the_reason_on_the_page(client):
    referral = ReferralFactory(state=S.COMPLETED, appointment_at=in_days(2))
    client.force_login(referral.advisor.user)
    response = client.post(
        reverse("referral_appointment", args=[referral.pk]),
        {"appointment_at": in_days(4).strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    page = response.content.decode()
    assert "Le rendez-vous se fixe une fois l&#x27;orientation acceptée" in page
    assert "terminée" in page and "Déplacer le rendez-vous" not in page
    referral.refresh_from_db()
    assert referral.appointment_at == in_days(2)
