"""What the other apps ask the matching: the advisors suggested for a person. Read-only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Ranking, advisors_rank

if TYPE_CHECKING:
    from datetime import date

    from assessments.profile import NeedsProfile
    from directory.models import Advisor
    from people.models import Person


def suggestions_for_person(
    person: Person,
    profile: NeedsProfile,
    *,
    exclude: Iterable[Advisor | int] = (),
    today: date | None = None,
) -> Ranking:
    """The advisors ranked for `profile` from `person`'s commune, with what is known of the
    person (an advisor who already helped them, one who declined them for lack of room), and
    why the others are left out; `exclude` (advisors or their pks) go to the "why not" list.

    Nothing is written: the needs no advisor within reach covers are recorded when the
    assessment is validated and when a referral is sent (`referrals.services`), not each time
    the suggestions are shown.
    """
    return advisors_rank(
        profile=profile, commune=person.commune, exclude=exclude, person=person, today=today
    )
