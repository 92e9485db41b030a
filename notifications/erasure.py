"""Erasure of the messages to a person (`people.erasure`): appointment confirmations and
reminders keep their kind, channel and state only; their times are cut to the month, the
provider's trace goes, and one still waiting is cancelled."""

from django.utils.translation import gettext as _

from people.erasure import date_fields, months_of

from .models import PersonMessage
from .services import person_messages_cancel


def person_messages_erase(person):
    for referral in person.referrals.all():
        person_messages_cancel(referral=referral, reason=_("Données de la personne effacées."))
    fields = date_fields(PersonMessage)
    for message in PersonMessage.objects.filter(person=person):
        PersonMessage.objects.filter(pk=message.pk).update(
            last_error="", provider_reference="", **months_of(message, *fields)
        )
