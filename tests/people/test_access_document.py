"""The right of access, for the person: a PDF in French saying in words all that the JSON
export holds (which stays, for machines); read back with poppler as the person would."""

import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from people import services
from people.models import PersonAccess
from referrals.services import referral_cancel, referral_message_post
from tests.assessments.answers import validated_assessment
from tests.factories import ReferralFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.poppler]


def pdf_words(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def test_the_access_document_says_everything_the_json_export_holds(client):
    referral = ReferralFactory()
    person = referral.person
    social_worker = person.created_by
    assessment = validated_assessment(person)
    referral_message_post(user=social_worker, referral=referral, body="Préfère le matin")
    referral_cancel(user=social_worker, referral=referral, reason="need_resolved")
    client.force_login(social_worker)
    client.get(reverse("person_detail", args=[person.pk]))  # one access to tell
    data = services.person_export(user=social_worker, person=person)

    url = reverse("person_access_document", args=[person.pk])
    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = pdf_words(response.content)
    assert "Vos données personnelles" in text and "votre droit d'accès" in text
    # Who the person is.
    for value in (person.first_name, person.last_name, str(person.birth_year), person.phone):
        assert value in text, value
    assert person.email in text and "Gramat" in text and "46128" in text
    assert "Téléphone" in text  # the preferred channel, in words
    # The consent, in words, who recorded it and how.
    assert "vous avez accepté qu'ils soient transmis" in text
    assert social_worker.get_full_name() in text and "oral, en entretien" in text
    # The assessment's answers, question by question, in words (not codes).
    assert "Son compte sur la CAF (caf.fr)" in text and "Ne sait pas faire" in text
    assert len(data["assessments"][0]["answers"]) == len(assessment.answers) > 20
    assert "cannot" not in text and "tu-am" not in text
    # The referral, its events and messages, states in words.
    assert referral.code in text and str(referral.advisor) in text
    assert "Annulée" in text or "annulée" in text
    assert "Besoin résolu autrement" in text
    assert "Préfère le matin" in text
    # Who saw the data.
    assert reverse("person_detail", args=[person.pk]) in text
    assert f"{social_worker.get_full_name()} Préfère le matin" in text  # the message's author
    assert social_worker.username not in text  # people by their names, not their logins
    # The JSON export is still there, for machines.
    assert client.get(reverse("person_export", args=[person.pk]))["Content-Type"] == (
        "application/json"
    )


def test_the_access_document_is_logged_and_the_referring_structures_only(client):
    referral = ReferralFactory()
    person = referral.person
    url = reverse("person_access_document", args=[person.pk])
    client.force_login(person.created_by)
    client.get(url)
    assert PersonAccess.objects.filter(person=person, where=url).count() == 1
    client.force_login(UserFactory())  # another structure
    assert client.get(url).status_code == 404
    client.force_login(referral.advisor.user)
    assert client.get(url).status_code == 403
    assert PersonAccess.objects.filter(person=person, where=url).count() == 1
