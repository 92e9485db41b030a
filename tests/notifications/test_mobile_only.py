"""A landline never receives an SMS: only French mobile numbers do; otherwise e-mail, or
nothing, and the referral's page says which."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from notifications import services
from notifications.models import PersonMessage
from notifications.sms import is_french_mobile
from people.models import ContactChannel
from tests.factories import PersonFactory, ReferralFactory


@pytest.mark.parametrize(
    "number",
    [
        "06 11 22 33 44",
        "07 81 22 33 44",
        "0611223344",
        "06.11.22.33.44",
        "06-11-22-33-44",
        "+33 6 11 22 33 44",
        "+33611223344",
        "+33 7 81 22 33 44",
        "0033 6 11 22 33 44",
        "0033781223344",
        "+33 (0)6 11 22 33 44",
    ],
)
def test_french_mobile_numbers_get_an_sms(number):
    assert is_french_mobile(number)


@pytest.mark.parametrize(
    "number",
    [
        "05 65 38 64 00",  # a landline in the Lot
        "01 23 45 67 89",
        "09 72 10 20 30",  # a box's number
        "+33 5 65 38 64 00",
        "0033 5 65 38 64 00",
        "08 00 12 34 56",
        "06 11 22 33",  # too short
        "06 11 22 33 44 55",  # too long
        "+44 7700 900123",  # a British mobile
        "",
        "pas de téléphone",
    ],
)
def test_landlines_and_anything_else_get_no_sms(number):
    assert not is_french_mobile(number)


with_db = pytest.mark.django_db


def _person(phone, email="", channel=ContactChannel.PHONE):
    return PersonFactory(phone=phone, email=email, preferred_channel=channel)


@with_db
@pytest.mark.parametrize(
    ("phone", "email", "channel", "expected", "sentence"),
    [
        ("06 11 22 33 44", "", ContactChannel.PHONE, "sms", "prévenue par SMS"),
        ("+33 7 81 22 33 44", "a@exemple.invalid", ContactChannel.PHONE, "sms", "par SMS"),
        (
            "05 65 38 64 00",
            "a@exemple.invalid",
            ContactChannel.PHONE,
            "email",
            "prévenue par e-mail : son numéro n'est pas un mobile",
        ),
        (
            "05 65 38 64 00",
            "",
            ContactChannel.PHONE,
            None,
            "ne sera pas prévenue : son numéro n'est pas un mobile",
        ),
        ("", "a@exemple.invalid", ContactChannel.EMAIL, "email", "prévenue par e-mail."),
        ("06 11 22 33 44", "", ContactChannel.POST, None, "courrier ou la fiche papier"),
    ],
)
def test_the_channel_and_the_sentence_saying_it(phone, email, channel, expected, sentence):
    person = _person(phone, email, channel)
    chosen, said = services.person_channel_explained(person)
    assert chosen == expected and services.person_channel(person) == expected
    assert sentence in said


@with_db
def test_without_consent_nobody_is_told():
    person = PersonFactory(consent=False, phone="06 11 22 33 44")
    assert services.person_channel_explained(person) == (
        None,
        "La personne ne sera pas prévenue : son consentement n'est pas recueilli.",
    )


@with_db
def test_a_landline_appointment_goes_by_e_mail_or_not_at_all():
    soon = timezone.now() + timedelta(days=3)
    with_email = ReferralFactory(
        person=_person("05 65 38 64 00", "j@exemple.invalid"),
        accepted=True,
        appointment_at=soon,
    )
    messages = services.appointment_notify(referral=with_email)
    assert [m.channel for m in messages] == ["email", "email"]

    landline_only = ReferralFactory(
        person=_person("05 65 38 64 00"), accepted=True, appointment_at=soon
    )
    assert services.appointment_notify(referral=landline_only) == []
    assert not PersonMessage.objects.filter(channel=PersonMessage.Channel.SMS).exists()


digits8 = st.text(alphabet="0123456789", min_size=8, max_size=8)
separators = st.sampled_from(["", " ", ".", "-"])


def _written(prefix, rest, separator):
    pairs = [rest[i : i + 2] for i in range(0, 8, 2)]
    return prefix + separator + separator.join(pairs)


@given(
    st.sampled_from(["06", "07", "+33 6", "+336", "+33 7", "0033 6", "00337", "+33 (0)6"]),
    digits8,
    separators,
)
def test_property_every_spelling_of_a_mobile_gets_an_sms(prefix, rest, separator):
    assert is_french_mobile(_written(prefix, rest, separator))


@given(
    st.sampled_from(["01", "02", "03", "04", "05", "08", "09", "+33 5", "0033 1", "+33 9"]),
    digits8,
    separators,
)
def test_property_a_landline_never_gets_an_sms(prefix, rest, separator):
    assert not is_french_mobile(_written(prefix, rest, separator))
