"""What the other apps ask the matching: the advisors suggested for a person. Read-only."""

from .engine import advisors_rank


def suggestions_for_person(person, profile, *, exclude=(), today=None):
    """The advisors ranked for `profile` from `person`'s commune, with what is known of the
    person (an advisor who already helped them, one who declined them for lack of room), and
    why the others are left out; `exclude` (advisors or their pks) go to the "why not" list.

    Nothing is written: the needs no advisor within reach covers are recorded when a referral
    is sent (`referrals.services.referral_send`), not each time the suggestions are shown.
    """
    return advisors_rank(
        profile=profile, commune=person.commune, exclude=exclude, person=person, today=today
    )
