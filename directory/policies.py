"""Who may change which directory entry: each rule once, with its one refusal message.

The directory's services, pages and API ask these functions; none restates the rule.
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from pasip.errors import NotAllowed

DIRECTORY_MANAGERS = (Role.COORDINATOR, Role.ADMINISTRATOR)

MANAGE_REFUSED = _("Seul le coordinateur importe le fichier national.")
ADVISOR_REFUSED = _("Vous ne pouvez modifier que votre propre fiche.")
PLACE_REFUSED = _("Vous ne pouvez modifier que les lieux de votre structure.")
PLACES_OUTSIDE_REFUSED = _("Choisissez des lieux de votre structure.")


def can_manage_directory(user) -> bool:
    """The coordinator and the administrator manage every entry and the national import."""
    return user.is_authenticated and user.role in DIRECTORY_MANAGERS


def directory_manage_check(user):
    if not can_manage_directory(user):
        raise NotAllowed(MANAGE_REFUSED)


def can_edit_advisor(user, advisor) -> bool:
    """An advisor edits their own entry; the coordinator edits every entry."""
    return can_manage_directory(user) or (user.is_advisor and advisor.user_id == user.pk)


def advisor_edit_check(user, advisor):
    if not can_edit_advisor(user, advisor):
        raise NotAllowed(ADVISOR_REFUSED)


def editable_advisors(user, advisors):
    """Of `advisors` (a QuerySet), the entries `user` may edit."""
    return advisors if can_manage_directory(user) else advisors.filter(user=user)


def can_edit_place(user, place) -> bool:
    """An advisor edits the places of their structure; the coordinator edits every place."""
    if can_manage_directory(user):
        return True
    return user.is_advisor and user.structure_id == place.structure_id


def place_edit_check(user, place):
    if not can_edit_place(user, place):
        raise NotAllowed(PLACE_REFUSED)


def editable_places(user, places):
    """Of `places` (a QuerySet), the places `user` may edit."""
    if can_manage_directory(user):
        return places
    return places.filter(structure_id=user.structure_id)


def advisor_places_check(user, advisor, places):
    """An advisor attaches only places of their structure to their entry."""
    if not can_manage_directory(user) and any(
        place.structure_id != advisor.structure_id for place in places
    ):
        raise NotAllowed(PLACES_OUTSIDE_REFUSED)
