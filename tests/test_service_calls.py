"""Pages call services one way: a refusal is said to the user, a `NotAllowed` is a 403."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from pasip.errors import ApplicationError, Conflict, NotAllowed
from pasip.service_calls import not_allowed_as_403, service_call
from referrals.models import ReferralState
from tests.factories import AdvisorFactory, ReferralFactory


class NoteForm(forms.Form):
    note = forms.CharField()


def page_request():
    request = RequestFactory().post("/", {"note": "typed"})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def said(request):
    return [message.message for message in get_messages(request)]


def test_a_refusal_is_said_in_a_message_and_the_call_did_not_go_through():
    request = page_request()
    with service_call(request) as call:
        raise ApplicationError("Indiquez la date du rendez-vous.", code="required")
    assert not call.ok and call.error.code == "required" and not call.on_form
    assert said(request) == ["Indiquez la date du rendez-vous."]


def test_a_call_that_goes_through_says_nothing():
    request = page_request()
    with service_call(request) as call:
        pass
    assert call.ok and said(request) == []


def test_with_a_form_the_refusal_goes_next_to_it_and_what_was_typed_stays():
    request = page_request()
    form = NoteForm(request.POST)
    assert form.is_valid()
    with service_call(request, form=form) as call:
        raise ApplicationError("La date du rendez-vous est passée.")
    assert call.on_form and not call.ok
    assert form.non_field_errors() == ["La date du rendez-vous est passée."]
    assert form.data["note"] == "typed" and said(request) == []


def test_a_conflict_can_be_a_message_even_with_a_form():
    request = page_request()
    form = NoteForm(request.POST)
    form.is_valid()
    with service_call(request, form=form, conflict_as_message=True) as call:
        raise Conflict("Cette orientation a déjà reçu une réponse.")
    assert not call.on_form and not form.non_field_errors()
    assert said(request) == ["Cette orientation a déjà reçu une réponse."]


@pytest.mark.parametrize(
    "helper", [lambda request: service_call(request), lambda _: not_allowed_as_403()]
)
def test_not_allowed_is_a_403(helper):
    request = page_request()
    with pytest.raises(PermissionDenied) as denied, helper(request):
        raise NotAllowed("Seule la structure qui accompagne la personne peut faire cela.")
    assert str(denied.value) == "Seule la structure qui accompagne la personne peut faire cela."
    assert said(request) == []


def test_other_errors_go_on():
    with pytest.raises(ValueError), not_allowed_as_403():
        raise ValueError


@pytest.mark.django_db
def test_a_page_answers_403_to_a_refusal_for_the_users_part(client):
    """A colleague still sees a referral of the shared inbox once another advisor took it,
    but no longer writes on it: the page answers 403, as the API does."""
    referral = ReferralFactory(shared=True, state=ReferralState.ACCEPTED)
    colleague = AdvisorFactory(structure=referral.advisor.structure).user
    client.force_login(colleague)
    url = reverse("referral_message", args=[referral.pk])
    response = client.post(url, {"body": "Bonjour"})
    assert response.status_code == 403
    assert not referral.messages.exists()
