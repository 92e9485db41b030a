from django.db import transaction
from django.utils.translation import gettext as _

from pasip.errors import NotAllowed

from .models import Consent, Person


@transaction.atomic
def person_register(*, user, consent_method, share_identity, share_assessment, **person_data):
    """Registers a person for the user's structure with the consent given in the interview."""
    if not (user.is_social_worker and user.structure_id):
        raise NotAllowed(_("Seul un travailleur social peut enregistrer une personne."))
    person = Person.objects.create(structure=user.structure, created_by=user, **person_data)
    Consent.objects.create(
        person=person,
        share_identity=share_identity,
        share_assessment=share_assessment,
        method=consent_method,
        recorded_by=user,
    )
    return person
