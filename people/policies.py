"""Who may do what with a person's file: each rule once, with its one refusal message.

QuerySets (`visible_to`), services, pages and the API of people, assessments and referrals
ask these functions; none restates the rule.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pasip.errors import NotAllowed

REGISTER_REFUSED = _("Seul un travailleur social peut enregistrer une personne.")
NOT_FOLLOWED = _("Seule la structure qui accompagne la personne peut faire cela.")


def person_can_register(user) -> bool:
    """A social worker attached to a structure registers persons, for that structure."""
    return bool(user.is_social_worker and user.structure_id)


def person_register_check(user):
    if not person_can_register(user):
        raise NotAllowed(REGISTER_REFUSED)


def persons_followed_filter(user, path="structure_id"):
    """The persons `user` follows, as a filter on `path` (the person's structure's id as seen
    from the model queried); None when the user follows no one."""
    if not person_can_register(user):
        return None
    return Q(**{path: user.structure_id})


def person_followed_by(user, person) -> bool:
    """`user` is a social worker of the structure that accompanies `person`."""
    return person_can_register(user) and person.structure_id == user.structure_id


def person_followed_check(user, person):
    """Raises unless `user` follows `person` (diagnostic, referral, consent, access, erasure)."""
    if not person_followed_by(user, person):
        raise NotAllowed(NOT_FOLLOWED)
