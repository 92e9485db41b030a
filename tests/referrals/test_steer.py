"""The social worker steers the referral: she unticks needs for this referral (the
assessment stays as validated), and may pick any active advisor of the directory, outside
the suggestions, saying why."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pasip.errors import ApplicationError, NotAllowed
from referrals import services
from referrals.models import Referral
from tests.assessments.answers import validated_assessment
from tests.factories import AdvisorFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed():
    person = PersonFactory()
    assessment = validated_assessment(person)
    needs = assessment.needs_profile.categories
    assert len(needs) >= 2, needs
    return person, assessment, needs


# --- Needs kept for this referral ------------------------------------------------------------


def test_she_unticks_needs_and_the_suggestions_are_ranked_on_those_kept(client, assessed):
    person, assessment, needs = assessed
    advisor = AdvisorFactory(place_commune="46128", themes=needs)
    client.force_login(person.created_by)
    url = reverse("referral_new", args=[person.pk])

    page = client.get(url).content.decode()
    for need in needs:  # every need of the assessment, ticked
        assert f'value="{need}"' in page
    assert page.count("checked") == len(needs)

    kept = needs[:1]
    response = client.post(url, {"step": "assessment", "choose_needs": "1", "needs": kept})
    assert response.status_code == 200
    assert response.context["needs"] == kept
    assert response.context["profile"].categories == kept
    assert [n.category for n in response.context["profile"].needs] == kept
    page = response.content.decode()
    assert f'<input type="hidden" name="needs" value="{needs[1]}">' not in page

    response = client.post(url, {"step": "send", "needs": kept, "advisor": advisor.pk})
    referral = Referral.objects.get()
    assert response.url == reverse("referral_detail", args=[referral.pk])
    assert referral.needs == kept
    assessment.refresh_from_db()
    assert assessment.needs_profile.categories == needs  # the assessment itself is unchanged


def test_at_least_one_need_stays_in_french_on_the_same_page(client, assessed):
    person, _assessment, needs = assessed
    client.force_login(person.created_by)
    response = client.post(
        reverse("referral_new", args=[person.pk]), {"step": "assessment", "choose_needs": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gardez au moins un besoin pour cette orientation." in page
    assert "Voir les conseillers" in page
    assert not Referral.objects.exists()


def test_back_from_the_suggestions_the_needs_kept_stay_ticked(client, assessed):
    person, _assessment, needs = assessed
    client.force_login(person.created_by)
    url = reverse("referral_new", args=[person.pk])
    suggestions = client.post(url, {"step": "assessment", "choose_needs": "1", "needs": needs[1:]})
    assert "Modifier les besoins" in suggestions.content.decode()
    page = client.post(url, {"step": "needs", "needs": needs[1:]}).content.decode()
    assert page.count("checked") == len(needs) - 1
    assert f'value="{needs[0]}"' in page  # offered again, unticked


def test_a_need_outside_the_assessment_is_refused(client, assessed):
    person, _assessment, needs = assessed
    client.force_login(person.created_by)
    response = client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "assessment", "choose_needs": "1", "needs": ["Loisirs et créations inventées"]},
    )
    assert "ne ressort pas du diagnostic" in response.content.decode()


# --- An advisor chosen outside the suggestions ------------------------------------------------


def test_picked_in_the_directory_sent_with_the_reason_shown_to_all_three(client, assessed):
    person, _assessment, needs = assessed
    far = AdvisorFactory(place_commune="46042")  # Cahors, whatever the suggestions say
    client.force_login(person.created_by)
    url = reverse("referral_new", args=[person.pk])

    picked = client.post(url, {"step": "pick", "advisor": far.pk, "needs": needs[:1]})
    page = picked.content.decode()
    assert picked.status_code == 200
    assert str(far) in page and "Pourquoi ce conseiller" in page

    empty = client.post(
        url,
        {
            "step": "outside",
            "advisor": far.pk,
            "needs": needs[:1],
            "outside_reason": "  ",
            "shared": "on",
        },
    )
    page = empty.content.decode()
    assert "Dites pourquoi vous choisissez ce conseiller hors des suggestions." in page
    assert re.search(r'name="shared"[^>]*checked', page)  # what she ticked stays
    too_long = "x" * 301
    long = client.post(
        url, {"step": "outside", "advisor": far.pk, "needs": needs[:1], "outside_reason": too_long}
    )
    assert "300 caractères au plus" in long.content.decode()
    assert too_long in long.content.decode()
    assert not Referral.objects.exists()

    reason = "Elle le connaît déjà et s'y rend en bus le mardi."
    sent = client.post(
        url, {"step": "outside", "advisor": far.pk, "needs": needs[:1], "outside_reason": reason}
    )
    referral = Referral.objects.get()
    assert sent.url == reverse("referral_detail", args=[referral.pk])
    assert (referral.advisor, referral.needs) == (far, needs[:1])
    assert referral.chosen_outside and referral.outside_reason == reason
    assert not referral.was_suggested

    referral.escalated_at = referral.sent_at  # the coordinator opens escalated ones
    referral.save(update_fields=["escalated_at"])
    coordinator = UserFactory(coordinator=True, structure__commune=person.commune)
    for user in (person.created_by, far.user, coordinator):
        client.force_login(user)
        page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
        assert "Choisi hors des suggestions" in page, user
        assert "Elle le connaît déjà et s&#x27;y rend en bus le mardi." in page, user


def test_an_inactive_advisor_cannot_be_picked(client, assessed):
    person, _assessment, needs = assessed
    gone = AdvisorFactory(is_active=False)
    client.force_login(person.created_by)
    response = client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "outside", "advisor": gone.pk, "needs": needs, "outside_reason": "Connu"},
    )
    assert response.status_code == 400
    assert "Ce conseiller n'est plus actif" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_pick_from_the_why_not_list_asks_the_reason_before_sending(client, assessed):
    """An advisor of the "why not" list is chosen outside the suggestions too: the send form
    leads to the same page as a pick in the directory, and nothing is sent without a reason."""
    person, _assessment, needs = assessed
    AdvisorFactory(place_commune="46128", themes=needs)  # suggested
    far = AdvisorFactory(place_commune="46128", themes=needs, capacity=0)  # full: left out
    client.force_login(person.created_by)
    url = reverse("referral_new", args=[person.pk])
    page = client.post(url, {"step": "assessment", "choose_needs": "1", "needs": needs[:1]})
    assert far in [item.advisor for item in page.context["suggestions"].why_not]
    assert far not in [suggestion.advisor for suggestion in page.context["suggestions"]]

    picked = client.post(
        url, {"step": "send", "needs": needs[:1], "advisor": far.pk, "shared": "on"}
    )
    page = picked.content.decode()
    assert picked.status_code == 200 and not Referral.objects.exists()
    assert "Pourquoi ce conseiller plutôt" in page and "Revenir aux suggestions" in page
    assert f'<input type="hidden" name="advisor" value="{far.pk}"' in page
    assert f'<input type="hidden" name="needs" value="{needs[0]}">' in page
    assert f'<input type="hidden" name="needs" value="{needs[1]}">' not in page
    assert re.search(r'name="shared"[^>]*checked', page)  # what she ticked stays

    empty = client.post(
        url, {"step": "outside", "needs": needs[:1], "advisor": far.pk, "outside_reason": ""}
    )
    assert "Dites pourquoi vous choisissez ce conseiller hors des suggestions." in (
        empty.content.decode()
    )
    assert not Referral.objects.exists()
    reason = "Elle le connaît déjà : il a aidé son mari."
    client.post(
        url, {"step": "outside", "needs": needs[:1], "advisor": far.pk, "outside_reason": reason}
    )
    referral = Referral.objects.get()
    assert (referral.advisor, referral.needs) == (far, needs[:1])
    assert (referral.chosen_outside, referral.outside_reason) == (True, reason)
    assert (referral.was_suggested, referral.suggested_rank) == (False, None)


def test_the_send_service_checks_the_advisor_the_reason_and_the_structure(assessed):
    person, assessment, needs = assessed
    user = person.created_by
    for advisor in (AdvisorFactory(is_active=False), AdvisorFactory(user__is_active=False)):
        with pytest.raises(ApplicationError, match="plus actif") as refused:
            services.referral_send(
                user=user, person=person, advisor=advisor, needs=needs, outside_reason="Connu"
            )
        assert refused.value.code == "advisor_inactive"
    advisor = AdvisorFactory()
    with pytest.raises(ApplicationError, match="Dites pourquoi"):
        services.referral_send(
            user=user, person=person, advisor=advisor, needs=needs, outside_reason=" "
        )
    with pytest.raises(NotAllowed):
        services.referral_send(
            user=UserFactory(), person=person, advisor=advisor, needs=needs, outside_reason="Connu"
        )
    referral = services.referral_send(
        user=user, person=person, advisor=advisor, needs=needs, assessment=assessment,
        outside_reason="  Connu de la famille  ",
    )  # fmt: skip
    assert (referral.chosen_outside, referral.outside_reason) == (True, "Connu de la famille")
    plain = services.referral_send(user=user, person=person, advisor=advisor, needs=needs)
    assert (plain.chosen_outside, plain.outside_reason) == (False, "")


def test_only_the_person_s_structure_reaches_the_pick(client, assessed):
    person, _assessment, needs = assessed
    advisor = AdvisorFactory()
    client.force_login(UserFactory())  # a social worker of another structure
    response = client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "outside", "advisor": advisor.pk, "needs": needs, "outside_reason": "Connu"},
    )
    assert response.status_code == 404
    client.force_login(advisor.user)
    response = client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "outside", "advisor": advisor.pk, "needs": needs, "outside_reason": "Connu"},
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


# --- API ----------------------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_sends_outside_the_suggestions_with_the_reason(assessed):
    person, _assessment, needs = assessed
    api = api_as(person.created_by)
    advisor = AdvisorFactory()
    data = {"person": person.pk, "advisor": advisor.pk, "needs": needs[:1]}

    missing = api.post("/api/v1/referrals/", {**data, "outside_reason": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "outside_reason_required"
    too_long = api.post("/api/v1/referrals/", {**data, "outside_reason": "x" * 301}, format="json")
    assert too_long.status_code == 400 and "outside_reason" in too_long.json()["errors"]
    inactive = AdvisorFactory(is_active=False)
    refused = api.post(
        "/api/v1/referrals/", {**data, "advisor": inactive.pk, "outside_reason": "Connu"},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Ce conseiller n'est plus actif : choisissez-en un autre.",
        "code": "advisor_inactive",
    }
    assert not Referral.objects.exists()

    created = api.post(
        "/api/v1/referrals/", {**data, "outside_reason": "Connu de la famille"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["chosen_outside"], body["outside_reason"]) == (True, "Connu de la famille")
    assert body["needs"] == needs[:1]
    read = api_as(advisor.user).get(f"/api/v1/referrals/{body['id']}/").json()
    assert (read["chosen_outside"], read["outside_reason"]) == (True, "Connu de la famille")

    # A suggested advisor needs no reason; one outside the suggestions does.
    near = AdvisorFactory(place_commune="46128", themes=needs)
    plain = api.post("/api/v1/referrals/", {**data, "advisor": near.pk}, format="json").json()
    assert (plain["chosen_outside"], plain["outside_reason"], plain["was_suggested"]) == (
        False,
        "",
        True,
    )
    silent = api.post("/api/v1/referrals/", data, format="json")
    assert silent.status_code == 400
    assert silent.json() == {
        "detail": "Ce conseiller ne fait pas partie des suggestions : dites pourquoi vous le "
        "choisissez (outside_reason).",
        "code": "outside_reason_required",
    }
    assert Referral.objects.count() == 2


def test_the_api_refuses_another_structure_s_social_worker(assessed):
    person, _assessment, needs = assessed
    response = api_as(UserFactory()).post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": AdvisorFactory().pk, "outside_reason": "Connu"},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()["errors"]
    assert not Referral.objects.exists()
