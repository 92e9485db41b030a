import pytest
from django.urls import reverse
from pypdf import PdfReader

from directory.enums import Service
from people.models import Person
from referrals.models import Referral, ReferralState
from tests.assessments.answers import assessment_through_pages
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    consented_referral,
)

pytestmark = pytest.mark.django_db


def test_the_thin_journey_through_the_pages(client, django_capture_on_commit_callbacks):
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    client.force_login(social_worker)

    response = client.post(
        reverse("person_create"),
        {
            "first_name": "Josette",
            "last_name": "Delpech",
            "birth_year": 1951,
            "commune": "Gramat (46500)",
            "preferred_channel": "post",
            "share_identity": "on",
            "share_assessment": "on",
            "consent_method": "oral",
        },
    )
    person = Person.objects.get(last_name="Delpech")
    assert response.url == reverse("referral_new", args=[person.pk])
    assert person.active_consent.recorded_by == social_worker

    url = reverse("referral_new", args=[person.pk])
    assessment = assessment_through_pages(client, person)
    needs = assessment.needs_profile.categories
    assert needs[0] == Service.ADMIN_PROCEDURES.value
    page = client.post(url, {"step": "assessment"})
    assert str(advisor) in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"step": "send", "needs": needs, "advisor": advisor.pk})
    referral = Referral.objects.get(person=person)
    assert response.url == reverse("referral_detail", args=[referral.pk])
    assert referral.assessment == assessment

    client.force_login(advisor.user)
    inbox = client.get(reverse("referral_list")).content.decode()
    assert referral.code in inbox
    client.post(reverse("referral_accept", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED

    client.force_login(social_worker)
    detail = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Acceptée" in detail


def test_bad_input_on_registration_keeps_what_was_typed(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("person_create"),
        {"first_name": "Josette", "last_name": "", "birth_year": 1951, "commune": "Paris"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Commune inconnue : choisissez-la" in page
    assert "Ce champ est obligatoire" in page
    assert 'value="Josette"' in page
    assert not Person.objects.exists()


def test_wrong_password_gets_a_french_message(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "faux"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_referral_of_another_structure_is_not_found(client):
    referral = ReferralFactory()
    client.force_login(UserFactory())  # another social structure
    for name in ("referral_detail", "referral_slip"):
        assert client.get(reverse(name, args=[referral.pk])).status_code == 404
    client.force_login(AdvisorFactory().user)  # another advisor
    assert client.post(reverse("referral_accept", args=[referral.pk])).status_code == 404
    client.force_login(referral.referrer)
    assert client.post(reverse("referral_accept", args=[referral.pk])).status_code == 403
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT


def test_a_second_decision_is_refused_with_a_clear_message(client):
    referral = ReferralFactory(declined=True, decline_reason="no_capacity")
    client.force_login(referral.advisor.user)
    response = client.post(reverse("referral_accept", args=[referral.pk]), follow=True)
    assert "Cette orientation a déjà reçu une réponse (état : refusée)" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.DECLINED


def test_declining_as_other_without_text_keeps_the_referral_sent(client):
    referral = ReferralFactory()
    client.force_login(referral.advisor.user)
    response = client.post(
        reverse("referral_decline", args=[referral.pk]), {"reason": "other"}, follow=True
    )
    assert "Précisez le motif" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT


def test_the_slip_is_a_pdf_with_the_code_and_the_advisor(client):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.get(reverse("referral_slip", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(__import__("io").BytesIO(response.content)).pages[0].extract_text()
    assert referral.code in text
    assert referral.advisor.user.last_name in text
    assert "faire vos démarches sur internet" in text  # the need, in plain words


def test_the_officer_sees_counts_by_epci_and_no_names(client):
    referral = ReferralFactory()  # a person living in Gramat
    client.force_login(UserFactory(officer=True))
    page = client.get(reverse("stats_home")).content.decode()
    assert "CC Causses et Vallée de la Dordogne" in page
    assert referral.person.last_name not in page
    assert referral.code not in page
    assert client.get(reverse("referral_list")).status_code == 403


def test_the_list_comes_in_pages_of_fifty_newest_first_and_keeps_its_filter(client):
    from datetime import timedelta

    from django.utils import timezone

    from people.models import PersonAccess

    social_worker = UserFactory()
    advisor = AdvisorFactory()
    start = timezone.now() - timedelta(days=100)
    referrals = [
        ReferralFactory(
            person__created_by=social_worker, advisor=advisor, sent_at=start + timedelta(days=day)
        )
        for day in range(53)
    ]
    ReferralFactory(person__created_by=social_worker, advisor=advisor, declined=True)
    client.force_login(social_worker)

    first = client.get(reverse("referral_list"), {"etat": "sent"}).content.decode()
    assert first.count("<tr>") == 51  # the header and 50 rows
    assert referrals[-1].code in first and referrals[2].code not in first
    assert "Page 1 sur 2 (53 orientations)" in first
    assert "?etat=sent&amp;page=2" in first
    # A list is not an opening: only a referral or person opened is logged.
    assert not PersonAccess.objects.filter(user=social_worker).exists()

    second = client.get(reverse("referral_list"), {"etat": "sent", "page": 2}).content.decode()
    assert second.count("<tr>") == 4
    assert all(referral.code in second for referral in referrals[:3])
    assert "?etat=sent&amp;page=1" in second
    # A page number out of range or not a number shows the nearest page, never an error.
    assert client.get(reverse("referral_list"), {"page": "dix"}).status_code == 200
    last = client.get(reverse("referral_list"), {"etat": "sent", "page": 99}).content.decode()
    assert referrals[0].code in last


def test_the_sending_page_can_address_the_structure_s_shared_inbox(client):
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    colleague = AdvisorFactory(structure=advisor.structure)
    person = PersonFactory(created_by=social_worker)  # in Gramat, with consent
    client.force_login(social_worker)
    assessment = assessment_through_pages(client, person)
    url = reverse("referral_new", args=[person.pk])
    page = client.post(url, {"step": "assessment"}).content.decode()
    assert "Envoyer à la boîte partagée de sa structure" in page

    needs = assessment.needs_profile.categories
    client.post(url, {"step": "send", "needs": needs, "advisor": advisor.pk, "shared": "on"})
    referral = Referral.objects.get(person=person)
    assert referral.shared
    client.force_login(colleague.user)
    assert referral.code in client.get(reverse("referral_list")).content.decode()


def test_the_sending_page_refuses_a_need_the_assessment_did_not_find(client):
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    person = PersonFactory(created_by=social_worker)
    client.force_login(social_worker)
    assessment = assessment_through_pages(client, person)
    url = reverse("referral_new", args=[person.pk])
    needs = [*assessment.needs_profile.categories, Service.LEISURE.value]

    response = client.post(url, {"step": "send", "needs": needs, "advisor": advisor.pk})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ces besoins ne ressortent pas du diagnostic de la personne : Loisirs" in page
    assert not Referral.objects.exists()
    assessment.refresh_from_db()
    assert not assessment.is_frozen


def josette_profile():
    from datetime import date

    from assessments.profile import needs_profile_compute, profile_to_json
    from tests.assessments.answers import DEFINITION, JOSETTE

    return profile_to_json(needs_profile_compute(DEFINITION, JOSETTE, on=date.today()))


@pytest.mark.parametrize("share_assessment", [True, False])
def test_the_referral_page_shows_the_assessment_only_as_the_consent_allows(
    client, share_assessment
):
    profile = josette_profile()
    referral = consented_referral(share_assessment=share_assessment, profile=profile)
    summary = profile["summary"].replace("'", "&#x27;")
    assessment_url = reverse("assessment_summary", args=[referral.assessment_id])

    client.force_login(referral.advisor.user)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert (summary in page) is share_assessment
    assert ("Se déplace jusqu&#x27;à 15 km" in page) is share_assessment
    assert ("Profil de besoins du diagnostic" in page) is share_assessment
    assert ("Détail du diagnostic non partagé" in page) is not share_assessment
    assert assessment_url not in page  # an advisor never opens the assessment itself

    client.force_login(referral.referrer)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert (summary in page) is share_assessment  # what the advisor sees, as on the slip
    assert assessment_url in page  # the social worker opens it from here either way
